"""Whether submissions/ holds a file git does not track, answered without listing every folder
when none of its folders changed since a build found none.

A rebuild reuses the last build's keys only in a clean checkout (kept_keys.py), and asking git
whether any untracked or ignored file exists lists every folder: 42,000 folders and 0.55 CPU-s at
15,000 units, a fourteenth of a rebuild after a one-file change. Adding, removing or renaming an
entry of a folder changes that folder's modification time; editing a file in place does not, but
then the file is tracked and `git status --untracked-files=no` (which only compares tracked files
with the index, 0.12 CPU-s) sees the edit. So after a build found no untracked file, the stamps
of the folders are kept (modification time, inode, link count), and the next build lists again
only the folders whose stamps differ, or every folder when too many differ.

What makes the stamps trustworthy:
- They are taken before git lists the folders: an entry added after git looked changes a stamp
  already taken.
- The folders stamped are those holding tracked files, and a folder's link count is 2 plus its
  subfolders on the file systems this relies on (ext4, xfs, tmpfs): a folder git does not know
  (an empty one, which `git status` never names, but where a file could be put later) shows as a
  link count above the tracked subfolders, and then nothing is kept. Where the file system does
  not count subfolders so (btrfs gives 1), nothing is ever kept and every build lists every folder.
- A folder changed within RACY_NS before the stamps were taken may change again within the same
  tick of its clock unseen: it is stamped as changed, so the next build lists it.
"""

from __future__ import annotations

import os
import stat
import time
from collections import Counter

from site_builder import gitread

RACY_NS = 2_000_000_000  # coarser than any file system's time stamps (FAT: 2 s)
MAX_LISTED = 500  # changed folders listed one by one; above, git lists them all
Stamps = dict[str, tuple[int, int, int] | None]  # folder (from the repository's top) -> its stamp; None: changed


def untracked_free(repo: gitread.Repository, folder: str, kept: Stamps | None) -> tuple[bool, Stamps | None]:
    """(no untracked, ignored, modified, staged or deleted path under `folder` (a path from the
    repository's top), the stamps to keep for the next build or None). `kept`: the stamps the
    last build kept."""
    changed = _changed(repo, kept) if kept else None
    if changed is not None and len(changed) <= MAX_LISTED:
        if _status(repo, "--untracked-files=no", folder):  # a tracked file edited in place
            return False, None
        if not changed:
            return True, kept
        return _listed_free(repo, folder, changed)
    return _listed_free(repo, folder, [folder])


def _listed_free(repo: gitread.Repository, folder: str, listed: list[str]) -> tuple[bool, Stamps | None]:
    """`untracked_free` by git's listing of the folders `listed`; stamps only when it found nothing."""
    stamps = stamps_of(repo, folder)  # before git lists the folders (module text)
    if _status(repo, "--untracked-files=all", *listed):
        return False, None
    return True, stamps


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
    for name in folders:
        try:
            info = os.lstat(os.path.join(repo.top, name))
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode) or info.st_nlink != 2 + subfolders[name]:
            return None
        stamps[name] = _stamp(info) if info.st_mtime_ns < racy else None
    return stamps


def _changed(repo: gitread.Repository, kept: Stamps) -> list[str]:
    """The folders whose stamps differ from those kept (or were kept as changed)."""
    changed = []
    for name, stamp in kept.items():
        try:
            now = _stamp(os.lstat(os.path.join(repo.top, name)))
        except OSError:
            now = None
        if stamp is None or now != stamp:
            changed.append(name)
    return changed


def _stamp(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_mtime_ns, info.st_ino, info.st_nlink


def _status(repo: gitread.Repository, untracked: str, *paths: str) -> bool:
    """Whether `git status` names anything under `paths` (with ignored files when `untracked`
    lists untracked ones)."""
    ignored = ["--ignored=matching"] if untracked != "--untracked-files=no" else []
    out = gitread.run(
        repo.top,
        "-c",
        "core.trustctime=false",  # a copy-mode site hard-links the PDFs, which moves their ctime
        "status",
        "--porcelain=v1",
        "-z",
        untracked,
        *ignored,
        "--no-renames",
        "--",
        *paths,
    )
    return bool(out.strip(b"\0"))
