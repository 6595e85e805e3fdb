"""Run mkdocs on a small set of pages, then pour generated HTML into the theme's layout.

Plain mkdocs spends most of its time converting big Markdown tables and indexing them for search;
at 15,000 units that is minutes. So mkdocs renders only the hand-written pages plus one short
"shell" page per generated page kind, each holding two markers. The generated HTML (rendered with
Jinja2, escaped) replaces the markers: every page keeps the theme's header, navigation, footer and
CSS, and moving to another mkdocs-compatible theme stays a configuration change.

A shell rendered at a given folder depth works for every page at that depth, because mkdocs
writes all links relative to the page.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

TITLE = "SBTITLE0MARK"
BODY = "SBBODY0MARK"
SLOT = f'<div class="sb-slot">{BODY}</div>'

# Lines some theme versions print about their own future; they are not about this site.
_NOISE = ("end of life", "sponsor", "insiders", "zensical", "mkdocs 2.0", "material for mkdocs")


@dataclass
class Shell:
    """A rendered page split around the markers, ready to wrap any body."""

    head: str
    middle: str
    tail: str

    @classmethod
    def read(cls, file: Path) -> Shell:
        text = "\n".join(line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip())
        if SLOT not in text:
            raise RuntimeError(f"{file}: không tìm thấy chỗ chèn nội dung trong trang khung.")
        before, after = text.split(SLOT, 1)
        head, _, middle = before.rpartition(f"<h1>{TITLE}</h1>")
        if not _:
            head, middle = before, ""
        return cls(head, middle, after)

    def render(self, title: str, body: str, short: str | None = None) -> str:
        """`title` is the page's heading; `short`, when given, its name everywhere else (the
        browser tab, the theme's header bar), where a long name is cut."""
        safe = html.escape(title, quote=True)
        name = html.escape(short, quote=True) if short else safe
        return (
            self.head.replace(TITLE, name)
            + f"<h1>{safe}</h1>"
            + self.middle.replace(TITLE, name)
            + body
            + self.tail.replace(TITLE, name)
        )


def shell_markdown(title: str) -> str:
    import json

    safe = html.escape(title, quote=False)
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nhide: [toc]\n---\n\n<h1>{safe}</h1>\n\n{SLOT}\n"


def stage(docs_src: Path, staging: Path, shells: dict[str, str]) -> None:
    """Copy the hand-written docs and write one shell page (path -> title) per generated page."""
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(docs_src, staging) if docs_src.is_dir() else staging.mkdir(parents=True)
    for rel, title in shells.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(shell_markdown(title), encoding="utf-8")


class _Filter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage().lower()
        return not any(word in message for word in _NOISE)


_NOISE_FILTER = _Filter()


def run_mkdocs(config_file: Path, docs_dir: Path, site_dir: Path, quiet: bool = True, **overrides) -> list[str]:
    """Build with the project's mkdocs.yml; returns the warnings mkdocs logged (banner removed).

    Why mkdocs' own `build` on shells rather than a plugin adding every page as `File.generated`:
    mkdocs would then run its whole page pipeline (Markdown, table of contents, theme template,
    search index) 15,000 times for pages whose body is already HTML; rendering three shells and
    pouring the bodies into them costs a fraction of that (see the module docstring). What the
    call changes in the process (the theme's banner variable, filters on logging handlers, a
    handler on mkdocs' logger) is undone before returning, so a caller, a test or a second build
    in the same process sees the process as it was."""
    import contextlib
    import io

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    collected: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                collected.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    handler.addFilter(_NOISE_FILTER)
    stray = io.StringIO()
    with contextlib.ExitStack() as undo:
        for existing in logging.getLogger().handlers + logger.handlers:
            if _NOISE_FILTER not in existing.filters:
                existing.addFilter(_NOISE_FILTER)
                undo.callback(existing.removeFilter, _NOISE_FILTER)
        logger.addHandler(handler)
        undo.callback(logger.removeHandler, handler)
        level = logger.level
        undo.callback(logger.setLevel, level)
        undo.enter_context(_environment({"NO_MKDOCS_2_WARNING": "1"}))  # the theme's own banner, not about this site
        undo.enter_context(contextlib.redirect_stdout(stray))
        overrides = {k: v for k, v in overrides.items() if v is not None}
        config = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), **overrides)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    for line in stray.getvalue().splitlines():
        if line.strip() and not any(word in line.lower() for word in _NOISE) and not quiet:
            print(line)
    return collected


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables that are not set yet, for the duration of the block."""
    added = [name for name in values if name not in os.environ]
    for name in added:
        os.environ[name] = values[name]
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)
