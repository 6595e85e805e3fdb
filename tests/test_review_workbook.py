"""The scoring workbook, round trip: made from the data, filled with openpyxl as a reviewer would
(mistakes included), checked by the pull-request workflow's commands in a real git repository,
merged, and published. Each mistake gets its sheet/cell message; a workbook with any error
applies nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from site_builder import review_workbook as rw
from site_builder import review_workbook_inputs as inputs
from site_builder import review_workbook_read as rr
from site_builder.model import Dataset, PeriodRegistry, Registry
from site_builder.paths import DataRoot
from site_builder.validate import validate_all
from site_builder.website.downloads import read_json
from tests.datarepo import write, write_school
from tests.test_pr_flow import cli, commit, new_repo, trusted_report, workflow_validate

PERIOD = "2023-2024"
BODY = "pgd-quan-1"
NAME = rw.file_name(PERIOD, BODY)
REL = f"submissions/{PERIOD}/{BODY}/{NAME}"
SHEET = "Trường phổ thông"
REVIEWER = "pgd-q1-reviewer"


def dataset_of(root: Path) -> Dataset:
    result = validate_all(DataRoot(root))
    assert result.ok, [p.text() for p in result.errors]
    return result.dataset


def fill(
    data: bytes,
    scores: dict | None = None,
    *,
    reviewer: str | None = REVIEWER,
    date=dt.date(2024, 6, 12),
    cells: dict | None = None,
) -> bytes:
    """Fill the workbook as a reviewer does in Excel: (unit, criterion) -> score or (score, comment);
    `cells` writes raw values into named cells of the unit sheet (mistakes)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    info = book[rw.INFO_SHEET]
    if reviewer is not None:
        info["B5"] = reviewer
    if date is not None:
        info["B6"] = date
    sheet = book[SHEET]
    rows = {(sheet.cell(r, 1).value, sheet.cell(r, 3).value): r for r in range(2, sheet.max_row + 1)}
    for (unit, criterion), value in (scores or {}).items():
        score, comment = value if isinstance(value, tuple) else (value, None)
        sheet.cell(rows[(unit, criterion)], 6).value = score
        if comment is not None:
            sheet.cell(rows[(unit, criterion)], 7).value = comment
    for name, value in (cells or {}).items():
        sheet[name] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(data: bytes, unit: str, criterion: str) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    return next(
        r for r in range(2, sheet.max_row + 1) if (sheet.cell(r, 1).value, sheet.cell(r, 3).value) == (unit, criterion)
    )


@pytest.fixture
def repo(tmp_path):
    """The test repository with both schools of pgd-quan-1 submitted on main."""
    root, repository = new_repo(tmp_path)
    write_school(root, PERIOD, BODY, "thcs-demo-b", scores={"1.1": 5, "1.2": 5, "2.2": 10, "3.1": 5})
    commit(repository, "THCS Demo B nộp bài")
    return root, repository


def test_workbook_layout_locks_all_but_two_columns_and_identifies_itself(repo):
    root, _ = repo
    data = rw.make_workbook(dataset_of(root), PERIOD, BODY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [rw.INFO_SHEET, SHEET, rw.META_SHEET]
    assert book[rw.META_SHEET].sheet_state == "veryHidden"
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]][:7] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Tiêu chí",
        "Tối đa",
        "Tự chấm",
        "Điểm chấm",
        "Nhận xét",
    ]
    assert sheet.protection.sheet and not sheet.protection.password
    unlocked = {c.column_letter for row in sheet.iter_rows(min_row=2) for c in row if not c.protection.locked}
    assert unlocked == {"F", "G"}
    # one row per unit × criterion (derived items excluded), with maximum, self-score and evidence
    units = {sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)}
    assert units == {"thcs-demo-a", "thcs-demo-b"} and sheet.max_row == 1 + 2 * 19
    r = row_of(data, "thcs-demo-b", "1.2")
    assert (sheet.cell(r, 4).value, sheet.cell(r, 5).value) == (5, 5)
    assert sheet.cell(r, 9).value.endswith("/submissions/2023-2024/pgd-quan-1/thcs-demo-b/ke-hoach-cntt.pdf")
    assert "Tổ chức" in sheet.cell(r, 8).value or len(sheet.cell(r, 8).value) > 20  # criterion text
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and str(validations[0].sqref) == f"F2:F{sheet.max_row}"
    assert validations[0].type == "custom" and "D2" in validations[0].formula1 and "0.5" in validations[0].formula1
    meta = {row[0]: row[1] for row in book[rw.META_SHEET].iter_rows(values_only=True) if row[0] != "row"}
    assert meta["format"] == rw.FORMAT_ID and meta["version"] == str(rw.TEMPLATE_VERSION)
    assert (meta["period"], meta["body"]) == (PERIOD, BODY) and len(meta["checksum"]) == 64


