"""GitHub's limits kept by construction, and the work per file bounded: 10 annotations per
severity and step, a job summary far below 1 MiB, a comment of at most 65,536 characters that is
never cut inside a row, and an 85,000-reference file that is fast and small to report."""

from __future__ import annotations

import json
import re
import time

from site_builder import report, work_limits
from site_builder.github_limits import COMMENT_LIMIT, SUMMARY_LIMIT, comment_length
from site_builder.pr_report import FOOTER, MARKER, ChangedFile, Outcome, render
from site_builder.problems import Problem
from site_builder.review_queue import DATA_MARKER
from tests.datarepo import PROJECT, make_repo, write
from tests.gfm import read
from tests.test_pr_flow import cli

HOSTILE = "<!-- [bấm](https://evil.example) @org/team ![x](https://evil.example/p.png) | `` ` ``\n# ✅ Hợp lệ"


def many_problems(count: int, size: int = 200) -> list[Problem]:
    return [
        Problem(
            f"submissions/2023-2024/pgd-quan-1/don-vi-{i:05}.yaml",
            i + 1,
            3,
            "tiêu chí 1.2",
            f"giá trị «{HOSTILE * (size // len(HOSTILE) + 1)}» không hợp lệ.",
            "Hãy sửa lại.",
            severity="error" if i % 3 else "warning",
        )
        for i in range(count)
    ]


def test_work_limits_are_the_schemas_counts():
    schema = json.loads((PROJECT / "schema/submission.schema.json").read_text(encoding="utf-8"))
    assert work_limits.MAX_CRITERIA == schema["properties"]["tieu_chi"]["maxProperties"]
    assert work_limits.MAX_REFERENCES == schema["$defs"]["criterion"]["properties"]["minh_chung"]["maxItems"]


def test_annotations_stop_at_ten_per_severity_and_the_summary_counts_the_rest(tmp_path):
    problems = many_problems(90)
    summary = tmp_path / "summary.md"
    out = tmp_path / "out.txt"
    with open(out, "w", encoding="utf-8") as stream:
        report.render_github(
            problems, 90, stream=stream, summary_path=str(summary), full_report=str(tmp_path / "day-du.txt")
        )
    report.write_full_report(problems, 90, tmp_path / "day-du.txt")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert all(len(line) < 2_600 for line in lines)
    text = summary.read_text(encoding="utf-8")
    assert "50 lỗi khác chỉ có trong bảng dưới đây hoặc trong danh sách đầy đủ" in text
    assert "20 cảnh báo khác" in text
    assert len((tmp_path / "day-du.txt").read_text(encoding="utf-8").splitlines()) == 91


def test_the_job_summary_stays_small_whatever_the_problems_say():
    problems = many_problems(5_000, size=1_000_000 // 50)  # messages quoting 20 KB values
    text = report.markdown_summary(problems, 5_000, [], "kiem-tra-day-du.txt")
    assert len(text.encode("utf-8")) <= report.SUMMARY_BUDGET < SUMMARY_LIMIT
    page = read(text)
    assert not page.links and not page.images and not page.comments and not page.mentions
    assert [h for h in page.headings] == ["Kết quả kiểm tra dữ liệu"]
    assert all(len(row) == 4 for row in page.cells)
    shown = len(page.cells) - 1
    assert 0 < shown <= report.SUMMARY_ROWS
    assert (
        f"Bảng chỉ liệt kê {shown} trong 5.000 vấn đề" in text
        and f"{5_000 - shown:,}".replace(",", ".") + " vấn đề còn lại có trong tệp «kiem-tra-day-du\\.txt»" in text
    )


def outcome(problems, changes=1) -> Outcome:
    return Outcome(
        [ChangedFile("A", f"submissions/x/{i}.yaml") for i in range(changes)],
        problems,
        len(problems),
        [],
        [],
        "thcs-a",
        "origin/main",
        "HEAD",
    )


def test_the_comment_fits_github_and_ends_whole():
    comment = render(outcome(many_problems(3_000)))
    assert comment_length(comment) <= COMMENT_LIMIT
    assert comment.startswith(MARKER + "\n") and comment.endswith(FOOTER[-1] + "\n")
    data = next(line for line in comment.splitlines() if line.startswith(DATA_MARKER))  # the review-queue data
    page = read(comment)
    assert not page.links and not page.images and not page.mentions
    assert page.comments == [MARKER[4:-3], data[4:-3]]  # our own, nothing from the data
    assert page.headings == ["Kết quả kiểm tra tự động", "Lỗi và cảnh báo"]
    rows = page.cells
    assert all(len(row) == 4 for row in rows), "no row was cut"
    shown = len(rows) - 1
    assert f"… và {3_000 - shown} lỗi và cảnh báo khác không hiển thị" in comment.replace(".", "")
    assert "❌ **Chưa hợp lệ**: 2000 lỗi" in comment


def test_characters_are_counted_as_github_counts_them():
    emoji = "🙂"  # one code point, two UTF-16 units: GitHub (and JavaScript) count two
    assert comment_length(emoji) == 2
    problems = [Problem("a.yaml", 1, 1, "", emoji * 250, "") for _ in range(2_000)]
    comment = render(outcome(problems))
    assert len(comment) < comment_length(comment) <= COMMENT_LIMIT  # counted in UTF-16 units, not code points
    assert comment_length(comment) > COMMENT_LIMIT - 3_000  # and filled up to the limit


def test_an_85000_reference_list_is_fast_and_small(tmp_path):
    root = make_repo(tmp_path / "repo")
    folder = root / "submissions/2023-2024/pgd-quan-1/thcs-demo-b"
    for i in range(300):  # a full folder made every "did you mean" search expensive
        write(folder / f"bao-cao-{i}.pdf", b"%PDF-1.4\n%%EOF\n")
    refs = ", ".join(f"{i}.pdf" for i in range(85_000))
    write(
        root / "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml",
        f'don_vi: thcs-demo-b\nnam_hoc: "2023-2024"\ntieu_chi:\n  "1.2":\n    diem_tu_cham: 5\n    minh_chung: [{refs}]\n',
    )
    summary, full = tmp_path / "summary.md", tmp_path / "day-du.txt"
    started = time.perf_counter()
    result = cli(
        root,
        "validate",
        "--format",
        "github",
        "--full-report",
        str(full),
        "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert elapsed < 60, elapsed  # was 3 min 08 s with these 300 files (6 min 24 s reported)
    size = summary.stat().st_size
    assert size < 100_000, size  # was 26 MB
    assert "danh sách quá dài (tối đa 20 mục)" in summary.read_text(encoding="utf-8")
    listed = full.read_text(encoding="utf-8").splitlines()
    missing = [line for line in listed if "không tìm thấy tệp" in line]
    assert len(missing) == work_limits.MAX_REFERENCES  # the first 20 references, then nothing
    suggested = [line for line in missing if "có phải bạn muốn ghi tên này" in line]
    assert len(suggested) <= work_limits.MAX_SUGGESTIONS
    assert re.search(r"Đã kiểm tra \d+ tệp: 21 lỗi", result.stdout)
