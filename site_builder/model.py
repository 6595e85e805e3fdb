"""The domain, as plain immutable records built from validated files.

Scoring and rendering work on these, never on raw YAML, so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import pickle
from array import array
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from typing import NamedTuple

from site_builder.paths import unit_folder

LINK_KINDS = ("website", "cong_khai_link", "thu_tuc_bieu_mau_link")


@dataclass(frozen=True)
class Band:
    id: str
    min_percent: float
    factor: float
    text: str = ""


@dataclass(frozen=True)
class Derived:
    rule: str
    criterion: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Evidence:
    kinds: tuple[str, ...]
    required: bool
    text: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    max: float
    group: str
    evidence: Evidence | None = None
    derived: Derived | None = None
    mandatory: bool = False
    requires_milestone: str = ""  # a milestone that must be filed on time for points here (the plan: 1.1 / 4.1)


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    max: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Catalogue:
    period: str
    unit_type: str
    title: str
    version: str
    source: str
    score_step: float
    groups: tuple[Group, ...]
    basis: str = ""
    source_note: str = ""
    path: str = ""

    @cached_property
    def items(self) -> dict[str, Item]:
        return {item.id: item for group in self.groups for item in group.items}

    @property
    def total_max(self) -> float:
        return sum(group.max for group in self.groups)


@dataclass(frozen=True)
class Milestone:
    """A report units file on its own (plan, mid-year, year-end), due on a day."""

    id: str
    title: str
    due: dt.date
    owed_by: tuple[str, ...] = ()  # unit types that owe it; empty = every assessed type of the period
    source: str = ""
    provisional: bool = False  # the date is proposed, not from the assessing body's own letter

    def owed(self, unit_type: str) -> bool:
        return not self.owed_by or unit_type in self.owed_by


@dataclass(frozen=True)
class Structure:
    """How a period's organisation is named: the area of a unit and the reviewing tier between
    the Department and the units (district offices before 2025, commune-level offices after)."""

    area_label: str = "Địa bàn"  # "Quận/huyện", "Xã/phường"; "" = units have no area shown
    tier_label: str = "Đơn vị quản lý"  # what a reviewing body of the tier is called


@dataclass(frozen=True)
class RatingLevel:
    label: str
    when: dict


@dataclass(frozen=True)
class Period:
    id: str
    title: str
    deadline: dt.date
    opens: dt.date | None
    deadline_source: str
    milestones: tuple[Milestone, ...]
    rating: tuple[RatingLevel, ...]
    catalogues: dict[str, Catalogue] = field(default_factory=dict, compare=False, hash=False)
    basis: tuple[str, ...] = ()
    path: str = ""
    structure: Structure = field(default_factory=Structure)

    @property
    def milestone_ids(self) -> list[str]:
        return [m.id for m in self.milestones]

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def owed_milestones(self, unit_type: str) -> list[Milestone]:
        return [m for m in self.milestones if m.owed(unit_type)]


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    reviewers: tuple[str, ...]
    maintainers: tuple[str, ...]
    demo: bool = False
    short_name: str = ""
    repository: str = ""
    branch: str = "main"
    signers: tuple[str, ...] = ("github-web-flow",)  # keys whose signatures the clock trusts
    site_url: str = ""  # the public site's address (organization.yaml, else mkdocs.yml); "" = not published yet
    evidence: str = "copy"  # "copy": PDFs published with the site; "link": linked on the repository host
    site_budget_mb: float = 1000  # the host's limit for the whole site (GitHub Pages: 1 GB)
    file_limit_mb: float = 10  # the largest file the site may hold


@dataclass(frozen=True)
class Unit:
    """A unit as registered for one period. The id is for life; everything else may change from
    one school year to the next (name, type, reviewing body, area)."""

    id: str
    name: str
    type: str
    parent: str  # the reviewing body this period
    editors: tuple[str, ...]
    reviewers: tuple[str, ...]
    area: str = ""  # district / ward, as the period's structure calls it
    level: str | None = None
    website: str | None = None
    replaces: tuple[str, ...] = ()  # ids whose history continues here (merged or renamed units)
    period: str = ""
    registry_path: str = ""
    registry_line: int = 1  # line of its `id:` in the registry file (for messages)


@dataclass(frozen=True)
class Body:
    """A reviewing body of one period: the Department, a unit that also reviews others (a district
    office), or a body that is not assessed itself (a commune-level office after 2025)."""

    id: str
    name: str
    parent: str | None  # None for the Department
    reviewers: tuple[str, ...]
    assessed: bool  # True when the body is itself a unit of the period
    path: str = ""


@dataclass
class PeriodRegistry:
    """The registry of one period: `submissions/units/<period>/<body>.yaml`."""

    period: str
    units: dict[str, Unit] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)

    _by_parent: dict[str, list[Unit]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    def children(self, body: str) -> list[Unit]:
        """Units under `body`, in registry order. Indexed once (600 bodies scanning 15,000 units
        each was seconds); the registry only grows while it is read, so its size says when the
        index is stale."""
        if self._indexed != len(self.units):
            index: dict[str, list[Unit]] = {}
            for unit in self.units.values():
                index.setdefault(unit.parent, []).append(unit)
            self._by_parent, self._indexed = index, len(self.units)
        return list(self._by_parent.get(body, ()))

    def body_name(self, body: str) -> str:
        found = self.bodies.get(body)
        return found.name if found else body


@dataclass
class Registry:
    organization: Organization
    periods: dict[str, PeriodRegistry] = field(default_factory=dict)

    def period(self, period: str) -> PeriodRegistry:
        return self.periods.get(period) or PeriodRegistry(period)

    def unit(self, period: str, unit_id: str) -> Unit | None:
        found = self.periods.get(period)
        return found.units.get(unit_id) if found else None


class CriterionEntry(NamedTuple):
    """A criterion of a self-assessment. Named tuples, not dataclasses, as are a review's
    entries: a full build reads back the checked verdicts its workers send (330,000 entries at
    15,000 units), and a tuple is read back in less time than an object with its dict."""

    id: str
    score: float
    evidence: tuple[str, ...] = ()
    note: str = ""


class _Entries:
    """The `entries` of a Submission or a Review, pickled apart from the record and read back when
    first asked for. A rebuild reads back the checked verdict on every unit file (check_cache.py)
    and asks few of them for their entries: scoring reads every unit's scores (`packed_scores`,
    pickled beside them in two values), pages and listings the entries of the units they are made
    again for. Reading back 13,500 submissions' verdicts whole, their 24 entries each made again
    as objects, took 0.24-0.27 CPU-s; with the entries left as bytes and the scores as a dict,
    0.11-0.13; with the scores packed, 0.05."""

    def __get__(self, record, owner=None):
        if record is None:
            return self
        found = record.__dict__["_entries"]
        if type(found) is bytes:
            found = record.__dict__["_entries"] = pickle.loads(found)
        return found

    def __set__(self, record, value) -> None:
        record.__dict__["_entries"] = value
        record.__dict__.pop("_scores", None)


SCORE_IDS_SEPARATOR = "\n"  # never in a criterion id (catalogue.schema.json)


class _KeptApart:
    """What a record with `_Entries` shares: its scores, and its pickled form."""

    entries: dict

    @property
    def packed_scores(self) -> tuple[str, bytes]:
        """(the criteria ids joined by SCORE_IDS_SEPARATOR, their scores as float64 bytes), in
        the entries' order: two objects to read back instead of a dict of ids and floats."""
        found = self.__dict__.get("_scores")
        if found is None:
            entries = self.entries
            found = self.__dict__["_scores"] = (
                SCORE_IDS_SEPARATOR.join(entries),
                array("d", [entry.score for entry in entries.values()]).tobytes(),
            )
        return found

    @property
    def scores(self) -> dict[str, float]:
        """Criterion id -> its score, as the entries say (read without reading the entries back)."""
        ids, values = self.packed_scores
        return dict(zip(ids.split(SCORE_IDS_SEPARATOR), array("d", values), strict=True)) if ids else {}

    def __reduce__(self):
        entries = self.__dict__["_entries"]
        packed = entries if type(entries) is bytes else pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        values = tuple(getattr(self, name) for name in _names(type(self)))
        return _kept_apart, (type(self), values, self.packed_scores, packed)


