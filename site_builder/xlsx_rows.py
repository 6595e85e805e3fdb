"""Rows of cells written as SpreadsheetML and spliced into the sheets xlsxwriter wrote: the data
rows of the year's XLSX download, rendered once per unit, and those of the scoring workbooks.

xlsxwriter writes the workbook: its sheets, header rows, column widths and formats, frozen panes,
autofilters, styles and properties. Its per-cell calls cost about 10 µs a cell, and a national year
has ~550,000 cells: after one unit changed, every cell would be paid again. So each unit's cells
are rendered here once, as SpreadsheetML, and kept with its other download rows
(downloads.UnitRows); the rows are then put into the sheets xlsxwriter wrote, after their header
row, and each sheet's <dimension> is widened to them. The scoring workbooks (review_workbook.py)
have their rows made once the workbook is closed, with the style indices it gave their formats,
and appended after the first data row, which xlsxwriter wrote (`append_rows`).

A cell is what xlsxwriter writes in constant-memory mode: an inline string (control characters as
_xHHHH_, XML-escaped, whitespace kept), a number (%.16G) or a date (serial day number with the
workbook's date style). Two placeholders stand for what is known only when the rows are placed:
ROW (the row number) and STYLE (the date style's index); neither can occur in the escaped text.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import math
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from site_builder import deflated_zip

ROW = "\x00"
STYLE = "\x01"
# zlib's fastest level, for the scoring workbooks: at 15,000 units, 2.8 instead of 5.7 ms of
# compression a workbook (601 of them), for files 22 % larger (46 instead of 38 KB). The year's
# XLSX is one file, near the size limit of one output file at national scale (8.6 instead of
# 6.4 MB at 45,000 units at the fastest level); a rebuild deflates again only the runs of rows
# that changed (deflated_zip.py), so it takes zlib's default level. A change moves the ranks of
# units all over a sheet (125 units at 15,000 after one unit's scores changed): smaller runs leave
# more of it as kept, larger ones deflate better. Measured on the 22 MB criteria sheet at 15,000
# units, deflated whole at level 5 (the last choice, for a faster full build): 2.12 MB; in runs
# of 32, 64, 256 rows at level 6: 2.27, 2.16, 2.08 MB (level 5: 2.34, 2.24, 2.15). Splicing the
# rows into the workbook after one change took 0.11, 0.13, 0.23 CPU-s at level 5, 0.16 in runs of
# 64 at level 6, and 0.24 deflated whole; with nothing kept, 0.39 (the whole XLSX: 2.25 MB).
# Since a run is deflated with the end of the run before as its dictionary (deflated_zip.py),
# runs of 16 rows deflate into 2.08 MB (2.46 without): after one change the runs' compression
# took 0.035 CPU-s instead of 0.074 in runs of 64, for an XLSX of 2.17 MB instead of 2.25.
FAST_LEVEL = 1
YEAR_LEVEL = 6
RUN_ROWS = 16  # rows deflated as one piece (see above)
MAX_TEXT = 32767  # characters of one cell (Excel's limit; xlsxwriter cuts there too)
_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, past its 1900-02-29
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # literal text that looks like an escape keeps its underscore
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


@functools.lru_cache(maxsize=1024)  # a year's XLSX asks again for each of ~700,000 cells
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


def string_cell(ref: str, text: str, style: int | None = None, *, repeated: bool = True) -> str:
    """A text cell at `ref` ("B7"), with the format of index `style` if any, as `cells` writes one.
    `repeated`: the text is remembered for its next cells (False for a text that occurs once)."""
    formatted = f' s="{style}"' if style is not None else ""
    inline = _inline_repeated if repeated else _inline
    return f'<c r="{ref}"{formatted}{inline(text[:MAX_TEXT])}'


def number_cell(ref: str, value: float, style: int) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    """An empty cell that still has its format (an input cell's colour and lock)."""
    return f'<c r="{ref}" s="{style}"/>'


def _serial(moment: dt.datetime) -> float:
    delta = moment - _EPOCH
    return delta.days + delta.seconds / 86400


@functools.lru_cache(maxsize=1 << 14)
def _inline_repeated(text: str) -> str:
    """`_inline`, remembered: a scoring workbook repeats each unit's name and each criterion's text."""
    return _inline(text)


def _inline(text: str) -> str:
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def splice(
    book: bytes,
    sheets: list[list[bytes]],
    last_cols: list[int],
    date_style: int | None,
    kept: deflated_zip.Pieces | None = None,
) -> bytes:
    """The workbook `book` (xlsxwriter's, each sheet holding its header row only) with the rows of
    `sheets` (per sheet, in order: each row's cells from `cells`, in UTF-8) after each header row.
    `kept`: the runs of rows an earlier build deflated (deflated_zip.py)."""
    style = b"%d" % date_style if date_style is not None else b"0"
    row_mark, style_mark = ROW.encode(), STYLE.encode()

    def rows(cells_of_rows: list[bytes]) -> Iterator[bytes]:
        for number, row in enumerate(cells_of_rows, start=2):
            placed = row.replace(row_mark, b"%d" % number).replace(style_mark, style)
            yield b'<row r="%d">%s</row>' % (number, placed)

    return append_rows(
        book,
        {
            index: (rows(rows_of_sheet), f"A1:{column_letters(last_col)}{len(rows_of_sheet) + 1}")
            for index, (rows_of_sheet, last_col) in enumerate(zip(sheets, last_cols, strict=True), start=1)
        },
        level=YEAR_LEVEL,
        kept=kept,
    )


def append_rows(
    book: bytes,
    sheets: Mapping[int, tuple[Iterable[str] | Iterable[bytes], str]],
    level: int = zlib.Z_DEFAULT_COMPRESSION,
    kept: deflated_zip.Pieces | None = None,
) -> bytes:
    """The workbook `book` (xlsxwriter's) with, for its worksheet number n (1-based, as in
    xl/worksheets/sheet<n>.xml), the `<row>` elements given appended after the rows it holds and
    its <dimension> set to the range given, deflated at zlib's `level`. A sheet is deflated a run
    of RUN_ROWS rows at a time (a national sheet is ~100 MB of XML), each run found in `kept` if
    an earlier build deflated the same bytes. The other members keep the bytes xlsxwriter
    deflated them into: inflating and deflating them again was a tenth of making the 601 scoring
    workbooks of 15,000 units (0.3-0.4 CPU-s of 3.1 for 200 of them, six alternated runs)."""
    with zipfile.ZipFile(io.BytesIO(book)) as source:
        members = []
        for info in source.infolist():
            found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if not found or int(found.group(1)) not in sheets:  # as xlsxwriter deflated it
                members.append(
                    (info, deflated_zip.member(book, info) or deflated_zip.deflate([source.read(info)], level))
                )
                continue
            rows, dimension = sheets[int(found.group(1))]
            head, tail = _around_rows(source.read(info).decode("utf-8"), dimension)
            pieces = itertools.chain([head.encode("utf-8")], _runs(rows), [tail.encode("utf-8")])
            members.append((info, deflated_zip.deflate(pieces, level, kept)))
    return deflated_zip.write(members)


def _runs(rows: Iterable[str] | Iterable[bytes]) -> Iterator[bytes]:
    """The rows' bytes, RUN_ROWS rows at a time: text rows (the scoring workbooks', made once)
    encoded a run at a time, UTF-8 rows (the year's, kept so) joined."""
    source: Iterator[Any] = iter(rows)  # one kind or the other throughout
    while run := list(itertools.islice(source, RUN_ROWS)):
        yield b"".join(run) if isinstance(run[0], bytes) else "".join(run).encode("utf-8")


def _around_rows(sheet: str, dimension: str) -> tuple[str, str]:
    """The sheet's XML before and after the end of its rows, its <dimension> set to `dimension`."""
    sheet = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', sheet, count=1)
    head, tail = sheet.split("</sheetData>", 1)
    return head, "</sheetData>" + tail
