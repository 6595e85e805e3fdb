"""When a unit's filing counts as received: times that GitHub vouches for, never dates a submitter sets.

Author and committer dates, names and messages are free text that anyone who makes a commit
(or calls GitHub's API) chooses. The only times used here are creation times inside OpenPGP
signatures made by a trusted signer (GitHub's web-flow key, shipped in `keys/`): GitHub signs the
commits its web editor makes and the merge and squash commits its "Merge pull request" button
makes, with its own clock.

The rule (the methodology page explains the same to the public):

1. A commit reachable from HEAD is *vouched* when its signature verifies with a trusted
   certificate whose key was valid (not expired, not revoked) when it signed. Its *moment* is the
   signature's creation time.
2. For every commit C, V(C) is the earliest moment of a vouched commit S that contains C
   (S is C or a descendant of C). C's content existed when S was signed, so V(C) is a time by
   which GitHub vouches that C existed. A web-editor commit vouches for the time the unit made
   the change; the merge commit vouches for the time it landed; the earlier counts, so a
   reviewer's delay never makes a unit late.
3. A *version* of a path is a blob the path had in some commit reachable from HEAD. Its
   introducing commits are those where the path has that blob and no parent has it (the root
   commit, a commit that adds or changes the file, a merge that resolves a conflict with new
   content, a revert to older content). The version is *received* at the earliest V among its
   introducing commits; None when no vouched commit contains any of them.

Consequences: a stub filed before a deadline and full scores after it are two versions, the
current one received after the deadline. Forged dates and odd names change nothing. Unsigned
commits from a fork get the time of the signed merge that brought them in (fast-forward merges
included). A squash merge keeps no proposal commit, so the squash commit's time counts.
A "Rebase and merge" rewrites the proposal's commits without a GitHub signature, so they get the
time of the next vouched commit that contains them; the project therefore recommends "Create a
merge commit" (or squash). With no trusted signature anywhere the clock is available but every
time is None. Without history (not a repository, no commit, a shallow clone) it is unavailable
and `reason` says why in Vietnamese; nothing here raises for those cases.

Git is read by `gitread` (a few plumbing processes, every field checked), commit objects are
parsed by `commitobject`, signatures verified by `signatures`. A signature is checked only when
it can lower some version's time (signed commits are taken by the time they state, earliest
first), and verdicts can be cached across runs (`signature_cache`): a cache directory must only be
writable by trusted builds.
"""

from __future__ import annotations

import datetime as dt
import graphlib
import os
import sys
from bisect import bisect_left
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import NamedTuple

from site_builder import gitread, history_cache, signature_cache
from site_builder.commitobject import CommitObject, parse_commit
from site_builder.signatures import GITHUB_WEB_FLOW, SignersError, TrustedSigners, load_signers

VIETNAM = dt.timezone(dt.timedelta(hours=7))

__all__ = ["VIETNAM", "GITHUB_WEB_FLOW", "Moment", "Version", "CommitInfo", "Clock", "read_clock"]

NOT_A_REPOSITORY = "thư mục dữ liệu không phải kho git nên không biết ngày nộp."
NO_COMMITS = "kho git chưa có commit nào nên không biết ngày nộp."
SHALLOW = "bản sao kho git bị cắt lịch sử (shallow clone) nên không biết ngày nộp."
NO_GIT = "không chạy được chương trình git nên không biết ngày nộp."
GIT_FAILED = "không đọc được lịch sử git nên không biết ngày nộp."
NO_SIGNERS = "không đọc được khoá công khai dùng để xác minh chữ ký: {detail} Vì vậy không biết ngày nộp."


@dataclass(frozen=True, order=True)
class Moment:
    """A time a trusted signer vouches for: the creation time of its signature on `commit`."""

    timestamp: int  # seconds since the epoch
    commit: str  # the vouched commit that gives it

    @property
    def date(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, VIETNAM)

    @property
    def day(self) -> dt.date:
        """The calendar day in Vietnam (deadlines are Vietnamese calendar days)."""
        return self.date.date()


@dataclass(frozen=True)
class Version:
    """One content (blob) a path has had, and when it counts as received."""

    path: str  # relative to the data root, POSIX, as stored in git
    blob: str  # git object id of the content
    received: Moment | None
    commit: str  # the introducing commit whose V gives `received` (else the oldest one)


