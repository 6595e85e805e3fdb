"""The demo site as `make demo` builds it: the replayed, signed history of three school years
(2025-2026 in the two-tier structure), built into a real site. Ranks agree with percentages in every
year, a unit is followed across the three years, and 2025-2026 has no district-office pages."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.website.downloads import read_json
from tests.demo_repo import PROJECT, replayed_demo

pytestmark = pytest.mark.slow
PERIODS = ("2020-2021", "2023-2024", "2025-2026")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    repo = replayed_demo(tmp_path_factory)
    out = tmp_path_factory.mktemp("demo-site") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(repo), "build", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return repo, out


def download(out: Path, period: str) -> dict:
    return read_json(out, period)


@pytest.mark.parametrize("period", PERIODS)
def test_a_higher_percentage_always_ranks_better(site, period):
    """Every pair of ranked units of the same type, and of the same body and type."""
    _repo, out = site
    units = [u for u in download(out, period)["units"] if u["rank_type"] is not None]
    assert len(units) > 20
    pairs = 0
    for a, b in itertools.permutations(units, 2):
        if a["type"] != b["type"]:
            continue
        pairs += 1
        if a["percent"] > b["percent"]:
            assert a["rank_type"] < b["rank_type"], (a["id"], b["id"])
            if a["parent"] == b["parent"]:
                assert a["rank_parent"] < b["rank_parent"], (a["id"], b["id"])
        elif a["percent"] == b["percent"]:
            assert a["rank_type"] == b["rank_type"]
    assert pairs > 200


@pytest.mark.parametrize("period", PERIODS)
def test_ranking_tables_show_maximum_and_percentage(site, period):
    _repo, out = site
    latest = period == PERIODS[-1]
    text = (out / ("" if latest else f"{period}/") / "xep-hang/index.html").read_text(encoding="utf-8")
    assert '<th scope="col">Tối đa</th><th scope="col">Tỉ lệ</th>' in text
    records = {u["id"]: u for u in download(out, period)["units"]}
    rows = re.findall(r'<tr data-unit="([^"]+)" data-percent="([^"]*)" data-rank="(\d+)">', text)
    assert len(rows) > 20
    for unit, percent, rank in rows:
        assert float(percent) == records[unit]["percent"] and int(rank) == records[unit]["rank_type"]


def test_a_unit_is_followed_across_the_three_years_with_a_trend(site):
    _repo, out = site
    page = (out / "2025-2026/don-vi/thcs-demo-tan-dinh/index.html").read_text(encoding="utf-8")
    history = page.split('id="cac-nam"')[1]
    for period in PERIODS:
        assert f'data-period="{period}"' in history
    assert "Tỉ lệ điểm (% điểm tối đa) qua các năm học" in history  # the trend chart
    assert "Phòng Văn hoá – Xã hội phường Tân Định" in page and "Phòng Giáo dục và Đào tạo Quận 1" in history


def test_a_merged_unit_shows_the_history_of_the_units_it_continues(site):
    repo, out = site
    import yaml

    registry = {}
    for file in (repo / "submissions/units/2025-2026").glob("*.yaml"):
        for unit in yaml.safe_load(file.read_text(encoding="utf-8"))["units"]:
            registry[unit["id"]] = unit
    merged = next(u for u in registry.values() if len(u.get("replaces", [])) >= 2)
    page = (out / f"2025-2026/don-vi/{merged['id']}/index.html").read_text(encoding="utf-8")
    history = page.split('id="cac-nam"')[1]
    for old in merged["replaces"]:
        assert f"2023-2024/don-vi/{old}/" in history


def test_two_tier_year_has_no_district_office_pages(site):
    repo, out = site
    year = out / "2025-2026"
    assert not any(p.name.startswith("pgd-") for p in (year / "quan-ly").iterdir())
    assert not any(p.name.startswith("pgd-") for p in (year / "don-vi").iterdir())
    compare = (out / "so-sanh/index.html").read_text(encoding="utf-8")
    assert "So sánh các Phòng Văn hoá – Xã hội cấp xã" in compare
    bodies = re.findall(r'<tr data-body="([^"]+)">', compare)
    assert bodies and all(b.startswith("vhxh-") for b in bodies)
    assert "Không được đánh giá" not in compare or "Tổng điểm" in compare
    nav = (out / "index.html").read_text(encoding="utf-8")
    assert "Phòng Văn hoá – Xã hội cấp xã" in nav and "Xã/phường" in nav
    old = (out / "2023-2024/so-sanh/index.html").read_text(encoding="utf-8")
    assert "So sánh các Phòng GD&amp;ĐT" in old and 'data-body="pgd-quan-1"' in old


def test_score_command_for_the_two_tier_year(site):
    repo, _out = site
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(repo), "score", "--year", "2025-2026", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert rows and {r["unit_type"] for r in rows} == {"truong-pho-thong", "trung-tam-gdtx"}
    assert {r["parent"] for r in rows if r["unit"].startswith("thcs-")} <= {
        p.stem for p in (repo / "submissions/units/2025-2026").glob("vhxh-*.yaml")
    }
