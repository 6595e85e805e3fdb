"""The hand-written pages in docs/: their YAML examples parse and match the schemas, and mkdocs renders
them as written (numbered steps stay one list, sub-steps nest, code blocks stay blocks, nothing
that looks like a tag disappears, "bước N" and "Bước N" point at steps that exist).

The rendered HTML comes from a real mkdocs build of docs/ with the project's mkdocs.yml, the same
call `site-builder build` makes for these pages.
"""

from __future__ import annotations

import html.parser
import json
import re
from dataclasses import dataclass, field

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.datarepo import PROJECT

DOCS = PROJECT / "docs"
SCHEMA = PROJECT / "schema"
PAGES = sorted(p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md"))
GUIDES = ("huong-dan/don-vi", "huong-dan/nguoi-cham")

# Numbered step lists of the guides: section heading (start) -> items of each top-level <ol>.
STEP_LISTS = {
    "huong-dan/don-vi": {
        "Trước khi bắt đầu": [3],
        "Bước 1.": [3],
        "Bước 3.": [4],
        "Bước 4.": [5],
        "Bước 6.": [3],
        "Kế hoạch và báo cáo theo mốc": [3],
        "Phúc khảo điểm chấm": [3],
    },
    "huong-dan/nguoi-cham": {"Việc 1.": [6], "Việc 2.": [6], "Phúc khảo": [4]},
}
CRITERION_ID = re.compile(r"^[0-9]+(\.[0-9]+)*$")


# --- Markdown source ----------------------------------------------------------------------------


@dataclass
class Fence:
    page: str
    line: int
    lang: str
    text: str


FENCE = re.compile(r"^(?P<indent> *)(?P<mark>`{3,}|~{3,})\s*(?P<lang>[\w-]*)")


def fences(page: str) -> list[Fence]:
    """Every fenced code block of a docs page, dedented by its fence's indentation."""
    lines = (DOCS / f"{page}.md").read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        start = FENCE.match(lines[i])
        if not start:
            i += 1
            continue
        indent, mark = len(start["indent"]), start["mark"]
        body, j = [], i + 1
        while j < len(lines) and not re.match(
            rf"^ {{0,{indent + 3}}}{re.escape(mark[0])}{{{len(mark)},}}\s*$", lines[j]
        ):
            assert lines[j][:indent].strip() == "", f"{page}.md:{j + 1}: code line less indented than its fence"
            body.append(lines[j][indent:])
            j += 1
        assert j < len(lines), f"{page}.md:{i + 1}: code block never closed"
        found.append(Fence(page, i + 1, start["lang"].lower(), "\n".join(body) + "\n"))
        i = j + 1
    return found


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML without YAML 1.1 timestamps: `ngay_cham: 2024-06-12` stays text, as the site's reader
    keeps it (the schemas expect a string in date format)."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def yaml_blocks(pages=PAGES) -> list[Fence]:
    return [f for page in pages for f in fences(page) if f.lang in ("yaml", "yml")]


def schema(name: str) -> Draft202012Validator:
    data = json.loads((SCHEMA / name).read_text(encoding="utf-8"))
    return Draft202012Validator(data, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_yaml_block_in_docs_parses():
    blocks = yaml_blocks()
    assert len(blocks) >= 3, "the guides show the unit's and the reviewer's files"
    problems = []
    for block in blocks:
        try:
            data = yaml.safe_load(block.text)
        except yaml.YAMLError as error:
            problems.append(f"docs/{block.page}.md:{block.line}: {error}")
            continue
        if not isinstance(data, dict) or not data:
            problems.append(f"docs/{block.page}.md:{block.line}: not a mapping: {data!r}")
    assert not problems, "\n".join(problems)


def _kind(data: dict) -> str:
    if "nguoi_cham" in data or any("diem_cham" in (v or {}) for v in (data.get("tieu_chi") or {}).values()):
        return "review"
    if "don_vi" in data or "tieu_chi" in data:
        return "submission"
    if data and all(CRITERION_ID.match(str(k)) for k in data):
        return "criteria"  # a piece of a unit's `tieu_chi`, shown as the template shows it
    return "other"


def test_guide_templates_validate_against_the_schemas():
    """The files the guides tell people to write validate against whatever schema/ says now: a
    reviewer's file against review.schema.json, a unit's file (or the criteria shown from it, put
    under `tieu_chi` of the guide's example unit) against submission.schema.json."""
    checked = {page: [] for page in GUIDES}
    problems = []
    for block in yaml_blocks(GUIDES):
        data = yaml.load(block.text, Loader=Yaml12Loader)
        kind = _kind(data)
        if kind == "review":
            document, validator = data, schema("review.schema.json")
        elif kind == "submission":
            document, validator = data, schema("submission.schema.json")
        elif kind == "criteria":
            document = {"don_vi": "thcs-demo-tan-dinh", "nam_hoc": "2023-2024", "tieu_chi": data}
            validator = schema("submission.schema.json")
        else:
            problems.append(f"docs/{block.page}.md:{block.line}: neither a unit's nor a reviewer's file")
            continue
        checked[block.page].append(kind)
        for error in validator.iter_errors(document):
            where = "/".join(map(str, error.absolute_path)) or "(gốc)"
            problems.append(f"docs/{block.page}.md:{block.line}: {kind}: {where}: {error.message}")
    assert not problems, "\n".join(problems)
    assert checked == {"huong-dan/don-vi": ["criteria", "criteria"], "huong-dan/nguoi-cham": ["review"]}


def test_schema_check_fails_on_a_wrong_template():
    """The check above can fail: a comma decimal and an unknown key are refused."""
    validator = schema("review.schema.json")
    bad = yaml.load(
        'don_vi: a\nnam_hoc: "2023-2024"\nnguoi_cham: b\nngay_cham: 2024-06-12\n'
        'tieu_chi:\n  "1.2":\n    diem_cham: 4,5\n    nhan_xet_: x\n',
        Loader=Yaml12Loader,
    )
    messages = [e.message for e in validator.iter_errors(bad)]
    assert len(messages) == 2, messages


def test_messages_quoted_in_the_unit_guide_are_the_validators():
    """The unit guide's table of common errors quotes the validator ("..." stands for the part that
    varies); each quote must match a message the validator prints, as recorded for its corpus."""
    text = (DOCS / "huong-dan/don-vi.md").read_text(encoding="utf-8")
    table = text.split("Một số lỗi hay gặp", 1)[1].split("\n\n", 2)[1]
    quotes = [row.split("|")[1].strip() for row in table.splitlines()[2:] if row.startswith("|")]
    assert len(quotes) >= 5
    expected = yaml.safe_load((PROJECT / "tests/corpus/expected.yaml").read_text(encoding="utf-8"))
    messages = [p["text"] for problems in expected.values() for p in problems or []]
    missing = [q for q in quotes if not any(re.search(".+?".join(map(re.escape, q.split("..."))), m) for m in messages)]
    assert not missing, f"quoted in docs/huong-dan/don-vi.md but printed by no corpus case: {missing}"


def numbered_items(page: str) -> dict[str, int]:
    """Top-level numbered items per section ("## ..." heading) in the Markdown source, outside code."""
    counts, section, in_code = {}, "", None
    for line in (DOCS / f"{page}.md").read_text(encoding="utf-8").splitlines():
        fence = FENCE.match(line)
        if fence:
            in_code = None if in_code and line.strip().startswith(in_code) else (in_code or fence["mark"])
            continue
        if in_code:
            continue
        if line.startswith("## "):
            section = line[3:].strip()
        elif re.match(r"^\d+\. ", line):
            counts[section] = counts.get(section, 0) + 1
    return counts


# --- rendered HTML ------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
KNOWN = VOID | set(
    """a abbr article aside b blockquote body caption cite code dd del details dfn div dl dt em
    figcaption figure footer h1 h2 h3 h4 h5 h6 header html i ins kbd label li main mark nav ol p pre q s samp
    section small span strong sub summary sup table tbody td tfoot th thead tr u ul svg path""".split()
)


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    parent: Node | None = None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag: str) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.open = self.root
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.open)
        self.tags.add(tag)
        self.open.children.append(node)
        if tag not in VOID:
            self.open = node

    def handle_endtag(self, tag):
        node = self.open
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.open = node.parent

    def handle_data(self, data):
        self.open.children.append(data)


