"""Read a repository's history with a handful of git plumbing processes, checking every field.

Few processes for the whole history (one per step, never one per file or per commit):
`rev-list --parents` for the commit graph, `cat-file --batch` for the raw commit objects,
`diff-tree --stdin -c` for what each commit changed under one folder, `ls-tree` for HEAD.
Every output is NUL- or length-delimited and every object id and mode is checked, so a file name
or a commit's text can never be read as another field. Replacement objects (`refs/replace`) are
ignored: the history read is the objects' own. Repository-locating environment variables of the
caller (`GIT_DIR`, ...) are dropped so that the folder given is the repository read.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_GLOBAL = [
    "--no-replace-objects",
    "--literal-pathspecs",
    "-c",
    "core.quotePath=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=never",
    "-c",
    "core.fsmonitor=false",
]
_DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_QUARANTINE_PATH",
)
_HEX = {"sha1": re.compile(rb"[0-9a-f]{40}"), "sha256": re.compile(rb"[0-9a-f]{64}")}


class GitError(Exception):
    """git could not be run or answered something unexpected (`detail` is for the log)."""


class NotARepository(GitError):
    pass


class NoCommits(GitError):
    pass


@dataclass(frozen=True)
class Repository:
    top: Path  # the working tree's top folder
    prefix: bytes  # the data root relative to `top`, as git stores paths ("" or "data/")
    object_format: str  # "sha1" or "sha256"
    shallow: bool
    head: str  # the commit HEAD points to

    def is_id(self, value: bytes) -> bool:
        return bool(_HEX[self.object_format].fullmatch(value))


@dataclass(frozen=True)
class Change:
    """One path in one commit's diff: its object id there and in each parent ("" = absent)."""

    path: bytes  # relative to the repository's top
    blob: str
    parent_blobs: tuple[str, ...]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    return env


def run(cwd: Path, *args, stdin: bytes | None = None) -> bytes:
    """stdout of one git command; GitError (with git's stderr) when it fails."""
    try:
        done = subprocess.run(
            ["git", *_GLOBAL, *args], cwd=cwd, input=stdin, capture_output=True, env=_env(), check=False
        )
    except FileNotFoundError as exc:
        raise GitError("git not found") from exc
    except OSError as exc:
        raise GitError(f"git could not start: {exc}") from exc
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git exited {done.returncode}")
    return done.stdout


def open_repository(root: Path, ref: str = "HEAD") -> Repository:
    """The repository holding `root`, read at `ref` (a branch or commit; HEAD by default: a pull
    request's check reads the base or the head without checking it out); NotARepository / NoCommits
    for the cases that are not errors."""
    root = Path(root)
    if not root.is_dir():
        raise NotARepository(f"{root} is not a folder")
    try:
        out = run(root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "--show-object-format")
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise NotARepository(str(exc)) from exc
        raise
    lines = out.split(b"\n")
    if len(lines) < 3 or lines[1] not in (b"true", b"false") or lines[2] not in (b"sha1", b"sha256"):
        raise GitError(f"unexpected rev-parse output {out[:200]!r}")
    top = Path(os.fsdecode(lines[0])).resolve()
    try:
        relative = root.resolve().relative_to(top).as_posix()
    except ValueError as exc:
        raise GitError(f"{root} is not inside {top}") from exc
    prefix = b"" if relative == "." else os.fsencode(relative) + b"/"
    object_format = lines[2].decode()
    try:
        head = run(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}").strip()
    except GitError as exc:
        raise NoCommits(str(exc)) from exc
    if not _HEX[object_format].fullmatch(head):
        raise GitError(f"unexpected HEAD {head[:100]!r}")
    return Repository(top, prefix, object_format, lines[1] == b"true", head.decode())


