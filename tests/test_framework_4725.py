"""A second framework (Ministry decision 4725: two groups, mandatory items, levels 1-3) is scored
by the same code as the HCMC sheet: only `criteria/chuyen-doi-so-4725/` differs.

The end-to-end case runs the real CLI on a temporary data root holding submissions for that
period; the static check makes sure no framework name or label leaks into the scoring code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.datarepo import dump, make_repo, pdf_bytes, write

PROJECT = Path(__file__).resolve().parent.parent
PERIOD = "chuyen-doi-so-4725"
FULL = {"1.1": 10, "1.2": 10, "1.3": 30, "1.4": 25, "1.5": 25, "2.1": 10, "2.2": 10, "2.3": 30, "2.4": 20, "2.5": 30}
PDF_REQUIRED = {"1.1", "1.2", "2.1", "2.2"}

CASES = {  # unit -> (changes to FULL, expected group percents, expected level)
    "thcs-demo-a": ({}, (100, 100), "Mức 3"),
    "thcs-demo-b": ({"1.3": 10, "2.5": 6}, (80, 76), "Mức 3"),  # both above 75
    "thpt-demo-a": ({"1.3": 10, "2.5": 5}, (80, 75), "Mức 2"),  # 75 is not above 75
}


def submission(unit: str, changes: dict) -> dict:
    scores = {**FULL, **changes}
    criteria = {}
    for cid, score in scores.items():
        entry = {"diem_tu_cham": score}
        if cid in PDF_REQUIRED:
            entry["minh_chung"] = ["ke-hoach.pdf"]
        criteria[cid] = entry
    return {"don_vi": unit, "nam_hoc": PERIOD, "tieu_chi": criteria}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("r4725"), periods=(PERIOD,))
    parents = {"thcs-demo-a": "pgd-quan-1", "thcs-demo-b": "pgd-quan-1", "thpt-demo-a": "so-gddt"}
    for unit, (changes, _groups, _level) in CASES.items():
        folder = root / "submissions" / PERIOD / parents[unit]
        write(folder / unit / "ke-hoach.pdf", pdf_bytes(unit))
        write(folder / f"{unit}.yaml", dump(submission(unit, changes)))
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), *args], capture_output=True, text=True, cwd=PROJECT
    )


def test_levels_come_from_the_catalogue_alone(repo):
    validated = cli(repo, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    scored = cli(repo, "score", "--year", PERIOD, "--format", "json")
    assert scored.returncode == 0, scored.stderr
    rows = {row["unit"]: row for row in json.loads(scored.stdout)}
    for unit, (_changes, _groups, level) in CASES.items():
        assert rows[unit]["rating"] == level, unit
        assert rows[unit]["max_total"] == 200
    assert rows["thcs-demo-b"]["total"] == 156
    assert "pgd-quan-1" not in rows  # no 4725 catalogue for district offices: they are not assessed


def test_group_percents_and_mandatory_condition(repo):
    from site_builder.catalogues import load_period
    from site_builder.model import CriterionEntry, Dataset, Organization, PeriodRegistry, Registry, Submission, Unit
    from site_builder.paths import DataRoot
    from site_builder.scoring import score_period

    period, problems = load_period(DataRoot(PROJECT), PERIOD)
    assert not [p for p in problems if p.is_error]
    org = Organization("so-gddt", "Sở", ("r",), ("m",))
    cases = {
        "u1": ({"1.1": 5}, "Mức 1"),  # mandatory 1.1 not met: level 1 even at 95/100
        "u2": ({"2.2": 0, "2.3": 9.5, "2.4": 0}, "Mức 1"),  # group 2 at 49.5%
        "u3": ({"2.2": 0, "2.3": 10, "2.4": 0}, "Mức 2"),  # group 2 at exactly 50%
    }
    units = {u: Unit(u, u, "truong-pho-thong", "so-gddt", (), (), area="Quận 1") for u in cases}
    subs = {
        (PERIOD, u): Submission(
            u, PERIOD, "so-gddt", f"{u}.yaml", {c: CriterionEntry(c, float(s)) for c, s in {**FULL, **ch}.items()}
        )
        for u, (ch, _level) in cases.items()
    }
    registry = Registry(org, {PERIOD: PeriodRegistry(PERIOD, units)})
    result = score_period(Dataset(registry, {PERIOD: period}, subs), PERIOD)
    ratings = result.units.set_index("unit")["rating"].to_dict()
    assert ratings == {u: level for u, (_ch, level) in cases.items()}
    groups = result.groups.set_index(["unit", "group"])["percent"]
    assert groups[("u2", "2")] == 49.5 and groups[("u3", "2")] == 50


def test_scoring_code_names_no_framework():
    """The rules live in criteria/: no label, id or framework name may appear in the scorer."""
    source = (PROJECT / "site_builder" / "scoring.py").read_text(encoding="utf-8")
    for word in ("4725", "Mức", "Xuất sắc", "Tốt", "phong-gddt", "truong-pho-thong", '"3.2"', '"4.2"'):
        assert word not in source, word
