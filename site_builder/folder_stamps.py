"""Whether submissions/ holds a file git does not track, answered without listing every folder
when none of its folders changed since a build found none.

A rebuild reuses the last build's keys only in a clean checkout (kept_keys.py), and asking git
whether any untracked or ignored file exists lists every folder: 42,000 folders and 0.55 CPU-s at
15,000 units, a fourteenth of a rebuild after a one-file change. Adding, removing or renaming an
entry of a folder changes that folder's modification time; editing a file in place does not, but
then the file is tracked and `git status --untracked-files=no` (which only compares tracked files
with the index, 0.12 CPU-s) sees the edit. A file can also become untracked without any folder
changing, when git stops tracking it (`git rm --cached` then a commit, a reset to a commit without
it): such paths are in git's diff from the tree the stamps were taken with to HEAD's. So after a
build found no untracked file, the stamps of the folders are kept (modification time, inode,
link count) with that tree, and the next build lists again only the folders whose stamps differ
and those of the paths that left the tree, or every folder when too many differ.

What makes the stamps trustworthy:
- They are taken before git lists the folders, and the folders to list are found by comparing
  those stamps with the kept ones: an entry added after git looked changes a stamp already
  taken, and is listed next time.
- The folders stamped are those holding tracked files, and a folder's link count is 2 plus its
  subfolders on the file systems this relies on (ext4, xfs, tmpfs): a folder git does not know
  (an empty one, which `git status` never names, but where a file could be put later) shows as a
  link count above the tracked subfolders, and then nothing is kept. Where the file system does
  not count subfolders so (btrfs gives 1), nothing is ever kept and every build lists every folder.
- A folder changed within RACY_NS before the stamps were taken may change again within the same
  tick of its clock unseen: it is stamped as changed, so the next build lists it.

What it does not see: a file put into a folder whose time is then set back by hand (`touch -d`,
a copy tool told to keep the times of another copy of the same folder) without adding a folder.
Git's own cache of untracked files rests on the same times. `site-builder build --no-cache`
keeps nothing and lists every folder.
"""

from __future__ import annotations

import os
import stat
import time
from collections import Counter
from typing import NamedTuple

from site_builder import gitread

RACY_NS = 2_000_000_000  # coarser than any file system's time stamps (FAT: 2 s)
MAX_LISTED = 500  # changed folders listed one by one; above, git lists them all
Stamps = dict[str, tuple[int, int, int] | None]  # folder (from the repository's top) -> its stamp; None: changed


class Kept(NamedTuple):
    tree: str  # the folder's tree at HEAD when the stamps were taken
    stamps: Stamps


def untracked_free(
    repo: gitread.Repository, folder: str, tree: str | None, kept: Kept | None
) -> tuple[bool, Kept | None]:
    """(no untracked, ignored, modified, staged or deleted path under `folder` (a path from the
    repository's top), what to keep for the next build or None). `tree`: the folder's tree at
    HEAD; `kept`: what the last build kept."""
    if kept is not None and tree is not None:
        if _status(repo, folder, untracked=False):  # a tracked file edited in place, or staged
            return False, None
        left = _left_the_index(repo, folder, kept.tree, tree)
        if left is not None and not left and _unchanged(repo, kept.stamps):
            return True, kept
        stamps = stamps_of(repo, folder)  # before git lists anything (module text)
        listed = _to_list(folder, kept, stamps, left)
    else:
        stamps, listed = stamps_of(repo, folder), [folder]
    clean = not _status(repo, *listed)
    return clean, Kept(tree, stamps) if clean and stamps is not None and tree is not None else None


def _unchanged(repo: gitread.Repository, stamps: Stamps) -> bool:
    """Every folder has the stamp kept (none was kept as changed). One `lstat` per folder, the
    loop kept tight: it runs over every folder of every rebuild (42,000 at 15,000 units)."""
    top, lstat = os.fspath(repo.top) + os.sep, os.lstat
    try:
        for name, stamp in stamps.items():
            info = lstat(top + name)
            if _stamp(info) != stamp:  # None: kept as changed
                return False
    except OSError:
        return False
    return True


def _to_list(folder: str, kept: Kept, stamps: Stamps | None, left: set[str] | None) -> list[str]:
    """The folders git must list: those whose stamps differ from the kept ones or were not
    stamped then or now, and those of the paths that left the tree; all of `folder` when these
    cannot be told (no stamps, trees git cannot compare) or are more than MAX_LISTED."""
    if stamps is None or left is None:
        return [folder]
    changed = {name for name, stamp in stamps.items() if stamp is None or kept.stamps.get(name) != stamp}
    changed |= left | (kept.stamps.keys() - stamps.keys())
    return (sorted(changed) or [folder]) if len(changed) <= MAX_LISTED else [folder]


def _left_the_index(repo: gitread.Repository, folder: str, old: str, new: str) -> set[str] | None:
    """The folders of the paths the tree `old` of `folder` has and `new` has not (a file git
    stops tracking stays on disk, untracked, without any folder changing); None when git cannot
    compare the trees."""
    if old == new:
        return set()
    try:
        changes = gitread.tree_changes(repo, old, new)
    except gitread.GitError:
        return None
    return {os.path.dirname(f"{folder}/{os.fsdecode(c.path)}") for c in changes if not c.blob}


def stamps_of(repo: gitread.Repository, folder: str) -> Stamps | None:
    """The stamp of every folder holding a tracked file under `folder`, or None when one of them
    is not a plain folder or has a subfolder git does not know of (or the file system does not
    count subfolders in a folder's link count)."""
    listed = gitread.run(repo.top, "ls-files", "-z", "--", folder)
    folders, subfolders = {folder}, Counter[str]()
    for path in os.fsdecode(listed).split("\0"):
        parent = os.path.dirname(path)
        while parent not in folders and parent.startswith(folder + "/"):
            folders.add(parent)
            subfolders[os.path.dirname(parent)] += 1
            parent = os.path.dirname(parent)
    racy = time.time_ns() - RACY_NS
    stamps: Stamps = {}
    top = os.fspath(repo.top) + os.sep
    for name in folders:
        try:
            info = os.lstat(top + name)
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode) or info.st_nlink != 2 + subfolders[name]:
            return None
        stamps[name] = _stamp(info) if info.st_mtime_ns < racy else None
    return stamps


def _stamp(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_mtime_ns, info.st_ino, info.st_nlink


def _status(repo: gitread.Repository, *paths: str, untracked: bool = True) -> bool:
    """Whether `git status` names anything under `paths`: with `untracked`, untracked and ignored
    files too; else only tracked files that differ from the index or HEAD."""
    shown = ["--untracked-files=all", "--ignored=matching"] if untracked else ["--untracked-files=no"]
    out = gitread.run(
        repo.top,
        "-c",
        "core.trustctime=false",  # a copy-mode site hard-links the PDFs, which moves their ctime
        "status",
        "--porcelain=v1",
        "-z",
        *shown,
        "--no-renames",
        "--",
        *paths,
    )
    return bool(out.strip(b"\0"))
