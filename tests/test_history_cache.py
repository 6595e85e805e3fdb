"""What git said of the history, kept between builds (history_cache.py): a clock read with the kept
answers is the clock read from git alone, as commits are added, history is rewound, and the kept
files are damaged."""

from __future__ import annotations

import datetime as dt
import io
import pickle

import pytest

from site_builder import gitread, history_cache
from site_builder.clock import VIETNAM, read_clock
from site_builder.testing_git import REVIEWER, Repo

A = "submissions/2023-2024/pgd-quan-1/thcs-a.yaml"
B = "submissions/2023-2024/pgd-quan-1/thcs-b.yaml"
PDF = "submissions/2023-2024/pgd-quan-1/thcs-a/ke-hoach.pdf"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


@pytest.fixture
def repo(tmp_path, github):
    """A unit's filing on a branch merged by GitHub, another unit's by the web editor, and a
    conflict resolved in a merge (a version only the merge introduces)."""
    made = Repo(tmp_path / "repo")
    made.commit("Khởi tạo", {"submissions/units/pgd-quan-1.yaml": "x: 1\n"}, author=REVIEWER)
    made.checkout("nop-a")
    made.commit("nộp A", {A: "diem: 1\n", PDF: b"%PDF-1.4 a"})
    made.checkout("main")
    made.commit("nộp B", {B: "diem: 2\n"}, signer=github, signed_at=at("2024-05-02T09:00"))
    made.commit("sửa A trên main", {A: "diem: 3\n"})
    made.merge("nop-a", when=at("2024-05-03T10:00"), signer=github, resolve={A: "diem: 4\n"})
    return made


def chunks(file) -> list[dict]:
    stream = io.BytesIO(file.read_bytes())
    assert stream.read(len(history_cache.CHANGES_FORMAT)) == history_cache.CHANGES_FORMAT
    found = []
    while stream.tell() < len(stream.getvalue()):
        found.append(pickle.load(stream))
    return found


def seen(clock) -> dict:
    """Everything the clock says of every path it knows."""
    paths = clock.paths_under("submissions")
    return {
        "paths": paths,
        "versions": {p: clock.versions(p) for p in paths},
        "current": {p: clock.current(p) for p in paths},
        "state": {p: clock.state(p) for p in paths},
        "data_version": {p: clock.data_version([p]) for p in paths},
        "folders": clock.data_version(folders=["submissions/2023-2024/pgd-quan-1/thcs-a"]),
        "head": clock.head,
    }


def both(repo, trusted, folder) -> tuple[dict, dict]:
    with read_clock(repo.path, trusted) as plain, read_clock(repo.path, trusted, changes_cache=folder) as kept:
        assert plain.available and kept.available
        return seen(plain), seen(kept)


def test_kept_answers_give_the_clock_git_gives_as_commits_are_added(repo, github, trusted, tmp_path):
    folder = tmp_path / "history"
    plain, kept = both(repo, trusted, folder)
    assert kept == plain and len(plain["paths"]) == 4
    assert sorted(f.name.split("-")[0] for f in folder.iterdir()) == ["changes", "changes", "line", "tree"]

    repo.commit("sửa B", {B: "diem: 5\n", PDF: None}, signer=github, signed_at=at("2024-05-04T08:00"))
    plain, kept = both(repo, trusted, folder)
    assert kept == plain
    assert plain["current"][PDF] is None and plain["current"][B].blob == repo.git("rev-parse", f"HEAD:{B}")

    # The new commit was appended to the kept changes of the versions; the main line, kept whole,
    # read it alone (clock._MainLine.read). Read again, the answers are the same.
    assert both(repo, trusted, folder)[1] == plain
    appended = sorted([len(chunk) for chunk in chunks(file)][1:] for file in folder.glob("changes-*"))
    assert appended == [[], [1]]  # the new commit, after the others


def test_a_rewound_history_drops_the_commits_no_longer_in_it(repo, github, trusted, tmp_path):
    folder = tmp_path / "history"
    before = repo.head()
    dropped = repo.commit("thêm", {B: "diem: 9\n"}, signer=github, signed_at=at("2024-05-05T08:00"))
    both(repo, trusted, folder)
    repo.set_branch("main", before)
    plain, kept = both(repo, trusted, folder)
    assert kept == plain and plain["current"][B].blob == repo.git("rev-parse", f"HEAD:{B}")
    history = set(repo.git("rev-list", "HEAD").split())
    main_line = set(repo.git("rev-list", "--first-parent", "HEAD").split())
    kept = [set().union(*chunks(f)) for f in folder.glob("changes-*")]
    assert sorted(kept, key=len) == [main_line, history] and dropped not in history


@pytest.mark.parametrize("damage", [b"", b"changes-1garbage", b"tree-1\x80\x05K\x01.", b"changes-1\x80\x05K\x01."])
def test_damaged_kept_files_are_read_from_git_again(repo, trusted, tmp_path, damage):
    folder = tmp_path / "history"
    plain, _ = both(repo, trusted, folder)
    for file in folder.iterdir():
        file.write_bytes(damage)
    assert both(repo, trusted, folder)[1] == plain
    assert all(f.read_bytes() != damage for f in folder.iterdir())  # written again


def listed(repo, folder, pathspec=b"submissions") -> dict:
    return history_cache.tree_at_head(gitread.open_repository(repo.path), pathspec, folder)


def from_git(repo, pathspec=b"submissions") -> dict:
    return gitread.tree_at_head(gitread.open_repository(repo.path), pathspec)


def test_a_tree_listing_is_the_last_one_with_what_changed_since(repo, tmp_path):
    folder = tmp_path / "history"
    assert listed(repo, folder) == from_git(repo)
    (file,) = folder.glob("tree-*")
    kept = pickle.loads(file.read_bytes()[len(history_cache.TREE_FORMAT) :])
    assert kept["tree"] == repo.git("rev-parse", "HEAD:submissions")

    # Added, changed, deleted and a whole folder gone: the kept listing moved by git's diff of
    # the two trees is git's listing of the new one.
    C = "submissions/2023-2024/pgd-quan-2/thcs-c.yaml"
    repo.commit("đổi", {B: "diem: 7\n", C: "diem: 1\n", PDF: None, "ngoai.txt": "x\n"})
    assert listed(repo, folder) == from_git(repo) and C.encode() in from_git(repo)
    repo.commit("xoá", {A: None, B: None})
    assert listed(repo, folder) == from_git(repo)
    assert listed(repo, folder, b"") == from_git(repo, b"")  # the whole tree

    assert listed(repo, folder, b"criteria") == {}  # no such folder: nothing kept
    assert len(list(folder.glob("tree-*"))) == 2


def test_a_listing_whose_tree_is_gone_is_made_again(repo, tmp_path):
    folder = tmp_path / "history"
    listed(repo, folder)
    (file,) = folder.glob("tree-*")
    gone = "0" * 39 + "1"  # no such tree in the repository
    file.write_bytes(history_cache.TREE_FORMAT + pickle.dumps({"tree": gone, "files": {b"x": "y"}}))
    assert listed(repo, folder) == from_git(repo)
