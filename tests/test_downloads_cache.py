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
from tests.datarepo import build_in_new_process, lower_a_self_score, make_repo, two_schools_committed, write_school

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
    write_school(root, PERIOD, "so-gddt", "thpt-demo-a")  # the Department's own school files: one body touched
    git.commit("Nộp bài", author_time=dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))
    build(root, site)  # the other body's lines not read, and still kept for a build that needs them
    assert len(list(cache.glob(f"site-builder/build/*/blobs/{downloads.JSON_KIND}/*"))) == len(lines)

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
    rank_col = downloads.rank_column(cols)
    changed = {"tied_type": 7, "tied_parent": 7, "count_type": 99, "count_parent": 99}
    changed |= {"edit_url": "https://example.invalid/e", "new_url": "https://example.invalid/n", "template": "x: 1\n"}
    changed["data_version"] = CommitInfo("0" * 40, "Người khác", 0, None)
    assert set(changed) == set(NOT_IN_ROWS)
    for f in facts.units.values():
        rows = downloads._unit_rows(f, cols, criteria_cols, ids, lambda c: "", rank_col)
        for name, value in changed.items():
            other = dataclasses.replace(f, **{name: value})
            assert downloads._unit_rows(other, cols, criteria_cols, ids, lambda c: "", rank_col) == rows, name
        shown = dataclasses.replace(f, unit=dataclasses.replace(f.unit, name="Tên khác"))  # a shown field does
        assert downloads._unit_rows(shown, cols, criteria_cols, ids, lambda c: "", rank_col) != rows
    clock.close()


def period_facts(tmp_path):
    """The facts of make_repo's period, gathered without a cache, and its open clock."""
    from site_builder.clock import read_clock
    from site_builder.paths import DataRoot
    from site_builder.scoring import score_period
    from site_builder.validate import validate_all
    from site_builder.website.evidence_files import EvidenceStore
    from site_builder.website.facts import Timeline, gather

    root = make_repo(tmp_path / "data")
    Repo(root).commit("Dữ liệu", author_time=dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC))
    result = validate_all(DataRoot(root))
    assert result.ok
    clock = read_clock(root, [])
    scores = score_period(result.dataset, PERIOD)
    return gather(result.dataset, scores, Timeline(clock, dt.date(2024, 5, 3)), EvidenceStore(root)), clock


@pytest.mark.parametrize("ranks", [(1, 1), (12, 3), (None, None), (None, 2), (107, None)])
def test_rows_given_other_ranks_are_the_rows_formatted_with_them(tmp_path, ranks):
    """A kept unit's rows whose ranks moved get the new ranks put in place of the old
    (`_reranked`, `_json_reranked`): the same bytes as rows formatted with them, from ranks or
    none to ranks or none."""
    import dataclasses

    facts, clock = period_facts(tmp_path)
    cols = downloads.columns(facts, demo=True)
    criteria_cols, _titles = downloads.criteria_columns(facts, demo=True)
    ids = {t: [i.id for i in c.items.values()] for t, c in facts.period.catalogues.items()}
    rank_col = downloads.rank_column(cols)
    assert rank_col > 0
    for f in facts.units.values():
        for before in ((f.rank_type, f.rank_parent), (None, None), (3, 1)):
            old = downloads._unit_rows(
                dataclasses.replace(f, rank_type=before[0], rank_parent=before[1]),
                cols,
                criteria_cols,
                ids,
                str,
                rank_col,
            )
            assert min(old.rank_at) > 0
            moved = dataclasses.replace(f, rank_type=ranks[0], rank_parent=ranks[1])
            fresh = downloads._unit_rows(moved, cols, criteria_cols, ids, str, rank_col)
            kept = downloads._without_json(old)
            assert downloads._reranked(kept, downloads._ranks(moved), rank_col) == downloads._without_json(fresh)
            assert downloads._json_reranked(old.json, old.ranks, fresh.ranks) == fresh.json
    clock.close()


def test_rows_whose_ranks_are_not_where_they_were_found_are_formatted_again(tmp_path):
    facts, clock = period_facts(tmp_path)
    cols = downloads.columns(facts)
    criteria_cols, _titles = downloads.criteria_columns(facts)
    ids = {t: [i.id for i in c.items.values()] for t, c in facts.period.catalogues.items()}
    rank_col = downloads.rank_column(cols)
    f = next(f for f in facts.units.values() if f.rank_type is not None)
    rows = downloads._without_json(downloads._unit_rows(f, cols, criteria_cols, ids, str, rank_col))
    assert downloads._reranked(rows, (5, 5), rank_col) is not None
    assert downloads._reranked(rows._replace(rank_at=(-1, -1)), (5, 5), rank_col) is None
    assert downloads._reranked(rows._replace(rank_at=(rows.rank_at[0] + 1, rows.rank_at[1])), (5, 5), rank_col) is None
    assert downloads._reranked(rows._replace(ranks=(9, 9)), (5, 5), rank_col) is None
    assert downloads.rank_column(cols[:rank_col] + cols[rank_col + 1 :]) == -1  # not side by side
    assert downloads._json_reranked(b'{"rank_type":1,"rank_parent":1}', (2, 1), (3, 1)) is None
    clock.close()


def test_a_unit_whose_rank_moved_is_not_formatted_again(repo, tmp_path, monkeypatch):
    """After a change that moves another unit's rank, that unit's rows are the kept ones given its
    new ranks; the downloads are those a build without the cache writes."""
    import json

    from site_builder.website.build import build_site

    root, git = repo
    site, other = tmp_path / "site", f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.yaml"
    lower_a_self_score(root, git, SCHOOL, dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC))  # thcs-demo-a second
    build_site(root, site)
    before = {u["id"]: u["rank_type"] for u in downloads.read_json(site, PERIOD)["units"]}
    assert before["thcs-demo-a"] == 2 and before["thcs-demo-b"] == 1
    formatted = []
    unit_rows = downloads._unit_rows
    monkeypatch.setattr(downloads, "_unit_rows", lambda f, *rest: formatted.append(f.unit.id) or unit_rows(f, *rest))
    lower_a_self_score(root, git, other, dt.datetime(2024, 5, 4, 9, tzinfo=dt.UTC))  # tied: both first
    build_site(root, site)
    after = {u["id"]: u["rank_type"] for u in downloads.read_json(site, PERIOD)["units"]}
    assert after["thcs-demo-a"] == 1 and after["thcs-demo-b"] == 1
    assert "thcs-demo-b" in formatted and "thcs-demo-a" not in formatted
    build(root, tmp_path / "fresh", SITE_BUILDER_NO_CACHE="1")
    warm, fresh = downloads_of(site), downloads_of(tmp_path / "fresh")
    assert {k: v[0] for k, v in warm.items()} == {k: v[0] for k, v in fresh.items()}
    assert json.loads(warm["json/pgd-quan-1.json"][0])["units"]


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
