"""The whole pull-request story in a real git repository, with the commands the workflows run.

Only GitHub itself is faked: the event payload file and the GITHUB_STEP_SUMMARY / GITHUB_OUTPUT
files. Everything else (git, the CLI in a subprocess, the validator, scoring) is the real thing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest
import yaml

from site_builder.pr_report import MARKER, changed_files, open_repo
from tests.datarepo import PROJECT, dump, make_repo, pdf_bytes, write

PERIOD = "2023-2024"
UNIT_FILE = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.yaml"
REVIEW_FILE = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.review.yaml"


def cli(repo: Path, *args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    merged = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    merged.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", *args], capture_output=True, text=True, cwd=repo, env=merged, input=stdin
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def commit(repo: git.Repo, message: str) -> None:
    repo.git.add(A=True)
    repo.git.commit("-q", "-m", message)


def new_repo(tmp_path: Path) -> tuple[Path, git.Repo]:
    root = make_repo(tmp_path / "repo")
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Kiểm thử")
        config.set_value("user", "email", "kiem-thu@example.invalid")
    commit(repo, "Dữ liệu ban đầu")
    repo.create_remote("origin", str(root))
    return root, repo


def set_scores(root: Path, scores: dict, evidence: dict | None = None) -> list[str]:
    """Edit the unit's file as a clerk would: replace the 0 after each criterion, keep the comments."""
    path = root / UNIT_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    current = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith('"') and stripped.endswith('":'):
            current = stripped[1:-2]
        elif current in scores and stripped.startswith("diem_tu_cham:"):
            lines[index] = f"    diem_tu_cham: {scores[current]}"
        elif current in (evidence or {}) and stripped.startswith("minh_chung:"):
            lines[index] = f"    minh_chung: [{evidence[current]}]"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def line_of(lines: list[str], criterion: str, key: str) -> int:
    start = lines.index(f'  "{criterion}":')
    return next(i for i in range(start, len(lines)) if lines[i].strip().startswith(key)) + 1


def _steps(workflow: str):
    data = yaml.safe_load((PROJECT / ".github/workflows" / workflow).read_text(encoding="utf-8"))
    return [s for job in data["jobs"].values() for s in job["steps"]]


