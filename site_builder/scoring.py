"""Compute every score of a period from a validated dataset. Pure: no files, no git, no clock.

Two steps, as in the catalogue: first each criterion of each unit gets its numbers (max, self,
reviewer, final = reviewer where present else self, met = final equals max), including derived
items computed from subordinate units; then units are aggregated (group totals, total, rating,
ranks). Nothing in here knows a framework: the catalogue and the period's rating rule say it all.

A derived item whose unit has no eligible subordinate unit is not applicable: it is left out of
the unit's maximum (a district office with no registered school is rated on the rest).

Rounding: item scores are exact multiples of the score step; totals are sums rounded to 2
decimals; rating thresholds compare the unrounded percentage with `>=`, so 89.5 of 100 is
below 90 and is not rated as if it were 90 (no rounding up). The percentage shown and ranked is
cut (never rounded up) to 2 decimals: cutting keeps every comparison with a 2-decimal threshold,
so what a reader sees, the rating and the rank always agree.

Ranks compare percentages of the applicable maximum, not raw points: a district office without
subordinate schools is out of 92.5, not 100, and must not rank above offices rated higher. Units
are ranked within their unit type (three types, three criteria sets), and within their reviewing
body and unit type; ties share the best rank ("1, 2, 2, 4").
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from site_builder.model import SCORE_IDS_SEPARATOR, Catalogue, Dataset, Derived, Item, Period, RatingLevel, Unit

EPSILON = 1e-9
T = TypeVar("T")


@dataclass
class PeriodScores:
    period: Period
    items: pd.DataFrame  # one row per unit × criterion (of the units scored: see `known`)
    units: pd.DataFrame  # one row per registered, active unit (submitted or not)
    groups: pd.DataFrame  # one row per unit × group (of the units scored)
    known: frozenset[str] = frozenset()  # units whose scores were given (`score_period`), not computed


class KnownScores(NamedTuple):
    """A unit's scores as an earlier scoring of the same files, catalogue and registry computed
    them (the site build keeps them with the unit's facts, website/kept_facts.py)."""

    row: dict  # its cells of the units table that scoring computes (KNOWN_COLUMNS)
    met: tuple[str, ...]  # the criteria it met (an office's derived criteria count them)


ITEM_COLUMNS = [
    "period",
    "unit",
    "parent",
    "unit_type",
    "group",
    "criterion",
    "order",
    "max",
    "self_score",
    "reviewer_score",
    "final",
    "met",
    "applicable",
    "derived",
    "derived_numerator",
    "derived_denominator",
    "derived_percent",
    "derived_band",
]


def assessed_units(dataset: Dataset, period: Period) -> list[Unit]:
    """The units a period scores (and the site gives a page), in registry order: those of a type
    the period has a catalogue for."""
    return [u for u in dataset.registry.period(period.id).units.values() if u.type in period.catalogues]


def score_period(dataset: Dataset, period_id: str, known: dict[str, KnownScores] | None = None) -> PeriodScores:
    """`known`: units whose scores an earlier scoring of the same data computed; they are not
    scored again. Their rows join the units table, which ranks every unit, and their met criteria
    count in their offices' derived criteria; the items and groups tables hold the other units.
    A site build after a change to one unit knows all units but those of the changed unit's
    reviewing body and the offices (which count units filed elsewhere): at 15,000 units it
    scores 625 units instead of 15,000: an items table of 9,500 rows instead of 282,600."""
    period = dataset.periods[period_id]
    units = assessed_units(dataset, period)
    known = known or {}
    scored = [unit for unit in units if unit.id not in known] if known else units
    items = _item_table(dataset, period, scored)
    items = _add_derived(items, dataset, period, units, known)
    groups = _group_totals(items)
    unit_table = _unit_totals(items, groups, dataset, period, units, known)
    return PeriodScores(period, items, unit_table, groups, frozenset(u.id for u in units if u.id in known))


def _item_table(dataset: Dataset, period: Period, units: list[Unit]) -> pd.DataFrame:
    """One row per unit and criterion (ITEM_COLUMNS), units in registry order, criteria in
    catalogue order; `_add_derived` fills in `met`, `applicable` and the derived columns.
    Built column by column, each an array of its type made at once: a unit's cells repeated over
    its rows, its catalogue's taken by index from the catalogues' cells laid end to end, only the
    three scores looked up per criterion. Row by row, through pandas' inference of every cell,
    scoring a period of 15,000 units (282,600 rows) took 1.5-2.1 CPU-s; the cells copied into
    lists unit by unit, 0.25; so, 0.17-0.20 (tests/test_scoring.py compares the frames)."""
    catalogues: dict[str, int] = {}  # unit type -> its place in `cells`
    cells: list[_CatalogueCells] = []
    kinds: list[int] = []  # each unit's catalogue, by place
    scored: dict[str, list] = {name: [] for name in _SCORE_CELLS}
    for unit in units:
        kind = catalogues.get(unit.type)
        if kind is None:
            kind = catalogues[unit.type] = len(cells)
            cells.append(_CatalogueCells.of(period.catalogues[unit.type]))
        kinds.append(kind)
        key = (period.id, unit.id)
        for name, values in zip(
            _SCORE_CELLS, _scores(cells[kind], dataset.submissions.get(key), dataset.reviews.get(key)), strict=True
        ):
            scored[name] += values
    sizes = np.array([len(c.items) for c in cells], dtype=np.int64)
    counts = sizes[np.array(kinds, dtype=np.int64)] if units else np.zeros(0, dtype=np.int64)
    rows = int(counts.sum())
    if not rows:
        return pd.DataFrame([], columns=ITEM_COLUMNS)
    typed: dict[str, np.ndarray] = {}
    for name, of_units in zip(_UNIT_CELLS, zip(*((u.id, u.parent, u.type) for u in units)), strict=True):
        typed[name] = np.repeat(np.array(of_units, dtype=object), counts)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))  # each catalogue's first cell, laid end to end
    first_row = np.cumsum(counts) - counts  # each unit's first row
    taken = np.repeat(starts[np.array(kinds)] - first_row, counts) + np.arange(rows)
    for index, name in enumerate(_CATALOGUE_CELLS):
        laid = [value for c in cells for value in c.columns[index]]
        typed[name] = np.array(laid, dtype=_CELL_TYPES.get(name, object))[taken]
    for name, values in scored.items():
        typed[name] = np.array(values, dtype=np.float64)
    typed["period"] = np.full(rows, period.id, dtype=object)
    typed["met"] = np.zeros(rows, dtype=bool)
    typed["applicable"] = np.ones(rows, dtype=bool)
    for name in ("derived_numerator", "derived_denominator", "derived_percent"):
        typed[name] = np.full(rows, math.nan)
    typed["derived_band"] = np.full(rows, "", dtype=object)
    return pd.DataFrame({name: typed[name] for name in ITEM_COLUMNS}, copy=False)