def commit_graph(repo: Repository) -> dict[str, tuple[str, ...]]:
    """Every commit reachable from HEAD -> its parents, in `rev-list --topo-order` order."""
    graph: dict[str, tuple[str, ...]] = {}
    for line in run(repo.top, "rev-list", "--topo-order", "--parents", repo.head, "--").split(b"\n"):
        if not line:
            continue
        ids = line.split(b" ")
        if not all(repo.is_id(i) for i in ids):
            raise GitError(f"unexpected rev-list line {line[:200]!r}")
        graph[ids[0].decode()] = tuple(i.decode() for i in ids[1:])
    return graph


def commit_objects(repo: Repository, ids) -> dict[str, bytes]:
    """The raw objects of `ids` (all commits), read by one `cat-file --batch`."""
    ids = list(ids)
    out = run(repo.top, "cat-file", "--batch", stdin=b"".join(i.encode() + b"\n" for i in ids))
    objects: dict[str, bytes] = {}
    position = 0
    for expected in ids:
        newline = out.find(b"\n", position)
        header = out[position:newline].split(b" ") if newline >= 0 else []
        if len(header) != 3 or header[0] != expected.encode() or header[1] != b"commit" or not header[2].isdigit():
            raise GitError(f"unexpected cat-file header {out[position : position + 200]!r}")
        start = newline + 1
        stop = start + int(header[2])
        if out[stop : stop + 1] != b"\n":
            raise GitError("cat-file output cut short")
        objects[expected] = out[start:stop]
        position = stop + 1
    return objects


def changes(repo: Repository, ids, pathspec: bytes, merges: str = "-c") -> dict[str, list[Change]]:
    """For each commit of `ids` whose tree differs under `pathspec` from its parents: the paths
    that differ from every parent (`-c`), or from the first parent
    (`merges="--diff-merges=first-parent"`), with their object ids. Root commits compare with
    nothing; renames are never guessed."""
    args: list[str | bytes] = [
        "diff-tree",
        "--stdin",
        "-r",
        merges,
        "--root",
        "-z",
        "--no-abbrev",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "--ignore-submodules=none",
        "--",
    ]
    if pathspec:
        args.append(pathspec)
    out = run(repo.top, *args, stdin=b"".join(i.encode() + b"\n" for i in ids))
    tokens = out.split(b"\0")
    if tokens and tokens[-1] == b"":
        tokens.pop()
    result: dict[str, list[Change]] = {}
    current: list[Change] | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith(b":"):
            if current is None or index + 1 >= len(tokens):
                raise GitError(f"diff-tree entry without commit or path {token[:200]!r}")
            current.append(_change(repo, token, tokens[index + 1]))
            index += 2
            continue
        if not repo.is_id(token):
            raise GitError(f"unexpected diff-tree token {token[:200]!r}")
        current = result.setdefault(token.decode(), [])
        index += 1
    return result


def _change(repo: Repository, meta: bytes, path: bytes) -> Change:
    """`::m1 m2 mR o1 o2 oR SS` (one colon per parent) followed by the path."""
    parents = len(meta) - len(meta.lstrip(b":"))
    if not path or not _entry_pattern(repo.object_format, parents).fullmatch(meta):
        raise GitError(f"unexpected diff-tree entry {meta[:200]!r}")
    ids = meta[parents:].split(b" ")[parents + 1 : -1]
    names = tuple("" if i.count(b"0") == len(i) else i.decode() for i in ids)
    return Change(path, names[-1], names[:-1])


@functools.lru_cache(maxsize=16)
def _entry_pattern(object_format: str, parents: int) -> re.Pattern:
    """One check for a whole raw diff entry with `parents` parents."""
    size = 40 if object_format == "sha1" else 64
    modes = b" ".join([rb"[0-7]{6}"] * (parents + 1))
    ids = b" ".join([rb"[0-9a-f]{%d}" % size] * (parents + 1))
    return re.compile(b":" * parents + modes + b" " + ids + rb" [ACDMTUX]+")


def first_parent_line(repo: Repository) -> list[str]:
    """HEAD, its first parent, that one's first parent, ... (newest first): the versions of the
    main branch, one per merged pull request."""
    return run(repo.top, "rev-list", "--first-parent", repo.head, "--").decode().split()


