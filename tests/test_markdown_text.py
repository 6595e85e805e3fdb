"""markdown_text: hostile values rendered by GitHub's cmark-gfm stay text, exactly as typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import markdown_text as md
from site_builder.safe_text import printable
from tests.gfm import read

HOSTILE = [
    "## ✅ Hợp lệ — Sở đã phê duyệt",
    "✅ **Hợp lệ** — Sở đã phê duyệt\n# Kết quả",
    "![x](https://evil.example/pixel.png?u=1)",
    "[bấm vào đây](https://evil.example)",
    "<img src=x onerror=alert(1)>",
    "<!-- phần còn lại bị ẩn",
    "<script>alert(1)</script>",
    "@some-user xin duyệt giúp",
    "@org/team",
    "cc: @a, @b.",
    "xem #12 và so-gddt/danh-gia#3",
    "liên hệ a.b@evil.example",
    "https://evil.example/dang-nhap www.evil.example",
    "<https://evil.example>",
    "`code` ``x`` ```",
    "a | b | c",
    "dòng 1\ndòng 2\r\n| x | y |\n|---|---|",
    "&lt;b&gt; và &#64;user",
    "tệp\u202egnp.pdf (đảo chiều)",
    "xoá\x1b[2J màn hình\x07",
    "[ref]: https://evil.example",
    "1) mục\n- mục\n+ mục\n> trích",
    "***\n---\n===",
    "~~gạch~~ *nghiêng* _x_ $x^2$",
    "\\`\\|\\",
    "<details open><summary>x</summary>",
    "  thụt lề    bốn dấu cách",
    "",
]


def _expected(text: str) -> str:
    return printable(text, spaces_for_breaks=True)


def _clean(page_text: str) -> str:
    return page_text.replace(md.ZWSP, "").strip("\n")


def _assert_inert(page):
    assert not page.links, page.links
    assert not page.images, page.images
    assert not page.headings, page.headings
    assert not page.comments, page.comments
    assert not page.mentions, page.mentions
    assert not page.issue_refs, page.issue_refs
    assert {name for name, _ in page.tags} <= {"p", "code", "table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("value", HOSTILE)
def test_inline_text_renders_as_typed_and_nothing_else(value):
    page = read(f"Trước {md.inline(value)} sau.\n\nĐoạn cuối.")
    _assert_inert(page)
    assert page.count("p") == 2 and page.count("code") == 0
    assert _clean(page.text) == f"Trước {_expected(value)} sau.\nĐoạn cuối."


@pytest.mark.parametrize("value", HOSTILE)
def test_inline_text_at_the_start_of_a_line_starts_no_block(value):
    page = read(f"{md.inline(value)}\n\nĐoạn cuối.")
    _assert_inert(page)
    assert _clean(page.text).endswith("Đoạn cuối.")
    assert page.count("p") == 2 or (page.count("p") == 1 and not value.strip())


@pytest.mark.parametrize("value", HOSTILE)
def test_table_cells_keep_the_table_whole(value):
    table = (
        "| Tệp | Vấn đề |\n|---|---|\n"
        f"| {md.cell_code(value)} | {md.cell(value)} |\n"
        "| `sau.yaml` | dòng sau |\n\nĐoạn cuối."
    )
    page = read(table)
    _assert_inert(page)
    assert [len(row) for row in page.cells] == [2, 2, 2]
    assert page.cells[0] == ["Tệp", "Vấn đề"] and page.cells[2] == ["sau.yaml", "dòng sau"]
    assert page.cells[1][0] == (_expected(value) or " ")
    assert _clean(page.cells[1][1]) == _expected(value).strip(" ")
    assert page.text.rstrip().endswith("Đoạn cuối.")


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_code_spans_show_the_value_exactly(value):
    page = read(f"Tệp {md.code(value)} đã đổi.\n\nĐoạn cuối.")
    _assert_inert(page)
    assert page.codes == [_expected(value)]


def test_backtick_runs_choose_a_longer_fence():
    assert md.code("a`b") == "``a`b``"
    assert md.code("``") == "``` `` ```"
    assert md.code("`x") == "`` `x ``"
    assert md.cell_code("a|b") == "`a\\|b`"


def test_handles_are_shown_but_never_notified():
    page = read(f"Người được phép: {md.handle('pgd-q1-reviewer')}, {md.handle('org/team')}")
    _assert_inert(page)
    assert _clean(page.text) == "Người được phép: @pgd-q1-reviewer, @org/team"


def test_numbers_and_ids_stay_readable_in_the_raw_text():
    assert (
        md.inline("tiêu chí 1.2: 4.5 điểm, năm học 2023-2024, thcs-demo-b")
        == "tiêu chí 1.2\\: 4.5 điểm, năm học 2023-2024, thcs-demo-b"
    )


def test_cells_are_shortened_before_escaping():
    long = "<" * 10_000
    assert len(md.cell(long)) == 2 * (md.CELL_LIMIT - 1) + 1
    assert md.cell(long).endswith("…")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
        | st.sampled_from(list("@#`|<>![]()&:.\\*_~-+=$\n ")),
        max_size=60,
    )
)
def test_any_text_stays_text(value):
    page = read(f"| a | b |\n|---|---|\n| {md.cell(value)} | {md.cell_code(value)} |\n\nX {md.inline(value)} Y")
    _assert_inert(page)
    assert page.count("tr") == 2 and [len(row) for row in page.cells] == [2, 2]
    assert _clean(page.cells[1][0]) == _expected(value).strip(" ")
    assert page.cells[1][1] == (_expected(value) or " ")
