"""The site's search index, made as soon as the data has validated, before anything is scored.

What Pagefind indexes is known by then: each unit's name, type, level, area and managing body,
and the reviewing bodies' pages. Pagefind peaks at about 390 MB while it writes the index of
15,000 units. Made at the end of a build, beside the build's process holding every unit's facts
(0.93 GB), it took the process tree to 1.3 GB; made here, beside a process of 0.36 GB, the tree
peaked at 0.72 GB (measured at 15,000 units). The index is kept in the build cache under a digest
of its entries and reused while they do not change, which is most rebuilds (names change rarely).
When the output folder still holds the files the last build wrote for the same entries (a
manifest of them, as for unit pages), they are kept there without being read from the cache or
compared: 16,000 files at 15,000 units.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from site_builder.build_cache import BuildCache
from site_builder.cache_files import UNREADABLE_PICKLE
from site_builder.model import Dataset, Organization, Period
from site_builder.scoring import assessed_units
from site_builder.unit_types import label as type_label
from site_builder.website import search
from site_builder.website.file_manifest import Manifest
from site_builder.website.pages import Layout, body_title
from site_builder.website.site_writer import SiteWriter

CACHE_KIND = "search"
FILES_KIND = "search-files"  # the manifest of the index's files in an output folder


@dataclass
class Index:
    """The index of the site's entries: its files (path under the site's pagefind/ -> bytes), or,
    when the output folder holds them as the last build wrote them, their sizes there."""

    key: str  # names the files in the manifest: the entries' digest and how many files they made
    manifest: Manifest
    files: dict[str, bytes] | None = None
    kept: dict[str, int] | None = None

    def publish(self, writer: SiteWriter) -> Manifest:
        """Put the files in the site through `writer` (or keep them there); returns the manifest to
        save once the site is in place."""
        for rel, size in (self.kept or {}).items():
            writer.keep(rel, size)
            self.manifest.record(rel, self.key)
        for name, data in (self.files or {}).items():
            rel = f"{search.FOLDER}/{name}"
            writer.write(rel, data, digest=True)
            self.manifest.record(rel, self.key)
        return self.manifest


def entries(dataset: Dataset, periods: list[Period], layout: Layout) -> list[search.Entry]:
    """One entry per unit page and per reviewing body's page, in the order the pages are made."""
    org: Organization = dataset.registry.organization
    out = []
    for period in periods:
        registry = dataset.registry.period(period.id)
        area = period.structure.area_label
        bodies: dict[str, None] = {}
        for unit in assessed_units(dataset, period):
            level = f" ({unit.level})" if unit.level else ""
            where = f", {unit.area}" if unit.area else ""
            out.append(
                search.Entry(
                    layout.unit(period.id, unit.id),
                    unit.name,
                    f"{type_label(unit.type)}{level}{where} · {period.title}",
                    f"{unit.id} {registry.body_name(unit.parent)} {area}",
                )
            )
            bodies.setdefault(unit.parent)
        for body_id in bodies:
            out.append(
                search.Entry(
                    layout.parent(period.id, body_id),
                    body_title(org, registry, body_id),
                    f"Danh sách đơn vị trực thuộc · {period.title}",
                    body_id,
                )
            )
    return out


def made(dataset: Dataset, periods: list[Period], layout: Layout, cache: BuildCache | None, site: Path) -> Index:
    """The index for the site in `site`: kept there, made by Pagefind or reused from the cache,
    where its files are kept as one entry; no file for a site without units, which has no index.
    At 15,000 units they are 16,000 files: written to a folder, copied to the cache and copied again
    into the site, they cost 1-3 CPU-s more (two alternated pairs of full builds)."""
    manifest = Manifest.load(cache, site, FILES_KIND)
    found = entries(dataset, periods, layout)
    if not found:
        return Index("", manifest, files={})
    key = search.entries_key(found)
    kept = _in_site(manifest, str(site), key) if cache is not None and cache.keep_blob(CACHE_KIND, key) else None
    if kept is not None:
        return Index(_files_key(key, len(kept)), manifest, kept=kept)
    files = _load(cache.blob(CACHE_KIND, key)) if cache is not None else None
    if files is None:
        indexing = search.Indexer()
        try:
            indexing.add(found)
            files = indexing.finish()
        finally:
            indexing.close()  # also when it failed: no Pagefind left running
        if cache is not None:
            cache.put_blob(CACHE_KIND, key, pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
    return Index(_files_key(key, len(files)), manifest, files=files)


def _files_key(key: str, count: int) -> str:
    return f"{key}:{count}"


def _in_site(manifest: Manifest, root: str, key: str) -> dict[str, int] | None:
    """Path -> size of the index's files when the site holds every file the last build wrote for
    these entries, each as written; else None."""
    recorded = manifest.entries
    files_key = _files_key(key, len(recorded))
    if not recorded or any(entry[0] != files_key for entry in recorded.values()):
        return None
    sizes = {}
    for rel in recorded:
        size = manifest.unchanged(root, rel, files_key)
        if size is None:
            return None
        sizes[rel] = size
    return sizes


def _load(data: bytes | None) -> dict[str, bytes] | None:
    if data is None:
        return None
    try:
        files = pickle.loads(data)
    except UNREADABLE_PICKLE:
        return None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, bytes) for k, v in files.items()):
        return None
    return files
