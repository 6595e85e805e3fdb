"""This code's full site build against an earlier commit's, on the earlier commit's own generated
data, alternated on one machine.

An issue's goals are CPU seconds of the machine it was filed on, and this shared machine is not
one speed: the same commit's full build at 15,000 units took 37.3 CPU-s in one session and 71.4
in another. The earlier commit (the one an issue measured: "today 91") built beside this one on
the data its own benchmark generated tells what the issue's numbers are on this machine today,
and this code's build as a fraction of it can be held against the goal's fraction (45 of 91).

Per pair, three fresh processes (`bench_site.ours`: `site-builder build --timings`, an empty
output folder): the earlier code with empty caches; this code with empty caches (PDF verdicts,
parsed YAML and the build cache: a first build); this code again with the verdicts and parses
the one before left, and an empty build cache (how `bench_site` counts a full build). The earlier
code goes first in one pair and last in the next. Both packages are compiled to bytecode first.

    python benchmarks/bench_against.py --earlier /tmp/filed-src --units 15000 --pairs 3

`--earlier` is a checkout of the earlier commit (`git worktree add /tmp/filed-src <commit>`); its
`benchmarks/generate.py --units N --out DIR` makes the data and its CLI builds it (`--root`,
`--cache-dir`, `build --out --timings`, as this one's). Results are printed and written to
build/bench-against.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench_site import PROJECT, compile_package, ours

RUNS = ("earlier", "ours, nothing cached", "ours, verdicts and parses kept")


def generate(earlier: Path, units: int, data: Path) -> None:
    """The earlier commit's benchmark data, made by its own generator."""
    if not (data / "submissions").is_dir():
        command = [sys.executable, str(earlier / "benchmarks/generate.py"), "--units", str(units), "--out", str(data)]
        subprocess.run(command, check=True, capture_output=True)


def one_pair(earlier: Path, data: Path, work: Path, first: bool) -> dict[str, dict]:
    """The three builds of one pair; `first`: the earlier code's goes first."""
    verdicts = work / "verdicts-ours"
    shutil.rmtree(verdicts, ignore_errors=True)

    def earlier_run() -> dict:
        shutil.rmtree(work / "verdicts-earlier", ignore_errors=True)
        return ours(data, work / "site-earlier", work / "cache-earlier", earlier, verdicts=work / "verdicts-earlier")

    runs = {}
    if first:
        runs[RUNS[0]] = earlier_run()
    runs[RUNS[1]] = ours(data, work / "site-ours", work / "cache-ours", PROJECT, verdicts=verdicts)
    runs[RUNS[2]] = ours(data, work / "site-ours", work / "cache-ours", PROJECT, verdicts=verdicts)
    if not first:
        runs[RUNS[0]] = earlier_run()
    return runs


def summary(pairs: list[dict[str, dict]]) -> dict[str, dict]:
    """Per kind of run: CPU-s and wall of every pair, their medians, the largest tree RSS, and
    the median CPU as a fraction of the earlier code's."""
    found = {}
    for name in RUNS:
        cpu = [pair[name]["cpu"] for pair in pairs]
        found[name] = {
            "cpu": cpu,
            "cpu_median": statistics.median(cpu),
            "wall_median": statistics.median(pair[name]["wall"] for pair in pairs),
            "rss_tree_mib_max": max(pair[name]["rss_tree_mib"] for pair in pairs),
            "cpu_steps": pairs[-1][name]["cpu_steps"],
        }
    for name in RUNS:
        found[name]["of_earlier"] = round(found[name]["cpu_median"] / found[RUNS[0]]["cpu_median"], 3)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--earlier", type=Path, required=True, help="a checkout of the earlier commit")
    parser.add_argument("--units", type=int, default=15000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-against"))
    args = parser.parse_args()
    earlier, work = args.earlier.resolve(), args.work.resolve()
    data = work / f"data-{args.units}"
    work.mkdir(parents=True, exist_ok=True)
    generate(earlier, args.units, data)
    for source in (earlier, PROJECT):
        compile_package(source)
    pairs = []
    for number in range(args.pairs):
        pairs.append(one_pair(earlier, data, work, first=number % 2 == 0))
        print(f"pair {number + 1}: " + ", ".join(f"{n} {r['cpu']} CPU-s" for n, r in pairs[-1].items()), flush=True)
    found = summary(pairs)
    for name, row in found.items():
        print(
            f"{name:32} CPU-s {row['cpu_median']:7.1f} ({', '.join(map(str, row['cpu']))})  wall {row['wall_median']:6.1f}"
            f"  tree RSS {row['rss_tree_mib_max']:5} MiB  {row['of_earlier']:.3f} of the earlier code's CPU"
        )
    out = PROJECT / "build" / "bench-against.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"earlier": str(earlier), "units": args.units, "pairs": pairs, "summary": found}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