def test_rows_after_the_first_are_written_as_xlsxwriter_wrote_the_first(repo):
    """xlsxwriter writes each sheet's first row; the others are appended as XML (xlsx_rows.py).
    Each has the first row's formats column by column; its texts, kept spaces and "&" included,
    and its height from its longest text (up to 12 lines) read back as written."""
    import yaml

    root, _ = repo
    school = root / f"submissions/{PERIOD}/{BODY}/thcs-demo-b.yaml"
    doc = yaml.safe_load(school.read_text(encoding="utf-8"))
    note = "  Kế hoạch & lộ trình " + "\n".join(f"dòng {n}" for n in range(14))
    doc["tieu_chi"]["2.2"]["ghi_chu"] = note
    write(school, yaml.safe_dump(doc, allow_unicode=True))
    data = rw.make_workbook(dataset_of(root), PERIOD, BODY)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]

    def look(cell) -> tuple:
        return (
            cell.font.b,
            cell.fill.fgColor.rgb,
            cell.border.left.style,
            cell.protection.locked,
            cell.alignment.wrap_text,
            cell.alignment.vertical,
            cell.number_format,
        )

    first = [look(c) for c in sheet[2]]
    assert len(first) == len(rw.COLUMNS)
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        assert [look(c) for c in row] == first
    r = row_of(data, "thcs-demo-b", "2.2")
    assert r > 2 and sheet.cell(r, 10).value == note
    assert sheet.row_dimensions[r].height == 15 * 12
    assert sheet.cell(r, 6).value is None and sheet.cell(r, 4).value == 10
    assert sheet.dimensions == f"A1:J{sheet.max_row}"
    evidence = sheet.cell(row_of(data, "thcs-demo-b", "1.2"), 9).value  # on the repository's host, quoted
    folder = f"submissions/{PERIOD}/{BODY}/thcs-demo-b"
    assert evidence == f"https://github.com/so-gddt/danh-gia-cntt/blob/main/{folder}/ke-hoach-cntt.pdf"
    assert sheet.cell(row_of(data, "thcs-demo-b", "1.1"), 9).value == "(không có)"
    lines = [row for row in openpyxl.load_workbook(io.BytesIO(data))[rw.META_SHEET].iter_rows(values_only=True)]
    assert [key for key, _value in lines[: len(rw.META_KEYS)]] == list(rw.META_KEYS)
    assert [key for key, _value in lines[len(rw.META_KEYS) :]] == ["row"] * (sheet.max_row - 1)


def read(root: Path, data: bytes, rel: str = REL, dataset: Dataset | None = None):
    return rr.read(data, rel, dataset or dataset_of(root))


def messages(problems) -> list[str]:
    return [f"{p.subject}: {p.message}" for p in problems if p.is_error]


