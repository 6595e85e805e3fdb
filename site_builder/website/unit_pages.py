"""Unit pages, the bulk of the site: rendered across the cores and reused from the build cache.

Rendering is CPU-bound (a page is ~150 template calls), so with many units the work is split
among forked workers, as validation does: they inherit the gathered facts and the compiled
templates instead of receiving copies, write their pages themselves and send back only which
files they produced. Few units stay in one process (forking costs more than it saves).

A page is reused when nothing it shows changed. Its cache key digests the unit's facts, its rows
in other years, the reviewer's workspace entries it shows (where its reviewer scores come from,
its objections; not the body's workbook, which changes with every commit and is shown on the
district page only), the template sources and the values every page shares. The data commit and the build date change on every commit yet are the same on
every page, so pages are rendered (and cached) with markers in their place (PROVENANCE_MARKS),
which are replaced by the real values when the page is written.
"""

from __future__ import annotations

import concurrent.futures
import copy
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
from pathlib import Path

from site_builder.clock import VIETNAM
from site_builder.website.pages import TEMPLATE_FILE, TEMPLATES
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import day, moment, page_title

PARALLEL_FROM = 1500  # units; below, one process (forking and collecting cost more than they save)
FORCE_PARALLEL_ENV = "SITE_BUILDER_PARALLEL_PAGES"  # "1": always fork (tests), "0": never
MARK_SHA = "ⓢ" * 40
MARK_COMMIT_DATE = dt.datetime(1901, 1, 2, 3, 4, tzinfo=VIETNAM)
MARK_BUILD_DATE = dt.datetime(1902, 5, 6, 7, 8, tzinfo=VIETNAM)
_SHARED: tuple = ()


class Provenance:
    """The real provenance values and the marked copy the cached pages are rendered with."""

    def __init__(self, provenance: dict, commit_url):
        self.real = provenance
        sha = provenance.get("commit") or ""
        self.active = bool(sha)  # without a commit the page shape differs: rendered with the real values
        self.marked = dict(provenance)
        self.swaps: list[tuple[str, str]] = []
        self.left = ("ⓢ", day(MARK_COMMIT_DATE), day(MARK_BUILD_DATE))
        if self.active:
            self.marked.update(
                commit=MARK_SHA,
                commit_url=commit_url(_Sha(MARK_SHA)) if provenance.get("commit_url") else "",
                commit_date=MARK_COMMIT_DATE if provenance.get("commit_date") else None,
                build_date=MARK_BUILD_DATE,
            )
            for n in (40, 12, 10, 7):
                self.swaps.append((MARK_SHA[:n], sha[:n]))
            self.swaps.append((moment(MARK_COMMIT_DATE), moment(provenance.get("commit_date"))))
            self.swaps.append((day(MARK_COMMIT_DATE), day(provenance.get("commit_date"))))
            self.swaps.append((moment(MARK_BUILD_DATE), moment(provenance["build_date"])))
            self.swaps.append((day(MARK_BUILD_DATE), day(provenance["build_date"])))

    def fill(self, html: str) -> str | None:
        """The page with the real values; None when a marker is left (a template showing a value
        in a form not foreseen here): the caller then renders with the real values."""
        for mark, value in self.swaps:
            html = html.replace(mark, value)
        return None if any(mark in html for mark in self.left) else html

    def shared_key(self) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in (self.marked if self.active else self.real).items()))


class _Sha:
    def __init__(self, sha: str):
        self.sha = sha


def write_all(run, renderer, reviewing, deep, room: int, writer: SiteWriter) -> int:
    """Write every unit page (and template) of every period; returns the number of unit pages."""
    global _SHARED
    provenance = Provenance(run.provenance, run.commit_url)
    marked = copy.copy(renderer)
    marked.prov = provenance.marked
    base = _site_key(run, provenance, room)
    tasks = [(period.id, unit_id) for period in run.periods for unit_id in run.all_facts[period.id].units]
    _SHARED = (run, renderer, marked, reviewing, deep, room, provenance, base, writer.site)
    try:
        if not _parallel(len(tasks)):
            _plan, used = _render_chunk(tasks, writer)
        else:
            renderer._t("unit.html")  # compiled once, before the fork
            marked._t("unit.html")
            workers = min(os.cpu_count() or 1, 8)
            chunks = [tasks[n : n + 400] for n in range(0, len(tasks), 400)]
            context = multiprocessing.get_context("fork")
            used = set()
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for chunk_plan, chunk_used in pool.map(_render_shared, chunks):
                    writer.adopt(chunk_plan)  # the pages it prepared, put in place with the rest
                    used |= chunk_used
    finally:
        _SHARED = ()
    if run.cache is not None:
        run.cache.note_used(used)
    return len(tasks)


def _parallel(count: int) -> bool:
    forced = os.environ.get(FORCE_PARALLEL_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1" and "fork" in multiprocessing.get_all_start_methods()
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _render_shared(tasks):
    return _render_chunk(tasks, SiteWriter(_SHARED[8]))


def _render_chunk(tasks, writer: SiteWriter) -> tuple[tuple, set[str]]:
    run, renderer, marked, reviewing, deep, room, provenance, base = _SHARED[:8]
    cache = run.cache
    used: set[str] = set()
    for period_id, unit_id in tasks:
        pf = run.all_facts[period_id]
        f = pf.units[unit_id]
        period = pf.period
        folder = run.layout.unit(period_id, unit_id)
        html = None
        key = _page_key(base, f, renderer, reviewing) if cache is not None and provenance.active else None
        if key is not None:
            stored = cache.page(key)
            html = provenance.fill(stored) if stored is not None else None
            if html is None:
                page = marked.unit_page(f)
                html = provenance.fill(page)
                if html is not None:
                    cache.put_page(key, page)
            used.add(key)
        if html is None:
            html = renderer.unit_page(f)
        writer.write(
            folder + "index.html",
            deep.render(f"{f.unit.name} — {period.title}", html, page_title(f.unit.name, period.title, room)),
        )
        if f.template:
            writer.write(folder + TEMPLATE_FILE, f.template)
    return writer.plan(), used


def _page_key(base: bytes, f, renderer, reviewing) -> str | None:
    b = "../../../"
    try:
        material = pickle.dumps(
            (
                f,
                renderer.history(f, b),
                sorted(pid for pid, o in renderer.all.items() if f.unit.id in o.units),
                f.unit.parent in renderer.all[f.period].parents,
                reviewing.source(f),
                reviewing.objections_for(f),
            ),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.sha256(base + material).hexdigest()


def _site_key(run, provenance: Provenance, room: int) -> bytes:
    """What every unit page shares: the template sources and the package's code (filters and
    formatters live there), the periods' files (deadlines, structure, catalogues), the
    organisation, the layout and the provenance values that are not markers. Only values with a
    stable byte form go in (no sets: their order changes from one process to the next)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for file in sorted([*Path(TEMPLATES).rglob("*.html"), *package.rglob("*.py")]):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    criteria = Path(run.root) / "criteria"  # the periods are read from there (a pickle of them holds sets: unstable)
    for file in sorted(p for p in criteria.rglob("*") if p.is_file()):
        digest.update(file.relative_to(criteria).as_posix().encode() + b"\0" + file.read_bytes())
    digest.update(
        pickle.dumps(
            (
                provenance.shared_key(),
                [(p.id, p.title) for p in run.periods],
                repr(run.org),
                run.layout.latest,
                room,
                sorted(run.all_facts[run.latest].parents),
            )
        )
    )
    return digest.digest()
