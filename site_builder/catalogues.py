"""Load a period (`criteria/<period>/year.yaml`) and its catalogues, checking them as data.

The catalogue is the rulebook: if it is inconsistent (a group max that is not the sum of its
items, a derived item pointing nowhere) every score is wrong, so it is checked as strictly as a
submission.
"""

from __future__ import annotations

import datetime as dt
import math

from site_builder import schemas
from site_builder.model import Band, Catalogue, Derived, Evidence, Group, Item, Milestone, Period, RatingLevel, Structure
from site_builder.paths import DataRoot
from site_builder.unit_types import UNIT_TYPES
from site_builder.yamlfile import read_yaml



def load_period(root: DataRoot, period: str, unit_types=UNIT_TYPES) -> tuple[Period | None, list]:
    """The period with the catalogues of `unit_types` that exist; problems for all files read."""
    year_file = root.year_file(period)
    rel = root.rel(year_file)
    if not year_file.is_file():
        return None, []
    doc = read_yaml(year_file, rel)
    problems = list(doc.problems)
    if doc.data is None:
        return None, problems
    problems += schemas.validate(doc, "year", root.schema)
    if any(p.is_error for p in problems):
        return None, problems
    data = doc.data
    if data.get("period") != period:
        problems.append(doc.problem(("period",), "kỳ đánh giá",
                                    f"giá trị «{data.get('period')}» khác tên thư mục «{period}».",
                                    f"Hãy sửa thành «{period}».", code="period-mismatch"))
    catalogues, catalogue_docs = {}, {}
    for unit_type in unit_types:
        file = root.catalogue_file(period, unit_type)
        if file.is_file():
            catalogue, found, catalogue_doc = _load_catalogue(root, period, unit_type)
            problems += found
            if catalogue is not None:
                catalogues[unit_type] = catalogue
                catalogue_docs[unit_type] = catalogue_doc
    self_assessment = data["self_assessment"]
    result = Period(
        id=period,
        title=data["title"],
        deadline=dt.date.fromisoformat(self_assessment["deadline"]),
        opens=dt.date.fromisoformat(self_assessment["opens"]) if self_assessment.get("opens") else None,
        deadline_source=self_assessment.get("source", ""),
        milestones=tuple(
            Milestone(m["id"], m["title"], dt.date.fromisoformat(m["due"]), tuple(m.get("owed_by") or ()),
                      m.get("source", ""), bool(m.get("provisional", False)))
            for m in data.get("milestones", [])
        ),
        rating=tuple(RatingLevel(level["label"], dict(level.get("when") or {})) for level in data["rating"]["levels"]),
        catalogues=catalogues,
        basis=tuple(data.get("basis") or ()),
        path=rel,
        structure=_structure(data.get("structure") or {}),
    )
    problems += _check_rating(doc, result)
    problems += _check_milestones(doc, result)
    problems += _check_milestone_links(result, catalogue_docs)
    return result, problems


def _structure(data: dict) -> Structure:
    default = Structure()
    return Structure(area_label=data.get("area", default.area_label), tier_label=data.get("tier", default.tier_label))


def _load_catalogue(root: DataRoot, period: str, unit_type: str):
    file = root.catalogue_file(period, unit_type)
    rel = root.rel(file)
    doc = read_yaml(file, rel)
    problems = list(doc.problems)
    if doc.data is None:
        return None, problems, doc
    problems += schemas.validate(doc, "catalogue", root.schema)
    if any(p.is_error for p in problems):
        return None, problems, doc
    data = doc.data
    groups = []
    for gi, group in enumerate(data["groups"]):
        items = []
        for ii, item in enumerate(group["items"]):
            evidence = item.get("evidence")
            derived = item.get("derived")
            items.append(Item(
                id=item["id"], text=item["text"], max=float(item["max"]), group=group["id"],
                evidence=Evidence(tuple(evidence.get("kinds", [])), bool(evidence.get("required", False)),
                                  evidence.get("text") or "") if evidence else None,
                derived=Derived(derived["rule"], derived["criterion"],
                                tuple(Band(b["id"], float(b["min_percent"]), float(b["factor"]), b.get("text", ""))
                                      for b in derived["bands"])) if derived else None,
                mandatory=bool(item.get("mandatory", False)),
                requires_milestone=item.get("requires_milestone", ""),
            ))
        groups.append(Group(group["id"], group["title"], float(group["max"]), tuple(items)))
    catalogue = Catalogue(
        period=period, unit_type=data["unit_type"], title=data["title"], version=str(data["version"]),
        source=data["source"], score_step=float(data["score_step"]), groups=tuple(groups),
        basis=data.get("basis", ""), source_note=data.get("source_note", ""), path=rel,
    )
    problems += _check_catalogue(doc, catalogue, unit_type)
    return catalogue, problems, doc


