"""The readable diff of a scoring workbook, for the pull-request comment.

Git cannot show what changed inside an XLSX file, so the comment does: per unit, the total,
the rating and the rank within the body before and after, and per criterion the reviewer score
and comment before → after. Both sides are the data roots pr_report already made from git
objects (base and head, each holding the whole folder of the body whose workbook changed).
Every value from the data reaches Markdown through `markdown_text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from site_builder import markdown_text as md
from site_builder.model import Dataset
from site_builder.numbers import as_typed, number
from site_builder.paths import DataRoot, body_folder, classify
from site_builder.scoring import criterion_scores, score_period, typed_totals


def changed_workbooks(changes) -> list[tuple[str, str, str]]:
    """(period, body, path) of every workbook the pull request adds, changes or deletes."""
    found: dict[tuple[str, str], str] = {}
    for change in changes:
        for rel in change.paths:
            role = classify(rel)
            if role.kind == "workbook" and (change.status != "D" or (role.period, role.parent) not in found):
                found[(role.period, role.parent)] = rel
    return [(period, body, rel) for (period, body), rel in found.items()]


def pathspecs(changes) -> list[str]:
    """The whole folder of each body whose workbook changed (its units' files are needed)."""
    return [body_folder(period, body) + "/" for period, body, _rel in changed_workbooks(changes)]


@dataclass
class UnitState:
    total: float
    max_total: float
    percent: float
    rating: str
    rank: object
    partial: bool  # derived criteria left out (they need data outside this body)
    scores: dict  # criterion -> (reviewer score or nan, comment)
    reviewed: bool


def _states(dataset: Dataset | None, period: str, body: str) -> dict[str, UnitState]:
    if dataset is None or period not in dataset.periods:
        return {}
    scores = score_period(dataset, period)
    items = scores.items[scores.items["parent"] == body]
    units = scores.units.set_index("unit")
    states: dict[str, UnitState] = {}
    for unit_id in map(str, items["unit"].unique()):
        if (period, unit_id) not in dataset.submissions:
            continue
        totals = typed_totals(items, unit_id)
        partial = totals.partial
        row = units.loc[unit_id]
        review = dataset.reviews.get((period, unit_id))
        comments = {cid: e.comment for cid, e in (review.entries.items() if review else ())}
        states[unit_id] = UnitState(
            totals.total,
            totals.max_total,
            totals.percent(reviewed=True),
            "" if partial or not isinstance(row["rating"], str) else row["rating"],
            None if partial else row["rank_parent"],
            partial,
            {
                s.criterion: (s.reviewer_score, comments.get(s.criterion, ""))
                for s in criterion_scores(items, unit_id)
                if not s.derived
            },
            review is not None,
        )
    return states


def sections(head_root: DataRoot, base_root: DataRoot, changes) -> list[list[str]]:
    """Markdown blocks (each a list of whole lines) for every changed workbook."""
    workbooks = changed_workbooks(changes)
    if not workbooks:
        return []
    from site_builder.validate import validate_all

    head, base = validate_all(head_root), validate_all(base_root)
    blocks = []
    for period, body, rel in workbooks:
        blocks += _workbook_blocks(head, base, period, body, rel)
    return blocks


def _workbook_blocks(head, base, period: str, body: str, rel: str) -> list[list[str]]:
    dataset = head.dataset
    registry = dataset.registry.period(period) if dataset else None
    name = registry.body_name(body) if registry else body
    title = f"### Bảng chấm: {md.inline(name, 200)} ({md.code(body, 100)}), năm học {md.inline(period, 40)}"
    if any(p.path == rel and p.is_error for p in head.problems):
        return [
            [
                title,
                "",
                "❌ Bảng chấm còn lỗi (xem mục «Lỗi và cảnh báo» ở trên): **chưa điểm nào được ghi**. "
                "Sửa hết lỗi rồi tải lên lại; khi hợp lệ, phần này sẽ cho xem trước điểm.",
                "",
            ]
        ]
    if dataset is None:
        return [[title, "", "Không đọc được dữ liệu để xem trước điểm.", ""]]
    from_workbook = [r for r in dataset.reviews.values() if r.path == rel]
    before = _states(base.dataset, period, body) if base.dataset is not None else {}
    after = _states(dataset, period, body)
    changed = [u for u in after if _unit_changed(before.get(u), after[u])]
    head_lines = [title, ""]
    if from_workbook:
        sample = from_workbook[0]
        head_lines += [
            f"Người chấm: {md.handle(sample.reviewer)} · ngày chấm {md.inline(_day(sample.date))} · "
            f"tệp {md.code(rel, 300)} · {len(from_workbook)} đơn vị có điểm chấm trong bảng.",
            "",
        ]
    else:
        head_lines += [f"Tệp {md.code(rel, 300)}: bảng chấm chưa có điểm chấm nào.", ""]
    if not changed:
        return [head_lines + ["Không có điểm chấm hay nhận xét nào thay đổi so với nhánh chính.", ""]]
    head_lines += [
        f"**{len(changed)} đơn vị thay đổi** (so với nhánh chính; hạng tính trong đơn vị quản lý, cùng "
        "loại đơn vị, theo tỉ lệ % điểm tối đa):",
        "",
        "| Đơn vị | Tổng điểm trước → sau | Tỉ lệ sau | Xếp loại trước → sau | Hạng trước → sau |",
        "|---|---|---|---|---|",
    ]
    partial = False
    for unit_id in changed:
        old, new = before.get(unit_id), after[unit_id]
        unit = registry.units.get(unit_id) if registry else None
        partial = partial or new.partial
        star = "\\*" if new.partial else ""
        head_lines.append(
            f"| {md.cell(unit.name if unit else unit_id)} ({md.cell_code(unit_id)}) | "
            f"{_score(old.total if old else math.nan)} → **{_score(new.total)}**/{as_typed(new.max_total)}{star} | "
            f"{_percent(new.percent)} | {md.cell(old.rating if old else '') or '—'} → {md.cell(new.rating) or '—'} | "
            f"{_rank(old.rank if old else None)} → {_rank(new.rank)} |"
        )
    head_lines.append("")
    if partial:
        head_lines += [
            "\\* Chưa gồm các tiêu chí tính tự động từ kết quả của đơn vị trực thuộc (xếp loại, hạng đầy đủ "
            "có trên trang công khai sau khi hợp nhất).",
            "",
        ]
    blocks = [head_lines]
    for unit_id in changed:
        blocks.append(_unit_detail(registry, unit_id, before.get(unit_id), after[unit_id]))
    return blocks


def _unit_changed(old: UnitState | None, new: UnitState) -> bool:
    if old is None:
        return new.reviewed
    return any(
        not _same(old.scores.get(c, (math.nan, ""))[0], v[0]) or old.scores.get(c, (math.nan, ""))[1] != v[1]
        for c, v in new.scores.items()
    )


def _unit_detail(registry, unit_id: str, old: UnitState | None, new: UnitState) -> list[str]:
    unit = registry.units.get(unit_id)
    lines = [
        f"<details><summary>{md.inline(unit.name if unit else unit_id, 200)}: điểm chấm từng tiêu chí "
        "(trước → sau)</summary>",
        "",
        "| Tiêu chí | Điểm chấm trước → sau | Nhận xét |",
        "|---|---|---|",
    ]
    for criterion, (score, comment) in new.scores.items():
        before_score, before_comment = old.scores.get(criterion, (math.nan, "")) if old else (math.nan, "")
        if _same(before_score, score) and before_comment == comment:
            continue
        shown_comment = md.cell(comment) if comment else "—"
        if comment != before_comment and before_comment:
            shown_comment = f"{md.cell(before_comment, 120)} → {shown_comment}"
        lines.append(
            f"| {md.cell(criterion)} | {_score(before_score, '(tự chấm)')} → **{_score(score, '(tự chấm)')}** | "
            f"{shown_comment} |"
        )
    return lines + ["", "</details>", ""]


def _same(a, b) -> bool:
    a_missing, b_missing = _missing(a), _missing(b)
    return (a_missing and b_missing) or (not a_missing and not b_missing and math.isclose(float(a), float(b)))


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _score(value, empty: str = "—") -> str:
    return empty if _missing(value) else as_typed(float(value))


def _percent(value) -> str:
    return "—" if _missing(value) else f"{number(value, places=None)}%"


def _rank(value) -> str:
    return "—" if _missing(value) else str(int(value))


def _day(value: str) -> str:
    parts = str(value).split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else str(value)
