"""The checks' keys of the last build, reused for the units no commit touched since
(site_builder/kept_keys.py): only in a clean checkout, never for a unit a commit changed, never
after a change to what else keys digest, and a reused key is the key the checks compute."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from site_builder import build_cache, check_cache, kept_keys
from site_builder.paths import DataRoot, FileRole
from site_builder.validate import validate_all
from tests.datarepo import age, lower_a_self_score, two_schools_committed, write_school

PERIOD = "2023-2024"
BODY = "pgd-quan-1"
SCHOOL_A = f"submissions/{PERIOD}/{BODY}/thcs-demo-a.yaml"
ROLE_A = FileRole("submission", PERIOD, BODY, "thcs-demo-a", "thcs-demo-a.yaml")
ROLE_B = FileRole("submission", PERIOD, BODY, "thcs-demo-b", "thcs-demo-b.yaml")
SCHOOL_B = f"submissions/{PERIOD}/{BODY}/thcs-demo-b.yaml"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return two_schools_committed(tmp_path / "data")


def validated(root: Path):
    """Validate as a site build does (its cache open, then saved): (result, the kept keys it found)."""
    cache = build_cache.open_for(root, hold=True)
    assert cache is not None
    try:
        check_cache.begin()  # as validation does before it reads them: files may have changed
        found = kept_keys.read(root, cache)
        result = validate_all(DataRoot(root))
        cache.save()
    finally:
        build_cache.close()
    return result, found


def stored_keys(root: Path) -> tuple[str, dict[str, str], dict]:
    """The tree, keys and walks of the bodies' folders the last validation kept."""
    cache = build_cache.open_for(root)
    try:
        data = cache.blob(kept_keys.KIND, kept_keys._base(root))
    finally:
        build_cache.close()
    assert data is not None
    return pickle.loads(data)


def stored_stamps(root: Path):
    cache = build_cache.open_for(root)
    try:
        data = cache.blob(kept_keys.STAMPS_KIND, kept_keys.STAMPS_NAME)
    finally:
        build_cache.close()
    return pickle.loads(data) if data is not None else None


def codes(result, path: str) -> set[str]:
    """The codes of the problems reported on the file `path`."""
    return {p.code for p in result.problems if p.path == path}


def test_a_commit_to_one_unit_reuses_the_other_units_keys_which_are_the_keys_the_checks_compute(repo, tmp_path):
    root, git = repo
    result, found = validated(root)
    assert result.ok and found.keys == {}  # nothing kept yet
    first_tree, first, _walks = stored_keys(root)
    assert SCHOOL_A in first and SCHOOL_B in first

    lower_a_self_score(root, git, SCHOOL_A, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    result, found = validated(root)
    assert result.ok
    assert found.tree != first_tree and found.touched == {(PERIOD, BODY, "thcs-demo-a")}
    assert found.get(ROLE_A, SCHOOL_A) is None  # its unit changed: computed again
    assert found.get(ROLE_B, SCHOOL_B) == first[SCHOOL_B]
    _tree, reused, _walks = stored_keys(root)
    assert reused[SCHOOL_A] != first[SCHOOL_A]

    # The same validation with nothing kept computes every key: the same ones.
    cache = build_cache.open_for(root)
    cache.put_blob(kept_keys.KIND, kept_keys._base(root), b"not a pickle")
    build_cache.close()
    result, found = validated(root)
    assert result.ok and found.keys == {}
    assert stored_keys(root)[1] == reused


def test_a_commit_that_breaks_a_unit_is_caught_on_the_next_build(repo):
    root, git = repo
    validated(root)
    stray = f"submissions/{PERIOD}/{BODY}/thcs-demo-a/ghi-chu.docx"
    git.commit("Thêm tệp", {stray: b"not a pdf"}, author_time=dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    result, found = validated(root)
    assert (PERIOD, BODY, "thcs-demo-a") in found.touched
    assert "stray-file" in codes(result, SCHOOL_A) and not result.ok  # reported on the unit's file


@pytest.mark.parametrize("aged", [False, True], ids=["folders-just-made", "folders-stamped"])
@pytest.mark.parametrize("change", ["untracked", "ignored", "modified"])
def test_a_checkout_that_is_not_the_commit_reuses_no_key(repo, change, aged):
    """Folders just made are listed again by git; folders older than its clock's tick are stamped
    by the first build, and the second lists only those whose stamps changed (folder_stamps.py)."""
    root, git = repo
    if change == "ignored":
        git.commit("Bỏ qua tệp tạm", {".gitignore": "*.tmp\n"}, author_time=dt.datetime(2024, 5, 2, 10, tzinfo=dt.UTC))
    if aged:
        age(root / "submissions")
    validated(root)
    if aged:
        assert stored_stamps(root) is not None
    folder = root / f"submissions/{PERIOD}/{BODY}/thcs-demo-b"
    if change == "modified":
        (root / SCHOOL_B).write_text(
            (root / SCHOOL_B).read_text(encoding="utf-8") + "ghi_chu: sửa tay\n", encoding="utf-8"
        )
    else:
        (folder / ("ghi-chu.tmp" if change == "ignored" else "ghi-chu.txt")).write_text("nháp", encoding="utf-8")
    result, found = validated(root)
    assert found.tree is None and found.keys == {}
    assert not result.ok  # what is on disk was checked: a stray file, or a field the schema refuses


def test_keys_are_not_reused_after_a_change_to_what_else_they_digest(repo):
    root, _git = repo
    validated(root)
    catalogue = next((root / "criteria" / PERIOD).glob("*.yaml"))
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n# ghi chú\n", encoding="utf-8")
    _result, found = validated(root)
    assert found.tree is not None and found.keys == {}  # criteria/ is outside submissions/: still clean


def problems(result) -> list[tuple]:
    return [(p.path, p.code, p.message, p.line) for p in result.problems]


def test_a_body_folder_no_commit_touched_is_not_walked_again_and_reports_what_it_reported(repo, tmp_path):
    """A misplaced file committed in one body is reported; a later commit to another body reuses
    that body's walk, which reports it again: the problems are those of a validation that keeps
    nothing, in the same order."""
    root, git = repo
    write_school(root, PERIOD, "so-gddt", "thpt-demo-a")  # a second body with a submission
    git.commit("Trường THPT nộp bài", author_time=dt.datetime(2024, 5, 2, 12, tzinfo=dt.UTC))
    validated(root)
    stray = f"submissions/{PERIOD}/{BODY}/ghi-chu.txt"
    git.commit("Thêm tệp lạc chỗ", {stray: "nháp"}, author_time=dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    result, found = validated(root)
    assert found.walk(PERIOD, BODY) is None  # its folder changed: walked again
    others = [key for key in found.walks if key != (PERIOD, BODY)]
    assert others and all(found.walk(*key) is not None for key in others)
    assert any(p.path == stray for p in result.problems) and not result.ok

    other_body = others[0][1]
    school = f"submissions/{PERIOD}/{other_body}/thpt-demo-a.yaml"
    lower_a_self_score(root, git, school, dt.datetime(2024, 5, 4, 9, tzinfo=dt.UTC))
    result, found = validated(root)
    assert found.walk(PERIOD, BODY) is not None and found.walk(PERIOD, other_body) is None
    fresh = validate_all(DataRoot(root))  # no build cache open: nothing kept is used
    assert problems(result) == problems(fresh) and any(p.path == stray for p in result.problems)
    assert result.dataset.submissions.keys() == fresh.dataset.submissions.keys()
