"""The scoring workbook of one reviewing body and period (XLSX), as reviewers fill it in Excel.

Reviewers score 20–60 units a year in Excel, without Python or a terminal. The workbook lists
every criterion of every unit of the body that has submitted (one row per unit × criterion, one
sheet per unit type) with the maximum, the self-score, the evidence and the unit's note; only
two columns are editable: "Điểm chấm" and "Nhận xét" (plus the reviewer's handle and the date on
the first sheet). Everything else is locked (sheet protection without a password: it prevents
slips, not intent; the reader re-checks every locked cell against the hidden metadata sheet).

The hidden sheet `_thong_tin` identifies the workbook: format, template version, period, body,
the data commit it was made from, one line per scored row (sheet, row, unit, criterion,
self-score) and a SHA-256 checksum of those lines. `review_workbook_read` reads the filled
workbook back with these constants; change the layout only together with TEMPLATE_VERSION.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import math
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import quote

from site_builder import xlsx_rows
from site_builder.model import Dataset, Period, Unit
from site_builder.numbers import as_typed
from site_builder.unit_types import label as type_label
from site_builder.unit_types import order as type_order

FORMAT_ID = "danh-gia-cntt/bang-cham"
TEMPLATE_VERSION = 1
META_SHEET = "_thong_tin"
INFO_SHEET = "Hướng dẫn"
REVIEWER_CELL: tuple[int, int] = (4, 1)  # B5: the reviewer's GitHub handle
DATE_CELL = (5, 1)  # B6: the review date
BODY_CELL = (2, 1)  # B3: the body (shown; the metadata sheet is what counts)

# (key, header, width) in column order; SCORE and COMMENT are the only editable columns.
COLUMNS = (
    ("unit", "Mã đơn vị", 22),
    ("name", "Tên đơn vị", 30),
    ("criterion", "Tiêu chí", 8),
    ("max", "Tối đa", 7),
    ("self", "Tự chấm", 8),
    ("score", "Điểm chấm", 10),
    ("comment", "Nhận xét", 36),
    ("text", "Nội dung tiêu chí", 60),
    ("evidence", "Minh chứng của đơn vị", 45),
    ("note", "Ghi chú của đơn vị", 30),
)
COLUMN = {key: index for index, (key, _header, _width) in enumerate(COLUMNS)}
HEADER_ROW = 0  # data starts on the next row (row 2 in Excel)


def letter(column: int) -> str:
    return xlsx_rows.column_letters(column)


def cell_name(row: int, column: int) -> str:
    """0-based (row, column) -> "F12"."""
    return f"{letter(column)}{row + 1}"


class Row(NamedTuple):
    """One scored row (a tuple: a national year has ~270,000 of them)."""

    sheet: str
    row: int  # 0-based worksheet row
    unit: Unit
    criterion: str
    max: float
    self_score: float
    text: str
    evidence: tuple[str, ...]
    note: str
    score: float | None
    comment: str


def file_name(period: str, body: str) -> str:
    """The name the site gives the download (and the name to upload it back under)."""
    return f"cham-diem-{period}-{body}.xlsx"


def bodies_with_submissions(dataset: Dataset, period: str) -> list[str]:
    """Reviewing bodies of the period that have at least one unit that has submitted."""
    return list(submitted_by_body(dataset, period))


def submitted_by_body(dataset: Dataset, period: str) -> dict[str, list[Unit]]:
    """Body -> its units that have submitted, in registry order, bodies in registry order; one
    pass over the registry (asking each body for its children costs bodies × units)."""
    registry = dataset.registry.period(period)
    children: dict[str, list[Unit]] = {}
    for unit in registry.units.values():
        if (period, unit.id) in dataset.submissions:
            children.setdefault(unit.parent, []).append(unit)
    return {body: children[body] for body in registry.bodies if body in children}


def workbook_units(dataset: Dataset, period: Period, body: str, submitted: list[Unit] | None) -> list[Unit]:
    """The units a body's workbook lists: submitted, of a type the period has a catalogue for."""
    if submitted is None:
        submitted = submitted_by_body(dataset, period.id).get(body, [])
    return [u for u in submitted if u.type in period.catalogues]


