"""A site build scores again only the units whose facts it cannot read back whole: the others'
scores are those kept with their facts (kept_facts.KeptFacts.known_scores, scoring.score_period's
`known`). What it makes of them is what a build without any cache makes."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pandas as pd
import pytest

from site_builder import build_cache
from site_builder.catalogues import load_period
from site_builder.paths import DataRoot
from site_builder.scoring import KNOWN_COLUMNS, score_period
from site_builder.validate import validate_all
from site_builder.website import build as website_build
from site_builder.website.facts import records, score_fields
from site_builder.website.kept_facts import KeptUnitFact
from tests.datarepo import (
    DEPARTMENT_UNITS,
    OFFICE_UNITS,
    build_in_new_process,
    dump,
    lower_a_self_score,
    pdf_bytes,
    two_schools_committed,
    write,
    write_registry,
    write_school,
)
from tests.test_kept_facts import assert_same_site, cold_build

PERIOD = "2023-2024"
CHANGED = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"
SECOND_OFFICE = {
    **DEPARTMENT_UNITS[0],
    "id": "pgd-quan-3",
    "name": "Phòng Giáo dục và Đào tạo Quận 3",
    "area": "Quận 3",
    "website": "https://pgd-quan-3.example.edu.vn",
    "editors": ["pgd-q3"],
}
ITS_SCHOOL = {
    **OFFICE_UNITS[0],
    "id": "thcs-demo-c",
    "name": "Trường THCS Demo C",
    "area": "Quận 3",
    "website": "https://thcs-demo-c.example.edu.vn",
    "editors": ["thcs-c"],
}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """Two offices with schools: pgd-quan-1 (two) and pgd-quan-3 (one, whose folder no later commit touches)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, git = two_schools_committed(tmp_path / "data")
    write_registry(root, PERIOD, "so-gddt", [*DEPARTMENT_UNITS, SECOND_OFFICE], reviewers=["sgd-reviewer"])
    write_registry(root, PERIOD, "pgd-quan-3", [ITS_SCHOOL], reviewers=["pgd-q3-reviewer"])
    write_school(root, PERIOD, "pgd-quan-3", "thcs-demo-c")
    office = load_period(DataRoot(root), PERIOD)[0].catalogues["phong-gddt"]  # its own criteria at full marks
    criteria = {
        item.id: {"diem_tu_cham": item.max, "minh_chung": ["ke-hoach-cntt.pdf"]}
        for item in office.items.values()
        if not item.derived
    }
    write(root / f"submissions/{PERIOD}/so-gddt/pgd-quan-3/ke-hoach-cntt.pdf", pdf_bytes("pgd-quan-3"))
    write(
        root / f"submissions/{PERIOD}/so-gddt/pgd-quan-3.yaml",
        dump({"don_vi": "pgd-quan-3", "nam_hoc": PERIOD, "tieu_chi": criteria}),
    )
    git.commit("Quận 3", author_time=dt.datetime(2024, 5, 2, 10, tzinfo=dt.UTC))
    return root, git


def facts_as_built(root: Path):
    """The period's facts as a build gathers them (with the build cache unless disabled), and the
    units whose scores were known."""
    build_cache.open_for(root, hold=True)
    try:
        result = validate_all(DataRoot(root))
        assert result.ok, [p.message for p in result.problems if p.is_error]
        dataset = result.dataset
        run = website_build._open_run(root, DataRoot(root), dataset, None)
        website_build._gather_periods(run)
        run.clock.close()
        if run.cache is not None:
            run.cache.save()
        facts = run.all_facts[PERIOD]
        return facts, facts.scores.known, dataset
    finally:
        build_cache.close()


def test_the_units_of_a_body_no_change_touched_are_not_scored_again(repo, monkeypatch):
    root, git = repo
    _facts, known, _dataset = facts_as_built(root)
    assert not known  # nothing kept yet
    lower_a_self_score(root, git, CHANGED, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    warm, known, dataset = facts_as_built(root)
    # pgd-quan-3's school is known; pgd-quan-1's schools (their body changed) and the offices
    # (filed in the Department's folder, with units under them) are scored
    assert known == {"thcs-demo-c"}
    assert set(warm.scores.items["unit"]) == {"pgd-quan-1", "pgd-quan-3", "thpt-demo-a", "thcs-demo-a", "thcs-demo-b"}
    pd.testing.assert_frame_equal(warm.scores.units, score_period(dataset, PERIOD).units)
    assert set(score_fields(records(warm.scores.units)[0])) == set(KNOWN_COLUMNS)  # what facts keep of the scores
    assert isinstance(warm.units["thcs-demo-c"], KeptUnitFact)

    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    cold, known, _dataset = facts_as_built(root)
    assert not known
    assert set(warm.units) == set(cold.units)
    for unit_id, fact in cold.units.items():  # read whole: the facts gathered (repr: NaN is NaN)
        assert repr(pickle.loads(pickle.dumps(warm.units[unit_id]))) == repr(fact), unit_id
    office = cold.units["pgd-quan-3"]  # its derived criterion counts thcs-demo-c, known in the warm build
    derived = [item.derived for group in office.groups for item in group.items if item.derived]
    assert derived and all((d["numerator"], d["denominator"]) == (1, 1) for d in derived)


@pytest.mark.slow
def test_a_rebuild_with_known_scores_publishes_what_a_build_without_cache_does(repo, tmp_path):
    root, git = repo
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    build_in_new_process(root, warm)
    lower_a_self_score(root, git, CHANGED, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build_in_new_process(root, warm)
    cold_build(root, cold)
    assert_same_site(warm, cold)
