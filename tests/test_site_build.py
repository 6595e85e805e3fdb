"""Build a real site from a real, dated git repository and check the HTML, the listing data and
the downloads against the scorer. One build is shared by the tests of this module."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest
from jsonschema import Draft202012Validator

from site_builder.numbers import number
from site_builder.paths import DataRoot
from site_builder.scoring import score_period
from site_builder.testing_git import Repo, Signer
from site_builder.validate import validate_all
from site_builder.website.build import build_site
from site_builder.website.downloads import read_json
from tests.datarepo import OFFICE_UNITS, PROJECT, dump, make_repo, pdf_bytes, school_submission, write, write_registry

PERIOD = "2023-2024"
SCRIPT_NOTE = "Xem <script>alert('xss')</script> và <b>đậm</b>"
SCRIPT_COMMENT = "<img src=x onerror=alert(1)> chưa đủ minh chứng"
TAN_DINH = "Trường THCS Tân Định"
BROKEN_LINK = "https://thcs-demo-a.example.edu.vn/cong-khai"
LINK_ERROR = "Trang trả về lỗi 404 (không tìm thấy)."


VN = dt.timezone(dt.timedelta(hours=7))


def at(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment).replace(tzinfo=VN)


def make_site_repo(target: Path) -> Path:
    """make_repo plus: a school with a Vietnamese name submitted late, a reviewed school whose note
    and review carry HTML, one school that never submits; every filing goes through a pull request
    the way GitHub records it (web-editor commit and merge commit signed by a test key)."""
    root = make_repo(target, periods=("2020-2021", PERIOD))
    write_registry(
        root,
        PERIOD,
        "pgd-quan-1",
        OFFICE_UNITS
        + [
            {
                "id": "thcs-tan-dinh",
                "name": TAN_DINH,
                "type": "truong-pho-thong",
                "level": "THCS",
                "area": "Quận 1",
                "website": "https://thcs-tan-dinh.example.edu.vn",
                "editors": ["thcs-td"],
            }
        ],
        reviewers=["pgd-q1-reviewer"],
    )
    folder = f"submissions/{PERIOD}/pgd-quan-1"
    made = {
        p: (root / p).read_bytes()
        for p in (
            f"{folder}/thcs-demo-a.yaml",
            f"{folder}/thcs-demo-a/ke-hoach-cntt.pdf",
            f"{folder}/thcs-demo-a/bao-cao/ke-hoach/bao-cao.pdf",
        )
    }
    for p in made:
        (root / p).unlink()
    with Signer.create() as github:
        (root / "submissions/keys").mkdir()
        github.export_public(root / "submissions/keys/github-thu.asc")
        organization = __import__("yaml").safe_load(
            (root / "submissions/organization.yaml").read_text(encoding="utf-8")
        )
        organization["clock"] = {"signers": ["github-thu"]}
        write(root / "submissions/organization.yaml", dump(organization))
        repo = Repo(root)
        repo.commit("khởi tạo", author_time=at("2023-09-01T08:00:00"))
        plan = {k: v for k, v in made.items() if "bao-cao" in k}
        repo.web_edit("ke-hoach-a", plan, when=at("2023-10-02T09:00:00"), signer=github)
        repo.merge("ke-hoach-a", when=at("2023-10-03T09:00:00"), signer=github)
        submission = school_submission("thcs-demo-a", PERIOD)
        submission["tieu_chi"]["1.1"]["ghi_chu"] = SCRIPT_NOTE
        submission["tieu_chi"]["3.1"]["minh_chung"] = [BROKEN_LINK, "https://thcs-demo-a.example.edu.vn/"]
        repo.web_edit(
            "nop-a",
            {
                f"{folder}/thcs-demo-a.yaml": dump(submission),
                f"{folder}/thcs-demo-a/ke-hoach-cntt.pdf": made[f"{folder}/thcs-demo-a/ke-hoach-cntt.pdf"],
            },
            when=at("2024-06-05T10:00:00"),
            signer=github,
            message="THCS Demo A nộp bài",
        )
        repo.merge("nop-a", when=at("2024-06-06T10:00:00"), signer=github)
        repo.web_edit(
            "cham-a",
            {
                f"{folder}/thcs-demo-a.review.yaml": dump(
                    {
                        "don_vi": "thcs-demo-a",
                        "nam_hoc": PERIOD,
                        "nguoi_cham": "pgd-q1-reviewer",
                        "ngay_cham": "2024-06-12",
                        "tieu_chi": {"1.5": {"diem_cham": 7.5, "nhan_xet": SCRIPT_COMMENT}},
                    }
                )
            },
            when=at("2024-06-12T15:00:00"),
            signer=github,
            message="Phòng chấm THCS Demo A",
        )
        repo.merge("cham-a", when=at("2024-06-12T16:00:00"), signer=github)
        tan_dinh = school_submission("thcs-tan-dinh", PERIOD, {**_full(), "1.5": 7.5})
        repo.web_edit(
            "nop-td",
            {
                f"{folder}/thcs-tan-dinh.yaml": dump(tan_dinh),
                f"{folder}/thcs-tan-dinh/ke-hoach-cntt.pdf": pdf_bytes("thcs-tan-dinh"),
                f"{folder}/thcs-tan-dinh/bao-cao/ke-hoach/ke-hoach.pdf": pdf_bytes("td plan"),
            },
            when=at("2024-06-20T09:00:00"),
            signer=github,
            message="THCS Tân Định nộp bài",
        )
        repo.merge("nop-td", when=at("2024-06-20T10:00:00"), signer=github)
    write(
        root / "build/link-report.json",
        json.dumps(
            {  # as `site-builder check-links` writes it (not committed)
                BROKEN_LINK: {
                    "status": 404,
                    "ok": False,
                    "final_url": BROKEN_LINK,
                    "error": LINK_ERROR,
                    "error_code": "http",
                    "checked_at": "2024-06-21T00:00:00+07:00",
                },
                "https://thcs-demo-a.example.edu.vn/": {
                    "status": 200,
                    "ok": True,
                    "final_url": "https://thcs-demo-a.example.edu.vn/",
                    "error": None,
                    "error_code": None,
                    "checked_at": "2024-06-21T00:00:00+07:00",
                },
            }
        ),
    )
    return root


def _full() -> dict:
    from tests.datarepo import SCHOOL_SCORES

    return dict(SCHOOL_SCORES)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_site_repo(tmp_path_factory.mktemp("data"))
    out = tmp_path_factory.mktemp("out") / "site"
    result = validate_all(DataRoot(root))
    assert result.ok, result.errors
    report = build_site(root, out, validation=result)
    return root, out, result.dataset, report


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def cells(text: str, criterion: str) -> list[str]:
    row = re.search(rf'<tr data-criterion="{re.escape(criterion)}"[^>]*>(.*?)</tr>', text, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).replace("✓", "").strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_every_registered_unit_has_a_page_in_every_period(built):
    _root, site, dataset, report = built
    expected = 0
    with_submissions = {period_id for period_id, _unit in dataset.submissions}
    assert with_submissions == {"2020-2021", PERIOD}
    for period_id, period in dataset.periods.items():
        for unit in dataset.registry.period(period_id).units.values():
            if unit.type in period.catalogues:
                assert (site / period_id / "don-vi" / unit.id / "index.html").is_file(), (period_id, unit.id)
                expected += 1
    assert report.unit_pages == expected


def test_unit_page_numbers_equal_the_scorer(built):
    _root, site, dataset, _ = built
    scores = score_period(dataset, PERIOD)
    for unit_id in ("thcs-demo-a", "thcs-tan-dinh", "pgd-quan-1", "thcs-demo-b"):
        text = page(site, f"{PERIOD}/don-vi/{unit_id}")
        rows = scores.items[scores.items["unit"] == unit_id]
        assert len(rows) > 10
        for row in rows.itertuples():
            maximum, self_score, reviewer, final = cells(text, row.criterion)[1:5]
            assert maximum == number(row.max)
            assert self_score == number(row.self_score)
            assert final == number(row.final), (unit_id, row.criterion)
            assert reviewer == number(row.reviewer_score, "")
        total = scores.units.set_index("unit").loc[unit_id, "total"]
        assert f'data-total="{"" if total != total else round(total, 2)}"' in text


def test_reviewer_score_wins_and_reviewer_is_named(built):
    _root, site, _dataset, _ = built
    text = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert cells(text, "1.5")[1:5] == ["10", "10", "7,5", "7,5"]
    assert "pgd-q1-reviewer" in text and "12/06/2024" in text


def test_late_submission_is_flagged_and_on_time_is_not(built):
    _root, site, _dataset, _ = built
    late = page(site, f"{PERIOD}/don-vi/thcs-tan-dinh")
    assert '<span class="sb-status sb-late">Trễ hạn (hạn đề xuất)</span>' in late  # 2023-2024's deadline is proposed
    assert "20/06/2024" in late and "07/06/2024" in late
    on_time = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert '<span class="sb-status sb-on_time">Đúng hạn (hạn đề xuất)</span>' in on_time
    assert "Trễ hạn" not in on_time.split('id="bao-cao"')[0]


def test_the_vouching_commit_is_linked(built):
    root, site, _dataset, _ = built
    log = subprocess.run(["git", "log", "--format=%H %s"], cwd=root, capture_output=True, text=True).stdout
    sha = next(line.split()[0] for line in log.splitlines() if line.endswith("THCS Demo A nộp bài"))
    text = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert f"https://github.com/so-gddt/danh-gia-cntt/commit/{sha}" in text  # the web-editor commit, 05/06
    assert "hoàn tất lúc 05/06/2024 10:00" in text


def test_not_submitted_units_are_listed(built):
    _root, site, _dataset, _ = built
    listing = json.loads((site / PERIOD / "du-lieu/quan-1.json").read_text(encoding="utf-8"))
    by_id = {u["id"]: u for u in listing["units"]}
    assert by_id["thcs-demo-b"]["status"] == "missing" and by_id["thcs-demo-b"]["total"] is None
    assert by_id["thcs-tan-dinh"]["late"] is True and by_id["thcs-demo-a"]["late"] is False
    district = page(site, f"{PERIOD}/quan-ly/pgd-quan-1")
    row = re.search(r'<tr data-unit="thcs-demo-b">(.*?)</tr>', district, re.S).group(1)
    assert "Chưa nộp" in row
    assert '<tr id="quan-1">' in page(site, "cong-khai")


def test_milestones_on_time_late_missing(built):
    _root, site, _dataset, _ = built

    def row(unit_id, milestone):
        text = page(site, f"{PERIOD}/don-vi/{unit_id}")
        return re.search(rf'<tr data-milestone="{milestone}">(.*?)</tr>', text, re.S).group(1)

    assert "Đúng hạn" in row("thcs-demo-a", "ke-hoach") and "02/10/2023" in row("thcs-demo-a", "ke-hoach")
    late = row("thcs-tan-dinh", "ke-hoach")  # due 06/10/2023, its PDF first received 20/06/2024
    assert "Trễ hạn" in late and "20/06/2024" in late
    office = page(site, f"{PERIOD}/don-vi/pgd-quan-1")
    assert 'data-milestone="tong-ket"' in office and "Chưa nộp" in row("pgd-quan-1", "tong-ket")
    assert 'data-milestone="tong-ket"' not in page(site, f"{PERIOD}/don-vi/thcs-demo-a")  # owed by offices only


def test_district_page_shows_derived_ratio(built):
    _root, site, dataset, _ = built
    scores = score_period(dataset, PERIOD)
    derived = scores.items[(scores.items["unit"] == "pgd-quan-1") & scores.items["derived"]].iloc[0]
    text = page(site, f"{PERIOD}/quan-ly/pgd-quan-1")
    expected = (
        f"{number(derived.derived_numerator)}/{number(derived.derived_denominator)} đơn vị = "
        f"{number(derived.derived_percent)}%"
    )
    assert expected in text and derived.derived_band in text


def test_html_from_submissions_is_shown_as_text(built):
    _root, site, _dataset, _ = built
    text = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert "<script>alert" not in text and "<img src=x" not in text
    assert html.escape(SCRIPT_NOTE, quote=False).replace("'", "&#39;") in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_edit_and_new_file_links(built):
    _root, site, _dataset, _ = built
    text = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert (
        'href="https://github.com/so-gddt/danh-gia-cntt/edit/main/submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml"'
    ) in text and "Sửa bài tự đánh giá" in text
    missing = page(site, f"{PERIOD}/don-vi/thcs-demo-b")
    link = re.search(r'href="([^"]+)"[^>]*>Nộp bài tự đánh giá', missing).group(1)
    assert link.startswith("https://github.com/so-gddt/danh-gia-cntt/new/main/submissions/2023-2024/pgd-quan-1?")
    assert "filename=thcs-demo-b.yaml" in html.unescape(link)
    assert 'data-template="mau-tu-danh-gia.yaml"' in missing


def test_new_file_template_is_the_template_module_output(built):
    from urllib.parse import quote

    from site_builder import submission_template as templates

    _root, site, dataset, _ = built
    period = dataset.periods[PERIOD]
    unit = dataset.registry.unit(PERIOD, "thcs-demo-b")
    org = dataset.registry.organization
    base = templates.new_file_base(org.repository, org.branch, period, unit)
    saved = (site / f"{PERIOD}/don-vi/thcs-demo-b/mau-tu-danh-gia.yaml").read_text(encoding="utf-8")
    assert saved == templates.prefill_text(base, period, period.catalogues[unit.type], unit)
    assert saved.startswith("# yaml-language-server: $schema=") and "don_vi: thcs-demo-b" in saved
    assert len(f"{base}&value={quote(saved, safe='')}") <= 8191  # GitHub refuses longer links (414)
    assert f'href="{base}"'.replace("&", "&amp;") in page(site, f"{PERIOD}/don-vi/thcs-demo-b")
    assert not (site / f"{PERIOD}/don-vi/thcs-demo-a/mau-tu-danh-gia.yaml").exists()


def test_evidence_is_served_with_size_and_hash(built):
    root, site, _dataset, _ = built
    text = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    source = root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf"
    copy = site / f"minh-chung/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf"
    assert copy.read_bytes() == source.read_bytes()
    assert hashlib.sha256(source.read_bytes()).hexdigest() in text
    assert (
        f'<a href="../../../minh-chung/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf">ke-hoach-cntt.pdf</a>' in text
    )
    assert not (site / f"{PERIOD}/don-vi/thcs-demo-a/ke-hoach-cntt.pdf").exists()  # one copy, not beside the page


def test_broken_links_from_the_link_report(built):
    _root, site, _dataset, _ = built
    row = re.search(
        r'<tr data-criterion="3.1"[^>]*>(.*?)</tr>', page(site, f"{PERIOD}/don-vi/thcs-demo-a"), re.S
    ).group(1)
    assert row.count("liên kết hỏng") == 1 and html.escape(LINK_ERROR) in row
    listing = json.loads((site / PERIOD / "du-lieu/quan-1.json").read_text(encoding="utf-8"))
    unit = next(u for u in listing["units"] if u["id"] == "thcs-demo-a")
    assert unit["evidence"] == {"files": 1, "links": 2, "broken": 1}  # counts: the unit page lists them


def test_ties_are_explained(built):
    _root, site, _dataset, _ = built
    text = page(site, "xep-hang")
    assert "đồng hạng" in text
    assert "1, 2, 2, 4" in text


def test_demo_banner_and_provenance(built):
    root, site, _dataset, _ = built
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    # A unit page names the newest commit that changed what it shows (its files, its body's
    # registry file, the organisation, the year's criteria), as git itself finds it.
    unit_files = [
        f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml",
        f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.review.yaml",
        f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a",
        f"submissions/units/{PERIOD}/pgd-quan-1.yaml",
        "submissions/organization.yaml",
        f"criteria/{PERIOD}",
    ]
    unit_version = subprocess.run(
        ["git", "log", "-1", "--first-parent", "--format=%H", "--", *unit_files],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert len(unit_version) == 40
    for url in (
        "",
        "cong-khai",
        "xep-hang",
        "so-sanh",
        "tai-du-lieu",
        f"{PERIOD}/don-vi/thcs-demo-a",
        f"{PERIOD}/quan-ly/pgd-quan-1",
        "gioi-thieu",
    ):
        text = page(site, url) if url else (site / "index.html").read_text(encoding="utf-8")
        assert "Dữ liệu minh hoạ" in text, url
        if url != "gioi-thieu":
            expected = unit_version if "/don-vi/" in url else head
            assert "Nguồn dữ liệu" in text and expected[:10] in text, url
    assert "20/06/2024" in page(site, "cong-khai")  # build date = data commit date
    unit_page = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert "đó là lần gần nhất dữ liệu của đơn vị thay đổi" in unit_page and "trang tạo ngày" not in unit_page


def test_home_counts(built):
    _root, site, dataset, _ = built
    scores = score_period(dataset, PERIOD)
    text = (site / "index.html").read_text(encoding="utf-8")
    assert f'data-count="submitted">{int(scores.units["submitted"].sum())}<' in text
    assert 'data-count="late">1<' in text
    assert '<figure class="sb-figure sb-chart"><figcaption>' in text and '<ul class="sb-bars">' in text


def _page_totals(site: Path, units) -> dict[str, str]:
    out = {}
    for unit_id in units:
        text = page(site, f"{PERIOD}/don-vi/{unit_id}")
        out[unit_id] = re.search(r'data-total="([^"]*)"', text).group(1)
    return out


def test_downloads_equal_pages(built):
    _root, site, dataset, _ = built
    base = site / f"tai-ve/{PERIOD}/danh-gia-cntt-{PERIOD}"
    raw = (base.with_suffix(".csv")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    totals = _page_totals(site, [r["Mã đơn vị"] for r in rows])
    assert len(rows) == len(totals) >= 5
    for r in rows:
        assert (float(r["Tổng điểm"]) if r["Tổng điểm"] else "") == (
            float(totals[r["Mã đơn vị"]]) if totals[r["Mã đơn vị"]] else ""
        )
    document = read_json(site, PERIOD)
    schema = json.loads((PROJECT / "schema/download.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    index = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    validator.validate(index)
    assert list(index) == schema["$defs"]["index"]["required"]
    assert {p["body"] for p in index["parts"]} == {u["parent"] for u in document["units"]}
    for listed in index["parts"]:  # every part is a whole document of one reviewing body
        part = json.loads((base.parent / listed["file"]).read_text(encoding="utf-8"))
        validator.validate(part)
        assert list(part) == schema["$defs"]["part"]["required"]
        assert part["body"]["id"] == listed["body"] and len(part["units"]) == listed["units"]
        assert {u["parent"] for u in part["units"]} == {listed["body"]}
        assert part["period"] == index["period"] and "source" not in part  # provenance: the index only
    assert list(document["units"][0]) == schema["$defs"]["unit"]["required"]
    for unit in document["units"]:
        assert ("" if unit["total"] is None else float(unit["total"])) == (
            float(totals[unit["id"]]) if totals[unit["id"]] else ""
        )
    a = next(u for u in document["units"] if u["id"] == "thcs-demo-a")
    pdf = next(e for c in a["criteria"] for e in c["evidence"] if e["kind"] == "pdf")
    assert pdf["size"] > 0 and len(pdf["sha256"]) == 64
    assert a["reviewer"] == "pgd-q1-reviewer" and a["received"]["date"].startswith("2024-06-05T10:00")
    workbook = openpyxl.load_workbook(base.with_suffix(".xlsx"), read_only=True)
    assert workbook.sheetnames == ["Phòng GD&ĐT", "Trường phổ thông"]
    seen = 0
    for sheet in workbook.worksheets:
        header, *body = list(sheet.iter_rows(values_only=True))
        col_id, col_total = header.index("Mã đơn vị"), header.index("Tổng điểm")
        criterion = header.index("Tiêu chí 1.5") if "Tiêu chí 1.5" in header else None
        for row in body:
            seen += 1
            expected = totals[row[col_id]]
            assert (row[col_total] if row[col_total] is not None else "") == (float(expected) if expected else "")
            if row[col_id] == "thcs-demo-a":
                assert row[criterion] == 7.5
    assert seen == len(rows)


def test_no_broken_internal_links(built):
    _root, site, _dataset, _ = built
    checked = 0
    for file in site.rglob("*.html"):
        if file.name == "404.html" and file.parent == site:
            continue  # served for any missing URL, so the theme links it from the site root on purpose
        text = file.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            link = html.unescape(link)
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "mailto:", "//")):
                continue
            target = (file.parent / unquote(parts.path)).resolve()
            if parts.path == "" or target.is_dir():
                target = target / "index.html" if parts.path else file
            assert target.exists(), f"{file.relative_to(site)} → {link}"
            checked += 1
    assert checked > 500


def test_listing_json_links_resolve(built):
    _root, site, _dataset, _ = built
    index = json.loads((site / PERIOD / "du-lieu/index.json").read_text(encoding="utf-8"))
    for district in index["districts"]:
        data = json.loads((site / PERIOD / f"du-lieu/{district['slug']}.json").read_text(encoding="utf-8"))
        for unit in data["units"]:
            assert (site / unit["href"] / "index.html").is_file()
            assert set(unit["evidence"]) == {"files", "links", "broken"}


def test_unit_pages_are_small(built):
    _root, site, _dataset, _ = built
    sizes = [f.stat().st_size for f in (site / PERIOD / "don-vi").glob("*/index.html")]
    assert sizes and max(sizes) <= 30 * 1024  # the paper sheet (#ban-in) is part of the page


def test_two_builds_of_one_commit_are_identical(built, tmp_path):
    root, site, _dataset, _ = built
    again = tmp_path / "again"
    build_site(root, again)
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    different = sorted(str(k) for k in first if first[k] != second[k])
    assert different == []


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_build_refuses_invalid_data(tmp_path):
    root = make_repo(tmp_path / "data")
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml", "don_vi: thcs-demo-a\nnam_hoc: [\n")
    done = run_cli("--root", str(root), "build", "--out", str(tmp_path / "site"))
    assert done.returncode == 1
    assert "Không xây dựng trang vì dữ liệu còn lỗi" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "site").exists()


def test_build_command_without_git_says_dates_unknown(tmp_path):
    root = make_repo(tmp_path / "data")
    done = run_cli("--root", str(root), "build", "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    assert "không phải kho git" in done.stdout
    assert not any(word in (done.stdout + done.stderr).lower() for word in ("end of life", "zensical", "sponsor"))
    text = page(tmp_path / "site", f"{PERIOD}/don-vi/thcs-demo-a")
    assert "Đã nộp (chưa xác nhận thời điểm)" in text and "không phải kho git" in text


def test_build_date_comes_from_source_date_epoch(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "data")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717900800")  # 2024-06-09 02:40 UTC+7
    build_site(root, tmp_path / "site")
    assert "trang tạo ngày 09/06/2024" in page(tmp_path / "site", "cong-khai")
    document = read_json(tmp_path / "site", PERIOD)
    assert document["source"]["build_date"].startswith("2024-06-09T")
    assert document["source"]["commit"] is None and "không phải kho git" in document["source"]["history"]


def test_criteria_csv_has_a_row_per_unit_and_criterion(built):
    _root, site, _dataset, _ = built
    base = site / f"tai-ve/{PERIOD}/danh-gia-cntt-{PERIOD}"
    raw = base.with_name(base.name + "-tieu-chi.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    document = read_json(site, PERIOD)
    expected = {(u["id"], c["id"]): c for u in document["units"] if u["submitted"] for c in u["criteria"]}
    assert {(r["Mã đơn vị"], r["Tiêu chí"]) for r in rows} == set(expected) and len(rows) == len(expected)
    for r in rows:
        c = expected[(r["Mã đơn vị"], r["Tiêu chí"])]
        assert r["Dữ liệu minh hoạ"] == "Có"  # the test organisation is a demonstration
        assert float(r["Điểm tối đa"]) == c["max"] and int(r["Số minh chứng"]) == len(c["evidence"])
        assert (float(r["Điểm cuối cùng"]) if r["Điểm cuối cùng"] else None) == c["final"]
        assert (float(r["Điểm chấm"]) if r["Điểm chấm"] else None) == c["reviewer"]
    reviewed = next(r for r in rows if r["Mã đơn vị"] == "thcs-demo-a" and r["Tiêu chí"] == "1.5")
    assert reviewed["Điểm chấm"] == "7.5" and reviewed["Điểm cuối cùng"] == "7.5"
    page_text = page(site, "tai-du-lieu")
    assert f"danh-gia-cntt-{PERIOD}-tieu-chi.csv" in page_text and "CSV tiêu chí" in page_text


def test_downloads_say_they_are_demo_data_and_carry_real_dates(built):
    root, site, _dataset, _ = built
    base = site / f"tai-ve/{PERIOD}/danh-gia-cntt-{PERIOD}"
    document = read_json(site, PERIOD)
    assert document["demo"] is True and document["schema_version"] == 5
    a = next(u for u in document["units"] if u["id"] == "thcs-demo-a")
    assert a["file_sha256"] == hashlib.sha256((root / a["file"]).read_bytes()).hexdigest()
    assert a["file_sha256"] in page(site, f"{PERIOD}/don-vi/thcs-demo-a")  # the score sheet prints it
    assert all(u["file_sha256"] is None for u in document["units"] if not u["submitted"])
    rows = list(csv.reader(io.StringIO(base.with_suffix(".csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "Dữ liệu minh hoạ" and all(r[0] == "Có" for r in rows[1:])
    submitted = dict(zip(rows[0], next(r for r in rows if "thcs-demo-a" in r)))
    assert submitted["Ngày nộp"] == "2024-06-05" and submitted["Ngày chấm"] == "2024-06-12"
    workbook = openpyxl.load_workbook(base.with_suffix(".xlsx"))
    sheet = workbook["Trường phổ thông"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Dữ liệu minh hoạ"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Mã đơn vị")].value == "thcs-demo-a")
    received = row[header.index("Ngày nộp")]
    assert received.is_date and received.value.date() == dt.date(2024, 6, 5) and received.number_format == "dd/mm/yyyy"
    assert row[header.index("Ngày chấm")].value.date() == dt.date(2024, 6, 12)
    assert "demo" in page(site, "tai-du-lieu") and "Dữ liệu minh hoạ" in page(site, "tai-du-lieu")


def test_links_lead_somewhere(built):
    """No empty link anywhere; the demonstration's repository links are marked as such; the
    theme's search worker (never loaded: the site searches with Pagefind) is not shipped."""
    _root, site, _dataset, _ = built
    for file in site.rglob("*.html"):
        assert 'href=""' not in file.read_text(encoding="utf-8"), file
    unit = page(site, f"{PERIOD}/don-vi/thcs-demo-a")
    assert 'Sửa bài tự đánh giá</a> <span class="sb-flag sb-demo-repo">(kho minh hoạ)</span>' in unit
    assert not (site / "assets/javascripts/workers").exists() and not (site / "assets/javascripts/lunr").exists()


