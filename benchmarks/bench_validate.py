"""Validator and scoring speed on a large generated repository.

    python benchmarks/bench_validate.py [--units 15000] [--repo DIR] [--repeat 7] [--json OUT]

Measures, in one run, on the same repository (generated with benchmarks/generate.py unless
--repo points at an existing one):

1. `site-builder validate <one submission>` as a pull request check runs it: a fresh process
   (`python -m site_builder --root R validate PATH`), wall time, median of --repeat runs;
2. `check-jsonschema --schemafile schema/submission.schema.json <the same file>`, same way;
   the ratio 1 / 2 (goal: 1 ≤ 1.0 s and ratio ≤ 3.5);
3. `validate_all` of the whole repository (in process, once), which also loads the dataset;
4. `score_period` of that dataset for the period (goal ≤ 10 s).

The changed submission is "touched" before each run (its content rewritten with one score
changed and back), so no file-system cache favours one tool.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
GOALS = {"validate_one_s": 1.0, "ratio": 3.5, "score_s": 10.0}


def wall(command: list[str], cwd: Path, expect: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode not in expect:
        sys.exit(f"command failed ({run.returncode}): {' '.join(command)}\n{run.stdout}\n{run.stderr}")
    return elapsed


def find_tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def pick_submission(root: Path) -> Path:
    """A school's submission deep in the tree (not the first file, not a review)."""
    candidates = sorted(p for p in (root / "submissions").glob("*/*/*.yaml") if not p.name.endswith(".review.yaml"))
    if not candidates:
        sys.exit(f"no submission under {root}/submissions")
    return candidates[len(candidates) * 2 // 3]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=15000)
    parser.add_argument("--repo", type=Path, help="existing generated repository (default: generate one in a temp dir)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)

    temp = None
    root = args.repo
    if root is None or not (root / "submissions").is_dir():
        temp = tempfile.mkdtemp(prefix="bench-validate-")
        root = root or Path(temp) / "repo"
        print(f"generating {args.units} units in {root} …", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--units", str(args.units), "--out", str(root)],
            check=True,
            capture_output=True,
        )
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    root = root.resolve()
    target = pick_submission(root)
    rel = target.relative_to(root).as_posix()
    original = target.read_bytes()
    units = sum(1 for _ in (root / "submissions").glob("*/*/*.yaml"))
    print(f"repository: {root} ({units} unit files); changed file: {rel}")

    site_builder = [sys.executable, "-m", "site_builder", "--root", str(root), "validate", rel]
    check_jsonschema = [
        find_tool("check-jsonschema"),
        "--schemafile",
        str(root / "schema/submission.schema.json"),
        str(target),
    ]
    ours, theirs = [], []
    wall(site_builder, PROJECT)  # warm the OS caches for both tools once
    wall(check_jsonschema, root)
    for _ in range(args.repeat):  # interleaved, so that machine noise hits both alike
        target.write_bytes(original.replace(b"diem_tu_cham: ", b"diem_tu_cham:  ", 1))
        target.write_bytes(original)
        ours.append(wall(site_builder, PROJECT))
        theirs.append(wall(check_jsonschema, root))
    one = statistics.median(ours)
    reference = statistics.median(theirs)

    sys.path.insert(0, str(PROJECT))
    from site_builder.paths import DataRoot
    from site_builder.validate import validate_all

    print(
        f"validate one file (CLI, median of {args.repeat}): {one:.3f} s; check-jsonschema {reference:.3f} s", flush=True
    )
    started = time.perf_counter()
    result = validate_all(DataRoot(root))
    full = time.perf_counter() - started
    print(f"validate_all: {full:.2f} s", flush=True)
    if result.errors:
        print(f"  note: the generated repository has {len(result.errors)} errors, e.g. {result.errors[0].text()}")
    from site_builder.scoring import score_period

    submitted = {p: sum(1 for key in result.dataset.submissions if key[0] == p) for p in result.dataset.periods}
    period = max(sorted(submitted), key=lambda p: submitted[p])  # the period the generator filled
    started = time.perf_counter()
    scores = score_period(result.dataset, period)
    scoring = time.perf_counter() - started
    scored_units = len(scores.units)

    numbers = {
        "units": args.units,
        "unit_files": units,
        "repeat": args.repeat,
        "validate_one_s": round(one, 3),
        "validate_one_runs_s": [round(t, 3) for t in ours],
        "check_jsonschema_s": round(reference, 3),
        "check_jsonschema_runs_s": [round(t, 3) for t in theirs],
        "ratio": round(one / reference, 2),
        "validate_all_s": round(full, 2),
        "files_checked": result.files_checked,
        "score_s": round(scoring, 2),
        "scored_units": scored_units,
        "period": period,
    }
    print(f"validate one file (CLI, median of {args.repeat}): {one:.3f} s   (goal ≤ {GOALS['validate_one_s']} s)")
    print(f"check-jsonschema on the same file (median):   {reference:.3f} s")
    print(f"ratio:                                        {one / reference:.2f}×   (goal ≤ {GOALS['ratio']}×)")
    print(f"validate_all, whole repository:               {full:.2f} s   ({result.files_checked} files)")
    print(f"score_period {period}:                      {scoring:.2f} s   (goal ≤ {GOALS['score_s']} s)")
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    if temp:
        shutil.rmtree(temp, ignore_errors=True)
    met = one <= GOALS["validate_one_s"] and one / reference <= GOALS["ratio"] and scoring <= GOALS["score_s"]
    print("goals met" if met else "GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
