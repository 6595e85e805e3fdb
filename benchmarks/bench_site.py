"""Benchmark the site build against plain mkdocs-material, alternating the runs.

For each size a data repository is generated once (benchmarks/generate.py), then made realistic:
every PDF is replaced by a distinct scan-like file (a few hundred KiB for evidence, smaller for
milestone reports; datagen.scan_pdf), the organisation names a repository (edit links and
prefilled templates are generated), and the data is committed as a git history of several dated
commits. Then, per pair, our build (`site-builder build`, a fresh process, empty caches, empty
output folder) and a plain mkdocs-material build of as many pages run one after the other:
A B A B ... Every run reports wall seconds, CPU seconds of the whole process tree (user + system,
children included: os.wait4 on the process) and the peak of the summed RSS of the process tree
(sampled every 200 ms). The site is measured (total bytes, files, largest file).
Each checkout's package is compiled to bytecode first, as an installed one is (`compile_package`),
and parses the data once, unmeasured, so that no measured build fills its parse cache
(`warm_parse_cache`).

Afterwards, on the last site and its cache: a rebuild with nothing changed, then rebuilds after
one submission changed (committed), `--rebuild-pairs` times, each a new change; with `--before`
the other checkout rebuilds its own site and cache after each change too, in alternated order
(A B, B A, ...). The ratio is the median CPU of ours' rebuilds to the median of its full builds;
beside it, each rebuild's CPU to that median, whose spread says how far the machine's noise
carries the ratio (a goal such as "a tenth of a full build" is met by how many of them).
The data is reset to its commit afterwards.

`--publish` then builds as publish.yml does: a fresh clone of the data at the same place each time,
of the build cache only what the workflow keeps (`KEPT_BY_PUBLISH`, beside the PDF verdicts), of the
output folder only copies of the unit and body pages: once with nothing kept (the first publish, or
one after the code changed), then with what the first one left.

    python benchmarks/bench_site.py --sizes 1500 --pairs 3
    python benchmarks/bench_site.py --sizes 15000 --pairs 1 --before /tmp/before-src --sites /dev/shm/site-bench
    python benchmarks/bench_site.py --sizes 45000 --pairs 1 --plain-max 0 --pdf-kib 120 --sites /dev/shm/site-bench

The data repository is packed (`git repack`) as a clone's is: one pack file, not a loose
object file per blob (87,000 of them at 15,000 units, where git opened and inflated each).

`--sites DIR` puts the built sites and build caches there instead of beside the data. On an
ext4 file system without a journal (this machine's disk: "mounted filesystem ... without
journal"), the kernel checks each inode it hands out against recent deletions (`recently_deleted`,
skipped when there is a journal, ext4's default), and each full build starts by deleting the last
one's 35,000 files: a loop writing 15,000 pages of 30 KB into 15,000 new folders took 0.96 s of
system time on a fresh disk, 2.1 to 6.8 s after such deletions, 1.11 in memory; full builds at
15,000 units took 46.7, 49.2 and 50.8 CPU-s with their sites on that disk, 45.9, 45.6 and 46.2
in memory (alternated, the same code). `--sites /dev/shm/site-bench` measures what a disk with a
journal would. Hard links from there to the data fail, so copied evidence (`evidence: copy`) is
copied: use it for sizes whose evidence is linked.

`--before DIR` also runs another checkout of the package (its source folder, put first on
PYTHONPATH) in each pair: before/after on the same machine, alternated, and in the other order
every second pair (a machine can favour the first run of a pair). Results are printed as a
table and written to build/bench-site.json (merged with earlier sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import render_organization, scan_pdf  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/so-gddt-kiem-thu/danh-gia-cntt"
PERIOD = "2023-2024"


# --------------------------------------------------------------------------------------------
# Data: generated, then distinct PDFs, a repository, a git history
# --------------------------------------------------------------------------------------------


def prepare(size: int, target: Path, pdf_kib: int, commits: int, evidence: str) -> dict:
    if target.exists():
        shutil.rmtree(target)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(PROJECT / "benchmarks/generate.py"), "--units", str(size), "--out", str(target)],
        check=True,
        capture_output=True,
    )
    pdfs, pdf_bytes = distinct_pdfs(target, pdf_kib)
    (target / "submissions/organization.yaml").write_text(
        render_organization(
            "Sở Giáo dục và Đào tạo (dữ liệu kiểm thử tải)",
            ["sgd-bench-reviewer", "sgd-bench-reviewer-2"],
            ["sgd-bench-admin"],
            demo=True,
            repository=REPOSITORY,
            evidence=evidence,
            site_budget_mb=site_budget(size),
        ),
        encoding="utf-8",
    )
    made = commit_history(target, commits)
    pack(target)
    return {
        "evidence": evidence,
        "pdf_files": pdfs,
        "pdf_mib": round(pdf_bytes / 1048576, 1),
        "commits": made,
        "prepare_s": round(time.perf_counter() - started, 1),
    }


def site_budget(size: int) -> int | None:
    """A larger budget than GitHub Pages' 1 GB when the pages alone pass it (about 45 KB a unit:
    2 GB at 45,000 units, evidence linked): such a site needs another host, and the benchmark
    measures its build. None: the default budget."""
    return None if size * 45 / 1024 < 800 else 4000


def distinct_pdfs(root: Path, kib: int) -> tuple[int, int]:
    """Replace every (hard-linked, shared) PDF by its own: evidence about `kib` KiB (varied by
    ±50%), milestone reports a fifth of that."""
    count = total = 0
    for path in sorted((root / "submissions").rglob("*.pdf")):
        rel = path.relative_to(root).as_posix()
        report = "/bao-cao/" in rel
        size = max(8, (kib // 5 if report else kib) * (50 + hash_percent(rel)) // 100)
        data = scan_pdf(rel, size, path.stem)
        path.unlink()
        path.write_bytes(data)
        count += 1
        total += len(data)
    return count, total


def hash_percent(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode()) % 101  # 0..100: sizes from 50% to 150% of the mean


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Kiểm thử",
        "GIT_AUTHOR_EMAIL": "kiem-thu@example.invalid",
        "GIT_COMMITTER_NAME": "Kiểm thử",
        "GIT_COMMITTER_EMAIL": "kiem-thu@example.invalid",
    }
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    # Level 0: the PDFs are incompressible noise; compressing them would only cost time here.
    return subprocess.run(
        ["git", "-c", "core.compression=0", "-c", "core.looseCompression=0", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_history(root: Path, commits: int) -> int:
    """Criteria, schemas and registries first; then the bodies' folders in `commits` dated
    batches, a day apart, before the deadline (so filings are on time and the clock has history)."""
    import datetime

    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "gc.auto", "0")  # no repacking of gigabytes of PDFs behind the measurements
    day = datetime.date(2024, 5, 1)
    git(root, "add", "criteria", "schema", "submissions/organization.yaml", "submissions/units")
    git(
        root,
        "commit",
        "--quiet",
        "--no-gpg-sign",
        "-m",
        "Bộ tiêu chí và danh sách đơn vị",
        date=f"{day}T08:00:00+07:00",
    )
    folders = sorted(p for p in (root / "submissions" / PERIOD).iterdir())
    batch = max(1, -(-len(folders) // commits))
    made = 1
    for n in range(0, len(folders), batch):
        day += datetime.timedelta(days=1)
        git(root, "add", *[str(p.relative_to(root)) for p in folders[n : n + batch]])
        git(root, "commit", "--quiet", "--no-gpg-sign", "-m", f"Nộp bài đợt {made}", date=f"{day}T09:00:00+07:00")
        made += 1
    git(root, "add", "-A")
    if git(root, "status", "--porcelain").strip():
        git(root, "commit", "--quiet", "--no-gpg-sign", "-m", "Phần còn lại", date=f"{day}T18:00:00+07:00")
        made += 1
    return made


def pack(root: Path) -> None:
    """Put the loose objects into a pack, as a clone receives them (module docstring); PDFs over
    100 KiB are not compared for deltas (noise: none would be found), and the pack is compressed
    as a host's is (git() leaves loose objects uncompressed). Cheap when few are loose."""
    counted = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    if int(counted["count"]):
        git(root, "-c", "core.bigFileThreshold=100k", "-c", "pack.compression=-1", "repack", "-d", "-q")


