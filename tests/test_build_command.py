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
