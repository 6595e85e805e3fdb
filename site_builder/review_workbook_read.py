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
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from site_builder import evidence, messages
from site_builder.model import LINK_KINDS, Dataset, ReviewEntry, Review, Unit
from site_builder.problems import Problem
from site_builder.review_workbook import (COLUMN, DATE_CELL, FORMAT_ID, INFO_SHEET, META_SHEET, REVIEWER_CELL,
                                          TEMPLATE_VERSION, cell_name, checksum, file_name, row_line)

MAX_BYTES = 5_000_000
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
    cells: dict[tuple[str, str], str] = field(default_factory=dict)           # (unit, criterion) -> "Trang …, ô F12"


def is_workbook_path(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return (len(parts) == 4 and parts[0] == "submissions" and parts[1] not in ("units", "keys")
            and parts[3].lower().endswith(".xlsx"))


def where(sheet: str, row: int, column: int) -> str:
    return f"trang «{sheet}», ô {cell_name(row, column)}"


class _Collector:
    def __init__(self, rel: str):
        self.rel = rel
        self.items: list[Problem] = []

    def error(self, sheet: str | None, row: int, column: int, message: str, fix: str, code: str,
              severity: str = "error") -> None:
        subject = where(sheet, row, column) if sheet else "bảng chấm"
        line, col = (row + 1, column + 1) if sheet else (1, 1)
        self.items.append(Problem(self.rel, line, col, subject, message, fix, code, severity))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.items)


# ---------------------------------------------------------------- opening the file

def _open(data: bytes, out: _Collector):
    if len(data) > MAX_BYTES:
        out.error(None, 0, 0, f"tệp lớn {messages.thousands(len(data))} byte, vượt giới hạn "
                  f"{messages.thousands(MAX_BYTES)} byte của bảng chấm.",
                  "Hãy tải bảng chấm mới từ trang công khai và chỉ ghi điểm, nhận xét.", "workbook-too-large")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
                out.error(None, 0, 0, "tệp nén bên trong bảng tính quá lớn.",
                          "Hãy tải bảng chấm mới từ trang công khai.", "workbook-too-large")
                return None
    except zipfile.BadZipFile:
        out.error(None, 0, 0, "tệp không phải bảng tính Excel (.xlsx).",
                  "Hãy lưu bảng chấm bằng Excel hoặc LibreOffice theo định dạng .xlsx (không phải .xls, .csv "
                  "hay .ods) rồi tải lên lại.", "workbook-not-xlsx")
        return None
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same to a reviewer
        out.error(None, 0, 0, "không mở được bảng tính (tệp hỏng hoặc không đúng định dạng .xlsx).",
                  "Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi tải lên lại.", "workbook-unreadable")
        return None


