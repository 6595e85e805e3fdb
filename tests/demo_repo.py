"""The demo's history replayed once per test run (`benchmarks/generate.py --demo --history DIR`),
shared by the test modules and pytest-xdist workers that read it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GENERATE = PROJECT / "benchmarks" / "generate.py"


def replay(target: Path, *extra: str) -> Path:
    run = subprocess.run(
        [sys.executable, str(GENERATE), "--demo", "--history", str(target), *extra],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return target


def replayed_demo(tmp_path_factory) -> Path:
    """The first caller replays under a lock; the others (and later modules) reuse it read-only."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, common to its workers
    target = base / "demo-history"
    with open(base / "demo-history.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "replayed").is_file():
            if target.exists():
                shutil.rmtree(target)
            replay(target / "repo")
            (target / "replayed").write_text("ok\n")
    return target / "repo"
