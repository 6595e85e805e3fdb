"""Per-period downloads: two CSV files (UTF-8 with BOM for Excel: one row per unit, and one row per
unit and criterion), XLSX (a sheet per unit type), JSON.

All are written from the same `UnitFact` records as the pages. The JSON shape is documented by
schema/download.schema.json; keys are written in a fixed order so diffs between builds stay
readable. XLSX files carry the build date as their creation date, so rebuilding gives the same bytes.

Demonstration data says so in every file: the JSON's top-level `demo`, and in the CSV and XLSX
files a first column «Dữ liệu minh hoạ» holding "Có" on every row (a column, not a note line
above the header, so that spreadsheets and CSV readers still find the header in the first row).
Dates are ISO text (2024-06-05) in the CSV files and date cells shown dd/mm/yyyy in the XLSX.

Each unit is formatted once for every file (`UnitRows`: its CSV row, its criteria rows, its XLSX
cells, its JSON line). The build cache keeps each reviewing body's rows, every unit's under a digest
of the facts the downloads show but its ranks: after a one-file change only the changed unit is
formatted again, and the units whose rank moved get the new ranks put into their kept rows
(`_reranked`); the year-wide CSV files and the JSON parts are joined from the kept rows, a part
whose rows are those the site's file was written from left as it is (the parts' manifest). The
XLSX's rows are spliced in from the kept cells (xlsx_rows.py) with their row numbers, and its
sheets deflated in runs of rows, a run whose bytes (and the run's before it) a build before
deflated keeping those bytes (deflated_zip.py: the build cache keeps them under PIECES_KIND). The provenance
(data commit, build date) is written in the year's JSON index only, not in the per-body parts: the part of a body whose units
did not change keeps its bytes from one data commit to the next (the site writer leaves such a
file in place, a deployment uploads nothing for it), and the index, which lists each part's
SHA-256, ties every part to the commit. With `evidence: link` each evidence address is pinned to
its unit's data version (the commit unit pages name), so that holds there too.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import pickle
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

import orjson

from site_builder import deflated_zip, unit_types, xlsx_rows
from site_builder.cache_files import UNREADABLE_PICKLE, sources_digest
from site_builder.unit_types import label as type_label
from site_builder.unit_types import order as type_order
from site_builder.website import facts as facts_module
from site_builder.website import text as text_module
from site_builder.website.facts import PeriodFacts, UnitFact
from site_builder.website.file_manifest import Manifest
from site_builder.website.site_writer import SiteWriter
from site_builder.website.text import plain, status_text

if TYPE_CHECKING:
    from site_builder.build_cache import BuildCache

FOLDER = "tai-ve"
SCHEMA_VERSION = 5
CACHE_KIND = "downloads"  # the build cache's kind for a reviewing body's rows, their JSON lines aside
JSON_KIND = "download-lines"  # ... and for its units' JSON lines (read only to write its JSON part again)
PIECES_KIND = "download-xlsx"  # the year's XLSX sheets deflated in runs of rows (deflated_zip.Pieces)
PARTS_KIND = "download-parts"  # the manifest of the JSON parts in an output folder
PART_LIMIT = 8_000_000  # bytes of one JSON part: under the site's 10 MB per file, with room
DEMO_COLUMN = "Dữ liệu minh hoạ"


def columns(facts: PeriodFacts, demo: bool = False) -> list[tuple]:
    """The CSV/XLSX columns of a period: the area column is named as the period names areas, and
    each milestone the period has gets a status column."""
    area = facts.period.structure.area_label or "Địa bàn"
    base = [
        ("Năm học", lambda f: f.period),
        ("Mã đơn vị", lambda f: f.unit.id),
        ("Tên đơn vị", lambda f: f.unit.name),
        ("Loại đơn vị", lambda f: type_label(f.unit.type)),
        ("Cấp học", lambda f: f.unit.level or ""),
        (area, lambda f: f.unit.area),
        ("Mã đơn vị quản lý", lambda f: f.unit.parent),
        ("Đơn vị quản lý", lambda f: f.parent_name),
        ("Trạng thái", lambda f: status_text(f.status, f.proposed)),
        ("Ngày nộp", lambda f: f.received.day if f.received else None),
        ("Tiêu chí thay đổi sau hạn", lambda f: ", ".join(c.id for c in f.timing.late_criteria) if f.timing else ""),
        ("Tổng tự chấm", lambda f: plain(f.self_total)),
        ("Tổng điểm", lambda f: plain(f.total)),
        ("Điểm tối đa", lambda f: plain(f.max_total)),
        ("Tỉ lệ (%)", lambda f: plain(f.percent)),
        ("Xếp loại", lambda f: f.rating),
        ("Hạng trong loại", _rank_type),
        ("Hạng trong đơn vị quản lý (cùng loại)", _rank_parent),
        ("Người chấm", lambda f: f.reviewer),
        ("Ngày chấm", lambda f: _date(f.review_date)),
        ("Phiên bản tiêu chí", lambda f: f.criteria_version),
        ("Commit xác nhận thời điểm", lambda f: f.last_commit.sha if f.last_commit else ""),
    ]
    for index, milestone in enumerate(facts.period.milestones):
        base.append((" ".join(milestone.title.split()), _milestone_status(index)))
    return _with_demo(base, demo)


def criteria_columns(facts: PeriodFacts, demo: bool = False) -> tuple[list[tuple], tuple[str, ...]]:
    """The per-criterion CSV: one row per (unit, criterion). The unit's columns (f -> value) come
    first, formatted once for all its rows, then the criterion's (CRITERION_TITLES)."""
    unit_cols = [
        ("Năm học", lambda f: f.period),
        ("Mã đơn vị", lambda f: f.unit.id),
        ("Tên đơn vị", lambda f: f.unit.name),
        ("Loại đơn vị", lambda f: type_label(f.unit.type)),
        ("Mã đơn vị quản lý", lambda f: f.unit.parent),
    ]
    return _with_demo(unit_cols, demo), CRITERION_TITLES


