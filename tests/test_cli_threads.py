"""The program asks numpy's OpenBLAS for one thread (cli.run says why), unless its caller chose a
number: measured by the threads a process has once numpy is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The program with a command that only loads numpy and reports its threads and the setting.
PROBE = """
import os, sys
import site_builder.cli as cli
def main(argv=None):
    import numpy  # OpenBLAS starts its threads when it loads
    print(len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
    return 0
cli.main = main
cli.run()
"""


def threads_after_numpy(**env: str) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env={**base, **env}
    )
    assert done.returncode == 0, done.stderr
    count, setting = done.stdout.split()
    return int(count), setting


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads are counted through /proc")
def test_one_blas_thread_unless_the_caller_chose():
    assert threads_after_numpy() == (1, "1")
    count, setting = threads_after_numpy(OPENBLAS_NUM_THREADS="2")
    assert setting == "2"
    if (os.cpu_count() or 1) >= 2:
        assert count == 2  # OpenBLAS's second thread: what the program spares itself by default
