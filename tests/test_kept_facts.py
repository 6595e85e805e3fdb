"""Units' facts kept by the build cache (website/fact_cache.py, website/kept_facts.py): a rebuild
reads back the facts of the units whose files, history and shared inputs did not change, gathers
the others, and publishes exactly the site a build without any cache publishes, after changes of
every kind a unit's facts are made of."""

from __future__ import annotations

import datetime as dt
import math
import pickle
import re
from dataclasses import replace as dataclass_replace
from pathlib import Path

import pytest
import yaml

from site_builder import build_cache
from site_builder.paths import DataRoot
from site_builder.scoring import score_period
from site_builder.validate import validate_all
from site_builder.website import build as website_build
from site_builder.website.facts import UnitFact, gather, records
from site_builder.website.kept_facts import KeptFacts, KeptUnitFact
from tests.datarepo import (
    OFFICE_UNITS,
    build_in_new_process,
    lower_a_self_score,
    pdf_bytes,
    two_schools_committed,
    write_registry,
)

PERIOD = "2023-2024"
SCHOOL = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"


def facts_done(output: str) -> tuple[int, int]:
    """(kept, gathered) as `build --timings` prints them."""
    found = re.search(r"Dữ kiện đơn vị: (\d+) đọc lại từ bộ nhớ đệm, (\d+) tổng hợp lại", output)
    assert found, output
    return int(found.group(1)), int(found.group(2))


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_site(warm: Path, cold: Path) -> None:
    made, fresh = site_files(warm), site_files(cold)
    assert sorted(made) == sorted(fresh)
    differ = [rel for rel in fresh if made[rel] != fresh[rel]]
    assert not differ, differ[:10]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return two_schools_committed(tmp_path / "data")


def cold_build(root: Path, out: Path) -> None:
    if out.exists():
        import shutil

        shutil.rmtree(out)
    build_in_new_process(root, out, SITE_BUILDER_NO_CACHE="1")


