"""The downloads after a one-file change, on a real git repository and real builds: the JSON part
of a reviewing body whose units did not change keeps its bytes (and its file) and comes from the
build cache; only the changed unit's body, the year-wide CSV/XLSX and the index change; a build
with the cache writes what a build without it writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.testing_git import Repo
from site_builder.website import downloads
from tests.datarepo import build_in_new_process, lower_a_self_score, make_repo, two_schools_committed

pytestmark = pytest.mark.slow
PERIOD = "2023-2024"
SCHOOL = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"


build = build_in_new_process


def downloads_of(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the period's downloads: its bytes and inode."""
    folder = site / downloads.FOLDER / PERIOD
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino) for p in folder.rglob("*") if p.is_file()
    }


def kept_rows(cache: Path) -> dict[str, int]:
    """The reviewing bodies' rows in the build cache (an entry per body): name -> modification time."""
    return {p.name: p.stat().st_mtime_ns for p in cache.glob(f"site-builder/build/*/blobs/{downloads.CACHE_KIND}/*")}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return two_schools_committed(tmp_path / "data")


def test_one_changed_unit_rewrites_only_its_body_and_the_year_files(repo, tmp_path):
    root, git = repo
    site = tmp_path / "site"
    build(root, site)
    cold = downloads_of(site)
    rows = kept_rows(tmp_path / "cache")
    assert len(rows) == 2  # one entry per reviewing body: so-gddt, pgd-quan-1
    assert {"json/so-gddt.json", "json/pgd-quan-1.json"} <= set(cold)

    build(root, tmp_path / "again")  # same commit, rows from the cache: the same bytes
    assert kept_rows(tmp_path / "cache") == rows  # read, not written again
    assert {k: v[0] for k, v in downloads_of(tmp_path / "again").items()} == {k: v[0] for k, v in cold.items()}

    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)
    warm = downloads_of(site)
    assert warm.keys() == cold.keys()
    changed = {rel for rel in warm if warm[rel][0] != cold[rel][0]}
    stem = f"danh-gia-cntt-{PERIOD}"
    assert changed == {"json/pgd-quan-1.json", f"{stem}.json", f"{stem}.csv", f"{stem}-tieu-chi.csv", f"{stem}.xlsx"}
    assert warm["json/so-gddt.json"] == cold["json/so-gddt.json"]  # same bytes, the same file left in place
    after = kept_rows(tmp_path / "cache")
    assert after.keys() == rows.keys()
    assert len([k for k in after if after[k] != rows[k]]) == 1  # only the changed unit's body was stored again
    assert git.head() in warm[f"{stem}.json"][0].decode("utf-8")  # the index names the new data commit

    pieces = list((tmp_path / "cache").glob(f"site-builder/build/*/blobs/{downloads.PIECES_KIND}/*"))
    assert len(pieces) == 1  # the year's XLSX deflated in runs of rows, its new runs kept for the next build
    build(root, tmp_path / "fresh", SITE_BUILDER_NO_CACHE="1")  # without the cache: the same bytes
    assert {k: v[0] for k, v in downloads_of(tmp_path / "fresh").items()} == {k: v[0] for k, v in warm.items()}


def test_json_lines_are_kept_apart_and_read_only_to_write_a_part_again(repo, tmp_path):
    """The rows kept per body hold no JSON line (two thirds of their bytes): the lines are kept
    apart and read back only for a part written again; a part to write whose kept lines are gone
    has them formatted again, the same bytes as a build without the cache."""
    import pickle

    root, git = repo
    site = tmp_path / "site"
    build(root, site)
    cache = tmp_path / "cache"
    rows = [pickle.loads(p.read_bytes()) for p in cache.glob(f"site-builder/build/*/blobs/{downloads.CACHE_KIND}/*")]
    assert rows and all(r.json == b"" and r.json_size > 0 for body in rows for r in body.values())
    lines = [pickle.loads(p.read_bytes()) for p in cache.glob(f"site-builder/build/*/blobs/{downloads.JSON_KIND}/*")]
    assert sorted(len(body) for body in lines) == sorted(len(body) for body in rows)
    assert all(line.startswith(b"{") for body in lines for line in body.values())

    for kept in cache.glob(f"site-builder/build/*/blobs/{downloads.JSON_KIND}/*"):
        kept.unlink()
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)  # the changed body's part is written again: its other units' lines formatted anew
    build(root, tmp_path / "fresh", SITE_BUILDER_NO_CACHE="1")
    assert {k: v[0] for k, v in downloads_of(site).items()} == {
        k: v[0] for k, v in downloads_of(tmp_path / "fresh").items()
    }


