"""Write the site into the folder it already occupies, touching only files whose bytes change.

A rebuild after a one-file change used to rename the whole previous site away and write 15,000
pages and every evidence PDF again. Here a file whose bytes are the same keeps its inode and
modification time (a static host or rsync then uploads nothing for it), a changed file is
replaced by renaming a complete temporary file over it (a reader never sees half a page), and
files the new build did not produce are deleted at the end (`finish`).

Modules that write files themselves (downloads, listings, Pagefind's index) write into a
scratch folder that is then copied over with `copy_tree`, so every file of the site passes here.
The caller validates the data before the first write, so invalid data never touches the
published site.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class SiteWriter:
    def __init__(self, site: Path):
        self.site = site
        self.root = str(site)
        self.kept: set[str] = set()  # site-relative paths this build produced
        self.written = 0
        self.unchanged = 0
        self._dirs: set[str] = set()
        site.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, data: str | bytes) -> None:
        """Write `data` at `rel` unless the file already holds exactly these bytes."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = os.path.join(self.root, rel)
        self.kept.add(rel)
        try:
            if os.stat(path).st_size == len(raw):
                with open(path, "rb") as handle:
                    if handle.read() == raw:
                        self.unchanged += 1
                        return
        except OSError:
            self._mkdir(os.path.dirname(path))
        temporary = f"{path}.tmp-{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(raw)
        os.replace(temporary, path)
        self.written += 1

    def link(self, rel: str, source: str) -> None:
        """Publish `source` (a file of the data repository) at `rel`: hard-linked when the file
        system allows, else copied; left alone when it is already that file or has its bytes."""
        path = os.path.join(self.root, rel)
        self.kept.add(rel)
        try:
            have, want = os.stat(path), os.stat(source)
            if (have.st_ino, have.st_dev) == (want.st_ino, want.st_dev) or (
                have.st_size == want.st_size and have.st_mtime_ns >= want.st_mtime_ns
            ):  # a copy made after the file
                self.unchanged += 1
                return
            os.unlink(path)
        except OSError:
            self._mkdir(os.path.dirname(path))
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
        self.written += 1

    def copy_tree(
        self, source: Path, skip: tuple[str, ...] = (), leave: frozenset[str] | set[str] = frozenset(), prefix: str = ""
    ) -> None:
        """Every file under `source` at `prefix` + its relative path, but those whose path starts
        with one of `skip` and those in `leave` (written later by the caller)."""
        base = str(source)
        for folder, _dirs, names in os.walk(base):
            for name in names:
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, base).replace(os.sep, "/")
                if rel.startswith(skip) or rel in leave:
                    continue
                with open(full, "rb") as handle:
                    self.write(prefix + rel, handle.read())

    def finish(self) -> int:
        """Delete what this build did not produce, then empty folders; returns files deleted."""
        deleted = 0
        for folder, _dirs, names in os.walk(self.root, topdown=False):
            for name in names:
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, self.root).replace(os.sep, "/")
                if rel in self.kept:
                    continue
                try:
                    os.unlink(full)
                    deleted += 1
                except OSError:
                    pass
            if folder != self.root:
                try:
                    os.rmdir(folder)  # only succeeds when empty
                except OSError:
                    pass
        return deleted

    def _mkdir(self, folder: str) -> None:
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
