"""Render the HTML of every generated page from the gathered facts (Jinja2, autoescaped; a
unit's page, made 15,000 times in a national build, by unit_html.py, which escapes alike).

Text typed by units and reviewers (notes, comments, names) is escaped by the template engine,
so markup in a submission shows as text. Links are relative so the site works from any folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlsplit

import jinja2

from site_builder import resources
from site_builder.messages import EVIDENCE_KIND_LABELS
from site_builder.model import Organization, PeriodRegistry
from site_builder.timeliness import LATE
from site_builder.unit_types import label as type_label
from site_builder.unit_types import order as type_order
from site_builder.website import body_rows, charts, page_parts, score_rows
from site_builder.website.facts import PeriodFacts, UnitFact
from site_builder.website.text import (
    STATUS_LABELS,
    day,
    fold,
    moment,
    natural_key,
    number,
    plain,
    short_title,
    slug,
    status_text,
)
from site_builder.website.unit_html import UnitPageHtml

T = TypeVar("T")
TEMPLATES = resources.templates_dir()
RANKING_LIMIT = 200
TEMPLATE_FILE = "mau-tu-danh-gia.yaml"  # next to a unit's page when it has not submitted yet
COMPARE = "so-sanh"  # the page comparing a period's reviewing bodies
TOP_LIMIT = 5


def environment(commit_url, cache=None) -> jinja2.Environment:
    """`cache` (build_cache.BuildCache): compiled templates are kept there across builds
    (compiling them is a second of every build; Jinja checks each template's source is unchanged).
    A build makes its own environment and its templates do not change while it runs: no
    `auto_reload`, which asked the file system for a template's time at every import and include
    (twice per unit page: 0.5 s of a 15,000-unit build, sampled)."""
    bytecode = jinja2.FileSystemBytecodeCache(str(cache.templates_folder())) if cache is not None else None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=bytecode,
        auto_reload=False,
    )
    env.filters.update(
        {
            "num": page_number,
            "plain": lambda v: "" if plain(v) is None else plain(v),
            "day": day,
            "moment": moment,
            "type_label": type_label,
            "status_label": lambda s: STATUS_LABELS.get(s, s),
            "status_text": status_text,
            "kind_label": lambda k: EVIDENCE_KIND_LABELS.get(k, k),
            "commit_url": commit_url,
            "host": _host,
            "size": _size,
            "short_title": short_title,
            "fold": fold,
            "relurl": lambda path: quote(path),
            "signed": signed,
            "isoday": isoday,
            "evidence_url": evidence_url,
        }
    )
    env.globals.update(
        {
            "years_bar": page_parts.years_bar,
            "provenance": page_parts.provenance,
            "rank": page_parts.rank,
            "unit_rows": body_rows.unit_rows,
        }
    )
    once = env.globals["once"] = _rendered_once(env)

    def criterion_head(item) -> str:
        return once("criterion_head", item.id, item.text, item.mandatory)

    env.globals["score_rows"] = score_rows.row_writer(criterion_head, page_number, evidence_url, _host)
    return env


@functools.lru_cache(maxsize=4096)
def page_number(value, empty: str = "—") -> str:
    """`number`, remembered: a national build formats 1.8 million values on its unit pages, nearly
    all of them a few dozen distinct scores."""
    return number(value, empty)


def _rendered_once(env: jinja2.Environment):
    """`once(name, *args, **kwargs)`: the macro `name` of `_macros.html` for these arguments,
    rendered the first time and remembered for the build. For the macros whose output depends on
    their arguments alone and takes few distinct values (a table's frame, a status badge, a
    criterion's first cells): a Jinja macro call costs ~15 µs, and a unit page made twenty of
    them, 4 CPU-s of a 15,000-unit build."""
    made: dict[tuple, str] = {}

    def once(name: str, *args, **kwargs) -> str:
        key = (name, args, tuple(sorted(kwargs.items())))
        found = made.get(key)
        if found is None:
            macros = env.get_template("_macros.html").module
            found = made[key] = getattr(macros, name)(*args, **kwargs)
        return found

    return once


def evidence_url(href: str, base: str) -> str:
    """A PDF's address: in the site (copied, relative to the page) or on GitHub (`evidence: link`)."""
    return href if href.startswith("https://") else base + quote(href)


def signed(value) -> str:
    """+2,5 / −1 / 0 / — (a change from one year to the next)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + number(abs(value))


def isoday(value: str) -> str:
    """ "2024-06-21" (a date typed in a data file) -> "21/06/2024"; anything else unchanged."""
    try:
        return day(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _host(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if len(parts.path) <= 30 else parts.path[:29] + "…"
    return (parts.hostname or url) + (path if path != "/" else "")


def _size(n) -> str:
    if n is None:
        return "—"
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{number(n / 1024)} KB"
    return f"{number(n / 1048576)} MB"


def href(base: str, path: str) -> str:
    return (base + path) or "./"


@dataclass
class Layout:
    """Where each page of a period lives; the newest period's overview pages sit at the root."""

    latest: str

    def period_prefix(self, period: str) -> str:
        return "" if period == self.latest else f"{period}/"

    def page(self, period: str, kind: str) -> str:
        """Site-relative folder URL of an overview page ('' = home)."""
        prefix = self.period_prefix(period)
        return f"{prefix}{kind}/" if kind else prefix

    def page_md(self, period: str, kind: str) -> str:
        prefix = self.period_prefix(period)
        return f"{prefix}{kind or 'index'}.md"

    @staticmethod
    def unit(period: str, unit_id: str) -> str:
        return f"{period}/don-vi/{unit_id}/"

    @staticmethod
    def parent(period: str, parent_id: str) -> str:
        return f"{period}/quan-ly/{parent_id}/"


def body_title(org: Organization, registry: PeriodRegistry, body_id: str) -> str:
    """The title of a reviewing body's page: the Department's own units are listed under its name."""
    if body_id == org.id:
        return f"Đơn vị trực thuộc {org.name}"
    return registry.body_name(body_id)


def depth_prefix(url: str) -> str:
    """'a/b/' -> '../../' (relative path from that page back to the site root)."""
    return "../" * url.strip("/").count("/") + ("../" if url.strip("/") else "")


def summary(facts: list[UnitFact]) -> dict:
    """Units, submitted, missing, late and the average percentage of the submitted. The overview
    pages ask it of every area and every reviewing body (each unit twice), so the fields are read
    as they are: a unit is late when its filing's status is (`UnitFact.on_time`), a percentage
    counts unless it is None or NaN (NaN is not equal to itself)."""
    submitted = [f for f in facts if f.submitted]
    percents = [p for p in (f.percent for f in submitted) if p is not None and p == p]
    return {
        "total": len(facts),
        "submitted": len(submitted),
        "missing": len(facts) - len(submitted),
        "late": sum(1 for f in submitted if f.timing is not None and f.timing.status == LATE),
        "average": round(sum(percents) / len(percents), 2) if percents else math.nan,
    }


def period_summary(pf: PeriodFacts) -> dict:
    """`summary` of all the period's units, made once (the home page and the years' table ask)."""
    return dict(_made_once(pf, "summary", lambda: summary(list(pf.units.values()))))


def _made_once(pf: PeriodFacts, name: str, make: Callable[[], T]) -> T:
    """What the pages make of a period's facts under `name`, made the first time asked (PeriodFacts.views)."""
    if name not in pf.views:
        pf.views[name] = make()
    return pf.views[name]


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def areas(pf: PeriodFacts) -> list[dict]:
    """Units grouped by area (district or ward, as the period calls it), in natural order
    ("Quận 3" before "Quận 10"); units without an area are listed last. Made once per period's
    facts (the home page, the listing and its data each ask: 0.03 CPU-s a time at 15,000 units);
    each caller gets dicts of its own (the listing adds to them)."""
    return [dict(d) for d in _made_once(pf, "areas", lambda: _areas(pf))]


def _areas(pf: PeriodFacts) -> list[dict]:
    grouped: dict[str, list[UnitFact]] = {}
    for f in pf.units.values():
        grouped.setdefault(f.unit.area, []).append(f)
    out = []
    for name in sorted(grouped, key=lambda n: (n == "", natural_key(n))):
        units = grouped[name]
        out.append(
            {"name": name or "Không ghi địa bàn", "slug": slug(name or "khac"), "units": units, **summary(units)}
        )
    return out


def is_ranked(f: UnitFact) -> bool:
    return f.submitted and f.rank_type is not None


def ranked(facts, limit: int) -> list[UnitFact]:
    """The first `limit` submitted units by rank, then by name (natural order) within a tie.
    A unit's rank is at most its place (tied units share the best place), so a unit ranked below
    `limit` cannot be among the first `limit`: only the others are sorted, not the thousands of
    names of a national year (twice per build, home page and rankings)."""
    candidates = [f for f in facts if is_ranked(f) and not f.rank_type > limit]  # NaN kept, as sorting keeps it
    return sorted(candidates, key=lambda f: (f.rank_type, natural_key(f.unit.name)))[:limit]


class PageRenderer:
    def __init__(
        self,
        env: jinja2.Environment,
        layout: Layout,
        periods: list,
        all_facts: dict[str, PeriodFacts],
        org,
        provenance: dict,
    ):
        self.env = env
        self.layout = layout
        self.periods = periods  # Period objects, oldest first
        self.all = all_facts
        self.org = org
        self.prov = provenance
        self._cache: dict[str, jinja2.Template] = {}
        self._links: dict[str, set[str]] | None = None
        self._alone: set[str] | None = None  # `history`'s units without one
        self._unit_html: UnitPageHtml | None = None

    def _t(self, name: str) -> jinja2.Template:
        if name not in self._cache:
            self._cache[name] = self.env.get_template(name)
        return self._cache[name]

    def _common(self, url: str, period_id: str, kind: str | None) -> dict:
        b = depth_prefix(url)
        links = {}
        if kind is not None:
            links = {p.id: href(b, self.layout.page(p.id, kind)) for p in self.periods}
        return {
            "b": b,
            "periods": self.periods,
            "year_links": links,
            "prov": self.prov,
            "pb": self.layout.period_prefix(period_id),
            "org": self.org,
            "history_note": self.prov.get("history_note", ""),
        }

    def unit_href(self, b: str):
        return lambda f: b + self.layout.unit(f.period, f.unit.id)

    # ------------------------------------------------------------------ per unit
    def unit_page(self, f: UnitFact) -> str:
        url = self.layout.unit(f.period, f.unit.id)
        ctx = self._common(url, f.period, None)
        b = ctx["b"]
        pf = self.all[f.period]
        ctx["year_links"] = {
            pid: b + self.layout.unit(pid, f.unit.id) for pid, other in self.all.items() if f.unit.id in other.units
        }
        ctx["prov"] = self.unit_provenance(f)
        history = self.history(f, b)
        parent_href = b + self.layout.parent(f.period, f.unit.parent) if f.unit.parent in pf.parents else ""
        return self.unit_html().page(
            f,
            pf.period,
            b=b,
            prov=ctx["prov"],
            history_note=ctx["history_note"],
            periods=self.periods,
            year_links=ctx["year_links"],
            history=history,
            trend=charts.trend(history),
            parent_href=parent_href,
            ranks=f.ranks,
        )

    def unit_html(self) -> UnitPageHtml:
        """What writes a unit page's body, made once (before page workers fork: unit_pages.py)."""
        if self._unit_html is None:
            self._unit_html = UnitPageHtml(self.env, self.org, TEMPLATE_FILE)
            self._t("_macros.html")  # what its `once` snippets render
        return self._unit_html

    def rank_cards(self, f: UnitFact, ranks: tuple) -> str:
        """The unit page's rank cards for these ranks (`UnitFact.ranks`), as the page renders them."""
        return str(page_parts.rank_cards(type_label(f.unit.type), f.parent_name, ranks))

    def unit_provenance(self, f: UnitFact) -> dict:
        """A unit page names its own data version (facts.py `_data_version`) and no build date:
        it then stays byte-identical, and is not rewritten, while other units change."""
        return self._versioned(f.data_version)

    def parent_provenance(self, pf: PeriodFacts, parent_id: str) -> dict:
        """A reviewing body's page names its body's data version (facts.py `body_data_version`),
        as a unit page names its unit's, and no build date."""
        return self._versioned(pf.body_versions.get(parent_id))

    def _versioned(self, version) -> dict:
        if version is None or not self.prov.get("commit"):
            return self.prov
        commit_url = self.env.filters["commit_url"]
        return {
            **self.prov,
            "commit": version.sha,
            "commit_url": commit_url(version) if self.prov.get("commit_url") else "",
            "commit_date": version.committer_date,
            "build_date": None,
        }

    def history(self, f: UnitFact, b: str) -> list[dict]:
        """The unit across the school years, oldest first, including the units it continues
        (`replaces`) and those that continue it; with the change from the year before. Empty
        for a unit of one year only, told without making its row: every unit page's key asks,
        and most units of a year have no other."""
        if f.unit.id in self._units_alone():
            return []
        related = self.lineage(f.unit.id)
        rows, previous = [], None
        for p in self.periods:
            facts = self.all.get(p.id)
            found = [facts.units[u] for u in related if facts and u in facts.units]
            for other in found:
                row = {
                    "period": p.id,
                    "title": p.title,
                    "name": other.unit.name,
                    "id": other.unit.id,
                    "href": b + self.layout.unit(p.id, other.unit.id),
                    "current": other is f,
                    "submitted": other.submitted,
                    "total": other.total,
                    "max_total": other.max_total,
                    "percent": other.percent,
                    "rating": other.rating,
                    "status": other.status,
                    "groups": other.group_totals,
                    "parent": other.parent_name,
                    "change": math.nan,
                    "group_changes": [],
                }
                if previous is not None and other.submitted and previous["submitted"]:
                    row["change"] = round(other.percent - previous["percent"], 2)
                    before = {g[0]: g for g in previous["groups"]}
                    row["group_changes"] = [
                        (g[0], g[1], round(g[2] - before[g[0]][2], 2))
                        for g in row["groups"]
                        if g[0] in before and not _nan(g[2]) and not _nan(before[g[0]][2]) and g[3] == before[g[0]][3]
                    ]
                rows.append(row)
            if found:
                previous = rows[-1]
        return rows if len(rows) > 1 else []

    def _units_alone(self) -> set[str]:
        """The units of one school year only, none continuing or continued by another: told once
        for all units instead of walking each one's lineage and years (every unit page's key asks)."""
        if self._alone is None:
            years = Counter(u for p in self.periods if p.id in self.all for u in self.all[p.id].units)
            self._alone = {u for u, count in years.items() if count == 1} - self._linked().keys()
        return self._alone

    def _linked(self) -> dict[str, set[str]]:
        """Unit -> the units it continues and those that continue it (`replaces`)."""
        if self._links is None:
            self._links = {}
            for facts in self.all.values():
                for fact in facts.units.values():
                    for old in fact.unit.replaces:
                        self._links.setdefault(fact.unit.id, set()).add(old)
                        self._links.setdefault(old, set()).add(fact.unit.id)
        return self._links

    def lineage(self, unit_id: str) -> list[str]:
        """The unit and every unit linked to it by `replaces`, in either direction, over all years."""
        links = self._linked()
        seen, todo = [unit_id], [unit_id]
        while todo:
            for other in sorted(links.get(todo.pop(), ())):
                if other not in seen:
                    seen.append(other)
                    todo.append(other)
        return seen

    def parent_page(self, pf: PeriodFacts, parent_id: str, title: str) -> str:
        url = self.layout.parent(pf.period.id, parent_id)
        ctx = self._common(url, pf.period.id, None)
        b = ctx["b"]
        ctx["year_links"] = {
            pid: b + self.layout.parent(pid, parent_id) for pid, other in self.all.items() if parent_id in other.parents
        }
        ctx["prov"] = self.parent_provenance(pf, parent_id)
        children = [pf.units[u] for u in pf.parents.get(parent_id, [])]
        children.sort(key=lambda f: (type_order(f.unit.type), natural_key(f.unit.name)))
        office = pf.units.get(parent_id)
        derived = [it for g in office.groups for it in g.items if it.derived] if office else []
        body = pf.registry.bodies.get(parent_id)
        return self._t("district.html").render(
            title=title,
            period=pf.period,
            office=office,
            derived=derived,
            children=children,
            body=body,
            summary=summary(children),
            unit_href=self.unit_href(b),
            structure=pf.period.structure,
            office_href=b + self.layout.unit(pf.period.id, parent_id) if office else "",
            **ctx,
        )

    # ------------------------------------------------------------------ overview pages
    def home(self, pf: PeriodFacts) -> str:
        url = self.layout.page(pf.period.id, "")
        ctx = self._common(url, pf.period.id, "")
        grades = [level.label for level in pf.period.rating]
        rated = Counter(f.rating for f in pf.units.values() if f.submitted)  # one pass, not one per grade
        counts = [(label, rated[label]) for label in grades]
        counts.append(("Chưa nộp", len(pf.units) - rated.total()))
        years = self.year_summary()
        trend = [(y["title"], y["average"]) for y in years if not _nan(y["average"])]
        chart = {
            "grades": charts.bars(
                f"Số đơn vị theo xếp loại, {pf.period.title}", counts, " đơn vị", colours=charts.GRADE_COLOURS
            ),
            "trend": charts.bars("Tỉ lệ điểm trung bình (% điểm tối đa) của các đơn vị đã nộp", trend, "%", 100)
            if len(trend) > 1
            else "",
        }
        top = []
        for unit_type, of_type in _by_type(pf).items():
            best = ranked(of_type, TOP_LIMIT)
            if best:
                top.append({"label": type_label(unit_type), "units": best})
        return self._t("home.html").render(
            period=pf.period,
            stats=period_summary(pf),
            charts=chart,
            top=top,
            areas=areas(pf),
            unit_href=self.unit_href(ctx["b"]),
            years=years,
            structure=pf.period.structure,
            compare=bool(pf.tier_bodies),
            **ctx,
        )

    def year_summary(self) -> list[dict]:
        """Each school year in one line: units, submitted, late, average percentage, change."""
        rows, previous = [], None
        for p in self.periods:
            if p.id not in self.all:
                continue
            row = {"period": p.id, "title": p.title, **period_summary(self.all[p.id]), "change": math.nan}
            if previous is not None and not _nan(row["average"]) and not _nan(previous["average"]):
                row["change"] = round(row["average"] - previous["average"], 2)
            rows.append(row)
            previous = row
        return rows

    def listing(self, pf: PeriodFacts, index_json: str) -> str:
        url = self.layout.page(pf.period.id, "cong-khai")
        ctx = self._common(url, pf.period.id, "cong-khai")
        b = ctx["b"]
        rows = areas(pf)
        for d in rows:
            parents = sorted({f.unit.parent for f in d["units"]}, key=lambda p: natural_key(self.parent_title(pf, p)))
            d["pages"] = [
                {"href": b + self.layout.parent(pf.period.id, p), "title": self.parent_title(pf, p)} for p in parents
            ]
        return self._t("listing.html").render(
            period=pf.period, areas=rows, types=_types(pf), structure=pf.period.structure, index_json=index_json, **ctx
        )

    def parent_title(self, pf: PeriodFacts, parent_id: str) -> str:
        return body_title(self.org, pf.registry, parent_id)

    def offices(self, pf: PeriodFacts) -> str:
        """The reviewing bodies of the period's tier side by side: their own score when they are
        assessed (district offices), and how their units did."""

        url = self.layout.page(pf.period.id, COMPARE)
        ctx = self._common(url, pf.period.id, COMPARE)
        ctx["year_links"] = {
            p: link for p, link in ctx["year_links"].items() if p in self.all and self.all[p].tier_bodies
        }
        b = ctx["b"]
        rows = []
        for body_id in sorted(pf.tier_bodies, key=lambda i: natural_key(self.parent_title(pf, i))):
            office = pf.units.get(body_id)
            children = [pf.units[u] for u in pf.parents.get(body_id, [])]
            rows.append(
                {
                    "id": body_id,
                    "title": self.parent_title(pf, body_id),
                    "fact": office,
                    "href": b + self.layout.parent(pf.period.id, body_id),
                    "summary": summary(children),
                    "derived": [it for g in office.groups for it in g.items if it.derived and it.applicable]
                    if office
                    else [],
                }
            )
        assessed = [r for r in rows if r["fact"] is not None]
        chart = (
            charts.bars(
                f"Tỉ lệ điểm (% điểm tối đa) của các {pf.period.structure.tier_label}, {pf.period.title}",
                [(r["title"], r["fact"].percent if r["fact"].submitted else None, r["id"]) for r in assessed],
                "%",
                100,
            )
            if assessed
            else ""
        )
        children_chart = charts.bars(
            f"Tỉ lệ điểm trung bình của các đơn vị trực thuộc, {pf.period.title}",
            [
                (r["title"], r["summary"]["average"] if not _nan(r["summary"]["average"]) else None, r["id"])
                for r in rows
            ],
            "%",
            100,
        )
        return self._t("districts.html").render(
            period=pf.period,
            offices=rows,
            assessed=bool(assessed),
            chart=chart,
            children_chart=children_chart,
            structure=pf.period.structure,
            **ctx,
        )

    def rankings(self, pf: PeriodFacts) -> str:
        url = self.layout.page(pf.period.id, "xep-hang")
        ctx = self._common(url, pf.period.id, "xep-hang")
        tables = []
        for unit_type, of_type in _by_type(pf).items():
            count = sum(map(is_ranked, of_type))
            tables.append(
                {
                    "type": unit_type,
                    "label": type_label(unit_type),
                    "count": count,
                    "units": ranked(of_type, RANKING_LIMIT),
                    "hidden": count > RANKING_LIMIT,
                }
            )
        return self._t("rankings.html").render(
            period=pf.period, tables=tables, structure=pf.period.structure, unit_href=self.unit_href(ctx["b"]), **ctx
        )

    def criteria(self, period, all_periods: list) -> str:
        url = self.layout.page(period.id, "tieu-chi")
        ctx = self._common(url, period.id, "tieu-chi")
        ctx["periods"] = all_periods
        ctx["year_links"] = {p.id: href(ctx["b"], self.layout.page(p.id, "tieu-chi")) for p in all_periods}
        catalogues = [period.catalogues[t] for t in sorted(period.catalogues, key=type_order)]
        rating = [{"label": level.label, "rule": rating_rule(level.when)} for level in period.rating]
        return self._t("criteria.html").render(period=period, catalogues=catalogues, rating=rating, **ctx)

    def downloads(self, rows: list[dict]) -> str:
        ctx = self._common("tai-du-lieu/", self.layout.latest, None)
        return self._t("downloads.html").render(downloads=rows, **ctx)

    def search(self) -> str:
        ctx = self._common("tim-kiem/", self.layout.latest, None)
        pf = self.all[self.layout.latest]
        return self._t("search.html").render(
            example=search_example(pf),
            structure=pf.period.structure,
            has_tier=bool(pf.tier_bodies),
            has_units=bool(pf.units),
            **ctx,
        )


def search_example(pf: PeriodFacts) -> str:
    """A word to try in the search box, from this repository's own data: the first area (else unit
    name) with diacritics, so the page shows that typing without them finds it too."""
    names = sorted(
        {f.unit.area for f in pf.units.values() if f.unit.area} or {f.unit.name for f in pf.units.values()},
        key=natural_key,
    )
    return next((n for n in names if fold(n) != n.lower()), names[0] if names else "")


def rating_rule(when: dict) -> str:
    parts = []
    if "total_percent_at_least" in when:
        parts.append(f"tổng điểm từ {number(when['total_percent_at_least'])}% điểm tối đa trở lên")
    if "each_group_percent_at_least" in when:
        parts.append(f"mỗi nhóm tiêu chí đạt từ {number(when['each_group_percent_at_least'])}% trở lên")
    if "each_group_percent_above" in when:
        parts.append(f"mỗi nhóm tiêu chí đạt trên {number(when['each_group_percent_above'])}%")
    if when.get("mandatory_met"):
        parts.append("đạt điểm tối đa mọi tiêu chí bắt buộc")
    return "; ".join(parts) if parts else "các trường hợp còn lại"


def _types(pf: PeriodFacts) -> list[str]:
    return list(_by_type(pf))


def _by_type(pf: PeriodFacts) -> dict[str, list[UnitFact]]:
    """The period's units by type (types in their order, units in the registry's), made once:
    the home page, the rankings and the listing each went over every unit for it. Read only."""
    return _made_once(pf, "by_type", lambda: _grouped_by_type(pf))


def _grouped_by_type(pf: PeriodFacts) -> dict[str, list[UnitFact]]:
    grouped: dict[str, list[UnitFact]] = {}
    for f in pf.units.values():
        grouped.setdefault(f.unit.type, []).append(f)
    return {t: grouped[t] for t in sorted(grouped, key=type_order)}