def test_fields_left_out_of_the_key_are_shown_nowhere(tmp_path):
    """facts.NOT_IN_ROWS leaves fields out of a unit's downloads cache key: changing any of them must not
    change a byte of the unit's rows (else a cached row would go stale)."""
    import dataclasses

    from site_builder.paths import DataRoot
    from site_builder.scoring import score_period
    from site_builder.validate import validate_all
    from site_builder.website.evidence_files import EvidenceStore
    from site_builder.website.facts import NOT_IN_ROWS, Timeline, gather

    root = make_repo(tmp_path / "data")
    Repo(root).commit("Dữ liệu", author_time=dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC))
    result = validate_all(DataRoot(root))
    assert result.ok
    from site_builder.clock import CommitInfo, read_clock

    clock = read_clock(root, [])
    facts = gather(
        result.dataset, score_period(result.dataset, PERIOD), Timeline(clock, dt.date(2024, 5, 3)), EvidenceStore(root)
    )
    cols = downloads.columns(facts)
    criteria_cols, _titles = downloads.criteria_columns(facts)
    ids = {t: [i.id for i in c.items.values()] for t, c in facts.period.catalogues.items()}
    changed = {"tied_type": 7, "tied_parent": 7, "count_type": 99, "count_parent": 99}
    changed |= {"edit_url": "https://example.invalid/e", "new_url": "https://example.invalid/n", "template": "x: 1\n"}
    changed["data_version"] = CommitInfo("0" * 40, "Người khác", 0, None)
    assert set(changed) == set(NOT_IN_ROWS)
    for f in facts.units.values():
        rows = downloads._unit_rows(f, cols, criteria_cols, ids, lambda c: "")
        for name, value in changed.items():
            other = dataclasses.replace(f, **{name: value})
            assert downloads._unit_rows(other, cols, criteria_cols, ids, lambda c: "") == rows, name
        shown = dataclasses.replace(f, unit=dataclasses.replace(f.unit, name="Tên khác"))  # a shown field does
        assert downloads._unit_rows(shown, cols, criteria_cols, ids, lambda c: "") != rows
    clock.close()


@pytest.mark.parametrize(
    "rows",
    [
        [("1", "1.1", 2.0, "", "Có"), ("1", "1.2", 0.5, 1.0, "Không"), ("1", "1.1", 2.0, "", "Có")],
        [("1", "1.1", 'a "quoted" cell', ","), ("2", "line\r\nbreak", "x\ny", "\r")],  # quoted inside its row
        [],
    ],
)
def test_a_units_cells_written_once_before_each_criterion_are_the_csv_of_whole_rows(rows):
    prefix = ["2023-2024", "thcs-a", "Trường THCS A, «B»", 'tên "có" ngoặc', "=1+1"]
    whole = downloads._rows_text([prefix + list(row) for row in rows])
    assert downloads._prefixed_rows_text(prefix, rows) == whole


def test_the_json_of_a_record_is_what_the_standard_encoder_writes_without_spaces():
    """The downloads' JSON comes from a faster encoder: for the values a record holds (text with
    quotes, backslashes, control characters, Vietnamese and line separators; whole and decimal
    numbers, booleans, nothing, nested lists) it writes the standard library's bytes."""
    import json

    record = {
        "id": "thcs-a",
        "name": 'Trường THCS "Lê Lợi" \\ số 1\n\t\x00\x1f\x7f\u2028',
        "total": 84.0,
        "percent": 87.35,
        "small": 0.01,
        "rank_type": 2874,
        "on_time": None,
        "submitted": True,
        "late_criteria": [],
        "criteria": [{"id": "1.1", "max": 5.0, "self": 2.5, "evidence": [{"size": 152893, "broken": None}]}],
    }
    expected = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert downloads._compact(record) == expected
    assert json.loads(downloads._compact(record)) == record