@dataclass(frozen=True)
class CommitInfo:
    """For display only: nothing here decides a time (names and committer dates are forgeable)."""

    sha: str
    author: str
    committer_timestamp: int | None  # None when the object's date is missing or not a showable number
    vouched: Moment | None  # the commit's own trusted signature, if any

    @property
    def committer_date(self) -> dt.datetime | None:
        if self.committer_timestamp is None:
            return None
        return dt.datetime.fromtimestamp(self.committer_timestamp, VIETNAM)


class Clock:
    """The received times of everything under one folder of the data root."""

    def __init__(self, available: bool, reason: str = "", head: CommitInfo | None = None):
        self.available = available
        self.reason = reason
        self.head = head
        self._versions: dict[str, tuple[_Timed, ...]] = {}  # path -> its versions as `state` gives them
        self._current: dict[str, str] = {}
        self._paths: list[str] = []
        self._commits: dict[str, CommitObject] = {}
        self._verdicts: _Verdicts | None = None
        self._reader: gitread.BlobReader | None = None
        self._repo: gitread.Repository | None = None
        self._main_line: _MainLine | None = None
        self._in_folder: dict[str, dict[tuple[str, bool], int]] = {}  # data_version_in's look at a folder
        self._changes_cache: Path | None = None  # history_cache.py

    def __repr__(self) -> str:
        state = "available" if self.available else f"unavailable: {self.reason}"
        return f"<Clock {state}, {len(self._paths)} paths, {len(self._commits)} commits>"

    def current(self, path) -> Version | None:
        """The version `path` has at HEAD (None when the path is absent at HEAD)."""
        key = _key(path)
        blob = self._current.get(key)
        if blob is None:
            return None
        return next((_version(key, v) for v in self._versions.get(key, ()) if v[0] == blob), None)

    def files_at_head(self) -> Collection[str]:
        """Every file under the clock's folder at HEAD (paths relative to the data root)."""
        return self._current.keys()

    def state(self, path) -> tuple:
        """Everything the clock says of `path` (its blob at HEAD, and each version's blob,
        introducing commit and received moment) as plain values: what a cache key digests of it,
        cheaper to pickle than the versions themselves. They are kept so (`_Timed`), and the
        versions made from them when asked: every path's state is digested in every build, a few
        paths' versions are read. At 15,000 units (44,000 paths), the states of every path took
        0.08-0.15 CPU-s when made from versions, 0.03-0.05 so; reading the history back 0.41-0.44
        and 0.31-0.36 (fastest of seven runs, two rounds)."""
        return self._state(_key(path))

    def states_under(self, folder) -> list[tuple[str, tuple]]:
        """(path, `state`) of every path `paths_under(folder)` names: a reviewing body's folder
        at once (a unit's key and its body's must digest the same state of a path)."""
        state = self._state
        return [(path, state(path)) for path in self.paths_under(folder)]

    def _state(self, key: str) -> tuple:
        return self._current.get(key), self._versions.get(key, ())

    def versions(self, path) -> list[Version]:
        """Every version of `path`, oldest first (by received time; None last; ties in history order)."""
        key = _key(path)
        return [_version(key, v) for v in self._versions.get(key, ())]

    def paths_under(self, folder) -> list[str]:
        """Every path that ever existed under `folder` in HEAD's history (current or deleted), sorted."""
        start = _key(folder).strip("/") + "/"
        if start == "/":
            return list(self._paths)
        paths = self._paths
        end = bisect_left(paths, start[:-1] + "0")  # "0" follows "/": past every path under the folder
        return paths[bisect_left(paths, start) : end]

    def read(self, blob: str) -> bytes:
        """The content of a blob of this history (KeyError when the repository has no such blob)."""
        if self._reader is None:
            raise KeyError("lịch sử git không có sẵn nên không đọc được nội dung cũ.")
        return self._reader.read(blob)

    def commit(self, sha: str) -> CommitInfo:
        """Display facts of a commit reachable from HEAD (KeyError otherwise)."""
        found = self._commits.get(sha)
        if found is None:
            raise KeyError(f"commit {sha} không thuộc lịch sử đang đọc.")
        moment = self._verdicts.moment(sha) if self._verdicts is not None else None
        return CommitInfo(sha, found.author, found.committer_timestamp, moment)

    def data_version(self, paths=(), folders=()) -> str | None:
        """The newest commit of the main branch's first-parent line that changed (added,
        modified or deleted) one of `paths` or a file under one of `folders`, compared with its
        first parent; None when none did (or without history). At that commit every one of those
        files holds what it holds at HEAD, so a page showing only them can name it as its data
        version, pin links to it, and stay byte-identical while other units' files change."""
        main = self._read_main_line()
        if main is None:
            return None
        changed, newest, line = main.changed, main.newest, main.line
        best = last = len(line)
        for path in paths:
            key = _key(path)
            index = bisect_left(changed, key)
            if index < len(changed) and changed[index] == key and newest[index] < best:
                best = newest[index]
        for folder in folders:
            start = _key(folder).strip("/") + "/"
            for index in range(bisect_left(changed, start), len(changed)):
                if not changed[index].startswith(start):
                    break
                if newest[index] < best:
                    best = newest[index]
        return line[best] if best < last else None

    def data_version_in(self, folder, names: Collection[str] = (), subfolders: Collection[str] = ()) -> str | None:
        """`data_version` of the files `names` of `folder` and of the files under its subfolders
        `subfolders`, from one look at the folder (kept): a reviewing body's folder holds all its
        units' files, and asking path by path searched the changed paths twice for each path and
        folder of every unit."""
        main = self._read_main_line()
        if main is None:
            return None
        newest = self._newest_in(main, folder)
        last = len(main.line)
        best = min(
            (
                *(newest.get((name, False), last) for name in names),
                *(newest.get((name, True), last) for name in subfolders),
            ),
            default=last,
        )
        return main.line[best] if best < last else None

    def folder_versions(self, folder) -> dict[tuple[str, bool], str] | None:
        """What `data_version_in` reads of `folder`: (name, deeper) -> the newest main-line
        commit that changed its entry `name` (the file, or a path under it when deeper). None
        without history."""
        main = self._read_main_line()
        if main is None:
            return None
        return {entry: main.line[index] for entry, index in self._newest_in(main, folder).items()}

    def _newest_in(self, main: _MainLine, folder) -> dict[tuple[str, bool], int]:
        key = _key(folder).strip("/")
        newest = self._in_folder.get(key)
        if newest is None:
            newest = self._in_folder[key] = main.newest_in(key + "/")
        return newest

    def newest(self, shas) -> str | None:
        """Of `shas`, the commit nearest HEAD on the main branch's first-parent line (the order in
        which `data_version` ranks commits): the data version of a page showing what several
        pages show. None when none of them is on that line (or without history)."""
        main = self._read_main_line()
        if main is None:
            return None
        return min((sha for sha in shas if sha in main.position), key=main.position.__getitem__, default=None)

    def _read_main_line(self) -> _MainLine | None:
        """The main line and the newest change of every path on it; one git run, the first time
        it is needed. None without history, or when that run fails (pages then name HEAD)."""
        if self._repo is None:
            return None
        if self._main_line is None:
            try:
                self._main_line = _MainLine.read(self._repo, self._changes_cache)
            except gitread.GitError:  # the history read at start, not this one
                self._repo = None
                return None
        return self._main_line

    def latest(self) -> Moment | None:
        """The newest vouched moment in the history (None when nothing is vouched)."""
        if self._verdicts is None:
            return None
        for sha in self._verdicts.by_stated_time(newest_first=True):
            moment = self._verdicts.moment(sha)
            if moment is not None:
                return moment
        return None

    def close(self) -> None:
        """Stop the blob reader's git process (also done when the clock is garbage collected)."""
        if self._reader is not None:
            self._reader.close()

    def __enter__(self) -> Clock:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_clock(
    root: Path,
    signers,
    folder: str = "submissions",
    cache_dir: Path | None = None,
    ref: str = "HEAD",
    changes_cache: Path | None = None,
) -> Clock:
    """The clock of `root/folder` at `ref` (HEAD by default); paths in the result are relative to
    `root` (POSIX).

    `signers` lists files of trusted OpenPGP certificates (e.g. `[GITHUB_WEB_FLOW]`). `cache_dir`
    keeps signature verdicts between runs (per exact certificate set), `changes_cache` what each
    commit changed (history_cache.py); give either only to trusted builds."""
    try:
        trusted = load_signers(signers)
    except SignersError as exc:
        return Clock(False, NO_SIGNERS.format(detail=str(exc)))
    try:
        repo = gitread.open_repository(root, ref)
    except gitread.NotARepository:
        return Clock(False, NOT_A_REPOSITORY)
    except gitread.NoCommits:
        return Clock(False, NO_COMMITS)
    except gitread.GitError as exc:
        return Clock(False, NO_GIT if "git not found" in str(exc) else GIT_FAILED)
    try:
        if repo.shallow:
            raw = gitread.commit_objects(repo, [repo.head])[repo.head]
            head = parse_commit(raw, repo.object_format)
            verified = None
            if head.signature is not None and head.payload is not None:
                verified = trusted.verify(head.payload, head.signature)
            moment = _moment(repo.head, verified)
            return Clock(False, SHALLOW, CommitInfo(repo.head, head.author, head.committer_timestamp, moment))
        return _build(repo, trusted, _key(folder).strip("/"), cache_dir, changes_cache)
    except gitread.GitError:
        return Clock(False, GIT_FAILED)