def rows_of(
    dataset: Dataset,
    period: Period,
    body: str,
    repository: str = "",
    branch: str = "main",
    submitted: list[Unit] | None = None,
) -> dict[str, list[Row]]:
    """Sheet name -> rows, units in registry order, sheets in unit-type order. `submitted`: the
    body's submitted units when the caller has them (submitted_by_body)."""
    units = workbook_units(dataset, period, body, submitted)
    sheets: dict[str, list[Row]] = {}
    blob = f"{repository.rstrip('/')}/blob/{quote(branch)}/" if repository else ""
    for unit_type in sorted({u.type for u in units}, key=type_order):
        sheet = type_label(unit_type)[:31]
        items = [(item.id, item.max, " ".join(item.text.split())) for item in scored(period.catalogues[unit_type])]
        rows = sheets.setdefault(sheet, [])
        for unit in (u for u in units if u.type == unit_type):
            submission = dataset.submissions[(period.id, unit.id)]
            review = dataset.reviews.get((period.id, unit.id))
            folder = f"{blob}{quote(submission.evidence_dir())}/" if blob else ""
            for item_id, maximum, text in items:
                entry = submission.entries.get(item_id)
                reviewed = review.entries.get(item_id) if review else None
                evidence = tuple(_evidence_link(ref, folder) for ref in entry.evidence) if entry else ()
                rows.append(
                    Row(
                        sheet,
                        HEADER_ROW + 1 + len(rows),
                        unit,
                        item_id,
                        maximum,
                        entry.score if entry else 0.0,
                        text,
                        evidence,
                        entry.note if entry else "",
                        reviewed.score if reviewed else None,
                        reviewed.comment if reviewed else "",
                    )
                )
    return sheets


def scored(catalogue) -> list:
    """The criteria a reviewer scores (derived ones are computed, not scored)."""
    return [item for item in catalogue.items.values() if not item.derived]


def created_stamp(created: dt.datetime | None) -> dt.datetime:
    """The creation date written into the file (no time zone: the format has none)."""
    return (created or dt.datetime(2000, 1, 1)).replace(tzinfo=None)


def _evidence_link(ref: str, folder: str) -> str:
    """A file's address under `folder` (the unit's evidence folder on the repository's host,
    quoted; "" without a repository: the reference as written), a link as it is."""
    if ref.startswith(("http://", "https://")) or not folder:
        return ref
    return folder + quote(ref)


def row_line(sheet: str, row: int, unit: str, criterion: str, self_score: float) -> str:
    return f"{sheet}\t{row + 1}\t{unit}\t{criterion}\t{as_typed(float(self_score))}"