def workflow_step(
    root: Path, tmp_path: Path, name: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess:
    """Run one `run:` step of validate.yml or pr-comment.yml as GitHub would (bash -eo pipefail),
    in the test repo. origin/main is refreshed first, as actions/checkout with fetch-depth 0
    provides it. The tool the install step would put in the runner is this checkout's."""
    git.Repo(root).remotes.origin.fetch()
    step = next(s for workflow in ("validate.yml", "pr-comment.yml") for s in _steps(workflow) if s.get("name") == name)
    runner = tmp_path / "runner"
    tool = runner / "venv/bin/site-builder"  # what "Cài công cụ kiểm tra từ nhánh chính" installs
    if not tool.exists():
        tool.parent.mkdir(parents=True)
        tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m site_builder "$@"\n', encoding="utf-8")
        tool.chmod(0o755)
    merged = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    merged.update(
        {
            "RUNNER_TEMP": str(runner),
            "BASE_REF": "main",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        },
        **env,
    )
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd or root,
        env=merged,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def trusted_report(root: Path, tmp_path: Path, author: str) -> tuple[str, list[str], str]:
    """pr-comment.yml's steps on the pull request whose head is `root`'s HEAD: a checkout of
    main in a fresh workspace (what actions/checkout makes), the fetch of the PR's commit as git
    data, the report. Returns the comment, the step outputs and the job summary."""
    workspace = tmp_path / "workspace"
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir()
    git.Repo.clone_from(str(root), workspace / "nhanh-chinh", branch="main")
    head = git.Repo(root).head.commit.hexsha
    fetched = workflow_step(
        root,
        tmp_path,
        "Lấy commit của yêu cầu (chỉ dữ liệu git, không mở ra thư mục làm việc)",
        cwd=workspace,
        HEAD_SHA=head,
        TOKEN="",
    )
    assert fetched.returncode == 0, fetched.stderr
    checkout = git.Repo(workspace / "nhanh-chinh")
    assert checkout.head.commit.hexsha == git.Repo(root).commit("main").hexsha and not checkout.is_dirty(
        untracked_files=True
    ), "the PR's files are never written to a working tree"
    output, summary = tmp_path / "github_output_report", tmp_path / "summary_report.md"
    for file in (output, summary):
        file.unlink(missing_ok=True)
    report = workflow_step(
        root,
        tmp_path,
        "Kiểm tra yêu cầu và soạn bình luận",
        cwd=workspace,
        AUTHOR=author,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert report.returncode == 0, report.stdout + report.stderr  # an invalid PR still gets its comment
    comment = (tmp_path / "runner/binh-luan.md").read_text(encoding="utf-8")
    assert not (workspace / "nhanh-chinh/.cache").exists(), "the trusted report keeps no cache in a checkout"
    return comment, output.read_text(encoding="utf-8").splitlines(), summary.read_text(encoding="utf-8")


def workflow_validate(root: Path, tmp_path: Path, summary: Path) -> subprocess.CompletedProcess:
    return workflow_step(root, tmp_path, "Kiểm tra các tệp đã thay đổi", GITHUB_STEP_SUMMARY=str(summary))


def test_unit_submits_reviewer_grades_other_unit_is_refused_and_site_builds(tmp_path):
    root, repo = new_repo(tmp_path)

    # 1. The unit creates its file from the template on its own branch.
    repo.git.checkout("-q", "-b", "thcs-demo-b-nop-bai")
    created = cli(root, "new", "--year", PERIOD, "--unit", "thcs-demo-b")
    assert created.returncode == 0, created.stderr
    assert (
        (root / UNIT_FILE)
        .read_text(encoding="utf-8")
        .startswith(f"# yaml-language-server: $schema=../../../schema/editor/{PERIOD}/truong-pho-thong.schema.json\n")
    )

    # 2. A bad version: 4.3 above its max (2), 1.2 scored without its required PDF.
    lines = set_scores(root, {"1.2": 5, "4.3": 7})
    commit(repo, "Tự chấm (còn lỗi)")
    summary = tmp_path / "summary.md"
    checked = workflow_validate(root, tmp_path, summary)
    assert checked.returncode in (1, 123)  # 123: xargs says the validator failed
    annotations = [line for line in checked.stdout.splitlines() if line.startswith("::error ")]
    above = line_of(lines, "4.3", "diem_tu_cham")
    no_pdf = line_of(lines, "1.2", "minh_chung")
    assert any(f"file={UNIT_FILE},line={above}," in a and "lớn hơn điểm tối đa 2" in a for a in annotations), (
        annotations
    )
    assert any(f"file={UNIT_FILE},line={no_pdf}," in a and "thiếu minh chứng bắt buộc" in a for a in annotations), (
        annotations
    )
    assert len(annotations) == 2
    assert f"`{UNIT_FILE}:{above}:" in summary.read_text(encoding="utf-8")

    comment, outputs, job_summary = trusted_report(root, tmp_path, "thcs-b")
    assert outputs == ["valid=false", "errors=2", "denied=0"]
    assert job_summary == comment
    assert comment.startswith(MARKER + "\n")
    assert "❌ **Chưa hợp lệ**: 2 lỗi" in comment
    assert f"`{UNIT_FILE}:{above}:" in comment and "điểm tự chấm 7 lớn hơn điểm tối đa 2" in comment
    assert "Quyền sửa tệp" not in comment  # the unit's own editor
    assert comment.index("Lỗi và cảnh báo") < comment.index("Xem trước điểm")
    assert "Chưa tính được điểm vì tệp còn lỗi" in comment

    # 3. The fixed version: 4.3 = 2, the PDF uploaded next to the file and listed.
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/ke-hoach.pdf", pdf_bytes("kế hoạch"))
    set_scores(root, {"1.2": 5, "4.3": 2}, evidence={"1.2": "ke-hoach.pdf"})
    commit(repo, "Sửa lỗi")
    fixed = workflow_validate(root, tmp_path, tmp_path / "summary2.md")
    assert fixed.returncode == 0, fixed.stdout
    assert "::error" not in fixed.stdout
    partial_count = int(re.search(r"Đã kiểm tra (\d+) tệp", fixed.stdout).group(1))
    comment, outputs, _summary = trusted_report(root, tmp_path, "thcs-b")
    assert outputs == ["valid=true", "errors=0", "denied=0"]
    assert "✅ **Hợp lệ**" in comment
    assert "| 1.2 | 5 | 5 | mới | ✅ 1 minh chứng |" in comment
    assert "| 4.3 | 2 | 2 | mới | không yêu cầu |" in comment
    assert "**Tổng điểm: 7/100 = 7% điểm tối đa — xếp loại dự kiến (theo điểm tự chấm): Yếu**" in comment
    assert "chưa có minh chứng (chỉ được 0 điểm): 1.3, 1.4" in comment

    # 4. Merged; then the unit raises 1.1 on a second PR: the preview shows the change vs main.
    repo.git.checkout("-q", "main")
    repo.git.merge("--no-ff", "-q", "-m", "Hợp nhất bài nộp", "thcs-demo-b-nop-bai")
    repo.git.checkout("-q", "-b", "thcs-demo-b-sua")
    set_scores(root, {"1.1": 4})
    commit(repo, "Tăng 1.1")
    report = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "thcs-b")
    assert report.returncode == 0, report.stdout
    assert "| 1.1 | 5 | 4 | +4 | không yêu cầu |" in report.stdout
    assert "| 1.2 | 5 | 5 | không đổi |" in report.stdout
    assert "| **Tổng** | **100** | **11** | **+4** |" in report.stdout
    repo.git.checkout("-q", "main")

    # 5. The reviewer records reviewer scores: allowed for the reviewer, refused for the unit.
    repo.git.checkout("-q", "-b", "cham-thcs-demo-b")
    write(
        root / REVIEW_FILE,
        dump(
            {
                "don_vi": "thcs-demo-b",
                "nam_hoc": PERIOD,
                "nguoi_cham": "pgd-q1-reviewer",
                "ngay_cham": "2024-06-12",
                "tieu_chi": {"1.2": {"diem_cham": 4, "nhan_xet": "Kế hoạch chưa đủ nội dung."}},
            }
        ),
    )
    commit(repo, "Chấm điểm THCS Demo B")
    output = tmp_path / "github_output"
    by_reviewer = cli(
        root,
        "pr-report",
        "--base",
        "main",
        "--head",
        "HEAD",
        "--author",
        "pgd-q1-reviewer",
        env={"GITHUB_OUTPUT": str(output)},
    )
    assert by_reviewer.returncode == 0, by_reviewer.stdout
    assert "Điểm chấm" in by_reviewer.stdout
    assert "| 1.2 | 5 | 5 | không đổi | 4 | ✅ 1 minh chứng |" in by_reviewer.stdout
    assert "**Tổng điểm: 6/100 = 6% điểm tối đa — xếp loại dự kiến (theo điểm chấm): Yếu**" in by_reviewer.stdout
    assert output.read_text(encoding="utf-8").splitlines() == ["valid=true", "errors=0", "denied=0"]
    by_unit = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "thcs-b")
    assert by_unit.returncode == 1
    assert f"| `{REVIEW_FILE}` | **review-files**" in by_unit.stdout
    assert "@\u200bpgd-q1-reviewer" in by_unit.stdout  # named, but not notified by every update
    assert "@pgd-q1-reviewer" not in by_unit.stdout

    # 6. Another unit's account edits thcs-demo-b's file and adds itself as an editor in the
    #    registry: both refused, because the registry is read from main, not from the PR.
    repo.git.checkout("-q", "main")
    repo.git.checkout("-q", "-b", "thcs-a-sua-nham")
    set_scores(root, {"3.1": 5})
    units_file = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    registry = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    registry["units"][1]["editors"].append("thcs-a")
    units_file.write_text(dump(registry), encoding="utf-8")
    commit(repo, "Sửa bài của đơn vị khác")
    full = workflow_validate(root, tmp_path, tmp_path / "summary3.md")  # a registry change: check everything
    assert full.returncode == 0, full.stdout
    assert int(re.search(r"Đã kiểm tra (\d+) tệp", full.stdout).group(1)) > partial_count + 5
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "user": {"login": "thcs-a"}}}), encoding="utf-8")
    output = tmp_path / "github_output_refused"
    refused = cli(
        root,
        "pr-report",
        "--base",
        "main",
        "--head",
        "HEAD",
        env={"GITHUB_EVENT_PATH": str(event), "GITHUB_OUTPUT": str(output)},
    )
    assert refused.returncode == 1
    assert "Người tạo yêu cầu: @\u200bthcs-a" in refused.stdout  # read from the event payload
    assert f"| `{UNIT_FILE}` | **unit-files**" in refused.stdout
    assert "| `submissions/units/2023-2024/pgd-quan-1.yaml` | **maintainers-only**" in refused.stdout
    assert "2 tệp ngoài quyền sửa" in refused.stdout
    assert output.read_text(encoding="utf-8").splitlines() == ["valid=false", "errors=0", "denied=2"]
    repo.git.checkout("-q", "main")

    # 7. The reviewer's branch is merged; the site is built from main.
    repo.git.merge("--no-ff", "-q", "-m", "Hợp nhất điểm chấm", "cham-thcs-demo-b")
    assert cli(root, "validate").returncode == 0
    site = tmp_path / "site"
    built = cli(root, "build", "--out", str(site))
    assert built.returncode == 0, built.stderr
    pages = [p for p in site.rglob("*.html") if "thcs-demo-b" in p.read_text(encoding="utf-8", errors="ignore")]
    assert pages, "the built site must show the unit merged in this story"


