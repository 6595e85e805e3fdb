"""Everything a page or a download says about a unit in a period, gathered once.

Pages, listings and downloads all read these records, so a number shown on a page and the same
number in a download come from one place (and a test compares them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from site_builder.history import Commit, History
from site_builder.model import Dataset, Period, Unit
from site_builder.scoring import PeriodScores
from site_builder.website.evidence_files import EvidenceStore, FileFact
from site_builder.templates import edit_url, new_file_base, prefill_text


@dataclass
class EvidenceRef:
    kind: str               # "pdf" or "url"
    label: str              # file name or link
    href: str               # site-relative path (pdf) or the link itself
    file: FileFact | None = None
    broken: str = ""        # for links: why the last link check failed (Vietnamese), else ""


@dataclass
class ItemFact:
    id: str
    text: str
    group: str
    max: float
    self_score: float
    reviewer_score: float
    final: float
    met: bool
    applicable: bool
    mandatory: bool
    evidence_asked: str
    evidence: list[EvidenceRef] = field(default_factory=list)
    note: str = ""
    comment: str = ""
    derived: dict | None = None  # numerator, denominator, percent, band id, band text


@dataclass
class GroupFact:
    id: str
    title: str
    max: float
    self_score: float
    final: float
    items: list[ItemFact] = field(default_factory=list)


@dataclass
class MilestoneFact:
    id: str
    title: str
    due: object
    status: str  # on_time | late | missing | unknown
    commit: Commit | None = None
    evidence: EvidenceRef | None = None


@dataclass
class UnitFact:
    period: str
    unit: Unit
    parent_name: str
    submitted: bool
    reviewed: bool
    reviewer: str
    review_date: str
    self_total: float
    total: float
    max_total: float
    percent: float
    rating: str
    rank_type: float
    rank_parent: float
    tied_type: int
    tied_parent: int
    criteria_version: str
    path: str                       # the submission file, repository-relative
    submitted_commit: Commit | None = None
    on_time: bool | None = None
    last_commit: Commit | None = None
    groups: list[GroupFact] = field(default_factory=list)
    milestones: list[MilestoneFact] = field(default_factory=list)
    edit_url: str = ""
    new_url: str = ""
    template: str = ""   # the prefilled new file, for units that have not submitted
    @property
    def status(self) -> str:
        if not self.submitted:
            return "missing"
        if self.on_time is None:
            return "unknown"
        return "on_time" if self.on_time else "late"

    @property
    def evidence(self) -> list[EvidenceRef]:
        seen, out = set(), []
        for group in self.groups:
            for item in group.items:
                for ref in item.evidence:
                    if ref.href not in seen:
                        seen.add(ref.href)
                        out.append(ref)
        return out


@dataclass
class PeriodFacts:
    period: Period
    scores: PeriodScores
    units: dict[str, UnitFact]          # registry order
    parents: dict[str, list[str]]       # parent id -> unit ids (registry order)


def gather(dataset: Dataset, scores: PeriodScores, history: History, store: EvidenceStore,
           link_report: dict | None = None) -> PeriodFacts:
    """`link_report` is the JSON of `site-builder check-links` (URL -> result), when there is one."""
    broken = {url: (r.get("error") or "không truy cập được") for url, r in (link_report or {}).items()
              if isinstance(r, dict) and r.get("ok") is False}
    period = scores.period
    registry = dataset.registry
    org = registry.organization
    items_by_unit: dict[str, list[dict]] = {}
    for row in records(scores.items):
        items_by_unit.setdefault(row["unit"], []).append(row)
    groups_by_unit: dict[tuple[str, str], dict] = {(r["unit"], r["group"]): r for r in records(scores.groups)}
    rows = records(scores.units)
    catalogue_items = {t: c.items for t, c in period.catalogues.items()}  # `items` rebuilds a dict per call
    tie_type: dict[tuple, int] = {}
    tie_parent: dict[tuple, int] = {}
    for r in rows:
        if r["submitted"]:
            tie_type[(r["unit_type"], r["rank_type"])] = tie_type.get((r["unit_type"], r["rank_type"]), 0) + 1
            tie_parent[(r["parent"], r["rank_parent"])] = tie_parent.get((r["parent"], r["rank_parent"]), 0) + 1
    units: dict[str, UnitFact] = {}
    parents: dict[str, list[str]] = {}
    for r in rows:
        unit = registry.units[r["unit"]]
        submission = dataset.submissions.get((period.id, unit.id))
        review = dataset.reviews.get((period.id, unit.id))
        path = submission.path if submission else f"submissions/{period.id}/{unit.parent}/{unit.id}.yaml"
        parent = registry.units.get(unit.parent)
        fact = UnitFact(
            period=period.id, unit=unit, parent_name=parent.name if parent else org.name,
            submitted=bool(r["submitted"]), reviewed=bool(r["reviewed"]), reviewer=r["reviewer"] or "",
            review_date=review.date if review else "", self_total=r["self_total"], total=r["total"],
            max_total=r["max_total"], percent=r["percent"], rating=r["rating"] or "",
            rank_type=r["rank_type"], rank_parent=r["rank_parent"],
            tied_type=tie_type.get((r["unit_type"], r["rank_type"]), 0),
            tied_parent=tie_parent.get((r["parent"], r["rank_parent"]), 0),
            criteria_version=r["criteria_version"], path=path)
        catalogue = period.catalogues[unit.type]
        evidence_dir = path[: -len(".yaml")]
        for group in catalogue.groups:
            g = groups_by_unit.get((unit.id, group.id), {})
            fact.groups.append(GroupFact(group.id, group.title, group.max, g.get("self_score", math.nan),
                                         g.get("final", math.nan)))
        by_group = {g.id: g for g in fact.groups}
        items = catalogue_items[unit.type]
        for row in items_by_unit.get(unit.id, []):
            item = items[row["criterion"]]
            entry = submission.entries.get(item.id) if submission else None
            reviewed = review.entries.get(item.id) if review else None
            item_fact = ItemFact(
                id=item.id, text=item.text, group=item.group, max=item.max, self_score=row["self_score"],
                reviewer_score=row["reviewer_score"], final=row["final"], met=bool(row["met"]),
                applicable=bool(row.get("applicable", True)),
                mandatory=item.mandatory, evidence_asked=item.evidence.text if item.evidence else "",
                note=entry.note if entry else "", comment=reviewed.comment if reviewed else "")
            if entry:
                item_fact.evidence = [_evidence(ref, evidence_dir, store, broken) for ref in entry.evidence]
            if item.derived:
                band = next((b for b in item.derived.bands if b.id == row["derived_band"]), None)
                item_fact.derived = {
                    "criterion": item.derived.criterion, "numerator": row["derived_numerator"],
                    "denominator": row["derived_denominator"], "percent": row["derived_percent"],
                    "band": row["derived_band"], "band_text": band.text if band else "",
                    "factor": band.factor if band else None}
            by_group[item.group].items.append(item_fact)
        if history.available and submission:
            fact.submitted_commit = history.first_added(path)
            if fact.submitted_commit is not None:
                fact.on_time = fact.submitted_commit.day <= period.deadline
        if history.available and (submission or review):
            owned = [path] + ([review.path] if review else [])
            candidates = [c for c in (history.last_changed(owned), history.last_under(evidence_dir)) if c]
            fact.last_commit = max(candidates, key=lambda c: c.timestamp) if candidates else None
        for milestone in period.milestones:
            name = submission.reports.get(milestone.id) if submission else None
            if not name:
                fact.milestones.append(MilestoneFact(milestone.id, milestone.title, milestone.due, "missing"))
                continue
            ref = _evidence(name, evidence_dir, store)
            commit = history.first_added(f"{evidence_dir}/{name}") if history.available else None
            status = "unknown" if commit is None else ("on_time" if commit.day <= milestone.due else "late")
            fact.milestones.append(MilestoneFact(milestone.id, milestone.title, milestone.due, status, commit, ref))
        fact.edit_url, fact.new_url = _edit_links(org, period, unit, submission is not None)
        if submission is None and fact.new_url:
            fact.template = prefill_text(fact.new_url, period, catalogue, unit)
        units[unit.id] = fact
        parents.setdefault(unit.parent, []).append(unit.id)
    return PeriodFacts(period, scores, units, parents)


def records(frame) -> list[dict]:
    """Rows as dicts of plain Python values; 5x faster than DataFrame.to_dict("records")."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(_plain_list(frame[c]) for c in columns))]


def _plain_list(column) -> list:
    import pandas as pd

    values = column.tolist()
    if column.dtype.kind != "f" and column.hasnans:  # nullable ints and strings: pd.NA / NaN -> None
        values = [None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else v for v in values]
    return values


def _evidence(ref: str, evidence_dir: str, store: EvidenceStore, broken: dict | None = None) -> EvidenceRef:
    if ref.startswith(("http://", "https://")):
        return EvidenceRef("url", ref, ref, broken=(broken or {}).get(ref, ""))
    file = store.add(f"{evidence_dir}/{ref}")
    return EvidenceRef("pdf", ref, file.site_path if file else "", file)


def _edit_links(org, period: Period, unit: Unit, submitted: bool) -> tuple[str, str]:
    """GitHub web-editor links. The new-file link carries only the file name: the prefilled text
    is fetched by the page's script when clicked (a URL holding it would triple the page size)."""
    repo = (org.repository or "").rstrip("/")
    if not repo:
        return "", ""
    if submitted:
        return edit_url(repo, org.branch or "main", period.id, unit.parent, unit.id), ""
    return "", new_file_base(repo, org.branch or "main", period, unit)


