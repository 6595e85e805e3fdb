"""Git facts about the data files: when each file first reached the main line, and its last change.

"On time" is decided by the commit that first brought a submission to the main line, so the
history is read from git, never from file dates (a checkout resets those). One `git log` pass
over `submissions/` gives every path's first and last commit: calling git per file would take
minutes on 15,000 units. Only first-parent commits count (a merge of a pull request is the
moment the file reached main) and only committer dates (the author date can be set by anyone).

When the data root is not in a git repository, or the clone is shallow (history cut off, so the
oldest visible commit would seem to add every file), the dates are unknown: `available` is False
and `reason` says why in Vietnamese. Nothing here raises for those cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

VIETNAM = dt.timezone(dt.timedelta(hours=7))
_RECORD = "\x1e"
_FIELD = "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    timestamp: int  # committer date, seconds since the epoch

    @property
    def date(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, VIETNAM)

    @property
    def day(self) -> dt.date:
        """The calendar day in Vietnam (deadlines are days in UTC+7)."""
        return self.date.date()


@dataclass
class History:
    available: bool
    reason: str = ""
    head: Commit | None = None
    first: dict[str, Commit] = field(default_factory=dict)  # path -> commit that first added it
    last: dict[str, Commit] = field(default_factory=dict)   # path -> last commit that changed it
    _folders: dict[str, Commit] | None = field(default=None, repr=False, compare=False)

    def first_added(self, path: str) -> Commit | None:
        return self.first.get(path)

    def last_changed(self, paths) -> Commit | None:
        """The latest commit among those that last changed any of `paths`."""
        found = [self.last[p] for p in paths if p in self.last]
        return max(found, key=lambda c: c.timestamp) if found else None

    def last_under(self, folder: str) -> Commit | None:
        """The latest commit that changed anything inside `folder` (indexed once: 15,000 folders)."""
        if self._folders is None:
            index: dict[str, Commit] = {}
            for path, commit in self.last.items():
                parts = path.split("/")
                for depth in range(1, len(parts)):
                    key = "/".join(parts[:depth])
                    if key not in index or index[key].timestamp < commit.timestamp:
                        index[key] = commit
            self._folders = index
        return self._folders.get(folder.rstrip("/"))


def unknown(reason: str) -> History:
    return History(available=False, reason=reason)


def read_history(root: Path, folder: str = "submissions") -> History:
    """The history of `root/folder`; paths in the result are relative to `root` (POSIX)."""
    try:
        import git
    except ImportError:  # pragma: no cover - GitPython is a dependency
        return unknown("không đọc được lịch sử git (thiếu thư viện GitPython).")
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return unknown("thư mục dữ liệu không phải kho git nên không biết ngày nộp.")
    try:
        if not repo.head.is_valid():
            return unknown("kho git chưa có commit nào nên không biết ngày nộp.")
        top = Path(repo.working_tree_dir).resolve()
        prefix = Path(root).resolve().relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        head_raw = repo.git.log("-1", f"--format=%H{_FIELD}%an{_FIELD}%ct")
        head = _commit(head_raw.split(_FIELD))
        if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
            history = unknown("bản sao kho git bị cắt lịch sử (shallow clone) nên không biết ngày nộp.")
            history.head = head
            return history
        raw = repo.git.log("--first-parent", "--diff-merges=first-parent", "--no-renames", "--name-status",
                           "-z", f"--format={_RECORD}%H{_FIELD}%an{_FIELD}%ct", "--", f"{prefix}{folder}")
    except (git.GitCommandError, ValueError, OSError) as exc:
        return unknown(f"không đọc được lịch sử git ({type(exc).__name__}) nên không biết ngày nộp.")
    history = History(available=True, head=head)
    _parse(raw, prefix, history)
    return history


def _commit(parts) -> Commit:
    return Commit(parts[0], parts[1], int(parts[2]))


def _parse(raw: str, prefix: str, history: History) -> None:
    """Newest commit first: the first sighting is the last change, the last "A" the first add."""
    for record in raw.split(_RECORD):
        if not record.strip("\x00\n"):
            continue
        header, _, body = record.partition("\x00")
        commit = _commit(header.strip().split(_FIELD))
        tokens = [t for t in body.lstrip("\n").split("\x00") if t != ""]
        for status, path in zip(tokens[0::2], tokens[1::2]):
            status = status.strip()
            path = path.strip("\n")
            if prefix and path.startswith(prefix):
                path = path[len(prefix):]
            if path not in history.last:
                history.last[path] = commit
            if status.startswith("A"):
                history.first[path] = commit