def checksum(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def make_workbook(
    dataset: Dataset,
    period_id: str,
    body: str,
    *,
    made_from: str = "",
    created: dt.datetime | None = None,
    submitted: list[Unit] | None = None,
) -> bytes:
    """The XLSX bytes; `created` fixes the file's creation date (reproducible builds). What they
    depend on is what review_workbook_inputs.digest digests: read something new here, add it there."""
    import xlsxwriter

    period = dataset.periods[period_id]
    org = dataset.registry.organization
    registry = dataset.registry.period(period_id)
    sheets = rows_of(dataset, period, body, org.repository, org.branch or "main", submitted)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    book.set_properties(
        {
            "title": f"Bảng chấm điểm {registry.body_name(body)} — {period.title}",
            "created": created_stamp(created),
        }
    )
    styles = _styles(book)
    _info_sheet(book, styles, period, registry.body_name(body), body, registry, sheets)
    lines = []
    for sheet_name, rows in sheets.items():
        step = period.catalogues[rows[0].unit.type].score_step if rows else 0.5
        _score_sheet(book, styles, sheet_name, rows, step)
        lines += [row_line(r.sheet, r.row, r.unit.id, r.criterion, r.self_score) for r in rows]
    _meta_sheet(book, period_id, body, made_from, lines)
    book.close()
    # Worksheets are numbered as added: the instructions 1, a sheet per unit type from 2, metadata last.
    appended = {
        number: (_later_rows(rows, styles), f"A1:{letter(len(COLUMNS) - 1)}{rows[-1].row + 1}")
        for number, rows in enumerate(sheets.values(), start=2)
        if len(rows) > 1
    }
    appended[len(sheets) + 2] = (_meta_rows(lines), f"A1:B{len(META_KEYS) + len(lines)}")
    return xlsx_rows.append_rows(buffer.getvalue(), appended, level=xlsx_rows.FAST_LEVEL)


META_KEYS = ("format", "version", "period", "body", "made_from", "checksum", "rows")


def _meta_sheet(book, period_id: str, body: str, made_from: str, lines: list[str]) -> None:
    """The hidden sheet that identifies the workbook: META_KEYS, then a "row" line per scored row
    (`_meta_rows`, appended once the workbook is closed)."""
    meta = book.add_worksheet(META_SHEET)
    values = (FORMAT_ID, str(TEMPLATE_VERSION), period_id, body, made_from, checksum(lines), str(len(lines)))
    for index, (key, value) in enumerate(zip(META_KEYS, values, strict=True)):
        meta.write_string(index, 0, key)
        meta.write_string(index, 1, value)
    meta.protect("")
    meta.very_hidden()


def _meta_rows(lines: list[str]) -> Iterator[str]:
    label = xlsx_rows.string_cell(f"A{xlsx_rows.ROW}", "row")
    for n, line in enumerate(lines, start=len(META_KEYS) + 1):
        yield f'<row r="{n}" spans="1:2">{label.replace(xlsx_rows.ROW, str(n))}{xlsx_rows.string_cell(f"B{n}", line, repeated=False)}</row>'


def _styles(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True}),
        "header": book.add_format(
            {
                "bold": True,
                "bg_color": "#3949AB",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        ),
        "locked": book.add_format({"text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F2F2F2"}),
        "number": book.add_format({"valign": "top", "border": 1, "bg_color": "#F2F2F2"}),
        "score": book.add_format({"locked": False, "valign": "top", "border": 2, "bg_color": "#FFF8C5"}),
        "comment": book.add_format(
            {"locked": False, "text_wrap": True, "valign": "top", "border": 2, "bg_color": "#FFF8C5"}
        ),
        "input": book.add_format({"locked": False, "border": 2, "bg_color": "#FFF8C5"}),
        "date": book.add_format({"locked": False, "border": 2, "bg_color": "#FFF8C5", "num_format": "dd/mm/yyyy"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


INSTRUCTIONS = (
    "Cách dùng:",
    "1. Ghi tài khoản GitHub của bạn vào ô B5 và ngày chấm vào ô B6.",
    "2. Ở mỗi trang theo loại đơn vị, ghi điểm vào cột «Điểm chấm» (từ 0 đến điểm tối đa, đúng bước chấm) "
    "và nhận xét vào cột «Nhận xét». Ô để trống: giữ điểm tự chấm (hoặc điểm chấm đã ghi trước đó trong tệp "
    ".review.yaml).",
    "3. Chỉ hai cột có nền vàng được sửa; các cột khác bị khoá để không sửa nhầm. Không thêm, xoá hay đổi "
    "thứ tự dòng, không đổi tên trang.",
    "4. Lưu tệp (giữ định dạng .xlsx) và tải lên thư mục của đơn vị quản lý trong kho dữ liệu "
    "(«Add file» → «Upload files»), giữ nguyên tên tệp, tạo yêu cầu hợp nhất (pull request).",
    "5. Bình luận kiểm tra tự động báo từng lỗi theo trang và ô, và cho xem trước tổng điểm, xếp loại, "
    "xếp hạng của từng đơn vị cùng các điểm thay đổi.",
)


def _info_sheet(book, styles, period: Period, body_name: str, body: str, registry, sheets) -> None:
    sheet = book.add_worksheet(INFO_SHEET)
    sheet.activate()
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 90)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    sheet.write_string(0, 0, "Bảng chấm điểm ứng dụng CNTT", styles["title"])
    sheet.write_string(BODY_CELL[0], 0, "Đơn vị quản lý", styles["label"])
    sheet.write_string(BODY_CELL[0], 1, f"{body_name} ({body})")
    sheet.write_string(3, 0, "Năm học", styles["label"])
    sheet.write_string(3, 1, period.title)
    reviewers = list(registry.bodies[body].reviewers) if body in registry.bodies else []
    sheet.write_string(REVIEWER_CELL[0], 0, "Người chấm (tài khoản GitHub)", styles["label"])
    if len(reviewers) == 1:
        sheet.write_string(*REVIEWER_CELL, reviewers[0], styles["input"])
    else:
        sheet.write_blank(*REVIEWER_CELL, None, styles["input"])
    if reviewers:
        sheet.data_validation(
            *REVIEWER_CELL,
            *REVIEWER_CELL,
            {
                "validate": "list",
                "source": list(reviewers)[:20],
                "ignore_blank": True,
                "error_type": "warning",
                "error_title": "Người chấm",
                "error_message": "Tài khoản này không có trong danh sách người chấm.",
            },
        )
    sheet.write_string(DATE_CELL[0], 0, "Ngày chấm (ngày/tháng/năm)", styles["label"])
    sheet.write_blank(*DATE_CELL, None, styles["date"])
    sheet.data_validation(
        *DATE_CELL,
        *DATE_CELL,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2100, 12, 31),
            "error_title": "Ngày chấm",
            "error_message": "Hãy nhập một ngày, ví dụ 12/06/2024.",
        },
    )
    row = 7
    for line in INSTRUCTIONS:
        sheet.set_row(row, 15.0 * max(1, -(-len(line) // 95)))
        sheet.write_string(
            row, 0 if line.endswith(":") else 1, line, styles["label"] if line.endswith(":") else styles["wrap"]
        )
        row += 1
    row += 1
    sheet.write_string(row, 0, "Các trang", styles["label"])
    for name, rows in sheets.items():
        units = len({r.unit.id for r in rows})
        sheet.write_string(row, 1, f"{name}: {units} đơn vị, {len(rows)} dòng")
        row += 1
    if not sheets:
        sheet.write_string(row, 1, "Chưa có đơn vị nào nộp bài tự đánh giá.")
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


WIDTHS = {key: width for key, _header, width in COLUMNS}
TEXT_COLUMNS = ("unit", "name", "criterion", "text", "evidence", "note")  # locked texts, in writing order
TEXT_COLUMN_INDEXES = tuple(COLUMN[key] for key in TEXT_COLUMNS)
ROW_HEIGHT = 15.0  # points per line of text; xlsxwriter's default row height
MAX_LINES = 12  # a row grows up to this many lines


@functools.lru_cache(maxsize=1 << 16)
def _lines(width: int, text: str) -> int:
    """Lines `text` wraps to in a column of `width` characters, for the row's height (criterion
    texts and unit names repeat on every row of a unit or a criterion: computed once each)."""
    if len(text) * 1.1 <= width - 1 and "\n" not in text:
        return 1
    return sum(max(1, math.ceil(len(part) * 1.1 / max(width - 1, 1))) for part in text.split("\n"))


def _texts(r: Row) -> tuple[tuple[str, ...], int]:
    """The row's locked texts (TEXT_COLUMNS) and the lines its tallest cell wraps to."""
    texts = (r.unit.id, r.unit.name, r.criterion, r.text, _evidence_text(r), r.note)
    lines = _lines(WIDTHS["comment"], r.comment) if r.comment else 1
    for key, text in zip(TEXT_COLUMNS, texts, strict=True):
        lines = max(lines, _lines(WIDTHS[key], text))
    return texts, min(lines, MAX_LINES)


def _evidence_text(r: Row) -> str:
    return "\n".join(r.evidence) or "(không có)"


# The columns as _later_rows writes a row's cells: a unit's two, a criterion's two, the row's own
# three, the criterion's text, the row's evidence and note.
assert [key for key, _header, _width in COLUMNS] == [
    *("unit", "name"),
    *("criterion", "max"),
    *("self", "score", "comment"),
    "text",
    *("evidence", "note"),
]


def _later_rows(rows: list[Row], styles: dict) -> Iterator[str]:
    """Every row but the first, as xlsxwriter would have written it (its cells' formats have the
    indices the closed workbook gave them). xlsxwriter's per-cell calls made the scoring
    workbooks 30 CPU-s of a 15,000-unit build. A unit's cells and a criterion's are written once
    each, the row number left as xlsx_rows.ROW; the row's height is the tallest of its texts'."""
    locked, number, score, comment = (styles[k].xf_index for k in ("locked", "number", "score", "comment"))
    at = {key: f"{letter(COLUMN[key])}{xlsx_rows.ROW}" for key in COLUMN}
    unscored, uncommented = xlsx_rows.blank_cell(at["score"], score), xlsx_rows.blank_cell(at["comment"], comment)
    no_note = xlsx_rows.string_cell(at["note"], "", locked)
    criteria: dict[str, tuple[str, str, int]] = {}  # criterion -> its two cells, its text's cell, its lines
    unit, unit_cells, unit_lines = None, "", 1
    for r in rows[1:]:
        if r.unit is not unit:
            unit = r.unit
            unit_cells = xlsx_rows.string_cell(at["unit"], unit.id, locked) + xlsx_rows.string_cell(
                at["name"], unit.name, locked
            )
            unit_lines = max(_lines(WIDTHS["unit"], unit.id), _lines(WIDTHS["name"], unit.name))
        criterion = criteria.get(r.criterion)
        if criterion is None:
            criterion = criteria[r.criterion] = (
                xlsx_rows.string_cell(at["criterion"], r.criterion, locked)
                + xlsx_rows.number_cell(at["max"], r.max, number),
                xlsx_rows.string_cell(at["text"], r.text, locked),
                max(_lines(WIDTHS["criterion"], r.criterion), _lines(WIDTHS["text"], r.text)),
            )
        evidence = _evidence_text(r)
        lines = max(
            unit_lines,
            criterion[2],
            _lines(WIDTHS["evidence"], evidence),
            _lines(WIDTHS["note"], r.note) if r.note else 1,
            _lines(WIDTHS["comment"], r.comment) if r.comment else 1,
        )
        n = str(r.row + 1)
        height = f' ht="{ROW_HEIGHT * min(lines, MAX_LINES):.16g}" customHeight="1"' if lines > 1 else ""
        cells = "".join(
            (
                unit_cells,
                criterion[0],
                xlsx_rows.number_cell(at["self"], r.self_score, number),
                unscored if r.score is None else xlsx_rows.number_cell(at["score"], r.score, score),
                xlsx_rows.string_cell(at["comment"], r.comment, comment) if r.comment else uncommented,
                criterion[1],
                xlsx_rows.string_cell(at["evidence"], evidence, locked, repeated=False),
                xlsx_rows.string_cell(at["note"], r.note, locked) if r.note else no_note,
            )
        )
        yield f'<row r="{n}" spans="1:{len(COLUMNS)}"{height}>{cells.replace(xlsx_rows.ROW, n)}</row>'


def _score_sheet(book, styles, name: str, rows: list[Row], step: float) -> None:
    """The sheet, its header and its first row, written by xlsxwriter: the formats the rows use
    get their indices from it. The other rows are appended once the workbook is closed (`_later_rows`)."""
    sheet = book.add_worksheet(name)
    for index, (_key, header, width) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, index, header, styles["header"])
        sheet.set_column(index, index, width)
    sheet.freeze_panes(HEADER_ROW + 1, COLUMN["criterion"] + 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # every column on the page width
    sheet.repeat_rows(HEADER_ROW)
    for r in rows[:1]:
        texts, lines = _texts(r)
        for column, text in zip(TEXT_COLUMN_INDEXES, texts, strict=True):
            sheet.write_string(r.row, column, text, styles["locked"])
        if lines > 1:
            sheet.set_row(r.row, ROW_HEIGHT * lines)  # spreadsheets do not grow rows a program wrote
        sheet.write_number(r.row, COLUMN["max"], r.max, styles["number"])
        sheet.write_number(r.row, COLUMN["self"], r.self_score, styles["number"])
        if r.score is None:
            sheet.write_blank(r.row, COLUMN["score"], None, styles["score"])
        else:
            sheet.write_number(r.row, COLUMN["score"], r.score, styles["score"])
        if r.comment:
            sheet.write_string(r.row, COLUMN["comment"], r.comment, styles["comment"])
        else:
            sheet.write_blank(r.row, COLUMN["comment"], None, styles["comment"])
    if rows:
        first, last = rows[0].row, rows[-1].row
        score, top = letter(COLUMN["score"]), first + 1
        maximum = f"{letter(COLUMN['max'])}{top}"
        quotient = f"ROUND({score}{top}/{as_typed(step)},6)"
        sheet.data_validation(
            first,
            COLUMN["score"],
            last,
            COLUMN["score"],
            {
                "validate": "custom",
                "value": f"=IF(ISNUMBER({score}{top}),AND({score}{top}>=0,{score}{top}<={maximum},"
                f"{quotient}=INT({quotient})),FALSE())",
                "ignore_blank": True,
                "input_title": "Điểm chấm",
                "input_message": f"Từ 0 đến điểm tối đa (cột {letter(COLUMN['max'])}), bước {as_typed(step)}. "
                "Để trống: giữ điểm tự chấm.",
                "error_title": "Điểm chấm không hợp lệ",
                "error_message": f"Hãy nhập một số từ 0 đến điểm tối đa của tiêu chí, đúng bước chấm {as_typed(step)} "
                f"(ví dụ 2.5), không nhập chữ hay công thức.",
            },
        )
        sheet.autofilter(HEADER_ROW, 0, last, len(COLUMNS) - 1)
    sheet.protect(
        "",
        {
            "autofilter": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
