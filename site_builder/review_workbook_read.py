"""Read a filled scoring workbook back as reviewer scores, or say exactly which cell is wrong.

A workbook sits in the body's folder, `submissions/<period>/<body>/<name>.xlsx` (at most one per
body and period). It is data: validation reads it into the same `Review` records a
`<unit>.review.yaml` gives, so scoring, pages and downloads have one code path. Per unit, a
workbook score replaces the `.review.yaml` score of the same criterion; an empty cell leaves the
criterion as it was (reviewer score from the YAML file, else the self-score).

All or nothing: a workbook with any error gives no score at all. Every problem names the sheet
and the cell ("trang «Trường phổ thông», ô F12"). Checks that depend on data that changes after
the merge (a unit edits its self-assessment later) are warnings, never errors, so a merged
workbook can never make the published data invalid by itself.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from site_builder import evidence, messages
from site_builder.model import LINK_KINDS, Dataset, Review, ReviewEntry, Unit
from site_builder.numbers import as_typed, thousands
from site_builder.paths import body_folder
from site_builder.problems import Problem
from site_builder.review_workbook import (
    COLUMN,
    DATE_CELL,
    FORMAT_ID,
    INFO_SHEET,
    META_SHEET,
    REVIEWER_CELL,
    TEMPLATE_VERSION,
    cell_name,
    checksum,
    file_name,
)

MAX_BYTES = 5_000_000
LABEL = messages.FIELD_LABELS["diem_cham"]  # how score messages name a workbook's score
MAX_UNPACKED = 60_000_000
MAX_MEMBERS = 500
HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


@dataclass
class ParsedWorkbook:
    path: str
    period: str
    body: str
    reviewer: str = ""
    date: str = ""
    entries: dict[str, dict[str, ReviewEntry]] = field(default_factory=dict)  # unit -> criterion -> entry
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, criterion) -> "Trang …, ô F12"


def where(sheet: str, row: int, column: int) -> str:
    return messages.CELL.format(sheet=sheet, cell=cell_name(row, column))


class _Collector:
    def __init__(self, rel: str):
        self.rel = rel
        self.items: list[Problem] = []

    def error(
        self, sheet: str | None, row: int, column: int, message: str, fix: str, code: str, severity: str = "error"
    ) -> None:
        subject = where(sheet, row, column) if sheet else messages.WORKBOOK
        line, col = (row + 1, column + 1) if sheet else (1, 1)
        self.items.append(Problem(self.rel, line, col, subject, message, fix, code, severity))

    def say(self, sheet: str | None, row: int, column: int, message: messages.Message, /, **values) -> None:
        """A problem at a cell (or, without a sheet, on the workbook) in the words of `message`."""
        self.error(sheet, row, column, *message.text(**values), message.code, message.severity)

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.items)


# ---------------------------------------------------------------- opening the file


def _open(data: bytes, out: _Collector):
    if len(data) > MAX_BYTES:
        out.say(None, 0, 0, messages.WORKBOOK_TOO_LARGE, size=thousands(len(data)), limit=thousands(MAX_BYTES))
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
                out.say(None, 0, 0, messages.WORKBOOK_ZIP_TOO_LARGE)
                return None
    except zipfile.BadZipFile:
        out.say(None, 0, 0, messages.WORKBOOK_NOT_XLSX)
        return None
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same to a reviewer
        out.say(None, 0, 0, messages.WORKBOOK_UNREADABLE)
        return None


def _meta(book, out: _Collector, period: str, body: str) -> list[list[str]] | None:
    """The scored rows the workbook was made with: [sheet, row, unit, criterion, self]."""
    if META_SHEET not in book.sheetnames:
        out.say(None, 0, 0, messages.WORKBOOK_FOREIGN)
        return None
    sheet = book[META_SHEET]
    pairs, lines = {}, []
    for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if key == "row":
            lines.append(str(value or ""))
        elif isinstance(key, str):
            pairs[key] = "" if value is None else str(value)
    if pairs.get("format") != FORMAT_ID:
        out.say(None, 0, 0, messages.WORKBOOK_FOREIGN)
        return None
    if pairs.get("version") != str(TEMPLATE_VERSION):
        out.say(
            None, 0, 0, messages.WORKBOOK_OLD_VERSION, version=pairs.get("version") or "?", current=TEMPLATE_VERSION
        )
        return None
    if (pairs.get("period"), pairs.get("body")) != (period, body):
        out.say(
            None,
            0,
            0,
            messages.WORKBOOK_OTHER_BODY,
            other=pairs.get("body"),
            other_period=pairs.get("period"),
            folder=body_folder(period, body),
            body=body,
            other_folder=body_folder(str(pairs.get("period")), str(pairs.get("body"))),
        )
        return None
    if checksum(lines) != pairs.get("checksum") or str(len(lines)) != pairs.get("rows"):
        out.say(None, 0, 0, messages.WORKBOOK_TAMPERED)
        return None
    rows = [line.split("\t") for line in lines]
    if any(len(r) != 5 or not r[1].isdigit() for r in rows):
        out.say(None, 0, 0, messages.WORKBOOK_META_UNREADABLE)
        return None
    return rows


# ---------------------------------------------------------------- cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


def _score(cell, sheet: str, row: int, item, step: float, out: _Collector) -> float | None | bool:
    """The score in a cell: a number on the step within 0..max, None when empty, False when wrong."""
    column = COLUMN["score"]
    value = cell.value
    maximum = as_typed(item.max)
    if _formula(cell):
        out.say(sheet, row, column, messages.WORKBOOK_FORMULA, max=maximum)
        return False
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if (
        isinstance(value, bool)
        or isinstance(value, (dt.date, dt.datetime, dt.time))
        or not isinstance(value, (int, float))
    ):
        shown = _text(value)
        hint = (
            messages.WORKBOOK_DECIMAL_HINT.format(value=shown.replace(",", "."))
            if re.fullmatch(r"\d+,\d+", shown)
            else ""
        )
        out.say(sheet, row, column, messages.WORKBOOK_TEXT, value=shown[:40], max=maximum, hint=hint)
        return False
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        out.say(sheet, row, column, messages.WORKBOOK_NOT_NUMBER, label=LABEL, max=maximum)
        return False
    shown = as_typed(value)
    if value < 0:
        out.say(sheet, row, column, messages.WORKBOOK_NEGATIVE, label=LABEL, value=shown, max=maximum)
        return False
    if value > item.max + 1e-9:
        out.say(sheet, row, column, messages.WORKBOOK_ABOVE_MAX, label=LABEL, value=shown, max=maximum)
        return False
    if not math.isclose(round(value / step) * step, value, abs_tol=1e-9):
        lower = math.floor(value / step) * step
        out.say(
            sheet,
            row,
            column,
            messages.WORKBOOK_STEP,
            label=LABEL,
            value=shown,
            step=as_typed(step),
            lower=as_typed(lower),
            upper=as_typed(lower + step),
        )
        return False
    return round(value / step) * step


def _reviewer(book, out: _Collector) -> str:
    cell = book[INFO_SHEET].cell(REVIEWER_CELL[0] + 1, REVIEWER_CELL[1] + 1) if INFO_SHEET in book.sheetnames else None
    value = _text(cell.value if cell is not None else None).lstrip("@")
    if cell is not None and value and (_formula(cell) or not HANDLE.match(value)):
        out.say(INFO_SHEET, *REVIEWER_CELL, messages.WORKBOOK_REVIEWER_INVALID, value=value[:60])
        return ""
    return value


def _date(book, out: _Collector) -> str:
    if INFO_SHEET not in book.sheetnames:
        return ""
    cell = book[INFO_SHEET].cell(DATE_CELL[0] + 1, DATE_CELL[1] + 1)
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    if text or _formula(cell):
        out.say(INFO_SHEET, *DATE_CELL, messages.WORKBOOK_DATE_INVALID, value=text[:40])
    return ""


# ---------------------------------------------------------------- the whole workbook


def read(data: bytes, rel: str, dataset: Dataset) -> tuple[ParsedWorkbook | None, list[Problem]]:
    """Parse and check one workbook against the dataset's registry, catalogues and submissions."""
    parts = PurePosixPath(rel).parts
    period_id, body = parts[1], parts[2]
    out = _Collector(rel)
    book = _open(data, out)
    if book is None:
        return None, out.items
    rows = _meta(book, out, period_id, body)
    if rows is None:
        return None, out.items
    parsed = ParsedWorkbook(rel, period_id, body, _reviewer(book, out), _date(book, out))
    reader = _Rows(book, dataset, parsed, out)
    for fields in rows:
        reader.read(*fields)
    _extra_rows(book, rows, reader.known, out)
    _reviewer_refused(parsed.reviewer, list(reader.refused.values()), out)
    if parsed.entries and not parsed.date:
        out.say(INFO_SHEET, *DATE_CELL, messages.WORKBOOK_DATE_MISSING)
    for unit_id, changes in reader.stale.items():
        out.say(None, 0, 0, messages.WORKBOOK_STALE, unit=unit_id, changes="; ".join(changes[:10]))
    if out.failed:
        return None, out.items
    return parsed, out.items


