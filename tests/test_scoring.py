"""Scoring against hand-computed cases, on the real catalogues, with in-memory datasets.

Scoring is pure, so these tests build `Dataset` records directly: no files, no git.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from site_builder.catalogues import load_period
from site_builder.model import (
    CriterionEntry,
    Dataset,
    Organization,
    PeriodRegistry,
    Registry,
    Review,
    ReviewEntry,
    Submission,
    Unit,
)
from site_builder.paths import DataRoot
from site_builder.scoring import (
    KNOWN_COLUMNS,
    ByUnit,
    KnownScores,
    criterion_scores,
    criterion_scores_by_unit,
    score_period,
)
from tests.datarepo import SCHOOL_SCORES

PROJECT = DataRoot(Path(__file__).resolve().parent.parent)
ORG = Organization("so-gddt", "Sở (kiểm thử)", ("sgd-r",), ("sgd-admin",))
FULL_SCHOOL = SCHOOL_SCORES  # a full-marks school of type truong-pho-thong, 2023-2024


@pytest.fixture(scope="module")
def period_2023():
    period, problems = load_period(PROJECT, "2023-2024")
    assert not [p for p in problems if p.is_error], problems
    return period


def unit(uid, utype="truong-pho-thong", parent="pgd-quan-1"):
    return Unit(uid, f"Đơn vị {uid}", utype, parent, (uid,), ("pgd-r",), area="Quận 1")


def submission(uid, scores, period="2023-2024", parent="pgd-quan-1"):
    return Submission(
        uid,
        period,
        parent,
        f"submissions/{period}/{parent}/{uid}.yaml",
        {cid: CriterionEntry(cid, float(s)) for cid, s in scores.items()},
    )


def dataset(period, units, submissions, reviews=()):
    registry = Registry(ORG, {period.id: PeriodRegistry(period.id, {u.id: u for u in units})})
    return Dataset(
        registry,
        {period.id: period},
        {(s.period, s.unit): s for s in submissions},
        {(r.period, r.unit): r for r in reviews},
    )


def minus(scores, **cuts):
    """FULL_SCHOOL with some criteria lowered: minus(FULL_SCHOOL, c1_5=0.5) lowers 1.5 by 0.5."""
    result = dict(scores)
    for key, cut in cuts.items():
        cid = key[1:].replace("_", ".")
        result[cid] = result[cid] - cut
    return result


@pytest.mark.parametrize(
    "lost, total, rating",
    [
        (0, 100, "Xuất sắc"),
        (10, 90, "Xuất sắc"),  # lower edge of Xuất sắc
        (10.5, 89.5, "Tốt"),  # 89.5 is not rounded up to 90
        (20, 80, "Tốt"),
        (20.5, 79.5, "Khá"),
        (30, 70, "Khá"),
        (30.5, 69.5, "Trung bình"),
        (50, 50, "Trung bình"),
        (50.5, 49.5, "Yếu"),
        (100, 0, "Yếu"),
    ],
)
def test_grade_band_boundaries(period_2023, lost, total, rating):
    scores = dict(FULL_SCHOOL)
    remaining = lost
    for cid in scores:  # take points away criterion by criterion until `lost` is reached
        cut = min(scores[cid], remaining)
        scores[cid] -= cut
        remaining -= cut
    assert remaining == 0
    data = dataset(period_2023, [unit("a")], [submission("a", scores)])
    row = score_period(data, "2023-2024").units.set_index("unit").loc["a"]
    assert row["total"] == pytest.approx(total)
    assert row["rating"] == rating


def test_left_out_criteria_count_zero_and_reviewer_score_wins(period_2023):
    scores = dict(FULL_SCHOOL)
    del scores["1.5"]  # 10 points not declared
    review = Review(
        "a",
        "2023-2024",
        "x.review.yaml",
        "pgd-r",
        "2024-06-12",
        {"2.1": ReviewEntry("2.1", 6.0, "Thiếu minh chứng cập nhật CSDL."), "4.3": ReviewEntry("4.3", 2.0)},
    )
    data = dataset(period_2023, [unit("a")], [submission("a", scores)], [review])
    result = score_period(data, "2023-2024")
    items = result.items.set_index(["unit", "criterion"])
    assert items.loc[("a", "1.5"), "self_score"] == 0
    assert items.loc[("a", "2.1"), "self_score"] == 10
    assert items.loc[("a", "2.1"), "final"] == 6
    assert math.isnan(items.loc[("a", "1.1"), "reviewer_score"])
    row = result.units.set_index("unit").loc["a"]
    assert row["self_total"] == 90  # 100 - 10
    assert row["total"] == 86  # 100 - 10 - (10 - 6)
    assert row["rating"] == "Tốt"
    assert bool(row["reviewed"]) and row["reviewer"] == "pgd-r"
    groups = result.groups.set_index(["unit", "group"])
    assert groups.loc[("a", "1"), "final"] == 20 and groups.loc[("a", "2"), "final"] == 26


def test_ranks_follow_the_percentage_not_raw_points(period_2023):
    """An office without subordinate schools is out of 92.5: 87.5 of it (94.59 %) is "Xuất sắc" and
    must rank above an office with 89.5 of 100 ("Tốt"), although its raw total is lower."""
    alone = unit("pgd-alone", "phong-gddt", "so-gddt")
    with_school = unit("pgd-busy", "phong-gddt", "so-gddt")
    office_items = [i for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived]
    full = {i.id: i.max for i in office_items}
    lowered = dict(full)
    lowered[office_items[0].id] -= 5  # 87.5 of 92.5 for the office alone
    busy = dict(full)
    busy[office_items[1].id] -= 2.5
    busy[office_items[2].id] -= 0.5  # 100 - 3 - 7.5 (its school misses 3.2: derived 4.2 gets 0) = 89.5
    school = unit("s-busy", parent="pgd-busy")
    subs = [
        submission("pgd-alone", lowered, parent="so-gddt"),
        submission("pgd-busy", busy, parent="so-gddt"),
        submission("s-busy", minus(FULL_SCHOOL, c3_2=5), parent="pgd-busy"),
    ]  # 4.2 gets 0 points
    table = score_period(dataset(period_2023, [alone, with_school, school], subs), "2023-2024").units.set_index("unit")
    assert table.loc["pgd-alone", "max_total"] == 92.5 and table.loc["pgd-busy", "max_total"] == 100
    assert table.loc["pgd-alone", "total"] < table.loc["pgd-busy", "total"]
    assert table.loc["pgd-alone", "percent"] > table.loc["pgd-busy", "percent"]
    assert table.loc["pgd-alone", "rank_type"] == 1 and table.loc["pgd-busy", "rank_type"] == 2
    assert table.loc["pgd-alone", "rating"] == "Xuất sắc" and table.loc["pgd-busy", "rating"] == "Tốt"


def test_body_rank_is_within_body_and_type(period_2023):
    """Offices, schools and centres have different criteria: a body's ranking never mixes types."""
    units = [
        unit("pgd-x", "phong-gddt", "so-gddt"),
        unit("thpt-x", parent="so-gddt"),
        unit("gdtx-x", "trung-tam-gdtx", "so-gddt"),
        unit("thpt-y", parent="so-gddt"),
    ]
    office = {i.id: i.max for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived}
    centre = {i.id: i.max for i in period_2023.catalogues["trung-tam-gdtx"].items.values() if not i.derived}
    subs = [
        submission("pgd-x", office, parent="so-gddt"),
        submission("thpt-x", minus(FULL_SCHOOL, c1_5=5), parent="so-gddt"),
        submission("gdtx-x", centre, parent="so-gddt"),
        submission("thpt-y", FULL_SCHOOL, parent="so-gddt"),
    ]
    table = score_period(dataset(period_2023, units, subs), "2023-2024").units.set_index("unit")
    assert table.loc["pgd-x", "rank_parent"] == 1 and table.loc["gdtx-x", "rank_parent"] == 1
    assert table.loc["thpt-y", "rank_parent"] == 1 and table.loc["thpt-x", "rank_parent"] == 2