CRITERION_TITLES = (
    "Nhóm tiêu chí",
    "Tiêu chí",
    "Điểm tối đa",
    "Tự chấm",
    "Điểm chấm",
    "Điểm cuối cùng",
    "Đạt điểm tối đa",
    "Áp dụng",
    "Số minh chứng",
)


def _criterion_cells(g, it) -> tuple:
    """The CSV cells of one criterion, in the order of CRITERION_TITLES (one call per row: the
    criteria CSV has a row per unit and criterion, the largest download)."""
    score = it.score  # facts.ItemFact's properties read it; read once here
    return (
        csv_value(g.id),
        csv_value(score.criterion),
        _csv_number(score.max),
        _csv_number(score.self_score),
        _csv_number(score.reviewer_score),
        _csv_number(score.final),
        "Có" if score.met else "Không",
        "Có" if score.applicable else "Không",
        len(it.evidence),
    )


def _csv_number(value):
    found = plain(value)
    return "" if found is None else found


def _with_demo(cols: list[tuple], demo: bool) -> list[tuple]:
    return [(DEMO_COLUMN, lambda f: "Có")] + cols if demo else cols


def _date(text: str):
    """A date typed in a data file ("2024-06-12") as a date, else None."""
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _milestone_status(index: int):
    def get(f: UnitFact) -> str:
        ms = f.milestones[index]
        return "" if ms.status == "not_required" else status_text(ms.status, ms.proposed)

    return get


def _int(value):
    value = plain(value)
    return None if value is None else int(value)


def _rank_type(f: UnitFact):
    return _int(f.rank_type)


def _rank_parent(f: UnitFact):
    return _int(f.rank_parent)


def _ranks(f: UnitFact) -> tuple:
    """The unit's two ranks as its rows show them."""
    return _rank_type(f), _rank_parent(f)


def rank_column(cols) -> int:
    """The place of the two rank columns among `cols` (the one then the other), -1 when they are
    not there side by side (rows are then formatted again whenever a rank moves)."""
    getters = [get for _, get in cols]
    for index in range(len(getters) - 1):
        if getters[index] is _rank_type and getters[index + 1] is _rank_parent:
            return index
    return -1


def names(period: str) -> dict[str, str]:
    """Site paths of a period's files; "json" is the year's index of the per-body JSON parts."""
    base = f"{FOLDER}/{period}/danh-gia-cntt-{period}"
    return {
        "csv": base + ".csv",
        "criteria_csv": base + "-tieu-chi.csv",
        "xlsx": base + ".xlsx",
        "json": base + ".json",
    }


def json_folder(period: str) -> str:
    return f"{FOLDER}/{period}/json"


def write_all(
    writer: SiteWriter,
    facts: PeriodFacts,
    source: dict,
    commit_url,
    build_date: dt.datetime,
    demo: bool = False,
    cache: BuildCache | None = None,
    manifest: Manifest | None = None,
) -> dict:
    """Writes the period's files; returns the downloads page's row: paths and sizes, and the parts of
    the files that are split (the JSON always, per reviewing body; a CSV past PART_LIMIT bytes).
    `cache` (build_cache.BuildCache or None) gives back the rows of reviewing bodies whose units did
    not change; `manifest` (of PARTS_KIND) keeps their JSON parts as the site holds them."""
    period = facts.period.id
    paths = names(period)
    cols = columns(facts, demo)
    unit_cols, item_titles = criteria_columns(facts, demo)
    json_parts = JsonParts(writer, json_folder(period), paths["json"], facts, demo, manifest=manifest)
    bodies = []
    for b in prepare(facts, cols, unit_cols, commit_url, demo, cache):
        json_parts.add(b)  # a body's JSON lines are not kept past its part: the largest of the rows
        bodies.append(b._replace(units=[_without_json(u) for u in b.units], lines=list))
    parts = json_parts.finish(source)
    criteria_header = unit_cols + [(title, None) for title in item_titles]
    csv_parts = write_csv_parts(writer, paths["csv"], cols, unit_blocks(bodies), manifest=manifest)
    criteria_parts = write_csv_parts(
        writer, paths["criteria_csv"], criteria_header, criteria_blocks(bodies), manifest=manifest
    )
    write_xlsx(writer, paths["xlsx"], facts, bodies, cols, build_date, demo, cache)
    paths["csv"], paths["criteria_csv"] = csv_parts[0]["file"], criteria_parts[0]["file"]
    return {
        "period": period,
        "title": facts.period.title,
        "count": len(facts.units),
        **paths,
        **{f"{key}_size": writer.sizes[path] for key, path in paths.items()},
        "csv_parts": csv_parts,
        "criteria_csv_parts": criteria_parts,
        "json_parts": [{**part, "href": f"{FOLDER}/{period}/{part['file']}"} for part in parts],
    }


