"""GitHub's Markdown, as far as it can be run here: cmark-gfm (GitHub's own fork of cmark, with
the table, autolink, strikethrough and tagfilter extensions) plus the two filters GitHub runs on
the rendered HTML that create links from plain text: @mentions (users and teams) and issue
references. The patterns are those of GitHub's html-pipeline (ASCII classes, as in Ruby), and
like GitHub they skip text inside code, pre and links.

Raw HTML is kept when rendering (GitHub would sanitise it afterwards): a leak of markup from the
data then shows up as a tag in the result instead of being hidden by the sanitiser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

MENTION = re.compile(r"(?:^|[^A-Za-z0-9_])@([a-z0-9][a-z0-9-]*)(?!/)(?=\.+[ \t]|\.+$|[^0-9a-zA-Z_.]|$)", re.I)
TEAM = re.compile(r"(?:^|[^A-Za-z0-9_])@([a-z0-9][a-z0-9-]*)/([a-z][a-z0-9_-]*)\b", re.I)
ISSUE = re.compile(r"(?:^|[^A-Za-z0-9_/])(?:[\w.-]+/[\w.-]+)?#(\d+)\b")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOT_SCANNED = {"code", "pre", "a", "style", "script"}


def render(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@dataclass
class Page:
    tags: list[tuple[str, dict]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    text: str = ""
    mentions: list[str] = field(default_factory=list)
    issue_refs: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)  # rows of table cells (th or td), in order
    tables: list[list[list[str]]] = field(default_factory=list)  # the same rows, per table
    codes: list[str] = field(default_factory=list)

    def count(self, tag: str) -> int:
        return sum(name == tag for name, _ in self.tags)

    @property
    def links(self) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == "a"]

    @property
    def images(self) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == "img"]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.heading: list[str] | None = None
        self.cell: list[str] | None = None
        self.code: list[str] | None = None
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.page.tags.append((tag, dict(attrs)))
        if tag in ("br", "img", "hr", "input"):
            return
        self.stack.append(tag)
        if tag in HEADINGS:
            self.heading = []
        if tag == "table":
            self.page.tables.append([])
        if tag == "tr":
            self.page.cells.append([])
            if self.page.tables:
                self.page.tables[-1].append(self.page.cells[-1])
        if tag in ("td", "th"):
            self.cell = []
        if tag == "code":
            self.code = []

    def handle_endtag(self, tag):
        if tag in HEADINGS and self.heading is not None:
            self.page.headings.append("".join(self.heading))
            self.heading = None
        if tag in ("td", "th") and self.cell is not None:
            self.page.cells[-1].append("".join(self.cell))
            self.cell = None
        if tag == "code" and self.code is not None:
            self.page.codes.append("".join(self.code))
            self.code = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        for part in (self.heading, self.cell, self.code):
            if part is not None:
                part.append(data)
        self.chunks.append(data)
        if not _NOT_SCANNED & set(self.stack):
            self.page.mentions += [m.group(0).strip() for m in MENTION.finditer(data)]
            self.page.mentions += [m.group(0).strip() for m in TEAM.finditer(data)]
            self.page.issue_refs += [m.group(0).strip() for m in ISSUE.finditer(data)]

    def handle_comment(self, data):
        self.page.comments.append(data)


def read(markdown: str) -> Page:
    reader = _Reader()
    reader.feed(render(markdown))
    reader.close()
    reader.page.text = "".join(reader.chunks)
    return reader.page
