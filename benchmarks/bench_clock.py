"""Benchmark `read_clock` on a generated repository shaped like a busy assessment year.

The repository: UNITS unit folders (a YAML file and an evidence PDF each) filed through PRS pull
requests of UNITS/PRS units each. Four in five proposals are web-editor commits signed by the test
key standing in for GitHub (an RSA-4096 key, like GitHub's current one); one in five is an
unsigned commit from a fork with forged dates. Every pull request is merged by a signed merge
commit ("Create a merge commit"): 2 commits per pull request, most of them signed. Objects are
written with git plumbing (hash-object, update-index, write-tree, commit-tree -S) for speed.

Then `read_clock` runs in fresh processes, alternating cold (empty signature cache) and warm
(cache from the previous cold run); wall and CPU seconds (user + system, including git child
processes) are reported per run. "Cold" means no signature cache: the operating system's file
cache is warm in both. Finally the cost of verifying one signature is measured three ways:
pysequoia in-process (what `signatures.py` uses), one `gpg --verify` process per signature in a
throw-away GnuPG home, and one `gpgv` process per signature.

    python benchmarks/bench_clock.py                     # 15,000 units, 1,500 pull requests
    python benchmarks/bench_clock.py --units 2000 --prs 200 --runs 2 --work /tmp/bench-clock

Results are printed and written to build/bench-clock.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from site_builder.testing_git import GITHUB, REVIEWER, UNIT, Repo, Signer, epoch, git_date  # noqa: E402

START = dt.datetime(2024, 5, 13, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CHILD = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from site_builder.clock import read_clock
clock = read_clock(Path(sys.argv[1]), [Path(sys.argv[2])], cache_dir=Path(sys.argv[3]))
paths = clock.paths_under("submissions")
versions = sum(len(clock.versions(p)) for p in paths)
timed = sum(1 for p in paths if (v := clock.current(p)) is not None and v.received is not None)
print(json.dumps({"seconds": time.perf_counter() - start, "available": clock.available, "reason": clock.reason,
                  "paths": len(paths), "versions": versions, "received": timed}))
"""


