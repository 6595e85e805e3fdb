"""A reviewing body's key (website/fact_cache.py `body_key`): while it is the one kept with the
body's facts, its units' facts are read back without keying each unit; it moves with everything
a unit key or a data version of its units moves with, the clock's received times included."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
import yaml

from site_builder import build_cache
from site_builder.clock import Clock
from site_builder.model import Review
from site_builder.paths import DataRoot
from site_builder.scoring import score_period
from site_builder.testing_git import Repo, Signer
from site_builder.validate import validate_all
from site_builder.website import build as website_build
from site_builder.website import fact_cache
from site_builder.website.facts import gather
from site_builder.website.kept_facts import KeptFacts, KeptUnitFact
from tests.datarepo import build_in_new_process, dump, lower_a_self_score, two_schools_committed
from tests.test_kept_facts import assert_same_site, cold_build, facts_done

PERIOD = "2023-2024"
BODY = "pgd-quan-1"
SCHOOLS = {"thcs-demo-a", "thcs-demo-b"}
SCHOOL = f"submissions/{PERIOD}/{BODY}/thcs-demo-a.yaml"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return two_schools_committed(tmp_path / "data")


def keyed_units(root: Path, monkeypatch) -> tuple[set[str], dict]:
    """The units `fact_cache.unit_key` was asked for while a build's facts of the period were
    gathered with the build cache, and those facts."""
    asked: set[str] = set()
    unit_key = fact_cache.unit_key

    def counted(shared, dataset, period_id, unit, *rest):
        asked.add(unit.id)
        return unit_key(shared, dataset, period_id, unit, *rest)

    monkeypatch.setattr(fact_cache, "unit_key", counted)
    cache = build_cache.open_for(root, hold=True)
    try:
        result = validate_all(DataRoot(root))
        run = website_build._open_run(root, DataRoot(root), result.dataset, None)
        period = result.dataset.periods[PERIOD]
        kept = KeptFacts.of(cache, result.dataset, period, run.timeline, run.store, run.links)
        facts = gather(result.dataset, score_period(result.dataset, PERIOD), run.timeline, run.store, run.links, kept)
        run.clock.close()
        cache.save()
    finally:
        build_cache.close()
        monkeypatch.setattr(fact_cache, "unit_key", unit_key)
    return asked, facts.units


def test_a_body_whose_key_is_kept_gives_its_units_facts_without_keying_them(repo, monkeypatch):
    root, git = repo
    asked, first = keyed_units(root, monkeypatch)
    assert SCHOOLS <= asked  # nothing kept yet
    asked, again = keyed_units(root, monkeypatch)
    assert not asked & SCHOOLS, asked  # the body's key kept: its schools are not keyed
    assert BODY in asked  # the office: its body (the department's) has units with units under them
    assert all(isinstance(again[u], KeptUnitFact) for u in SCHOOLS)
    assert all(repr(pickle.loads(pickle.dumps(again[u]))) == repr(first[u]) for u in SCHOOLS)  # NaN is NaN

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    asked, changed = keyed_units(root, monkeypatch)
    assert SCHOOLS <= asked  # the body's key moved: each unit keyed, the one changed gathered
    assert isinstance(changed["thcs-demo-b"], KeptUnitFact) and not isinstance(changed["thcs-demo-a"], KeptUnitFact)
    asked, _facts = keyed_units(root, monkeypatch)
    assert not asked & SCHOOLS  # kept again with the new key


def test_a_body_with_reviewer_scores_from_another_folder_has_no_key(repo):
    """A unit whose reviewer scores come from a file outside its body's folder (their data
    version is that file's, which the body's key does not digest): each unit of the body is keyed."""
    root, _git = repo
    dataset = validate_all(DataRoot(root)).dataset
    clock = Clock(False, "không có lịch sử")

    def key() -> str | None:
        return fact_cache.body_key(b"", dataset, PERIOD, BODY, clock, None, "", lambda _path: "")

    def scores_in(path: str) -> None:
        dataset.reviews[(PERIOD, "thcs-demo-a")] = Review("thcs-demo-a", PERIOD, path, "pgd-q1-reviewer", "", {})

    assert key() is not None
    scores_in(f"submissions/{PERIOD}/{BODY}/cham-diem.xlsx")
    assert key() is not None
    scores_in(f"submissions/{PERIOD}/so-gddt/cham-diem.xlsx")
    assert key() is None


@pytest.mark.slow
def test_a_signed_commit_elsewhere_that_vouches_for_a_schools_filing_moves_its_bodys_key(tmp_path, monkeypatch):
    """A school's unsigned commit is received when a later signed commit contains it (clock.py):
    a commit that touches nothing of the school's body changes what its page says, and a rebuild
    shows what a build without any cache shows. So does a change undone and made again between two
    builds (the files and the clock's state of them as before; the data version, the commit the
    page names, not)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, _git = two_schools_committed(tmp_path / "data")
    with Signer.create("GitHub (thử nghiệm)", "noreply@github.com") as github:
        (root / "submissions/keys").mkdir()
        github.export_public(root / "submissions/keys/github-thu.asc")
        organization = yaml.safe_load((root / "submissions/organization.yaml").read_text(encoding="utf-8"))
        organization["clock"] = {"signers": ["github-thu"]}
        git = Repo(root)
        git.commit(
            "Khoá GitHub",
            {"submissions/organization.yaml": dump(organization)},
            signer=github,
            signed_at=dt.datetime(
                2024, 5, 14, 10, tzinfo=dt.UTC
            ),  # after the window opens (13/05): "today" stays past it
        )
        warm, cold = tmp_path / "warm", tmp_path / "cold"
        page = warm / f"{PERIOD}/don-vi/thcs-demo-a/index.html"
        original = (root / SCHOOL).read_bytes()
        lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 20, 9, tzinfo=dt.UTC))  # unsigned
        build_in_new_process(root, warm)
        before = page.read_text(encoding="utf-8")
        units = sum(facts_done(build_in_new_process(root, warm)))

        git.commit(  # signed, touching no file of the school's body
            "Ghi chú của Sở",
            {"ghi-chu.txt": "một ghi chú\n"},
            signer=github,
            signed_at=dt.datetime(2024, 5, 21, 10, tzinfo=dt.UTC),
        )
        kept, gathered = facts_done(build_in_new_process(root, warm))
        assert kept + gathered == units and gathered >= 1
        cold_build(root, cold)
        assert_same_site(warm, cold)
        assert page.read_text(encoding="utf-8") != before

        # Undone and done again before the next build: the school's files and the clock's state of
        # them are as the last build found them, its data version is not.
        lowered = (root / SCHOOL).read_bytes()
        git.commit("Hoàn tác", {SCHOOL: original}, signer=github, signed_at=dt.datetime(2024, 5, 22, 10, tzinfo=dt.UTC))
        git.commit("Làm lại", {SCHOOL: lowered}, signer=github, signed_at=dt.datetime(2024, 5, 23, 10, tzinfo=dt.UTC))
        build_in_new_process(root, warm)
        cold_build(root, cold)
        assert_same_site(warm, cold)
