"""The site build, step by step: validate → score → read git → mkdocs shells → pages → downloads.

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

from site_builder import resources, schema_publish
from site_builder.clock import VIETNAM, Clock, read_clock
from site_builder.paths import DataRoot
from site_builder.website import downloads as dl
from site_builder.website import listing_data, search, shell
from site_builder.website.evidence_files import EvidenceStore
from site_builder.timeliness import data_day
from site_builder.website.facts import PeriodFacts, Timeline, gather
from site_builder.website.pages import TEMPLATE_FILE, Layout, PageRenderer, environment
from site_builder.website.text import page_title
from site_builder.website.review_site import ReviewSite

OVERRIDES = resources.overrides_dir()
DEEP_SHELL = "_khung/a/b.md"

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
    largest_fetch: int = 0
    clock: Clock | None = None


def build_date(clock: Clock) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), VIETNAM)
    if clock.head is not None and clock.head.committer_date is not None:
        return clock.head.committer_date
    return dt.datetime.now(VIETNAM)


def open_clock(data_root: DataRoot, organization) -> Clock:
    """The clock, trusting the signers the organisation names (a key of the data repository, or
    one shipped with the package such as GitHub's web-flow key). Signature verdicts are cached in
    the user's cache folder, never inside the data repository: a cached verdict vouches for a time,
    so a pull request must not be able to write one."""
    keys = [data_root.signer_key(name) for name in organization.signers]
    return read_clock(data_root.path, [k for k in keys if k is not None], cache_dir=signature_cache_dir())


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


def build_site(root: Path, out: Path, *, validation=None, link_report: Path | None = None,
               review_queue: Path | None = None, objections: Path | None = None) -> BuildReport:
    """`link_report` defaults to <root>/build/link-report.json (where check-links writes it)."""
    from site_builder.scoring import score_period
    from site_builder.validate import validate_all

    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str):
        nonlocal started
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        started = now

    data_root = DataRoot(root)
    result = validation or validate_all(data_root)
    if not result.ok:
        raise InvalidData(result)
    dataset = result.dataset
    lap("validate")
    org = dataset.registry.organization
    clock = open_clock(data_root, org)
    lap("git")
    repo = (org.repository or "").rstrip("/")

    def commit_url(commit) -> str:
        sha = getattr(commit, "sha", None) or getattr(commit, "commit", None)
        return f"{repo}/commit/{sha}" if repo and sha else ""

    when = build_date(clock)
    head_date = clock.head.committer_date if clock.head else None
    provenance = {"commit": clock.head.sha if clock.head else "", "commit_url": commit_url(clock.head),
                  "commit_date": head_date, "build_date": when, "history_note": clock.reason,
                  "demo": bool(org.demo)}
    timeline = Timeline(clock, data_day(clock, when.date()))
    store = EvidenceStore(root)
    links = read_link_report(link_report if link_report is not None else root / "build" / "link-report.json")
    # Oldest first by deadline: period ids are not always school years ("chuyen-doi-so-4725").
    with_catalogues = sorted((p for p in dataset.periods.values() if p.catalogues), key=lambda p: (p.deadline, p.id))
    submitted = {period_id for period_id, _unit in dataset.submissions}
    # A period nobody has submitted to yet gets its criteria page only: 15,000 pages saying
    # "Chưa nộp" would triple the build and say nothing the listing of a real period does not.
    periods = [p for p in with_catalogues if p.id in submitted] or with_catalogues[-1:]
    all_facts: dict[str, PeriodFacts] = {}
    for period in periods:
        scores = score_period(dataset, period.id)
        all_facts[period.id] = gather(dataset, scores, timeline, store, links)
    lap("score")
    latest = periods[-1].id
    layout = Layout(latest)
    renderer = PageRenderer(environment(commit_url), layout, periods, all_facts, org, provenance)
    reviewing = ReviewSite(dataset, periods, clock, when, provenance["commit"], layout,  # reviewer's workspace
                           queue_file=review_queue, objections_file=objections)
    reviewing.install(renderer.env)

    # 1. mkdocs renders hand-written pages and one shell per generated page.
    overview: dict[str, tuple[str, str]] = {}  # md path -> (title, kind)
    for period in with_catalogues:
        suffix = "" if period.id == latest else f" — {period.title}"
        kinds = [("", "Trang chủ"), ("cong-khai", "Công khai"), ("xep-hang", "Xếp hạng"), ("tieu-chi", "Bộ tiêu chí")]
        if period.id in all_facts and all_facts[period.id].tier_bodies:  # no tier this year, no comparison page
            kinds.insert(2, (COMPARE, compare_title(period)))
        for kind, title in kinds if period.id in all_facts else kinds[-1:]:
            name = f"Tổng quan{suffix}" if kind == "" and suffix else f"{title}{suffix}"
            if kind == "" and not suffix:
                name = f"Đánh giá ứng dụng CNTT — {period.title}"
            overview[layout.page_md(period.id, kind)] = (name, f"{period.id}:{kind}")
    overview["tai-du-lieu.md"] = ("Tải dữ liệu", ":downloads")
    overview["tim-kiem.md"] = ("Tìm kiếm", ":search")
    staging = out.parent / (out.name + ".docs")
    shell.stage(_docs_dir(root), staging, {**{k: v[0] for k, v in overview.items()}, DEEP_SHELL: shell.TITLE})
    config = yaml.safe_load(_config_file(root).read_text(encoding="utf-8"))
    theme = dict(config.get("theme") or {})
    theme["custom_dir"] = str(OVERRIDES)
    extra = dict(config.get("extra") or {})
    extra["demo"] = bool(org.demo)
    nav = _nav(config.get("nav"), all_facts[latest], dataset.periods[latest])
    trash = _move_away(out)
    warnings = shell.run_mkdocs(_config_file(root), staging, out, theme=theme, extra=extra,
                                site_name=config.get("site_name"), nav=nav,
                                markdown_extensions=_with_vietnamese_anchors(config.get("markdown_extensions")))
    lap("mkdocs")

    # 2. Overview pages: pour generated HTML into each rendered page.
    site = out
    index_json = {}
    largest = 0
    for period in periods:
        index_json[period.id], size = listing_data.write_listing(site, all_facts[period.id], layout, bool(org.demo))
        largest = max(largest, size)
    pages = 0
    for md, (title, key) in overview.items():
        period_id, _, kind = key.partition(":")
        if kind == "tieu-chi":
            body = renderer.criteria(dataset.periods[period_id], with_catalogues)
        elif period_id:
            pf = all_facts[period_id]
            body = {"": lambda: renderer.home(pf), "cong-khai": lambda: renderer.listing(pf, index_json[period_id]),
                    COMPARE: lambda: renderer.offices(pf), "xep-hang": lambda: renderer.rankings(pf)}[kind]()
        elif kind == "downloads":
            continue  # written once the files exist (their sizes are shown)
        else:
            body = renderer.search()
        _fill(site / (md[: -len(".md")] + "/index.html" if not md.endswith("index.md") else md[:-3] + ".html"), body)
        pages += 1

    # 3. Search index of the newest period (runs beside the page writing), then unit and district
    #    pages: one shell at depth 3 wraps them all.
    mirror = out.parent / (out.name + ".search")
    search.write_mirror([e for period in periods for e in search_entries(all_facts[period.id], layout, renderer)],
                        mirror)
    indexing = search.start_indexing(mirror, site)
    deep = shell.Shell.read(site / "_khung/a/b/index.html")
    # html-validate's limit for <title> (70), less the theme's " - <site name>"
    room = TITLE_LIMIT - len(f" - {config.get('site_name') or ''}")
    unit_pages = 0
    for period in periods:
        pf = all_facts[period.id]
        for f in pf.units.values():
            folder = site / layout.unit(period.id, f.unit.id)
            _write(folder / "index.html", deep.render(f"{f.unit.name} — {period.title}", renderer.unit_page(f),
                                                      page_title(f.unit.name, period.title, room)))
            if f.template:
                _write(folder / TEMPLATE_FILE, f.template)
            unit_pages += 1
        for parent_id in pf.parents:
            title = renderer.parent_title(pf, parent_id)
            _write(site / layout.parent(period.id, parent_id) / "index.html",
                   deep.render(f"{title} — {period.title}", renderer.parent_page(pf, parent_id, title),
                               page_title(title, period.title, room)))
            pages += 1
    pages += reviewing.write(site, deep, renderer.env)  # scoring workbooks and review-queue pages
    shutil.rmtree(site / "_khung")
    if not _theme_search(config):  # the theme's search (this site has its own, Pagefind), never loaded
        shutil.rmtree(site / "assets/javascripts/lunr", ignore_errors=True)
        shutil.rmtree(site / "assets/javascripts/workers", ignore_errors=True)
    for name in ("sitemap.xml", "sitemap.xml.gz"):  # lists the shells only, without site_url: misleading
        (site / name).unlink(missing_ok=True)
    lap("pages")
    download_rows = []
    for period in periods:
        pf = all_facts[period.id]
        paths = dl.write_all(site, pf, _source(provenance, repo), commit_url, when, bool(org.demo))
        download_rows.append({"period": period.id, "title": period.title, "count": len(pf.units), **paths,
                              **{f"{k}_size": (site / v).stat().st_size for k, v in paths.items()}})
    shutil.copyfile(resources.schema_file("download.schema.json"), site / dl.FOLDER / "download.schema.json")
    schema_publish.publish(data_root, site, org.site_url)  # <site>/schema/…: what editors fetch
    _fill(site / "tai-du-lieu/index.html", renderer.downloads(list(reversed(download_rows))))
    pages += 1
    lap("downloads (while indexing)")
    evidence = store.publish(site)
    lap("evidence")
    largest = max(largest, search.finish_indexing(indexing, site, mirror))
    lap("search (rest)")
    shutil.rmtree(staging, ignore_errors=True)
    if trash is not None:
        trash.join()
    clock.close()
    return BuildReport(site, pages + unit_pages, unit_pages, evidence, warnings, timings, largest, clock)


COMPARE = "so-sanh"
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


def search_entries(pf: PeriodFacts, layout: Layout, renderer: PageRenderer) -> list:
    from site_builder.unit_types import label as type_label

    entries = []
    area = pf.period.structure.area_label
    for f in pf.units.values():
        level = f" ({f.unit.level})" if f.unit.level else ""
        where = f", {f.unit.area}" if f.unit.area else ""
        entries.append(search.Entry(layout.unit(pf.period.id, f.unit.id), f.unit.name,
                                    f"{type_label(f.unit.type)}{level}{where} · {pf.period.title}",
                                    f"{f.unit.id} {f.parent_name} {area}"))
    for parent_id in pf.parents:
        entries.append(search.Entry(layout.parent(pf.period.id, parent_id), renderer.parent_title(pf, parent_id),
                                    f"Danh sách đơn vị trực thuộc · {pf.period.title}", parent_id))
    return entries


def _source(provenance: dict, repo: str) -> dict:
    return {"commit": provenance["commit"] or None,
            "commit_date": provenance["commit_date"].isoformat() if provenance["commit_date"] else None,
            "build_date": provenance["build_date"].isoformat(), "repository": repo or None,
            "history": provenance["history_note"] or None}


def _move_away(out: Path):
    """Rename the previous build and delete it in the background: deleting 15,000 pages takes
    seconds the build can use."""
    if not out.exists():
        return None
    import threading

    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    out.rename(old)
    worker = threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}, daemon=True)
    worker.start()
    return worker


def _fill(file: Path, body: str) -> None:
    file.write_text(file.read_text(encoding="utf-8").replace(shell.SLOT, body), encoding="utf-8")


def _write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
