"""Small JSON files the browser fetches on demand, one per district, for the transparency listing.

A national listing has ~15,000 rows; one file per district keeps every fetch small.
"""

from __future__ import annotations

import json

from site_builder.unit_types import label as type_label
from site_builder.website.facts import PeriodFacts
from site_builder.website.pages import TEMPLATE_FILE, Layout, areas
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import plain, short_title, status_text


def listing_folder(period: str) -> str:
    return f"{period}/du-lieu"


def write_listing(writer: SiteWriter, pf: PeriodFacts, layout: Layout, demo: bool = False) -> str:
    """Writes <period>/du-lieu/<area>.json and an index; returns the index path. (File sizes are
    checked for the whole site by site_size.)"""
    folder = listing_folder(pf.period.id)
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
        text = json.dumps({"district": d["name"], "units": rows}, ensure_ascii=False, separators=(",", ":"))
        writer.write(f"{folder}/{d['slug']}.json", text)
        districts.append({"name": d["name"], "slug": d["slug"], "total": d["total"]})
    writer.write(f"{folder}/index.json", json.dumps(index, ensure_ascii=False, separators=(",", ":")))
    return f"{folder}/index.json"