def test_renames_and_deletions_are_reported_with_both_paths(tmp_path):
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-q", "-b", "doi-ten")
    old = f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml"
    new = f"submissions/{PERIOD}/so-gddt/thcs-demo-a.yaml"
    (root / new).parent.mkdir(parents=True, exist_ok=True)
    repo.git.mv(old, new)
    repo.git.rm("-q", f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf")
    commit(repo, "Chuyển tệp")
    changes = changed_files(open_repo(root), "main", "HEAD")
    assert {(c.status, c.path, c.old_path) for c in changes} == {
        ("R", new, old),
        ("D", f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf", ""),
    }
    report = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "thcs-a")
    assert report.returncode == 1
    assert "wrong-parent" not in report.stdout  # codes stay internal; the message is Vietnamese
    assert "thuộc «pgd-quan-1», không thuộc «so-gddt»" in report.stdout


def test_bad_refs_and_non_repositories_are_usage_errors(tmp_path):
    root, _repo = new_repo(tmp_path)
    result = cli(root, "pr-report", "--base", "khong-co-nhanh", "--head", "HEAD")
    assert result.returncode == 2
    assert "không tìm thấy nhánh hoặc commit «khong-co-nhanh»" in result.stderr
    plain = make_repo(tmp_path / "khong-phai-git")
    result = cli(plain, "pr-report", "--base", "main", "--head", "HEAD")
    assert result.returncode == 2 and "không phải kho git" in result.stderr


def test_symlinked_submission_is_refused_not_followed(tmp_path):
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-q", "-b", "lien-ket")
    secret = tmp_path / "bi-mat.yaml"
    secret.write_text("mat_khau: 123\n", encoding="utf-8")
    link = root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b.yaml"
    os.symlink(secret, link)
    commit(repo, "Liên kết")
    report = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "thcs-b")
    assert report.returncode == 1
    assert "liên kết (symlink)" in report.stdout
    assert "mat_khau" not in report.stdout