def _check_catalogue(doc, catalogue: Catalogue, unit_type: str) -> list:
    problems = []
    if catalogue.unit_type != unit_type:
        problems.append(doc.problem(("unit_type",), "loại đơn vị",
                                    f"«{catalogue.unit_type}» khác tên tệp «{unit_type}».",
                                    f"Hãy sửa thành «{unit_type}».", code="catalogue-type"))
    seen = {}
    for gi, group in enumerate(catalogue.groups):
        total = sum(item.max for item in group.items)
        if not math.isclose(total, group.max):
            problems.append(doc.problem(("groups", gi, "max"), f"nhóm {group.id}",
                                        f"điểm tối đa {group.max:g} khác tổng các tiêu chí {total:g}.",
                                        "Hãy sửa điểm tối đa của nhóm hoặc của tiêu chí.", code="catalogue-sum"))
        for ii, item in enumerate(group.items):
            where = ("groups", gi, "items", ii)
            if item.id in seen:
                problems.append(doc.problem(where + ("id",), f"tiêu chí {item.id}", "mã tiêu chí bị trùng.",
                                            "Mỗi tiêu chí cần một mã riêng.", code="catalogue-duplicate"))
            seen[item.id] = item
            if not _is_multiple(item.max, catalogue.score_step):
                problems.append(doc.problem(where + ("max",), f"tiêu chí {item.id}",
                                            f"điểm tối đa {item.max:g} không chia hết cho bước {catalogue.score_step:g}.",
                                            f"Hãy chọn điểm tối đa là bội của {catalogue.score_step:g}.", code="catalogue-step"))
            if item.derived:
                bands = item.derived.bands
                if any(a.min_percent <= b.min_percent for a, b in zip(bands, bands[1:])) or bands[-1].min_percent != 0:
                    problems.append(doc.problem(where + ("derived", "bands"), f"tiêu chí {item.id}",
                                                "các mức phải xếp từ cao xuống thấp và mức cuối bắt đầu từ 0%.",
                                                "Hãy sắp xếp lại min_percent giảm dần và đặt min_percent: 0 cho mức cuối.",
                                                code="catalogue-bands"))
                if item.evidence:
                    problems.append(doc.problem(where + ("evidence",), f"tiêu chí {item.id}",
                                                "tiêu chí tính tự động không nhận minh chứng.",
                                                "Hãy xoá khối evidence của tiêu chí này.", code="catalogue-derived"))
    return problems


def _check_rating(doc, period: Period) -> list:
    levels = period.rating
    if levels and levels[-1].when:
        return [doc.problem(("rating", "levels", len(levels) - 1), "xếp loại",
                            "mức cuối cùng phải không có điều kiện (when: {}), để mọi đơn vị đều được xếp loại.",
                            "Hãy thêm một mức cuối «when: {}» (ví dụ mức Yếu).", code="rating-fallback")]
    return []


def _check_milestones(doc, period: Period) -> list:
    problems = []
    ids = [m.id for m in period.milestones]
    for i, milestone in enumerate(period.milestones):
        if milestone.id in ids[:i]:
            problems.append(doc.problem(("milestones", i, "id"), "mốc báo cáo", f"mã «{milestone.id}» bị trùng.",
                                        "Mỗi mốc báo cáo cần một mã riêng.", code="milestone-duplicate"))
        for j, unit_type in enumerate(milestone.owed_by):
            if unit_type not in UNIT_TYPES:
                problems.append(doc.problem(("milestones", i, "owed_by", j), f"mốc {milestone.id}",
                                            f"«{unit_type}» không phải loại đơn vị.",
                                            "Các loại đơn vị: " + ", ".join(UNIT_TYPES) + ".", code="unit-type-unknown"))
    return problems


def _check_milestone_links(period: Period, docs: dict) -> list:
    """An item's `requires_milestone` names a milestone of the period that its unit type owes."""
    problems = []
    for unit_type, catalogue in period.catalogues.items():
        for gi, group in enumerate(catalogue.groups):
            for ii, item in enumerate(group.items):
                if not item.requires_milestone:
                    continue
                milestone = period.milestone(item.requires_milestone)
                where = ("groups", gi, "items", ii, "requires_milestone")
                if milestone is None:
                    known = ", ".join(period.milestone_ids) or "(chưa có mốc nào)"
                    problems.append(docs[unit_type].problem(
                        where, f"tiêu chí {item.id}",
                        f"mốc báo cáo «{item.requires_milestone}» không có trong {period.path}.",
                        f"Các mốc của năm học: {known}.", code="milestone-unknown"))
                elif not milestone.owed(unit_type):
                    problems.append(docs[unit_type].problem(
                        where, f"tiêu chí {item.id}",
                        f"loại đơn vị «{unit_type}» không phải nộp báo cáo «{milestone.id}» (owed_by trong {period.path}).",
                        "Hãy bỏ requires_milestone hoặc thêm loại đơn vị này vào owed_by của mốc.",
                        code="milestone-not-owed"))
    return problems


def _is_multiple(value: float, step: float) -> bool:
    return math.isclose(round(value / step) * step, value, abs_tol=1e-9)
