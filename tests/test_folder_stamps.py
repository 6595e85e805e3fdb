"""Whether submissions/ holds a file git does not track, from the folders' stamps of the last clean
look (site_builder/folder_stamps.py): a real git repository, folders made old enough to be trusted,
then every way a file can appear, change or hide."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder import folder_stamps, gitread
from tests.datarepo import age, two_schools_committed

FOLDER = "submissions"
UNIT = f"{FOLDER}/2023-2024/pgd-quan-1/thcs-demo-b"  # a unit's evidence folder, tracked


@pytest.fixture
def repo(tmp_path):
    root, git = two_schools_committed(tmp_path / "data")
    age(root / FOLDER)
    return gitread.open_repository(root), git


def first_look(repo) -> folder_stamps.Stamps:
    clean, stamps = folder_stamps.untracked_free(repo, FOLDER, None)
    assert clean
    if stamps is None:
        pytest.skip("this file system does not count subfolders in a folder's link count")
    assert None not in stamps.values()  # none changed within the last ticks
    return stamps


def test_nothing_changed_lists_no_folder_and_keeps_the_stamps(repo):
    repo, _git = repo
    stamps = first_look(repo)
    assert f"{UNIT}" in stamps and FOLDER in stamps
    clean, again = folder_stamps.untracked_free(repo, FOLDER, stamps)
    assert clean and again is stamps  # the same stamps: nothing was listed, nothing to write


@pytest.mark.parametrize("name", ["ghi-chu.txt", "nested/ghi-chu.txt", ".an"])
def test_a_file_put_in_a_unit_folder_is_found(repo, name):
    repo, _git = repo
    stamps = first_look(repo)
    target = Path(repo.top) / UNIT / name
    target.parent.mkdir(exist_ok=True)
    target.write_text("nháp", encoding="utf-8")
    clean, kept = folder_stamps.untracked_free(repo, FOLDER, stamps)
    assert not clean and kept is None


def test_an_ignored_file_is_found(repo):
    repo, git = repo
    git.commit("Bỏ qua tệp tạm", {".gitignore": "*.tmp\n"})
    stamps = first_look(repo)
    (Path(repo.top) / UNIT / "ghi-chu.tmp").write_text("nháp", encoding="utf-8")
    assert folder_stamps.untracked_free(repo, FOLDER, stamps) == (False, None)


def test_a_tracked_file_edited_in_place_is_found_though_no_folder_changed(repo):
    repo, _git = repo
    stamps = first_look(repo)
    pdf = next((Path(repo.top) / UNIT).glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"\n")  # the same file, other bytes: its folder keeps its stamp
    assert folder_stamps._changed(repo, stamps) == []
    assert folder_stamps.untracked_free(repo, FOLDER, stamps) == (False, None)


def test_a_file_put_in_a_folder_git_does_not_know_is_found_even_when_that_folder_was_there(repo):
    """An empty folder git never names, present at the first look: nothing is kept then, so a file
    put in it later (which changes only that folder) is found."""
    repo, _git = repo
    empty = Path(repo.top) / UNIT / "trong"
    empty.mkdir()
    age(Path(repo.top) / FOLDER)
    clean, stamps = folder_stamps.untracked_free(repo, FOLDER, None)
    assert clean and stamps is None  # its parent counts one subfolder more than git knows
    (empty / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    assert folder_stamps.untracked_free(repo, FOLDER, stamps) == (False, None)


def test_a_folder_changed_just_before_the_look_is_listed_again_next_time(repo):
    repo, _git = repo
    (Path(repo.top) / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    (Path(repo.top) / UNIT / "ghi-chu.txt").unlink()  # the folder changed now, and is clean
    clean, stamps = folder_stamps.untracked_free(repo, FOLDER, None)
    assert clean and stamps is not None and stamps[UNIT] is None  # changed too recently to vouch for
    assert folder_stamps._changed(repo, stamps) == [UNIT]
    (Path(repo.top) / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")  # within the same tick, maybe
    assert folder_stamps.untracked_free(repo, FOLDER, stamps) == (False, None)


def test_a_new_unit_folder_is_listed_through_its_parent_and_stamped_once_clean(repo):
    repo, git = repo
    stamps = first_look(repo)
    git.commit("Thêm minh chứng", {f"{FOLDER}/2023-2024/pgd-quan-1/thcs-demo-b/moi/a.txt": "a"})
    changed = folder_stamps._changed(repo, stamps)
    assert f"{UNIT}" in changed and f"{UNIT}/moi" not in changed  # the new folder is not stamped yet
    clean, again = folder_stamps.untracked_free(repo, FOLDER, stamps)
    assert clean and again is not None and f"{UNIT}/moi" in again


def test_more_changed_folders_than_listed_one_by_one_lists_them_all(repo, monkeypatch):
    repo, _git = repo
    stamps = first_look(repo)
    (Path(repo.top) / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    monkeypatch.setattr(folder_stamps, "MAX_LISTED", 0)
    assert folder_stamps.untracked_free(repo, FOLDER, stamps) == (False, None)


def test_a_unit_folder_replaced_by_a_link_is_not_vouched_for(repo, tmp_path):
    repo, _git = repo
    stamps = first_look(repo)
    unit = Path(repo.top) / UNIT
    unit.rename(tmp_path / "elsewhere")
    unit.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert UNIT in folder_stamps._changed(repo, stamps)
    assert folder_stamps.untracked_free(repo, FOLDER, stamps)[0] is False
    assert folder_stamps.stamps_of(repo, FOLDER) is None
