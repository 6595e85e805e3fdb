"""The data rows of the year's XLSX download, rendered once per unit and spliced into the sheets.

xlsxwriter writes the workbook: its sheets, header rows, column widths and formats, frozen panes,
autofilters, styles and properties. Its per-cell calls cost about 10 µs a cell, and a national year
has ~550,000 cells: after one unit changed, every cell would be paid again. So each unit's cells
are rendered here once, as SpreadsheetML, and kept with its other download rows
(downloads.UnitRows); the rows are then put into the sheets xlsxwriter wrote, after their header
row, and each sheet's <dimension> is widened to them.

A cell is what xlsxwriter writes in constant-memory mode: an inline string (control characters as
_xHHHH_, XML-escaped, whitespace kept), a number (%.16G) or a date (serial day number with the
workbook's date style). Two placeholders stand for what is known only when the rows are placed:
ROW (the row number) and STYLE (the date style's index); neither can occur in the escaped text.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile

ROW = "\x00"
STYLE = "\x01"
MAX_TEXT = 32767  # characters of one cell (Excel's limit; xlsxwriter cuts there too)
_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, past its 1900-02-29
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # literal text that looks like an escape keeps its underscore
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def column_letters(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cells(values) -> tuple[str, tuple[int, ...]]:
    """The cells of one row, as (column, kind, value) with kind "n" number, "s" text, "d" date
    (datetime at midnight): their XML with the ROW and STYLE placeholders, and the columns that
    hold dates (they get the date format)."""
    parts, dates = [], []
    for col, kind, value in values:
        ref = f'<c r="{column_letters(col)}{ROW}"'
        if kind == "n":
            if isinstance(value, float) and not math.isfinite(value):
                continue
            parts.append(f"{ref}><v>{value:.16G}</v></c>")
        elif kind == "d":
            parts.append(f'{ref} s="{STYLE}"><v>{_serial(value):.16G}</v></c>')
            dates.append(col)
        else:
            parts.append(f"{ref}{_inline(str(value)[:MAX_TEXT])}")
    return "".join(parts), tuple(dates)


def _serial(moment: dt.datetime) -> float:
    delta = moment - _EPOCH
    return delta.days + delta.seconds / 86400


def _inline(text: str) -> str:
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", _ESCAPED.sub(r"_x005F\1", text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def splice(book: bytes, sheets: list[list[str]], last_cols: list[int], date_style: int | None) -> bytes:
    """The workbook `book` (xlsxwriter's, each sheet holding its header row only) with the rows of
    `sheets` (per sheet, in order: each row's cells from `cells`) after each header row. A sheet
    is streamed into the archive row by row: a national sheet is ~100 MB of XML."""
    style = str(date_style) if date_style is not None else "0"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if not found or int(found.group(1)) > len(sheets):
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            index = int(found.group(1)) - 1
            head, tail = _around_rows(data.decode("utf-8"), len(sheets[index]), last_cols[index])
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w") as sheet:  # a national sheet is ~100 MB: far from zip64
                sheet.write(head.encode("utf-8"))
                for number, row in enumerate(sheets[index], start=2):
                    placed = row.replace(ROW, str(number)).replace(STYLE, style)
                    sheet.write(f'<row r="{number}">{placed}</row>'.encode())
                sheet.write(tail.encode("utf-8"))
    return out.getvalue()


def _around_rows(sheet: str, rows: int, last_col: int) -> tuple[str, str]:
    """The sheet's XML before and after where its data rows go (after the header row), its
    <dimension> widened to them."""
    end = f"{column_letters(last_col)}{rows + 1}"
    sheet = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{end}"/>', sheet, count=1)
    head, tail = sheet.split("</sheetData>", 1)
    return head, "</sheetData>" + tail