def _kept_apart(cls, values: tuple, scores: tuple[str, bytes], packed: bytes):
    record = object.__new__(cls)
    record.__dict__.update(zip(_names(cls), values, strict=True))
    record.__dict__["_scores"] = scores
    record.__dict__["_entries"] = packed
    return record


@cache
def _names(cls) -> tuple[str, ...]:
    """The fields of `cls` but its entries: asked of `fields` once per class, not for each of the
    30,000 records a rebuild reads back (0.8 µs each)."""
    return tuple(f.name for f in fields(cls) if f.name != "entries")


def _entries_read_when_asked(cls):
    cls.entries = _Entries()  # after @dataclass: its __init__ sets the entries through it
    return cls


@_entries_read_when_asked
@dataclass(frozen=True)
class Submission(_KeptApart):
    unit: str
    period: str
    parent: str
    path: str
    entries: dict[str, CriterionEntry] = field(hash=False)

    def evidence_dir(self) -> str:
        return unit_folder(self.period, self.parent, self.unit)


class ReviewEntry(NamedTuple):
    """A criterion of a reviewer's scores (a named tuple: see CriterionEntry)."""

    id: str
    score: float
    comment: str = ""


@_entries_read_when_asked
@dataclass(frozen=True)
class Review(_KeptApart):
    unit: str
    period: str
    path: str
    reviewer: str
    date: str
    entries: dict[str, ReviewEntry] = field(hash=False)


@dataclass(frozen=True)
class Report:
    """A milestone report a unit filed: `submissions/<period>/<body>/<unit>/bao-cao/<milestone>/<file>.pdf`."""

    unit: str
    period: str
    milestone: str
    path: str  # repository-relative path of the PDF


@dataclass
class Dataset:
    """Everything loaded from a data root that passed validation."""

    registry: Registry
    periods: dict[str, Period]
    submissions: dict[tuple[str, str], Submission] = field(default_factory=dict)  # (period, unit)
    reviews: dict[tuple[str, str], Review] = field(default_factory=dict)
    reports: dict[tuple[str, str, str], Report] = field(default_factory=dict)  # (period, unit, milestone)
    # (period, unit) -> the site build cache's keys of the unit's checked files and report folder
    # (check_cache.py; None for a file it could not key): what they digest is what the unit's
    # facts are made of (website/fact_cache.py). Empty when the build has no cache.
    file_keys: dict[tuple[str, str], list[str | None]] = field(default_factory=dict)
    # The tree of submissions/ at HEAD when validation found the checkout holding exactly it (no
    # modified, staged, untracked or ignored file: kept_keys.py); None when it did not look or
    # found otherwise. Evidence links pinned to that commit then need no second look.
    clean_submissions: str | None = None
