"""A unit page shows text that others typed (the registry's names, a reviewer's answer, a member
of the public's objection) as text: site_builder/website/unit_html.py escapes each of them as the
template engine's autoescape did. A real site is built from a data repository whose every such
text carries markup, and its unit page is read back with an HTML parser."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.datarepo import dump, write, write_review
from tests.test_pr_flow import cli, commit, new_repo

PERIOD = "2023-2024"
MARKUP = "x<b>\"y\"</b> & 'z' <script>alert(1)</script>"
OBJECTIONS = Path(__file__).parent / "data" / "github" / "phuc-khao.json"


class PageReader(HTMLParser):
    """The tags a page opens and the text it shows (entities decoded, as a browser shows it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.links += [value for name, value in attrs if name == "href" and value]

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("unit-html")
    root, repository = new_repo(tmp_path)
    registry = root / f"submissions/units/{PERIOD}"
    office = yaml.safe_load((registry / "pgd-quan-1.yaml").read_text(encoding="utf-8"))
    school = next(u for u in office["units"] if u["id"] == "thcs-demo-a")
    school.update(name=f"Trường {MARKUP}", area=f"Phường {MARKUP}", website="https://a.example.edu.vn/?q=<x>&r='1'")
    write(registry / "pgd-quan-1.yaml", dump(office))
    department = yaml.safe_load((registry / "so-gddt.yaml").read_text(encoding="utf-8"))
    next(u for u in department["units"] if u["id"] == "pgd-quan-1")["name"] = f"Phòng {MARKUP}"
    write(registry / "so-gddt.yaml", dump(department))
    write_review(root, PERIOD, "pgd-quan-1", "thcs-demo-a", {"1.2": {"diem_cham": 5, "nhan_xet": f"Nhận xét {MARKUP}"}})
    commit(repository, "Dữ liệu")
    objections = json.loads(OBJECTIONS.read_text(encoding="utf-8"))
    for issue in objections["issues"]:
        issue["body"] = issue["body"].replace("Kế hoạch đã có đủ chữ ký.", f"Lý do {MARKUP}")
    objections["comments"]["21"][0]["body"] = f"Trả lời {MARKUP}"
    objections_file = tmp_path / "phuc-khao.json"
    objections_file.write_text(json.dumps(objections, ensure_ascii=False), encoding="utf-8")
    site = tmp_path / "site"
    built = cli(root, "build", "--out", str(site), "--objections", str(objections_file))
    assert built.returncode == 0, built.stderr
    return site


def read_body(site: Path, url: str) -> PageReader:
    """What the page's generated body shows (the theme's shell around it has scripts)."""
    html = (site / url / "index.html").read_text(encoding="utf-8")
    reader = PageReader()
    reader.feed(html[html.index('<section class="sb-sheet') : html.index("</article>")])
    return reader


@pytest.fixture(scope="module")
def page(site) -> PageReader:
    return read_body(site, f"{PERIOD}/don-vi/thcs-demo-a")


def test_a_bodys_table_of_units_shows_typed_names_as_typed(site):
    """The reviewing body's page lists its units (body_rows.py): the same escaping."""
    body = read_body(site, f"{PERIOD}/quan-ly/pgd-quan-1")
    assert "script" not in body.tags and "b" not in body.tags and "tr" in body.tags
    assert f"Trường {MARKUP}" in "".join(body.text)


def test_typed_markup_opens_no_tag(page):
    assert "script" not in page.tags and "b" not in page.tags
    assert {"section", "dl", "table", "strong", "code", "q"} <= page.tags  # the page's own tags are there


@pytest.mark.parametrize(
    "shown",
    [
        f"Trường {MARKUP} (mã thcs-demo-a)",  # the paper sheet
        f"Trường {MARKUP} — ",  # the lead line
        f"Phường {MARKUP}",
        f"Phòng {MARKUP}",  # the reviewing body, in the sheet, the lead and the rank cards
        f"Nhận xét {MARKUP}",  # a reviewer's comment, in the score table
        f"Lý do {MARKUP}",  # an objection's reason
        f"Trả lời {MARKUP}",  # the reviewer's answer to it
    ],
)
def test_typed_text_shows_as_typed(page, shown):
    assert shown in "".join(page.text)


def test_links_keep_their_characters(page):
    assert "https://a.example.edu.vn/?q=<x>&r='1'" in page.links
    assert "https://a.example.edu.vn/?q=<x>&r='1'" in "".join(page.text)