def test_project_repository_is_a_valid_pr_base():
    """The real repository (when it is a git checkout) reports on an empty change without error."""
    if not (PROJECT / ".git").exists():
        pytest.skip("not a git checkout")
    result = cli(PROJECT, "pr-report", "--base", "HEAD", "--head", "HEAD")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(MARKER)


def test_district_preview_leaves_out_derived_items(tmp_path):
    """A district office's derived criteria need its schools' results: the preview says so
    instead of showing a misleading 0."""
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-q", "-b", "pgd-nop-bai")
    assert cli(root, "new", "--year", PERIOD, "--unit", "pgd-quan-1").returncode == 0
    path = root / f"submissions/{PERIOD}/so-gddt/pgd-quan-1.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"1.3":\n    diem_tu_cham: 0', '"1.3":\n    diem_tu_cham: 2.5'),
        encoding="utf-8",
    )
    commit(repo, "Phòng GD&ĐT nộp bài")
    report = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "pgd-q1")
    assert report.returncode == 0, report.stdout
    derived = [line for line in report.stdout.splitlines() if "| tự động |" in line]
    assert derived and derived[0].startswith("| 4.2 | 7.5 | tự động |")
    assert "| 1.3 | 2.5 | 2.5 | mới |" in report.stdout
    assert "| **Tổng**\\* | **92.5** | **2.5** | mới |" in report.stdout
    assert "Chưa gồm các tiêu chí tính tự động" in report.stdout
    assert "xếp loại dự kiến" not in report.stdout


