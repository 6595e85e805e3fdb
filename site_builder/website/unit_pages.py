"""Unit pages, the bulk of the site: rendered across the cores, and left alone when unchanged.

Rendering is CPU-bound (~0.3 ms a page, unit_html.py), so when many pages are to be rendered
the work is split among forked workers, as validation does: they inherit the gathered facts and
the compiled templates instead of receiving copies, write their pages themselves and send back
only which files they produced. Which pages are to be rendered is decided first, in the build's
process: few pages stay in that process (forking costs more than it saves).

A page is not rendered again when nothing it shows changed. Its key digests the unit's facts
(which hold its data version: a unit page names the newest commit that changed its own data, not
the data commit of the whole site, see pages.py `unit_provenance`), its rows in other years, the
reviewer's workspace entries it shows (where its reviewer scores come from, its objections; not
the body's workbook, shown on the district page only), the page shell mkdocs made, the template
sources and the values every page shares. The build cache keeps, per output folder, each page's
key, the size, time and inode its file had when written and the SHA-256 of its bytes (file_manifest.py):
a page whose key did not change and whose file is still the one written is kept as it is, without
being read. A file with other stamps but the recorded bytes is kept too (read and hashed): the
pages publish.yml restored from its cache into a fresh checkout's output folder.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import pickle
from pathlib import Path

from site_builder import tree_memory
from site_builder.website.file_manifest import Manifest
from site_builder.website.key_bytes import key_bytes
from site_builder.website.pages import TEMPLATE_FILE, TEMPLATES
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import page_title

PARALLEL_FROM = 1500  # pages to render; below, one process (forking and collecting cost more than they save)
PARALLEL_FROM_ENV = "SITE_BUILDER_PARALLEL_PAGES"  # another threshold (tests): "1" always forks, "0" never
CACHE_KIND = "unit-pages"
OUTCOMES = ("rendered", "ranked", "kept")  # what became of a unit page (counted for `build --timings`)
PROCESSES = "processes"  # beside the outcomes: how many processes rendered the pages
_SHARED: tuple = ()


def write_all(run, renderer, reviewing, deep, room: int, writer: SiteWriter) -> tuple[int, Manifest, dict]:
    """Write every unit page (and template) of every period; returns the number of unit pages,
    the manifest recording them (`Manifest.save` once the site is in place), and how many pages
    were rendered, given new ranks or kept."""
    manifest = Manifest.load(run.cache, writer.site, CACHE_KIND)
    base = site_key(run, deep, room)
    shown: dict = {}  # a data version -> the bytes of what a page shows of it (`_page_key`)
    plain: dict = {}  # the years and parent flag of a page showing nothing else -> their bytes
    done = dict.fromkeys(OUTCOMES, 0)
    todo = []  # (period id, unit id, files) of the pages to render
    for period in run.periods:
        pf = run.all_facts[period.id]
        for unit_id, f in pf.units.items():
            folder = run.layout.unit(period.id, unit_id)
            files = [folder + "index.html"] + ([folder + TEMPLATE_FILE] if f.template else [])
            key = _page_key(base, f, renderer, reviewing, shown, plain) if run.cache is not None else None
            if key is not None:
                ranks = f.ranks  # made anew each time asked
                for rel in files:
                    manifest.record(rel, key, ranks)
                outcome = _reused(writer, manifest, renderer, f, ranks, files, key)
                if outcome is not None:
                    done[outcome] += 1
                    continue
            todo.append((period.id, unit_id, files))
    done[PROCESSES] = _render(run, renderer, deep, room, todo, writer)
    done["rendered"] = len(todo)
    return sum(len(run.all_facts[p.id].units) for p in run.periods), manifest, done


def _render(run, renderer, deep, room: int, todo: list[tuple], writer: SiteWriter) -> int:
    """Render the pages of `todo`; returns how many processes did. Only when many are left are
    they spread over forked workers, and the build's process renders a share beside them instead
    of waiting: a worker forked from a national build's process counts that process's whole
    memory in its own RSS (0.75 GB at 15,000 units), so workers are forked only as the tree's
    memory budget allows (tree_memory.py). For the same reason which pages to render is decided
    before (above): a rebuild after one change renders a handful of pages."""
    global _SHARED
    _SHARED = (run, renderer, deep, room, writer.site)
    try:
        # beside the build's process, which renders its share; as many as the memory budget allows
        workers = tree_memory.workers_within(max(1, min(os.cpu_count() or 1, 8) - 1)) if _parallel(len(todo)) else 0
        if not workers:
            _render_chunk(todo, writer)
            return 1
        renderer.unit_html()  # made once, before the fork
        size = max(1, min(400, -(-len(todo) // (workers + 1))))
        chunks = [todo[n : n + size] for n in range(0, len(todo), size)]
        split = max(1, len(chunks) // (workers + 1))
        own, theirs = chunks[:split], chunks[split:]
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            plans = pool.map(_render_shared, theirs)  # submitted (and the workers forked) before the own share
            for chunk in own:
                _render_chunk(chunk, writer)
            for plan in plans:
                writer.adopt(plan)  # the pages a worker prepared, put in place with the rest
        return 1 + min(workers, len(theirs))
    finally:
        _SHARED = ()


def _parallel(count: int) -> bool:
    """Fork for `count` pages to render?"""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    threshold = os.environ.get(PARALLEL_FROM_ENV, "").strip()
    if threshold.isdigit():
        return int(threshold) > 0 and count >= int(threshold)
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2


def _render_shared(todo: list[tuple]) -> tuple:
    return _render_chunk(todo, SiteWriter(_SHARED[4]))


def _render_chunk(todo: list[tuple], writer: SiteWriter) -> tuple:
    """Render `todo` through `writer`; returns what it prepared (`SiteWriter.plan`)."""
    run, renderer, deep, room = _SHARED[:4]
    for period_id, unit_id, files in todo:
        pf = run.all_facts[period_id]
        f = pf.units[unit_id]
        title = pf.period.title
        writer.write(
            files[0],
            deep.render(f"{f.unit.name} — {title}", renderer.unit_page(f), page_title(f.unit.name, title, room)),
            digest=True,
        )
        if f.template:
            writer.write(files[1], f.template, digest=True)
    return writer.plan()


def _reused(
    writer: SiteWriter, manifest: Manifest, renderer, f, ranks: tuple, files: list[str], key: str
) -> str | None:
    """ "kept" when the files the last build wrote for `key` serve as they are, "ranked" when the
    page only needs new rank cards (given here); None: the page is rendered. `ranks`: `f.ranks`."""
    found = [manifest.unchanged(writer.root, rel, key) for rel in files]
    sizes = [size for size in found if size is not None]
    if len(sizes) < len(files):
        return None
    old = manifest.ranks(files[0])
    moved = old != ranks
    if moved and not _new_ranks(writer, files[0], renderer, f, old):
        return None
    for rel, size in zip(files, sizes):
        if not (moved and rel == files[0]):
            writer.keep(rel, size)
    return "ranked" if moved else "kept"


def _new_ranks(writer: SiteWriter, rel: str, renderer, f, old: tuple | None) -> bool:
    """Write the page as last written, its rank cards swapped for the unit's new ranks: the only
    part of a unit page that moves with other units' scores (see `page_parts.rank_cards`). False when the
    old cards are not found exactly once (the page is then rendered afresh)."""
    if old is None:
        return False
    try:
        page = (Path(writer.root) / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    before, after = renderer.rank_cards(f, old), renderer.rank_cards(f, f.ranks)
    if page.count(before) != 1:
        return False
    writer.write(rel, page.replace(before, after), digest=True)
    return True


def _page_key(base: bytes, f, renderer, reviewing, shown: dict, plain: dict) -> str | None:
    """`shown`: what pages show of each data version met so far (`_provenance_bytes`); `plain`:
    the key bytes of the years and parent of the pages met so far that show nothing else beside
    their facts."""
    digest = renderer.all[f.period].digest(f.unit.id)  # the facts, digested once (facts.FactDigest)
    if digest is None:
        return None
    b = "../../../"
    provenance = _provenance_bytes(f, renderer, shown)
    shown_beside = (
        renderer.history(f, b),
        sorted(pid for pid, o in renderer.all.items() if f.unit.id in o.units),
        f.unit.parent in renderer.all[f.period].parents,
        reviewing.source(f),
        reviewing.objections_for(f),
    )
    history, years, parent, source, objections = shown_beside
    if history or source is not None or objections:
        material = key_bytes(shown_beside)
    else:  # most pages: no other year, reviewer scores or objection; their bytes made once
        alike = (*years, parent)
        material = plain.get(alike) or plain.setdefault(alike, key_bytes(shown_beside))
    if material is None or provenance is None:
        return None
    return hashlib.sha256(base + digest.rows + digest.rest + provenance + material).hexdigest()


def _provenance_bytes(f, renderer, shown: dict) -> bytes | None:
    """The key bytes of the provenance the unit's page shows (`PageRenderer.unit_provenance`):
    made of the unit's data version and values the whole build shares, so made once per data
    version (a history of a few hundred commits gives 15,000 units a few hundred versions; the
    provenance was most of what a page's key wrote out)."""
    version = f.data_version
    try:
        known = shown.get(version, shown)  # one look: a version's hash digests each of its fields
    except TypeError:  # a version that cannot be a dict key
        return key_bytes(renderer.unit_provenance(f))
    if known is shown:
        known = shown[version] = key_bytes(renderer.unit_provenance(f))
    return known


def site_key(run, deep, room: int) -> bytes:
    """What every unit page (and reviewing body's page) shares: the page shell, the template
    sources and the package's code (filters and formatters live there), the periods' files
    (deadlines, structure, catalogues), the organisation, the layout and the provenance values
    every page may show. Only values with a stable byte form go in (no sets: their order changes
    from one process to the next)."""
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
                (deep.head, deep.middle, deep.tail),
                [(p.id, p.title) for p in run.periods],
                repr(run.org),
                run.layout.latest,
                room,
                sorted(run.all_facts[run.latest].parents),
            )
        )
    )
    return digest.digest()