def test_each_mistake_gets_its_sheet_and_cell_and_nothing_is_applied(repo):
    root, _ = repo
    dataset = dataset_of(root)
    blank = rw.make_workbook(dataset, PERIOD, BODY)
    row = {c: row_of(blank, "thcs-demo-b", c) for c in ("1.1", "1.2", "1.3", "2.2", "3.1", "4.3")}
    cases = {
        "above max": (
            {"cells": {f"F{row['1.1']}": 7}},
            f"trang «{SHEET}», ô F{row['1.1']}: điểm chấm 7 lớn hơn điểm tối đa 5.",
        ),
        "text": ({"cells": {f"F{row['1.2']}": "bốn"}}, f"trang «{SHEET}», ô F{row['1.2']}: điểm chấm «bốn» là chữ"),
        "formula": ({"cells": {f"F{row['2.2']}": "=D5*2"}}, f"trang «{SHEET}», ô F{row['2.2']}: ô chứa công thức"),
        "off the step": (
            {"cells": {f"F{row['3.1']}": 2.3}},
            f"trang «{SHEET}», ô F{row['3.1']}: điểm chấm 2.3 không đúng bước chấm 0.5.",
        ),
        "self-score changed": (
            {"cells": {f"E{row['2.2']}": 3}},
            f"trang «{SHEET}», ô E{row['2.2']}: điểm tự chấm đã bị sửa («3», bài của đơn vị ghi 10).",
        ),
        "no evidence": ({"cells": {f"F{row['1.3']}": 2}}, f"trang «{SHEET}», ô F{row['1.3']}: "),
        "not a reviewer": (
            {"reviewer": "thcs-b", "scores": {("thcs-demo-b", "4.3"): 1}},
            "trang «Hướng dẫn», ô B5: «thcs-b» không phải người chấm của đơn vị thcs-demo-a, thcs-demo-b.",
        ),
        "comment without score": (
            {"cells": {f"G{row['4.3']}": "Tốt"}},
            f"trang «{SHEET}», ô F{row['4.3']}: có nhận xét nhưng chưa có điểm chấm.",
        ),
    }
    for name, (kwargs, expected) in cases.items():
        data = fill(blank, {("thcs-demo-a", "1.1"): 4, **kwargs.pop("scores", {})}, **kwargs)
        parsed, problems = read(root, data, dataset=dataset)
        assert parsed is None, name  # all or nothing: the valid 1.1 of thcs-demo-a is not applied either
        assert any(m.startswith(expected) for m in messages(problems)), (name, messages(problems))


def test_a_renamed_sheet_is_said_not_crashed(repo):
    root, _ = repo
    dataset = dataset_of(root)
    book = openpyxl.load_workbook(io.BytesIO(rw.make_workbook(dataset, PERIOD, BODY)))
    book[SHEET].title = "Trang đổi tên"
    renamed = io.BytesIO()
    book.save(renamed)
    parsed, problems = read(root, renamed.getvalue(), dataset=dataset)
    assert parsed is None
    assert f"bảng chấm: thiếu trang «{SHEET}» (đã bị xoá hoặc đổi tên)." in messages(problems)


def test_workbook_of_another_body_an_old_template_a_unit_of_another_body(repo):
    root, _ = repo
    dataset = dataset_of(root)
    other = rw.make_workbook(dataset, PERIOD, "so-gddt")
    _parsed, problems = read(root, other, dataset=dataset)
    assert any(
        "bảng chấm này của «so-gddt», năm học 2023-2024, không phải của thư mục submissions/2023-2024/pgd-quan-1/" in m
        for m in messages(problems)
    ), messages(problems)

    book = openpyxl.load_workbook(io.BytesIO(rw.make_workbook(dataset, PERIOD, BODY)))
    meta = book[rw.META_SHEET]
    next(r for r in meta.iter_rows() if r[0].value == "version")[1].value = "0"
    old = io.BytesIO()
    book.save(old)
    _parsed, problems = read(root, old.getvalue(), dataset=dataset)
    assert any("bảng chấm theo mẫu phiên bản 0, đã cũ" in m for m in messages(problems))

    # A workbook made while thpt-demo-a (a Department school) was listed under pgd-quan-1.
    moved = {u.id: u for u in dataset.registry.period(PERIOD).units.values()}
    import dataclasses

    moved["thpt-demo-a"] = dataclasses.replace(moved["thpt-demo-a"], parent=BODY)
    fake = Dataset(
        Registry(
            dataset.registry.organization,
            {PERIOD: PeriodRegistry(PERIOD, moved, dataset.registry.period(PERIOD).bodies)},
        ),
        dataset.periods,
        dataset.submissions,
        dataset.reviews,
        dataset.reports,
    )
    write_school(root, PERIOD, "so-gddt", "thpt-demo-a")
    fake.submissions[(PERIOD, "thpt-demo-a")] = dataset_of(root).submissions[(PERIOD, "thpt-demo-a")]
    stale = fill(rw.make_workbook(fake, PERIOD, BODY), {})
    row = row_of(stale, "thpt-demo-a", "1.1")
    _parsed, problems = read(root, stale, dataset=dataset_of(root))
    assert any(
        m.startswith(f"trang «{SHEET}», ô A{row}: đơn vị «thpt-demo-a» không thuộc «pgd-quan-1»")
        for m in messages(problems)
    ), messages(problems)


