"""ZIP archives written from members deflated in pieces (deflated_zip.py): what zipfile, openpyxl
and `unzip` read back, pieces kept from an earlier build reused as they are, and the same bytes
whether or not anything was kept."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
import zlib

import openpyxl
import pytest
import xlsxwriter

from site_builder import deflated_zip, xlsx_rows
from tests.test_downloads_xlsx import HEADER, cell_by_cell, spliced, values

PIECES = [f"<row>{n} — dòng {n}</row>".encode() * 50 for n in range(7)]


def archive(members: dict[str, list[bytes]], kept: deflated_zip.Pieces | None = None) -> bytes:
    infos = []
    for name, pieces in members.items():
        info = zipfile.ZipInfo(name, date_time=(2024, 6, 5, 9, 30, 12))
        info.external_attr = 0o644 << 16
        infos.append((info, deflated_zip.deflate(pieces, 6, kept)))
    return deflated_zip.write(infos)


def test_an_archive_of_pieces_reads_back_whole(tmp_path):
    data = archive({"[Content_Types].xml": [b"<Types/>"], "xl/tệp.xml": PIECES, "trống": []})
    with zipfile.ZipFile(io.BytesIO(data)) as read:
        assert read.testzip() is None  # every member's CRC checked
        assert read.namelist() == ["[Content_Types].xml", "xl/tệp.xml", "trống"]
        assert read.read("xl/tệp.xml") == b"".join(PIECES) and read.read("trống") == b""
        info = read.getinfo("xl/tệp.xml")
        assert info.date_time == (2024, 6, 5, 9, 30, 12) and info.external_attr == 0o644 << 16
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.file_size == len(b"".join(PIECES))
    if shutil.which("unzip"):
        (tmp_path / "a.zip").write_bytes(data)
        tested = subprocess.run(["unzip", "-t", str(tmp_path / "a.zip")], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stdout


@pytest.mark.parametrize("kept", [None, deflated_zip.Pieces()], ids=["in one run", "piece by piece"])
def test_pieces_join_into_one_stream(kept):
    stream = deflated_zip.deflate(PIECES, 6, kept)
    assert zlib.decompress(stream.data, -15) == b"".join(PIECES)
    assert stream.crc == zlib.crc32(b"".join(PIECES)) and stream.size == len(b"".join(PIECES))


def test_kept_pieces_are_reused_and_change_nothing():
    first = deflated_zip.Pieces()
    cold = deflated_zip.deflate(PIECES, 6, first)
    assert len(first.used) == len(PIECES)
    changed = [*PIECES[:3], b"<row>khac</row>", *PIECES[4:]]
    again = deflated_zip.Pieces(first.used)
    warm = deflated_zip.deflate(changed, 6, again)
    assert warm == deflated_zip.deflate(changed, 6, deflated_zip.Pieces())  # the bytes of a build that kept nothing
    assert warm != cold
    reused = [key for key in again.used if key in first.used]
    # the changed piece and the one after it (whose dictionary is the changed piece's end)
    assert len(reused) == len(PIECES) - 2 and all(again.used[k] is first.used[k] for k in reused)
    assert len(again.used) == len(PIECES)  # the pieces no longer used are not kept further
    assert again.changed()
    same = deflated_zip.Pieces(first.used)
    deflated_zip.deflate(PIECES, 6, same)
    assert not same.changed()  # nothing new to keep: the build cache is not written again


def test_a_piece_refers_back_into_the_piece_before_it():
    """Each piece is deflated with the end of the one before as its dictionary: a piece that
    repeats it takes a few bytes, and the stream still reads back whole."""
    repeated = [PIECES[0]] * 6
    stream = deflated_zip.deflate(repeated, 6, deflated_zip.Pieces())
    alone = len(deflated_zip.deflate(repeated[:1], 6, deflated_zip.Pieces()).data)
    assert len(stream.data) < alone + 5 * 20
    assert zlib.decompress(stream.data, -15) == b"".join(repeated)


def test_a_piece_kept_after_other_bytes_is_not_used_after_these():
    """The same bytes after another piece were deflated against another dictionary: not reused."""
    first = deflated_zip.Pieces()
    deflated_zip.deflate([b"a" * 100, b"b" * 100], 6, first)
    again = deflated_zip.Pieces(first.used)
    stream = deflated_zip.deflate([b"c" * 100, b"b" * 100], 6, again)
    assert not set(again.used) & set(first.used)
    assert zlib.decompress(stream.data, -15) == b"c" * 100 + b"b" * 100


def test_a_kept_piece_is_found_by_its_bytes_alone():
    """A piece kept under the digest of other bytes (a damaged or foreign cache) is not used for these."""
    kept = deflated_zip.Pieces()
    deflated_zip.deflate([b"a" * 100], 6, kept)
    (key,) = kept.used
    wrong = deflated_zip.Pieces({key: deflated_zip.deflate([b"b" * 100], 6).data})
    assert zlib.decompress(deflated_zip.deflate([b"c" * 100], 6, wrong).data, -15) == b"c" * 100


def test_a_sheet_of_many_runs_reads_back_as_xlsxwriter_writes_it(tmp_path):
    """A sheet of several runs of rows (xlsx_rows.RUN_ROWS each), spliced with and without kept
    pieces: the same bytes, and the values xlsxwriter's own cell calls give."""
    rows = [
        [
            (0, "s", f"thcs-{n:03}"),
            (1, "s", f"Trường THCS số {n}"),
            (2, "d", dt.datetime(2024, 6, 1 + n % 28)),
            (3, "n", n / 4),
        ]
        for n in range(xlsx_rows.RUN_ROWS * 3 + 5)
    ]
    kept = deflated_zip.Pieces()
    cold = spliced(rows, kept)
    assert len(kept.used) >= 4  # the head, three runs and more, the tail
    changed = xlsx_rows.RUN_ROWS + 6  # in the second run
    rows[changed][3] = (3, "n", 999.5)
    warm = spliced(rows, deflated_zip.Pieces(kept.used))
    assert warm == spliced(rows, deflated_zip.Pieces()) != cold
    (tmp_path / "ours.xlsx").write_bytes(warm)
    cell_by_cell(rows, tmp_path / "reference.xlsx")
    ours = openpyxl.load_workbook(tmp_path / "ours.xlsx")
    assert values(ours) == values(openpyxl.load_workbook(tmp_path / "reference.xlsx"))
    assert (
        ours.active[f"D{changed + 2}"].value == 999.5
        and ours.active.dimensions == f"A1:{chr(64 + len(HEADER))}{len(rows) + 1}"
    )