_FORMULA_FIRST = "=+-@\t\r"


def csv_text(value):
    """A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets
    a leading apostrophe, the usual guard against formula injection; numbers stay numbers."""
    if isinstance(value, str) and value[:1] and value[0] in _FORMULA_FIRST:
        return "'" + value
    return value


def csv_value(value):
    kind = type(value)
    if kind is float or kind is int:  # most cells: checked first
        return value
    if value is None:
        return ""
    if kind is str:
        return "'" + value if value and value[0] in _FORMULA_FIRST else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_text(value)


def _rows_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _prefixed_rows_text(prefix: list, rows: list[tuple]) -> str:
    """`_rows_text` of each row after `prefix` (a unit's cells before each of its criteria's): the
    prefix is written once, then each row as `_row_text` writes it alone (a cell with a line break
    stays quoted inside its row)."""
    head = _row_head(prefix)
    return "".join([head + _row_text(row) for row in rows])


def _row_head(cells: list) -> str:
    """The CSV of a row's first `cells`, the delimiter before the next cell included."""
    return _rows_text([cells])[:-2] + ","


@functools.lru_cache(maxsize=1 << 14)
def _row_text(row: tuple) -> str:
    """`_rows_text` of one criterion's cells, remembered: the criteria CSV of 15,000 generated
    units has 254,830 rows and 640 distinct sets of cells (criteria, scores and evidence counts
    are few). Each position holds one type
    (`_criterion_cells`: a number is a float or "", the count an int), so two rows that compare
    equal are written alike."""
    return _rows_text([row])


class UnitRows(NamedTuple):
    """What one unit puts in every file, formatted once: its CSV row, its rows of the criteria CSV,
    its XLSX row's cells (xlsx_rows.cells: their XML, and the columns holding dates), its JSON line.
    Text is kept as UTF-8 bytes, as written: half the memory of Vietnamese text held as str, and
    read back from the build cache without decoding."""

    unit: str
    type: str
    csv: bytes
    criteria: bytes
    criteria_rows: int
    xlsx: bytes
    xlsx_dates: tuple[int, ...]
    ranks: tuple  # the two ranks these rows show (`_ranks`)
    rank_at: tuple[int, int]  # where they start in `csv` and `xlsx` (bytes); -1: nowhere known
    json_size: int
    json: bytes  # b"" in rows read back from the build cache: their lines are kept apart (`BodyRows.lines`)


def _without_json(rows: UnitRows) -> UnitRows:
    """The rows but the JSON line (its last field), made as a plain tuple is: `_replace`, a
    Python call with keywords, cost 0.06 CPU-s a build at 15,000 units."""
    return tuple.__new__(UnitRows, (*rows[:-1], b""))


class BodyRows(NamedTuple):
    body: str
    name: str
    units: list[UnitRows]
    key: str | None = None  # digests what the rows are made of; None when one of them cannot be named so
    lines: Callable[[], list[bytes]] = list  # the units' JSON lines, read when its JSON part is written
    unit_keys: list[str] | None = None  # what each unit's rows are made of but its ranks (`_unit_key`)

    def keyed_units(self) -> Iterator[tuple[UnitRows, str | None]]:
        """Each unit's rows with what they are made of but the ranks (None when not named)."""
        keys: Sequence[str | None] = self.unit_keys or [None] * len(self.units)
        return zip(self.units, keys, strict=True)


def prepare(facts: PeriodFacts, cols, criteria_cols, commit_url, demo: bool, cache=None) -> Iterator[BodyRows]:
    """Every unit's rows, a reviewing body at a time in the period's order. The build cache keeps, per body,
    each unit's rows under a digest of the facts they show but the ranks and of what every row
    depends on (the columns, the criteria of each unit type, this module's code, the repository
    address of commit links): after a change only the units whose facts changed are formatted
    again; those whose rank moved are given their new ranks (`_reranked`)."""
    catalogue_ids = {
        unit_type: [item.id for item in catalogue.items.values()]
        for unit_type, catalogue in facts.period.catalogues.items()
    }
    base = _base_key(facts, cols, criteria_cols, catalogue_ids, commit_url, demo) if cache is not None else b""
    rank_col = rank_column(cols)

    def formatted(f: UnitFact) -> UnitRows:
        return _unit_rows(f, cols, criteria_cols, catalogue_ids, commit_url, rank_col)

    for body, units in by_body(facts).items():
        entry = hashlib.sha256(f"{facts.period.id}\0{body}".encode()).hexdigest()
        kept = _load(cache.blob(CACHE_KIND, entry)) if cache is not None else {}
        rows: dict[str, UnitRows] = {}
        moved: dict[str, tuple] = {}  # a kept row given new ranks -> those its kept JSON line shows
        named = cache is not None
        for f in units:
            unit_key = _unit_key(base, facts, f) if cache is not None else None
            named = named and unit_key is not None
            key = unit_key or f.unit.id
            found = kept.get(key) if unit_key is not None else None  # a unit without a key: formatted every time
            if found is not None and found.ranks != (ranks := _ranks(f)):
                moved[key] = found.ranks
                found = _reranked(found, ranks, rank_col)
            rows[key] = found if found is not None else formatted(f)
        lines = _JsonLines(cache, entry, rows, units, formatted, moved)
        if cache is not None and (moved or rows.keys() != kept.keys()):
            cache.put_blob(JSON_KIND, entry, pickle.dumps(dict(zip(rows, lines())), protocol=pickle.HIGHEST_PROTOCOL))
            stripped = {key: _without_json(r) for key, r in rows.items()}
            cache.put_blob(CACHE_KIND, entry, pickle.dumps(stripped, protocol=pickle.HIGHEST_PROTOCOL))
        elif cache is not None:  # unread, they are still the body's lines: kept for a build that needs them
            cache.keep_blob(JSON_KIND, entry)
        shown = "\0".join(f"{key}{r.ranks}" for key, r in rows.items())  # the keys leave the ranks out
        body_key = hashlib.sha256(shown.encode()).hexdigest() if named else None
        yield BodyRows(body, units[0].parent_name, list(rows.values()), body_key, lines, list(rows) if named else None)