class _Rows:
    """Reads the generated rows of a workbook one by one into `parsed`, noting on the way the rows
    seen, the self scores changed since the workbook was made and the units the reviewer may not score."""

    def __init__(self, book, dataset: Dataset, parsed: ParsedWorkbook, out: _Collector):
        self.book, self.dataset, self.parsed, self.out = book, dataset, parsed, out
        self.period = dataset.periods.get(parsed.period)
        self.registry = dataset.registry.period(parsed.period)
        self.known: set[tuple[str, int]] = set()
        self.stale: dict[str, list[str]] = {}
        self.refused: dict[str, Unit] = {}

    def read(self, sheet_name: str, row_text: str, unit_id: str, criterion: str, self_text: str) -> None:
        out, parsed = self.out, self.parsed
        row = int(row_text) - 1
        self.known.add((sheet_name, row))
        if sheet_name not in self.book.sheetnames:
            out.say(None, 0, 0, messages.WORKBOOK_SHEET_MISSING, sheet=sheet_name)
            return
        sheet = self.book[sheet_name]
        if not _locked_cells_intact(sheet, row, sheet_name, unit_id, criterion, self_text, out):
            return
        unit, item, step = self._criterion(sheet_name, row, unit_id, criterion)
        if item is None:
            return
        score = _score(sheet.cell(row + 1, COLUMN["score"] + 1), sheet_name, row, item, step, out)
        comment_cell = sheet.cell(row + 1, COLUMN["comment"] + 1)
        comment = _text(comment_cell.value)
        if _formula(comment_cell):
            out.say(sheet_name, row, COLUMN["comment"], messages.WORKBOOK_COMMENT_FORMULA)
            return
        if score is False:
            return
        submission = self.dataset.submissions.get((parsed.period, unit_id))
        entry = submission.entries.get(criterion) if submission else None
        current_self = entry.score if entry else (0.0 if submission else None)
        if current_self is not None and not math.isclose(current_self, float(self_text)):
            self.stale.setdefault(unit_id, []).append(f"{criterion}: {self_text} → {as_typed(current_self)}")
        if score is None:
            if comment:
                out.say(sheet_name, row, COLUMN["score"], messages.WORKBOOK_COMMENT_ONLY, self_score=self_text)
            return
        if submission is None:
            out.say(sheet_name, row, COLUMN["score"], messages.WORKBOOK_NO_SUBMISSION, unit=unit_id)
            return
        if score > 0 and item.evidence and item.evidence.required and not _has_evidence(item, entry):
            out.say(
                sheet_name,
                row,
                COLUMN["score"],
                messages.WORKBOOK_EVIDENCE_REQUIRED,
                kinds=messages.evidence_kinds(item.evidence.kinds),
            )
            return
        if parsed.reviewer.lower() not in {r.lower() for r in unit.reviewers}:
            self.refused.setdefault(unit.id, unit)
            return
        parsed.entries.setdefault(unit_id, {})[criterion] = ReviewEntry(criterion, score, comment)
        parsed.cells[(unit_id, criterion)] = where(sheet_name, row, COLUMN["score"])

    def _criterion(self, sheet_name: str, row: int, unit_id: str, criterion: str):
        """(unit, item, score step) of a row; item None when the row names no criterion to score here."""
        unit = self.registry.units.get(unit_id)
        if unit is None or unit.parent != self.parsed.body:
            self.out.say(
                sheet_name,
                row,
                COLUMN["unit"],
                messages.WORKBOOK_UNIT_OTHER,
                unit=unit_id,
                body=self.parsed.body,
                period=self.parsed.period,
            )
            return None, None, 0.0
        catalogue = self.period.catalogues.get(unit.type) if self.period else None
        item = catalogue.items.get(criterion) if catalogue else None
        if catalogue is None or item is None or item.derived:
            self.out.say(sheet_name, row, COLUMN["criterion"], messages.WORKBOOK_CRITERION, item=criterion)
            return None, None, 0.0
        return unit, item, catalogue.score_step