def test_points_on_the_plan_criterion_without_the_plan_are_flagged(tmp_path):
    """4.1 needs the plan (milestone ke-hoach, due 06/10/2023) filed on time: the preview says so
    when it is missing, and when the pull request itself brings it after the due date."""
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-b", "nop-bai")
    write(
        root / UNIT_FILE,
        dump(
            {
                "don_vi": "thcs-demo-b",
                "nam_hoc": PERIOD,
                "tieu_chi": {"4.1": {"diem_tu_cham": 3, "minh_chung": ["kh.pdf"]}},
            }
        ),
    )
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/kh.pdf", pdf_bytes("kh"))
    commit(repo, "Nộp bài")
    missing = cli(root, "pr-report", "--base", "main", "--head", "nop-bai", "--author", "thcs-b").stdout
    assert (
        "Tiêu chí 4.1 tự chấm 3 điểm nhưng «Kế hoạch thực hiện nhiệm vụ CNTT năm học 2023 - 2024» chưa nộp" in missing
    )
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-b/bao-cao/ke-hoach/kh.pdf", pdf_bytes("kh"))
    commit(repo, "Nộp kế hoạch")
    late = cli(root, "pr-report", "--base", "main", "--head", "nop-bai", "--author", "thcs-b").stdout
    assert "«Kế hoạch thực hiện nhiệm vụ CNTT năm học 2023 - 2024» nộp sau hạn (hạn 06/10/2023)" in late
    assert "chưa nộp (hạn" not in late


def test_a_registry_change_is_checked_against_every_unit_file(tmp_path):
    """A maintainer drops a unit from the registry while its file stays: the report checks the whole
    head (as the publishing build will) and refuses; a harmless registry change is accepted, and the
    base branch's PDFs are not read again (one checked PDF stands in for each)."""
    root, repo = new_repo(tmp_path)
    units_file = root / f"submissions/units/{PERIOD}/pgd-quan-1.yaml"
    original = units_file.read_text(encoding="utf-8")
    registry = yaml.safe_load(original)
    repo.git.checkout("-q", "-b", "bo-don-vi")
    registry["units"] = [u for u in registry["units"] if u["id"] != "thcs-demo-a"]
    units_file.write_text(dump(registry), encoding="utf-8")
    commit(repo, "Bỏ thcs-demo-a khỏi danh sách")
    report = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "sgd-admin")
    assert report.returncode == 1, report.stdout
    assert f"`submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml:1:1`" in report.stdout
    assert "đơn vị «thcs-demo-a» không có trong danh sách năm học 2023-2024 thuộc «pgd-quan-1»" in report.stdout
    repo.git.checkout("-q", "main")
    repo.git.checkout("-q", "-b", "doi-ten-don-vi")
    registry = yaml.safe_load(original)
    registry["units"][1]["name"] = "Trường THCS Demo B (tên mới)"
    units_file.write_text(dump(registry), encoding="utf-8")
    commit(repo, "Đổi tên đơn vị")
    accepted = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "sgd-admin")
    assert accepted.returncode == 0, accepted.stdout
    assert "✅ **Hợp lệ**" in accepted.stdout
    # The same registry change with a PDF replaced by text: a changed PDF is read, never stood in for.
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf", b"khong phai pdf\n%%EOF")
    commit(repo, "Thay tệp minh chứng")
    refused = cli(root, "pr-report", "--base", "main", "--head", "HEAD", "--author", "sgd-admin")
    assert refused.returncode == 1, refused.stdout
    assert "nhưng không phải tệp PDF thật" in refused.stdout