def _meta(book, out: _Collector, period: str, body: str) -> list[list[str]] | None:
    """The scored rows the workbook was made with: [sheet, row, unit, criterion, self]."""
    if META_SHEET not in book.sheetnames:
        out.error(None, 0, 0, "đây không phải bảng chấm do trang công khai tạo (thiếu trang thông tin ẩn).",
                  "Hãy tải bảng chấm của đơn vị quản lý từ trang công khai, ghi điểm vào đó.", "workbook-foreign")
        return None
    sheet = book[META_SHEET]
    pairs, lines = {}, []
    for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if key == "row":
            lines.append(str(value or ""))
        elif isinstance(key, str):
            pairs[key] = "" if value is None else str(value)
    if pairs.get("format") != FORMAT_ID:
        out.error(None, 0, 0, "đây không phải bảng chấm do trang công khai tạo.",
                  "Hãy tải bảng chấm của đơn vị quản lý từ trang công khai.", "workbook-foreign")
        return None
    if pairs.get("version") != str(TEMPLATE_VERSION):
        out.error(None, 0, 0, f"bảng chấm theo mẫu phiên bản {pairs.get('version') or '?'}, đã cũ "
                  f"(mẫu hiện hành: phiên bản {TEMPLATE_VERSION}).",
                  "Hãy tải bảng chấm mới từ trang công khai và chép điểm, nhận xét sang.", "workbook-old-version")
        return None
    if (pairs.get("period"), pairs.get("body")) != (period, body):
        out.error(None, 0, 0, f"bảng chấm này của «{pairs.get('body')}», năm học {pairs.get('period')}, không phải "
                  f"của thư mục submissions/{period}/{body}/ nơi tệp được tải lên.",
                  f"Hãy tải bảng chấm vào thư mục submissions/{pairs.get('period')}/{pairs.get('body')}/, hoặc tải "
                  f"bảng chấm của «{body}» từ trang công khai.", "workbook-other-body")
        return None
    if checksum(lines) != pairs.get("checksum") or str(len(lines)) != pairs.get("rows"):
        out.error(None, 0, 0, "trang thông tin ẩn của bảng chấm đã bị sửa nên không đối chiếu được điểm tự chấm.",
                  "Hãy tải bảng chấm mới từ trang công khai.", "workbook-tampered")
        return None
    rows = [line.split("\t") for line in lines]
    if any(len(r) != 5 or not r[1].isdigit() for r in rows):
        out.error(None, 0, 0, "trang thông tin ẩn của bảng chấm không đọc được.",
                  "Hãy tải bảng chấm mới từ trang công khai.", "workbook-tampered")
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
    maximum = messages.number(item.max)
    if _formula(cell):
        out.error(sheet, row, column, "ô chứa công thức, không phải một số.",
                  f"Hãy nhập trực tiếp một số từ 0 đến {maximum}.", "workbook-formula")
        return False
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)) or not isinstance(value, (int, float)):
        shown = _text(value)
        hint = (f" Nếu là số thập phân, hãy dùng đúng dấu thập phân của máy (ví dụ {shown.replace(',', '.')})."
                if re.fullmatch(r"\d+,\d+", shown) else "")
        out.error(sheet, row, column, f"điểm chấm «{shown[:40]}» là chữ, không phải một số.",
                  f"Hãy nhập một số từ 0 đến {maximum}.{hint}", "workbook-text")
        return False
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        out.error(sheet, row, column, "điểm chấm không phải số hợp lệ.", f"Hãy nhập một số từ 0 đến {maximum}.",
                  "workbook-not-number")
        return False
    shown = messages.number(value)
    if value < 0:
        out.error(sheet, row, column, f"điểm chấm {shown} nhỏ hơn 0.", f"Hãy nhập một số từ 0 đến {maximum}.",
                  "workbook-negative")
        return False
    if value > item.max + 1e-9:
        out.error(sheet, row, column, f"điểm chấm {shown} lớn hơn tối đa {maximum}.",
                  f"Hãy nhập một số từ 0 đến {maximum}.", "workbook-above-max")
        return False
    if not math.isclose(round(value / step) * step, value, abs_tol=1e-9):
        lower = math.floor(value / step) * step
        out.error(sheet, row, column, f"điểm chấm {shown} không đúng bước chấm {messages.number(step)}.",
                  f"Hãy nhập {messages.number(lower)} hoặc {messages.number(lower + step)}.", "workbook-step")
        return False
    return round(value / step) * step