class _JsonLines:
    """A body's JSON lines, in its units' order: those of rows just formatted, and those the build
    cache keeps apart for the rows it gave back (JSON_KIND), read only when asked for: two thirds
    of the rows' bytes (133 of 199 MB at 15,000 units), which a rebuild reads for the one or two
    bodies whose JSON part it writes again. A line the cache lost is formatted again. Read once:
    a body whose rows changed asks for them to keep them, then to write its part."""

    def __init__(self, cache, entry: str, rows: dict[str, UnitRows], units: list[UnitFact], formatted, moved: dict):
        self._cache, self._entry, self._rows, self._units, self._formatted = cache, entry, rows, units, formatted
        self._moved = moved  # key -> the ranks the kept line shows, for rows given new ranks
        self._read: list[bytes] | None = None

    def __call__(self) -> list[bytes]:
        if self._read is None:
            kept: dict = {}
            if self._cache is not None and any(not r.json for r in self._rows.values()):
                kept = _load_dict(self._cache.blob(JSON_KIND, self._entry))
            self._read = [
                r.json or self._kept(kept, key, r) or self._formatted(f).json
                for (key, r), f in zip(self._rows.items(), self._units, strict=True)
            ]
        return self._read

    def _kept(self, kept: dict, key: str, rows: UnitRows) -> bytes | None:
        line = kept.get(key)
        if line is None or key not in self._moved:
            return line
        return _json_reranked(line, self._moved[key], rows.ranks)