@pytest.mark.parametrize(
    "total, maximum, shown",
    [(89.5, 100, 89.5), (83, 92.5, 89.72), (83.5, 92.5, 90.27), (74, 92.5, 80.0), (2, 3, 66.66), (90, 100, 90.0)],
)
def test_shown_percent_is_cut_never_rounded_up(total, maximum, shown):
    from site_builder.scoring import shown_percent

    assert shown_percent(100 * total / maximum) == shown


def test_ranks_share_ties_and_skip(period_2023):
    units = [unit("a"), unit("b"), unit("c"), unit("d")]
    subs = [
        submission("a", minus(FULL_SCHOOL, c1_5=5)),
        submission("b", FULL_SCHOOL),
        submission("c", minus(FULL_SCHOOL, c1_5=5)),
    ]  # d did not submit
    table = score_period(dataset(period_2023, units, subs), "2023-2024").units.set_index("unit")
    assert table.loc["b", "rank_type"] == 1
    assert table.loc["a", "rank_type"] == 2 and table.loc["c", "rank_type"] == 2  # tie: same rank
    assert not table.loc["d", "submitted"] and pd.isna(table.loc["d", "rank_type"])
    assert math.isnan(table.loc["d", "total"]) and table.loc["d", "rating"] == ""


@pytest.mark.parametrize(
    "met, of, percent, band, points",
    [
        (4, 4, 100.0, "4.2.1", 7.5),
        (9, 10, 90.0, "4.2.1", 7.5),
        (8, 9, 88.89, "4.2.2", 6.0),
        (3, 4, 75.0, "4.2.3", 4.5),
        (2, 3, 66.67, "4.2.4", 3.0),
        (1, 2, 50.0, "4.2.5", 0.0),
    ],
)
def test_district_derived_share(period_2023, met, of, percent, band, points):
    office = unit("pgd-quan-1", "phong-gddt", "so-gddt")
    schools = [unit(f"s{i}") for i in range(of)]
    subs = [submission(s.id, FULL_SCHOOL if i < met else minus(FULL_SCHOOL, c3_2=5)) for i, s in enumerate(schools)]
    office_scores = {i.id: i.max for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived}
    subs.append(submission("pgd-quan-1", office_scores, parent="so-gddt"))
    result = score_period(dataset(period_2023, [office, *schools], subs), "2023-2024")
    row = result.items.set_index(["unit", "criterion"]).loc[("pgd-quan-1", "4.2")]
    assert (row["derived_numerator"], row["derived_denominator"]) == (met, of)
    assert row["derived_percent"] == pytest.approx(percent)
    assert row["derived_band"] == band
    assert row["final"] == points
    total = result.units.set_index("unit").loc["pgd-quan-1", "total"]
    assert total == pytest.approx(100 - 7.5 + points)