def test_round_trip_pull_request_merge_and_site(repo, tmp_path):
    root, repository = repo
    # 1. The reviewer downloads the workbook (the command the site's download comes from).
    made = cli(root, "review-workbook", "--year", PERIOD, "--body", BODY, "--out", str(tmp_path / NAME))
    assert made.returncode == 0, made.stderr
    blank = (tmp_path / NAME).read_bytes()
    r11, r12 = row_of(blank, "thcs-demo-b", "1.1"), row_of(blank, "thcs-demo-b", "1.2")

    # 2. A first upload with mistakes: every one reported by sheet and cell, nothing applied.
    repository.git.checkout("-q", "-b", "cham-diem")
    write(root / REL, fill(blank, {("thcs-demo-b", "1.1"): 7, ("thcs-demo-b", "1.2"): ("4,5", "Thiếu chữ ký")}))
    commit(repository, "Tải lên bảng chấm")
    checked = workflow_validate(root, tmp_path, tmp_path / "summary.md")
    assert checked.returncode != 0
    assert f"file={REL},line={r11},col=6" in checked.stdout
    comment, outputs, _summary = trusted_report(root, tmp_path, REVIEWER)
    comment = comment.replace("\\", "")  # Markdown escapes, to compare the words
    assert outputs[:1] == ["valid=false"]
    assert f"trang «{SHEET}», ô F{r11}: điểm chấm 7 lớn hơn điểm tối đa 5" in comment
    assert f"ô F{r12}: điểm chấm «4,5» là chữ, không phải một số" in comment
    assert "dùng đúng dấu thập phân của máy (ví dụ 4.5)" in comment
    assert "chưa điểm nào được ghi" in comment

    # 3. Fixed: the comment previews totals, ratings, ranks and the per-criterion diff.
    write(
        root / REL,
        fill(
            blank,
            {
                ("thcs-demo-b", "1.1"): 3,
                ("thcs-demo-b", "1.2"): (4.5, "Thiếu chữ ký"),
                ("thcs-demo-a", "2.2"): (8, "Chưa đủ lớp"),
            },
        ),
    )
    commit(repository, "Sửa bảng chấm")
    assert workflow_validate(root, tmp_path, tmp_path / "summary2.md").returncode == 0
    comment, outputs, _summary = trusted_report(root, tmp_path, REVIEWER)
    assert outputs == ["valid=true", "errors=0", "denied=0"], comment
    assert "### Bảng chấm: Phòng Giáo dục và Đào tạo Quận 1 (`pgd-quan-1`)" in comment
    assert "**2 đơn vị thay đổi**" in comment
    assert "| Trường THCS Demo B (`thcs-demo-b`) | 25 → **22.5**/100 | 22,5% | Yếu → Yếu | 2 → 2 |" in comment
    assert "| Trường THCS Demo A (`thcs-demo-a`) | 100 → **98**/100 | 98% | Xuất sắc → Xuất sắc | 1 → 1 |" in comment
    assert "| 1.1 | (tự chấm) → **3** | — |" in comment
    assert "| 1.2 | (tự chấm) → **4.5** | Thiếu chữ ký |" in comment
    assert "| 2.2 | (tự chấm) → **8** | Chưa đủ lớp |" in comment
    assert any(line.startswith('<!-- danh-gia-cntt:du-lieu {"valid":true') for line in comment.splitlines())

    # 4. Someone who is not the body's reviewer may not upload it.
    refused = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "thcs-b")
    assert refused.returncode == 1
    assert f"| `{REL}` | **review-workbook**" in refused.stdout

    # 5. Merged; the scores are the units' reviewer scores, attributed to the reviewer and commit.
    repository.git.checkout("-q", "main")
    repository.git.merge("--no-ff", "-q", "-m", "Hợp nhất bảng chấm", "cham-diem")
    merged_commit = repository.git.log("-1", "--format=%H", "--", REL)
    assert cli(root, "validate").returncode == 0
    scores = json.loads(cli(root, "score", "--year", PERIOD, "--format", "json", "--items").stdout)
    got = {(s["unit"], s["criterion"]): s["reviewer_score"] for s in scores if s["reviewer_score"] is not None}
    assert got == {("thcs-demo-b", "1.1"): 3, ("thcs-demo-b", "1.2"): 4.5, ("thcs-demo-a", "2.2"): 8}
    site = tmp_path / "site"
    built = cli(root, "build", "--out", str(site))
    assert built.returncode == 0, built.stderr
    page = (site / f"{PERIOD}/don-vi/thcs-demo-b/index.html").read_text(encoding="utf-8")
    assert f"Điểm chấm ghi ở bảng chấm {NAME}, commit" in page and f"<strong>{REVIEWER}</strong>" in page
    assert f'/commit/{merged_commit}" data-review-commit>' in page
    assert "Thiếu chữ ký" in page
    listing = (site / "tai-du-lieu/index.html").read_text(encoding="utf-8")
    assert f'data-workbook="{PERIOD}/{BODY}"' in listing
    office = (site / f"{PERIOD}/quan-ly/{BODY}/index.html").read_text(encoding="utf-8")
    assert f'download="{NAME}"' in office
    # the published workbook carries the new reviewer scores (the next round starts from them)
    published = openpyxl.load_workbook(site / f"tai-ve/bang-cham/{PERIOD}/{NAME}")[SHEET]
    assert published[f"F{r12}"].value == 4.5 and published[f"G{r12}"].value == "Thiếu chữ ký"
    downloads = read_json(site, PERIOD)
    unit = next(u for u in downloads["units"] if u["id"] == "thcs-demo-b")
    assert (unit["reviewer"], unit["review_date"], unit["total"]) == (REVIEWER, "2024-06-12", 22.5)
    assert {c["id"]: (c["reviewer"], c["comment"]) for c in unit["criteria"] if c["reviewer"] is not None} == {
        "1.1": (3, None),
        "1.2": (4.5, "Thiếu chữ ký"),
    }


