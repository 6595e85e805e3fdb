"""The site build, step by step: validate → read git → search index → score → mkdocs shells →
pages → downloads.

Refuses to build from invalid data (a broken push must never replace a good site). Output is
reproducible: the build date comes from SOURCE_DATE_EPOCH or the data commit, never the clock,
except when neither exists (see the note on reproducibility below).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from site_builder import heap, resources, schema_publish
from site_builder.build_cache import BuildCache
from site_builder.clock import VIETNAM, Clock, read_clock
from site_builder.model import Dataset, Organization
from site_builder.paths import DataRoot
from site_builder.timeliness import data_day
from site_builder.website import downloads as dl
from site_builder.website import listing_data, parent_pages, search_index, shell, site_listing, site_size, unit_pages
from site_builder.website.evidence_files import EvidenceStore, pinned_source
from site_builder.website.facts import PeriodFacts, Timeline, gather
from site_builder.website.file_manifest import Manifest
from site_builder.website.kept_facts import KeptFacts, KeptUnitFact
from site_builder.website.pages import COMPARE, Layout, PageRenderer, environment
from site_builder.website.review_site import ReviewSite
from site_builder.website.site_writer import SiteWriter

OVERRIDES = resources.overrides_dir()
DEEP_SHELL = "_khung/a/b.md"
SHELL_PAGE = "_khung/a/b/index.html"  # where mkdocs renders it

# Reproducibility: two builds of the same commit are byte-identical (tested: no file differs). The
# build date is SOURCE_DATE_EPOCH, else the data commit's date; only when the data is not in git and
# SOURCE_DATE_EPOCH is unset is it today's date, and then the files that differ between days are the
# pages with a "Nguồn dữ liệu" block and the XLSX/JSON downloads (they carry the build date).


class InvalidData(Exception):
    """The data did not validate; `result.errors` are the problems to show."""

    def __init__(self, result):
        super().__init__("invalid data")
        self.result = result


@dataclass
class BuildReport:
    site: Path
    pages: int = 0
    unit_pages: int = 0
    evidence_files: int = 0
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    clock: Clock | None = None
    size: site_size.SiteSize | None = None
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per step (children included)
    unit_pages_done: dict[str, int] = field(default_factory=dict)  # unit_pages.OUTCOMES -> pages; PROCESSES
    facts_kept: int = 0  # units whose facts were read back from the build cache (kept_facts.py)
    facts_gathered: int = 0
    validation_problems: list = field(default_factory=list)  # the data's warnings (it had no error)
    files_checked: int = 0


def build_date(clock: Clock) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), VIETNAM)
    if clock.head is not None and clock.head.committer_date is not None:
        return clock.head.committer_date
    return dt.datetime.now(VIETNAM)


def open_clock(data_root: DataRoot, organization, cache: BuildCache | None = None) -> Clock:
    """The clock, trusting the signers the organisation names (a key of the data repository, or
    one shipped with the package such as GitHub's web-flow key). Signature verdicts are cached in
    the user's cache folder, never inside the data repository: a cached verdict vouches for a time,
    so a pull request must not be able to write one."""
    keys = [data_root.signer_key(name) for name in organization.signers]
    return read_clock(
        data_root.path,
        [k for k in keys if k is not None],
        cache_dir=signature_cache_dir(),
        changes_cache=cache.history_folder if cache is not None else None,
    )


def signature_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "site-builder" / "signatures"


def _config_file(root: Path) -> Path:
    own = root / "mkdocs.yml"
    return own if own.is_file() else resources.mkdocs_config()


def _docs_dir(root: Path) -> Path:
    own = root / "docs"
    return own if (own / "gioi-thieu.md").is_file() else resources.docs_dir()


def read_link_report(file: Path | None) -> dict:
    """The check-links report, or {} when there is none or it cannot be read (links then show as
    unchecked; a stale or broken report must not stop publishing)."""
    import json

    if file is None or not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_site(
    root: Path,
    out: Path,
    *,
    validation=None,
    link_report: Path | None = None,
    review_queue: Path | None = None,
    objections: Path | None = None,
) -> BuildReport:
    """Validate, then write the site into `out`, rewriting only files whose bytes change and
    deleting files the build no longer makes. Nothing is written before the data validated.
    `link_report` defaults to <root>/build/link-report.json (where check-links writes it)."""
    from site_builder import build_cache
    from site_builder.validate import validate_all

    laps = Laps()
    data_root = DataRoot(root)
    # Before validating (verdicts on unchanged unit files are reused, check_cache.py); held until
    # build_cache.close() below: one build of a data folder at a time uses its cache.
    build_cache.open_for(root, hold=True)
    heap.start_build()
    try:
        result = validation or validate_all(data_root)
        if not result.ok:
            raise InvalidData(result)
        # The data, its history and its facts live until the end: each is kept out of the
        # collector's sight once made, and made without its passes (heap.py).
        heap.keep()
        laps.lap("validate")
        with heap.uncollected():
            run = _open_run(root, data_root, result.dataset, link_report)
            heap.keep()  # before the collector is on again (heap.py)
        laps.lap("git")
        try:
            index = search_index.made(run.dataset, run.periods, run.layout, run.cache, out)
        except BaseException:
            run.clock.close()
            raise
        laps.lap("search")
        with heap.uncollected():
            _gather_periods(run)
            heap.keep()
        laps.lap("score")
        renderer = PageRenderer(
            environment(run.commit_url, run.cache), run.layout, run.periods, run.all_facts, run.org, run.provenance
        )
        reviewing = ReviewSite(
            run.dataset,
            run.periods,
            run.clock,
            run.when,
            run.provenance["commit"],  # reviewer's workspace
            run.layout,
            queue_file=review_queue,
            objections_file=objections,
            cache=run.cache,
            site=out,
        )
        reviewing.install(renderer.env)
        laps.lap("review workbooks")
        writer = SiteWriter(out)
        try:
            counts = _write_site(run, renderer, reviewing, out.parent / (out.name + ".docs"), index, writer, laps)
            # SiteTooLarge: exit 1, the previous site left as it was
            measured = site_size.check(site_size.of_files(writer.sizes, run.org.site_budget_mb, run.org.file_limit_mb))
            with heap.uncollected():  # what is kept for the next build: plain values, no cycle (heap.py)
                writer.finish(site_listing.load(run.cache, out))
                if writer.listing is not None:
                    site_listing.save(run.cache, out, writer.listing)
                for manifest in counts["manifests"]:
                    if manifest is not None:
                        manifest.save(writer)
        except BaseException as exc:
            exc.site_touched = writer.committing  # type: ignore[attr-defined]  # commands/build.py words it
            if not writer.committing:
                writer.abort()
            run.clock.close()
            raise
        with heap.uncollected():
            _close_run(run)
        kept = sum(isinstance(f, KeptUnitFact) for pf in run.all_facts.values() for f in pf.units.values())
        return BuildReport(
            out,
            counts["pages"],
            counts["unit_pages"],
            counts["evidence"],
            counts["warnings"],
            laps.timings,
            run.clock,
            size=measured,
            cpu=laps.cpu,
            unit_pages_done=counts["unit_pages_done"],
            facts_kept=kept,
            facts_gathered=sum(len(pf.units) for pf in run.all_facts.values()) - kept,
            validation_problems=list(result.problems),
            files_checked=result.files_checked,
        )
    finally:
        heap.release()
        build_cache.close()


def _write_site(
    run: BuildRun,
    renderer: PageRenderer,
    reviewing: ReviewSite,
    scratch: Path,
    index: search_index.Index,
    writer: SiteWriter,
    laps: Laps,
) -> dict:
    """Every file of the site, through `writer`. The editors' schemas, written by a module that
    writes files itself, go into <scratch>/files, copied over at the end like everything else:
    an unchanged file keeps its inode and time there too. `index`: the search
    index (search_index.py)."""
    files = scratch / "files"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir(parents=True)
    overview = _overview_pages(run)
    config, warnings, shells = _render_shells(run, overview, scratch, writer)
    laps.lap("mkdocs")
    pages = _write_overview_pages(run, renderer, overview, shells, files, writer)
    deep = shell.Shell.read(shells / SHELL_PAGE)
    # html-validate's <title> limit, less the theme's suffix
    room = TITLE_LIMIT - len(f" - {config.get('site_name') or ''}")
    # One page per unit and period (and the template of a unit that has not submitted)
    units, unit_manifest, unit_pages_done = unit_pages.write_all(run, renderer, reviewing, deep, room, writer)
    parents, parent_manifest = parent_pages.write_all(run, renderer, reviewing, deep, room, writer)
    pages += parents
    pages += reviewing.write(writer, deep, renderer.env)  # scoring workbooks and review-queue pages
    laps.lap("pages")
    with heap.uncollected():  # the rows kept per body, read back, live until their files are written (heap.py)
        download_rows, parts_manifest = _write_downloads(run, files, writer)
    _fill(shells, "tai-du-lieu/index.html", renderer.downloads(list(reversed(download_rows))), writer)
    pages += 1
    laps.lap("downloads")
    evidence = run.store.publish(writer.site, writer, _files_at_pin(run), run.dataset.clean_submissions)
    laps.lap("evidence")
    index_manifest = index.publish(writer)
    writer.copy_tree(files)
    shutil.rmtree(scratch, ignore_errors=True)
    laps.lap("files")
    return {
        "pages": pages + units,
        "unit_pages": units,
        "evidence": evidence,
        "warnings": warnings,
        "manifests": (
            unit_manifest,
            parent_manifest,
            index_manifest,
            parts_manifest,
            reviewing.manifest,
        ),  # saved once the site is in place
        "unit_pages_done": unit_pages_done,
    }


class Laps:
    """Seconds spent in each step, in order (printed by `build --timings`): wall clock, and CPU
    of this process and of the worker processes it waited for (a shared machine stretches the
    first, not the second)."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._started = time.perf_counter()
        self._cpu = _cpu_seconds()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), _cpu_seconds()
        self.timings[name] = round(now - self._started, 3)
        self.cpu[name] = round(cpu - self._cpu, 3)
        self._started, self._cpu = now, cpu