_UNIT_CELLS = ("unit", "parent", "unit_type")
_CATALOGUE_CELLS = ("group", "criterion", "order", "max", "derived")
_SCORE_CELLS = ("self_score", "reviewer_score", "final")
_CELL_TYPES = {"order": np.int64, "max": np.float64, "derived": bool, **dict.fromkeys(_SCORE_CELLS, np.float64)}


class _CatalogueCells(NamedTuple):
    """A catalogue's criteria, and their cells of the item table (in _CATALOGUE_CELLS order)."""

    items: list[Item]
    columns: tuple[list, ...]
    scored_ids: str  # the ids of the criteria a unit scores itself, as a record packs its scores' ids
    derived_at: list[int]  # where the derived criteria are among `items`

    @classmethod
    def of(cls, catalogue: Catalogue) -> _CatalogueCells:
        items = list(catalogue.items.values())
        return cls(
            items,
            (
                [item.group for item in items],
                [item.id for item in items],
                list(range(len(items))),
                [item.max for item in items],
                [bool(item.derived) for item in items],
            ),
            SCORE_IDS_SEPARATOR.join(item.id for item in items if not item.derived),
            [index for index, item in enumerate(items) if item.derived],
        )


def _scores(cells: _CatalogueCells, submission, review) -> tuple[list[float], list[float], list[float]]:
    """Self, reviewer and final score of each criterion of a unit (NaN: none; a derived
    criterion's are computed later; a criterion the submission leaves out scores 0)."""
    count = len(cells.items)
    self_scores = _self_scores(cells, submission) if submission is not None else [math.nan] * count
    if review is None:
        return self_scores, [math.nan] * count, list(self_scores)
    reviewed = review.scores
    reviewer_scores, finals = [], []
    for item, self_score in zip(cells.items, self_scores, strict=True):
        found = None if item.derived else reviewed.get(item.id)
        reviewer_scores.append(math.nan if found is None else found)
        finals.append(self_score if found is None else found)
    return self_scores, reviewer_scores, finals