def test_second_workbook_in_the_folder_is_refused(repo):
    root, _ = repo
    blank = rw.make_workbook(dataset_of(root), PERIOD, BODY)
    write(root / REL, fill(blank, {("thcs-demo-b", "1.1"): 3}))
    write(root / f"submissions/{PERIOD}/{BODY}/cham-diem (1).xlsx", fill(blank, {("thcs-demo-b", "1.1"): 4}))
    result = validate_all(DataRoot(root))
    assert any(p.code == "workbook-second" and p.path.endswith("cham-diem (1).xlsx") for p in result.errors)


def test_not_a_workbook_is_a_clear_error_not_a_traceback(repo):
    root, _ = repo
    write(root / REL, b"PK\x03\x04 not really a zip")
    result = cli(root, "validate")
    assert result.returncode == 1
    assert "tệp không phải bảng tính Excel (.xlsx)" in result.stdout + result.stderr


def test_hostile_comments_in_a_workbook_stay_text_in_the_pull_request_comment(repo, tmp_path):
    """A comment typed into the workbook reaches the PR comment's diff: no link, mention, HTML
    comment or table break comes out of it."""
    from site_builder.pr_report import MARKER
    from site_builder.review_queue import DATA_MARKER
    from tests.gfm import read as read_markdown

    root, repository = repo
    blank = rw.make_workbook(dataset_of(root), PERIOD, BODY)
    hostile = "@sgd-admin xem [đây](https://evil.example) <!-- | --> #12 ![x](https://evil.example/x.png) | cột"
    repository.git.checkout("-q", "-b", "cham-doc-hai")
    write(root / REL, fill(blank, {("thcs-demo-b", "1.1"): (4, hostile)}))
    commit(repository, "Bảng chấm có nhận xét lạ")
    comment, outputs, _summary = trusted_report(root, tmp_path, REVIEWER)
    assert outputs[0] == "valid=true", comment
    page = read_markdown(comment)
    assert not page.links and not page.images and not page.mentions and not page.issue_refs
    data = next(line for line in comment.splitlines() if line.startswith(DATA_MARKER))
    assert page.comments == [MARKER[4:-3], data[4:-3]]
    row = next(r for r in page.tables[-1] if r and r[0] == "1.1")
    assert len(row) == 3 and "evil.example" in row[2]