def test_office_without_subordinates_is_rated_without_the_derived_item(period_2023):
    office = unit("pgd-quan-1", "phong-gddt", "so-gddt")
    office_scores = {i.id: i.max for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived}
    result = score_period(
        dataset(period_2023, [office], [submission("pgd-quan-1", office_scores, parent="so-gddt")]), "2023-2024"
    )
    item = result.items.set_index(["unit", "criterion"]).loc[("pgd-quan-1", "4.2")]
    assert not item["applicable"] and math.isnan(item["final"])
    row = result.units.set_index("unit").loc["pgd-quan-1"]
    assert (row["total"], row["max_total"], row["percent"], row["rating"]) == (92.5, 92.5, 100.0, "Xuất sắc")
    group = result.groups.set_index(["unit", "group"]).loc[("pgd-quan-1", "4")]
    assert (group["final"], group["max"]) == (22.5, 22.5)


def test_unsubmitted_subordinates_count_as_not_met(period_2023):
    office = unit("pgd-quan-1", "phong-gddt", "so-gddt")
    office_scores = {i.id: i.max for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived}
    subs = [submission("s0", FULL_SCHOOL), submission("pgd-quan-1", office_scores, parent="so-gddt")]
    result = score_period(dataset(period_2023, [office, unit("s0"), unit("s1")], subs), "2023-2024")
    row = result.items.set_index(["unit", "criterion"]).loc[("pgd-quan-1", "4.2")]
    assert (row["derived_numerator"], row["derived_denominator"], row["derived_band"]) == (1, 2, "4.2.5")


