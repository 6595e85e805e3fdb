"""Everything a page or a download says about a unit in a period, gathered once.

Pages, listings and downloads all read these records, so a number shown on a page and the same
number in a download come from one place (and a test compares them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import posixpath
from dataclasses import dataclass, field, fields
from functools import partial
from typing import NamedTuple, Protocol

from site_builder import check_cache
from site_builder.cache_files import UNPICKLABLE
from site_builder.clock import Clock, CommitInfo
from site_builder.model import Dataset, Period, PeriodRegistry, Unit
from site_builder.paths import (
    CRITERIA,
    ORGANIZATION_FILE,
    body_folder,
    review_name,
    submission_name,
    submission_path,
    unit_folder,
    units_path,
)
from site_builder.scoring import ByUnit, CriterionScore, PeriodScores, criterion_scores_by_unit
from site_builder.submission_template import edit_url, new_file_base, prefill_text, report_upload_url
from site_builder.timeliness import (
    LATE,
    MISSING,
    ON_TIME,
    MilestoneTiming,
    SubmissionTiming,
    milestone_timing,
    submission_timing,
)
from site_builder.website.evidence_files import EvidenceStore, FileFact
from site_builder.website.fact_cache import SeededPickler, period_seed

DECIDED = (ON_TIME, LATE, MISSING)  # statuses a deadline decides (marked when the deadline is only proposed)
_ON_TIME = {ON_TIME: True, LATE: False}  # a status -> whether the unit filed on time (None: neither)


@dataclass
class EvidenceRef:
    kind: str  # "pdf" or "url"
    label: str  # file name or link
    href: str  # site-relative path (pdf copied), its GitHub address (evidence: link), or the link
    file: FileFact | None = None
    broken: str = ""  # for links: why the last link check failed (Vietnamese), else ""


@dataclass
class ItemFact:
    """A criterion of a unit as its page and downloads show it: its score (scoring's one shape,
    read through the properties below) with its text, evidence and comments."""

    score: CriterionScore
    text: str
    group: str
    mandatory: bool
    evidence_asked: str
    evidence: list[EvidenceRef] = field(default_factory=list)
    note: str = ""
    comment: str = ""
    derived: dict | None = None  # numerator, denominator, percent, band id, band text
    milestone_warning: str = ""  # points claimed while the milestone it needs is missing or late

    @property
    def id(self) -> str:
        return self.score.criterion

    @property
    def max(self) -> float:
        return self.score.max

    @property
    def self_score(self) -> float:
        return self.score.self_score

    @property
    def reviewer_score(self) -> float:
        return self.score.reviewer_score

    @property
    def final(self) -> float:
        return self.score.final

    @property
    def met(self) -> bool:
        return self.score.met

    @property
    def applicable(self) -> bool:
        return self.score.applicable


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
    timing: MilestoneTiming
    evidence: EvidenceRef | None = None
    upload_url: str = ""

    @property
    def id(self) -> str:
        return self.timing.milestone.id

    @property
    def title(self) -> str:
        return self.timing.milestone.title

    @property
    def due(self) -> dt.date:
        return self.timing.milestone.due

    @property
    def status(self) -> str:
        return self.timing.status

    @property
    def proposed(self) -> bool:
        """The status rests on a proposed date: pages say "(hạn đề xuất)" next to it."""
        return self.timing.milestone.provisional and self.status in DECIDED


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
    rank_parent: float  # within the reviewing body and unit type
    tied_type: int
    tied_parent: int
    count_type: int  # units ranked in the same type
    count_parent: int  # units ranked in the same body and type
    criteria_version: str
    path: str  # the submission file, repository-relative
    file_sha256: str = ""  # of the submission file's bytes as built (printed on the score sheet)
    timing: SubmissionTiming | None = None
    deadline_proposed: bool = False
    last_commit: CommitInfo | None = None
    data_version: CommitInfo | None = None  # the newest commit that changed what the page shows (Clock.data_version)
    groups: list[GroupFact] = field(default_factory=list)
    milestones: list[MilestoneFact] = field(default_factory=list)
    edit_url: str = ""
    new_url: str = ""
    template: str = ""  # the prefilled new file, for units that have not submitted

    @property
    def status(self) -> str:
        if not self.submitted:
            return MISSING
        return self.timing.status if self.timing else "unknown"

    @property
    def proposed(self) -> bool:
        return self.deadline_proposed and self.status in DECIDED

    @property
    def received(self):
        return self.timing.received if self.timing else None

    @property
    def on_time(self) -> bool | None:
        return _ON_TIME.get(self.status)

    @property
    def owed_milestones(self) -> list[MilestoneFact]:
        return [m for m in self.milestones if m.status != "not_required"]

    @property
    def ranks(self) -> tuple:
        """The values of RANK_FIELDS, in that order (the unit page's rank cards show them)."""
        return tuple(getattr(self, name) for name in RANK_FIELDS)

    @property
    def group_totals(self) -> list[tuple[str, str, float, float]]:
        """Each group's id, title, final score and maximum (the unit's history across years)."""
        return [(g.id, g.title, g.final, g.max) for g in self.groups]

    @property
    def evidence_counts(self) -> dict[str, int]:
        """How many of its evidence references are files, links, and links found broken (the
        listing shows these; the unit's page lists them)."""
        refs = self.evidence
        return {
            "files": sum(1 for e in refs if e.kind == "pdf" and e.href),
            "links": sum(1 for e in refs if e.kind == "url"),
            "broken": sum(1 for e in refs if e.broken),
        }

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


# A unit's place among the others: its ranks, how many share them, how many are ranked.
RANK_FIELDS = ("rank_type", "tied_type", "count_type", "rank_parent", "tied_parent", "count_parent")
# UnitFact fields no download shows (ties and counts move with other units' scores; an office's data
# version with its schools' files; what it pins, evidence addresses, is in the items): left out of
# the digest downloads key their rows on. A column that shows one of them must take it out of here.
NOT_IN_ROWS = (
    "tied_type",
    "tied_parent",
    "count_type",
    "count_parent",
    "edit_url",
    "new_url",
    "template",
    "data_version",
)
_IN_ROWS = tuple(f.name for f in fields(UnitFact) if f.name not in NOT_IN_ROWS and f.name not in RANK_FIELDS)
HEAD_FIELDS = tuple(name for name in _IN_ROWS if name not in ("groups", "milestones"))
REST_FIELDS = tuple(name for name in NOT_IN_ROWS if name not in RANK_FIELDS)
# What a unit's facts are made of: in the seed of their pickles (fact_cache.SeededPickler).
FACT_CLASSES = (
    UnitFact,
    GroupFact,
    ItemFact,
    MilestoneFact,
    EvidenceRef,
    FileFact,
    CriterionScore,
    SubmissionTiming,
    MilestoneTiming,
    CommitInfo,
    Unit,
)


@dataclass
class PeriodFacts:
    period: Period
    scores: PeriodScores
    registry: PeriodRegistry
    units: dict[str, UnitFact]  # registry order
    parents: dict[str, list[str]]  # reviewing body id -> unit ids (registry order)
    _digests: dict[str, FactDigest | None] = field(default_factory=dict, repr=False, compare=False)
    body_versions: dict[str, CommitInfo | None] = field(default_factory=dict)  # its page's data version
    pickler: SeededPickler | None = field(default=None, repr=False, compare=False)  # of the period's facts
    views: dict = field(default_factory=dict, repr=False, compare=False)  # what pages make of them once (pages.py)

    @property
    def tier_bodies(self) -> list[str]:
        """Reviewing bodies other than the Department that have units this period."""
        root = next((b.id for b in self.registry.bodies.values() if b.parent is None), "")
        return [b for b in self.parents if b != root]

    def digest(self, unit_id: str) -> FactDigest | None:
        """The unit's facts digested once per build for every cache key made of them (None: they
        cannot be pickled, so nothing made of them is kept)."""
        if unit_id not in self._digests:
            if self.pickler is None:
                self.pickler = SeededPickler(period_seed(self.period, FACT_CLASSES))
            self._digests[unit_id] = FactDigest.of(self.units[unit_id], self.pickler)
        return self._digests[unit_id]


class FactDigest(NamedTuple):
    """SHA-256 of a unit's facts but its ranks (`UnitFact.ranks`, which move with other units'
    scores), in two parts: the fields downloads show (`rows`), and the others (`rest`: ties,
    counts, where to edit). Downloads key on the first (the two ranks they show are put into kept
    rows, downloads._reranked); a unit page on both, its rank cards aside."""

    rows: bytes
    rest: bytes

    @classmethod
    def of(cls, f: UnitFact, pickler: SeededPickler) -> FactDigest | None:
        parts = pickled_parts(f, pickler)
        return cls.of_pickled(pickler, *parts) if parts is not None else None

    @classmethod
    def of_pickled(
        cls, pickler: SeededPickler, head: bytes, milestones: bytes, groups: bytes, rest: bytes
    ) -> FactDigest:
        """The digest of facts pickled by `pickled_parts` (a reference to a catalogue text says
        nothing of the text: the seed's digest does)."""
        rows = hashlib.sha256(pickler.seed)
        for part in (len(head).to_bytes(4, "big"), head, len(milestones).to_bytes(4, "big"), milestones, groups):
            rows.update(part)
        return cls(rows.digest(), hashlib.sha256(pickler.seed + rest).digest())


def pickled_parts(f: UnitFact, pickler: SeededPickler) -> tuple[bytes, bytes, bytes, bytes] | None:
    """A unit's facts but its ranks, pickled in four parts: the fields downloads show but the
    criteria and the milestone reports (`HEAD_FIELDS`), the milestone reports, the criteria
    (`groups`), and the others (`REST_FIELDS`). None when they cannot be pickled. kept_facts.py
    keeps the milestone reports' very bytes, to read them back only when asked for (one pickling
    of them instead of two: keeping 15,000 units' facts took 2.62-2.66 instead of 2.75-2.77
    CPU-s); against the seed, which holds the period's milestones, they are a third of the bytes
    (every rebuild reads them back with the bodies' records)."""
    try:
        return (
            pickler.dumps(tuple(getattr(f, name) for name in HEAD_FIELDS)),
            pickler.dumps(f.milestones),
            pickler.dumps(f.groups),
            pickler.dumps(tuple(getattr(f, name) for name in REST_FIELDS)),
        )
    except UNPICKLABLE:
        return None


@dataclass
class Timeline:
    """The clock and the day the data was last vouched for ("today" for deadlines)."""

    clock: Clock
    today: dt.date


def gather(
    dataset: Dataset,
    scores: PeriodScores,
    timeline: Timeline,
    store: EvidenceStore,
    link_report: dict | None = None,
    kept: KeptStore | None = None,
) -> PeriodFacts:
    """`link_report` is the JSON of `site-builder check-links` (URL -> result), when there is one.
    `kept` (kept_facts.KeptFacts): units whose facts are made of what they were made of in the
    last build get them back from it; the others are gathered and kept there."""
    period = scores.period
    registry = dataset.registry.period(period.id)
    rows = records(scores.units)
    scored = _ScoreRows(rows, scores)
    broken = broken_links(link_report)
    units: dict[str, UnitFact] = {}
    parents: dict[str, list[str]] = {}
    digests: dict[str, FactDigest | None] = {}
    shared_versions: dict[str, str | None] = {}  # body -> the data version of what its units share
    for r in rows:
        unit = registry.units[r["unit"]]
        known = unit.id in scores.known
        fact = kept.from_body(unit, r, scored.ties, digests, known) if kept is not None else None
        if fact is None and known:  # KeptFacts.known_scores promised it: the unit's items are not scored
            raise RuntimeError(f"the facts of {unit.id} were to be read back whole")
        if fact is None:
            version = _data_version(timeline.clock, dataset, period, unit, shared_versions)
            key, fact = kept.find(unit, version, r, scored.ties, digests) if kept is not None else (None, None)
            if fact is None:
                fact = _gather_unit(dataset, period, registry, unit, r, scored, timeline, store, broken, version)
                if kept is not None and key is not None:
                    digests[unit.id] = kept.put(key, fact)
        units[unit.id] = fact
        parents.setdefault(unit.parent, []).append(unit.id)
    if kept is not None:
        kept.save()
    versions = {
        body: body_data_version(
            timeline.clock, period, body, [units[u].data_version for u in [body, *ids] if u in units]
        )
        for body, ids in parents.items()
    }
    pickler = kept.pickler if kept is not None else None
    return PeriodFacts(period, scores, registry, units, parents, digests, versions, pickler)


class KeptStore(Protocol):
    """Where `gather` finds and keeps units' facts (kept_facts.KeptFacts)."""

    pickler: SeededPickler

    def find(
        self, unit: Unit, version: CommitInfo | None, r: dict, ties: dict, digests: dict
    ) -> tuple[str | None, UnitFact | None]: ...

    def from_body(self, unit: Unit, r: dict, ties: dict, digests: dict, known: bool = False) -> UnitFact | None: ...

    def put(self, key: str, fact: UnitFact) -> FactDigest | None: ...

    def save(self) -> None: ...


class _ScoreRows:
    """The score tables of a period, read per unit the way a unit's facts read them, when a
    unit's facts are gathered (a rebuild reads most units' facts back: scoring.ByUnit)."""

    def __init__(self, rows: list[dict], scores: PeriodScores):
        self.scores = scores
        self.ties = _ties(rows)
        self.items_by_unit = criterion_scores_by_unit(scores.items)
        self.groups = ByUnit(scores.groups, partial(_records_by_unit, "group"))
        self.derived = ByUnit(scores.items, _derived_by_unit)


def _records_by_unit(column: str, table) -> dict[str, dict[str, dict]]:
    """unit -> the value of `column` -> its row (`records`)."""
    found: dict[str, dict[str, dict]] = {}
    for r in records(table):
        found.setdefault(r["unit"], {})[r[column]] = r
    return found


def _derived_by_unit(items) -> dict[str, dict[str, dict]]:
    """unit -> derived criterion -> its row of the items table."""
    return _records_by_unit("criterion", items[items["derived"]])


def broken_links(link_report: dict | None) -> dict[str, str]:
    """URL -> why the last link check failed (Vietnamese), for links that failed."""
    return {
        url: (r.get("error") or "không truy cập được")
        for url, r in (link_report or {}).items()
        if isinstance(r, dict) and r.get("ok") is False
    }


def _gather_unit(
    dataset: Dataset,
    period: Period,
    registry: PeriodRegistry,
    unit: Unit,
    r: dict,
    scored: _ScoreRows,
    timeline: Timeline,
    store: EvidenceStore,
    broken: dict,
    version: CommitInfo | None,
) -> UnitFact:
    """Scores, items with their evidence, timing and editor links of one unit (`version`: its
    data version, `_data_version`)."""
    fact = _unit_fact(dataset, period, registry, unit, r, scored.ties)
    fact.data_version = version
    if fact.submitted:
        fact.file_sha256 = _digest(store.root, fact.path)
    _add_items(fact, dataset, period, unit, scored, store, broken)
    _add_timing(fact, dataset, period, unit, timeline, store)
    _add_links(fact, dataset, period, unit)
    return fact


def _data_version(
    clock: Clock, dataset: Dataset, period: Period, unit: Unit, shared: dict[str, str | None]
) -> CommitInfo | None:
    """The commit a unit's page names as its data version, and pins its evidence links to: the
    newest that changed the unit's files, its body's registry file, the organisation, the year's
    criteria, or, for an office, the files of the units under it (its derived criteria count
    them). Not HEAD: a page whose unit did not change then stays byte-identical. `shared`: the
    newest of the files all units of a body share, per body, found once."""
    if not clock.available:
        return None
    if unit.parent not in shared:
        shared[unit.parent] = shared_data_version(clock, period.id, unit.parent)
    found = [shared[unit.parent], _files_version(clock, dataset, period.id, unit.parent, [unit])]
    children = dataset.registry.period(period.id).children(unit.id)
    if children:
        found += [
            clock.data_version([units_path(period.id, unit.id)]),
            _files_version(clock, dataset, period.id, unit.id, children),
        ]
    return _commit_or_head(clock, clock.newest([sha for sha in found if sha is not None]))


def shared_data_version(clock: Clock, period_id: str, body: str) -> str | None:
    """The data version of the files every unit of `body` depends on alike: the body's registry
    file, the organisation, the year's criteria."""
    return clock.data_version([units_path(period_id, body), ORGANIZATION_FILE], [f"{CRITERIA}/{period_id}"])


def _files_version(clock: Clock, dataset: Dataset, period_id: str, body: str, units: list[Unit]) -> str | None:
    """The data version of the files of `units`, all filed in `body`'s folder: their two YAML
    files, their folders, and the file their reviewer scores were read from (a body's scoring
    workbook holds many units' scores)."""
    folder = body_folder(period_id, body)
    names: list[str] = []
    elsewhere: list[str] = []
    for unit in units:
        names += (submission_name(unit.id), review_name(unit.id))
        review = dataset.reviews.get((period_id, unit.id))
        if review is not None:
            place, name = posixpath.split(review.path)
            if place == folder:
                names.append(name)
            else:
                elsewhere.append(review.path)
    version = clock.data_version_in(folder, names, [unit.id for unit in units])
    if not elsewhere:
        return version
    return clock.newest([sha for sha in (version, clock.data_version(elsewhere)) if sha is not None])


def body_data_version(clock: Clock, period: Period, body: str, shown) -> CommitInfo | None:
    """The data version a reviewing body's page names: the newest, in the clock's order, of its
    registry file's version and the data versions of the units the page shows (`shown`: its
    office, when the body is a unit, and the units under it), so the page stays byte-identical
    while other bodies change. The commit the clock would name for the union of their files,
    without listing an office's units again for every page that shows the office."""
    if not clock.available:
        return None
    registry = clock.data_version([units_path(period.id, body)])
    candidates = [registry] if registry is not None else []
    candidates += [version.sha for version in shown if version is not None]
    return _commit_or_head(clock, clock.newest(candidates))


def _commit_or_head(clock: Clock, sha: str | None) -> CommitInfo | None:
    if sha is None:
        return clock.head
    try:
        return clock.commit(sha)
    except KeyError:
        return clock.head


def _digest(root, path: str) -> str:
    """SHA-256 of a repository file, or "" when it cannot be read (read once: validation's
    checks' keys read every unit file, check_cache.py)."""
    full = f"{root}/{path}"
    known = check_cache.digest_read(full)
    if known is not None:
        return known
    try:
        with open(full, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def _ties(rows: list[dict]) -> dict:
    """How many units share each rank, per type and per (body, type); and how many are ranked."""
    counts: dict[tuple, int] = {}
    for r in rows:
        if r["rank_type"] is not None:
            for key in (
                ("type", r["unit_type"], r["rank_type"]),
                ("body", r["parent"], r["unit_type"], r["rank_parent"]),
                ("type", r["unit_type"]),
                ("body", r["parent"], r["unit_type"]),
            ):
                counts[key] = counts.get(key, 0) + 1
    return counts


def _unit_fact(dataset: Dataset, period: Period, registry: PeriodRegistry, unit: Unit, r: dict, ties: dict) -> UnitFact:
    submission = dataset.submissions.get((period.id, unit.id))
    review = dataset.reviews.get((period.id, unit.id))
    path = submission.path if submission else submission_path(period.id, unit.parent, unit.id)
    return UnitFact(
        period=period.id,
        unit=unit,
        parent_name=registry.body_name(unit.parent),
        review_date=review.date if review else "",
        path=path,
        deadline_proposed=period.deadline_source == "provisional",
        **score_fields(r),
        **ranks_of(r, ties),
    )


def score_fields(r: dict) -> dict:
    """The fields of a unit's facts read from its row of the score table (its ranks aside)."""
    return {
        "submitted": bool(r["submitted"]),
        "reviewed": bool(r["reviewed"]),
        "reviewer": r["reviewer"] or "",
        "self_total": r["self_total"],
        "total": r["total"],
        "max_total": r["max_total"],
        "percent": r["percent"],
        "rating": r["rating"] or "",
        "criteria_version": r["criteria_version"],
    }


def ranks_of(r: dict, ties: dict) -> dict:
    """The unit's RANK_FIELDS, from its row and the period's ties (`_ties`)."""
    return {
        "rank_type": r["rank_type"],
        "rank_parent": r["rank_parent"],
        "tied_type": ties.get(("type", r["unit_type"], r["rank_type"]), 0),
        "tied_parent": ties.get(("body", r["parent"], r["unit_type"], r["rank_parent"]), 0),
        "count_type": ties.get(("type", r["unit_type"]), 0),
        "count_parent": ties.get(("body", r["parent"], r["unit_type"]), 0),
    }


def _add_items(
    fact: UnitFact,
    dataset: Dataset,
    period: Period,
    unit: Unit,
    scored: _ScoreRows,
    store: EvidenceStore,
    broken: dict,
) -> None:
    submission = dataset.submissions.get((period.id, unit.id))
    review = dataset.reviews.get((period.id, unit.id))
    catalogue = period.catalogues[unit.type]
    pin = fact.data_version.sha if fact.data_version else None
    evidence_dir = unit_folder(period.id, unit.parent, unit.id)
    groups = scored.groups.get(unit.id, {})
    for group in catalogue.groups:
        g = groups.get(group.id, {})
        fact.groups.append(
            GroupFact(group.id, group.title, group.max, g.get("self_score", math.nan), g.get("final", math.nan))
        )
    by_group = {g.id: g for g in fact.groups}
    items = catalogue.items
    entries = submission.entries if submission else {}
    reviewed_entries = review.entries if review else {}
    derived = scored.derived.get(unit.id, {}) if any(item.derived for item in catalogue.items.values()) else {}
    for score in scored.items_by_unit.get(unit.id, []):
        item = items[score.criterion]
        entry = entries.get(item.id)
        reviewed = reviewed_entries.get(item.id)
        item_fact = ItemFact(
            score,
            item.text,
            item.group,
            item.mandatory,
            item.evidence.text if item.evidence else "",
            note=entry.note if entry else "",
            comment=reviewed.comment if reviewed else "",
        )
        if entry:
            item_fact.evidence = [_evidence(ref, evidence_dir, store, broken, pin) for ref in entry.evidence]
        if item.derived:
            row = derived[item.id]
            band = next((b for b in item.derived.bands if b.id == row["derived_band"]), None)
            item_fact.derived = {
                "criterion": item.derived.criterion,
                "numerator": row["derived_numerator"],
                "denominator": row["derived_denominator"],
                "percent": row["derived_percent"],
                "band": row["derived_band"],
                "band_text": band.text if band else "",
                "factor": band.factor if band else None,
            }
        by_group[item.group].items.append(item_fact)


def _add_timing(
    fact: UnitFact, dataset: Dataset, period: Period, unit: Unit, timeline: Timeline, store: EvidenceStore
) -> None:
    clock = timeline.clock
    pin = fact.data_version.sha if fact.data_version else None
    submission = dataset.submissions.get((period.id, unit.id))
    if submission is not None:
        fact.timing = submission_timing(clock, period, submission, timeline.today)
        if clock.available and fact.timing.received is not None:
            fact.last_commit = clock.commit(fact.timing.received.commit)
    for milestone in period.milestones:
        report = dataset.reports.get((period.id, unit.id, milestone.id))
        timing = milestone_timing(clock, period, unit, milestone, report, timeline.today)
        ref = (
            _evidence(report.path.split("/", 4)[4], unit_folder(period.id, unit.parent, unit.id), store, None, pin)
            if report
            else None
        )
        fact.milestones.append(MilestoneFact(timing, ref))
    late = {m.id for m in fact.milestones if m.status in (MISSING, LATE)}
    catalogue = period.catalogues[unit.type]
    for group in fact.groups:
        for item_fact in group.items:
            needed = catalogue.items[item_fact.id].requires_milestone
            if needed in late and not _nan(item_fact.final) and item_fact.final > 0:
                ms = next(m for m in fact.milestones if m.id == needed)
                state = "chưa nộp" if ms.status == MISSING else "nộp trễ hạn"
                proposed = ", hạn đề xuất" if ms.proposed else ""
                item_fact.milestone_warning = (
                    f"Tiêu chí này có điểm nhưng «{' '.join(ms.title.split())}» {state} "
                    f"(hạn {ms.due.strftime('%d/%m/%Y')}{proposed})."
                )


def _add_links(fact: UnitFact, dataset: Dataset, period: Period, unit: Unit) -> None:
    """GitHub web-editor links. The new-file link carries only the file name: the prefilled text
    is fetched by the page's script when clicked (a URL holding it would triple the page size)."""
    org = dataset.registry.organization
    repo = (org.repository or "").rstrip("/")
    if not repo:
        return
    branch = org.branch or "main"
    if fact.submitted:
        fact.edit_url = edit_url(repo, branch, period.id, unit.parent, unit.id)
    else:
        fact.new_url = new_file_base(repo, branch, period, unit)
        fact.template = prefill_text(fact.new_url, period, period.catalogues[unit.type], unit, org.site_url)
    for milestone in fact.milestones:
        if milestone.status != "not_required":
            milestone.upload_url = report_upload_url(repo, branch, period.id, unit.parent, unit.id, milestone.id)


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


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _evidence(
    ref: str, evidence_dir: str, store: EvidenceStore, broken: dict | None = None, pin: str | None = None
) -> EvidenceRef:
    """`pin`: the commit link mode points at (the unit's data version; None: the build's)."""
    if ref.startswith(("http://", "https://")):
        return EvidenceRef("url", ref, ref, broken=(broken or {}).get(ref, ""))
    file = store.add(f"{evidence_dir}/{ref}")
    return EvidenceRef("pdf", ref, store.href(file, pin) if file else "", file)