@pytest.mark.parametrize("keyed", [False, True], ids=["values", "checks-keys"])
def test_the_cache_key_follows_every_input_of_the_workbook(repo, keyed, tmp_path, monkeypatch):
    """The build cache keeps a workbook under review_workbook_inputs.digest: each change to what the workbook shows
    changes both the bytes and the key; a body whose files did not change keeps its key. Validated
    as a site build validates (`keyed`), the submissions are digested by their checks' keys."""
    from site_builder import build_cache

    root, repository = repo
    folder = root / f"submissions/{PERIOD}/{BODY}"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def validated() -> Dataset:
        if not keyed:
            return dataset_of(root)
        build_cache.open_for(root, hold=True)
        try:
            dataset = dataset_of(root)
        finally:
            build_cache.close()
        assert dataset.file_keys[(PERIOD, "thcs-demo-b")]
        return dataset

    def state() -> tuple[str, bytes, str]:
        dataset = validated()
        return (
            inputs.digest(dataset, PERIOD, BODY, made_from="c", created=dt.datetime(2024, 6, 12)),
            rw.make_workbook(dataset, PERIOD, BODY, made_from="c", created=dt.datetime(2024, 6, 12)),
            inputs.digest(dataset, PERIOD, "so-gddt", made_from="c", created=dt.datetime(2024, 6, 12)),
        )

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    base_key, base_bytes, other_key = state()
    assert state() == (base_key, base_bytes, other_key)  # nothing changed: the same key and bytes
    assert inputs.digest(validated(), PERIOD, BODY, made_from="d", created=dt.datetime(2024, 6, 12)) != base_key
    changes = {
        "self-score": lambda: edit(folder / "thcs-demo-b.yaml", "diem_tu_cham: 5", "diem_tu_cham: 4"),
        "evidence": lambda: (
            write(folder / "thcs-demo-a/ke-hoach-2.pdf", (folder / "thcs-demo-a/ke-hoach-cntt.pdf").read_bytes()),
            edit(folder / "thcs-demo-a.yaml", "- ke-hoach-cntt.pdf", "- ke-hoach-2.pdf"),
        ),
        "unit name": lambda: edit(
            root / f"submissions/units/{PERIOD}/{BODY}.yaml", "Trường THCS Demo B", "Trường THCS Demo Bê"
        ),
        "criterion text": lambda: edit(
            root / f"criteria/{PERIOD}/truong-pho-thong.yaml", "biết sử dụng CNTT", "biết dùng CNTT"
        ),
        "review": lambda: write(
            folder / "thcs-demo-b.review.yaml",
            "don_vi: thcs-demo-b\nnam_hoc: 2023-2024\nnguoi_cham: pgd-q1-reviewer\nngay_cham: 2024-06-12\n"
            "tieu_chi:\n  '1.1': {diem_cham: 4, nhan_xet: Thiếu minh chứng}\n",
        ),
    }
    for what, change in changes.items():
        change()
        key, data, other = state()
        assert key != base_key, what
        assert data != base_bytes, what
        if what != "criterion text":  # the Department's school is scored on the same catalogue
            assert other == other_key, what
        repository.git.checkout("--", ".")
        repository.git.clean("-fdq")
    assert state()[0] == base_key