def _locked_cells_intact(sheet, row, sheet_name, unit_id, criterion, self_text, out: _Collector) -> bool:
    expected = (("unit", unit_id), ("criterion", criterion))
    for key, value in expected:
        found = _text(sheet.cell(row + 1, COLUMN[key] + 1).value)
        if found != value:
            out.say(sheet_name, row, COLUMN[key], messages.WORKBOOK_LOCKED_CHANGED, found=found[:40], value=value)
            return False
    cell = sheet.cell(row + 1, COLUMN["self"] + 1)
    value = cell.value
    same = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not _formula(cell)
        and math.isclose(float(value), float(self_text))
    )
    if not same:
        out.say(
            sheet_name,
            row,
            COLUMN["self"],
            messages.WORKBOOK_SELF_CHANGED,
            found=_text(value)[:40],
            self_score=self_text,
        )
        return False
    return True


def _extra_rows(book, rows, known: set, out: _Collector) -> None:
    """Scores typed below or between the generated rows are not silently ignored."""
    for sheet_name in {r[0] for r in rows}:
        if sheet_name not in book.sheetnames:
            continue
        sheet = book[sheet_name]
        for row in range(1, sheet.max_row):
            if (sheet_name, row) in known:
                continue
            for key in ("score", "comment"):
                if sheet.cell(row + 1, COLUMN[key] + 1).value not in (None, ""):
                    out.say(sheet_name, row, COLUMN[key], messages.WORKBOOK_EXTRA_ROW)
                    break