class _MainLine(NamedTuple):
    """The main branch's first-parent line (HEAD first) and, for every path one of its commits
    changed compared with its first parent, the position of the newest such commit."""

    changed: list[str]  # sorted
    newest: list[int]  # of each changed path: its newest commit's position on `line` (0: HEAD)
    line: list[str]
    position: dict[str, int]  # commit -> its position on `line`

    @classmethod
    def read(cls, repo: gitread.Repository, changes_cache: Path | None) -> _MainLine:
        """The main line at HEAD. What the last build found is kept (history_cache.py) as each
        changed path's newest commit counted from the line's first commit, which new commits on
        top leave as it is: then only the new commits' changes are read and placed (the whole
        line's were 0.11-0.12 CPU-s of a rebuild at 15,000 units)."""
        line = gitread.first_parent_line(repo)
        whole_root = repo.prefix.rstrip(b"/")  # criteria/ too, not only the clock's folder
        kept = history_cache.kept_line(repo, whole_root, changes_cache)
        on_top = _on_top(line, kept[0]) if kept is not None else None
        if kept is not None and on_top is not None:
            changed, ages = kept[1], kept[2]
            if on_top:
                found = gitread.changes(repo, on_top, whole_root, "--diff-merges=first-parent")
                _place(repo, changed, ages, on_top, found, len(line))
        else:  # none kept, or HEAD is not on top of it (a history rewritten, a branch reset)
            found = history_cache.changes(repo, line, whole_root, "--diff-merges=first-parent", changes_cache)
            changed, ages = [], []
            _place(repo, changed, ages, line, found, len(line))
        if on_top is None or on_top:
            history_cache.keep_line(repo, whole_root, changes_cache, (line, changed, ages))
        last = len(line) - 1
        return cls(changed, [last - age for age in ages], line, {sha: index for index, sha in enumerate(line)})

    def newest_in(self, start: str) -> dict[tuple[str, bool], int]:
        """(name, deeper) -> the position of the newest commit that changed the entry `name` of
        the folder `start` ("a/b/"): the file itself (deeper False) or a path under it (True)."""
        found: dict[tuple[str, bool], int] = {}
        changed, newest = self.changed, self.newest
        for index in range(bisect_left(changed, start), len(changed)):
            path = changed[index]
            if not path.startswith(start):
                break
            name, slash, _rest = path[len(start) :].partition("/")
            entry = (name, bool(slash))
            if newest[index] < found.get(entry, len(self.line)):
                found[entry] = newest[index]
        return found


