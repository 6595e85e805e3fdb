"""Pull-request check speed on a large generated repository with a real git history.

    python benchmarks/bench_pr_report.py [--units 15000] [--repo DIR] [--repeat 5] [--json OUT]
                                         [--compare-source DIR]

Measures, each in a fresh process, runs alternated so that machine noise hits every command alike:

1. `site-builder pr-report --base main --head <branch>` for a one-file pull request (a unit changes
   one score of its self-assessment), goal ≤ 2 s wall and ≤ 1.5 CPU-s;
2. `site-builder validate <that file>` and `check-jsonschema --schemafile <its editor schema> <that
   file>`, goal: the first ≤ 1.5 × the second.

For each: wall seconds, CPU seconds of the process and every child it waited for (git, ...), and
the largest resident set (MB), as medians. `--compare-source DIR` also runs pr-report and validate
with the package source in DIR (e.g. a checkout of the main branch) on the same repository,
alternated with this one: the before/after of a change. The repository is generated with
`benchmarks/generate.py --units N --git` unless --repo names one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
BRANCH = "bench-pr-one"
GOALS = {"pr_report_wall_s": 2.0, "pr_report_cpu_s": 1.5, "validate_ratio": 1.5}


def measure(command: list[str], cwd: Path, env: dict | None = None, expect=(0, 1)) -> dict:
    """Wall, CPU (self + waited children) and max RSS of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if process.returncode not in expect:
        sys.exit(f"command failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def summary(runs: list[dict]) -> dict:
    return {key: round(statistics.median(r[key] for r in runs), 3) for key in ("wall", "cpu", "rss_mb")} | {
        "runs": [{k: round(v, 3) for k, v in r.items()} for r in runs]
    }


def find_tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def one_file_branch(root: Path) -> tuple[str, str]:
    """A branch off main changing one score of one school's file; (its path, the author allowed to)."""
    files = sorted(
        p
        for p in git(root, "ls-tree", "-r", "--name-only", "main", "--", "submissions").splitlines()
        if p.endswith(".yaml")
        and not p.endswith(".review.yaml")
        and p.count("/") == 3
        and not p.startswith("submissions/units/")
    )
    rel = files[len(files) * 2 // 3]
    period, body, name = rel.split("/")[1:]
    unit = name[: -len(".yaml")]
    registry = git(root, "show", f"main:submissions/units/{period}/{body}.yaml")
    lines = registry.splitlines()
    at = lines.index(f"  - id: {unit}")
    editors = next(line for line in lines[at:] if line.strip().startswith("editors:"))
    author = editors.split("[", 1)[1].split(",")[0].strip(" ]")
    if BRANCH not in git(root, "branch", "--list", BRANCH):
        text = git(root, "show", f"main:{rel}")
        marker = "diem_tu_cham: "
        start = text.index(marker) + len(marker)
        end = text.index("\n", start)
        changed = text[:start] + ("0" if text[start:end].strip() != "0" else "1") + text[end:]
        blob = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"], cwd=root, input=changed, text=True, capture_output=True, check=True
        ).stdout.strip()
        tree = subprocess.run(
            ["git", "mktree"], cwd=root, text=True, capture_output=True, check=True, input=_tree_with(root, rel, blob)
        ).stdout.strip()
        commit = git(root, "commit-tree", tree, "-p", "main", "-m", "Sửa một điểm tự chấm").strip()
        git(root, "branch", BRANCH, commit)
    return rel, author


def _tree_with(root: Path, rel: str, blob: str) -> str:
    """`git mktree` input: main's tree with one file replaced, rebuilt level by level."""
    parts = rel.split("/")

    def build(prefix: list[str]) -> str:
        listing = git(root, "ls-tree", "main" + (":" + "/".join(prefix) if prefix else "^{tree}"))
        rows = []
        for row in listing.splitlines():
            meta, name = row.split("\t", 1)
            mode, kind, oid = meta.split()
            if len(prefix) + 1 < len(parts) and name == parts[len(prefix)]:
                sub = build(prefix + [name])
                oid = subprocess.run(
                    ["git", "mktree"], cwd=root, input=sub, text=True, capture_output=True, check=True
                ).stdout.strip()
            elif len(prefix) + 1 == len(parts) and name == parts[-1]:
                oid = blob
            rows.append(f"{mode} {kind} {oid}\t{name}")
        return "\n".join(rows) + "\n"

    return build([])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=15000)
    parser.add_argument("--repo", type=Path, help="existing repository made by generate.py --git (default: a temp one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare-source", type=Path, help="also run pr-report with the package source in this folder")
    parser.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)

    temp = None
    root = args.repo
    if root is None or not (root / ".git").exists():
        temp = tempfile.mkdtemp(prefix="bench-pr-")
        root = root or Path(temp) / "repo"
        print(f"generating {args.units} units with git in {root} …", flush=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--units", str(args.units), "--out", str(root), "--git"],
            check=True,
            capture_output=True,
        )
    root = root.resolve()
    rel, author = one_file_branch(root)
    first = (root / rel).read_text(encoding="utf-8").splitlines()[0]  # the file's own editor schema
    schema = ((root / rel).parent / first.split("$schema=", 1)[1].strip()).resolve()
    print(f"repository: {root}; pull request: one file, {rel} (author {author})", flush=True)

    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("GITHUB_")}
    commands = {
        "pr_report": (
            [
                sys.executable,
                "-m",
                "site_builder",
                "--root",
                str(root),
                "pr-report",
                "--base",
                "main",
                "--head",
                BRANCH,
                "--author",
                author,
            ],
            clean,
        ),
        "validate": ([sys.executable, "-m", "site_builder", "--root", str(root), "--no-cache", "validate", rel], clean),
        "check_jsonschema": ([find_tool("check-jsonschema"), "--schemafile", str(schema), str(root / rel)], clean),
    }
    if args.compare_source:
        other = {**clean, "PYTHONPATH": str(args.compare_source.resolve())}
        commands["pr_report_compared"] = (commands["pr_report"][0], other)
        commands["validate_compared"] = (commands["validate"][0], other)
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    for command, env in commands.values():  # warm the OS caches once
        measure(command, root, env)
    for _ in range(args.repeat):
        for name, (command, env) in commands.items():
            runs[name].append(measure(command, root, env))
    numbers = {
        "units": args.units,
        "file": rel,
        "repeat": args.repeat,
        **{name: summary(found) for name, found in runs.items()},
    }
    numbers["validate_ratio_wall"] = round(numbers["validate"]["wall"] / numbers["check_jsonschema"]["wall"], 2)
    numbers["validate_ratio_cpu"] = round(numbers["validate"]["cpu"] / numbers["check_jsonschema"]["cpu"], 2)

    print(f"{'command':<24} {'wall s':>8} {'CPU s':>8} {'RSS MB':>8}   (medians of {args.repeat}, alternated)")
    for name in commands:
        row = numbers[name]
        print(f"{name:<24} {row['wall']:>8.3f} {row['cpu']:>8.3f} {row['rss_mb']:>8.1f}")
    print(
        f"validate / check-jsonschema: {numbers['validate_ratio_wall']}× wall, {numbers['validate_ratio_cpu']}× CPU "
        f"(goal ≤ {GOALS['validate_ratio']}×)"
    )
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if temp:
        shutil.rmtree(temp, ignore_errors=True)
    met = (
        numbers["pr_report"]["wall"] <= GOALS["pr_report_wall_s"]
        and numbers["pr_report"]["cpu"] <= GOALS["pr_report_cpu_s"]
        and numbers["validate_ratio_wall"] <= GOALS["validate_ratio"]
    )
    print("goals met" if met else "GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
