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
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "score", "--year", "2023-2024", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert run.returncode == 0, run.stderr
    return {row["unit"]: row for row in json.loads(run.stdout)}


@pytest.fixture(scope="module")
def items_2023():
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "score", "--year", "2023-2024", "--format", "json", "--items"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert run.returncode == 0, run.stderr
    return {(row["unit"], row["criterion"]): row for row in json.loads(run.stdout)}


@pytest.mark.parametrize(
    "unit, self_total, total, rating",
    [
        # self: (4+5+5+5+9.5) + (10+8.5+5+5) + 6×5 + (0+3+2+2) = 28.5 + 28.5 + 30 + 7 = 94
        # reviewed: 1.3 5→3, 2.3 5→4: 94 - 2 - 1 = 91
        ("thcs-demo-thanh-da", 94.0, 91.0, "Xuất sắc"),
        # partial (1.1, 1.2, 1.4, 1.5, 2.2, 3.5 left out = 0): 5 + (10+5+5) + (5+5+5+5+5) + (3+3+2+2) = 60
        ("thcs-demo-hang-xanh", 60.0, 60.0, "Trung bình"),
        # GDTX, partial: (4+3+2+4+4) + (6+4.5+4+5) + (4+6+4.5+4.5+2.5) + (2+0.5+1.5) = 17 + 19.5 + 21.5 + 4 = 62
        # reviewed: 2.1 6→5: 61
        ("gdtx-demo-quan-10", 62.0, 61.0, "Trung bình"),
        # claims 4.1 (the plan) without having filed the plan: (4.5+4.5+3.5+5+9) + (8+9+3.5+2.5) + (2+5+2.5+4.5+4+4.5)
        #   + (3+2+0+0) = 26.5 + 23 + 22.5 + 5 = 77; reviewed: 4.1 3→0: 74
        ("thpt-demo-nguyen-dinh-chieu", 77.0, 74.0, "Khá"),
        # district office Quận 1: (0.5+0.5+0+1.5) + (6+3.5+4+4.5) + (8+7.5+4.5) + (3.5 + 4.2 derived 7.5 + 5+7)
        #   = 2.5 + 18 + 20 + 23 = 63.5; reviewed 2.2 3.5→2.5, 3.1 8→6: 63.5 - 1 - 2 = 60.5
        ("pgd-quan-1", 63.5, 60.5, "Trung bình"),
        # district office Gò Vấp, partial: 0.5 + (4.5+5) + (8+9+7) + (6.5 + 4.2 derived 4.5 + 6.5+4.5) = 56
        ("pgd-go-vap", 56.0, 56.0, "Trung bình"),
    ],
)
def test_hand_computed_totals(scores_2023, unit, self_total, total, rating):
    row = scores_2023[unit]
    assert (row["self_total"], row["total"], row["rating"]) == (self_total, total, rating)


@pytest.mark.parametrize(
    "office, met, of, band, points",
    [
        ("pgd-quan-1", 8, 8, "4.2.1", 7.5),  # all 8 Quận 1 schools have 3.2 = 5
        ("pgd-go-vap", 5, 7, "4.2.3", 4.5),  # an-nhon and cay-tram have 3.2 = 0: 5/7 = 71.43% → 70–79% band
    ],
)
def test_district_ratio(items_2023, office, met, of, band, points):
    row = items_2023[(office, "4.2")]
    assert (row["derived_numerator"], row["derived_denominator"]) == (met, of)
    assert row["derived_band"] == band and row["final"] == points


def test_units_that_did_not_submit_are_listed_without_total(scores_2023):
    missing = [row for row in scores_2023.values() if not row["submitted"]]
    assert len(missing) == 12
    assert all(row["total"] is None and row["rank_type"] is None for row in missing)
