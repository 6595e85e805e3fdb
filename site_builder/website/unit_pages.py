"""Unit pages, the bulk of the site: rendered across the cores, and left alone when unchanged.

Rendering is CPU-bound (a page is ~150 template calls), so with many units the work is split
among forked workers, as validation does: they inherit the gathered facts and the compiled
templates instead of receiving copies, write their pages themselves and send back only which
files they produced. Few units stay in one process (forking costs more than it saves).

A page is not rendered again when nothing it shows changed. Its key digests the unit's facts
(which hold its data version: a unit page names the newest commit that changed its own data, not
the data commit of the whole site, see pages.py `unit_provenance`), its rows in other years, the
reviewer's workspace entries it shows (where its reviewer scores come from, its objections; not
the body's workbook, shown on the district page only), the page shell mkdocs made, the template
sources and the values every page shares. The build cache keeps, per output folder, each page's
key and the size, time and inode its file had when written (`Manifest`): a page whose key did not
change and whose file is still the one written is kept as it is, without being read.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import pickle
from pathlib import Path

from site_builder.website.pages import TEMPLATE_FILE, TEMPLATES
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import page_title

PARALLEL_FROM = 1500  # units; below, one process (forking and collecting cost more than they save)
FORCE_PARALLEL_ENV = "SITE_BUILDER_PARALLEL_PAGES"  # "1": always fork (tests), "0": never
CACHE_KIND = "unit-pages"
OUTCOMES = ("rendered", "ranked", "kept")  # what became of a unit page (counted for `build --timings`)
_SHARED: tuple = ()


class Manifest:
    """Site-relative path -> (page key, size, modification time in ns, inode, ranks) of the file
    the last build wrote there; kept in the build cache under a digest of the output folder, one
    blob per kind of page (`kind`: unit pages here, reviewing bodies' pages in parent_pages.py)."""

    def __init__(self, cache, site: Path, kind: str = CACHE_KIND):
        self.cache = cache
        self.kind = kind
        self.name = hashlib.sha256(str(Path(site).resolve()).encode("utf-8")).hexdigest()[:32]
        self.entries: dict[str, tuple] = {}

    @classmethod
    def load(cls, cache, site: Path, kind: str = CACHE_KIND) -> Manifest:
        """The manifest the last build into `site` kept (empty when none or unreadable)."""
        manifest = cls(cache, site, kind)
        data = cache.blob(kind, manifest.name) if cache is not None else None
        if data:
            try:
                loaded = pickle.loads(data)
                manifest.entries = loaded if isinstance(loaded, dict) else {}
            except (pickle.UnpicklingError, ValueError, EOFError, TypeError, AttributeError, ImportError):
                manifest.entries = {}
        return manifest

    def unchanged(self, root: str, rel: str, key: str) -> int | None:
        """The size of the file at `rel` when it is the one written for `key`, else None."""
        known = self.entries.get(rel)
        if known is None or known[0] != key:
            return None
        try:
            stat = os.stat(os.path.join(root, rel))
        except OSError:
            return None
        return stat.st_size if (stat.st_size, stat.st_mtime_ns, stat.st_ino) == known[1:4] else None

    def ranks(self, rel: str) -> tuple | None:
        """The ranks the page at `rel` showed when written."""
        known = self.entries.get(rel)
        return known[4] if known is not None and len(known) > 4 else None

    def save(self, root: str, keys: dict[str, tuple[str, tuple | None]]) -> None:
        """After the site is in place: the key, the file stamps and the ranks of every page written."""
        if self.cache is None:
            return
        entries = {}
        for rel, (key, ranks) in keys.items():
            try:
                stat = os.stat(os.path.join(root, rel))
            except OSError:
                continue
            entries[rel] = (key, stat.st_size, stat.st_mtime_ns, stat.st_ino, ranks)
        self.cache.put_blob(self.kind, self.name, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))


