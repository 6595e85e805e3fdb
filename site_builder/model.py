"""The domain, as plain immutable records built from validated files.

Scoring and rendering work on these, never on raw YAML, so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

EVIDENCE_KINDS = ("pdf", "website", "cong_khai_link", "thu_tuc_bieu_mau_link")
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
    id: str
    title: str
    due: dt.date
    criteria: dict = field(default_factory=dict, compare=False, hash=False)  # unit type -> criterion id
    source: str = ""
    provisional: bool = False


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

    @property
    def milestone_ids(self) -> list[str]:
        return [m.id for m in self.milestones]


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


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    type: str
    parent: str
    district: str
    editors: tuple[str, ...]
    reviewers: tuple[str, ...]
    level: str | None = None
    website: str | None = None
    active_from: str | None = None
    active_until: str | None = None
    registry_path: str = ""

    def active_in(self, period: str) -> bool:
        """Periods named as school years compare as text ("2020-2021" < "2023-2024")."""
        if not _is_school_year(period):
            return True
        if self.active_from and _is_school_year(self.active_from) and period < self.active_from:
            return False
        if self.active_until and _is_school_year(self.active_until) and period > self.active_until:
            return False
        return True


def _is_school_year(text: str) -> bool:
    return len(text) == 9 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()


@dataclass
class Registry:
    organization: Organization
    units: dict[str, Unit] = field(default_factory=dict)

    def children(self, parent: str) -> list[Unit]:
        return [u for u in self.units.values() if u.parent == parent]

    def reviewers_of(self, unit: Unit) -> tuple[str, ...]:
        return unit.reviewers


@dataclass(frozen=True)
class CriterionEntry:
    id: str
    score: float
    evidence: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Submission:
    unit: str
    period: str
    parent: str
    path: str
    entries: dict[str, CriterionEntry] = field(hash=False)
    reports: dict[str, str] = field(default_factory=dict, hash=False)

    def evidence_dir(self) -> str:
        return self.path[: -len(".yaml")]


@dataclass(frozen=True)
class ReviewEntry:
    id: str
    score: float
    comment: str = ""


@dataclass(frozen=True)
class Review:
    unit: str
    period: str
    path: str
    reviewer: str
    date: str
    entries: dict[str, ReviewEntry] = field(hash=False)


@dataclass
class Dataset:
    """Everything loaded from a data root that passed validation."""

    registry: Registry
    periods: dict[str, Period]
    submissions: dict[tuple[str, str], Submission] = field(default_factory=dict)  # (period, unit)
    reviews: dict[tuple[str, str], Review] = field(default_factory=dict)
