"""Git facts read from real repositories made with GitPython: first add, last change, merges,
and the cases where dates cannot be known (no git, shallow clone)."""

from __future__ import annotations

import datetime as dt

import git
import pytest

from site_builder.history import read_history
from tests.datarepo import write

ME = git.Actor("Người nộp", "nop@example.invalid")
REVIEWER = git.Actor("Người chấm", "cham@example.invalid")


def commit(repo: git.Repo, paths: list[str], message: str, when: str, who: git.Actor = ME) -> git.Commit:
    """A commit dated `when` (ISO 8601), as `git commit` with GIT_AUTHOR_DATE/GIT_COMMITTER_DATE set."""
    repo.git.add("--", *paths)
    repo.git.commit("-q", "-m", message, env=dated(when, who))
    return repo.head.commit


def dated(when: str, who: git.Actor = ME) -> dict:
    return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": who.name,
            "GIT_AUTHOR_EMAIL": who.email, "GIT_COMMITTER_NAME": who.name, "GIT_COMMITTER_EMAIL": who.email}


@pytest.fixture
def repo(tmp_path):
    repository = git.Repo.init(tmp_path, initial_branch="main")
    write(tmp_path / "submissions/2023-2024/p/a.yaml", "don_vi: a\n")
    write(tmp_path / "README.md", "x\n")
    first = commit(repository, ["submissions/2023-2024/p/a.yaml", "README.md"], "thêm a", "2024-06-01T09:00:00+07:00")
    write(tmp_path / "submissions/2023-2024/p/a.yaml", "don_vi: a\n# sửa\n")
    write(tmp_path / "submissions/2023-2024/p/a/ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n")
    last = commit(repository, ["submissions/2023-2024/p/a.yaml", "submissions/2023-2024/p/a/ke-hoach.pdf"],
                  "sửa a", "2024-06-10T23:30:00+07:00", REVIEWER)
    return repository, first, last


def test_first_and_last_commit_of_each_path(repo, tmp_path):
    _, first, last = repo
    history = read_history(tmp_path)
    assert history.available and history.reason == ""
    path = "submissions/2023-2024/p/a.yaml"
    assert history.first_added(path).sha == first.hexsha
    assert history.last_changed([path]).sha == last.hexsha
    assert history.last_changed([path]).author == "Người chấm"
    assert history.first_added("submissions/2023-2024/p/a/ke-hoach.pdf").sha == last.hexsha
    assert history.last_under("submissions/2023-2024/p/a").sha == last.hexsha
    assert "README.md" not in history.last  # only submissions/ is read
    assert history.head.sha == last.hexsha


def test_dates_are_days_in_vietnam(repo, tmp_path):
    history = read_history(tmp_path)
    late_evening = history.last_changed(["submissions/2023-2024/p/a.yaml"])
    assert late_evening.day == dt.date(2024, 6, 10)  # 16:30 UTC is still 10 June in UTC+7
    assert late_evening.date.utcoffset() == dt.timedelta(hours=7)


def test_merge_counts_when_it_reaches_main(tmp_path):
    """A file written on a branch before the deadline but merged after it reached main late."""
    repository = git.Repo.init(tmp_path, initial_branch="main")
    write(tmp_path / "submissions/README", "x\n")
    commit(repository, ["submissions/README"], "khởi tạo", "2024-05-01T08:00:00+07:00")
    repository.git.checkout("-b", "nop-bai")
    write(tmp_path / "submissions/2023-2024/p/b.yaml", "don_vi: b\n")
    commit(repository, ["submissions/2023-2024/p/b.yaml"], "nộp b", "2024-06-05T08:00:00+07:00")
    repository.git.checkout("main")
    when = "2024-06-09T08:00:00+07:00"
    repository.git.merge("--no-ff", "-m", "gộp", "nop-bai", env=dated(when, REVIEWER))
    history = read_history(tmp_path)
    first = history.first_added("submissions/2023-2024/p/b.yaml")
    assert first.sha == repository.head.commit.hexsha
    assert first.day == dt.date(2024, 6, 9)


def test_not_a_repository_means_unknown_dates(tmp_path):
    write(tmp_path / "submissions/x.yaml", "a: 1\n")
    history = read_history(tmp_path)
    assert not history.available
    assert "không phải kho git" in history.reason
    assert history.first_added("submissions/x.yaml") is None and history.head is None


def test_repository_without_commits(tmp_path):
    git.Repo.init(tmp_path, initial_branch="main")
    history = read_history(tmp_path)
    assert not history.available and "chưa có commit" in history.reason


def test_shallow_clone_means_unknown_dates(repo, tmp_path_factory):
    source, _, last = repo
    target = tmp_path_factory.mktemp("shallow")
    git.Repo.clone_from(f"file://{source.working_tree_dir}", target, depth=1)
    history = read_history(target)
    assert not history.available
    assert "shallow" in history.reason
    assert history.head.sha == last.hexsha  # the data version is still known
    assert history.first_added("submissions/2023-2024/p/a.yaml") is None


def test_data_root_inside_a_larger_repository(tmp_path):
    repository = git.Repo.init(tmp_path, initial_branch="main")
    write(tmp_path / "data/submissions/2023-2024/p/c.yaml", "don_vi: c\n")
    made = commit(repository, ["data/submissions/2023-2024/p/c.yaml"], "c", "2024-06-02T10:00:00+07:00")
    history = read_history(tmp_path / "data")
    assert history.first_added("submissions/2023-2024/p/c.yaml").sha == made.hexsha
