"""What the last build wrote into an output folder, so that the next one can keep a file as it is
without making it again or reading it: for each file, the key of what it was made from, the
size, time and inode it had when written, and the SHA-256 of its bytes (unit_pages.py says why
each is there)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from site_builder import heap
from site_builder.build_cache import file_sha256
from site_builder.cache_files import UNREADABLE_PICKLE
from site_builder.website import site_listing
from site_builder.website.site_writer import SiteWriter


class Manifest:
    """Site-relative path -> (key, size, modification time in ns, inode, ranks, SHA-256) of the
    file the last build wrote there; kept in the build cache under a digest of the output folder,
    one blob per kind of file (`kind`: unit pages, reviewing bodies' pages, the search index's
    files, the downloads' JSON parts, the scoring workbooks). Loaded before the files are written;
    each file this build writes or keeps is `record`ed, and `save` replaces the blob once the site
    is in place."""

    def __init__(self, cache, site: Path, kind: str):
        self.cache = cache
        self.kind = kind
        self.name = site_listing.site_name(site)
        self.entries: dict[str, tuple] = {}  # the last build's
        self.pages: dict[str, tuple[str, tuple | None]] = {}  # this build's files: path -> key, ranks
        self.found: dict[str, tuple[tuple, str | None]] = {}  # path -> stamps, SHA-256 of a file found unchanged

    @classmethod
    def load(cls, cache, site: Path, kind: str) -> Manifest:
        """The manifest the last build into `site` kept (empty when none or unreadable)."""
        manifest = cls(cache, site, kind)
        data = cache.blob(kind, manifest.name) if cache is not None else None
        with heap.uncollected():  # it lives as long as the build (heap.py)
            try:
                loaded = pickle.loads(data) if data else {}
            except UNREADABLE_PICKLE:
                loaded = {}
            heap.keep_in_build()
        manifest.entries = loaded if isinstance(loaded, dict) else {}
        return manifest

    def record(self, rel: str, key: str, ranks: tuple | None = None) -> None:
        """The file at `rel` is written or kept for `key` by this build."""
        self.pages[rel] = (key, ranks)

    def unchanged(self, root: str, rel: str, key: str) -> int | None:
        """The size of the file at `rel` when it is the one written for `key`, else None."""
        known = self.entries.get(rel)
        if known is None or known[0] != key:
            return None
        path = f"{root}{os.sep}{rel}"  # not os.path.join: asked for every page of every rebuild
        try:
            stat = os.stat(path)
            stamps = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            if stamps == known[1:4]:
                self.found[rel] = (stamps, known[5] if len(known) > 5 else None)
                return stat.st_size
            if len(known) > 5 and stat.st_size == known[1] and file_sha256(path) == known[5]:
                self.found[rel] = (stamps, known[5])  # the same bytes in another file (restored by publish.yml)
                return stat.st_size
        except OSError:
            pass
        return None

    def kept(self, writer: SiteWriter, rel: str, key: str) -> int | None:
        """Record `rel` as made for `key`; when the site holds the file written for it, keep it
        there (`writer.keep`) and return its size."""
        self.record(rel, key)
        size = self.unchanged(writer.root, rel, key)
        if size is not None:
            writer.keep(rel, size)
        return size

    def sha256(self, rel: str) -> str | None:
        """The SHA-256 of the file `unchanged` found at `rel`, when this manifest knows it."""
        found = self.found.get(rel)
        return found[1] if found is not None else None

    def ranks(self, rel: str) -> tuple | None:
        """The ranks the page at `rel` showed when written."""
        known = self.entries.get(rel)
        return known[4] if known is not None and len(known) > 4 else None

    def save(self, writer: SiteWriter) -> None:
        """After `writer` put the site in place: the key, the file stamps, the ranks and the SHA-256
        of every file this build recorded. A file the writer kept as this manifest found it is
        not looked at again (15,000 unit pages at 15,000 units); the SHA-256 of a file it wrote is
        the one it noted (450 MB of unit pages not read back after a first build), else the file
        is read."""
        if self.cache is None:
            return
        entries = {}
        for rel, (key, ranks) in self.pages.items():
            found = self.found.get(rel) if rel in writer.kept else None
            if found is not None and found[1] is not None:
                entries[rel] = (key, *found[0], ranks, found[1])
                continue
            path = os.path.join(writer.root, rel)
            try:
                stat = os.stat(path)
                stamps = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                entries[rel] = (key, *stamps, ranks, writer.digests.get(rel) or self._digest(rel, path, stamps))
            except OSError:
                continue
        self.cache.put_blob(self.kind, self.name, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))

    def _digest(self, rel: str, path: str, stamps: tuple) -> str:
        """The SHA-256 known for the file while it has these stamps (recorded by the last build or
        found by this one), else read."""
        found = self.found.get(rel)
        if found is not None and found[0] == stamps and found[1] is not None:
            return found[1]
        known = self.entries.get(rel)
        if known is not None and len(known) > 5 and known[1:4] == stamps:
            return known[5]
        return file_sha256(path)
