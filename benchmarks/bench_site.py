"""Benchmark the site build against the goals of the site issue, in one run.

For each size: generate a repository (benchmarks/generate.py --units N), build the site in a fresh
process (wall time, per-step times, peak RSS of the build and of its child processes), then measure
the output (unit page sizes, largest file a visitor's browser loads). Then build plain
mkdocs-material on the same number of pages (one Markdown page per unit with its criteria table,
unit pages out of the nav, the theme's built-in search on) and print the ratio.

    python benchmarks/bench_site.py                       # 700, 1500, 15000 units
    python benchmarks/bench_site.py --sizes 700 --plain-max 700 --work /tmp/bench

Results are printed and written to build/bench-site.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GOALS = {"t700": 10.0, "t15000": 60.0, "rss15000_mib": 1024.0, "ratio": 11.0, "unit_page_kib": 25.0,
         "largest_loaded_mib": 5.0}
BROWSER_LOADED = {".html", ".js", ".css", ".json", ".wasm", ".svg", ".png"}
BUILD_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    start = time.perf_counter()
    from site_builder.paths import DataRoot
    from site_builder.website.build import build_site
    from site_builder.validate import validate_all
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    t = time.perf_counter()
    result = validate_all(DataRoot(root))
    validate = time.perf_counter() - t
    if not result.ok:
        print(json.dumps({"error": [p.message for p in result.errors[:5]]})); sys.exit(1)
    report = build_site(root, out, validation=result)
    timings = {"validate": round(validate, 2), **{k: v for k, v in report.timings.items() if k != "validate"}}
    print(json.dumps({"seconds": round(time.perf_counter() - start, 2), "timings": timings,
                      "unit_pages": report.unit_pages, "pages": report.pages,
                      "rss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "rss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""")


def generate(units: int, target: Path) -> float:
    if target.exists():
        shutil.rmtree(target)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(PROJECT / "benchmarks/generate.py"), "--units", str(units), "--out",
                    str(target)], check=True, capture_output=True)
    return time.perf_counter() - start


def build(root: Path, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)

    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", BUILD_CHILD, str(root), str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=PROJECT)
    peak = _watch_memory(process)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"build failed for {root}:\n{stdout}\n{stderr[-3000:]}")
    data = json.loads(stdout.strip().splitlines()[-1])
    data["wall"] = round(wall, 2)
    data["rss_tree_peak_mib"] = round(peak / 1048576)
    return data


def _watch_memory(process) -> int:
    """Peak of the summed RSS of the build and its children (Pagefind runs beside the build).
    ru_maxrss of a child would count the Python memory it had between fork and exec."""
    import psutil

    peak = 0
    try:
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                total = watched.memory_info().rss + sum(c.memory_info().rss for c in watched.children(recursive=True))
            except psutil.Error:
                total = 0
            peak = max(peak, total)
            time.sleep(0.05)
    except psutil.Error:
        pass
    return peak


def measure(site: Path, period: str) -> dict:
    unit_sizes = [p.stat().st_size for p in (site / period / "don-vi").glob("*/index.html")]
    largest, largest_name, total = 0, "", 0
    for file in site.rglob("*"):
        if not file.is_file():
            continue
        size = file.stat().st_size
        total += size
        rel = file.relative_to(site).as_posix()
        loaded = file.suffix in BROWSER_LOADED or rel.startswith("pagefind/")
        if loaded and not rel.startswith("tai-ve/") and size > largest:
            largest, largest_name = size, rel
    downloads = {p.name: p.stat().st_size for p in (site / "tai-ve").rglob("*") if p.is_file()}
    return {"unit_pages": len(unit_sizes), "unit_page_max_kib": round(max(unit_sizes) / 1024, 1),
            "unit_page_avg_kib": round(sum(unit_sizes) / len(unit_sizes) / 1024, 1),
            "largest_loaded": largest_name, "largest_loaded_kib": round(largest / 1024, 1),
            "site_mib": round(total / 1048576, 1), "downloads_kib": {k: round(v / 1024) for k, v in downloads.items()}}


