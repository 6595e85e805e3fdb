"""Small JSON files the browser fetches on demand, one per district, for the transparency listing.

A national listing has ~15,000 rows; one file per district keeps every fetch small. The build
cache keeps each district's file under a digest of its units' facts (their ranks aside, which
the listing does not show): a rebuild formats again only the districts whose units changed
(formatting every row took 0.6 CPU-s at 15,000 units).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys

from site_builder import unit_types
from site_builder.cache_files import UNREADABLE_PICKLE, sources_digest
from site_builder.unit_types import label as type_label
from site_builder.website import pages as pages_module
from site_builder.website import text as text_module
from site_builder.website.facts import PeriodFacts
from site_builder.website.pages import TEMPLATE_FILE, Layout, areas
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import plain, short_title, status_text


def listing_folder(period: str) -> str:
    return f"{period}/du-lieu"


CACHE_KIND = "listing"  # the build cache's blobs: a district's file and the digest it was made from


def write_listing(writer: SiteWriter, pf: PeriodFacts, layout: Layout, demo: bool = False, cache=None) -> str:
    """Writes <period>/du-lieu/<area>.json and an index; returns the index path. (File sizes are
    checked for the whole site by site_size.) `cache`: build_cache.BuildCache or None."""
    folder = listing_folder(pf.period.id)
    base = _base_key(pf, layout, demo) if cache is not None else None
    districts: list[dict] = []
    index = {
        "period": pf.period.id,
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "short": short_title(m.title),
                "due": m.due.isoformat(),
                "proposed": m.provisional,
            }
            for m in pf.period.milestones
        ],
        "demo": demo,  # the organisation's data is a demonstration: its repository links lead nowhere
        "districts": districts,
    }
    for d in areas(pf):
        key = _area_key(base, pf, d["units"]) if base is not None else None
        entry = hashlib.sha256(f"{pf.period.id}\0{d['slug']}".encode()).hexdigest()
        text = _kept(cache.blob(CACHE_KIND, entry), key) if key is not None else None
        if text is None:
            text = _area_file(d, pf, layout)
            if key is not None:
                cache.put_blob(CACHE_KIND, entry, pickle.dumps((key, text), protocol=pickle.HIGHEST_PROTOCOL))
        writer.write(f"{folder}/{d['slug']}.json", text)
        districts.append({"name": d["name"], "slug": d["slug"], "total": d["total"]})
    writer.write(f"{folder}/index.json", json.dumps(index, ensure_ascii=False, separators=(",", ":")))
    return f"{folder}/index.json"


def _area_file(d: dict, pf: PeriodFacts, layout: Layout) -> str:
    """The JSON of one district's units."""
    rows = []
    for f in d["units"]:
        rows.append(
            {
                "id": f.unit.id,
                "name": f.unit.name,
                "type": f.unit.type,
                "type_label": type_label(f.unit.type),
                "parent": f.unit.parent,
                "href": layout.unit(f.period, f.unit.id),
                "status": f.status,
                "status_label": status_text(f.status, f.proposed),
                "date": f.received.day.isoformat() if f.received else None,
                "late": f.on_time is False,
                "total": plain(f.total),
                "max": plain(f.max_total),
                "percent": plain(f.percent),
                "rating": f.rating or None,
                # GitHub editor links: "Sửa" for a submitted unit, "Nộp bài" (with its template) otherwise
                "edit": f.edit_url or None,
                "new": f.new_url or None,
                "template": layout.unit(f.period, f.unit.id) + TEMPLATE_FILE if f.template else None,
                # evidence as counts: the unit's page lists the files and links under each criterion
                "evidence": f.evidence_counts,
                "milestones": [
                    {
                        "status": ms.status,
                        "status_label": status_text(ms.status, ms.proposed),
                        "date": ms.timing.first.day.isoformat() if ms.timing.first else None,
                    }
                    for ms in f.milestones
                ],
            }
        )
    return json.dumps({"district": d["name"], "units": rows}, ensure_ascii=False, separators=(",", ":"))


def _base_key(pf: PeriodFacts, layout: Layout, demo: bool) -> bytes:
    """What every district's file depends on beside its units' facts: the code that formats it,
    the period, the layout of the site's addresses and whether the data is a demonstration."""
    digest = sources_digest(sys.modules[__name__], text_module, pages_module, unit_types)
    digest.update(pickle.dumps((pf.period.id, layout.latest, demo), protocol=pickle.HIGHEST_PROTOCOL))
    return digest.digest()


def _area_key(base: bytes, pf: PeriodFacts, units: list) -> str | None:
    """The digest of a district's units' facts (None when one of them cannot be digested)."""
    digest = hashlib.sha256(base)
    for f in units:
        facts = pf.digest(f.unit.id)
        if facts is None:
            return None
        digest.update(f.unit.id.encode() + b"\0" + facts.rows + facts.rest)
    return digest.hexdigest()


def _kept(data: bytes | None, key: str) -> str | None:
    try:
        kept_key, text = pickle.loads(data) if data is not None else (None, None)
    except UNREADABLE_PICKLE:
        return None
    return text if kept_key == key and isinstance(text, str) else None
