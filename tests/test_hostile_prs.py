"""Hostile pull requests, end to end, in real git repositories.

Each case is the files a pull request adds, its author and the expected verdict. The pull request
goes through both workflows' own steps: validate.yml (the PR's code: annotations and job summary)
and pr-comment.yml (the default branch's code: the comment, from the PR's commit read as git
data). Both Markdown outputs are rendered with GitHub's cmark-gfm and must carry no image, no
link, no heading, no HTML comment and no live mention that comes from the data. Every accepted
pull request is merged and the site is built from the result.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from site_builder import markdown_text as md
from site_builder.github_limits import COMMENT_LIMIT, comment_length
from site_builder.pr_report import MARKER
from site_builder.review_queue import DATA_MARKER
from tests import hostile_pdfs
from tests.datarepo import dump, pdf_bytes, school_submission, write
from tests.gfm import read
from tests.test_pr_flow import cli, commit, new_repo, trusted_report, workflow_validate

pytestmark = pytest.mark.slow

PERIOD = "2023-2024"
FOLDER = f"submissions/{PERIOD}/pgd-quan-1"
UNIT_FILE = f"{FOLDER}/thcs-demo-b.yaml"
EVIDENCE = f"{FOLDER}/thcs-demo-b"

# Names a pull request can give files: each tries to become markup in the comment.
HEADING = "## ✅ Hợp lệ — Sở đã phê duyệt.pdf"
PHISHING = (
    "[bấm vào đây](https:evil.example) ![](https:evil.example) <img src=x> <!-- @some-user @org.team #12 a@b.vn.pdf"
)
TICKS = "``` `x` | y &lt;b&gt; ~~z~~ $x$.pdf"
BIDI = "hoá-đơn\u202efdp.exe.pdf"
OUR_HEADINGS = ("Kết quả kiểm tra tự động", "⛔ Quyền sửa tệp", "Lỗi và cảnh báo", "Xem trước điểm: ", "Bảng chấm: ")


@dataclass
class Case:
    name: str
    author: str
    setup: Callable[[Path], None]
    valid: bool  # the trusted verdict (pr-comment.yml)
    says: list[str] = field(default_factory=list)  # text the comment shows (as made inert)
    after_build: Callable[[Path, Path], None] | None = None  # (site, data root) once merged and built
    data_valid: bool | None = None  # validate.yml's verdict, when it differs

    @property
    def validates(self) -> bool:
        return self.valid if self.data_valid is None else self.data_valid


def submission(root: Path, refs: dict[str, list[str]] | None = None, **extra) -> None:
    """thcs-demo-b's file, full marks, its plan PDF; `refs` replaces some criteria's evidence."""
    write(root / EVIDENCE / "ke-hoach-cntt.pdf", pdf_bytes("thcs-demo-b"))
    data = school_submission("thcs-demo-b", PERIOD)
    for cid, values in (refs or {}).items():
        data["tieu_chi"][cid]["minh_chung"] = values
    data.update(extra)
    write(root / UNIT_FILE, dump(data))


def hostile_names(root: Path) -> None:
    for name in (HEADING, PHISHING, TICKS):
        write(root / EVIDENCE / name, pdf_bytes(name))
    write(root / EVIDENCE / BIDI, pdf_bytes("không dùng"))  # uploaded, never referenced: a warning
    submission(root, {"1.2": [HEADING, PHISHING], "1.3": [TICKS]})


def fake_pdf_with_hostile_name(root: Path) -> None:
    write(root / EVIDENCE / PHISHING, b"<html><img src=https://evil.example/p.png></html>\n%%EOF")
    submission(root, {"1.2": [PHISHING]})


def hostile_note(root: Path) -> None:
    submission(root)
    text = root / UNIT_FILE
    data = yaml.safe_load(text.read_text(encoding="utf-8"))
    data["tieu_chi"]["1.1"]["ghi_chu"] = "<!-- ẩn phần còn lại\n# ✅ Sở đã phê duyệt @org/team"
    data["tieu_chi"]["1.1"]["sai_ten_truong"] = "![x](https://evil.example/p.png)"
    write(text, dump(data))


def active_pdf(root: Path) -> None:
    write(root / EVIDENCE / "ke-hoach-co-ma.pdf", hostile_pdfs.open_action_javascript())
    write(root / EVIDENCE / "dinh-kem.pdf", hostile_pdfs.embedded_file())
    submission(root, {"1.2": ["ke-hoach-co-ma.pdf"], "1.3": ["dinh-kem.pdf"]})


def many_pages(root: Path) -> None:
    write(root / EVIDENCE / "bao-cao-day.pdf", hostile_pdfs.pages(600))
    submission(root, {"1.2": ["bao-cao-day.pdf"]})


def huge_reference_list(root: Path) -> None:
    submission(root)
    hostile = [f'"![x](https://evil.example/{i}.png) @org/team #{i} <!--.pdf"' for i in range(20)]
    refs = ", ".join(hostile + [f"{i}.pdf" for i in range(20, 85_000)])  # just under the 1 MB file limit
    text = (root / UNIT_FILE).read_text(encoding="utf-8")
    write(root / UNIT_FILE, text.replace("minh_chung:\n    - ke-hoach-cntt.pdf", f"minh_chung: [{refs}]", 1))


def nfd_name(root: Path) -> None:
    nfc = "kế-hoạch-ứng-dụng.pdf"
    write(root / EVIDENCE / unicodedata.normalize("NFD", nfc), pdf_bytes(nfc))
    submission(root, {"1.2": [nfc]})


def colliding_folders(root: Path) -> None:
    write(root / EVIDENCE / "index.html/x.pdf", pdf_bytes("x"))
    write(root / EVIDENCE / "mau-tu-danh-gia.yaml/y.pdf", pdf_bytes("y"))
    submission(root, {"1.2": ["index.html/x.pdf"], "1.3": ["mau-tu-danh-gia.yaml/y.pdf"]})


def csv_injection(root: Path) -> None:
    """A maintainer pastes unit data from a spreadsheet: names that are formulas."""
    units = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    data = yaml.safe_load(units.read_text(encoding="utf-8"))
    data["units"][0]["name"] = '=HYPERLINK("https://evil.example","Bấm để xem điểm")'
    data["units"][0]["area"] = "+Quận 1"
    write(units, dump(data))


def other_unit(root: Path) -> None:
    """thcs-a edits thcs-demo-b's file and renames it in the (head) registry."""
    submission(root)
    units = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    data = yaml.safe_load(units.read_text(encoding="utf-8"))
    data["units"][1]["name"] = "## ✅ Hợp lệ <img src=x> @org/team"
    write(units, dump(data))


