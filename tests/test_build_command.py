"""`site-builder build`: a file-system error is said in Vietnamese (exit 1, no traceback); when it
happens before the first file of the site is replaced, the previous site stays as it was."""

from __future__ import annotations

import pytest

from site_builder.cli import main
from tests.datarepo import make_repo

pytestmark = pytest.mark.slow


def test_an_os_error_keeps_the_previous_site_and_says_why(tmp_path, capsys):
    root = make_repo(tmp_path / "repo")
    out = tmp_path / "site"
    assert main(["--root", str(root), "build", "--out", str(out)]) == 0
    assert (out / "index.html").is_file() and not list(tmp_path.glob("site.*"))
    before = (out / "index.html").read_bytes()
    capsys.readouterr()
    # Something in the way of the build's own scratch folder: the build cannot write there.
    blocker = out.with_name(f"{out.name}.docs")
    blocker.write_text("không phải thư mục", encoding="utf-8")
    assert main(["--root", str(root), "build", "--out", str(out)]) == 1
    said = capsys.readouterr()
    assert "Traceback" not in said.err
    assert said.err.startswith("Không xây dựng được trang: lỗi khi đọc hoặc ghi tệp «")
    assert "một phần của đường dẫn là tệp chứ không phải thư mục" in said.err
    assert "Trang đã có (nếu có) giữ nguyên." in said.err
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site", "site.docs"]
    blocker.unlink()
    assert main(["--root", str(root), "build", "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site"]


def test_a_fault_of_the_program_is_said_without_a_traceback(tmp_path, capsys, monkeypatch):
    """Data the checks accepted must build; if the program itself fails, the message says so in
    Vietnamese, names where, and the previous site stays."""
    from site_builder.website import build

    root = make_repo(tmp_path / "repo")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("trang cũ", encoding="utf-8")

    def broken(*_args, **_kwargs):
        raise KeyError("khong-co-muc-nay")

    monkeypatch.setattr(build, "gather", broken)
    assert main(["--root", str(root), "build", "--out", str(out)]) == 1
    said = capsys.readouterr()
    assert "Traceback" not in said.err
    assert said.err.startswith("Không xây dựng được trang: lỗi chương trình (KeyError tại website/build.py:")
    assert "Hãy báo lỗi cho người quản trị" in said.err
    assert (out / "index.html").read_text(encoding="utf-8") == "trang cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site"]


def test_the_build_reports_the_datas_problems_as_validate_does_so_a_workflow_checks_once(tmp_path, capsys, monkeypatch):
    """`build --format github --full-report F` (the publish workflow): annotations, the job summary
    and the full list, for warnings on data that builds and for errors that stop the build."""
    from tests.datarepo import pdf_bytes, write

    root = make_repo(tmp_path / "repo")
    unit_folder = root / "submissions/2023-2024/pgd-quan-1/thcs-demo-a"
    write(unit_folder / "khong-dung-den.pdf", pdf_bytes("thừa"))  # a file no criterion cites: a warning
    summary, full = tmp_path / "summary.md", tmp_path / "kiem-tra" / "day-du.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = [
        "--root",
        str(root),
        "build",
        "--out",
        str(tmp_path / "site"),
        "--format",
        "github",
        "--full-report",
        str(full),
    ]
    assert main(args) == 0
    said = capsys.readouterr()
    assert "::warning file=submissions/2023-2024/pgd-quan-1/thcs-demo-a" in said.out
    assert "khong-dung-den.pdf" in full.read_text(encoding="utf-8")
    assert "hợp lệ, có 1 cảnh báo nên xem lại" in summary.read_text(encoding="utf-8")

    school = unit_folder.with_suffix(".yaml")
    school.write_text(school.read_text(encoding="utf-8").replace("don_vi:", "don_vi_sai:", 1), encoding="utf-8")
    before = (tmp_path / "site" / "index.html").read_bytes()
    assert main(args) == 1
    said = capsys.readouterr()
    assert "::error file=submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml" in said.out
    assert "Không xây dựng trang vì dữ liệu còn lỗi." in said.err and "Traceback" not in said.err
    assert "thcs-demo-a.yaml" in full.read_text(encoding="utf-8")
    assert (tmp_path / "site" / "index.html").read_bytes() == before  # the published site stays