def _on_top(line: list[str], kept: list[str]) -> list[str] | None:
    """The commits of `line` (newest first) on top of the line `kept`, when `line` ends with it;
    else None."""
    extra = len(line) - len(kept)
    return line[:extra] if extra >= 0 and line[extra:] == kept else None


def _place(
    repo: gitread.Repository,
    changed: list[str],
    ages: list[int],
    commits: list[str],
    found: dict[str, list[gitread.Change]],
    length: int,
) -> None:
    """Give each path the `commits` (newest first, on a line of `length` commits) changed the
    age of the newest of them (its place counted from the line's first commit) in `changed`
    (sorted) and `ages`, in place. A commit newer than all those placed before."""
    newest: dict[str, int] = {}
    relative = _relative_to(repo)
    for index in range(len(commits) - 1, -1, -1):  # oldest first: a newer commit's age wins
        for change in found.get(commits[index], ()):
            newest[relative(change.path)] = length - 1 - index
    if not changed:  # the whole line at once
        changed += sorted(newest)
        ages += [newest[path] for path in changed]
        return
    for path, age in newest.items():
        at = bisect_left(changed, path)
        if at < len(changed) and changed[at] == path:
            ages[at] = age
        else:
            changed.insert(at, path)
            ages.insert(at, age)


def _build(
    repo: gitread.Repository,
    trusted: TrustedSigners,
    folder: str,
    cache_dir: Path | None,
    changes_cache: Path | None,
) -> Clock:
    graph = gitread.commit_graph(repo)
    raws = gitread.commit_objects(repo, graph)
    commits = {sha: parse_commit(raw, repo.object_format) for sha, raw in raws.items()}
    del raws
    order = list(graphlib.TopologicalSorter(graph).static_order())  # parents before children
    if len(order) != len(graph):
        raise gitread.GitError("history graph names commits outside HEAD's history")
    age = {sha: index for index, sha in enumerate(order)}

    pathspec = repo.prefix + os.fsencode(folder) if folder else repo.prefix.rstrip(b"/")
    introduced: dict[str, dict[str, list[str]]] = {}  # path -> blob -> introducing commits
    paths: set[str] = set()
    relative = _relative_to(repo)
    for sha, changed in history_cache.changes(repo, order, pathspec, "-c", changes_cache).items():
        for change in changed:
            path = relative(change.path)
            paths.add(path)
            if change.blob and change.blob not in change.parent_blobs:
                introduced.setdefault(path, {}).setdefault(change.blob, []).append(sha)

    cached = signature_cache.load(cache_dir, trusted.digest) if cache_dir else {}
    verdicts = _Verdicts(commits, trusted, cached)
    needed = {sha for blobs in introduced.values() for shas in blobs.values() for sha in shas}
    contained = _contained(graph, needed, verdicts)

    clock = Clock(True)
    clock._commits = commits
    clock._verdicts = verdicts
    clock._paths = sorted(paths)
    clock._versions = {path: _versions(blobs, contained, age) for path, blobs in introduced.items()}
    at_head = history_cache.tree_at_head(repo, pathspec, changes_cache)
    clock._current = {relative(path): blob for path, blob in at_head.items()}
    clock._reader = gitread.BlobReader(repo)
    clock._repo = repo
    clock._changes_cache = changes_cache
    clock.head = clock.commit(repo.head)
    clock.latest()
    if cache_dir and verdicts.known != cached:
        signature_cache.save(cache_dir, trusted.digest, verdicts.known)
    return clock


