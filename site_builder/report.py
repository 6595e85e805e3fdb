"""Render validation problems: for people (terminal), for GitHub Actions, or as JSON.

GitHub shows at most 10 error and 10 warning annotations per step, and a job summary of at most
1 MiB (see github_limits). So we choose which problems to annotate (one per file first, so every
touched file gets its first problem on its line); the job summary is compact (counts and the
first problems, each value shortened and made inert by markdown_text) and says how many were
left out; the complete list goes to a plain-text file (`--full-report`) that the workflow keeps
as an artifact. Values from the data never reach the terminal with control characters in them.
"""

from __future__ import annotations

import json
import os
import sys

from site_builder import markdown_text as md
from site_builder.github_limits import (
    ANNOTATION_TEXT_LIMIT,
    ERROR_ANNOTATIONS_PER_STEP,
    SUMMARY_LIMIT,
    Lines,
    utf8_length,
)
from site_builder.numbers import thousands
from site_builder.problems import Problem
from site_builder.safe_text import printable, shorten

ANNOTATIONS_PER_STEP = ERROR_ANNOTATIONS_PER_STEP
SUMMARY_ROWS = 200  # problems listed in the job summary; the rest are counted
SUMMARY_BUDGET = SUMMARY_LIMIT // 2  # bytes we allow ourselves: well inside GitHub's 1 MiB per step


def ordered(problems) -> list[Problem]:
    """Each problem once, by file, line, column and message: the order every report lists them in."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.message))


def summary_line(problems: list[Problem], files_checked: int) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors:
        return (
            f"Đã kiểm tra {files_checked} tệp: {errors} lỗi, {warnings} cảnh báo. Hãy sửa các lỗi ở trên rồi lưu lại."
        )
    if warnings:
        return f"Đã kiểm tra {files_checked} tệp: hợp lệ, có {warnings} cảnh báo nên xem lại."
    return f"Đã kiểm tra {files_checked} tệp: hợp lệ."


def render_human(problems: list[Problem], files_checked: int, stream=None, colour: bool | None = None) -> None:
    stream = stream or sys.stdout
    colour = stream.isatty() and not os.environ.get("NO_COLOR") if colour is None else colour
    red, yellow, bold, reset = ("\033[31m", "\033[33m", "\033[1m", "\033[0m") if colour else ("", "", "", "")
    for p in problems:
        tag = f"{red}lỗi{reset}" if p.is_error else f"{yellow}cảnh báo{reset}"
        stream.write(f"{bold}{printable(p.path)}:{p.line}:{p.column}{reset} {tag} — {printable(_body(p))}\n")
    stream.write(summary_line(problems, files_checked) + "\n")


def write_full_report(problems: list[Problem], files_checked: int, path) -> None:
    """Every problem, one per line, as the terminal shows them (no colour): the artifact that
    completes a job summary which only lists the first ones."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        render_human(problems, files_checked, stream=handle, colour=False)


def render_json(problems: list[Problem], files_checked: int, stream=None) -> None:
    stream = stream or sys.stdout
    errors = sum(p.is_error for p in problems)
    json.dump(
        {
            "ok": errors == 0,
            "files_checked": files_checked,
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.as_dict() for p in problems],
        },
        stream,
        ensure_ascii=False,
        indent=2,
    )
    stream.write("\n")


def choose_annotations(problems: list[Problem], limit: int = ANNOTATIONS_PER_STEP) -> list[Problem]:
    """Errors before warnings; the first problem of every file before second ones."""
    chosen: list[Problem] = []
    for severity in ("error", "warning"):
        pool = [p for p in problems if p.severity == severity]
        by_file: dict[str, list[Problem]] = {}
        for p in pool:
            by_file.setdefault(p.path, []).append(p)
        rounds = max((len(v) for v in by_file.values()), default=0)
        for index in range(rounds):
            for items in by_file.values():
                if index < len(items) and sum(c.severity == severity for c in chosen) < limit:
                    chosen.append(items[index])
    return chosen


def render_github(
    problems: list[Problem],
    files_checked: int,
    stream=None,
    summary_path: str | None = None,
    full_report: str | None = None,
) -> None:
    """Annotations and the summary line on `stream`, the compact summary appended to
    `summary_path` ($GITHUB_STEP_SUMMARY). `full_report` is only named there: the caller writes
    it (write_full_report)."""
    stream = stream or sys.stdout
    annotated = choose_annotations(problems)
    for p in annotated:
        command = "error" if p.is_error else "warning"
        title = shorten(printable(p.subject or "Dữ liệu"), 200)
        props = f"file={_prop(printable(p.path))},line={p.line},col={p.column},title={_prop(title)}"
        stream.write(f"::{command} {props}::{_data(shorten(printable(_body(p)), ANNOTATION_TEXT_LIMIT))}\n")
    stream.write(printable(summary_line(problems, files_checked)) + "\n")
    summary_path = summary_path if summary_path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(
                markdown_summary(
                    problems, files_checked, annotated, os.path.basename(full_report) if full_report else None
                )
            )


def markdown_summary(
    problems: list[Problem],
    files_checked: int,
    annotated: list[Problem] | None = None,
    full_report: str | None = None,
    budget: int = SUMMARY_BUDGET,
) -> str:
    """Counts, then the first problems (errors before warnings) as a table while they fit
    `budget` bytes (UTF-8) and SUMMARY_ROWS rows; then how many were left out and where the
    complete list is."""
    closing = 600  # bytes kept for the closing note
    doc = Lines(budget, utf8_length, reserve=closing)
    doc.force("## Kết quả kiểm tra dữ liệu", "", summary_line(problems, files_checked), "")
    if annotated is not None:
        for severity, word in (("error", "lỗi"), ("warning", "cảnh báo")):
            hidden = sum(p.severity == severity for p in problems) - sum(p.severity == severity for p in annotated)
            if hidden > 0:
                doc.force(
                    f"> GitHub chỉ hiển thị tối đa {ANNOTATIONS_PER_STEP} chú thích {word} ngay trên dòng; "
                    f"{thousands(hidden)} {word} khác chỉ có trong bảng dưới đây hoặc trong danh sách đầy đủ.",
                    "",
                )
    shown = 0
    if problems:
        doc.force("| | Tệp:dòng:cột | Vấn đề | Cách sửa |", "|---|---|---|---|")
        for p in sorted(problems, key=lambda p: not p.is_error)[:SUMMARY_ROWS]:  # errors first, order kept
            icon = "❌" if p.is_error else "⚠️"
            problem = f"{p.subject}: {p.message}" if p.subject else p.message
            if not doc.add(
                f"| {icon} | {md.cell_code(f'{p.path}:{p.line}:{p.column}')} | {md.cell(problem)} | {md.cell(p.fix)} |"
            ):
                break
            shown += 1
        doc.force("")
    doc.reserve = 0
    if shown < len(problems):
        where = (
            f"trong tệp «{md.inline(full_report)}» đính kèm lần chạy này (mục Artifacts ở trang tóm tắt)"
            if full_report
            else "khi chạy lệnh «site-builder validate» trên máy"
        )
        doc.force(
            f"Bảng chỉ liệt kê {thousands(shown)} trong {thousands(len(problems))} vấn đề, để trang tóm tắt "
            f"không vượt giới hạn 1 MiB của GitHub. {thousands(len(problems) - shown)} vấn đề còn lại có {where}.",
            "",
        )
    return doc.text()


def _body(p: Problem) -> str:
    body = f"{p.subject}: {p.message}" if p.subject else p.message
    return f"{body} {p.fix}".strip()


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
