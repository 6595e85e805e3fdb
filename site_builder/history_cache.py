"""What git said of the history, kept between builds: git is asked only of what it was not asked
before.

What `git diff-tree` says of a commit under a pathspec never changes (the commit's id names its
tree and its parents), nor what `git ls-tree` says of a tree. The clock asks the first of every
commit twice per build (the versions of every file, and the main line's newest change of every
path) and the second of HEAD's tree: at 15,000 units about 2.5 CPU-s of git and of parsing its
20 MB of output each build, although a rebuild usually adds one commit.

One file per pathspec and way of comparing merges holds the changes of the commits the last build
asked for, a pickle per build that met new commits appended after the others (a commit no longer
in the history makes it written anew without it); one per pathspec the files of the last tree
listed; one the main line the clock read last (each changed path's newest first-parent commit),
which a HEAD on top of it extends with its new commits alone. Whoever can write the folder can
decide which files a commit changed, and so when a version counts as received: like the
signature verdicts, it is given only to trusted builds.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path

from site_builder import gitread
from site_builder.cache_files import UNREADABLE_PICKLE, write_atomically

CHANGES_FORMAT = b"changes-1"
TREE_FORMAT = b"tree-1"
LINE_FORMAT = b"line-1"


def changes(
    repo: gitread.Repository, ids: Iterable[str], pathspec: bytes, merges: str, folder: Path | None
) -> dict[str, list[gitread.Change]]:
    """`gitread.changes(repo, ids, pathspec, merges)`, the commits found in `folder` read from it
    (no folder: all from git). In the order of `ids`, as git gives them."""
    ids = list(ids)
    if folder is None:
        return gitread.changes(repo, ids, pathspec, merges)
    file = folder / f"changes-{_name(repo.object_format, pathspec, merges)}.pickle"
    kept = _load(file, CHANGES_FORMAT)
    read = bool(kept)
    missing = [sha for sha in ids if sha not in kept]
    new = {}
    if missing:
        found = gitread.changes(repo, missing, pathspec, merges)
        new = {sha: found.get(sha, []) for sha in missing}  # [] for a commit with no change there
        kept.update(new)
    if not read or len(kept) != len(ids):  # none kept, or commits no longer in the history
        _save(file, CHANGES_FORMAT, {sha: kept[sha] for sha in ids})
    elif new:  # the new commits only, after the others (a rebuild adds a few to 30,000)
        _append(file, new)
    return {sha: kept[sha] for sha in ids if kept[sha]}


def tree_at_head(repo: gitread.Repository, pathspec: bytes, folder: Path | None) -> dict[bytes, str]:
    """`gitread.tree_at_head(repo, pathspec)` for a folder `pathspec`: the listing of the tree
    listed last, with what differs between that tree and HEAD's (a rebuild after one commit
    lists a few files instead of 45,000)."""
    if folder is None:
        return gitread.tree_at_head(repo, pathspec)
    tree = gitread.tree_id(repo, pathspec)
    file = folder / f"tree-{_name(repo.object_format, pathspec, '')}.pickle"
    kept = _load(file, TREE_FORMAT)
    files, old = kept.get("files"), kept.get("tree")
    if tree is None or not isinstance(files, dict) or not isinstance(old, str):
        files = gitread.tree_at_head(repo, pathspec)
    elif old != tree:
        try:
            files = _moved(files, gitread.tree_changes(repo, old, tree), pathspec + b"/" if pathspec else b"")
        except gitread.GitError:  # the old tree is gone (a rewritten history, once collected)
            files = gitread.tree_at_head(repo, pathspec)
    if tree is not None and old != tree:
        _save(file, TREE_FORMAT, {"tree": tree, "files": files})
    return files


def kept_line(repo: gitread.Repository, pathspec: bytes, folder: Path | None) -> tuple[list, list, list] | None:
    """The main line the last build read (clock._MainLine.read: its commits newest first, the
    changed paths sorted, the age of each one's newest change), or None."""
    if folder is None:
        return None
    kept = _load(_line_file(repo, pathspec, folder), LINE_FORMAT)
    line, changed, ages = kept.get("line"), kept.get("changed"), kept.get("ages")
    if not isinstance(line, list) or not isinstance(changed, list) or not isinstance(ages, list):
        return None
    if len(changed) != len(ages) or not all(type(age) is int for age in ages):
        return None
    return (line, changed, ages) if all(type(value) is str for value in (*line, *changed)) else None


def keep_line(repo: gitread.Repository, pathspec: bytes, folder: Path | None, value: tuple[list, list, list]) -> None:
    if folder is not None:
        line, changed, ages = value
        _save(_line_file(repo, pathspec, folder), LINE_FORMAT, {"line": line, "changed": changed, "ages": ages})


def _line_file(repo: gitread.Repository, pathspec: bytes, folder: Path) -> Path:
    return folder / f"line-{_name(repo.object_format, pathspec, '')}.pickle"


def _moved(files: dict[bytes, str], changes: Sequence[gitread.Change], prefix: bytes) -> dict[bytes, str]:
    for change in changes:
        if change.blob:
            files[prefix + change.path] = change.blob
        else:
            files.pop(prefix + change.path, None)
    return files


def _name(object_format: str, pathspec: bytes, merges: str) -> str:
    return hashlib.sha256(b"\0".join((object_format.encode(), pathspec, merges.encode()))).hexdigest()[:32]


def _save(file: Path, kind: bytes, value: dict) -> None:
    write_atomically(file, kind + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _load(file: Path, kind: bytes) -> dict:
    """The dicts `_save` and `_append` pickled one after the other in `file`, in one; {} when
    the file is not of this kind or one of them cannot be read (an append cut short: all is asked
    of git again)."""
    try:
        data = file.read_bytes()
    except OSError:
        return {}
    if not data.startswith(kind):
        return {}
    stream = io.BytesIO(data)
    stream.seek(len(kind))
    kept: dict = {}
    try:
        while stream.tell() < len(data):
            chunk = pickle.load(stream)
            if not isinstance(chunk, dict):
                return {}
            kept.update(chunk)
    except UNREADABLE_PICKLE:
        return {}
    return kept


def _append(file: Path, chunk: dict) -> None:
    try:
        with open(file, "ab") as handle:
            handle.write(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # the next build asks git again
