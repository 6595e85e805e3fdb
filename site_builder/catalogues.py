"""Load a period (`criteria/<period>/year.yaml`) and its catalogues, checking them as data.

The catalogue is the rulebook: if it is inconsistent (a group max that is not the sum of its
items, a derived item pointing nowhere) every score is wrong, so it is checked as strictly as a
submission.
"""

from __future__ import annotations

import datetime as dt
import math

from site_builder import messages, schemas
from site_builder.model import (
    Band,
    Catalogue,
    Derived,
    Evidence,
    Group,
    Item,
    Milestone,
    Period,
    RatingLevel,
    Structure,
)
from site_builder.numbers import as_typed
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
    data = doc.data
    if any(p.is_error for p in problems) or not isinstance(data, dict):  # the schema asks for a mapping
        return None, problems
    if data.get("period") != period:
        problems.append(
            messages.PERIOD_MISMATCH_FOLDER.on(doc, ("period",), declared=data.get("period"), period=period)
        )
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
            Milestone(
                m["id"],
                m["title"],
                dt.date.fromisoformat(m["due"]),
                tuple(m.get("owed_by") or ()),
                m.get("source", ""),
                bool(m.get("provisional", False)),
            )
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
    data = doc.data
    if any(p.is_error for p in problems) or not isinstance(data, dict):  # the schema asks for a mapping
        return None, problems, doc
    groups = []
    for group in data["groups"]:
        items = []
        for item in group["items"]:
            evidence = item.get("evidence")
            derived = item.get("derived")
            items.append(
                Item(
                    id=item["id"],
                    text=item["text"],
                    max=float(item["max"]),
                    group=group["id"],
                    evidence=Evidence(
                        tuple(evidence.get("kinds", [])),
                        bool(evidence.get("required", False)),
                        evidence.get("text") or "",
                    )
                    if evidence
                    else None,
                    derived=Derived(
                        derived["rule"],
                        derived["criterion"],
                        tuple(
                            Band(b["id"], float(b["min_percent"]), float(b["factor"]), b.get("text", ""))
                            for b in derived["bands"]
                        ),
                    )
                    if derived
                    else None,
                    mandatory=bool(item.get("mandatory", False)),
                    requires_milestone=item.get("requires_milestone", ""),
                )
            )
        groups.append(Group(group["id"], group["title"], float(group["max"]), tuple(items)))
    catalogue = Catalogue(
        period=period,
        unit_type=data["unit_type"],
        title=data["title"],
        version=str(data["version"]),
        source=data["source"],
        score_step=float(data["score_step"]),
        groups=tuple(groups),
        basis=data.get("basis", ""),
        source_note=data.get("source_note", ""),
        path=rel,
    )
    problems += _check_catalogue(doc, catalogue, unit_type)
    return catalogue, problems, doc


def _check_catalogue(doc, catalogue: Catalogue, unit_type: str) -> list:
    problems = []
    if catalogue.unit_type != unit_type:
        problems.append(
            messages.CATALOGUE_TYPE.on(doc, ("unit_type",), declared=catalogue.unit_type, unit_type=unit_type)
        )
    seen = {}
    for gi, group in enumerate(catalogue.groups):
        total = sum(item.max for item in group.items)
        if not math.isclose(total, group.max):
            problems.append(
                messages.CATALOGUE_SUM.on(
                    doc, ("groups", gi, "max"), group=group.id, max=as_typed(group.max), total=as_typed(round(total, 9))
                )
            )
        for ii, item in enumerate(group.items):
            where = ("groups", gi, "items", ii)
            if item.id in seen:
                problems.append(messages.CATALOGUE_DUPLICATE.on(doc, where + ("id",), item=item.id))
            seen[item.id] = item
            if not _is_multiple(item.max, catalogue.score_step):
                problems.append(
                    messages.CATALOGUE_STEP.on(
                        doc, where + ("max",), item=item.id, max=as_typed(item.max), step=as_typed(catalogue.score_step)
                    )
                )
            if item.derived:
                bands = item.derived.bands
                if any(a.min_percent <= b.min_percent for a, b in zip(bands, bands[1:])) or bands[-1].min_percent != 0:
                    problems.append(messages.CATALOGUE_BANDS.on(doc, where + ("derived", "bands"), item=item.id))
                if item.evidence:
                    problems.append(messages.CATALOGUE_DERIVED_EVIDENCE.on(doc, where + ("evidence",), item=item.id))
    return problems


def _check_rating(doc, period: Period) -> list:
    levels = period.rating
    if levels and levels[-1].when:
        return [messages.RATING_FALLBACK.on(doc, ("rating", "levels", len(levels) - 1))]
    return []


def _check_milestones(doc, period: Period) -> list:
    problems = []
    ids = [m.id for m in period.milestones]
    for i, milestone in enumerate(period.milestones):
        if milestone.id in ids[:i]:
            problems.append(messages.MILESTONE_DUPLICATE.on(doc, ("milestones", i, "id"), milestone=milestone.id))
        for j, unit_type in enumerate(milestone.owed_by):
            if unit_type not in UNIT_TYPES:
                problems.append(
                    messages.UNIT_TYPE_UNKNOWN.on(
                        doc,
                        ("milestones", i, "owed_by", j),
                        milestone=milestone.id,
                        unit_type=unit_type,
                        known=", ".join(UNIT_TYPES),
                    )
                )
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
                    known = messages.listed(period.milestone_ids, messages.NO_MILESTONES)
                    problems.append(
                        messages.ITEM_MILESTONE_UNKNOWN.on(
                            docs[unit_type],
                            where,
                            item=item.id,
                            milestone=item.requires_milestone,
                            path=period.path,
                            known=known,
                        )
                    )
                elif not milestone.owed(unit_type):
                    problems.append(
                        messages.ITEM_MILESTONE_NOT_OWED.on(
                            docs[unit_type],
                            where,
                            item=item.id,
                            unit_type=unit_type,
                            milestone=milestone.id,
                            path=period.path,
                        )
                    )
    return problems


def _is_multiple(value: float, step: float) -> bool:
    return math.isclose(round(value / step) * step, value, abs_tol=1e-9)
