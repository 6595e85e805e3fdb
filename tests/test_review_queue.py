"""What awaits review and objections, from recorded GitHub API responses (tests/data/github/, in
the shape GitHub documents for pulls, pull files, issues and issue comments): the pages per
reviewing body, the unit page's objections, and the objection check the workflow runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_builder.objections import VALID_LABEL, parse_form
from tests.datarepo import write_review, write_school
from tests.test_pr_flow import cli, commit, new_repo

FIXTURES = Path(__file__).parent / "data" / "github"
PERIOD = "2023-2024"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("queue")
    root, repository = new_repo(tmp_path)
    write_school(root, PERIOD, "pgd-quan-1", "thcs-demo-b", scores={"1.1": 5})
    write_review(
        root,
        PERIOD,
        "pgd-quan-1",
        "thcs-demo-a",
        {"1.2": {"diem_cham": 5, "nhan_xet": "Đã xem lại theo phúc khảo."}, "3.4": {"diem_cham": 3}},
    )
    commit(repository, "Dữ liệu")
    site = tmp_path / "site"
    built = cli(
        root,
        "build",
        "--out",
        str(site),
        "--review-queue",
        str(FIXTURES / "hang-cho.json"),
        "--objections",
        str(FIXTURES / "phuc-khao.json"),
    )
    assert built.returncode == 0, built.stderr
    bare = tmp_path / "bare"
    assert cli(root, "build", "--out", str(bare)).returncode == 0
    return root, site, bare


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_body_page_lists_its_open_pull_requests_with_age_verdict_and_total(published):
    _root, site, _bare = published
    page = read(site, f"{PERIOD}/cho-cham/pgd-quan-1")
    assert 'data-fetched="2024-06-12T02:00:00+00:00"' in page and "Lấy từ GitHub lúc 12/06/2024 02:00" in page
    rows = dict(re.findall(r'<tr data-pull="(\d+)" data-verdict="(\w+)">', page))
    assert rows == {"11": "valid", "12": "invalid"}  # 13 touches a Department school
    row11 = re.search(r'<tr data-pull="11".*?</tr>', page, re.S).group(0)
    assert 'data-age="7"' in row11 and "✅ Hợp lệ" in row11
    assert '<span data-preview-total="thcs-demo-b">88,5/100</span>' in row11  # the bot's report, not a user's copy
    assert "Trường THCS Demo B" in row11 and 'href="https://github.com/so-gddt/danh-gia-cntt/pull/11"' in row11
    row12 = re.search(r'<tr data-pull="12".*?</tr>', page, re.S).group(0)
    assert "Bảng chấm" in row12 and "❌ Chưa hợp lệ" in row12


def test_department_page_has_its_own_units_and_every_body(published):
    _root, site, _bare = published
    page = read(site, f"{PERIOD}/cho-cham/so-gddt")
    assert re.findall(r'<tr data-pull="(\d+)"', page) == ["13"]
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "(bản nháp)" in page and "passwd" not in page
    assert re.search(
        r'href="[./]*2023-2024/cho-cham/pgd-quan-1/">Phòng Giáo dục và Đào tạo Quận 1</a>: 2 yêu cầu', page
    )
    office = read(site, f"{PERIOD}/quan-ly/pgd-quan-1")
    assert "Yêu cầu hợp nhất đang chờ chấm: 2" in office


def test_without_a_fetched_file_the_page_says_so(published):
    _root, _site, bare = published
    assert "Chưa có dữ liệu về các yêu cầu hợp nhất" in read(bare, f"{PERIOD}/cho-cham/pgd-quan-1")
    assert "data-objection" not in read(bare, f"{PERIOD}/don-vi/thcs-demo-a")


def test_unit_page_shows_open_and_settled_objections(published):
    _root, site, _bare = published
    page = read(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert set(re.findall(r'data-objection="(\d+)" data-objection-state="(\w+)"', page)) == {
        ("21", "settled"),
        ("22", "open"),
    }
    settled = re.search(r'<li data-objection="21".*?</li>', page, re.S).group(0)
    assert "đã giải quyết ngày 25/06/2024" in settled
    assert "<strong data-objection-final>5</strong>/5" in settled
    assert "Trả lời của người chấm pgd-q1-reviewer" in settled and "nâng điểm 1.2 lên 5" in settled
    assert re.search(r"commit <code>[0-9a-f]{7}</code>", settled)
    assert "đang xem xét" in re.search(r'<li data-objection="22".*?</li>', page, re.S).group(0)


def form(unit="thcs-demo-a", criterion="1.2", reason="Kế hoạch có đủ chữ ký.", evidence="_No response_"):
    return (
        f"### Mã đơn vị\n\n{unit}\n\n### Năm học\n\n{PERIOD}\n\n### Tiêu chí\n\n{criterion}\n\n"
        f"### Lý do\n\n{reason}\n\n### Minh chứng bổ sung\n\n{evidence}"
    )


def check(root: Path, tmp_path: Path, body: str, author: str) -> dict:
    file = tmp_path / "de-nghi.md"
    file.write_text(body, encoding="utf-8")
    result = cli(root, "objection-check", "--body-file", str(file), "--author", author)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_objection_check_accepts_the_units_editor_and_refuses_others_politely(published, tmp_path):
    root, _site, _bare = published
    assert parse_form(form())["criterion"] == "1.2" and parse_form(form())["evidence"] == ""
    ok = check(root, tmp_path, form(), "thcs-a")
    assert ok["valid"] and ok["labels"] == [VALID_LABEL] and not ok["close"]
    assert "@pgd-q1-reviewer" in ok["comment"]
    other = check(root, tmp_path, form(), "thcs-b")
    assert not other["valid"] and other["close"] and other["labels"] == []
    assert other["comment"].startswith("Cảm ơn đơn vị đã gửi đề nghị phúc khảo. Rất tiếc")
    assert "chỉ người soạn của đơn vị" in other["comment"] and "@\u200bthcs-b" in other["comment"]
    unscored = check(root, tmp_path, form(criterion="2.1"), "thcs-a")
    assert not unscored["valid"] and "chưa có điểm chấm được công bố" in unscored["comment"]
    unknown = check(root, tmp_path, form(unit="khong-co"), "thcs-a")
    assert "không có đơn vị mã «khong-co»" in unknown["comment"]
    link = check(root, tmp_path, form(evidence="javascript:alert(1)"), "thcs-a")
    assert not link["valid"] and "đường link http(s)" in link["comment"]


def test_objection_check_refuses_in_vietnamese_while_the_data_has_errors(tmp_path):
    root, _repository = new_repo(tmp_path)
    school = root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("don_vi:", "don_vi_sai:", 1), encoding="utf-8")
    file = tmp_path / "phuc-khao.md"
    file.write_text(form(), encoding="utf-8")
    result = cli(root, "objection-check", "--body-file", str(file), "--author", "thcs-a")
    assert result.returncode == 1 and result.stdout == ""
    assert "thcs-demo-a.yaml" in result.stderr
    assert "Chưa kiểm tra được đề nghị phúc khảo khi dữ liệu còn lỗi." in result.stderr
    assert "Traceback" not in result.stderr
