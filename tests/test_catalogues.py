"""The catalogues are the rulebook: test them as data (shape, sums, sources, exact texts)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from site_builder.catalogues import load_period
from site_builder.paths import DataRoot

PROJECT = Path(__file__).resolve().parent.parent
ROOT = DataRoot(PROJECT)
SEED = PROJECT.parent / "shared" / "seeds" / "001_5e258f077e29ba17.txt"
HCMC_PERIODS = ["2020-2021", "2023-2024"]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.mark.parametrize("period", ROOT.periods())
def test_every_period_loads_without_problems(period):
    loaded, problems = load_period(ROOT, period)
    assert loaded is not None
    assert [p.text() for p in problems] == []
    assert loaded.catalogues, "a period without catalogues cannot be scored"


@pytest.mark.parametrize("period", HCMC_PERIODS)
def test_hcmc_catalogues_total_100_with_provisional_marks(period):
    loaded, _ = load_period(ROOT, period)
    assert set(loaded.catalogues) == {"phong-gddt", "truong-pho-thong", "trung-tam-gdtx"}
    for unit_type, catalogue in loaded.catalogues.items():
        assert catalogue.total_max == 100, unit_type
        assert catalogue.score_step == 0.5
    assert loaded.catalogues["phong-gddt"].source == "provisional"
    assert loaded.catalogues["trung-tam-gdtx"].source == "provisional"
    school = loaded.catalogues["truong-pho-thong"]
    assert [g.max for g in school.groups] == [30, 30, 30, 10]
    assert school.items["1.5"].max == 10 and school.items["2.1"].max == 10 and school.items["3.6"].max == 5


@pytest.mark.parametrize("period", HCMC_PERIODS)
def test_district_item_4_2_is_derived_from_subordinates_3_2(period):
    loaded, _ = load_period(ROOT, period)
    item = loaded.catalogues["phong-gddt"].items["4.2"]
    assert item.derived is not None and item.derived.criterion == "3.2"
    assert [(b.min_percent, b.factor) for b in item.derived.bands] == [
        (90, 1.0),
        (80, 0.8),
        (70, 0.6),
        (60, 0.4),
        (0, 0.0),
    ]
    assert item.evidence is None
    for other in ("truong-pho-thong", "trung-tam-gdtx"):
        assert "3.2" in loaded.catalogues[other].items


def test_period_files_carry_deadlines_and_milestones():
    first, _ = load_period(ROOT, "2020-2021")
    assert first.deadline.isoformat() == "2021-05-18"
    second, _ = load_period(ROOT, "2023-2024")
    assert {m.id: m.due.isoformat() for m in second.milestones} == {
        "ke-hoach": "2023-10-06",
        "so-ket": "2024-01-19",
        "tong-ket": "2024-06-07",
    }
    assert [level.label for level in second.rating] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert second.milestones[0].owed_by == ()  # the plan: every unit type
    assert [m.owed_by for m in second.milestones[1:]] == [("phong-gddt",), ("phong-gddt",)]  # seed 002, III.2-3
    plan_items = {
        t: [i.id for i in c.items.values() if i.requires_milestone == "ke-hoach"] for t, c in second.catalogues.items()
    }
    assert plan_items == {"phong-gddt": ["1.1"], "truong-pho-thong": ["4.1"], "trung-tam-gdtx": ["4.1"]}


@pytest.mark.skipif(not SEED.exists(), reason="the source documents are not beside this checkout")
@pytest.mark.parametrize("unit_type", ["phong-gddt", "truong-pho-thong", "trung-tam-gdtx"])
def test_item_texts_are_copied_from_the_source_letter(unit_type):
    seed = squash(SEED.read_text(encoding="utf-8"))
    loaded, _ = load_period(ROOT, "2020-2021")
    for item in loaded.catalogues[unit_type].items.values():
        assert squash(item.text) in seed, f"{unit_type} {item.id}: text not found verbatim in the source"


def test_all_catalogue_text_is_nfc():
    for file in sorted((PROJECT / "criteria").rglob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, file
        yaml.safe_load(text)


def _enums(node):
    """Every `enum` list anywhere in a JSON Schema."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield node["enum"]
        for value in node.values():
            yield from _enums(value)
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value)


def test_schemas_list_the_unit_types_of_the_one_list():
    """Unit types are listed once, in unit_types.py. The schemas keep an enum (editors offer it as
    a drop-down while the clerk types), so each such enum must be exactly that list, in its order."""
    import json

    from site_builder.unit_types import UNIT_TYPES

    found = 0
    for file in sorted((PROJECT / "schema").glob("*.schema.json")):
        for enum in _enums(json.loads(file.read_text(encoding="utf-8"))):
            if set(enum) & set(UNIT_TYPES):
                assert enum == list(UNIT_TYPES), f"{file.name}: {enum} differs from unit_types.UNIT_TYPES"
                found += 1
    assert found >= 3  # catalogue, units and download schemas