def _reviewer(book, out: _Collector) -> str:
    cell = book[INFO_SHEET].cell(REVIEWER_CELL[0] + 1, REVIEWER_CELL[1] + 1) if INFO_SHEET in book.sheetnames else None
    value = _text(cell.value if cell is not None else None).lstrip("@")
    if cell is not None and value and (_formula(cell) or not HANDLE.match(value)):
        out.error(INFO_SHEET, *REVIEWER_CELL, f"«{value[:60]}» không phải tài khoản GitHub.",
                  "Hãy ghi tài khoản GitHub của bạn, ví dụ pgd-q1-reviewer (không dấu cách).", "workbook-reviewer")
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
        out.error(INFO_SHEET, *DATE_CELL, f"«{text[:40]}» không phải một ngày.",
                  "Hãy nhập ngày chấm, ví dụ 12/06/2024.", "workbook-date")
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
    period = dataset.periods.get(period_id)
    registry = dataset.registry.period(period_id)
    parsed = ParsedWorkbook(rel, period_id, body, _reviewer(book, out), _date(book, out))
    known: set[tuple[str, int]] = set()
    stale: dict[str, list[str]] = {}
    refused: dict[str, Unit] = {}   # units whose scores the named reviewer may not give
    for sheet_name, row_text, unit_id, criterion, self_text in rows:
        row = int(row_text) - 1
        known.add((sheet_name, row))
        if sheet_name not in book.sheetnames:
            out.error(None, 0, 0, f"thiếu trang «{sheet_name}» (đã bị xoá hoặc đổi tên).",
                      "Hãy giữ nguyên tên các trang; tải bảng chấm mới nếu cần.", "workbook-sheet-missing")
            continue
        sheet = book[sheet_name]
        if not _locked_cells_intact(sheet, row, sheet_name, unit_id, criterion, self_text, out):
            continue
        unit = registry.units.get(unit_id)
        if unit is None or unit.parent != body:
            out.error(sheet_name, row, COLUMN["unit"],
                      f"đơn vị «{unit_id}» không thuộc «{body}» trong danh sách năm học {period_id}.",
                      "Hãy tải bảng chấm mới từ trang công khai (danh sách đơn vị đã thay đổi).", "workbook-unit-other")
            continue
        catalogue = period.catalogues.get(unit.type) if period else None
        item = catalogue.items.get(criterion) if catalogue else None
        if catalogue is None or item is None or item.derived:
            out.error(sheet_name, row, COLUMN["criterion"], f"tiêu chí {criterion} không có trong bộ tiêu chí hiện hành.",
                      "Hãy tải bảng chấm mới từ trang công khai.", "workbook-criterion")
            continue
        score = _score(sheet.cell(row + 1, COLUMN["score"] + 1), sheet_name, row, item, catalogue.score_step, out)
        comment_cell = sheet.cell(row + 1, COLUMN["comment"] + 1)
        comment = _text(comment_cell.value)
        if _formula(comment_cell):
            out.error(sheet_name, row, COLUMN["comment"], "ô nhận xét chứa công thức.", "Hãy ghi nhận xét bằng chữ.",
                      "workbook-formula")
            continue
        if score is False:
            continue
        submission = dataset.submissions.get((period_id, unit_id))
        entry = submission.entries.get(criterion) if submission else None
        current_self = entry.score if entry else (0.0 if submission else None)
        if current_self is not None and not math.isclose(current_self, float(self_text)):
            stale.setdefault(unit_id, []).append(f"{criterion}: {self_text} → {messages.number(current_self)}")
        if score is None:
            if comment:
                out.error(sheet_name, row, COLUMN["score"], "có nhận xét nhưng chưa có điểm chấm.",
                          f"Hãy nhập điểm chấm (có thể bằng điểm tự chấm {self_text}), hoặc xoá nhận xét.",
                          "workbook-comment-only")
            continue
        if submission is None:
            out.error(sheet_name, row, COLUMN["score"], f"đơn vị «{unit_id}» chưa có bài tự đánh giá nên chưa thể chấm.",
                      "Hãy để trống các ô điểm chấm của đơn vị này.", "workbook-no-submission")
            continue
        if score > 0 and item.evidence and item.evidence.required and not _has_evidence(item, entry):
            message, fix = messages.review_points_without_evidence(
                " hoặc ".join(messages.EVIDENCE_KIND_LABELS[k] for k in item.evidence.kinds))
            out.error(sheet_name, row, COLUMN["score"], message, fix, "workbook-evidence-required")
            continue
        if parsed.reviewer.lower() not in {r.lower() for r in unit.reviewers}:
            refused.setdefault(unit.id, unit)
            continue
        parsed.entries.setdefault(unit_id, {})[criterion] = ReviewEntry(criterion, score, comment)
        parsed.cells[(unit_id, criterion)] = where(sheet_name, row, COLUMN["score"])
    _extra_rows(book, rows, known, out)
    _reviewer_refused(parsed.reviewer, list(refused.values()), out)
    if parsed.entries and not parsed.date:
        out.error(INFO_SHEET, *DATE_CELL, "chưa ghi ngày chấm.", "Hãy nhập ngày chấm, ví dụ 12/06/2024.",
                  "workbook-date")
    for unit_id, changes in stale.items():
        out.error(None, 0, 0, f"đơn vị «{unit_id}» đã sửa điểm tự chấm sau khi bảng chấm được tạo ("
                  f"{'; '.join(changes[:10])}).",
                  "Hãy xem lại bài của đơn vị; nên tải bảng chấm mới để chấm theo bài hiện tại.",
                  "workbook-stale", severity="warning")
    if out.failed:
        return None, out.items
    return parsed, out.items