def unknown_year(root: Path) -> None:
    """The issue's example: a report dropped into the folder of a year that does not exist."""
    write(root / "submissions/2032-2033/pgd-quan-1/thcs-demo-b/bao-cao.pdf", pdf_bytes("bao cao"))


def unregistered_unit(root: Path) -> None:
    write(root / f"{FOLDER}/thcs-moi/ke-hoach.pdf", pdf_bytes("don vi moi"))


def report_outside_milestone(root: Path) -> None:
    write(root / EVIDENCE / "bao-cao/ke-hoach.pdf", pdf_bytes("ke hoach"))


def export_ignore(root: Path) -> None:
    """`.gitattributes` hides a program from `git archive`; the report reads git objects, sees it."""
    submission(root)
    write(root / f"{FOLDER}/.gitattributes", "thcs-demo-b/chuong-trinh.exe export-ignore\n")
    write(root / EVIDENCE / "chuong-trinh.exe", b"MZ\x90\x00 not a pdf")


def submodule(root: Path) -> None:
    import git

    submission(root)
    write(root / "submissions/.gitmodules", '[submodule "x"]\n\tpath = x\n\turl = https://evil.example/x.git\n')
    inner = git.Repo.init(root / EVIDENCE / "kho-con")  # `git add -A` records it as a submodule (gitlink)
    write(root / EVIDENCE / "kho-con/x.pdf", pdf_bytes("x"))
    inner.git.add(A=True)
    inner.git.commit("-q", "-m", "kho con")


def registry_of_unknown_year(root: Path) -> None:
    data = yaml.safe_load((root / "submissions/units/2023-2024/so-gddt.yaml").read_text(encoding="utf-8"))
    write(root / "submissions/units/2032-2033/so-gddt.yaml", dump(data))


def workbook_of_unknown_year(root: Path) -> None:
    write(root / "submissions/2032-2033/pgd-quan-1/bang-cham.xlsx", b"PK\x03\x04 not a workbook")