def write_all(run, renderer, reviewing, deep, room: int, writer: SiteWriter) -> tuple[int, dict[str, tuple], dict]:
    """Write every unit page (and template) of every period; returns the number of unit pages,
    the key and ranks of each file written or kept (for `Manifest.save` once the site is in
    place), and how many pages were rendered, given new ranks or kept."""
    global _SHARED
    manifest = Manifest.load(run.cache, writer.site)
    base = site_key(run, deep, room)
    tasks = [(period.id, unit_id) for period in run.periods for unit_id in run.all_facts[period.id].units]
    _SHARED = (run, renderer, reviewing, deep, room, base, manifest, writer.site)
    try:
        if not _parallel(len(tasks)):
            _plan, keys, done = _render_chunk(tasks, writer)
        else:
            renderer._t("unit.html")  # compiled once, before the fork
            if run.cache is not None:
                for period in run.periods:
                    run.all_facts[period.id].digest_all()
            workers = min(os.cpu_count() or 1, 8)
            chunks = [tasks[n : n + 400] for n in range(0, len(tasks), 400)]
            context = multiprocessing.get_context("fork")
            keys, done = {}, dict.fromkeys(OUTCOMES, 0)
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for chunk_plan, chunk_keys, chunk_done in pool.map(_render_shared, chunks):
                    writer.adopt(chunk_plan)  # the pages it prepared, put in place with the rest
                    keys.update(chunk_keys)
                    for outcome, count in chunk_done.items():
                        done[outcome] += count
    finally:
        _SHARED = ()
    return len(tasks), keys, done


def _parallel(count: int) -> bool:
    forced = os.environ.get(FORCE_PARALLEL_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1" and "fork" in multiprocessing.get_all_start_methods()
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _render_shared(tasks):
    return _render_chunk(tasks, SiteWriter(_SHARED[7]))


def _render_chunk(tasks, writer: SiteWriter) -> tuple[tuple, dict[str, tuple], dict[str, int]]:
    run, renderer, reviewing, deep, room, base, manifest = _SHARED[:7]
    keys: dict[str, tuple] = {}
    done = dict.fromkeys(OUTCOMES, 0)
    for period_id, unit_id in tasks:
        pf = run.all_facts[period_id]
        f = pf.units[unit_id]
        folder = run.layout.unit(period_id, unit_id)
        files = [folder + "index.html"] + ([folder + TEMPLATE_FILE] if f.template else [])
        key = _page_key(base, f, renderer, reviewing) if run.cache is not None else None
        if key is not None:
            keys.update(dict.fromkeys(files, (key, f.ranks)))
            outcome = _reused(writer, manifest, renderer, f, files, key)
            if outcome is not None:
                done[outcome] += 1
                continue
        title = pf.period.title
        writer.write(
            files[0],
            deep.render(f"{f.unit.name} — {title}", renderer.unit_page(f), page_title(f.unit.name, title, room)),
        )
        done["rendered"] += 1
        if f.template:
            writer.write(files[1], f.template)
    return writer.plan(), keys, done


def _reused(writer: SiteWriter, manifest: Manifest, renderer, f, files: list[str], key: str) -> str | None:
    """ "kept" when the files the last build wrote for `key` serve as they are, "ranked" when the
    page only needs new rank cards (given here); None: the page is rendered."""
    found = [manifest.unchanged(writer.root, rel, key) for rel in files]
    sizes = [size for size in found if size is not None]
    if len(sizes) < len(files):
        return None
    old = manifest.ranks(files[0])
    moved = old != f.ranks
    if moved and not _new_ranks(writer, files[0], renderer, f, old):
        return None
    for rel, size in zip(files, sizes):
        if not (moved and rel == files[0]):
            writer.keep(rel, size)
    return "ranked" if moved else "kept"


def _new_ranks(writer: SiteWriter, rel: str, renderer, f, old: tuple | None) -> bool:
    """Write the page as last written, its rank cards swapped for the unit's new ranks: the only
    part of a unit page that moves with other units' scores (see `m.rank_cards`). False when the
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
    writer.write(rel, page.replace(before, after))
    return True


def _page_key(base: bytes, f, renderer, reviewing) -> str | None:
    digest = renderer.all[f.period].digest(f.unit.id)  # the facts, digested once (facts.FactDigest)
    if digest is None:
        return None
    b = "../../../"
    try:
        material = pickle.dumps(
            (
                renderer.unit_provenance(f),
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
    return hashlib.sha256(base + digest.rows + digest.rest + material).hexdigest()


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
