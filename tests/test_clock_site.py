"""On time or late, end to end: a real git history made the way GitHub makes it (a test key stands in
for GitHub's web-flow key), a real site build, and the status shown on each unit page and in the
JSON download.

One repository holds one unit per case (2023-2024: window opens 13/05/2024, deadline 07/06/2024,
plan due 06/10/2023), so a single build checks them all.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from site_builder.testing_git import GITHUB, Repo, Signer
from site_builder.website.downloads import read_json
from tests.datarepo import OFFICE_UNITS, PROJECT, dump, make_repo, pdf_bytes, school_submission, write_registry

pytestmark = pytest.mark.slow

VN = dt.timezone(dt.timedelta(hours=7))
PERIOD = "2023-2024"
BODY = "pgd-quan-1"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=VN)


def unit_files(unit: str, scores: dict | None = None, stub: bool = False) -> dict:
    data = {"don_vi": unit, "nam_hoc": PERIOD, "tieu_chi": {}} if stub else school_submission(unit, PERIOD, scores)
    return {
        f"submissions/{PERIOD}/{BODY}/{unit}.yaml": dump(data),
        f"submissions/{PERIOD}/{BODY}/{unit}/ke-hoach-cntt.pdf": pdf_bytes(unit),
    }


def plan(unit: str, text: str = "", name: str = "ke-hoach.pdf") -> dict:
    return {f"submissions/{PERIOD}/{BODY}/{unit}/bao-cao/ke-hoach/{name}": pdf_bytes(text or f"{unit} plan")}


CASES = [  # unit id, what happens, expected status, expected received day (Vietnam)
    "thcs-web-before-merge-after",  # web edit 05/06, merged 10/06 -> on time (05/06)
    "thcs-forged-early",  # unsigned commit dated 01/06 in the PR, merged 12/06 -> late (12/06)
    "thcs-forged-late",  # unsigned commit dated 30/07, merged 06/06 -> on time (06/06)
    "thcs-odd-names",  # raw commit whose author carries \x1e \x1f \n, merged 04/06 -> on time
    "thcs-fast-forward",  # unsigned commits dated 20/05 fast-forwarded; next signed commit 20/06 -> late
    "thcs-rebase",  # "Rebase and merge" (unsigned) 03/06; next signed commit 04/06 -> on time
    "thcs-squash",  # "Squash and merge" 08/06 -> late
    "thcs-stub-then-scores",  # stub 20/05, scores 15/06 -> late, every criterion listed
    "thcs-before-opening",  # filed 01/05, before the window opens -> on time, counted from 13/05
    "thcs-untrusted-key",  # signed 01/06 by a key nobody trusts, merged 09/06 -> late (09/06)
    "thcs-unsigned-tip",  # pushed to main without any signature afterwards -> unknown
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("clock-site")
    root = make_repo(base / "repo")
    (root / f"submissions/{PERIOD}/{BODY}/thcs-demo-a.yaml").unlink()  # make_repo's own school: not a case
    write_registry(
        root,
        PERIOD,
        BODY,
        OFFICE_UNITS
        + [
            {
                "id": u,
                "name": f"Trường THCS {u}",
                "type": "truong-pho-thong",
                "level": "THCS",
                "area": "Quận 1",
                "editors": [u],
            }
            for u in CASES
        ],
        reviewers=["pgd-q1-reviewer"],
    )
    with Signer.create() as github, Signer.create("Ai đó", "ai-do@example.invalid") as stranger:
        (root / "submissions/keys").mkdir(parents=True)
        github.export_public(root / "submissions/keys/github-thu.asc")
        organization = yaml.safe_load((root / "submissions/organization.yaml").read_text(encoding="utf-8"))
        organization["clock"] = {"signers": ["github-thu"]}
        (root / "submissions/organization.yaml").write_text(dump(organization), encoding="utf-8")
        repo = Repo(root)
        repo.commit("Khởi tạo kho dữ liệu", author=("Quản trị", "qt@example.invalid"), author_time=at("2023-09-01"))
        _history(repo, github, stranger)
    out = base / "site"
    run = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), "build", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    data = read_json(out, PERIOD)
    return out, {u["id"]: u for u in data["units"]}


def _history(repo: Repo, github: Signer, stranger: Signer) -> None:
    # the plan of the replaced-report case: on time, then replaced after its due date
    repo.web_edit("ke-hoach", plan("thcs-web-before-merge-after", "ban dau"), when=at("2023-10-01"), signer=github)
    repo.merge("ke-hoach", when=at("2023-10-02"), signer=github)
    repo.web_edit("ke-hoach-moi", plan("thcs-web-before-merge-after", "ban moi"), when=at("2023-11-15"), signer=github)
    repo.merge("ke-hoach-moi", when=at("2023-11-16"), signer=github)

    repo.web_edit("mo-som", unit_files("thcs-before-opening"), when=at("2024-05-01"), signer=github)
    repo.merge("mo-som", when=at("2024-05-02"), signer=github)

    repo.web_edit("stub", unit_files("thcs-stub-then-scores", stub=True), when=at("2024-05-20"), signer=github)
    repo.merge("stub", when=at("2024-05-21"), signer=github)

    repo.checkout("rebase")
    repo.commit("Nộp bài", unit_files("thcs-rebase"), author_time=at("2024-05-25"))
    repo.rebase_merge("rebase", when=at("2024-06-03"))

    repo.checkout("la")  # a crafted commit object: the author "name" carries \x1e, \x1f and a line break
    repo.commit("Nộp bài", unit_files("thcs-odd-names"), author_time=at("2024-06-02"))
    odd = b"author X\x1eY\x1f1717200000 +0700\x1eZ\n <x@example.invalid> 946684800 +0700"
    raw = re.sub(rb"(?m)^author .*$", lambda _m: odd, repo.raw(repo.head("la")), count=1)
    crafted = repo.raw_commit(raw, branch="la")
    assert b"\x1e" in repo.raw(crafted) and crafted == repo.head("la")
    repo.merge("la", when=at("2024-06-04"), signer=github)
    assert crafted in repo.git("rev-list", "HEAD").split()

    repo.web_edit("web", unit_files("thcs-web-before-merge-after"), when=at("2024-06-05"), signer=github)
    repo.checkout("late-dates")
    repo.commit(
        "Nộp bài", unit_files("thcs-forged-late"), author_time=at("2024-07-30"), committer_time=at("2024-07-30")
    )
    repo.merge("late-dates", when=at("2024-06-06"), signer=github)
    repo.checkout("squash")
    repo.commit("Nộp bài", unit_files("thcs-squash"), author_time=at("2024-05-30"))
    repo.squash("squash", when=at("2024-06-08"), signer=github)
    repo.checkout("stranger")
    repo.commit(
        "Nộp bài",
        unit_files("thcs-untrusted-key"),
        author_time=at("2024-06-01"),
        committer=GITHUB,
        committer_time=at("2024-06-01"),
        signer=stranger,
        signed_at=at("2024-06-01"),
    )
    repo.merge("stranger", when=at("2024-06-09"), signer=github)
    repo.merge("web", when=at("2024-06-10"), signer=github)
    repo.checkout("early-dates")
    repo.commit(
        "Nộp bài", unit_files("thcs-forged-early"), author_time=at("2024-06-01"), committer_time=at("2024-06-01")
    )
    repo.merge("early-dates", when=at("2024-06-12"), signer=github)
    repo.web_edit("scores", unit_files("thcs-stub-then-scores"), when=at("2024-06-15"), signer=github)
    repo.merge("scores", when=at("2024-06-16"), signer=github)
    repo.checkout("ff")  # a maintainer fast-forwards a unit's unsigned, back-dated commits
    repo.commit(
        "Nộp bài", unit_files("thcs-fast-forward"), author_time=at("2024-05-20"), committer_time=at("2024-05-20")
    )
    repo.fast_forward("ff")
    repo.web_edit("other", plan("thcs-forged-late"), when=at("2024-06-20"), signer=github)
    repo.merge("other", when=at("2024-06-20", 11), signer=github)  # the first signed commit containing "ff"
    repo.commit(
        "Quản trị đẩy thẳng lên main",
        unit_files("thcs-unsigned-tip"),
        author_time=at("2024-06-01"),
        committer_time=at("2024-06-01"),
    )


EXPECTED = {
    "thcs-web-before-merge-after": ("on_time", "2024-06-05"),
    "thcs-forged-early": ("late", "2024-06-12"),
    "thcs-forged-late": ("on_time", "2024-06-06"),
    "thcs-odd-names": ("on_time", "2024-06-04"),
    "thcs-fast-forward": ("late", "2024-06-20"),
    "thcs-rebase": ("on_time", "2024-06-04"),
    "thcs-squash": ("late", "2024-06-08"),
    "thcs-stub-then-scores": ("late", "2024-06-15"),
    "thcs-before-opening": ("on_time", "2024-05-01"),
    "thcs-untrusted-key": ("late", "2024-06-09"),
    "thcs-unsigned-tip": ("unknown", None),
}


def page(out: Path, unit: str) -> str:
    return (out / f"{PERIOD}/don-vi/{unit}/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("unit", CASES)
def test_status_on_the_page_and_in_the_download(built, unit):
    out, records = built
    status, day = EXPECTED[unit]
    record = records[unit]
    assert record["status"] == status
    assert (record["received"]["date"][:10] if record["received"] else None) == day
    html = page(out, unit)
    assert f'data-status="{status}"' in html
    label = {"on_time": "Đúng hạn", "late": "Trễ hạn", "unknown": "chưa xác nhận thời điểm"}[status]
    assert label in html
    if day:
        shown = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
        assert shown in html


def test_stub_then_scores_lists_every_criterion_changed_after_the_deadline(built):
    out, records = built
    late = records["thcs-stub-then-scores"]["late_criteria"]
    assert sorted(c["id"] for c in late) == sorted(school_submission("x", PERIOD)["tieu_chi"])
    assert {c["date"][:10] for c in late} == {"2024-06-15"}
    html = page(out, "thcs-stub-then-scores")
    assert "Các tiêu chí thay đổi sau hạn nộp" in html and 'data-late-criterion="1.1"' in html
    assert records["thcs-stub-then-scores"]["first_received"]["date"][:10] == "2024-05-20"
    assert records["thcs-web-before-merge-after"]["late_criteria"] == []


def test_filing_before_the_window_counts_from_the_opening(built):
    out, records = built
    assert records["thcs-before-opening"]["before_opening"] is True
    assert "trước ngày mở nhận bài, tính là nộp ngày 13/05/2024" in page(out, "thcs-before-opening")


def test_replaced_milestone_shows_both_times(built):
    out, records = built
    milestone = next(m for m in records["thcs-web-before-merge-after"]["milestones"] if m["id"] == "ke-hoach")
    assert milestone["status"] == "on_time"
    assert milestone["first"]["date"][:10] == "2023-10-01"
    assert milestone["replaced"]["date"][:10] == "2023-11-15"
    assert "01/10/2023; thay bản mới 15/11/2023" in page(out, "thcs-web-before-merge-after")


def test_missing_plan_warns_on_the_criterion_that_needs_it(built):
    out, records = built
    criterion = next(c for c in records["thcs-forged-early"]["criteria"] if c["id"] == "4.1")
    assert criterion["final"] > 0 and "chưa nộp" in criterion["milestone_warning"]
    assert "data-milestone-warning" in page(out, "thcs-forged-early")
    assert records["thcs-forged-early"]["milestones"][0]["status"] == "missing"