def _cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class BuildRun:
    """What every step of one build reads: the data, its history, where pages go."""

    root: Path
    data_root: DataRoot
    dataset: Dataset
    org: Organization
    clock: Clock
    repo: str
    when: dt.datetime
    provenance: dict
    timeline: Timeline
    store: EvidenceStore
    links: dict
    cache: BuildCache | None
    with_catalogues: list = field(default_factory=list)  # periods with catalogues, oldest first
    periods: list = field(default_factory=list)  # periods that get unit pages
    all_facts: dict[str, PeriodFacts] = field(default_factory=dict)

    layout: Layout = field(default_factory=lambda: Layout(""))

    @property
    def latest(self) -> str:
        return self.periods[-1].id

    def commit_url(self, commit) -> str:
        sha = getattr(commit, "sha", None) or getattr(commit, "commit", None)
        return f"{self.repo}/commit/{sha}" if self.repo and sha else ""


def _open_run(root: Path, data_root: DataRoot, dataset, link_report: Path | None) -> BuildRun:
    """The history (clock), the provenance every page shows, the evidence store and the cache."""
    from site_builder import build_cache

    org = dataset.registry.organization
    cache = build_cache.open_for(root)
    clock = open_clock(data_root, org, cache)
    when = build_date(clock)
    head = clock.head
    repo = (org.repository or "").rstrip("/")
    store = EvidenceStore(root, pinned_source(root, org.evidence, repo, head.sha if head else ""), cache)  # copy|link
    run = BuildRun(
        root,
        data_root,
        dataset,
        org,
        clock,
        repo,
        when,
        {},
        Timeline(clock, data_day(clock, when.date())),
        store,
        read_link_report(link_report if link_report is not None else root / "build" / "link-report.json"),
        cache,
    )
    run.provenance = {
        "commit": head.sha if head else "",
        "commit_url": run.commit_url(head),
        "commit_date": head.committer_date if head else None,
        "build_date": when,
        "history_note": clock.reason,
        "demo": bool(org.demo),
    }
    # Oldest first by deadline: period ids are not always school years ("chuyen-doi-so-4725").
    run.with_catalogues = sorted(
        (p for p in dataset.periods.values() if p.catalogues), key=lambda p: (p.deadline, p.id)
    )
    submitted = {period_id for period_id, _unit in dataset.submissions}
    # A period nobody has submitted to yet gets its criteria page only: 15,000 pages saying
    # "Chưa nộp" would triple the build and say nothing the listing of a real period does not.
    run.periods = [p for p in run.with_catalogues if p.id in submitted] or run.with_catalogues[-1:]
    run.layout = Layout(run.latest)
    return run