def change_one_submission(root: Path) -> str:
    """Lower one self-score of one submission by 0.5 (or raise it) and commit: what a unit's
    correction pull request does."""
    import re

    files = sorted(p for p in (root / "submissions" / PERIOD).glob("*/*.yaml") if not p.name.endswith(".review.yaml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    match = re.search(r"diem_tu_cham: ([0-9.]+)", text)
    value = float(match.group(1))
    new = value - 0.5 if value >= 0.5 else value + 0.5
    path.write_text(text[: match.start(1)] + f"{new:g}" + text[match.end(1) :], encoding="utf-8")
    git(root, "commit", "--quiet", "--no-gpg-sign", "-am", "Sửa điểm tự chấm", date="2024-05-30T10:00:00+07:00")
    return path.relative_to(root).as_posix()


# --------------------------------------------------------------------------------------------
# Runs: one process tree each, measured from outside
# --------------------------------------------------------------------------------------------


def measured(command: list[str], env: dict, cwd: Path) -> dict:
    """Wall, CPU (user+system of the process and every child it waited for) and the peak summed
    RSS and PSS of the process tree (PSS shares a page among the processes mapping it: forked
    workers' copy-on-write pages are not counted once per process as RSS counts them); raises with
    the output when the command fails."""
    import psutil

    out_file = open(cwd / ".bench-out", "w+")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out_file, stderr=subprocess.STDOUT)
    peak = peak_pss = 0
    watched = psutil.Process(process.pid)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
            peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out_file.seek(0)
    output = out_file.read()
    out_file.close()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{output[-3000:]}")
    return {
        "wall": round(wall, 2),
        "cpu": round(usage.ru_utime + usage.ru_stime, 2),
        "rss_tree_mib": round(peak / 1048576),
        "pss_tree_mib": round(peak_pss / 1048576),
        "rss_max_process_mib": round(usage.ru_maxrss / 1024),
        "output": output[-2000:],
    }


# Parses every YAML file of the data as a build does (yamlfile.read_yaml), filling the parse cache
# of the code on PYTHONPATH in the folder given.
_PARSE_ALL = """
import sys
from pathlib import Path
from site_builder import verdict_cache, yamlfile
verdict_cache.configure(Path(sys.argv[2]))
for folder in ("criteria", "submissions"):
    for file in sorted(Path(sys.argv[1], folder).rglob("*.yaml")):
        yamlfile.read_yaml(file, str(file))
"""


def warm_parse_cache(data: Path, source: Path | None, verdicts: Path) -> None:
    """Parse the data once with the code in `source`, unmeasured. The parse cache is keyed by
    the YAML reader's code (parse_cache.py): a code whose reader changed since the cache was
    filled parsed every file in its first measured build (84.1 CPU-s at 15,000 units against
    68.5 and 63.9 for its next two). A code that cannot run this (an older layout) is told and
    measured as it is."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    command = [sys.executable, "-c", _PARSE_ALL, str(data), str(verdicts)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        print(f"  parse cache not warmed for {source or 'the installed package'}: {done.stderr[-500:]}", flush=True)


def ours(
    data: Path, site: Path, cache: Path, source: Path | None = None, fresh: bool = True, verdicts: Path | None = None
) -> dict:
    """`site-builder build`. `fresh`: no output folder and an empty build cache (a full build).
    `verdicts`: the PDF-verdict and YAML-parse cache folder (content-keyed, older than this
    benchmark); shared by all runs of a size once a first cold build filled it."""
    if fresh:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    run = measured(
        [
            sys.executable,
            "-m",
            "site_builder",
            "--root",
            str(data),
            "--cache-dir",
            str(verdicts or cache / "verdicts"),
            "build",
            "--out",
            str(site),
            "--timings",
        ],
        env,
        site.parent,
    )
    run.update(measure_site(site))
    lines = run.pop("output").splitlines()
    run["steps"] = next((line for line in lines if line.startswith("Thời gian (giây)")), "")
    run["cpu_steps"] = next((line for line in lines if line.startswith("Thời gian CPU")), "")
    return run


def compile_package(source: Path) -> None:
    """The bytecode of a checkout's package, written once before the runs, as `pip install .`
    writes it. This machine's environment sets PYTHONDONTWRITEBYTECODE, so a checkout run from
    its source compiled its ~100 modules again in every run (0.15 to 0.2 CPU-s), which neither an
    installed package nor plain mkdocs' packages (pip compiled them) pay."""
    import compileall

    if not compileall.compile_dir(str(source / "site_builder"), quiet=1):
        raise SystemExit(f"cannot compile {source / 'site_builder'}")


def plain_docs(pages: int, work: Path) -> None:
    """Plain mkdocs-material: one Markdown page per unit with a 20-row criteria table, out of the
    nav, the theme's built-in search on (what a site made without this package would be)."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs" / "don-vi"
    docs.mkdir(parents=True)
    (work / "docs/index.md").write_text("# Trang chủ\n\nKết quả đánh giá.\n", encoding="utf-8")
    rows = "\n".join(
        f"| {g}.{i} | Tổ chức tốt việc ứng dụng CNTT trong dạy học, tiêu chí {g}.{i} | 5 | 4,5 | 4,5 | "
        f"[ke-hoach.pdf](ke-hoach.pdf) |"
        for g in range(1, 5)
        for i in range(1, 6)
    )
    for n in range(pages):
        (docs / f"don-vi-{n}.md").write_text(
            f"# Trường THCS số {n}\n\nQuận {n % 24}, tổng điểm 87,5/100, xếp loại Tốt.\n\n"
            f"| Tiêu chí | Nội dung | Tối đa | Tự chấm | Cuối cùng | Minh chứng |\n|---|---|---|---|---|---|\n{rows}\n",
            encoding="utf-8",
        )
    (work / "mkdocs.yml").write_text(
        "site_name: Plain\ntheme:\n  name: material\n  language: vi\nnav:\n  - Trang chủ: index.md\n", encoding="utf-8"
    )


def plain(work: Path, site: Path) -> dict:
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = measured(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml"), "-d", str(site)], env, work
    )
    run.pop("output")
    run.update(measure_site(site))
    return run


def measure_site(site: Path) -> dict:
    total = files = largest = 0
    largest_name = ""
    for folder, _dirs, names in os.walk(site):
        for name in names:
            size = os.stat(os.path.join(folder, name)).st_size
            total += size
            files += 1
            if size > largest:
                largest, largest_name = size, os.path.relpath(os.path.join(folder, name), site)
    return {
        "site_mib": round(total / 1048576, 1),
        "files": files,
        "largest_kib": round(largest / 1024),
        "largest": largest_name,
    }


# --------------------------------------------------------------------------------------------
# One size: pairs, then the incremental rebuilds
# --------------------------------------------------------------------------------------------


def bench_size(size: int, args) -> dict:
    work = args.work / str(size)
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    result: dict = {"units": size}
    if args.reuse_data and (data / ".git").is_dir():
        result["data"] = json.loads((work / "data.json").read_text())
        pack(data)  # data made before packing was done here
    else:
        result["data"] = prepare(size, data, args.pdf_kib, args.commits, evidence_mode(size, args))
        (work / "data.json").write_text(json.dumps(result["data"]))
    print(f"{size}: data {result['data']}", flush=True)
    if args.prepare_only:
        return result
    out = args.sites / str(size) if args.sites else work  # sites and build caches (module docstring)
    out.mkdir(parents=True, exist_ok=True)
    with_plain = size <= args.plain_max
    if with_plain:
        plain_docs(size, work / "plain")
    verdicts = work / "verdicts"
    if not verdicts.is_dir():  # the first build ever: every PDF checked, every YAML file parsed
        result["first_build_cold"] = ours(data, out / "site", out / "cache", args.ours, verdicts=verdicts)
        print(
            f"  first build, cold: {brief(result['first_build_cold'])}  {result['first_build_cold']['steps']}",
            flush=True,
        )
    for source in {args.before, args.ours}:
        warm_parse_cache(data, source, verdicts)
    runs: dict[str, list] = {"ours": [], "before": [], "plain": []}
    builds = {
        "before": (out / "site-before", out / "cache-before", args.before),
        "ours": (out / "site", out / "cache", args.ours),
    }
    for pair in range(args.pairs):
        order = ["before", "ours"] if args.before is not None else ["ours"]
        if pair % 2:
            order.reverse()  # before ours, ours before, ...: neither always runs first
        for name in order:
            runs[name].append(ours(data, *builds[name], verdicts=verdicts))
            print(
                f"  pair {pair + 1} {name + ':':7} {brief(runs[name][-1])}  {runs[name][-1]['cpu_steps']}", flush=True
            )
        if with_plain:
            runs["plain"].append(plain(work / "plain", out / "site-plain"))
            print(f"  pair {pair + 1} plain:  {brief(runs['plain'][-1])}", flush=True)
    result["runs"] = {k: v for k, v in runs.items() if v}
    # Incremental: the last "ours" run left its site and cache in place.
    unchanged = ours(data, out / "site", out / "cache", args.ours, fresh=False, verdicts=verdicts)
    print(f"  unchanged rebuild: {brief(unchanged)}  {unchanged['cpu_steps']}", flush=True)
    result["unchanged_rebuild"] = unchanged
    rebuilds = one_change_rebuilds(data, out, args, verdicts, settle=bool(runs["before"]))
    result["one_file_rebuilds"] = rebuilds["ours"]
    if rebuilds["before"]:
        result["before_one_file_rebuilds"] = rebuilds["before"]
    if not runs["ours"]:  # --pairs 0: the rebuilds against the full builds measured before, else the cold one
        bench_file = PROJECT / "build" / "bench-site.json"
        earlier = json.loads(bench_file.read_text(encoding="utf-8")).get(str(size), {}) if bench_file.is_file() else {}
        result["runs"] = earlier.get("runs", {})
        runs["ours"] = result["runs"].get("ours", []) or [result[k] for k in ("first_build_cold",) if k in result]
    if runs["ours"] and rebuilds["ours"]:
        result["rebuild_ratio"], result["rebuild_ratios"] = rebuild_ratios(runs["ours"], rebuilds["ours"])
    elif rebuilds["ours"]:
        print("  no full build measured here or before: no rebuild ratio", flush=True)
    if runs["before"] and rebuilds["before"]:
        result["before_rebuild_ratio"] = rebuild_ratios(runs["before"], rebuilds["before"])[0]
    if args.publish:
        result["publish"] = publishing_runs(data, work, out, args.ours, verdicts)
    return result


def rebuild_ratios(full: list[dict], rebuilds: list[dict]) -> tuple[float, list[float]]:
    """The median rebuild's CPU to the median full build's, and each rebuild's to it (sorted)."""
    full_cpu = statistics.median(r["cpu"] for r in full)
    each = sorted(round(r["cpu"] / full_cpu, 3) for r in rebuilds)
    return round(statistics.median(r["cpu"] for r in rebuilds) / full_cpu, 3), each


def one_change_rebuilds(data: Path, out: Path, args, verdicts: Path, settle: bool) -> dict[str, list]:
    """Rebuilds after one changed submission each (module docstring); the data is reset after.
    `out`: where the sites and caches are. `settle`: rebuild the other checkout's site once
    first, with nothing changed, as ours was."""
    builds = {"ours": (out / "site", out / "cache", args.ours)}
    if args.before is not None:
        builds["before"] = (out / "site-before", out / "cache-before", args.before)
    if settle and "before" in builds:
        ours(data, *builds["before"], fresh=False, verdicts=verdicts)
    start = git(data, "rev-parse", "HEAD").strip()
    done: dict[str, list] = {"ours": [], "before": []}
    try:
        for n in range(args.rebuild_pairs):
            changed_file = change_one_submission(data)
            order = sorted(builds, reverse=n % 2 == 1)  # "before" first, then "ours" first, ...
            for name in order:
                if name == "before" and not settle:
                    continue  # no site of its own to rebuild
                run = ours(data, *builds[name], fresh=False, verdicts=verdicts)
                done[name].append(run)
                print(
                    f"  one-file rebuild {n + 1} {name} ({changed_file}): {brief(run)}  {run['cpu_steps']}", flush=True
                )
    finally:
        git(data, "reset", "--quiet", "--hard", start)
    return done


# What publish.yml keeps of the build cache (besides the PDF and signature verdicts) and of the site.
KEPT_BY_PUBLISH = (
    "checks",
    "facts",
    "blobs/unit-facts",
    "history",
    "blobs/unit-file-keys",
    "blobs/search",
    "blobs/workbooks",
    "blobs/downloads",
    "blobs/download-lines",
    "blobs/download-xlsx",
    "blobs/listing",
    "blobs/unit-pages",
    "blobs/district-pages",
)
PAGES_KEPT_BY_PUBLISH = ("don-vi", "quan-ly")  # <site>/<period>/<folder>: unit and body pages


def publishing_runs(data: Path, work: Path, out: Path, source: Path | None, verdicts: Path) -> dict:
    """Two builds as publish.yml runs them (see the module's docstring): without, then with what
    the workflow keeps between runs; the clone in `work`, the site and cache in `out`."""
    checkout, site, cache = work / "checkout", out / "site-publish", out / "cache-publish"
    runs = {}
    for name, keep in (("publish, nothing kept", False), ("publish, cache kept", True)):
        shutil.rmtree(checkout, ignore_errors=True)
        pages = out / "pages-kept"
        shutil.rmtree(pages, ignore_errors=True)
        for folder in site.glob("*/*") if keep else ():
            if folder.name in PAGES_KEPT_BY_PUBLISH:
                shutil.copytree(folder, pages / folder.relative_to(site))  # copies: other inodes, as restored
        shutil.rmtree(site, ignore_errors=True)
        if pages.is_dir():
            pages.rename(site)
        git(work, "clone", "--quiet", str(data), str(checkout))  # every file written anew
        if keep:
            for folder in cache.glob("site-builder/build/*"):
                kept = out / "kept"
                kept.mkdir()
                for part in KEPT_BY_PUBLISH:
                    if (folder / part).exists():
                        (kept / part).parent.mkdir(parents=True, exist_ok=True)
                        (folder / part).rename(kept / part)
                shutil.rmtree(folder)
                kept.rename(folder)
        else:
            shutil.rmtree(cache, ignore_errors=True)
        runs[name] = ours(checkout, site, cache, source, fresh=False, verdicts=verdicts)
        print(f"  {name}: {brief(runs[name])}  {runs[name]['cpu_steps']}", flush=True)
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    return runs


def evidence_mode(size: int, args) -> str:
    """`link` (evidence on GitHub, see docs/huong-dan/quan-tri.md) when the PDFs would not fit the
    1 GB budget of GitHub Pages: ~1.9 PDFs of `pdf_kib` per unit."""
    if args.evidence:
        return args.evidence
    return "link" if size * 1.9 * args.pdf_kib / 1024 > 800 else "copy"


def brief(run: dict) -> str:
    return (
        f"{run['wall']:>7.1f} s wall {run['cpu']:>7.1f} CPU-s tree RSS {run['rss_tree_mib']:>5} MiB "
        f"PSS {run.get('pss_tree_mib', '?'):>5} MiB "
        f"site {run['site_mib']:>8.1f} MiB largest {run['largest_kib']} KiB ({run['largest']})"
    )


RATIO_GOAL = 0.10  # a rebuild after one change: at most a tenth of a full build's CPU (issue 12)


def table(results: dict) -> str:
    lines = [
        "| units | build | runs | wall s (median) | CPU-s (median) | tree RSS / PSS MiB (max) | site MiB | "
        "largest file |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for size, r in sorted(results.items(), key=lambda kv: int(kv[0])):
        rows = [("ours, first build (cold caches)", [r["first_build_cold"]])] if "first_build_cold" in r else []
        rows += [(name, runs) for name, runs in r["runs"].items()]
        rows.append(("ours, rebuild unchanged", [r["unchanged_rebuild"]]))
        changed = r.get("one_file_rebuilds") or ([r["one_file_rebuild"]] if "one_file_rebuild" in r else [])
        if changed:  # none with --rebuild-pairs 0
            rows.append(("ours, rebuild after one change", changed))
        if r.get("before_one_file_rebuilds"):
            rows.append(("before, rebuild after one change", r["before_one_file_rebuilds"]))
        rows += [(f"ours, {name}", [run]) for name, run in r.get("publish", {}).items()]
        for name, runs in rows:
            wall = statistics.median(x["wall"] for x in runs)
            cpu = statistics.median(x["cpu"] for x in runs)
            rss = f"{max(x['rss_tree_mib'] for x in runs)} / {max(x.get('pss_tree_mib', 0) for x in runs)}"
            last = runs[-1]
            lines.append(
                f"| {size} | {name} | {len(runs)} | {wall:.1f} | {cpu:.1f} | {rss} | {last['site_mib']} | "
                f"{last['largest_kib']} KiB ({last['largest']}) |"
            )
        if "rebuild_ratio" in r:
            lines.append(f"| {size} | rebuild ratio (CPU one change / CPU full) | | | {r['rebuild_ratio']} | | | |")
        if r.get("rebuild_ratios"):
            each = r["rebuild_ratios"]
            under = sum(ratio <= RATIO_GOAL for ratio in each)
            lines.append(
                f"| {size} | each rebuild / CPU full: {each[0]}-{each[-1]}, {under} of {len(each)} at most {RATIO_GOAL} "
                "| | | | | | |"
            )
        if "before_rebuild_ratio" in r:
            lines.append(f"| {size} | before: rebuild ratio | | | {r['before_rebuild_ratio']} | | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1500])
    parser.add_argument("--pairs", type=int, default=3, help="alternated runs of each build")
    parser.add_argument(
        "--rebuild-pairs", type=int, default=1, help="rebuilds after one changed submission (alternated with --before)"
    )
    parser.add_argument("--plain-max", type=int, default=15000, help="largest size also built with plain mkdocs")
    parser.add_argument("--pdf-kib", type=int, default=250, help="mean size of an evidence PDF")
    parser.add_argument("--commits", type=int, default=12, help="commits the submissions are spread over")
    parser.add_argument("--before", type=Path, default=None, help="source folder of another version to alternate with")
    parser.add_argument(
        "--ours",
        type=Path,
        default=None,
        help="source folder of the version to measure (default: the installed package)",
    )
    parser.add_argument(
        "--evidence", choices=("copy", "link"), help="evidence mode (default: link when copies overflow 1 GB)"
    )
    parser.add_argument("--reuse-data", action="store_true", help="keep data generated by an earlier run")
    parser.add_argument("--publish", action="store_true", help="also build twice as publish.yml does")
    parser.add_argument("--prepare-only", action="store_true", help="only generate the data")
    parser.add_argument("--work", type=Path, default=Path("/tmp/site-bench"))
    parser.add_argument("--sites", type=Path, default=None, help="folder for sites and build caches (see above)")
    args = parser.parse_args()
    if not args.prepare_only:
        for source in {args.ours or PROJECT, args.before} - {None}:
            compile_package(source)
    out = PROJECT / "build" / "bench-site.json"
    results = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    for size in args.sizes:
        if args.prepare_only:
            bench_size(size, args)
            continue
        results[str(size)] = bench_size(size, args)
        out.parent.mkdir(parents=True, exist_ok=True)
        on_disk = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}  # another size, run meanwhile
        results = {**on_disk, str(size): results[str(size)]}
        out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
