"""What a site folder held when the last build finished it, so that finishing the next one need
not list every folder to find the files it no longer makes.

Finishing a site walked it whole to delete what the build did not make (and whatever else was
put there): 16,000 folders and 35,000 files at 15,000 units, 0.2 CPU-s of a rebuild that rewrote
a few hundred pages. Adding, removing or renaming an entry of a folder changes the folder's
modification time, so a finished site's files are kept with the stamp (modification time, inode)
of each of its folders; the next finish deletes the kept files the build did not make and lists
only the folders whose stamp changed since or that it does not know (site_writer.py).

The stamps are trustworthy as folder_stamps.py's are: a folder is stamped before it is listed
(an entry added after that changes the stamp kept), a folder this finish wrote into or deleted
from is stamped afterwards, and a folder whose time is within RACY_NS of the stamping is kept as
changed (an entry added within the same tick of its clock would not show). Not seen: an entry
put into a folder whose time is then set back by hand.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import NamedTuple

from site_builder.cache_files import UNREADABLE_PICKLE
from site_builder.folder_stamps import RACY_NS

KIND = "site-listing"
Stamp = tuple[int, int]  # modification time in ns, inode


class Listing(NamedTuple):
    files: frozenset[str]  # site-relative paths of the files the site held
    folders: dict[str, Stamp | None]  # each folder holding them ("" the site's own) -> stamp; None: changed


class Found(NamedTuple):
    """The kept folders as the next finish found them, before it changed anything."""

    unchanged: dict[str, Stamp]  # folder -> its stamp, the one kept
    changed: list[str]  # folders with another stamp, or kept as changed (to list)


def load(cache, site: Path) -> Listing | None:
    """The listing the last build kept for `site`, or None (none, unreadable, or no cache)."""
    data = cache.blob(KIND, site_name(site)) if cache is not None else None
    try:
        listing = pickle.loads(data) if data else None
    except UNREADABLE_PICKLE:
        return None
    if not isinstance(listing, tuple) or len(listing) != 2:
        return None
    files, folders = listing
    return Listing(files, folders) if isinstance(files, frozenset) and isinstance(folders, dict) else None


def save(cache, site: Path, listing: Listing) -> None:
    if cache is not None:
        cache.put_blob(KIND, site_name(site), pickle.dumps(tuple(listing), protocol=pickle.HIGHEST_PROTOCOL))


def compare(root: str, kept: Listing) -> Found:
    """Each kept folder's stamp now against the one kept; a folder gone, or now something else
    (a link is not followed), is neither: its parent's stamp moved, and listing it finds that."""
    unchanged: dict[str, Stamp] = {}
    changed: list[str] = []
    top, lstat = root + os.sep, os.lstat  # the loop kept tight: every folder of every rebuild
    for folder, kept_stamp in kept.folders.items():
        try:
            info = lstat(top + folder)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        now = (info.st_mtime_ns, info.st_ino)
        if now == kept_stamp:
            unchanged[folder] = now
        else:
            changed.append(folder)
    return Found(unchanged, changed)


def made(root: str, files: Iterable[str], folders: Collection[str], unchanged: dict[str, Stamp], touched: set[str]):
    """The listing of the finished site holding `files` in `folders`: a folder found unchanged
    and left alone keeps the stamp found; the others are stamped now."""
    racy = time.time_ns() - RACY_NS
    stamps: dict[str, Stamp | None] = {}
    top = root + os.sep
    for folder in folders:
        found = None if folder in touched else unchanged.get(folder)
        if found is None:
            try:
                info = os.lstat(top + folder)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode) and info.st_mtime_ns < racy:
                found = (info.st_mtime_ns, info.st_ino)
        stamps[folder] = found
    return Listing(frozenset(files), stamps)


def folders_of(files: Iterable[str]) -> set[str]:
    """Every folder holding one of `files` (site-relative paths), up to the site's own ("")."""
    folders = {""}
    for rel in files:
        folder = rel.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def site_name(site: Path) -> str:
    """The build cache's name for what it keeps of an output folder (this listing, the
    manifests of file_manifest.py): a digest of the folder's resolved path."""
    return hashlib.sha256(str(Path(site).resolve()).encode("utf-8")).hexdigest()[:32]