def _gather_periods(run: BuildRun) -> None:
    from site_builder.scoring import assessed_units, score_period

    for period in run.periods:
        kept = KeptFacts.of(run.cache, run.dataset, period, run.timeline, run.store, run.links)
        # the units whose facts are read back whole are not scored again
        known = kept.known_scores(assessed_units(run.dataset, period)) if kept is not None else None
        scores = score_period(run.dataset, period.id, known)
        run.all_facts[period.id] = gather(run.dataset, scores, run.timeline, run.store, run.links, kept)
    if run.cache is not None:
        run.cache.flush_facts()  # no pack half written in the page workers' copy of this process


def _files_at_pin(run: BuildRun):
    """The files at the commit evidence links pin, as the clock listed them when it read that
    commit (HEAD); None when it did not (the evidence store then lists them itself)."""
    pinned, head = run.store.pinned, run.clock.head
    if pinned is None or not run.clock.available or head is None or head.sha != pinned.commit:
        return None
    return run.clock.files_at_head()


def _overview_pages(run: BuildRun) -> dict[str, tuple[str, str]]:
    """Markdown path of every overview page -> (title, "<period>:<kind>")."""
    overview: dict[str, tuple[str, str]] = {}
    for period in run.with_catalogues:
        suffix = "" if period.id == run.latest else f" — {period.title}"
        kinds = [("", "Trang chủ"), ("cong-khai", "Công khai"), ("xep-hang", "Xếp hạng"), ("tieu-chi", "Bộ tiêu chí")]
        if period.id in run.all_facts and run.all_facts[period.id].tier_bodies:  # no tier this year, no comparison page
            kinds.insert(2, (COMPARE, compare_title(period)))
        for kind, title in kinds if period.id in run.all_facts else kinds[-1:]:
            name = f"Tổng quan{suffix}" if kind == "" and suffix else f"{title}{suffix}"
            if kind == "" and not suffix:
                name = f"Đánh giá ứng dụng CNTT — {period.title}"
            overview[run.layout.page_md(period.id, kind)] = (name, f"{period.id}:{kind}")
    overview["tai-du-lieu.md"] = ("Tải dữ liệu", ":downloads")
    overview["tim-kiem.md"] = ("Tìm kiếm", ":search")
    return overview