def article(text: str) -> tuple[Node, set[str]]:
    """The page's <article> (its content) as a tree, and every tag name seen in it."""
    start = text.index("<article")
    end = text.index("</article>", start) + len("</article>")
    tree = _Tree()
    tree.feed(text[start:end])
    tree.close()
    return tree.root.children[0], tree.tags


def sections(content: Node) -> dict[str, list[Node]]:
    """Top-level nodes of the article grouped under their <h2> ("" before the first)."""
    found, name = {"": []}, ""
    for child in content.children:
        if isinstance(child, Node) and child.tag == "h2":
            name = child.text().strip()
            found[name] = []
        elif isinstance(child, Node):
            found[name].append(child)
    return found


def items(ol: Node) -> int:
    return sum(1 for c in ol.children if isinstance(c, Node) and c.tag == "li")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    from site_builder.website import shell

    out = tmp_path_factory.mktemp("docs-site")
    shell.run_mkdocs(PROJECT / "mkdocs.yml", DOCS, out)
    return {page: (out / page / "index.html").read_text(encoding="utf-8") for page in PAGES}


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_as_written(rendered, page):
    content, tags = article(rendered[page])
    problems = []
    unknown = tags - KNOWN
    if unknown:  # e.g. "<tên nhánh>" written without escaping is parsed as an element and vanishes
        problems.append(f"text taken for HTML elements: {sorted(unknown)}")
    source_fences = fences(page)
    blocks = content.find_all("pre")
    if len(blocks) != len(source_fences):
        problems.append(f"{len(source_fences)} code blocks written, {len(blocks)} rendered as blocks")
    for code in content.find_all("code"):
        inside_pre = any(a.tag == "pre" for a in code.ancestors())
        if not inside_pre and (re.match(r"^(yaml|yml|sh|text)\s", code.text()) or "\n" in code.text().strip()):
            problems.append(f"a code block became inline code: {code.text()[:60]!r}")
    for node in content.walk():
        if node.tag in ("p", "li"):
            own = "".join(c for c in node.children if isinstance(c, str))
            if re.search(r"(^|\n)\s*\d+\.\s+\S", own):
                problems.append(f"a numbered step leaked into <{node.tag}>: {node.text().strip()[:80]!r}")
    written = numbered_items(page)
    shown = {name: sum(items(n) for n in nodes if n.tag == "ol") for name, nodes in sections(content).items()}
    shown = {name: count for name, count in shown.items() if count}
    if shown != written:
        problems.append(f"numbered steps per section: written {written}, rendered {shown}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("page", GUIDES)
def test_guide_step_lists(rendered, page):
    content, _tags = article(rendered[page])
    found = {}
    for name, nodes in sections(content).items():
        lists = [items(n) for n in nodes if n.tag == "ol"]
        if lists:
            key = next((k for k in STEP_LISTS[page] if name.startswith(k)), name)
            found[key] = lists
    assert found == STEP_LISTS[page]
    for ol in content.find_all("ol"):  # sub-steps are nested lists inside their step, never steps
        for li in (c for c in ol.children if isinstance(c, Node) and c.tag == "li"):
            assert not li.text().lstrip().startswith(("✅", "❌", "⛔")), li.text()[:60]


STEP_REF = re.compile(r"\b(bước|Bước|việc|Việc) (\d+)(?![.,]\d)")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_step_references_point_at_existing_steps(rendered, page):
    """ "Bước 5" / "Việc 2" name a section heading of the page; "bước 4" names an item of a numbered
    list in the same section (a step that exists on screen, not one swallowed into a paragraph)."""
    content, _tags = article(rendered[page])
    headings = [h.text().strip() for h in content.find_all("h2")]
    problems = []
    for name, nodes in sections(content).items():
        longest = max((items(n) for n in nodes if n.tag == "ol"), default=0)
        for node in nodes:
            for block in [node, *node.walk()]:
                if block.tag not in ("p", "li", "td"):
                    continue
                own = "".join(
                    c if isinstance(c, str) else (c.text() if c.tag not in ("code", "pre", "ol", "ul", "p") else "")
                    for c in block.children
                )
                for word, number in STEP_REF.findall(own):
                    n = int(number)
                    if word[0].isupper():
                        if not any(h.startswith(f"{word} {n}.") for h in headings):
                            problems.append(f"{name}: «{word} {n}» has no heading «{word} {n}.»")
                    elif word == "bước" and n > longest:
                        problems.append(f"{name}: «bước {n}» but the section's steps go to {longest}")
    assert not problems, "\n".join(problems)