class _Verdicts:
    """Signature verdicts, checked when first needed (a check costs about a millisecond) and
    remembered. A cached verdict counts only when it agrees with the time the signature states."""

    def __init__(self, commits: dict[str, CommitObject], trusted: TrustedSigners, cached: dict[str, int | None]):
        self._commits = commits
        self._trusted = trusted
        self.claimed: dict[str, int] = {}  # signed commit -> the time its signature states (unverified)
        for sha, commit in commits.items():
            if commit.signature is not None:
                stated = trusted.claimed_time(commit.signature)
                if stated is not None:
                    self.claimed[sha] = stated
        self.known = {
            sha: time for sha, time in cached.items() if sha in self.claimed and time in (None, self.claimed[sha])
        }

    def moment(self, sha: str) -> Moment | None:
        """The commit's own vouched moment, verifying its signature if not done yet."""
        if sha not in self.claimed:
            return None
        if sha not in self.known:
            commit = self._commits[sha]  # claimed: it carries a signature, so a payload too
            assert commit.payload is not None and commit.signature is not None
            self.known[sha] = self._trusted.verify(commit.payload, commit.signature)
        time = self.known[sha]
        return None if time is None else Moment(time, sha)

    def by_stated_time(self, newest_first: bool = False) -> list[str]:
        return sorted(self.claimed, key=lambda sha: (self.claimed[sha], sha), reverse=newest_first)