def _known(result, unit_ids):
    """What a site build keeps of these units' scores: their cells of the units table, the criteria they met."""
    rows = result.units.set_index("unit")[list(KNOWN_COLUMNS)].to_dict("index")
    met = result.items[result.items["met"]]
    return {u: KnownScores(rows[u], tuple(met[met["unit"] == u]["criterion"])) for u in unit_ids}


def _office_and_schools(period):
    office = unit("pgd-quan-1", "phong-gddt", "so-gddt")
    schools = [unit(f"s{i}") for i in range(6)]
    office_scores = {i.id: i.max for i in period.catalogues["phong-gddt"].items.values() if not i.derived}
    subs = [submission("pgd-quan-1", office_scores, parent="so-gddt")]
    subs += [
        submission(s.id, FULL_SCHOOL if i % 2 else minus(FULL_SCHOOL, c3_2=5, c1_1=1))
        for i, s in enumerate(schools[:5])
    ]
    review = Review(
        "s1",
        "2023-2024",
        "submissions/2023-2024/pgd-quan-1/s1.review.yaml",
        "pgd-r",
        "2024-05-01",
        {"3.2": ReviewEntry("3.2", 0.0)},
    )  # the reviewer takes the school's 3.2 away
    return dataset(period, [office, *schools], subs, [review])


def test_known_scores_give_the_same_tables_as_scoring_everything(period_2023):
    """A site build gives the scores it kept of the units that did not change: the units table
    (ranks, the office's derived criterion counting the known schools' met criteria) is the one
    scoring every unit makes, and the items are those of the units scored."""
    data = _office_and_schools(period_2023)
    whole = score_period(data, "2023-2024")
    known = _known(whole, ["s0", "s1", "s3", "s5"])  # s5 did not submit; s1 was reviewed
    part = score_period(data, "2023-2024", known)
    pd.testing.assert_frame_equal(part.units, whole.units)
    assert part.known == {"s0", "s1", "s3", "s5"}
    assert set(part.items["unit"]) == {"pgd-quan-1", "s2", "s4"} and set(part.groups["unit"]) == set(part.items["unit"])
    scored = whole.items[whole.items["unit"].isin(["pgd-quan-1", "s2", "s4"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.items.reset_index(drop=True), scored)
    office = part.items.set_index(["unit", "criterion"]).loc[("pgd-quan-1", "4.2")]
    # Of six schools only s3 (known) met 3.2: s1's reviewer took it away, the even ones missed it, s5 did not submit
    assert (office["derived_numerator"], office["derived_denominator"]) == (1, 6)


def test_known_scores_are_taken_as_given(period_2023):
    """Known scores are not computed again: s3, the one school that met 3.2, said to have missed
    it and scored 50, ranks last of the five and leaves the office's share at none."""
    data = _office_and_schools(period_2023)
    whole = score_period(data, "2023-2024")
    known = _known(whole, ["s3"])
    known["s3"] = KnownScores({**known["s3"].row, "total": 50.0, "percent": 50.0}, ())
    part = score_period(data, "2023-2024", known)
    rows = part.units.set_index("unit")
    assert rows.loc["s3", "total"] == 50.0 and rows.loc["s3", "rank_type"] == 5
    derived = lambda r: r.items.set_index(["unit", "criterion"]).loc[("pgd-quan-1", "4.2"), "derived_numerator"]  # noqa: E731
    assert (derived(whole), derived(part)) == (1, 0)


def test_criterion_scores_gives_each_unit_its_rows_in_order_wherever_they_are():
    """A unit's rows need not be next to each other in the table."""
    items = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "a"],
            "criterion": ["1.1", "1.2", "1.1", "1.3"],
            "max": [2, 3, 2, 5],
            "self_score": [1.0, 3.0, math.nan, 0.0],
            "reviewer_score": [math.nan, 2.5, math.nan, math.nan],
            "final": [1.0, 2.5, math.nan, 0.0],
            "met": [False, False, False, False],
            "derived": [False, False, False, False],
            "applicable": [True, True, True, True],
        }
    )
    # the first units asked are read from their own rows, later ones from the table indexed once
    indexed = criterion_scores_by_unit(items)
    for other in range(ByUnit.FEW + 1):
        indexed.get(f"other-{other}", [])
    assert indexed._whole is not None

    def own_rows(unit_id: str) -> list:
        scores = criterion_scores_by_unit(items)
        found = scores.get(unit_id, [])
        assert scores._whole is None
        return found

    for scores_of in (own_rows, lambda unit_id: indexed.get(unit_id, [])):
        assert [s.criterion for s in scores_of("a")] == ["1.1", "1.2", "1.3"]
        assert scores_of("a")[1].final == 2.5
        assert [s.criterion for s in scores_of("b")] == ["1.1"]
        assert all(isinstance(s.max, float) for s in scores_of("a"))  # whole points typed as ints
        assert scores_of("c") == []
    assert repr(criterion_scores(items, "a")) == repr(indexed.get("a", []))  # NaN is not equal to NaN