def _has_evidence(item, entry) -> bool:
    refs = entry.evidence if entry else ()
    wanted = item.evidence.kinds
    has_pdf = any(not evidence.looks_like_url(r) for r in refs)
    has_link = any(evidence.looks_like_url(r) for r in refs)
    return ("pdf" in wanted and has_pdf) or (any(k in LINK_KINDS for k in wanted) and has_link)


def _reviewer_refused(reviewer: str, units: list[Unit], out: _Collector) -> None:
    """One message at the reviewer's cell, naming the units concerned (not one per row)."""
    if not units:
        return
    allowed = sorted({r for u in units for r in u.reviewers})
    names = ", ".join(u.id for u in units[:10]) + (
        messages.MORE_UNITS.format(count=len(units) - 10) if len(units) > 10 else ""
    )
    allowed_text = messages.listed(allowed, messages.NOT_DECLARED)
    if not reviewer:
        out.say(INFO_SHEET, *REVIEWER_CELL, messages.WORKBOOK_REVIEWER_MISSING, allowed=allowed_text)
        return
    out.say(
        INFO_SHEET,
        *REVIEWER_CELL,
        messages.WORKBOOK_REVIEWER_REFUSED,
        account=reviewer,
        units=names,
        allowed=allowed_text,
    )


# ---------------------------------------------------------------- into the dataset