def generate(target: Path, units: int, prs: int, signer: Signer) -> dict:
    if target.exists():
        shutil.rmtree(target)
    repo = Repo(target)
    started = time.perf_counter()
    files = target / ".bench-files"
    names = []
    for index in range(units):
        parent = f"pgd-{index // 25:04d}"
        unit = f"thcs-{index:05d}"
        base = f"submissions/2023-2024/{parent}/{unit}"
        for name, text in (
            (f"{base}.yaml", f'don_vi: {unit}\nnam_hoc: "2023-2024"\ntieu_chi: {{}}\n'),
            (f"{base}/ke-hoach.pdf", f"%PDF-1.4\n% {unit}\n%%EOF\n"),
        ):
            path = files / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            names.append(name)
    blobs = repo.git(
        "hash-object", "-w", "--stdin-paths", input="\n".join(str(files / n) for n in names).encode()
    ).split()
    shutil.rmtree(files)
    env_index = {"GIT_INDEX_FILE": str(target / ".git" / "bench-index")}
    main = _commit_tree(repo, _write_tree(repo, [], env_index), [], "Khởi tạo kho", START, signer, UNIT)
    per_pr = max(1, len(names) // prs)
    signed = 1
    for number in range(prs):
        batch = (
            list(zip(names, blobs))[number * per_pr : (number + 1) * per_pr]
            if number < prs - 1
            else list(zip(names, blobs))[number * per_pr :]
        )
        tree = _write_tree(repo, batch, env_index)
        when = START + dt.timedelta(minutes=20 * number)
        if number % 5 == 4:  # an unsigned commit from a fork, dated long before
            proposal = _commit_tree(repo, tree, [main], f"Nộp bài #{number}", START - dt.timedelta(days=90), None, UNIT)
        else:
            proposal = _commit_tree(repo, tree, [main], f"Nộp bài #{number}", when, signer, UNIT)
            signed += 1
        main = _commit_tree(
            repo,
            tree,
            [main, proposal],
            f"Merge pull request #{number + 1}",
            when + dt.timedelta(minutes=10),
            signer,
            REVIEWER,
        )
        signed += 1
    repo.git("update-ref", "refs/heads/main", main)
    repo.git("gc", "-q")
    commits = int(repo.git("rev-list", "--count", "HEAD"))
    return {
        "units": units,
        "pull_requests": prs,
        "commits": commits,
        "signed": signed,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def _write_tree(repo: Repo, entries, env: dict) -> str:
    if entries:
        info = "".join(f"100644 {blob}\t{name}\n" for name, blob in entries)
        repo.git("update-index", "--add", "--index-info", env=env, input=info.encode())
    return repo.git("write-tree", env=env)


def _commit_tree(repo: Repo, tree: str, parents, message: str, when, signer: Signer | None, author) -> str:
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": git_date(when),
        "GIT_COMMITTER_NAME": GITHUB[0],
        "GIT_COMMITTER_EMAIL": GITHUB[1],
        "GIT_COMMITTER_DATE": git_date(when),
    }
    args = ["commit-tree", tree, "-m", message]
    for parent in parents:
        args += ["-p", parent]
    if signer is None:
        return repo.git(*args, env=env)
    env["FAKED_SIGNING_TIME"] = f"{epoch(when)}!"
    return repo.git(*args, f"-S{signer.fingerprint}", env=env, options=signer.git_options())


def measure(root: Path, cert: Path, cache: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(cert), str(cache)], capture_output=True, text=True, cwd=PROJECT
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"read_clock failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["available"]:
        raise SystemExit(f"clock unavailable: {result['reason']}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**result, "wall": round(wall, 2), "cpu": round(cpu, 2), "seconds": round(result["seconds"], 2)}


def signature_costs(root: Path, cert: Path, count: int) -> dict:
    """ms per signature: pysequoia in-process, one gpg process, one gpgv process."""
    from site_builder import gitread
    from site_builder.commitobject import parse_commit
    from site_builder.signatures import load_signers

    repo = gitread.open_repository(root)
    graph = gitread.commit_graph(repo)
    objects = [parse_commit(raw) for raw in gitread.commit_objects(repo, list(graph)[: count * 2]).values()]
    signed = [o for o in objects if o.signature][:count]
    trusted = load_signers([cert])
    costs = {"signatures": len(signed)}
    started, cpu = time.perf_counter(), time.process_time()
    assert all(trusted.verify(o.payload, o.signature) for o in signed)
    costs["pysequoia_ms"] = round((time.perf_counter() - started) * 1000 / len(signed), 3)
    costs["pysequoia_cpu_ms"] = round((time.process_time() - cpu) * 1000 / len(signed), 3)
    with tempfile.TemporaryDirectory(prefix="gpgv-") as home:
        os.chmod(home, 0o700)
        subprocess.run(["gpg", "--homedir", home, "--batch", "--import", str(cert)], capture_output=True, check=True)
        keyring = Path(home) / "trusted.gpg"
        keyring.write_bytes(
            subprocess.run(["gpg", "--homedir", home, "--export"], capture_output=True, check=True).stdout
        )
        work = Path(home) / "work"
        work.mkdir()
        for name, command in (
            ("gpg", ["gpg", "--homedir", home, "--batch", "--status-fd", "1", "--verify"]),
            ("gpgv", ["gpgv", "--homedir", home, "--keyring", str(keyring), "--status-fd", "1"]),
        ):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            for index, commit in enumerate(signed):
                sig, data = work / f"{index}.asc", work / f"{index}.txt"
                sig.write_bytes(commit.signature)
                data.write_bytes(commit.payload)
                status = subprocess.run([*command, str(sig), str(data)], capture_output=True).stdout
                assert b"[GNUPG:] VALIDSIG" in status, status
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            costs[f"{name}_ms"] = round((time.perf_counter() - started) * 1000 / len(signed), 3)
            costs[f"{name}_cpu_ms"] = round(
                ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000 / len(signed), 3
            )
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=15000)
    parser.add_argument("--prs", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=3, help="cold/warm pairs")
    parser.add_argument("--signatures", type=int, default=200, help="signatures timed per verifier")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-clock")
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated repository")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    root, cert, info_file = args.work / "repo", args.work / "github-test.asc", args.work / "repo.json"
    if not (args.reuse and info_file.exists() and cert.exists()):
        with Signer.create("GitHub (benchmark)", "noreply@github.com", algorithm="rsa4096") as signer:
            signer.export_public(cert)
            info = generate(root, args.units, args.prs, signer)
        info_file.write_text(json.dumps(info))
    info = json.loads(info_file.read_text())
    print(f"repository: {info}", flush=True)
    runs = []
    for pair in range(args.runs):
        cache = args.work / f"cache-{pair}"
        shutil.rmtree(cache, ignore_errors=True)
        for kind in ("cold", "warm"):
            result = {"kind": kind, **measure(root, cert, cache)}
            runs.append(result)
            print(
                f"{kind}: wall {result['wall']} s, cpu {result['cpu']} s (read_clock {result['seconds']} s), "
                f"{result['paths']} paths, {result['versions']} versions, {result['received']} received",
                flush=True,
            )
    summary = {
        kind: {
            "wall_median": statistics.median(r["wall"] for r in runs if r["kind"] == kind),
            "cpu_median": statistics.median(r["cpu"] for r in runs if r["kind"] == kind),
        }
        for kind in ("cold", "warm")
    }
    costs = signature_costs(root, cert, args.signatures)
    print(f"summary: {summary}\nper signature: {costs}")
    out = PROJECT / "build" / "bench-clock.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"repository": info, "runs": runs, "summary": summary, "signature_costs": costs}, indent=1)
    )


if __name__ == "__main__":
    main()
