"""Reviewing bodies' pages (one per body and period: its office's score, its units' rows, its
scoring workbook), left alone when unchanged, as unit pages are (unit_pages.py).

A body's page names its body's data version (facts.py `body_data_version`: the newest commit that
changed its registry file or the files of a unit it shows), not the data commit of the whole site,
and no build date; a page whose units did not change is then byte-identical to the last one.
Its key digests what the page shows: the office's and the units' facts (their digests, made once
per build for unit pages and downloads too: facts.FactDigest, which leaves ranks out), the units'
ranks within the body (the page shows no other), the body, its data version, the years it has a
page in, its scoring workbook's link and the review queue's count, and what every page shares
(`unit_pages.site_key`: the page shell, the templates and the code). Pages whose key and file did not change are kept
without being rendered or read (file_manifest.py, one blob of this kind per output folder).
"""

from __future__ import annotations

import hashlib

from site_builder.website.facts import PeriodFacts
from site_builder.website.file_manifest import Manifest
from site_builder.website.key_bytes import key_bytes
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import page_title
from site_builder.website.unit_pages import site_key

CACHE_KIND = "district-pages"


def write_all(run, renderer, reviewing, deep, room: int, writer: SiteWriter) -> tuple[int, Manifest]:
    """Write (or keep) every reviewing body's page of every period; returns the number of pages
    and the manifest recording them (`Manifest.save` once the site is in place; no ranks kept)."""
    manifest = Manifest.load(run.cache, writer.site, CACHE_KIND)
    base = site_key(run, deep, room) if run.cache is not None else b""
    pages = 0
    for period in run.periods:
        pf = run.all_facts[period.id]
        for parent_id in pf.parents:
            pages += 1
            title = renderer.parent_title(pf, parent_id)
            rel = run.layout.parent(period.id, parent_id) + "index.html"
            key = _page_key(base, pf, parent_id, title, renderer, reviewing) if run.cache is not None else None
            if key is not None and manifest.kept(writer, rel, key) is not None:
                continue
            writer.write(
                rel,
                deep.render(
                    f"{title} — {period.title}",
                    renderer.parent_page(pf, parent_id, title),
                    page_title(title, period.title, room),
                ),
                digest=True,
            )
    return pages, manifest


def _page_key(base: bytes, pf: PeriodFacts, parent_id: str, title: str, renderer, reviewing) -> str | None:
    period_id = pf.period.id
    shown = [parent_id] if parent_id in pf.units else []
    digests = [pf.digest(unit_id) for unit_id in [*shown, *pf.parents[parent_id]]]  # facts.FactDigest, made once
    if None in digests:
        return None
    body = pf.registry.bodies.get(parent_id)
    workbook = reviewing.workbook(period_id, parent_id) if body else None  # what _review_workbook.html shows
    material = key_bytes(
        (
            period_id,
            parent_id,
            title,
            bool(shown),
            [(pf.units[u].rank_parent, pf.units[u].tied_parent) for u in pf.parents[parent_id]],
            body,
            renderer.parent_provenance(pf, parent_id),
            sorted(pid for pid, other in renderer.all.items() if parent_id in other.parents),
            (workbook.href, workbook.name, workbook.size) if workbook is not None else None,
            reviewing.queue_count(period_id, parent_id) if body else None,
        )
    )
    if material is None:
        return None
    return hashlib.sha256(base + b"".join(d.rows + d.rest for d in digests if d is not None) + material).hexdigest()
