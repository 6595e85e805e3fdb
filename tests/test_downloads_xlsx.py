"""The year's XLSX download has its data rows spliced in as XML (xlsx_rows.py): what it
holds must be what xlsxwriter itself writes cell by cell, and LibreOffice must open it as is."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from site_builder import deflated_zip, xlsx_rows
from tests.test_workbook_libreoffice import convert

HEADER = ["Mã đơn vị", "Tên", "Ngày nộp", "Tổng điểm", "Ghi chú"]
ROWS = [
    [(0, "s", "thcs-a"), (1, "s", "Trường THCS A & B <1>"), (2, "d", dt.datetime(2024, 6, 5)), (3, "n", 87.5)],
    [(0, "s", "thcs-b"), (1, "s", "  khoảng trắng đầu"), (3, "n", 1e-7), (4, "s", "đuôi có khoảng trắng ")],
    [(0, "s", "thcs-c"), (1, "s", "điều khiển \x01\x1f và _x0041_ giữ nguyên"), (3, "n", 12), (4, "s", "x" * 40000)],
    [(0, "s", "thcs-d"), (2, "d", dt.datetime(1900, 3, 1)), (3, "n", float("nan")), (4, "s", "dòng\nmới\ttab")],
]


def spliced(rows, kept: deflated_zip.Pieces | None = None) -> bytes:
    book = io.BytesIO()
    workbook = xlsxwriter.Workbook(book, {"in_memory": True})
    workbook.set_properties({"created": dt.datetime(2024, 1, 1)})  # two calls in different seconds: the same bytes
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Trường")
    for col, title in enumerate(HEADER):
        sheet.write_string(0, col, title)
    made = [xlsx_rows.cells(row) for row in rows]
    for col in sorted({col for _xml, dates in made for col in dates}):
        sheet.set_column(col, col, 12, date)
    sheet.autofilter(0, 0, len(rows), len(HEADER) - 1)
    workbook.close()
    cells = [[xml.encode("utf-8") for xml, _dates in made]]  # kept in UTF-8, as downloads.UnitRows holds them
    return xlsx_rows.splice(book.getvalue(), cells, [len(HEADER) - 1], date.xf_index, kept)


def cell_by_cell(rows, target: Path) -> None:
    """The reference: the same cells through xlsxwriter's own calls."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Trường")
    for col, title in enumerate(HEADER):
        sheet.write_string(0, col, title)
    for number, row in enumerate(rows, start=1):
        for col, kind, value in row:
            if kind == "s":
                sheet.write_string(number, col, value)
            elif kind == "d":
                sheet.write_datetime(number, col, value, date)
            elif value == value:  # NaN: no cell (xlsxwriter refuses it)
                sheet.write_number(number, col, value)
    workbook.close()


def values(book) -> list[list]:
    """Every cell's value, and the number format of the data cells that hold one."""
    rows = list(book.active.iter_rows())
    return [[c.value for c in rows[0]]] + [
        [(c.value, c.number_format if c.value is not None else None) for c in row] for row in rows[1:]
    ]


def test_spliced_rows_read_back_as_xlsxwriter_writes_them(tmp_path):
    (tmp_path / "ours.xlsx").write_bytes(spliced(ROWS))
    cell_by_cell(ROWS, tmp_path / "reference.xlsx")
    ours, reference = (
        openpyxl.load_workbook(tmp_path / "ours.xlsx"),
        openpyxl.load_workbook(tmp_path / "reference.xlsx"),
    )
    assert values(ours) == values(reference)
    row = next(r for r in ours.active.iter_rows(min_row=2) if r[0].value == "thcs-a")
    assert row[2].is_date and row[2].value == dt.datetime(2024, 6, 5) and row[2].number_format == "dd/mm/yyyy"
    # control characters as Excel's _xHHHH_ escapes, and a literal escape's underscore escaped
    assert ours.active["B4"].value == "điều khiển _x0001__x001F_ và _x005F_x0041_ giữ nguyên"
    assert len(ours.active["E4"].value) == xlsx_rows.MAX_TEXT
    assert ours.active.auto_filter.ref == "A1:E5" and ours.active.dimensions == "A1:E5"
    with zipfile.ZipFile(tmp_path / "ours.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert xlsx_rows.ROW not in sheet and xlsx_rows.STYLE not in sheet and "<r>" not in sheet


def test_text_that_looks_like_markup_stays_text(tmp_path):
    """xlsxwriter writes a string framed by <r>…</r> unescaped (as rich text); a unit's name is
    never taken for markup here."""
    (tmp_path / "ours.xlsx").write_bytes(spliced([[(0, "s", "<r><t>x</t></r>"), (1, "s", "</t></is></c><c>")]]))
    sheet = openpyxl.load_workbook(tmp_path / "ours.xlsx").active
    assert sheet["A2"].value == "<r><t>x</t></r>" and sheet["B2"].value == "</t></is></c><c>"


@pytest.mark.slow
def test_libreoffice_opens_the_spliced_workbook_as_is(tmp_path):
    source = tmp_path / "nam-hoc.xlsx"
    source.write_bytes(spliced(ROWS))
    again = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    read = openpyxl.load_workbook(again).active
    original = openpyxl.load_workbook(source).active
    seen = {c.coordinate: c.value for row in read.iter_rows() for c in row}
    written = {c.coordinate: c.value for row in original.iter_rows() for c in row}
    escaped = "B4"  # control characters: LibreOffice writes its own escapes back; the literal _x0041_ is text
    assert {k: v for k, v in seen.items() if k != escaped} == {k: v for k, v in written.items() if k != escaped}
    assert seen[escaped].endswith(" và _x0041_ giữ nguyên")
    assert read["C2"].is_date and read["C2"].value == dt.datetime(2024, 6, 5)


@pytest.mark.parametrize("col, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(col, letters):
    assert xlsx_rows.column_letters(col) == letters


@pytest.mark.slow
def test_libreoffice_opens_a_built_sites_year_workbook(tmp_path, monkeypatch):
    """The year's XLSX of a real build (sheets per unit type, demo column, frozen panes,
    autofilter): every sheet and value as LibreOffice reads it."""
    from tests.datarepo import build_in_new_process, two_schools_committed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, _git = two_schools_committed(tmp_path / "data")
    build_in_new_process(root, tmp_path / "site")
    (source,) = (tmp_path / "site" / "tai-ve").glob("*/danh-gia-cntt-*.xlsx")
    again = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    read, original = openpyxl.load_workbook(again), openpyxl.load_workbook(source)
    assert read.sheetnames == original.sheetnames and len(original.sheetnames) >= 2
    for name in original.sheetnames:
        rows = [[c.value for c in row] for row in original[name].iter_rows()]
        assert len(rows) >= 2
        assert [[c.value for c in row] for row in read[name].iter_rows()] == rows, name
        assert original[name].freeze_panes  # (LibreOffice's conversion drops frozen panes of any workbook)
        assert read[name].auto_filter.ref == original[name].auto_filter.ref == original[name].dimensions