def test_the_criteria_table_is_the_frame_of_its_rows_written_one_by_one(period_2023):
    """The table is built column by column; written row by row, in registry order and catalogue
    order, through pandas' own inference of each cell, it is the same frame (types included).
    Units of two types alternate; one without a file, one with a review only, one with both."""
    office = unit("pgd-quan-1", "phong-gddt", "so-gddt")
    office_scores = {i.id: i.max for i in period_2023.catalogues["phong-gddt"].items.values() if not i.derived}
    review = Review("s1", "2023-2024", "r.review.yaml", "pgd-r", "2024-06-12", {"2.1": ReviewEntry("2.1", 6.0)})
    reviewed_only = Review("s2", "2023-2024", "r.review.yaml", "pgd-r", "2024-06-12", {"1.1": ReviewEntry("1.1", 1.0)})
    units = [unit("s0"), office, unit("s1"), unit("s2"), unit("s3")]
    subs = [
        submission("pgd-quan-1", office_scores, parent="so-gddt"),
        submission("s1", minus(FULL_SCHOOL, c1_5=0.5)),
        submission("s3", {"1.1": 2.0}),
    ]
    items = score_period(dataset(period_2023, units, subs, [review, reviewed_only]), "2023-2024").items
    rows = []
    for u in units:
        own = next((s.entries for s in subs if s.unit == u.id), None)
        marks = {r.unit: r.entries for r in (review, reviewed_only)}.get(u.id)
        for order, item in enumerate(period_2023.catalogues[u.type].items.values()):
            self_score = math.nan if item.derived or own is None else (own[item.id].score if item.id in own else 0.0)
            mark = marks.get(item.id) if marks and not item.derived else None
            final = mark.score if mark else self_score
            rows.append(
                ["2023-2024", u.id, u.parent, u.type, item.group, item.id, order, item.max, self_score]
                + [mark.score if mark else math.nan, final, False, True, bool(item.derived), math.nan, math.nan]
                + [math.nan, ""]
            )
    expected = pd.DataFrame(rows, columns=list(items.columns))
    assert list(items.dtypes) == list(expected.dtypes)
    cells = ["period", "unit", "parent", "unit_type", "group", "criterion", "order", "max", "applicable", "derived"]
    pd.testing.assert_frame_equal(items[cells], expected[cells])
    scores = ["self_score", "reviewer_score", "final"]  # a derived criterion's are computed after (_add_derived)
    own = ~expected["derived"]
    pd.testing.assert_frame_equal(items.loc[own, scores], expected.loc[own, scores])
    assert expected.loc[own, "self_score"].isna().sum() == 2 * 19  # the unit without a file, the one reviewed only