def _base_key(facts: PeriodFacts, cols, criteria_cols, catalogue_ids, commit_url, demo: bool) -> bytes:
    digest = sources_digest(sys.modules[__name__], text_module, facts_module, unit_types, xlsx_rows)
    titles = ([n for n, _ in cols], [n for n, _ in criteria_cols], CRITERION_TITLES)
    digest.update(
        pickle.dumps(
            (facts.period.id, demo, titles, sorted(catalogue_ids.items()), commit_url(_Commit())),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    )
    return digest.digest()


class _Commit:
    """A commit-like value: the address commit links get in this build (it holds the repository's)."""

    sha = commit = "0" * 40


def _unit_key(base: bytes, facts: PeriodFacts, f: UnitFact) -> str | None:
    """A digest of the unit's facts that the downloads show (facts.FactDigest.rows), its ranks
    aside: rows kept under it are given other ranks by `_reranked`. None for a unit whose facts
    cannot be pickled."""
    digest = facts.digest(f.unit.id)
    if digest is None:
        return None
    return hashlib.sha256(base + digest.rows).hexdigest()


def _load_dict(data: bytes | None) -> dict:
    """A dict pickled in the build cache; an empty one for none or for bytes that are not one."""
    try:
        found = pickle.loads(data) if data is not None else None
    except UNREADABLE_PICKLE:
        return {}
    return found if isinstance(found, dict) else {}


def _load(data: bytes | None) -> dict[str, UnitRows]:
    rows = _load_dict(data)
    return rows if all(isinstance(r, UnitRows) for r in rows.values()) else {}


def _unit_rows(f: UnitFact, cols, criteria_cols, catalogue_ids, commit_url, rank_col: int) -> UnitRows:
    """`rank_col`: `rank_column(cols)`."""
    values = [get(f) for _, get in cols]
    criteria_text, criteria_rows = b"", 0
    if f.submitted:  # units that have not submitted have no scores
        prefix = [csv_value(get(f)) for _, get in criteria_cols]
        rows = [_criterion_cells(g, it) for g in f.groups for it in g.items]
        criteria_text, criteria_rows = _prefixed_rows_text(prefix, rows).encode("utf-8"), len(rows)
    finals = {it.id: it.final for g in f.groups for it in g.items}
    cells: list[tuple[int, str, object]] = []
    for col, value in enumerate(values + [plain(finals.get(c)) for c in catalogue_ids.get(f.unit.type, [])]):
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            cells.append((col, "d", dt.datetime.combine(value, dt.time())))
        elif isinstance(value, (int, float)):
            cells.append((col, "n", value))
        else:
            cells.append((col, "s", str(value)))
    xlsx_text, xlsx_dates = xlsx_rows.cells(cells)
    xlsx = xlsx_text.encode("utf-8")
    csv_cells = [csv_value(v) for v in values]
    csv_row = _rows_text([csv_cells]).encode("utf-8")
    ranks = _ranks(f)
    return UnitRows(
        f.unit.id,
        f.unit.type,
        csv_row,
        criteria_text,
        criteria_rows,
        xlsx,
        xlsx_dates,
        ranks,
        _rank_places(csv_cells, csv_row, cells, xlsx, rank_col, ranks),
        len(line := _compact(unit_record(f, commit_url))),
        line,
    )


# A unit's ranks move whenever another unit of its type or body passes it (63 units' rows at
# 15,000 after the benchmark's one change). Its rows are then not formatted again (its criteria
# read back and its 19 criteria rows, XLSX cells and JSON line made anew, about 1 ms a unit):
# the ranks are put in place of the old ones, at the places `_rank_places` found and checked when
# the rows were formatted (CSV and XLSX), and where the JSON line names them (its keys are written
# in a fixed order, and a quote inside a text is escaped, so `"rank_type":` occurs once).


def _rank_places(csv_cells: list, csv_row: bytes, cells: list, xlsx: bytes, rank_col: int, ranks: tuple) -> tuple:
    """Where the ranks start in a unit's CSV row and XLSX cells (bytes): (-1, -1) when the rows
    are not the cells before them, the ranks, then the rest."""
    if rank_col < 1:
        return -1, -1
    head = _row_head(csv_cells[:rank_col]).encode("utf-8")
    xlsx_head = xlsx_rows.cells([cell for cell in cells if cell[0] < rank_col])[0].encode("utf-8")
    if not (csv_row.startswith(head + _csv_ranks(ranks)) and xlsx.startswith(xlsx_head + _xlsx_ranks(rank_col, ranks))):
        return -1, -1
    return len(head), len(xlsx_head)


def _csv_ranks(ranks: tuple) -> bytes:
    """The ranks' cells in a CSV row, the delimiter after them included (columns follow them)."""
    return "".join(f"{csv_value(rank)}," for rank in ranks).encode("utf-8")


def _xlsx_ranks(rank_col: int, ranks: tuple) -> bytes:
    cells = [(rank_col + i, "n", rank) for i, rank in enumerate(ranks) if rank is not None]
    return xlsx_rows.cells(cells)[0].encode("utf-8")


def _json_ranks(ranks: tuple) -> bytes:
    return b'"rank_type":' + _compact(ranks[0]) + b',"rank_parent":' + _compact(ranks[1])


def _reranked(rows: UnitRows, ranks: tuple, rank_col: int) -> UnitRows | None:
    """Kept `rows` showing `ranks` instead of theirs (their JSON line is given them when read,
    `_json_reranked`); None when their ranks are not where they were found (they are then
    formatted again)."""
    csv_at, xlsx_at = rows.rank_at
    old_csv, old_xlsx = _csv_ranks(rows.ranks), _xlsx_ranks(rank_col, rows.ranks)
    if (
        min(csv_at, xlsx_at, rank_col) < 0
        or rows.csv[csv_at : csv_at + len(old_csv)] != old_csv
        or rows.xlsx[xlsx_at : xlsx_at + len(old_xlsx)] != old_xlsx
    ):
        return None
    return rows._replace(
        csv=rows.csv[:csv_at] + _csv_ranks(ranks) + rows.csv[csv_at + len(old_csv) :],
        xlsx=rows.xlsx[:xlsx_at] + _xlsx_ranks(rank_col, ranks) + rows.xlsx[xlsx_at + len(old_xlsx) :],
        ranks=ranks,
        json_size=rows.json_size - len(_json_ranks(rows.ranks)) + len(_json_ranks(ranks)),
        json=b"",
    )


def _json_reranked(line: bytes, old: tuple, new: tuple) -> bytes | None:
    """A unit's JSON line naming the ranks `new` instead of `old`; None when `old` are not named
    there once."""
    before = _json_ranks(old)
    return line.replace(before, _json_ranks(new)) if line.count(before) == 1 else None


def unit_blocks(bodies: list[BodyRows]):
    """(body, body name, CSV text of the unit's row, 1, what the row is made of or None) per unit,
    grouped by reviewing body."""
    for b in bodies:
        for u, key in b.keyed_units():
            yield b.body, b.name, u.csv, 1, f"{key}{u.ranks}" if key else None


def criteria_blocks(bodies: list[BodyRows]):
    """One block per submitted unit: a row per criterion (they show no rank)."""
    for b in bodies:
        for u, key in b.keyed_units():
            if u.criteria_rows:
                yield b.body, b.name, u.criteria, u.criteria_rows, key


def write_csv_parts(
    writer: SiteWriter, path: str, cols: list[tuple], blocks, part_limit: int | None = None, manifest=None
) -> list[dict]:
    """A CSV (UTF-8 with BOM, header first) at `path`; when its rows would pass `part_limit` bytes,
    numbered files `<name>-1.csv`, `<name>-2.csv`, … instead, each with the header and whole reviewing
    bodies (a body larger than a part is cut between units). Returns each file's record: site path,
    bytes, SHA-256, rows, and the first and last reviewing body it holds. `blocks`: (body, body
    name, rows' text, rows, what they are made of or None). With `manifest` (of PARTS_KIND), a
    part whose blocks are all named is left in the site without being joined, compared or hashed
    when the file there was written for the same blocks (most parts of the criteria CSV, 8 MB
    each, after a change)."""
    limit = part_limit or PART_LIMIT
    header = ("\ufeff" + _rows_text([[name for name, _ in cols]])).encode("utf-8")
    parts: list[_CsvPart] = []
    current = _CsvPart()
    for _body, group in itertools.groupby(blocks, key=lambda block: block[0]):
        units = [(name, _utf8(text), rows, key) for _, name, text, rows, key in group]
        if current.size and current.size + sum(len(u[1]) for u in units) > limit:
            parts.append(current)
            current = _CsvPart()
        for unit in units:
            if current.size and current.size + len(unit[1]) > limit:  # a body larger than a part
                parts.append(current)
                current = _CsvPart()
            current.add(*unit)
    parts.append(current)
    stem = path[: -len(".csv")]
    out = []
    for number_, part in enumerate(parts, start=1):
        rel = path if len(parts) == 1 else f"{stem}-{number_}.csv"
        size, sha256 = _kept_part(writer, manifest, rel, header, part)
        if size is None or sha256 is None:
            data = header + b"".join(part.chunks)
            writer.write(rel, data, digest=True)
            size, sha256 = len(data), writer.digests[rel]
        out.append(
            {
                "file": rel,
                "size": size,
                "sha256": sha256,
                "rows": part.rows,
                "first": part.bodies[0] if part.bodies else "",
                "last": part.bodies[-1] if part.bodies else "",
            }
        )
    return out


def _kept_part(writer: SiteWriter, manifest, rel: str, header: bytes, part: _CsvPart) -> tuple[int | None, str | None]:
    """(size, SHA-256) of the CSV part at `rel`, kept when the site holds it as written for the
    same header and blocks; (None, None) when it does not, or they cannot be named."""
    if manifest is None or part.keys is None:
        return None, None
    key = hashlib.sha256(header + "\0".join(part.keys).encode()).hexdigest()
    size = manifest.kept(writer, rel, key)
    return size, manifest.sha256(rel) if size is not None else None


def _utf8(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


class _CsvPart:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.bodies: list[str] = []
        self.keys: list[str] | None = []  # what each block is made of; None once one is not named
        self.size = self.rows = 0

    def add(self, body_name: str, data: bytes, rows: int, key: str | None) -> None:
        if not self.bodies or self.bodies[-1] != body_name:
            self.bodies.append(body_name)
        self.chunks.append(data)
        self.size += len(data)
        self.rows += rows
        if key is None:
            self.keys = None
        elif self.keys is not None:
            self.keys.append(key)


def write_xlsx(
    writer: SiteWriter,
    rel: str,
    facts: PeriodFacts,
    bodies: list[BodyRows],
    cols,
    build_date: dt.datetime,
    demo: bool = False,
    cache: BuildCache | None = None,
) -> None:
    """One sheet per unit type: xlsxwriter writes the workbook with each sheet's header row, and
    the units' rows, rendered once per unit, are spliced in after it (see xlsx_rows.py). `cache`
    keeps the runs of rows deflated, for the next build (deflated_zip.py)."""
    import xlsxwriter

    book = io.BytesIO()
    workbook = xlsxwriter.Workbook(book, {"in_memory": True, "strings_to_urls": False})
    workbook.set_properties(
        {
            "title": f"Đánh giá CNTT {facts.period.title}",
            "created": build_date.replace(tzinfo=None),
            "comments": "Dữ liệu minh hoạ, không phải kết quả thật." if demo else "",
        }
    )
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#3949AB", "font_color": "#FFFFFF", "text_wrap": True, "valign": "top", "border": 1}
    )
    rows_of = {u.unit: u for b in bodies for u in b.units}
    by_type: dict[str, list[UnitRows]] = {}
    for f in facts.units.values():  # the period's order, not the bodies'
        by_type.setdefault(f.unit.type, []).append(rows_of[f.unit.id])
    first = 1 if demo else 0  # the columns before the unit's name
    sheets, last_cols = [], []
    for unit_type in sorted(by_type, key=type_order):
        units = by_type[unit_type]
        catalogue = facts.period.catalogues[unit_type]
        criteria = [item.id for item in catalogue.items.values()]
        sheet = workbook.add_worksheet(type_label(unit_type)[:31])
        titles = [name for name, _ in cols] + [f"Tiêu chí {c}" for c in criteria]
        sheet.set_row(0, 45)
        for col, title in enumerate(titles):
            sheet.write_string(0, col, title, header)
        dated = {col for u in units for col in u.xlsx_dates}  # their cells name the date style
        for col in range(len(titles)):  # xlsxwriter writes equal neighbours as one range
            width = 14 if col <= first + 1 else 40 if col == first + 2 else 12
            sheet.set_column(col, col, width, date if col in dated else None)
        sheet.freeze_panes(1, first + 3)
        sheet.autofilter(0, 0, len(units), len(titles) - 1)
        sheets.append([u.xlsx for u in units])
        last_cols.append(len(titles) - 1)
    workbook.close()
    entry = hashlib.sha256(f"{rel}\0{xlsx_rows.YEAR_LEVEL}\0{zlib.ZLIB_RUNTIME_VERSION}".encode()).hexdigest()
    kept = deflated_zip.Pieces(_load_dict(cache.blob(PIECES_KIND, entry)) if cache is not None else None)
    writer.write(rel, xlsx_rows.splice(book.getvalue(), sheets, last_cols, date.xf_index, kept))
    if cache is not None and kept.changed():
        cache.put_blob(PIECES_KIND, entry, pickle.dumps(kept.used, protocol=pickle.HIGHEST_PROTOCOL))


def _moment(m, commit_url) -> dict | None:
    if m is None:
        return None
    return {"date": m.date.isoformat(), "commit": m.commit, "url": commit_url(m) or None}


def unit_record(f: UnitFact, commit_url) -> dict:
    t = f.timing
    return {
        "id": f.unit.id,
        "name": f.unit.name,
        "type": f.unit.type,
        "level": f.unit.level or None,
        "area": f.unit.area or None,
        "parent": f.unit.parent,
        "parent_name": f.parent_name,
        "replaces": list(f.unit.replaces),
        "status": f.status,
        "deadline_proposed": f.proposed,
        "submitted": f.submitted,
        "on_time": f.on_time,
        "received": _moment(t.received if t else None, commit_url),
        "first_received": _moment(t.first if t else None, commit_url),
        "before_opening": bool(t and t.before_opening),
        "late_criteria": [
            {"id": c.id, "what": c.what, **(_moment(c.moment, commit_url) or {})} for c in t.late_criteria
        ]
        if t
        else [],
        "criteria_version": f.criteria_version,
        "reviewer": f.reviewer or None,
        "review_date": f.review_date or None,
        "self_total": plain(f.self_total),
        "total": plain(f.total),
        "max_total": plain(f.max_total),
        "percent": plain(f.percent),
        "rating": f.rating or None,
        "rank_type": _int(f.rank_type),
        "rank_parent": _int(f.rank_parent),
        "file": f.path if f.submitted else None,
        "file_sha256": f.file_sha256 or None if f.submitted else None,
        "groups": [
            {"id": g.id, "max": plain(g.max), "self": plain(g.self_score), "final": plain(g.final)} for g in f.groups
        ],
        "criteria": [_criterion_record(it) for g in f.groups for it in g.items],
        "milestones": [
            {
                "id": ms.id,
                "status": ms.status,
                "proposed": ms.proposed,
                "first": _moment(ms.timing.first, commit_url),
                "replaced": _moment(ms.timing.current, commit_url) if ms.timing.replaced else None,
                "file": _evidence(ms.evidence) if ms.evidence else None,
            }
            for ms in f.milestones
        ],
    }


def _criterion_record(it) -> dict:
    score = it.score  # facts.ItemFact's properties read it; read once here
    return {
        "id": score.criterion,
        "group": it.group,
        "max": plain(score.max),
        "self": plain(score.self_score),
        "reviewer": plain(score.reviewer_score),
        "final": plain(score.final),
        "met": score.met,
        "applicable": score.applicable,
        "derived": None
        if not it.derived
        else {
            "criterion": it.derived["criterion"],
            "numerator": _int(it.derived["numerator"]),
            "denominator": _int(it.derived["denominator"]),
            "percent": plain(it.derived["percent"]),
            "band": it.derived["band"] or None,
        },
        "evidence": [_evidence(e) for e in it.evidence],
        "note": it.note or None,
        "comment": it.comment or None,
        "milestone_warning": it.milestone_warning or None,
    }


def _evidence(e) -> dict:
    if e.kind == "url":
        return {"kind": "url", "ref": e.label, "href": e.href, "size": None, "sha256": None, "broken": e.broken or None}
    return {
        "kind": "pdf",
        "ref": e.label,
        "href": e.href or None,
        "size": e.file.size if e.file else None,
        "sha256": e.file.sha256 if e.file else None,
        "broken": None,
    }


def _period_head(facts: PeriodFacts, demo: bool) -> dict:
    period = facts.period
    return {
        "schema_version": SCHEMA_VERSION,
        "demo": demo,
        "period": {
            "id": period.id,
            "title": period.title,
            "opens": period.opens.isoformat() if period.opens else None,
            "deadline": period.deadline.isoformat(),
            "deadline_source": period.deadline_source,
            "milestones": [
                {
                    "id": m.id,
                    "title": m.title,
                    "due": m.due.isoformat(),
                    "proposed": m.provisional,
                    "owed_by": list(m.owed_by),
                }
                for m in period.milestones
            ],
        },
    }


def _compact(value) -> bytes:
    """JSON in UTF-8, without spaces, keys in their order (what json.dumps with ensure_ascii=False
    and separators (",", ":") writes, byte for byte, for these records: their numbers are plain
    values, never NaN). orjson: the 15,000 unit records of a year took 2.6-3.0 CPU-s with the
    standard library's encoder and 0.26-0.36 with it, the same bytes."""
    return orjson.dumps(value)


def by_body(facts: PeriodFacts) -> dict[str, list[UnitFact]]:
    """The period's units per reviewing body, in the order the period lists them."""
    groups: dict[str, list[UnitFact]] = {}
    for f in facts.units.values():
        groups.setdefault(f.unit.parent, []).append(f)
    return groups


class JsonParts:
    """One JSON file per reviewing body under `folder` (`<body>.json`; a body whose units would pass
    `part_limit` bytes continues in `<body>-2.json`, …), written as each body comes (`add`), and
    the year's index `index_file` listing every part with its size and SHA-256 (`finish`). Each part
    is a whole document (period, its units): it can be read alone. The provenance (`source`: data
    commit, build date) is in the index only, so the part of a body whose units did not change
    keeps its bytes from one commit to the next. One unit per line, compact, keys in a fixed order:
    parts compress well and diff line by line between builds. Such a part is left in the site
    without being joined, hashed or compared again when `manifest` says the file there is the one
    written for the same rows (600 parts, 100 MB at 15,000 units)."""

    def __init__(
        self,
        writer: SiteWriter,
        folder: str,
        index_file: str,
        facts: PeriodFacts,
        demo: bool,
        part_limit: int | None = None,
        manifest: Manifest | None = None,
    ):
        self.writer, self.folder, self.index_file = writer, folder, index_file  # site-relative
        self.part_limit = part_limit or PART_LIMIT
        self.manifest = manifest
        self.head = _period_head(facts, demo)
        self.opening = _compact(self.head)[:-1]
        self.rel = PurePosixPath(folder).relative_to(PurePosixPath(index_file).parent).as_posix()
        self.parts: list[dict] = []

    def add(self, b: BodyRows) -> None:
        chunks: list[list[int]] = [[]]  # the units of each part, by place
        size = 0
        for index, u in enumerate(b.units):
            if chunks[-1] and size + u.json_size > self.part_limit:
                chunks.append([])
                size = 0
            chunks[-1].append(index)
            size += u.json_size + 2
        key = self._key(b)
        read: list[bytes] = []  # the body's lines, once a part is written
        for number_, lines in enumerate(chunks, start=1):
            file_name = f"{b.body}.json" if number_ == 1 else f"{b.body}-{number_}.json"
            place = f"{self.folder}/{file_name}"
            part_size, sha256 = self._kept(place, f"{key}:{number_}:{len(chunks)}") if key else (None, None)
            if part_size is None or sha256 is None:  # written (over a kept file whose digest is unknown)
                read = read or b.lines()
                body = _compact({"id": b.body, "name": b.name, "part": number_, "parts": len(chunks)})
                units = b",\n".join(read[index] for index in lines)
                data = self.opening + b',"body":' + body + b',"units":[\n' + units + b"\n]}\n"
                self.writer.write(place, data, digest=True)
                part_size, sha256 = len(data), self.writer.digests[place]
            self.parts.append(
                {
                    "body": b.body,
                    "body_name": b.name,
                    "part": number_,
                    "file": f"{self.rel}/{file_name}",
                    "units": len(lines),
                    "size": part_size,
                    "sha256": sha256,
                }
            )

    def _key(self, b: BodyRows) -> str | None:
        """What a body's parts are made of: the period's opening, the body, the part limit and its
        rows (None when they cannot be named, or nothing keeps the parts)."""
        if self.manifest is None or b.key is None:
            return None
        material = self.opening + f"\0{b.body}\0{b.name}\0{self.part_limit}\0{b.key}".encode()
        return hashlib.sha256(material).hexdigest()

    def _kept(self, place: str, key: str) -> tuple[int | None, str | None]:
        """(size, SHA-256) of the part at `place`, kept when the site holds it as written for `key`;
        (None, None) when it does not."""
        assert self.manifest is not None
        size = self.manifest.kept(self.writer, place, key)
        return size, self.manifest.sha256(place) if size is not None else None

    def finish(self, source: dict) -> list[dict]:
        """Writes the index; returns its part records."""
        index = {**self.head, "source": source}
        self.writer.write(
            self.index_file,
            _compact(index)[:-1] + b',"parts":[\n' + b",\n".join(_compact(p) for p in self.parts) + b"\n]}\n",
        )
        return self.parts


def read_json(site: Path, period: str) -> dict:
    """A period's JSON as one document (the index's head and every part's units, in order), each
    part checked against the size and SHA-256 its index lists: what a reader of the downloads does."""
    index_file = site / names(period)["json"]
    index = json.loads(index_file.read_text(encoding="utf-8"))
    units = []
    for part in index["parts"]:
        data = (index_file.parent / part["file"]).read_bytes()
        if len(data) != part["size"] or hashlib.sha256(data).hexdigest() != part["sha256"]:
            raise ValueError(f"{part['file']}: size or SHA-256 differs from the index")
        units += json.loads(data)["units"]
    return {**{k: v for k, v in index.items() if k != "parts"}, "units": units}