def _self_scores(cells: _CatalogueCells, submission) -> list[float]:
    """A submission's score of each criterion, read from its packed scores (model._Entries):
    at once when it gives every criterion a unit scores itself in the catalogue's order, as a
    file made from the template does."""
    ids, packed = submission.packed_scores
    values = array("d", packed).tolist()
    if ids == cells.scored_ids:
        for index in cells.derived_at:  # ascending: each in its place among those before it
            values.insert(index, math.nan)
        return values
    given = dict(zip(ids.split(SCORE_IDS_SEPARATOR), values, strict=True)) if ids else {}
    return [math.nan if item.derived else given.get(item.id, 0.0) for item in cells.items]


def _add_derived(
    items: pd.DataFrame, dataset: Dataset, period: Period, units: list[Unit], known: dict[str, KnownScores]
) -> pd.DataFrame:
    """`units`: every unit of the period (an office counts its units, scored or `known`)."""
    items["met"] = items["final"].notna() & (items["final"] >= items["max"] - EPSILON)
    derived_rows = items.index[items["derived"]].tolist()
    if not derived_rows:
        return items
    # Only the rows of the criteria derived items count, as lists (iterating a string column boxes
    # each value): a map of every row made this step 0.13 instead of 0.05 CPU-s at 15,000 units.
    derived_kinds = set(
        zip(items.loc[derived_rows, "unit_type"].tolist(), items.loc[derived_rows, "criterion"].tolist())
    )
    counted = {
        _rule_of(period.catalogues[unit_type].items[criterion]).criterion for unit_type, criterion in derived_kinds
    }
    sources = items.loc[items["criterion"].isin(counted), ["unit", "criterion", "met"]]
    met_map = dict(zip(zip(sources["unit"].tolist(), sources["criterion"].tolist()), sources["met"].tolist()))

    def met(unit_id: str, criterion: str) -> bool:
        given = known.get(unit_id)
        return criterion in given.met if given is not None else met_map.get((unit_id, criterion), False)

    children: dict[str, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent, []).append(unit)
    updates: dict[str, list] = {
        column: []
        for column in (
            "applicable",
            "met",
            "self_score",
            "final",
            "derived_numerator",
            "derived_denominator",
            "derived_percent",
            "derived_band",
        )
    }
    for unit_id, unit_type, criterion in items.loc[derived_rows, ["unit", "unit_type", "criterion"]].itertuples(
        index=False
    ):
        item = period.catalogues[unit_type].items[criterion]
        rule = _rule_of(item)
        eligible = [c for c in children.get(unit_id, []) if rule.criterion in period.catalogues[c.type].items]
        numerator = sum(1 for c in eligible if met(c.id, rule.criterion))
        denominator = len(eligible)
        submitted = (period.id, unit_id) in dataset.submissions
        if denominator == 0:  # nothing to measure: the item does not apply to this unit
            value, percent, band_id, applicable = math.nan, math.nan, "", False
        else:
            percent = 100.0 * numerator / denominator
            band = next(b for b in rule.bands if percent + EPSILON >= b.min_percent)
            value = round(item.max * band.factor, 2) if submitted else math.nan
            percent, band_id, applicable = round(percent, 2), band.id, True
        for column, entry in (
            ("applicable", applicable),
            ("self_score", value),
            ("final", value),
            ("met", applicable and submitted and value >= item.max - EPSILON),
            ("derived_numerator", numerator),
            ("derived_denominator", denominator),
            ("derived_percent", percent),
            ("derived_band", band_id),
        ):
            updates[column].append(entry)
    for column, values in updates.items():
        items.loc[derived_rows, column] = pd.Series(values, index=derived_rows, dtype=items[column].dtype)
    return items


def _rule_of(item: Item) -> Derived:
    rule = item.derived
    assert rule is not None  # asked only for a derived item's row
    return rule


