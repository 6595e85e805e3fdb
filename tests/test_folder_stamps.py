"""Whether submissions/ holds a file git does not track, from the folders' stamps of the last clean
look (site_builder/folder_stamps.py): a real git repository, folders made old enough to be trusted,
then every way a file can appear, change, hide or stop being tracked."""

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
    return root, git


def look(root: Path, kept: folder_stamps.Kept | None) -> tuple[bool, folder_stamps.Kept | None]:
    """`untracked_free` as a build asks it: the repository read at its HEAD now."""
    repo = gitread.open_repository(root)
    return folder_stamps.untracked_free(repo, FOLDER, gitread.tree_id(repo, FOLDER.encode()), kept)


def first_look(root: Path) -> folder_stamps.Kept:
    clean, kept = look(root, None)
    assert clean
    if kept is None:
        pytest.skip("this file system does not count subfolders in a folder's link count")
    assert None not in kept.stamps.values()  # none changed within the last ticks
    return kept


def test_nothing_changed_lists_no_folder_and_keeps_the_stamps(repo):
    root, _git = repo
    kept = first_look(root)
    assert UNIT in kept.stamps and FOLDER in kept.stamps
    clean, again = look(root, kept)
    assert clean and again is kept  # the same stamps: nothing was listed, nothing to write


def test_a_commit_that_edits_files_in_place_keeps_the_stamps(repo):
    root, git = repo
    kept = first_look(root)
    pdf = next((root / UNIT).glob("*.pdf"))
    git.commit("Sửa minh chứng", {pdf.relative_to(root).as_posix(): pdf.read_bytes() + b"\n"})
    clean, again = look(root, kept)
    assert clean and again is kept


@pytest.mark.parametrize("name", ["ghi-chu.txt", "nested/ghi-chu.txt", ".an"])
def test_a_file_put_in_a_unit_folder_is_found(repo, name):
    root, _git = repo
    kept = first_look(root)
    target = root / UNIT / name
    target.parent.mkdir(exist_ok=True)
    target.write_text("nháp", encoding="utf-8")
    assert look(root, kept) == (False, None)


def test_an_ignored_file_is_found(repo):
    root, git = repo
    git.commit("Bỏ qua tệp tạm", {".gitignore": "*.tmp\n"})
    kept = first_look(root)
    (root / UNIT / "ghi-chu.tmp").write_text("nháp", encoding="utf-8")
    assert look(root, kept) == (False, None)


def test_a_tracked_file_edited_in_place_is_found_though_no_folder_changed(repo):
    root, _git = repo
    kept = first_look(root)
    pdf = next((root / UNIT).glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"\n")  # the same file, other bytes: its folder keeps its stamp
    assert folder_stamps._unchanged(gitread.open_repository(root), kept.stamps)
    assert look(root, kept) == (False, None)


def test_a_file_git_stops_tracking_is_found_though_no_folder_changed(repo):
    """`git rm --cached` and a commit: the file stays on disk, untracked, and no folder changes."""
    root, git = repo
    kept = first_look(root)
    pdf = next((root / UNIT).glob("*.pdf")).relative_to(root).as_posix()
    git.git("rm", "--cached", "--quiet", pdf)
    assert look(root, kept) == (False, None)  # staged: git's status of tracked files says so
    git.git("commit", "--quiet", "-m", "Bỏ theo dõi một tệp")
    assert (root / pdf).is_file()
    assert look(root, kept) == (False, None)  # committed: the path left the tree the stamps were taken with
    other = root / f"{FOLDER}/2023-2024/pgd-quan-1/thcs-demo-a"
    (other / "tam.txt").write_text("nháp", encoding="utf-8")
    (other / "tam.txt").unlink()  # another folder changed: listed, and not only that one
    assert look(root, kept) == (False, None)


def test_a_file_put_in_a_folder_git_does_not_know_is_found_even_when_that_folder_was_there(repo):
    """An empty folder git never names, present at the first look: nothing is kept then, so a file
    put in it later (which changes only that folder) is found."""
    root, _git = repo
    empty = root / UNIT / "trong"
    empty.mkdir()
    age(root / FOLDER)
    assert look(root, None) == (True, None)  # its parent counts one subfolder more than git knows
    (empty / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    assert look(root, None) == (False, None)


def test_a_folder_changed_just_before_the_look_is_listed_again_next_time(repo):
    root, _git = repo
    (root / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    (root / UNIT / "ghi-chu.txt").unlink()  # the folder changed now, and is clean
    clean, kept = look(root, None)
    assert clean and kept is not None and kept.stamps[UNIT] is None  # changed too recently to vouch for
    clean, again = look(root, kept)
    assert clean and again is not kept  # listed again, and stamped anew
    (root / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")  # within the same tick, maybe
    assert look(root, kept) == (False, None)


def test_a_new_unit_folder_is_listed_through_its_parent_and_stamped_once_clean(repo):
    root, git = repo
    kept = first_look(root)
    git.commit("Thêm minh chứng", {f"{UNIT}/moi/a.txt": "a"})
    clean, again = look(root, kept)
    assert clean and again is not None and again is not kept and f"{UNIT}/moi" in again.stamps
    (root / UNIT / "moi" / "b.txt").write_text("nháp", encoding="utf-8")
    assert look(root, again) == (False, None)


def test_more_changed_folders_than_listed_one_by_one_lists_them_all(repo, monkeypatch):
    root, _git = repo
    kept = first_look(root)
    (root / UNIT / "ghi-chu.txt").write_text("nháp", encoding="utf-8")
    monkeypatch.setattr(folder_stamps, "MAX_LISTED", 0)
    assert look(root, kept) == (False, None)


def test_a_unit_folder_replaced_by_a_link_is_not_vouched_for(repo, tmp_path):
    root, _git = repo
    kept = first_look(root)
    unit = root / UNIT
    unit.rename(tmp_path / "elsewhere")
    unit.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert look(root, kept)[0] is False
    assert folder_stamps.stamps_of(gitread.open_repository(root), FOLDER) is None