@pytest.mark.slow
def test_a_rebuild_reads_back_what_did_not_change_and_publishes_what_a_build_without_cache_does(repo, tmp_path):
    root, git = repo
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    kept, gathered = facts_done(build_in_new_process(root, warm))
    assert kept == 0 and gathered >= 4
    units = gathered
    assert facts_done(build_in_new_process(root, warm)) == (units, 0)  # nothing changed

    # A school lowers a self-score: its facts and its office's (whose derived criteria count the
    # schools that met each criterion) are gathered again, the others read back.
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    kept, gathered = facts_done(build_in_new_process(root, warm))
    assert kept >= 1 and 1 <= gathered <= 2, (kept, gathered)
    cold_build(root, cold)
    assert_same_site(warm, cold)
    assert facts_done(build_in_new_process(root, warm)) == (units, 0)  # what was gathered is kept

    # A commit that touches no unit but moves "today" past the day submissions open: every
    # status may change, so every unit's facts are gathered again.
    git.commit("Ghi chú", {"ghi-chu.txt": "một ghi chú\n"}, author_time=dt.datetime(2024, 5, 20, 9, tzinfo=dt.UTC))
    assert facts_done(build_in_new_process(root, warm)) == (0, units)
    cold_build(root, cold)
    assert_same_site(warm, cold)

    # The evidence file a school cites gets new bytes (its size and SHA-256 are shown).
    evidence = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach-cntt.pdf"
    git.commit(
        "Thay minh chứng",
        {evidence: pdf_bytes("bản mới, dài hơn")},
        author_time=dt.datetime(2024, 5, 21, tzinfo=dt.UTC),
    )
    kept, gathered = facts_done(build_in_new_process(root, warm))
    assert kept >= 1 and gathered >= 1
    cold_build(root, cold)
    assert_same_site(warm, cold)

    # A school is renamed in its body's registry file.
    renamed = [dict(u, name=u["name"] + " (đổi tên)") if u["id"] == "thcs-demo-b" else u for u in OFFICE_UNITS]
    write_registry(root, PERIOD, "pgd-quan-1", renamed, reviewers=["pgd-q1-reviewer"])
    git.commit("Đổi tên trường", author_time=dt.datetime(2024, 5, 22, tzinfo=dt.UTC))
    build_in_new_process(root, warm)
    cold_build(root, cold)
    assert_same_site(warm, cold)
    assert "(đổi tên)" in (warm / f"{PERIOD}/don-vi/thcs-demo-b/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_file_of_a_kept_unit_is_still_published(repo, tmp_path):
    """The evidence store learns a kept unit's files from what was kept, not from its criteria
    (read only when a page is made again): a rebuild deletes no evidence from the site."""
    root, git = repo
    warm = tmp_path / "warm"
    build_in_new_process(root, warm)
    before = sorted(p.relative_to(warm).as_posix() for p in (warm / "minh-chung").rglob("*.pdf"))
    assert len(before) >= 4
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    kept, _gathered = facts_done(build_in_new_process(root, warm))
    assert kept >= 1
    assert sorted(p.relative_to(warm).as_posix() for p in (warm / "minh-chung").rglob("*.pdf")) == before


def gathered_in_process(root: Path):
    """Validation and the facts of the period, as a build makes them, with the build cache open:
    (KeptFacts, the period's facts)."""
    cache = build_cache.open_for(root, hold=True)
    data_root = DataRoot(root)
    result = validate_all(data_root)
    run = website_build._open_run(root, data_root, result.dataset, None)
    period = result.dataset.periods[PERIOD]
    kept = KeptFacts.of(cache, result.dataset, period, run.timeline, run.store, run.links)
    scores = score_period(result.dataset, PERIOD)
    facts = gather(result.dataset, scores, run.timeline, run.store, run.links, kept)
    run.clock.close()
    return kept, facts, scores


def test_kept_facts_read_back_equal_the_gathered_ones_and_their_criteria_and_reports_come_when_asked(repo, tmp_path):
    root, _git = repo
    try:
        _kept, first, _scores = gathered_in_process(root)
        build_cache.current().save()
    finally:
        build_cache.close()
    try:
        kept, again, scores = gathered_in_process(root)
        assert all(isinstance(f, KeptUnitFact) for f in again.units.values())
        for unit_id, fresh in first.units.items():
            back = again.units[unit_id]
            assert "_groups" not in back.__dict__ and "_milestones" not in back.__dict__  # not read yet
            assert back.evidence_counts == fresh.evidence_counts
            assert repr(back.group_totals) == repr(fresh.group_totals)  # NaN is NaN
            assert "_groups" not in back.__dict__
            assert repr(back.milestones) == repr(fresh.milestones) and "_milestones" in back.__dict__
            whole = pickle.loads(pickle.dumps(back))  # read whole: the facts gathered (repr: NaN is NaN)
            assert type(whole) is UnitFact and repr(whole) == repr(fresh)
            assert again.digest(unit_id) == first.digest(unit_id)
        # A kept fact whose scores are not the ones just computed is not used.
        row = next(r for r in records(scores.units) if r["submitted"])
        unit = again.registry.units[row["unit"]]
        version = again.units[unit.id].data_version
        key, found = kept.find(unit, version, row, {}, {})
        assert key is not None and found is not None
        assert kept.restore(key, unit, {**row, "total": row["total"] + 1}, {}, {}) is None
        assert not math.isnan(row["total"])
    finally:
        build_cache.close()


def found_for(root: Path, unit_id: str, unkeyed: bool = False):
    """What KeptFacts.find gives for `unit_id` in a build of `root` (`unkeyed`: one of its files
    without a key): (key, facts)."""
    try:
        kept, facts, scores = gathered_in_process(root)
        if unkeyed:
            kept.dataset.file_keys[(PERIOD, unit_id)].append(None)
        row = next(r for r in records(scores.units) if r["unit"] == unit_id)
        return kept.find(facts.registry.units[unit_id], facts.units[unit_id].data_version, row, {}, {})
    finally:
        build_cache.close()


def test_a_unit_file_the_checks_could_not_key_is_gathered_every_time(repo, tmp_path):
    assert found_for(repo[0], "thcs-demo-a", unkeyed=True) == (None, None)


def test_the_registry_keys_facts_through_the_checks(repo, tmp_path):
    """A unit's registry entry is in its files' keys (check_cache.py), so the facts key moves with it."""
    root, _git = repo
    key, _found = found_for(root, "thcs-demo-a")
    registry = root / f"submissions/units/{PERIOD}/pgd-quan-1.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["units"][0]["name"] += " mới"
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    moved, _found = found_for(root, "thcs-demo-a")
    assert key is not None and moved is not None and moved != key


def test_the_areas_of_a_periods_facts_are_made_once_and_each_caller_gets_its_own(repo):
    """The home page, the listing and its data each ask for them (pages.areas)."""
    from site_builder.website import pages

    root, _git = repo
    try:
        _kept, facts, _scores = gathered_in_process(root)
    finally:
        build_cache.close()
    first = pages.areas(facts)
    first[0]["pages"] = ["thêm"]  # as the listing adds to them
    again = pages.areas(facts)
    assert "pages" not in again[0]
    assert again[0]["units"] is first[0]["units"]  # made once
    assert again == pages._areas(facts)


def test_the_overview_summary_counts_as_the_facts_say(repo):
    """pages.summary reads the fields themselves (it runs over every unit twice a build): the
    counts are those the facts' own properties give, the whole year's made once."""
    from site_builder.website import pages

    root, _git = repo
    try:
        _kept, facts, _scores = gathered_in_process(root)
    finally:
        build_cache.close()
    units = list(facts.units.values())
    for unit in units[:2]:  # a late filing and a missing percentage, whatever the data holds
        unit.timing = dataclass_replace(unit.timing, status="late") if unit.timing is not None else unit.timing
    units[-1].percent = math.nan
    groups = [units, units[:1], units[1:], [], *([f] for f in units)]
    for group in groups:
        submitted = [f for f in group if f.submitted]
        percents = [f.percent for f in submitted if f.percent is not None and not math.isnan(f.percent)]
        assert pages.summary(group) == pytest.approx(
            {
                "total": len(group),
                "submitted": len(submitted),
                "missing": len(group) - len(submitted),
                "late": sum(1 for f in submitted if f.on_time is False),
                "average": round(sum(percents) / len(percents), 2) if percents else math.nan,
            },
            nan_ok=True,
        )
    assert any(f.on_time is False for f in units) and any(f.submitted for f in units)
    assert pages.period_summary(facts) == pytest.approx(pages.summary(units), nan_ok=True)
    assert pages.period_summary(facts) is not pages.period_summary(facts)  # each caller its own