def plain_mkdocs(pages: int, work: Path) -> float:
    """Plain mkdocs-material: one Markdown page per unit with a 20-row criteria table, out of the nav."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs" / "don-vi"
    docs.mkdir(parents=True)
    (work / "docs/index.md").write_text("# Trang chủ\n\nKết quả đánh giá.\n", encoding="utf-8")
    rows = "\n".join(f"| {g}.{i} | Tổ chức tốt việc ứng dụng CNTT trong dạy học, tiêu chí {g}.{i} | 5 | 4,5 | 4,5 | "
                     f"[ke-hoach.pdf](ke-hoach.pdf) |" for g in range(1, 5) for i in range(1, 6))
    for n in range(pages):
        (docs / f"don-vi-{n}.md").write_text(
            f"# Trường THCS số {n}\n\nQuận {n % 24}, tổng điểm 87,5/100, xếp loại Tốt.\n\n"
            f"| Tiêu chí | Nội dung | Tối đa | Tự chấm | Cuối cùng | Minh chứng |\n|---|---|---|---|---|---|\n{rows}\n",
            encoding="utf-8")
    (work / "mkdocs.yml").write_text("site_name: Plain\ntheme:\n  name: material\n  language: vi\n"
                                     "nav:\n  - Trang chủ: index.md\n", encoding="utf-8")
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml")], check=True,
                   capture_output=True, env=env)
    return round(time.perf_counter() - start, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[700, 1500, 15000])
    parser.add_argument("--plain-max", type=int, default=15000, help="largest size to also build with plain mkdocs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/site-bench"))
    parser.add_argument("--period", default="2023-2024")
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        data_root = args.work / f"data-{size}"
        generated = generate(size, data_root)
        built = build(data_root, args.work / f"site-{size}")
        built.update(measure(args.work / f"site-{size}", args.period))
        built["generate"] = round(generated, 2)
        built["rss_peak_mib"] = max(built["rss_tree_peak_mib"], round(built["rss_self_kib"] / 1024))
        if size <= args.plain_max:
            built["plain_mkdocs"] = plain_mkdocs(built["unit_pages"], args.work / f"plain-{size}")
            built["plain_ratio"] = round(built["plain_mkdocs"] / built["wall"], 2)
        results[size] = built
        print(f"{size:>6} units: wall {built['wall']:>6} s, steps {built['timings']}, peak RSS "
              f"{built['rss_peak_mib']} MiB (build process alone {built['rss_self_kib'] // 1024} MiB), unit page max {built['unit_page_max_kib']} KiB "
              f"avg {built['unit_page_avg_kib']} KiB, largest loaded {built['largest_loaded']} "
              f"{built['largest_loaded_kib']} KiB, site {built['site_mib']} MiB"
              + (f", plain mkdocs {built['plain_mkdocs']} s (plain/ours {built['plain_ratio']})"
                 if "plain_mkdocs" in built else ""), flush=True)
    summary = {}
    if 700 in results:
        summary["t700 ≤ 10 s"] = (results[700]["wall"], results[700]["wall"] <= GOALS["t700"])
    if 15000 in results:
        r = results[15000]
        summary["t15000 ≤ 60 s"] = (r["wall"], r["wall"] <= GOALS["t15000"])
        summary["t15000 without validation"] = (round(r["wall"] - r["timings"]["validate"], 2), None)
        summary["peak RSS ≤ 1 GiB"] = (r["rss_peak_mib"], r["rss_peak_mib"] <= GOALS["rss15000_mib"])
        if 1500 in results:
            ratio = round(r["wall"] / results[1500]["wall"], 2)
            summary["t15k/t1.5k ≤ 11"] = (ratio, ratio <= GOALS["ratio"])
    worst_page = max(r["unit_page_max_kib"] for r in results.values())
    worst_file = max(r["largest_loaded_kib"] for r in results.values())
    summary["unit page ≤ 25 KiB"] = (worst_page, worst_page <= GOALS["unit_page_kib"])
    summary["largest loaded file ≤ 5 MiB"] = (round(worst_file / 1024, 2), worst_file / 1024 <= GOALS["largest_loaded_mib"])
    print("\nGoals:")
    for name, (value, ok) in summary.items():
        print(f"  {name:<40} {value!s:>10}  {'' if ok is None else ('met' if ok else 'NOT met')}")
    out = PROJECT / "build" / "bench-site.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "goals": {k: v[1] for k, v in summary.items()}},
                              ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
