"""A whole-root validation spreads the unit files over forked worker processes on a large
repository. Forced here on the demo data (a few hundred files, below the usual threshold), the
parallel path must report exactly what the serial path reports, and read the same records."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from site_builder.paths import DataRoot
from site_builder.validate import validate_all

PROJECT = Path(__file__).resolve().parent.parent
BROKEN = "submissions/2023-2024/pgd-binh-thanh/thcs-demo-binh-quoi.yaml"


def demo_copy(tmp_path: Path) -> DataRoot:
    """The demo data, with one self-assessment scored above a maximum and one file in a wrong folder."""
    root = tmp_path / "du-lieu"
    for folder in ("criteria", "schema", "submissions"):
        shutil.copytree(PROJECT / folder, root / folder)
    broken = root / BROKEN
    text, count = re.subn(r"diem_tu_cham: [0-9.]+", "diem_tu_cham: 999", broken.read_text(encoding="utf-8"), count=1)
    assert count == 1
    broken.write_text(text, encoding="utf-8")
    shutil.copy(broken, root / "submissions/2023-2024/pgd-binh-thanh/sai-cho.txt")
    return DataRoot(root)


def test_parallel_validation_says_what_the_serial_one_says(tmp_path):
    root = demo_copy(tmp_path)
    serial = validate_all(root, parallel_from=10**9)
    parallel = validate_all(root, parallel_from=1, workers=2)
    assert (serial.workers, parallel.workers) == (1, 2)  # the forked pool really ran
    assert parallel.problems == serial.problems
    codes = {(p.path, p.code) for p in serial.errors}
    assert (BROKEN, "score-above-max") in codes
    assert ("submissions/2023-2024/pgd-binh-thanh/sai-cho.txt", "misplaced") in codes
    assert parallel.files_checked == serial.files_checked > 200
    assert parallel.dataset.submissions == serial.dataset.submissions
    assert parallel.dataset.reviews == serial.dataset.reviews
    assert parallel.dataset.reports == serial.dataset.reports
    assert len(serial.dataset.submissions) > 100 and serial.dataset.reviews