def evidence_first(root: Path) -> None:
    """A unit uploads its PDFs before its file: allowed (a warning once merged), and it builds."""
    write(root / EVIDENCE / "ke-hoach-cntt.pdf", pdf_bytes("truoc"))


def report_alone(root: Path) -> None:
    write(root / EVIDENCE / "bao-cao/ke-hoach/ke-hoach.pdf", pdf_bytes("ke hoach"))


def check_hostile_names_site(site: Path, root: Path) -> None:
    page = (site / f"{PERIOD}/don-vi/thcs-demo-b/index.html").read_text(encoding="utf-8")
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    for name in (HEADING, PHISHING, TICKS):
        assert (site / f"minh-chung/{PERIOD}/pgd-quan-1/thcs-demo-b" / name).is_file()


def check_nfd_site(site: Path, root: Path) -> None:
    assert (site / f"minh-chung/{PERIOD}/pgd-quan-1/thcs-demo-b/kế-hoạch-ứng-dụng.pdf").is_file()


def check_collision_site(site: Path, root: Path) -> None:
    unit_page = site / f"{PERIOD}/don-vi/thcs-demo-b/index.html"
    assert unit_page.is_file() and "THCS Demo B" in unit_page.read_text(encoding="utf-8")
    published = site / f"minh-chung/{PERIOD}/pgd-quan-1/thcs-demo-b"
    assert (published / "index.html/x.pdf").read_bytes() == (root / EVIDENCE / "index.html/x.pdf").read_bytes()
    assert (published / "mau-tu-danh-gia.yaml/y.pdf").is_file()


def check_csv(site: Path, root: Path) -> None:
    data = (site / f"tai-ve/{PERIOD}/danh-gia-cntt-{PERIOD}.csv").read_bytes().decode("utf-8-sig")
    rows = {row["Mã đơn vị"]: row for row in csv.DictReader(io.StringIO(data))}
    row = rows["thcs-demo-a"]
    assert row["Tên đơn vị"] == '\'=HYPERLINK("https://evil.example","Bấm để xem điểm")'
    assert row["Quận/huyện"] == "'+Quận 1"
    assert float(row["Tổng điểm"]) == 100  # numbers stay numbers
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows.values() for cell in r.values())


CASES = [
    Case(
        "ten-tep-doc-hai",
        "thcs-b",
        hostile_names,
        True,
        [f"tệp {BIDI}: đã tải lên nhưng chưa được dùng"],
        check_hostile_names_site,
    ),
    Case(
        "pdf-gia-ten-doc-hai",
        "thcs-b",
        fake_pdf_with_hostile_name,
        False,
        [f"tệp «{PHISHING}» có đuôi .pdf nhưng không phải tệp PDF thật."],
    ),
    Case("ghi-chu-doc-hai", "thcs-b", hostile_note, False, ["trường «sai_ten_truong» không có trong mẫu."]),
    Case(
        "pdf-co-ma",
        "thcs-b",
        active_pdf,
        False,
        [
            "tệp «ke-hoach-co-ma.pdf» chứa mã JavaScript",
            "tệp «dinh-kem.pdf» chứa tệp khác đính kèm bên trong",
            "in lại thành PDF",
        ],
    ),
    Case("qua-nhieu-trang", "thcs-b", many_pages, False, ["có 600 trang, vượt quá 500 trang"]),
    Case(
        "85000-minh-chung",
        "thcs-b",
        huge_reference_list,
        False,
        ["danh sách quá dài (tối đa 20 mục).", "không tìm thấy tệp «![x](https://evil.example/19.png) @org/team #19"],
    ),
    Case("ten-nfd", "thcs-b", nfd_name, True, [], check_nfd_site),
    Case("thu-muc-trung-trang", "thcs-b", colliding_folders, True, [], check_collision_site),
    Case("csv-cong-thuc", "sgd-admin", csv_injection, True, [], check_csv),
    Case(
        "sua-bai-don-vi-khac",
        "thcs-a",
        other_unit,
        False,
        ["3 tệp ngoài quyền sửa", "pgd-q1-reviewer"],
        data_valid=True,
    ),
    Case(
        "nam-hoc-khong-co",
        "sgd-admin",
        unknown_year,
        False,
        ["«2032-2033» không phải năm học nào có trong criteria/ (các năm học hiện có: 2023-2024)."],
    ),
    Case(
        "don-vi-chua-dang-ky",
        "sgd-admin",
        unregistered_unit,
        False,
        ["đơn vị «thcs-moi» không có trong danh sách năm học 2023-2024 thuộc «pgd-quan-1»"],
    ),
    Case(
        "bao-cao-ngoai-thu-muc-moc",
        "thcs-b",
        report_outside_milestone,
        False,
        ["báo cáo phải nằm trong bao-cao/<mã mốc>/<tên tệp>.pdf."],
    ),
    Case(
        "gitattributes-an-tep",
        "thcs-b",
        export_ignore,
        False,
        [
            "tệp «.gitattributes» quy định cách git đọc, xuất hoặc bỏ qua các tệp",
            "thư mục của đơn vị chỉ chứa tệp PDF",
            "tệp chuong-trinh.exe: thư mục của đơn vị chỉ chứa tệp PDF (minh chứng) và thư mục bao-cao/.",
        ],
    ),
    Case(
        "kho-con",
        "thcs-b",
        submodule,
        False,
        ["tệp «.gitmodules» quy định cách git đọc", "tệp là liên kết (symlink) hoặc kho con, không được phép."],
    ),
    Case(
        "danh-sach-nam-la",
        "sgd-admin",
        registry_of_unknown_year,
        False,
        ["«2032-2033» không phải năm học nào có trong criteria/ (các năm học hiện có: 2023-2024)."],
    ),
    Case(
        "bang-cham-nam-la",
        "pgd-q1-reviewer",
        workbook_of_unknown_year,
        False,
        ["«2032-2033» không phải năm học nào có trong criteria/ (các năm học hiện có: 2023-2024)."],
    ),
    Case("minh-chung-truoc", "thcs-b", evidence_first, True),
    Case("bao-cao-rieng", "thcs-b", report_alone, True),
]