@pytest.mark.parametrize("rows", [0, 1])
def test_a_sheet_without_rows_to_add_is_written_as_xlsxwriter_left_it(rows):
    made = spliced([[(0, "s", "thcs-a")]] * rows)
    book = openpyxl.load_workbook(io.BytesIO(made)).active
    assert book.max_row == rows + 1 and book["A1"].value == HEADER[0]


def test_a_member_is_taken_as_deflated_in_its_archive_and_a_stored_one_is_not():
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as made:
        made.writestr(zipfile.ZipInfo("a.xml", (2024, 6, 5, 9, 30, 12)), b"<a>" * 500, zipfile.ZIP_DEFLATED)
        made.writestr(zipfile.ZipInfo("b.xml", (2024, 6, 5, 9, 30, 12)), b"<b/>", zipfile.ZIP_STORED)
    data = source.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as read:
        taken = deflated_zip.member(data, read.getinfo("a.xml"))
        assert deflated_zip.member(data, read.getinfo("b.xml")) is None
    assert taken is not None and zlib.decompress(taken.data, -15) == b"<a>" * 500
    assert (taken.crc, taken.size) == (zlib.crc32(b"<a>" * 500), 1500)
    written = deflated_zip.write([(zipfile.ZipInfo("a.xml", (2024, 6, 5, 9, 30, 12)), taken)])
    with zipfile.ZipFile(io.BytesIO(written)) as read:
        assert read.testzip() is None and read.read("a.xml") == b"<a>" * 500


def test_members_without_rows_to_add_keep_the_bytes_xlsxwriter_deflated_them_into():
    """Only the sheets rows go into are inflated and deflated again."""
    book = io.BytesIO()
    workbook = xlsxwriter.Workbook(book, {"in_memory": True})
    workbook.add_worksheet("Trường").write_string(0, 0, "Mã")
    workbook.add_worksheet("Khác").write_string(0, 0, "Mã")
    workbook.close()
    source = book.getvalue()
    made = xlsx_rows.append_rows(source, {1: (['<row r="2"><c r="A2"><v>1</v></c></row>'], "A1:A2")}, level=1)

    def raw(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as read:
            return {info.filename: deflated_zip.member(data, info).data for info in read.infolist()}  # type: ignore[union-attr]

    before, after = raw(source), raw(made)
    assert before.keys() == after.keys()
    assert {name for name in before if before[name] != after[name]} == {"xl/worksheets/sheet1.xml"}
    assert openpyxl.load_workbook(io.BytesIO(made))["Trường"]["A2"].value == 1