def _render_shells(run: BuildRun, overview: dict, scratch: Path, writer: SiteWriter) -> tuple[dict, list[str], Path]:
    """mkdocs renders the hand-written pages and one shell per generated page; what the site
    serves of it is copied over (the deep shell, the theme's own search and the sitemap of shells
    stay behind). Its output depends only on the docs, the configuration and the theme, so it is
    reused from the build cache when none of them changed. Returns mkdocs.yml as read, mkdocs'
    warnings and the folder holding the rendered shells."""
    docs = scratch / "docs"
    shell.stage(_docs_dir(run.root), docs, {**{k: v[0] for k, v in overview.items()}, DEEP_SHELL: shell.TITLE})
    config_file = _config_file(run.root)
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    theme = dict(config.get("theme") or {})
    theme["custom_dir"] = str(OVERRIDES)
    extra = dict(config.get("extra") or {})
    extra["demo"] = bool(run.org.demo)
    nav = _nav(config.get("nav"), run.all_facts[run.latest], run.dataset.periods[run.latest])
    key = _shells_key(
        docs, config_file, (theme, extra, nav, config.get("site_name"), config.get("markdown_extensions"))
    )
    cached = run.cache.shells(key) if run.cache is not None else None
    if cached is not None:
        site, warnings = cached
    else:
        site = scratch / "site"
        warnings = shell.run_mkdocs(
            config_file,
            docs,
            site,
            theme=theme,
            extra=extra,
            site_name=config.get("site_name"),
            nav=nav,
            markdown_extensions=_with_vietnamese_anchors(config.get("markdown_extensions")),
        )
        if run.cache is not None:
            site = run.cache.keep_shells(key, site, warnings)
    skip = ["_khung/", "sitemap.xml"]
    if not _theme_search(config):  # the theme's search (this site has its own, Pagefind), never loaded
        skip += ["assets/javascripts/lunr/", "assets/javascripts/workers/"]
    writer.copy_tree(site, tuple(skip), leave={_html_of(md) for md in overview})  # those are filled later
    return config, warnings, site