@functools.lru_cache(maxsize=4)  # asked by the checks' kept keys, the folder stamps and the history's cache alike
def tree_id(repo: Repository, folder: bytes) -> str | None:
    """The id of the tree HEAD has at `folder` (a path from the repository's top; b"": the whole
    tree); None when HEAD has no such folder. Remembered: `repo` names HEAD's commit, whose
    trees never change."""
    try:
        out = run(
            repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{repo.head}:{os.fsdecode(folder)}"
        )
    except GitError:
        return None
    found = out.strip()
    return found.decode() if repo.is_id(found) else None


@functools.lru_cache(maxsize=4)  # a rebuild compares the same two trees of submissions/ three times
def tree_changes(repo: Repository, old: str, new: str) -> tuple[Change, ...]:
    """The files that differ between the trees `old` and `new` (paths relative to them), each
    with its object id in `new` ("" when gone) and in `old`. Remembered: trees named by their
    ids never change."""
    out = run(repo.top, "diff-tree", "-r", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", old, new)
    tokens = out.split(b"\0")
    if tokens and tokens[-1] == b"":
        tokens.pop()
    if len(tokens) % 2:
        raise GitError(f"unexpected diff-tree output {out[:200]!r}")
    return tuple(_change(repo, meta, path) for meta, path in zip(tokens[::2], tokens[1::2]))


def tree_at_head(repo: Repository, pathspec: bytes) -> dict[bytes, str]:
    """Every file under `pathspec` at HEAD -> its object id."""
    args: list[str | bytes] = ["ls-tree", "-r", "-z", "--full-tree", repo.head, "--"]
    if pathspec:
        args.append(pathspec)
    entry_pattern = _tree_pattern(repo.object_format)
    files: dict[bytes, str] = {}
    for entry in run(repo.top, *args).split(b"\0"):
        if not entry:
            continue
        match = entry_pattern.fullmatch(entry)
        if match is None:
            raise GitError(f"unexpected ls-tree entry {entry[:200]!r}")
        files[match[2]] = match[1].decode()
    return files


@functools.lru_cache(maxsize=2)
def _tree_pattern(object_format: str) -> re.Pattern:
    size = 40 if object_format == "sha1" else 64
    return re.compile(rb"[0-7]{6} [a-z]+ ([0-9a-f]{%d})\t(.+)" % size, re.DOTALL)


class BlobReader:
    """Contents of objects by id through one long-lived `git cat-file --batch` process."""

    def __init__(self, repo: Repository):
        self._repo = repo
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None

    def read(self, blob: str) -> bytes:
        if not isinstance(blob, str) or not self._repo.is_id(blob.encode()):
            raise KeyError(f"mã đối tượng git không hợp lệ: {blob!r}")
        with self._lock:
            stdin, stdout = self._start()
            stdin.write(blob.encode() + b"\n")
            stdin.flush()
            header = stdout.readline().rstrip(b"\n").split(b" ")
            if len(header) == 3 and header[0] == blob.encode() and header[2].isdigit():
                data = stdout.read(int(header[2]))
                stdout.read(1)
                if header[1] == b"blob":
                    return data
            elif len(header) != 2 or header[1] != b"missing":
                self.close()  # out of step with the process: start a new one next time
                raise GitError(f"unexpected cat-file answer {header!r}")
        raise KeyError(f"kho git không có tệp (blob) {blob}")

    def _start(self) -> tuple[IO[bytes], IO[bytes]]:
        """The running process's pipes, starting it when needed."""
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                ["git", *_GLOBAL, "cat-file", "--batch"],
                cwd=self._repo.top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_env(),
            )
            self._finalizer = weakref.finalize(self, _stop, self._process)
        assert self._process.stdin is not None and self._process.stdout is not None  # both are PIPE
        return self._process.stdin, self._process.stdout

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._process = None
        self._finalizer = None


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()
    finally:
        if process.stdout:
            process.stdout.close()
