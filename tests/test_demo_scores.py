"""`site-builder score` on the bundled demo data reproduces totals computed by hand.

Each expected number below was added up by hand from the unit's YAML files (the sums are in the
comments), so a change in the scoring rules or the demo data shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scores_2023():
    run = subprocess.run([sys.executable, "-m", "site_builder", "score", "--year", "2023-2024", "--format", "json"],
                         capture_output=True, text=True, cwd=PROJECT)
    assert run.returncode == 0, run.stderr
    return {row["unit"]: row for row in json.loads(run.stdout)}


@pytest.fixture(scope="module")
def items_2023():
    run = subprocess.run([sys.executable, "-m", "site_builder", "score", "--year", "2023-2024", "--format", "json",
                          "--items"], capture_output=True, text=True, cwd=PROJECT)
    assert run.returncode == 0, run.stderr
    return {(row["unit"], row["criterion"]): row for row in json.loads(run.stdout)}


@pytest.mark.parametrize("unit, self_total, total, rating", [
    # self: 25 + (8.5+7.5+3+3.5) + (4.5+5+3.5+3.5+3.5+4.5) + (2+1.5+0.5+0) = 76
    # reviewed: 2.3 3→2, 3.6 4.5→3.5, 4.3 0.5→0: 76 - 1 - 1 - 0.5 = 73.5
    ("thcs-demo-ben-nghe", 76.0, 73.5, "Khá"),
    # partial (1.3, 2.2, 3.3, 3.4, 4.2 left out = 0): (5+3.5+4+8.5) + (9.5+4+5) + (5+5+5+5) + (3+2+0.5) = 65
    ("thcs-demo-cau-ong-lanh", 65.0, 65.0, "Trung bình"),
    # GDTX: (6+6+5+6+6) + (7.5+6.5+7.5+7.5) + (6×5) + (3.5+3+2) = 29 + 29 + 30 + 8.5 = 96.5
    ("gdtx-demo-quan-5", 96.5, 96.5, "Xuất sắc"),
    # district office Quận 1: (2.5+1+1.5+2.5) + (7+7.5+7+5) + (10+8+9.5) + (7.5 + 4.2 derived 7.5 + 6.5+7.5)
    #   = 7.5 + 26.5 + 27.5 + 29 = 90.5; reviewed 1.3 1.5→0.5, 2.3 7→5: 90.5 - 1 - 2 = 87.5
    ("pgd-quan-1", 90.5, 87.5, "Tốt"),
    # district office Gò Vấp: 10 + 30 + 30 + (7.5 + 4.2 derived 4.5 + 7.5 + 7.5) = 97
    ("pgd-go-vap", 97.0, 97.0, "Xuất sắc"),
])
def test_hand_computed_totals(scores_2023, unit, self_total, total, rating):
    row = scores_2023[unit]
    assert (row["self_total"], row["total"], row["rating"]) == (self_total, total, rating)


@pytest.mark.parametrize("office, met, of, band, points", [
    ("pgd-quan-1", 8, 8, "4.2.1", 7.5),    # all 8 Quận 1 schools have 3.2 = 5
    ("pgd-go-vap", 5, 7, "4.2.3", 4.5),    # an-nhon and cay-tram have 3.2 = 0: 5/7 = 71.43% → 70–79% band
])
def test_district_ratio(items_2023, office, met, of, band, points):
    row = items_2023[(office, "4.2")]
    assert (row["derived_numerator"], row["derived_denominator"]) == (met, of)
    assert row["derived_band"] == band and row["final"] == points


def test_units_that_did_not_submit_are_listed_without_total(scores_2023):
    missing = [row for row in scores_2023.values() if not row["submitted"]]
    assert len(missing) == 12
    assert all(row["total"] is None and row["rank_type"] is None for row in missing)