def _totals(items: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sums of max (applicable items only), self and final; NaN where nothing was submitted."""
    counted = items.assign(max=items["max"].where(items["applicable"], 0.0))
    sums = counted.groupby(keys, sort=False)[["max", "self_score", "final"]].sum(min_count=1)
    sums["self_score"] = sums["self_score"].round(2)
    sums["final"] = sums["final"].round(2)
    return sums


def _group_totals(items: pd.DataFrame) -> pd.DataFrame:
    grouped = _totals(items, ["unit", "group"]).reset_index()
    grouped["percent"] = (100 * grouped["final"] / grouped["max"]).round(2)
    return grouped


UNIT_COLUMNS = [
    "period",
    "unit",
    "name",
    "unit_type",
    "level",
    "parent",
    "area",
    "submitted",
    "reviewed",
    "reviewer",
    "self_total",
    "total",
    "max_total",
    "percent",
    "rating",
    "rank_type",
    "rank_parent",
    "criteria_version",
]


_REGISTRY_COLUMNS = ("period", "unit", "name", "unit_type", "level", "parent", "area")
_RANK_COLUMNS = ("rank_type", "rank_parent")  # moved by other units' scores
# The cells of a unit's row of the units table that scoring computes from the unit's own data
# (neither the registry's nor the ranks): what `KnownScores` gives.
KNOWN_COLUMNS = tuple(name for name in UNIT_COLUMNS if name not in (*_REGISTRY_COLUMNS, *_RANK_COLUMNS))


def _unit_totals(
    items: pd.DataFrame,
    groups: pd.DataFrame,
    dataset: Dataset,
    period: Period,
    units: list[Unit],
    known: dict[str, KnownScores],
) -> pd.DataFrame:
    sums = _totals(items, ["unit"])
    # Lists zipped: Series.to_dict() boxes each label of the string index (0.022 instead of 0.004 CPU-s).
    ids = sums.index.tolist()
    self_totals, totals, maxima = (dict(zip(ids, sums[column].tolist())) for column in ("self_score", "final", "max"))
    group_percent: dict[str, list[float]] = {}
    for unit_id, percent in zip(groups["unit"].tolist(), groups["percent"].tolist()):
        group_percent.setdefault(unit_id, []).append(percent)
    mandatory = _mandatory_met(items, period)
    rows = []
    for unit in units:
        given = known.get(unit.id)
        if given is not None:
            cells = [given.row[name] for name in KNOWN_COLUMNS]
        else:
            submitted = (period.id, unit.id) in dataset.submissions
            review = dataset.reviews.get((period.id, unit.id))
            catalogue: Catalogue = period.catalogues[unit.type]
            max_total = float(maxima.get(unit.id, catalogue.total_max))
            total = float(totals[unit.id]) if submitted else math.nan
            self_total = float(self_totals[unit.id]) if submitted else math.nan
            percent = 100.0 * total / max_total if submitted and max_total else math.nan
            rating = (
                rate(period.rating, percent, group_percent.get(unit.id, []), mandatory.get(unit.id, True))
                if submitted
                else ""
            )
            cells = [
                submitted,
                review is not None,
                review.reviewer if review else "",
                self_total,
                total,
                max_total,
                shown_percent(percent) if submitted else math.nan,
                rating,
                catalogue.version,
            ]
        rows.append([period.id, unit.id, unit.name, unit.type, unit.level or "", unit.parent, unit.area, *cells])
    table = pd.DataFrame(rows, columns=[*_REGISTRY_COLUMNS, *KNOWN_COLUMNS]).reindex(columns=UNIT_COLUMNS)
    ranked = table["submitted"] & table["percent"].notna()
    by_type = table[ranked].groupby("unit_type")["percent"]
    table.loc[ranked, "rank_type"] = by_type.rank(method="min", ascending=False)
    by_body = table[ranked].groupby(["parent", "unit_type"])["percent"]
    table.loc[ranked, "rank_parent"] = by_body.rank(method="min", ascending=False)
    return table.astype({"rank_type": "Int64", "rank_parent": "Int64"})


class CriterionScore(NamedTuple):
    """One criterion of one unit, read from the items table: the one shape a criterion's score
    takes wherever it is shown (unit pages and downloads through `facts.ItemFact`, the
    pull-request preview, the workbook report). A tuple: a period has a row per unit × criterion."""

    criterion: str
    max: float
    self_score: float  # NaN: not submitted, or derived and not computable
    reviewer_score: float  # NaN: not reviewed
    final: float  # the reviewer's score where present, else the unit's own
    met: bool
    derived: bool
    applicable: bool


@dataclass(frozen=True)
class TypedTotals:
    """A unit's totals over the criteria typed in (derived ones left out): what can be shown for
    one unit without its subordinate units' results."""

    self_total: float
    total: float
    max_total: float
    partial: bool  # the unit has derived criteria, so these are not its full totals

    def percent(self, reviewed: bool) -> float:
        return percent_of(self.total if reviewed else self.self_total, self.max_total)


def criterion_scores(items: pd.DataFrame, unit_id: str) -> list[CriterionScore]:
    return _criterion_scores(rows_of(items, unit_id)).get(unit_id, [])


def rows_of(table: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The rows of one unit, found by comparing the unit column as an array (4 ms in a national
    year's 282,600 rows; a boolean mask through pandas takes three times that)."""
    return table.iloc[np.flatnonzero(table["unit"].to_numpy() == unit_id)]


class ByUnit(Generic[T]):
    """What `index` makes of a table's rows (a dict: unit -> value), per unit, when asked for.
    A rebuild gathers the facts of a few units: each of the first FEW asked is made from its own
    rows (`rows_of`); past them the whole table is indexed once, as a full build needs (the
    criteria of the 282,600 rows of 15,000 units: 0.08 CPU-s)."""

    FEW = 4  # a rebuild after one change gathers one or two units (the unit, its office)

    def __init__(self, table: pd.DataFrame, index: Callable[[pd.DataFrame], dict[str, T]]):
        self._table = table
        self._index = index
        self._asked = 0
        self._whole: dict[str, T] | None = None

    def get(self, unit_id: str, default: T) -> T:
        if self._whole is None:
            if self._asked < self.FEW:
                self._asked += 1
                return self._index(rows_of(self._table, unit_id)).get(unit_id, default)
            self._whole = self._index(self._table)
        return self._whole.get(unit_id, default)


def criterion_scores_by_unit(items: pd.DataFrame) -> ByUnit[list[CriterionScore]]:
    """Every unit's criteria of an items table, in catalogue order, each unit's made when asked for."""
    return ByUnit(items, _criterion_scores)


def _criterion_scores(items: pd.DataFrame) -> dict[str, list[CriterionScore]]:
    """Each unit's criteria: read column by column, each unit's rows as the runs of its id."""
    columns = [items[name].tolist() for name in CriterionScore._fields]
    columns[1] = [float(m) for m in columns[1]]  # max: whole points are typed as ints
    found: dict[str, list[CriterionScore]] = {}
    start = 0
    for unit, rows in itertools.groupby(items["unit"].tolist()):
        end = start + sum(1 for _ in rows)
        found.setdefault(unit, []).extend(map(CriterionScore._make, zip(*(c[start:end] for c in columns))))
        start = end
    return found


def typed_totals(items: pd.DataFrame, unit_id: str) -> TypedTotals:
    rows = items[items["unit"] == unit_id]
    typed = rows[~rows["derived"]]
    if typed.empty:
        return TypedTotals(math.nan, math.nan, 0.0, bool(rows["derived"].any()))
    sums = _totals(typed, ["unit"]).iloc[0]
    return TypedTotals(float(sums["self_score"]), float(sums["final"]), float(sums["max"]), bool(rows["derived"].any()))


def percent_of(score: float, maximum: float) -> float:
    """The shown percentage of `maximum` (NaN without a maximum)."""
    return shown_percent(100.0 * score / maximum) if maximum else math.nan


def shown_percent(percent: float) -> float:
    """The percentage cut to 2 decimals (never rounded up: 89.996 shows as 89.99, below a 90 threshold).
    The epsilon is the one ratings use, so the shown value and the rating never disagree."""
    if math.isnan(percent):
        return percent
    return math.floor((percent + EPSILON) * 100) / 100


def _mandatory_met(items: pd.DataFrame, period: Period) -> dict[str, bool]:
    """unit -> every mandatory item of its catalogue is met (units without mandatory items: absent)."""
    wanted = {(t, i.id) for t, c in period.catalogues.items() for i in c.items.values() if i.mandatory}
    if not wanted:
        return {}
    is_mandatory = pd.Series(
        [(t, c) in wanted for t, c in zip(items["unit_type"], items["criterion"])], index=items.index
    )
    met = items[is_mandatory].groupby("unit", sort=False)["met"].all()
    return {str(unit): bool(value) for unit, value in met.items()}


def rate(
    levels: tuple[RatingLevel, ...], total_percent: float, group_percents: list[float], mandatory_met: bool
) -> str:
    """The first level whose every condition holds (the catalogue lists levels best first)."""
    for level in levels:
        if _holds(level.when, total_percent, group_percents, mandatory_met):
            return level.label
    return ""


def _holds(when: dict, total_percent: float, group_percents: list[float], mandatory_met: bool) -> bool:
    if "total_percent_at_least" in when and not total_percent + EPSILON >= when["total_percent_at_least"]:
        return False
    if "each_group_percent_at_least" in when and not all(
        p + EPSILON >= when["each_group_percent_at_least"] for p in group_percents
    ):
        return False
    if "each_group_percent_above" in when and not all(
        p > when["each_group_percent_above"] + EPSILON for p in group_percents
    ):
        return False
    if when.get("mandatory_met") and not mandatory_met:
        return False
    return True
