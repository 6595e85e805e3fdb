"""Templates and editor schemas are generated from the real catalogues and must agree with the
validator: a fresh template is valid as is, the editor schema accepts what the validator accepts
and refuses scores above the max."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from site_builder.catalogues import load_period
from site_builder.editor_schema import expected_files, stale_files
from site_builder.model import Unit
from site_builder.paths import DataRoot
from site_builder.submission_template import render_template
from site_builder.validate import validate_paths
from tests.datarepo import PROJECT, make_repo, school_submission

PERIODS = DataRoot(PROJECT).periods()


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), *args], capture_output=True, text=True, cwd=PROJECT
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def catalogues():
    root = DataRoot(PROJECT)
    for period_id in PERIODS:
        period, _ = load_period(root, period_id)
        for unit_type, catalogue in sorted(period.catalogues.items()):
            yield pytest.param(period, catalogue, id=f"{period_id}/{unit_type}")


@pytest.mark.parametrize("period,catalogue", list(catalogues()))
def test_template_lists_every_criterion_and_points_to_its_schema(period, catalogue):
    unit = Unit("don-vi-thu", "Đơn vị thử", catalogue.unit_type, "pgd-quan-1", "Quận 1", ("a",), ("b",))
    text = render_template(period, catalogue, unit)
    first = text.splitlines()[0]
    assert (
        first == f"# yaml-language-server: $schema=../../../schema/editor/{period.id}/{catalogue.unit_type}.schema.json"
    )
    folder = PROJECT / "submissions" / period.id / "pgd-quan-1"
    assert (
        folder / first.split("=", 1)[1]
    ).resolve() == PROJECT / "schema/editor" / period.id / f"{catalogue.unit_type}.schema.json"
    data = yaml.safe_load(text)
    fillable = [i.id for i in catalogue.items.values() if not i.derived]
    assert list(data["tieu_chi"]) == fillable
    assert data["nam_hoc"] == period.id and data["don_vi"] == "don-vi-thu"
    comments = " ".join(line.strip("# ").strip() for line in text.splitlines() if line.lstrip().startswith("#"))
    for item in catalogue.items.values():
        assert " ".join(item.text.split())[:60] in comments, item.id
        if item.derived:
            assert f'"{item.id}":' not in text
            assert "TÍNH TỰ ĐỘNG" in comments
        if item.evidence and item.evidence.text:
            assert " ".join(item.evidence.text.split())[:40] in comments


def test_new_writes_a_valid_file_and_refuses_to_overwrite(tmp_path):
    root = make_repo(tmp_path / "repo")
    result = cli(root, "new", "--year", "2023-2024", "--unit", "thcs-demo-b")
    assert result.returncode == 0, result.stderr
    target = root / "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml"
    text = target.read_text(encoding="utf-8")
    checked = validate_paths(DataRoot(root), ["submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml"])
    assert checked.ok, [p.text() for p in checked.errors]
    assert checked.files_checked >= 1
    target.write_text(text + "# sửa tay\n", encoding="utf-8")
    again = cli(root, "new", "--year", "2023-2024", "--unit", "thcs-demo-b")
    assert again.returncode == 2
    assert "không ghi đè" in again.stderr
    assert target.read_text(encoding="utf-8").endswith("# sửa tay\n")


@pytest.mark.parametrize(
    "args,expected",
    [
        (("--year", "2099-2100", "--unit", "thcs-demo-b"), "không có năm học «2099-2100»"),
        (("--year", "2023-2024", "--unit", "khong-co"), "không có đơn vị «khong-co»"),
    ],
)
def test_new_says_what_is_wrong(tmp_path, args, expected):
    root = make_repo(tmp_path / "repo")
    result = cli(root, "new", *args)
    assert result.returncode == 2
    assert expected in result.stderr


def test_committed_editor_schemas_are_current():
    assert stale_files(DataRoot(PROJECT)) == []
    assert cli(PROJECT, "editor-schemas", "--check").returncode == 0


def test_editor_schema_check_fails_when_a_catalogue_changes(tmp_path):
    root = make_repo(tmp_path / "repo")
    assert cli(root, "editor-schemas").returncode == 0
    assert cli(root, "editor-schemas", "--check").returncode == 0
    catalogue = root / "criteria/2023-2024/truong-pho-thong.yaml"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8").replace("Tổ chức tốt", "Tổ chức rất tốt", 1), encoding="utf-8"
    )
    stale = cli(root, "editor-schemas", "--check")
    assert stale.returncode == 1
    assert "schema/editor/2023-2024/truong-pho-thong.schema.json" in stale.stderr
    assert cli(root, "editor-schemas").returncode == 0
    assert cli(root, "editor-schemas", "--check").returncode == 0


def test_editor_schema_accepts_valid_scores_and_refuses_above_max():
    rel = "schema/editor/2023-2024/truong-pho-thong.schema.json"
    schema = json.loads(expected_files(DataRoot(PROJECT))[rel])
    validator = Draft202012Validator(schema)
    good = school_submission("thcs-demo-a", "2023-2024")
    assert list(validator.iter_errors(good)) == []
    above = school_submission("thcs-demo-a", "2023-2024", {"4.3": 2.5})
    assert any(e.validator == "maximum" for e in validator.iter_errors(above))
    off_step = school_submission("thcs-demo-a", "2023-2024", {"1.1": 4.25})
    assert any(e.validator == "multipleOf" for e in validator.iter_errors(off_step))
    unknown = school_submission("thcs-demo-a", "2023-2024", {"1.9": 1})
    assert any(e.validator == "additionalProperties" for e in validator.iter_errors(unknown))
    wrong_year = dict(good, nam_hoc="2020-2021")
    assert any(e.validator == "const" for e in validator.iter_errors(wrong_year))
    assert schema["properties"]["tieu_chi"]["properties"]["1.2"]["description"].startswith("Tổ chức tốt")


@pytest.mark.parametrize("period,catalogue", list(catalogues()))
def test_new_file_link_fits_github_and_carries_a_valid_template(tmp_path, period, catalogue):
    from urllib.parse import parse_qs, unquote, urlsplit

    from site_builder.submission_template import URL_LIMIT, edit_url, new_file_url

    unit = Unit("don-vi-thu", "Đơn vị thử", catalogue.unit_type, "pgd-quan-1", "Quận 1", ("a",), ("b",))
    url = new_file_url("https://github.com/so-gddt/danh-gia-cntt", "main", period, catalogue, unit)
    assert len(url) <= URL_LIMIT < 8191
    parts = urlsplit(url)
    assert unquote(parts.path) == f"/so-gddt/danh-gia-cntt/new/main/submissions/{period.id}/pgd-quan-1"
    query = parse_qs(parts.query)
    assert query["filename"] == ["don-vi-thu.yaml"]
    text = query["value"][0]
    assert text in (render_template(period, catalogue, unit), render_template(period, catalogue, unit, compact=True))
    assert list(yaml.safe_load(text)["tieu_chi"]) == [i.id for i in catalogue.items.values() if not i.derived]
    assert edit_url("https://github.com/so-gddt/danh-gia-cntt/", "main", period.id, "pgd-quan-1", "don-vi-thu") == (
        f"https://github.com/so-gddt/danh-gia-cntt/edit/main/submissions/{period.id}/pgd-quan-1/don-vi-thu.yaml"
    )


def test_compact_template_is_valid_as_is(tmp_path):
    root = make_repo(tmp_path / "repo")
    data = DataRoot(root)
    period, _ = load_period(data, "2023-2024")
    unit = Unit("thcs-demo-b", "Trường THCS Demo B", "truong-pho-thong", "pgd-quan-1", "Quận 1", ("thcs-b",), ())
    rel = "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml"
    (root / rel).write_text(
        render_template(period, period.catalogues["truong-pho-thong"], unit, compact=True), encoding="utf-8"
    )
    checked = validate_paths(data, [rel])
    assert checked.ok, [p.text() for p in checked.errors]
    assert checked.files_checked >= 1
