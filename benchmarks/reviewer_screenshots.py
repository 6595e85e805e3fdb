"""Pictures of the scoring workbook for the reviewer's guide (`make reviewer-screenshots`).

The workbook of the demo's pgd-quan-1 (2023-2024) is made from the bundled data, a few scores are
typed in as a reviewer would, LibreOffice (headless) prints it to PDF and pdftoppm turns the
first page of each sheet into PNG: docs/huong-dan/anh/bang-cham-huong-dan.png and bang-cham-diem.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder import review_workbook as rw  # noqa: E402
from site_builder.paths import DataRoot  # noqa: E402
from site_builder.validate import validate_all  # noqa: E402

PERIOD, BODY = "2023-2024", "pgd-quan-1"


def filled() -> bytes:
    import openpyxl

    result = validate_all(DataRoot(ROOT))
    if not result.ok:
        sys.exit("Dữ liệu minh hoạ còn lỗi.")
    book = openpyxl.load_workbook(
        io.BytesIO(rw.make_workbook(result.dataset, PERIOD, BODY, created=dt.datetime(2024, 6, 12)))
    )
    book[rw.INFO_SHEET]["B6"] = dt.date(2024, 6, 12)
    sheet = book["Trường phổ thông"]
    sheet["F3"], sheet["G3"] = 3, "Kế hoạch chưa nêu chỉ tiêu cụ thể."
    sheet["F5"], sheet["G5"] = 4.5, "Thiếu biên bản kiểm tra."
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/huong-dan/anh")
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    if not soffice or not shutil.which("pdftoppm"):
        sys.exit("Cần LibreOffice (libreoffice-calc-nogui) và pdftoppm (poppler-utils).")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name, keep in (("bang-cham-huong-dan", rw.INFO_SHEET), ("bang-cham-diem", "Trường phổ thông")):
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(filled()))
            for sheet in book.worksheets:
                if sheet.title != keep:
                    book.remove(sheet)
                elif sheet.title != rw.INFO_SHEET:
                    sheet.delete_rows(12, sheet.max_row)  # the first unit's first criteria are enough to see
            source = work / f"{name}.xlsx"
            book.save(source)
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation=file://{work}/profile",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "110",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(work / f"{name}.pdf"),
                    str(args.out / name),
                ],
                check=True,
                timeout=120,
            )
            print(f"{args.out / name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