def test_the_search_index_has_one_record_per_unit_and_body_page_with_its_name(built):
    """The index is made from the registry before anything is scored (search_index.py): every
    unit and reviewing body page of the site has its record, titled with its name, and no record
    points at a page the site lacks."""
    import gzip
    import json

    _root, site, dataset, _ = built
    records = {}
    for fragment in (site / "pagefind/fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        records[record["url"].strip("/")] = record["meta"]["title"]
    pages = {
        str(p.parent.relative_to(site)) for kind in ("don-vi", "quan-ly") for p in site.glob(f"*/{kind}/*/index.html")
    }
    assert pages and set(records) == pages
    unit = dataset.registry.period(PERIOD).units["thcs-demo-a"]
    assert records[f"{PERIOD}/don-vi/thcs-demo-a"] == unit.name


def test_without_a_repository_there_are_no_repository_links(tmp_path):
    import yaml

    root = make_repo(tmp_path / "data")
    file = root / "submissions/organization.yaml"
    organization = yaml.safe_load(file.read_text(encoding="utf-8"))
    organization.pop("repository", None)
    organization["demo"] = False
    write(file, dump(organization))
    out = tmp_path / "site"
    build_site(root, out)
    generated = 0
    for html_file in out.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert 'href=""' not in text, html_file
        if 'class="sb-provenance"' not in text:
            continue  # the hand-written guides describe those links
        generated += 1
        assert "/commit/" not in text and "kho minh hoạ" not in text and "Nộp bài tự đánh giá" not in text, html_file
    assert generated > 10
    document = read_json(out, PERIOD)
    assert document["demo"] is False
    header = (out / f"tai-ve/{PERIOD}/danh-gia-cntt-{PERIOD}.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0]
    assert header.startswith("Năm học,") and "Dữ liệu minh hoạ" not in header
    index = json.loads((out / PERIOD / "du-lieu/index.json").read_text(encoding="utf-8"))
    assert index["demo"] is False


def test_charts_agree_with_the_tables(built):
    """Each bar carries the number it draws: the comparison's bars are the table's percentages, the
    home page's bars the number of units of each rating in the download."""
    _root, site, _dataset, _ = built
    compare = page(site, "so-sanh")
    bars = re.findall(r'<li data-value="([^"]*)" data-key="([^"]+)">', compare)
    assert bars
    rows = dict(
        re.findall(
            r'<tr data-body="([^"]+)">.*?<td class="sb-num sb-pct" data-label="Tỉ lệ">([^<]*)</td>', compare, re.S
        )
    )
    averages = dict(
        re.findall(r'<tr data-body="([^"]+)">.*?data-label="Tỉ lệ TB trực thuộc">([^<]*)</td>', compare, re.S)
    )
    own, children = bars[: len(rows)], bars[len(rows) :]
    assert rows and {k for _v, k in own} == set(rows) and {k for _v, k in children} == set(averages)
    for value, key in own:
        assert (number(float(value)) + "%" if value else "—") == rows[key], key
    for value, key in children:
        assert (number(float(value)) + "%" if value else "—") == averages[key], key
    document = read_json(site, PERIOD)
    home = (site / "index.html").read_text(encoding="utf-8").split('id="xu-huong"')[0]  # the ratings' chart
    grades = re.findall(r'<li data-value="([^"]*)"><span class="sb-bars__label">([^<]+)</span>', home)
    assert grades
    for value, label in grades:
        expected = sum(
            1 for u in document["units"] if (u["rating"] == label if label != "Chưa nộp" else not u["submitted"])
        )
        assert float(value) == expected, label