def _contained(graph: dict[str, tuple[str, ...]], needed: set[str], verdicts: _Verdicts) -> dict[str, Moment]:
    """V(C) for the commits in `needed`. Signed commits are taken by the time they state, earliest
    first; the first one that verifies and contains C gives V(C) (a valid signature states its
    true time). A signature is verified only when a needed commit without V is among the signed
    commit's ancestors: otherwise it cannot lower any V, and it is skipped."""
    settled: dict[str, Moment | None] = {}  # commit -> its V, or None when nothing at or below it is needed
    open_needed = set(needed)
    for signed in verdicts.by_stated_time():
        if not open_needed:
            break
        if signed in settled:  # an earlier vouched commit contains it, or nothing below it is needed
            continue
        block, stack = {signed}, [signed]
        while stack:
            for parent in graph.get(stack.pop(), ()):
                if parent not in settled and parent not in block:
                    block.add(parent)
                    stack.append(parent)
        if block.isdisjoint(open_needed):
            settled.update(dict.fromkeys(block))
            continue
        moment = verdicts.moment(signed)
        if moment is None:
            continue  # not vouched: a later signed commit may still contain this block
        settled.update(dict.fromkeys(block, moment))
        open_needed -= block
    return {sha: moment for sha, moment in settled.items() if moment is not None and sha in needed}


def _moment(sha: str, timestamp: int | None) -> Moment | None:
    return None if timestamp is None else Moment(timestamp, sha)


# A `Version` of a path as the clock keeps it (`Clock.state`): its blob, its introducing commit,
# and the timestamp and commit of its received moment (None, None when not received). A plain
# tuple: a cache key pickles it with every path's, and a named tuple pickles through Python code.
_Timed = tuple[str, str, int | None, str | None]


def _timed(blob: str, commit: str, moment: Moment | None) -> _Timed:
    return (blob, commit, moment.timestamp, moment.commit) if moment else (blob, commit, None, None)


def _version(path: str, timed: _Timed) -> Version:
    blob, commit, timestamp, vouched_by = timed
    received = Moment(timestamp, vouched_by) if timestamp is not None and vouched_by is not None else None
    return Version(path, blob, received, commit)


def _versions(blobs: dict[str, list[str]], contained: dict[str, Moment], age: dict[str, int]) -> tuple[_Timed, ...]:
    """A path's versions (`blobs`: each content's introducing commits), oldest first."""
    if len(blobs) == 1:  # the common case: one content, added once
        ((blob, commits),) = blobs.items()
        if len(commits) == 1:
            return (_timed(blob, commits[0], contained.get(commits[0])),)
    found = []
    for blob, commits in blobs.items():
        oldest_first = sorted(commits, key=age.__getitem__)
        timed = [c for c in oldest_first if c in contained]
        if timed:
            giver = min(timed, key=lambda c: (contained[c], age[c]))
            found.append(_timed(blob, giver, contained[giver]))
        else:
            found.append(_timed(blob, oldest_first[0], None))
    found.sort(key=lambda v: (v[2] is None, v[2] or 0, age[v[1]]))
    return tuple(found)


def _relative_to(repo: gitread.Repository) -> Callable[[bytes], str]:
    """A git path (bytes from the repository's top) as a path from the data root, decoded as
    `os.fsdecode` does. Made once per history read: it is asked for every path of every change
    and of HEAD's tree (90,000 at 15,000 units: 30-48 ms with `os.fsdecode` and the repository's
    prefix looked up per path, 18-20 ms so; the fastest of 15 runs, three rounds)."""
    prefix, start = repo.prefix, len(repo.prefix)
    encoding, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()

    def relative(path: bytes) -> str:
        if not path.startswith(prefix):
            raise gitread.GitError(f"path {path[:200]!r} outside the data root")
        return path[start:].decode(encoding, errors)

    return relative


def _key(path) -> str:
    """API paths: str or PurePath relative to the data root, POSIX."""
    if type(path) is str:
        return path
    return path.as_posix() if isinstance(path, PurePath) else str(path)
