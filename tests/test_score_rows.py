"""The rows of a unit page's score table are written in Python (website/score_rows.py): each part
is there, in the page's number format, and everything a unit or a reviewer typed is escaped as
Jinja's autoescape would (markupsafe), attributes included."""

from __future__ import annotations

import math

from markupsafe import escape

from site_builder.scoring import CriterionScore
from site_builder.website import pages
from site_builder.website.facts import EvidenceRef, ItemFact

HOSTILE = """<script>alert('x')</script> & "quoted" """


def rows(*items: ItemFact, base: str = "../../") -> str:
    env = pages.environment(lambda commit: "")
    return str(env.globals["score_rows"](list(items), base))


def item(**changes) -> ItemFact:
    score = CriterionScore("1.2", 3.0, 2.5, math.nan, 2.5, False, False, True)
    fields = {"score": score, "text": "Kế hoạch ứng dụng CNTT", "group": "1", "mandatory": True, "evidence_asked": ""}
    return ItemFact(**{**fields, **changes})


def test_a_row_has_its_head_its_scores_and_its_evidence_in_order():
    pdf = EvidenceRef("pdf", "kế hoạch.pdf", "minh-chung/2024-2025/pgd/thcs-a/kế hoạch.pdf")
    link = EvidenceRef("url", "https://thcs-a.edu.vn/ke-hoach", "https://thcs-a.edu.vn/ke-hoach")
    text = rows(item(evidence=[pdf, link]))
    assert text.startswith('<tr data-criterion="1.2" id="tc-1.2"><td><strong>1.2</strong> Kế hoạch ứng dụng CNTT')
    assert '<em class="sb-flag">(bắt buộc)</em>' in text
    assert "<td>3</td><td>2,5</td><td></td><td>2,5</td>" in text  # no reviewer score: an empty cell
    assert '<a href="../../minh-chung/2024-2025/pgd/thcs-a/k%E1%BA%BF%20ho%E1%BA%A1ch.pdf">kế hoạch.pdf</a>, ' in text
    assert '<a href="https://thcs-a.edu.vn/ke-hoach" rel="nofollow noopener">thcs-a.edu.vn/ke-hoach</a>' in text
    assert text.endswith("</td></tr>\n")


def test_a_met_criterion_is_ticked_and_a_derived_one_says_how_it_was_counted():
    met = item(score=CriterionScore("1.2", 3.0, 3.0, 3.0, 3.0, True, False, True))
    assert "<td>3 ✓</td>" in rows(met)
    derived = item(derived={"numerator": 7, "denominator": 8, "criterion": "2.1", "percent": 87.5, "band": "b"})
    assert "Tính tự động: 7/8 đơn vị đạt tiêu chí 2.1 = 87,5% → mức b" in rows(derived)
    idle = item(score=CriterionScore("1.2", 3.0, math.nan, math.nan, 0.0, False, True, False))
    assert "Không áp dụng (không có đơn vị trực thuộc để tính); không tính vào điểm tối đa." in rows(idle)


def test_what_a_unit_or_a_reviewer_typed_is_escaped_as_autoescape_does():
    broken = EvidenceRef("url", "https://a.vn/x", 'https://a.vn/x"onmouseover="y', broken=HOSTILE)
    pdf = EvidenceRef("pdf", HOSTILE, "https://github.com/so/du-lieu/blob/abc/x.pdf?a=1&b='2'")
    text = rows(item(evidence=[pdf, broken], note=HOSTILE, comment=HOSTILE, milestone_warning=HOSTILE))
    assert "<script>" not in text and 'onmouseover="' not in text
    safe = str(escape(HOSTILE))
    assert f"Ghi chú: {safe}</div>" in text
    assert f"Nhận xét của người chấm: {safe}</div>" in text
    assert f"⚠ {safe}</div>" in text
    assert f'title="{safe}">(liên kết hỏng)</span>' in text
    assert f">{safe}</a>" in text
    assert 'href="https://github.com/so/du-lieu/blob/abc/x.pdf?a=1&amp;b=&#39;2&#39;"' in text


def test_a_macro_rendered_once_is_the_macro_for_those_arguments_only():
    env = pages.environment(lambda commit: "")
    once = env.globals["once"]
    macros = env.get_template("_macros.html").module
    assert once("table_open", cls="sb-files") == macros.table_open(cls="sb-files")
    assert once("table_open", cls="sb-files") is once("table_open", cls="sb-files")  # remembered
    assert once("table_open", cls="sb-history") == macros.table_open(cls="sb-history")
    assert once("status", "late", True) == macros.status("late", True) != once("status", "late", False)
    assert env.from_string('{{ once("table_close") }}').render() == "</table></div></div>"  # markup, not escaped


def test_score_cells_are_remembered_by_their_numbers_and_nothing_else():
    """The score cells are written once per set of numbers (score_rows.py): rows with the same
    numbers (a NaN being any NaN) share them, and a row that differs in one of them does not."""
    same = [item(score=CriterionScore(c, 3.0, 2.5, float("nan"), 2.5, False, False, True)) for c in ("1.2", "1.3")]
    met = item(score=CriterionScore("1.4", 3.0, 2.5, float("nan"), 2.5, True, False, True))
    reviewed = item(score=CriterionScore("1.5", 3.0, 2.5, 3.0, 3.0, True, False, True))
    text = rows(*same, met, reviewed, *same)
    assert text.count("<td>3</td><td>2,5</td><td></td><td>2,5</td><td>") == 4
    assert text.count("<td>3</td><td>2,5</td><td></td><td>2,5 ✓</td><td>") == 1
    assert text.count("<td>3</td><td>2,5</td><td>3</td><td>3 ✓</td><td>") == 1
    unsubmitted = item(score=CriterionScore("1.2", 3.0, float("nan"), float("nan"), float("nan"), False, False, True))
    assert "<td>3</td><td>—</td><td></td><td>—</td><td>" in rows(unsubmitted, unsubmitted)
