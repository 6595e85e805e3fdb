"""The scoring workbook in LibreOffice (Debian's libreoffice-calc-nogui, installed by
`make install-test`): it opens and converts without repair, keeps its protection and its
validation, and that validation accepts and refuses what it should when LibreOffice computes it."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from site_builder import review_workbook as rw
from site_builder.paths import DataRoot
from site_builder.validate import validate_all
from tests.datarepo import make_repo, write_school

SHEET = "Trường phổ thông"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail("LibreOffice is a test dependency: apt-get install libreoffice-calc-nogui (make install-test)")
    return found


def convert(source: Path, target_format: str, out: Path, profile: Path) -> Path:
    done = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target_format,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    produced = out / (source.stem + "." + target_format.split(":")[0])
    assert done.returncode == 0 and produced.is_file(), done.stdout + done.stderr
    return produced


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("lo")
    root = make_repo(tmp / "repo")
    write_school(root, "2023-2024", "pgd-quan-1", "thcs-demo-b", scores={"1.1": 5, "1.2": 4.5})
    result = validate_all(DataRoot(root))
    assert result.ok
    file = tmp / rw.file_name("2023-2024", "pgd-quan-1")
    file.write_bytes(rw.make_workbook(result.dataset, "2023-2024", "pgd-quan-1"))
    return file


@pytest.mark.slow
def test_libreoffice_opens_it_and_keeps_protection_and_validation(workbook, tmp_path):
    again = convert(workbook, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    book = openpyxl.load_workbook(again)
    assert book.sheetnames == [rw.INFO_SHEET, SHEET, rw.META_SHEET]
    assert book[rw.META_SHEET].sheet_state != "visible"
    sheet = book[SHEET]
    assert sheet.protection.sheet
    assert not sheet["F2"].protection.locked and not sheet["G2"].protection.locked and sheet["E2"].protection.locked
    original = openpyxl.load_workbook(workbook)[SHEET]
    assert [[c.value for c in row] for row in sheet.iter_rows(max_col=6)] == [
        [c.value for c in row] for row in original.iter_rows(max_col=6)
    ]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "custom" and validation.errorStyle == "stop" and validation.showErrorMessage
    assert str(validation.sqref) == str(original.data_validations.dataValidation[0].sqref)
    assert validation.formula1.lstrip("=") == original.data_validations.dataValidation[0].formula1.lstrip("=")


@pytest.mark.slow
def test_the_validation_formula_accepts_and_refuses_as_libreoffice_computes_it(workbook, tmp_path):
    """The rule LibreOffice enforces when a reviewer types a value, computed by LibreOffice itself."""
    formula = openpyxl.load_workbook(workbook)[SHEET].data_validations.dataValidation[0].formula1.lstrip("=")
    cases = [
        (0, True),
        (2.5, True),
        (5, True),
        (4.5, True),
        (7, False),
        (1.3, False),
        (-1, False),
        ("năm", False),
        (5.5, False),
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    for row, (value, _ok) in enumerate(cases, start=2):
        sheet[f"D{row}"] = 5
        sheet[f"F{row}"] = value
        sheet[f"H{row}"] = "=" + re.sub(r"\b([DF])2\b", lambda m, row=row: f"{m.group(1)}{row}", formula)
    source = tmp_path / "kiem-tra.xlsx"
    book.save(source)
    computed = convert(source, "csv", tmp_path / "out", tmp_path / "profile")
    rows = list(csv.reader(io.StringIO(computed.read_text(encoding="utf-8", errors="replace"))))
    got = [rows[row - 1][7].upper() for row in range(2, 2 + len(cases))]
    assert got == ["TRUE" if ok else "FALSE" for _value, ok in cases]
