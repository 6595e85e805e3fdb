"""Render the HTML of every generated page from the gathered facts (Jinja2, autoescaped).

Text typed by units and reviewers (notes, comments, names) is escaped by the template engine,
so markup in a submission shows as text. Links are relative so the site works from any folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2

from site_builder.messages import EVIDENCE_KIND_LABELS
from site_builder.website import charts
from site_builder.website.facts import PeriodFacts, UnitFact
from site_builder.website.text import (STATUS_LABELS, TYPE_ORDER, day, moment, number, plain,
                                    short_title, slug, type_label)

TEMPLATES = Path(__file__).resolve().parent / "templates"
RANKING_LIMIT = 200
TEMPLATE_FILE = "mau-tu-danh-gia.yaml"  # next to a unit's page when it has not submitted yet
TOP_LIMIT = 5


def environment(commit_url) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update({
        "num": number, "plain": lambda v: "" if plain(v) is None else plain(v), "day": day, "moment": moment,
        "type_label": type_label, "status_label": lambda s: STATUS_LABELS.get(s, s),
        "kind_label": lambda k: EVIDENCE_KIND_LABELS.get(k, k), "commit_url": commit_url, "host": _host,
        "size": _size, "short_title": short_title,
        "relurl": lambda path: quote(path)})
    return env


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
        return f"{period}/quan-huyen/{parent_id}/"


def depth_prefix(url: str) -> str:
    """'a/b/' -> '../../' (relative path from that page back to the site root)."""
    return "../" * url.strip("/").count("/") + ("../" if url.strip("/") else "")


def summary(facts: list[UnitFact]) -> dict:
    submitted = [f for f in facts if f.submitted]
    totals = [f.total for f in submitted if not _nan(f.total)]
    return {"total": len(facts), "submitted": len(submitted), "missing": len(facts) - len(submitted),
            "late": sum(1 for f in submitted if f.on_time is False),
            "average": round(sum(totals) / len(totals), 2) if totals else math.nan}


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def districts(pf: PeriodFacts) -> list[dict]:
    grouped: dict[str, list[UnitFact]] = {}
    for f in pf.units.values():
        grouped.setdefault(f.unit.district, []).append(f)
    out = []
    for name in sorted(grouped, key=lambda n: (slug(n), n)):
        units = grouped[name]
        out.append({"name": name, "slug": slug(name), "units": units, **summary(units)})
    return out


class PageRenderer:
    def __init__(self, env: jinja2.Environment, layout: Layout, periods: list, all_facts: dict[str, PeriodFacts],
                 org, provenance: dict):
        self.env = env
        self.layout = layout
        self.periods = periods  # Period objects, oldest first
        self.all = all_facts
        self.org = org
        self.prov = provenance
        self._cache: dict[str, jinja2.Template] = {}

    def _t(self, name: str) -> jinja2.Template:
        if name not in self._cache:
            self._cache[name] = self.env.get_template(name)
        return self._cache[name]

    def _common(self, url: str, period_id: str, kind: str | None) -> dict:
        b = depth_prefix(url)
        links = {}
        if kind is not None:
            links = {p.id: href(b, self.layout.page(p.id, kind)) for p in self.periods}
        return {"b": b, "periods": self.periods, "year_links": links, "prov": self.prov,
                "pb": self.layout.period_prefix(period_id), "org": self.org,
                "history_note": self.prov.get("history_note", "")}

    def unit_href(self, b: str):
        return lambda f: b + self.layout.unit(f.period, f.unit.id)

    # ------------------------------------------------------------------ per unit
    def unit_page(self, f: UnitFact, counts: dict) -> str:
        url = self.layout.unit(f.period, f.unit.id)
        ctx = self._common(url, f.period, None)
        b = ctx["b"]
        pf = self.all[f.period]
        ctx["year_links"] = {pid: b + self.layout.unit(pid, f.unit.id) for pid, other in self.all.items()
                             if f.unit.id in other.units}
        history = []
        for p in self.periods:
            other = self.all[p.id].units.get(f.unit.id) if p.id in self.all else None
            if other is not None and p.id != f.period:
                history.append({"title": p.title, "href": b + self.layout.unit(p.id, f.unit.id),
                                "total": other.total, "max_total": other.max_total, "rating": other.rating})
        parent_href = b + self.layout.parent(f.period, f.unit.parent) if f.unit.parent in pf.parents else ""
        return self._t("unit.html").render(f=f, period=pf.period, counts=counts, history=history,
                                           template_name=TEMPLATE_FILE,
                                           parent_href=parent_href, **ctx)

    def parent_page(self, pf: PeriodFacts, parent_id: str, title: str) -> str:
        url = self.layout.parent(pf.period.id, parent_id)
        ctx = self._common(url, pf.period.id, None)
        b = ctx["b"]
        ctx["year_links"] = {pid: b + self.layout.parent(pid, parent_id) for pid, other in self.all.items()
                             if parent_id in other.parents}
        children = [pf.units[u] for u in pf.parents.get(parent_id, [])]
        office = pf.units.get(parent_id)
        derived = [it for g in office.groups for it in g.items if it.derived] if office else []
        return self._t("district.html").render(
            title=title, period=pf.period, office=office, derived=derived, children=children,
            summary=summary(children), unit_href=self.unit_href(b),
            office_href=b + self.layout.unit(pf.period.id, parent_id) if office else "", **ctx)

    # ------------------------------------------------------------------ overview pages
    def home(self, pf: PeriodFacts) -> str:
        url = self.layout.page(pf.period.id, "")
        ctx = self._common(url, pf.period.id, "")
        facts = list(pf.units.values())
        grades = [level.label for level in pf.period.rating]
        counts = [(label, sum(1 for f in facts if f.rating == label)) for label in grades]
        counts.append(("Chưa nộp", sum(1 for f in facts if not f.submitted)))
        trend = []
        for p in self.periods:
            if p.id in self.all:
                percents = [f.percent for f in self.all[p.id].units.values() if f.submitted and not _nan(f.percent)]
                if percents:
                    trend.append((p.title, round(sum(percents) / len(percents), 2)))
        chart = {"grades": charts.bars(f"Số đơn vị theo xếp loại, {pf.period.title}", counts, " đơn vị",
                                       colours=charts.GRADE_COLOURS),
                 "trend": charts.bars("Tỉ lệ điểm trung bình (% điểm tối đa) của các đơn vị đã nộp", trend, "%", 100)
                 if len(trend) > 1 else ""}
        top = []
        for unit_type in _types(pf):
            ranked = sorted((f for f in facts if f.unit.type == unit_type and f.submitted),
                            key=lambda f: (f.rank_type, f.unit.name))[:TOP_LIMIT]
            if ranked:
                top.append({"label": type_label(unit_type), "units": ranked})
        return self._t("home.html").render(period=pf.period, stats=summary(facts), charts=chart, top=top,
                                           districts=districts(pf), unit_href=self.unit_href(ctx["b"]), **ctx)

    def listing(self, pf: PeriodFacts, index_json: str) -> str:
        url = self.layout.page(pf.period.id, "cong-khai")
        ctx = self._common(url, pf.period.id, "cong-khai")
        b = ctx["b"]
        rows = districts(pf)
        for d in rows:
            parents = sorted({f.unit.parent for f in d["units"]})
            d["pages"] = [{"href": b + self.layout.parent(pf.period.id, p),
                           "title": self._parent_title(pf, p)} for p in parents]
        return self._t("listing.html").render(period=pf.period, districts=rows, types=_types(pf),
                                              index_json=index_json, **ctx)

    def _parent_title(self, pf: PeriodFacts, parent_id: str) -> str:
        office = pf.units.get(parent_id)
        if office is not None:
            return office.unit.name
        if parent_id == self.org.id:
            return f"Đơn vị trực thuộc {self.org.name}"
        return parent_id

    def parent_title(self, pf: PeriodFacts, parent_id: str) -> str:
        return self._parent_title(pf, parent_id)

    def offices(self, pf: PeriodFacts) -> str:
        url = self.layout.page(pf.period.id, "quan-huyen")
        ctx = self._common(url, pf.period.id, "quan-huyen")
        b = ctx["b"]
        rows, others = [], []
        offices = [f for f in pf.units.values() if f.unit.type == "phong-gddt"]
        for office in sorted(offices, key=lambda f: (slug(f.unit.name), f.unit.id)):
            children = [pf.units[u] for u in pf.parents.get(office.unit.id, [])]
            href_ = (b + self.layout.parent(pf.period.id, office.unit.id) if office.unit.id in pf.parents
                     else b + self.layout.unit(pf.period.id, office.unit.id))
            rows.append({"fact": office, "href": href_, "summary": summary(children),
                         "derived": [it for g in office.groups for it in g.items if it.derived and it.applicable]})
        office_ids = {f.unit.id for f in offices}
        for parent_id in sorted(pf.parents, key=lambda p: (slug(self._parent_title(pf, p)), p)):
            if parent_id not in office_ids:
                others.append({"href": b + self.layout.parent(pf.period.id, parent_id),
                               "title": self._parent_title(pf, parent_id), "count": len(pf.parents[parent_id])})
        chart = charts.bars(f"Tổng điểm của các Phòng GD&ĐT, {pf.period.title}",
                            [(r["fact"].unit.name.replace("Phòng Giáo dục và Đào tạo", "Phòng GD&ĐT"),
                              r["fact"].total if r["fact"].submitted else 0) for r in rows],
                            "", max((r["fact"].max_total for r in rows), default=None)) if rows else ""
        return self._t("districts.html").render(period=pf.period, offices=rows, others=others, chart=chart, **ctx)

    def rankings(self, pf: PeriodFacts) -> str:
        url = self.layout.page(pf.period.id, "xep-hang")
        ctx = self._common(url, pf.period.id, "xep-hang")
        tables = []
        for unit_type in _types(pf):
            ranked = sorted((f for f in pf.units.values() if f.unit.type == unit_type and f.submitted),
                            key=lambda f: (f.rank_type, slug(f.unit.name)))
            tables.append({"type": unit_type, "label": type_label(unit_type), "count": len(ranked),
                           "units": ranked[:RANKING_LIMIT], "hidden": len(ranked) > RANKING_LIMIT})
        return self._t("rankings.html").render(period=pf.period, tables=tables,
                                               unit_href=self.unit_href(ctx["b"]), **ctx)

    def criteria(self, period, all_periods: list) -> str:
        url = self.layout.page(period.id, "tieu-chi")
        ctx = self._common(url, period.id, "tieu-chi")
        ctx["periods"] = all_periods
        ctx["year_links"] = {p.id: href(ctx["b"], self.layout.page(p.id, "tieu-chi")) for p in all_periods}
        catalogues = [period.catalogues[t] for t in sorted(period.catalogues, key=_type_key)]
        rating = [{"label": level.label, "rule": rating_rule(level.when)} for level in period.rating]
        return self._t("criteria.html").render(period=period, catalogues=catalogues, rating=rating, **ctx)

    def downloads(self, rows: list[dict]) -> str:
        ctx = self._common("tai-du-lieu/", self.layout.latest, None)
        return self._t("downloads.html").render(downloads=rows, **ctx)

    def search(self) -> str:
        ctx = self._common("tim-kiem/", self.layout.latest, None)
        return self._t("search.html").render(**ctx)


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


def _type_key(t: str):
    return (TYPE_ORDER.index(t) if t in TYPE_ORDER else 99, t)


def _types(pf: PeriodFacts) -> list[str]:
    return sorted({f.unit.type for f in pf.units.values()}, key=_type_key)
