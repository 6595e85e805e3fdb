"""Write the site into the folder it already occupies, touching only files whose bytes change.

A rebuild after a one-file change used to rename the whole previous site away and write 15,000
pages and every evidence PDF again. Here a file whose bytes are the same keeps its inode and
modification time (a static host or rsync then uploads nothing for it). A changed file is written
beside its place under a temporary name and only renamed over it in `finish`, together with the
evidence links and the deletion of files the new build did not produce: a build that fails before
(a page that cannot be made, a site over its size budget) leaves the previous site as it was
(`abort` removes the temporary files), and a reader never sees half a page. Into a folder the
build creates, files are written in place: there is no previous site to keep, `abort` removes the
folder, and a first build at 15,000 units was spared 35,000 renames and failed look-ups.

A module that writes files itself (the editors' schemas) writes into a scratch folder that is
then copied over with `copy_tree`, so every file of the site passes here.
The caller validates the data before the first write, so invalid data never touches the
published site.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from site_builder.website import site_listing


class SiteWriter:
    def __init__(self, site: Path):
        self.site = site
        self.root = str(site)
        self.sizes: dict[str, int] = {}  # every site-relative path this build produced -> its bytes
        self.digests: dict[str, str] = {}  # path -> SHA-256 of what was written there, when asked for
        self.kept: set[str] = set()  # paths left as they were (`keep`)
        self.committing = False  # set once `finish` starts changing the site
        self._dirs: set[str] = set()
        self._pending: dict[str, str] = {}  # place -> the temporary file to rename there
        self._links: dict[str, str] = {}  # place -> the data file to link there
        self.listing: site_listing.Listing | None = None  # what the site holds once finished
        self._created = not site.exists()
        site.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, data: str | bytes, digest: bool = False) -> None:
        """Write `data` at `rel` unless the file already holds exactly these bytes. `digest`: note
        their SHA-256 in `digests` (a manifest records it: hashed here, from memory, instead of
        being read back from the site's files, 450 MB of unit pages at 15,000 units)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = self._claim(rel)  # a later write of the same place wins
        self.sizes[rel] = len(raw)
        if digest:
            self.digests[rel] = hashlib.sha256(raw).hexdigest()
        if self._created:  # a folder this build made: no previous site to keep, and `abort` removes it whole
            self._mkdir(os.path.dirname(path))
            with open(path, "wb") as handle:
                handle.write(raw)
            return
        try:
            if os.stat(path).st_size == len(raw):
                with open(path, "rb") as handle:
                    if handle.read() == raw:
                        return
        except OSError:
            self._mkdir(os.path.dirname(path))
        temporary = f"{path}.tmp-{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(raw)
        self._pending[path] = temporary

    def keep(self, rel: str, size: int) -> None:
        """The file at `rel` already holds what this build makes there (the caller knows it
        without reading it: website/file_manifest.py)."""
        self._claim(rel)
        self.sizes[rel] = size
        self.kept.add(rel)

    def link(self, rel: str, source: str) -> None:
        """Publish `source` (a file of the data repository) at `rel`: hard-linked when the file
        system allows, else copied; left alone when it is already that file or has its bytes."""
        want = os.stat(source)
        path = self._claim(rel)
        self.sizes[rel] = want.st_size
        try:
            have = os.stat(path)
            if (have.st_ino, have.st_dev) == (want.st_ino, want.st_dev) or (
                have.st_size == want.st_size and have.st_mtime_ns >= want.st_mtime_ns
            ):  # a copy made after the file
                return
        except OSError:
            pass
        self._links[path] = source

    def copy_tree(
        self, source: Path, skip: tuple[str, ...] = (), leave: frozenset[str] | set[str] = frozenset(), prefix: str = ""
    ) -> None:
        """Every file under `source` at `prefix` + its relative path, but those whose path starts
        with one of `skip` and those in `leave` (written later by the caller)."""
        base = str(source)
        for folder, _dirs, names in os.walk(base):
            under = _relative(folder, base)
            for name in names:
                full = os.path.join(folder, name)
                rel = under + name
                if rel.startswith(skip) or rel in leave:
                    continue
                with open(full, "rb") as handle:
                    self.write(prefix + rel, handle.read())

    def finish(self, kept: site_listing.Listing | None = None) -> int:
        """Put the changed files in place, link the evidence, then, in a folder the build did not
        create, delete what it did not produce and the folders left empty; returns files deleted.
        `kept`: what the site held when the last build finished it (site_listing.py): only the
        folders changed since are listed, else every folder is. `listing` is then what the site
        holds, for the next build."""
        self.committing = True
        found = site_listing.compare(self.root, kept) if kept is not None and not self._created else None
        touched: set[str] = set()  # folders this finish changed an entry of
        for path, temporary in self._pending.items():
            os.replace(temporary, path)
            touched.add(self._folder_of(path))
        for path, source in self._links.items():
            self._mkdir(os.path.dirname(path))
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            try:
                os.link(source, path)
            except OSError:
                shutil.copyfile(source, path)
            touched.add(self._folder_of(path))
        self._pending, self._links = {}, {}
        folders = site_listing.folders_of(self.sizes)
        if self._created:  # it holds only what this build wrote (35,000 files to list at 15,000 units)
            deleted = 0
        elif kept is None or found is None:
            deleted = self._delete_unmade(self.root)
        else:
            deleted = self._sweep(kept, found, folders, touched)
        self.listing = site_listing.made(self.root, self.sizes, folders, found.unchanged if found else {}, touched)
        return deleted

    def _sweep(
        self, kept: site_listing.Listing, found: site_listing.Found, folders: set[str], touched: set[str]
    ) -> int:
        """`_delete_unmade` told by the last listing: the files it held that this build did not
        make are deleted, and only the folders changed since are listed (what they hold that no
        build made goes, and any folder in them neither build knows, whole)."""
        deleted = 0
        for rel in kept.files - self.sizes.keys():
            folder = rel.rpartition("/")[0]
            if folder not in found.unchanged:  # gone, or listed below
                continue
            try:
                os.unlink(os.path.join(self.root, rel))
                deleted += 1
                touched.add(folder)
            except OSError:
                pass
        known = folders | kept.folders.keys()
        for folder in found.changed:
            under = folder + "/" if folder else ""
            try:
                with os.scandir(os.path.join(self.root, folder)) as listing:
                    entries = list(listing)
            except OSError:
                continue
            for entry in entries:
                rel = under + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if rel not in known:
                        deleted += self._delete_unmade(entry.path)
                        touched.add(folder)
                elif rel not in self.sizes:
                    try:
                        os.unlink(entry.path)
                        deleted += 1
                        touched.add(folder)
                    except OSError:
                        pass
        for folder in sorted(touched - folders, key=len, reverse=True):  # deepest first
            while folder and folder not in folders:  # a folder left without a file of this build
                try:
                    os.rmdir(os.path.join(self.root, folder))
                except OSError:
                    break
                folder = folder.rpartition("/")[0]
                touched.add(folder)
        return deleted

    def _delete_unmade(self, top: str) -> int:
        """Delete every file under `top` this build did not produce, and the folders left empty
        (`top` too, unless it is the site's own); returns files deleted."""
        deleted = 0
        emptied: set[str] = set()  # folders removed below: their parent may be empty now
        for folder, dirs, names in os.walk(top, topdown=False):
            under = _relative(folder, self.root)
            left = len(names) + len(dirs)
            for name in names:
                if under + name in self.sizes:
                    continue
                try:
                    os.unlink(os.path.join(folder, name))
                    deleted += 1
                    left -= 1
                except OSError:
                    pass
            left -= sum(os.path.join(folder, d) in emptied for d in dirs)
            if folder != self.root and left == 0:  # not tried on every folder: 16,000 at 15,000 units
                try:
                    os.rmdir(folder)
                    emptied.add(folder)
                except OSError:
                    pass
        return deleted

    def _folder_of(self, path: str) -> str:
        """The site-relative folder of `path` (a path under the site's)."""
        return _relative(os.path.dirname(path), self.root)[:-1]

    def plan(self) -> tuple:
        """What this writer prepared, for another writer to `adopt` (a forked worker's writer
        hands its pages to the build's)."""
        return self.sizes, self._pending, self.digests

    def adopt(self, plan: tuple) -> None:
        sizes, pending, digests = plan
        for rel in sizes:
            self._claim(rel)
        self.sizes.update(sizes)
        self.digests.update(digests)
        self._pending.update(pending)

    def abort(self) -> None:
        """Undo a build that did not reach `finish`: its temporary files go, and a site folder
        this build created goes with them; the previous site stays as it was."""
        if self._created:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        for path in list(self._pending):
            self._forget(path)
        self._links = {}

    def _claim(self, rel: str) -> str:
        """The path of `rel`, cleared of what an earlier call of this build planned or noted for it."""
        path = os.path.join(self.root, rel)
        self._forget(path)
        self.digests.pop(rel, None)
        self.kept.discard(rel)
        return path

    def _forget(self, path: str) -> None:
        """Drop what an earlier call of this build planned for `path`."""
        self._links.pop(path, None)
        temporary = self._pending.pop(path, None)
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass

    def _mkdir(self, folder: str) -> None:
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)


def _relative(folder: str, base: str) -> str:
    """`folder` (os.walk's, under `base`) as the prefix of its files' site-relative paths: "" or
    "a/b/" (os.path.relpath per file doubled the time of a walk over a national site)."""
    under = folder[len(base) :].lstrip(os.sep)
    return under.replace(os.sep, "/") + "/" if under else ""