def _locked_cells_intact(sheet, row, sheet_name, unit_id, criterion, self_text, out: _Collector) -> bool:
    expected = (("unit", unit_id), ("criterion", criterion))
    for key, value in expected:
        found = _text(sheet.cell(row + 1, COLUMN[key] + 1).value)
        if found != value:
            out.error(sheet_name, row, COLUMN[key], f"ô đã bị sửa («{found[:40]}», bảng chấm gốc ghi «{value}»).",
                      "Không thêm, xoá hay đổi thứ tự dòng; hãy tải bảng chấm mới nếu cần.", "workbook-locked-changed")
            return False
    cell = sheet.cell(row + 1, COLUMN["self"] + 1)
    value = cell.value
    same = (isinstance(value, (int, float)) and not isinstance(value, bool) and not _formula(cell)
            and math.isclose(float(value), float(self_text)))
    if not same:
        out.error(sheet_name, row, COLUMN["self"], f"điểm tự chấm đã bị sửa («{_text(value)[:40]}», bài của đơn vị "
                  f"ghi {self_text}).", "Điểm tự chấm do đơn vị ghi, người chấm không sửa; hãy trả lại giá trị cũ "
                  "hoặc tải bảng chấm mới.", "workbook-self-changed")
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
                    out.error(sheet_name, row, COLUMN[key], "dòng này không có trong bảng chấm gốc.",
                              "Hãy ghi điểm vào đúng dòng của đơn vị và tiêu chí; không thêm dòng.", "workbook-extra-row")
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
    names = ", ".join(u.id for u in units[:10]) + (f" và {len(units) - 10} đơn vị khác" if len(units) > 10 else "")
    if not reviewer:
        out.error(INFO_SHEET, *REVIEWER_CELL, "chưa ghi tài khoản GitHub của người chấm.",
                  f"Người chấm được phép: {', '.join(allowed) or '(chưa khai báo)'}.", "workbook-reviewer")
        return
    out.error(INFO_SHEET, *REVIEWER_CELL, f"«{reviewer}» không phải người chấm của đơn vị {names}.",
              f"Người chấm được phép: {', '.join(allowed) or '(chưa khai báo)'}.", "workbook-reviewer")


# ---------------------------------------------------------------- into the dataset

def workbook_files(root, period: str, body: str) -> list:
    folder = root.submissions / period / body
    if not folder.is_dir():
        return []
    canonical = file_name(period, body)  # the name the site gives: in force when there are several
    return sorted((p for p in folder.glob("*") if p.is_file() and p.name.lower().endswith(".xlsx")),
                  key=lambda p: (p.name != canonical, p.name))


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
                problems.append(Problem(root.rel(extra), 1, 1, "bảng chấm",
                                        f"thư mục đã có bảng chấm {files[0].name}; mỗi đơn vị quản lý chỉ giữ một "
                                        "bảng chấm mỗi năm học.",
                                        f"Hãy tải lên với đúng tên {files[0].name} để thay thế bảng cũ "
                                        f"(tên gợi ý: {file_name(period_dir.name, body_dir.name)}).",
                                        "workbook-second"))
            if not files:
                continue
            count += 1
            file = files[0]
            if file.is_symlink():
                problems.append(Problem(root.rel(file), 1, 1, "bảng chấm", "tệp là liên kết (symlink).",
                                        "Hãy tải lên chính tệp.", "not-regular-file"))
                continue
            parsed, found = read(file.read_bytes(), root.rel(file), dataset)
            problems += found
            if parsed is not None and not any(p.is_error for p in problems if p.path == parsed.path):
                merge(dataset, parsed)
    return problems, count


def merge(dataset: Dataset, parsed: ParsedWorkbook) -> None:
    """Workbook scores replace the `.review.yaml` scores of the same criteria, unit by unit."""
    for unit_id, entries in parsed.entries.items():
        before = dataset.reviews.get((parsed.period, unit_id))
        merged = dict(before.entries) if before else {}
        merged.update(entries)
        dataset.reviews[(parsed.period, unit_id)] = Review(unit_id, parsed.period, parsed.path, parsed.reviewer,
                                                           parsed.date, merged)


def check_paths(root, rels: list[str]) -> tuple[list[Problem], int]:
    """Check changed workbooks (a pull request's): loads the registry, the period and the body's
    own submissions and reviewer files, nothing else."""
    from site_builder.catalogues import load_period
    from site_builder.registry import load_organization, load_registry
    from site_builder.validate import _check_one
    from site_builder.paths import classify

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
            for kind_rel in (f"submissions/{period_id}/{body}/{unit.id}.yaml",
                             f"submissions/{period_id}/{body}/{unit.id}.review.yaml"):
                if (root.path / kind_rel).is_file() and period is not None:
                    role = classify(kind_rel)
                    record, _found = _check_one(root, registry, {period_id: period}, role, kind_rel)
                    if record is not None:
                        (dataset.submissions if role.kind == "submission" else dataset.reviews)[(period_id, unit.id)] = record
        files = workbook_files(root, period_id, body)
        if len(files) > 1:
            problems.append(Problem(rel, 1, 1, "bảng chấm",
                                    f"thư mục đã có {len(files)} bảng chấm ({', '.join(f.name for f in files[:5])}); mỗi "
                                    "đơn vị quản lý chỉ giữ một bảng chấm mỗi năm học.",
                                    "Hãy tải lên với đúng tên tệp bảng chấm cũ để thay thế nó.", "workbook-second"))
        _parsed, found = read((root.path / rel).read_bytes(), rel, dataset)
        problems += found
        count += 1
    return problems, count