def workbook_files(root, period: str, body: str) -> list:
    folder = root.submissions / period / body
    try:  # names first: a body folder holds a folder and a file or two per unit
        names = [e.name for e in os.scandir(folder) if e.name.lower().endswith(".xlsx") and e.is_file()]
    except OSError:  # not a folder
        return []
    canonical = file_name(period, body)  # the name the site gives: in force when there are several
    return [folder / name for name in sorted(names, key=lambda name: (name != canonical, name))]


def apply_all(root, dataset: Dataset) -> tuple[list[Problem], int]:
    """Read every body's workbook into `dataset.reviews`; (problems, files read)."""
    problems: list[Problem] = []
    count = 0
    if not root.submissions.is_dir():
        return problems, count
    for period_dir in sorted(p for p in root.submissions.iterdir() if p.is_dir() and p.name in dataset.periods):
        for body_dir in sorted(p for p in period_dir.iterdir() if p.is_dir() and not p.is_symlink()):
            files = workbook_files(root, period_dir.name, body_dir.name)
            for extra in files[1:]:
                problems.append(_second_workbook(root.rel(extra), files, period_dir.name, body_dir.name))
            if not files:
                continue
            count += 1
            file = files[0]
            if file.is_symlink():
                problems.append(messages.NOT_REGULAR_FILE.at(root.rel(file)))
                continue
            parsed, found = read(file.read_bytes(), root.rel(file), dataset)
            problems += found
            if parsed is not None and not any(p.is_error for p in problems if p.path == parsed.path):
                merge(dataset, parsed)
    return problems, count


def _second_workbook(rel: str, files: list, period: str, body: str) -> Problem:
    """A body keeps one workbook per year: the first (by name) is read, the others refused."""
    return messages.WORKBOOK_SECOND.at(
        rel,
        count=len(files),
        names=", ".join(f.name for f in files[:5]),
        keep=files[0].name,
        suggested=file_name(period, body),
    )


def merge(dataset: Dataset, parsed: ParsedWorkbook) -> None:
    """Workbook scores replace the `.review.yaml` scores of the same criteria, unit by unit."""
    for unit_id, entries in parsed.entries.items():
        before = dataset.reviews.get((parsed.period, unit_id))
        merged = dict(before.entries) if before else {}
        merged.update(entries)
        dataset.reviews[(parsed.period, unit_id)] = Review(
            unit_id, parsed.period, parsed.path, parsed.reviewer, parsed.date, merged
        )


def check_paths(root, rels: list[str]) -> tuple[list[Problem], int]:
    """Check changed workbooks (a pull request's): loads the registry, the period and the body's
    own submissions and reviewer files, nothing else."""
    from site_builder.catalogues import load_period
    from site_builder.paths import classify, unit_paths
    from site_builder.registry import load_organization, load_registry
    from site_builder.submissions import check_unit_file

    existing = [rel for rel in dict.fromkeys(rels) if (root.path / rel).is_file()]
    if not existing:
        return [], 0
    organization, _ = load_organization(root)
    if organization is None:
        return [], 0
    registry, _ = load_registry(root, organization)
    problems, count = [], 0
    for rel in existing:
        parts = PurePosixPath(rel).parts
        period_id, body = parts[1], parts[2]
        period, _ = load_period(root, period_id)
        dataset = Dataset(registry, {period_id: period} if period else {})
        for unit in registry.period(period_id).children(body):
            for kind_rel in unit_paths(period_id, body, unit.id):
                if (root.path / kind_rel).is_file() and period is not None:
                    role = classify(kind_rel)
                    record, _found = check_unit_file(root, registry, {period_id: period}, role, kind_rel)
                    if record is not None:
                        (dataset.submissions if role.kind == "submission" else dataset.reviews)[
                            (period_id, unit.id)
                        ] = record
        files = workbook_files(root, period_id, body)
        if len(files) > 1:
            problems.append(_second_workbook(rel, files, period_id, body))
        _parsed, found = read((root.path / rel).read_bytes(), rel, dataset)
        problems += found
        count += 1
    return problems, count
