"""The rows of a reviewing body's table of units (its page, district.html): written here instead
of as a Jinja macro, as score_rows.py writes a unit page's.

One row per unit; each cell names its column in data-label: on a phone the row becomes a card
(site.css), name first, then total, percentage and rating. The macro spent most of its time in
Jinja's machinery (an escape into a Markup and an attribute fetch through the environment for
each of its ~25 outputs, a loop context per milestone): the 601 body pages of 15,000 units took
0.98 / 0.99 CPU-s with it, 0.76 / 0.80 with these rows. What comes from data is escaped as
autoescape did (markupsafe: & < > ' "); numbers and days come from the page's formatters, which
write none of those characters. Same bytes as the macro (the demo and 1,500-unit sites and the
257 body tables the test suite builds were compared).
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2.filters import do_int
from markupsafe import Markup

from site_builder.unit_types import label as type_label
from site_builder.website.score_rows import escape
from site_builder.website.text import day, number, status_text


def unit_rows(facts, unit_href: Callable, milestones: list[str]) -> Markup:
    """The rows of `facts` (UnitFact, in the page's order), each ending its line; `unit_href`
    gives a unit page's address, `milestones` the short title of each of the period's milestones
    (their columns' labels)."""
    return Markup("".join([_row(f, unit_href, milestones) for f in facts]))


def _row(f, unit_href: Callable, milestones: list[str]) -> str:
    received = day(f.received.date) if f.received else "—"
    if f.submitted:
        total, share = f"{number(f.total)}/{number(f.max_total)}", f"{number(f.percent)}%"
    else:
        total = share = "—"
    if f.rank_parent is None:
        rank = "—"
    else:
        rank = f"{do_int(f.rank_parent)}{' (đồng hạng)' if f.tied_parent > 1 else ''}"
    status = escape(f.status)
    cells = [
        f'<tr data-unit="{escape(f.unit.id)}"><td class="sb-main"><a href="{escape(unit_href(f))}">'
        f'{escape(f.unit.name)}</a></td><td data-label="Loại">{escape(type_label(f.unit.type))}</td>'
        f'<td data-label="Trạng thái"><span class="sb-status sb-{status}">{escape(status_text(f.status, f.proposed))}'
        f'</span></td><td class="sb-date" data-label="Ngày nộp">{received}</td>'
        f'<td class="sb-num sb-total" data-label="Tổng điểm">{total}</td>'
        f'<td class="sb-num sb-pct" data-label="Tỉ lệ">{share}</td>'
        f'<td class="sb-rating" data-label="Xếp loại">{escape(f.rating or "—")}</td>'
        f'<td data-label="Hạng">{rank}</td>'
    ]
    for index, ms in enumerate(f.milestones):
        label = escape(milestones[index]) if milestones else ""
        if ms.status == "not_required":
            cells.append(f'<td data-label="{label}">—</td>')
            continue
        late = f" ({day(ms.timing.first.date)})" if ms.status == "late" and ms.timing.first else ""
        cells.append(
            f'<td data-label="{label}"><span class="sb-status sb-{escape(ms.status)}" title="{escape(ms.title)}">'
            f"{escape(status_text(ms.status, ms.proposed))}{late}</span></td>"
        )
    cells.append("</tr>\n")
    return "".join(cells)
