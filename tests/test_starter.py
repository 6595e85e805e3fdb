"""`site-builder init`: a new Department's repository, made for real in a temporary folder, then
validated and built with the same commands a Department runs."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfWriter

from site_builder import starter, starter_workflows
from site_builder.catalogues import load_period
from site_builder.paths import DataRoot

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YEAR = "2026-2027"
DEPARTMENT = "so-gddt-thu-nghiem"
NAME = "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"


def site_builder(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def init(target: Path, *extra) -> subprocess.CompletedProcess:
    return site_builder(
        "init",
        target,
        "--id",
        DEPARTMENT,
        "--name",
        NAME,
        "--year",
        YEAR,
        "--maintainer",
        "so-thu-admin",
        "--reviewer",
        "so-thu-cham",
        *extra,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("so") / "kho"
    done = init(target, "--repository", "https://github.com/so-gddt-thu-nghiem/danh-gia-cntt")
    assert done.returncode == 0, done.stderr
    assert "Tiếp theo:" in done.stdout and "site-builder validate" in done.stdout
    return target


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_init_writes_a_complete_repository(repo):
    for rel in (
        "README.md",
        ".gitignore",
        "requirements.txt",
        "mkdocs.yml",
        "docs/gioi-thieu.md",
        "submissions/organization.yaml",
        f"submissions/units/{YEAR}/{DEPARTMENT}.yaml",
        f"criteria/{YEAR}/year.yaml",
        ".github/CODEOWNERS",
        "schema/submission.schema.json",
        ".github/workflows/validate.yml",
        ".github/workflows/publish.yml",
        ".github/workflows/pr-comment.yml",
    ):
        assert (repo / rel).is_file(), rel
    organization = yaml.safe_load((repo / "submissions/organization.yaml").read_text(encoding="utf-8"))
    assert organization["id"] == DEPARTMENT and organization["name"] == NAME and organization["demo"] is False
    assert organization["maintainers"] == ["so-thu-admin"] and organization["reviewers"] == ["so-thu-cham"]
    registry = yaml.safe_load((repo / f"submissions/units/{YEAR}/{DEPARTMENT}.yaml").read_text(encoding="utf-8"))
    assert registry == {"body": DEPARTMENT, "reviewers": ["so-thu-cham"], "units": []}
    assert "* @so-thu-admin" in (repo / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert "/build/" in (repo / ".gitignore").read_text(encoding="utf-8")


def test_criteria_are_a_proposed_copy_of_the_newest_bundled_year(repo):
    source = starter.bundled_criteria()
    period, problems = load_period(DataRoot(repo), YEAR)
    assert not [p for p in problems if p.is_error]
    assert set(period.catalogues) == {p.stem for p in source.glob("*.yaml")} - {"year"}
    for catalogue in period.catalogues.values():
        assert catalogue.source == "provisional"
        assert catalogue.source_note.startswith(f"Đề xuất, chưa phải bộ tiêu chí do {NAME} ban hành")
        assert YEAR.replace("-", " - ") in catalogue.title
    assert period.deadline_source == "provisional"
    assert period.milestones and all(m.provisional for m in period.milestones)
    assert all(str(m.due.year) in YEAR for m in period.milestones)


def test_readme_is_vietnamese_for_the_maintainers(repo):
    text = (repo / "README.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Đánh giá ứng dụng CNTT — {NAME}")
    for words in (
        "## Các thư mục",
        "site-builder validate",
        "site-builder build --out build/site",
        "## Thêm đơn vị",
        f"site-builder new-year 2027-2028 --from {YEAR}",
        "## Xuất bản trang công khai",
        f"submissions/units/{YEAR}/{DEPARTMENT}.yaml",
    ):
        assert words in text, words


def test_the_new_repository_validates_and_builds(repo, tmp_path):
    done = site_builder("--root", repo, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    for check in ("codeowners", "editor-schemas"):
        done = site_builder("--root", repo, check, "--check")
        assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "site"
    done = site_builder("--root", repo, "build", "--out", out)
    assert done.returncode == 0, done.stderr
    home = (out / "index.html").read_text(encoding="utf-8")
    assert NAME in home
    criteria = (out / "tieu-chi/index.html").read_text(encoding="utf-8")
    assert "Điểm đề xuất" in criteria and "(hạn đề xuất)" in criteria
    search = (out / "tim-kiem/index.html").read_text(encoding="utf-8")
    assert "chưa có đơn vị nào" in search


def test_a_unit_added_to_the_registry_and_its_submission_validate(repo, tmp_path):
    work = tmp_path / "kho"
    shutil.copytree(repo, work)
    registry_file = work / f"submissions/units/{YEAR}/{DEPARTMENT}.yaml"
    registry = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    registry["units"].append(
        {
            "id": "thpt-thu-nghiem",
            "name": "Trường THPT Thử Nghiệm",
            "type": "truong-pho-thong",
            "level": "THPT",
            "area": "Huyện Thử",
            "website": "https://thpt-thu.example.edu.vn",
            "editors": ["thpt-thu-editor"],
        }
    )
    registry_file.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert site_builder("--root", work, "codeowners", "--check").returncode == 1  # the new unit has no line yet
    assert site_builder("--root", work, "codeowners").returncode == 0
    done = site_builder("--root", work, "new", "--year", YEAR, "--unit", "thpt-thu-nghiem")
    assert done.returncode == 0, done.stderr
    submission = work / f"submissions/{YEAR}/{DEPARTMENT}/thpt-thu-nghiem.yaml"
    period, _ = load_period(DataRoot(work), YEAR)
    item = next(
        i
        for i in period.catalogues["truong-pho-thong"].items.values()
        if i.evidence and i.evidence.required and i.evidence.kinds == ("pdf",)
    )
    (submission.parent / "thpt-thu-nghiem").mkdir()
    (submission.parent / "thpt-thu-nghiem" / "ke-hoach.pdf").write_bytes(pdf_bytes())
    data = yaml.safe_load(submission.read_text(encoding="utf-8"))
    data["tieu_chi"][item.id] = {"diem_tu_cham": item.max, "minh_chung": ["ke-hoach.pdf"]}
    submission.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = site_builder("--root", work, "validate")
    assert done.returncode == 0, done.stdout
    assert "hợp lệ" in done.stdout
    data["tieu_chi"][item.id]["diem_tu_cham"] = item.max + 1  # the same file, one score above the max
    submission.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = site_builder("--root", work, "validate")
    assert done.returncode == 1 and f"tiêu chí {item.id}" in done.stdout


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    target = tmp_path / "kho"
    target.mkdir()
    (target / "ghi-chu.txt").write_text("dữ liệu cũ", encoding="utf-8")
    done = init(target)
    assert done.returncode == 2
    assert "không trống" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in target.iterdir()) == ["ghi-chu.txt"]
    assert (target / "ghi-chu.txt").read_text(encoding="utf-8") == "dữ liệu cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kho"]  # no scratch folder left beside it


def test_init_into_an_existing_empty_folder(tmp_path):
    target = tmp_path / "kho"
    target.mkdir()
    done = init(target)
    assert done.returncode == 0, done.stderr
    assert (target / "submissions/organization.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kho"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--id", "Sở Thử"], "mã «Sở Thử» không hợp lệ"),
        (["--year", "2026-2028"], "hai năm liền nhau"),
        (["--year", "2026"], "năm học «2026» không hợp lệ"),
        (["--repository", "https://gitlab.com/so/kho"], "địa chỉ kho"),
        (["--maintainer", "sai--ten"], "tài khoản GitHub không hợp lệ: sai--ten"),
        (["--from-criteria", "."], "không có tệp year.yaml"),
        (["--from-criteria", str(PROJECT / "criteria" / "chuyen-doi-so-4725")], "không phải một năm học"),
    ],
)
def test_bad_arguments_are_usage_errors_in_vietnamese(tmp_path, args, words):
    base = {"--id": DEPARTMENT, "--name": NAME, "--year": YEAR}
    options = dict(base)
    extra = []
    for key, value in zip(args[::2], args[1::2]):
        if key in options:
            options[key] = value
        else:
            extra += [key, value]
    done = site_builder("init", tmp_path / "kho", *[x for kv in options.items() for x in kv], *extra, cwd=tmp_path)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "kho").exists()


def test_a_broken_source_catalogue_writes_nothing(tmp_path):
    source = tmp_path / "nguon" / "2020-2021"
    shutil.copytree(PROJECT / "criteria" / "2020-2021", source)
    catalogue = source / "truong-pho-thong.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("max: 30\n", "max: 31\n", 1), encoding="utf-8")
    done = init(tmp_path / "kho", "--from-criteria", source)
    assert done.returncode == 1
    assert "khác tổng các tiêu chí" in done.stderr and "Chưa ghi tệp nào" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nguon"]


def test_workflows_install_the_pinned_tool_not_a_source_checkout(repo):
    folder = repo / ".github/workflows"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in (PROJECT / ".github/workflows").iterdir())
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not any(word in text for word in starter_workflows.SOURCE_ONLY), path.name
        if "pip install" in text:
            assert "pip install -r requirements.txt" in text or 'pip" install -r nhanh-chinh/requirements.txt' in text
    comment = (folder / "pr-comment.yml").read_text(encoding="utf-8")
    # The comment job installs what the DEFAULT branch pins, never what the pull request changed.
    assert '"$RUNNER_TEMP/venv/bin/pip" install -r nhanh-chinh/requirements.txt' in comment
    assert "workflow_run:" in comment


def test_workflows_pass_zizmor_and_the_workflow_schema(repo):
    folder = repo / ".github/workflows"
    done = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=auditor", "--no-progress", str(folder)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "No findings to report" in done.stdout, done.stdout + done.stderr
    for path in sorted(folder.glob("*.yml")):
        done = subprocess.run(
            [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_changed_project_workflow_is_reported_not_silently_copied():
    text = (PROJECT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    with pytest.raises(starter_workflows.WorkflowMismatch):
        starter_workflows.adapt("publish.yml", text.replace("pip install --no-deps -e .", "pip install ."))


def test_requirements_line_is_written_or_left_as_an_example(tmp_path):
    pinned = "site-builder @ git+https://github.com/to-chuc/site-builder@0123456789abcdef0123456789abcdef01234567"
    done = init(tmp_path / "a", "--package", pinned)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "a/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == [pinned]
    assert "requirements.txt" not in done.stdout.split("Tiếp theo:")[1]
    done = init(tmp_path / "b", "--package", "")
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "b/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line and not line.startswith("#")]
    assert "Ghi dòng cài đặt site-builder vào requirements.txt" in done.stdout


@pytest.mark.parametrize(
    "day, year",
    [(dt.date(2026, 7, 31), "2025-2026"), (dt.date(2026, 8, 1), "2026-2027"), (dt.date(2027, 1, 15), "2026-2027")],
)
def test_default_year_is_the_current_school_year(day, year):
    assert starter.current_school_year(day) == year