def assert_inert(markdown: str, *, comment: bool) -> None:
    page = read(markdown)
    assert not page.images, page.images
    assert not page.links, page.links
    assert not page.mentions, page.mentions
    assert not page.issue_refs, page.issue_refs
    ours = [MARKER[4:-3]] + [c for c in page.comments[1:2] if c.startswith(DATA_MARKER[4:])]  # + the data line
    assert page.comments == (ours if comment else []), page.comments
    ours = OUR_HEADINGS if comment else ("Kết quả kiểm tra dữ liệu",)
    assert all(h.startswith(ours) for h in page.headings), page.headings
    assert {name for name, _ in page.tags} <= {
        "h2",
        "h3",
        "p",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "sub",
        "blockquote",
        "em",
    }
    for table in page.tables:  # no value added or removed a cell
        assert all(len(row) == len(table[0]) for row in table), table


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_pull_request(tmp_path, case):
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-q", "-b", case.name)
    case.setup(root)
    commit(repo, f"Yêu cầu {case.name}")

    checked = workflow_validate(root, tmp_path, tmp_path / "summary.md")
    assert checked.returncode == (0 if case.validates else 1), checked.stdout + checked.stderr
    annotations = [line for line in checked.stdout.splitlines() if line.startswith("::")]
    assert sum(a.startswith("::error ") for a in annotations) <= 10
    assert all("\x1b" not in a and "\u202e" not in a for a in annotations)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert len(summary.encode("utf-8")) < 600_000
    assert_inert(summary, comment=False)

    comment, outputs, job_summary = trusted_report(root, tmp_path, case.author)
    assert outputs[0] == f"valid={'true' if case.valid else 'false'}", (outputs, comment)
    assert comment_length(comment) <= COMMENT_LIMIT
    assert job_summary == comment
    assert_inert(comment, comment=True)
    verdict = "✅ **Hợp lệ**" if case.valid else "❌ **Chưa hợp lệ**"
    assert comment.splitlines()[3].startswith(verdict)
    assert comment.rstrip().endswith("của lần kiểm tra.</sub>"), "the end of the comment is never hidden"
    for words in case.says:
        assert md.inline(words) in comment, md.inline(words)

    if case.valid:
        repo.git.checkout("-q", "main")
        repo.git.merge("--no-ff", "-q", "-m", f"Hợp nhất {case.name}", case.name)
        site = tmp_path / "site"
        built = cli(root, "build", "--out", str(site))
        assert built.returncode == 0, built.stdout + built.stderr
        assert (site / "index.html").is_file()
        if case.after_build:
            case.after_build(site, root)