def _shells_key(docs: Path, config_file: Path, settings) -> str:
    """Everything mkdocs' output depends on: the staged docs, mkdocs.yml, the theme overrides,
    the settings passed beside it, the versions of mkdocs and the theme, and this code."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(repr((settings, version("mkdocs"), version("mkdocs-material"))).encode("utf-8"))
    for folder in (docs, OVERRIDES):
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(file.relative_to(folder).as_posix().encode("utf-8") + b"\0" + file.read_bytes())
    for file in (config_file, Path(__file__), Path(shell.__file__)):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _write_overview_pages(
    run: BuildRun, renderer: PageRenderer, overview: dict, shells: Path, files: Path, writer: SiteWriter
) -> int:
    """Pour generated HTML into each overview shell; returns pages written. The downloads page
    is written later, once the files exist (it shows sizes); file sizes are checked by site_size."""
    index_json = {}
    with heap.uncollected():  # the criteria of kept facts are read back for the listing's rows (heap.py)
        for period in run.periods:
            index_json[period.id] = listing_data.write_listing(
                writer, run.all_facts[period.id], run.layout, bool(run.org.demo), run.cache
            )
        heap.keep()
    pages = 0
    for md, (_title, key) in overview.items():
        period_id, _, kind = key.partition(":")
        if kind == "downloads":
            continue
        if kind == "tieu-chi":
            body = renderer.criteria(run.dataset.periods[period_id], run.with_catalogues)
        elif period_id:
            body = _overview_body(renderer, run.all_facts[period_id], kind, index_json[period_id])
        else:
            body = renderer.search()
        _fill(shells, _html_of(md), body, writer)
        pages += 1
    return pages


def _overview_body(renderer: PageRenderer, pf: PeriodFacts, kind: str, index_json: str) -> str:
    if kind == "":
        return renderer.home(pf)
    if kind == "cong-khai":
        return renderer.listing(pf, index_json)
    if kind == COMPARE:
        return renderer.offices(pf)
    return renderer.rankings(pf)


def _write_downloads(run: BuildRun, site: Path, writer: SiteWriter) -> tuple[list[dict], Manifest]:
    """CSV, XLSX and JSON of each period (through `writer`), the download schema and the editors'
    schemas (into `site`, the scratch folder); returns the downloads page's rows and the manifest of
    the JSON parts, saved once the site is in place."""
    manifest = Manifest.load(run.cache, writer.site, dl.PARTS_KIND)
    rows = []
    for period in run.periods:
        rows.append(
            dl.write_all(
                writer,
                run.all_facts[period.id],
                _source(run.provenance, run.repo),
                run.commit_url,
                run.when,
                bool(run.org.demo),
                cache=run.cache,
                manifest=manifest,
            )
        )
    writer.write(f"{dl.FOLDER}/download.schema.json", resources.schema_file("download.schema.json").read_bytes())
    schema_publish.publish(run.data_root, site, run.org.site_url)  # <site>/schema/…: what editors fetch
    return rows, manifest


def _close_run(run: BuildRun) -> None:
    if run.cache is not None:
        from site_builder import evidence

        evidence.keep_verdicts(run.cache)
        run.cache.save()
    run.clock.close()


def _html_of(md: str) -> str:
    """ "cong-khai.md" -> "cong-khai/index.html"; "index.md" -> "index.html"."""
    return md[: -len(".md")] + "/index.html" if not md.endswith("index.md") else md[:-3] + ".html"


TITLE_LIMIT = 70


def _with_vietnamese_anchors(extensions):
    """Heading anchors without diacritics and with đ -> d ("Thời điểm" -> #thoi-diem): the default
    slug drops đ. A function cannot be written in mkdocs.yml read as plain YAML, so it is set here."""
    if not isinstance(extensions, list):
        return extensions
    from site_builder.website.text import slug

    def anchor(value: str, separator: str) -> str:
        return slug(value).replace("-", separator)

    out, found = [], False
    for entry in extensions:
        if entry == "toc" or (isinstance(entry, dict) and "toc" in entry):
            options = dict(entry["toc"] or {}) if isinstance(entry, dict) else {}
            out.append({"toc": {**options, "slugify": anchor}})
            found = True
        else:
            out.append(entry)
    return out if found else out + [{"toc": {"slugify": anchor}}]


def _theme_search(config: dict) -> bool:
    """Whether mkdocs.yml turns on mkdocs' search plugin (on when `plugins` is not given)."""
    plugins = config.get("plugins", ["search"]) or []
    return any(p == "search" or (isinstance(p, dict) and "search" in p) for p in plugins)


def compare_title(period) -> str:
    return f"So sánh các {period.structure.tier_label}"


def _nav(nav, latest: PeriodFacts, period) -> list | None:
    """The configured nav, with the comparison page named after the newest period's reviewing
    tier, or left out when that period has no tier (nothing to compare)."""
    if not isinstance(nav, list):
        return nav
    out = []
    for entry in nav:
        if isinstance(entry, dict) and len(entry) == 1 and list(entry.values())[0] == f"{COMPARE}.md":
            if latest.tier_bodies:
                out.append({period.structure.tier_label: f"{COMPARE}.md"})
            continue
        out.append(entry)
    return out


def _source(provenance: dict, repo: str) -> dict:
    return {
        "commit": provenance["commit"] or None,
        "commit_date": provenance["commit_date"].isoformat() if provenance["commit_date"] else None,
        "build_date": provenance["build_date"].isoformat(),
        "repository": repo or None,
        "history": provenance["history_note"] or None,
    }


def _fill(shells: Path, rel: str, body: str, writer: SiteWriter) -> None:
    """The shell mkdocs rendered at `rel`, with `body` in its slot, written into the site."""
    shell_text = (shells / rel).read_text(encoding="utf-8")
    writer.write(rel, shell_text.replace(shell.SLOT, body))
