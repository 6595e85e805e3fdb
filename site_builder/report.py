"""Render validation problems: for people (terminal), for GitHub Actions, or as JSON.

GitHub shows at most 10 error annotations per step (and 50 per job), so we choose which to
annotate (one per file first, so every touched file gets its first problem on its line) and the
job summary always carries the full list and says how many were not annotated.
"""

from __future__ import annotations

import json
import os
import sys

from site_builder.problems import Problem

ANNOTATIONS_PER_STEP = 10


def summary_line(problems: list[Problem], files_checked: int) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors:
        return f"Đã kiểm tra {files_checked} tệp: {errors} lỗi, {warnings} cảnh báo. Hãy sửa các lỗi ở trên rồi lưu lại."
    if warnings:
        return f"Đã kiểm tra {files_checked} tệp: hợp lệ, có {warnings} cảnh báo nên xem lại."
    return f"Đã kiểm tra {files_checked} tệp: hợp lệ."


def render_human(problems: list[Problem], files_checked: int, stream=None, colour: bool | None = None) -> None:
    stream = stream or sys.stdout
    colour = stream.isatty() and not os.environ.get("NO_COLOR") if colour is None else colour
    red, yellow, bold, reset = ("\033[31m", "\033[33m", "\033[1m", "\033[0m") if colour else ("", "", "", "")
    for p in problems:
        tag = f"{red}lỗi{reset}" if p.is_error else f"{yellow}cảnh báo{reset}"
        stream.write(f"{bold}{p.path}:{p.line}:{p.column}{reset} {tag} — {_body(p)}\n")
    stream.write(summary_line(problems, files_checked) + "\n")


def render_json(problems: list[Problem], files_checked: int, stream=None) -> None:
    stream = stream or sys.stdout
    errors = sum(p.is_error for p in problems)
    json.dump({"ok": errors == 0, "files_checked": files_checked, "errors": errors,
               "warnings": len(problems) - errors, "problems": [p.as_dict() for p in problems]},
              stream, ensure_ascii=False, indent=2)
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


def render_github(problems: list[Problem], files_checked: int, stream=None, summary_path: str | None = None) -> None:
    stream = stream or sys.stdout
    annotated = choose_annotations(problems)
    for p in annotated:
        command = "error" if p.is_error else "warning"
        props = f"file={_prop(p.path)},line={p.line},col={p.column},title={_prop(p.subject or 'Dữ liệu')}"
        stream.write(f"::{command} {props}::{_data(_body(p))}\n")
    stream.write(summary_line(problems, files_checked) + "\n")
    summary_path = summary_path if summary_path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(markdown_summary(problems, files_checked, annotated))


def markdown_summary(problems: list[Problem], files_checked: int, annotated: list[Problem] | None = None) -> str:
    lines = ["## Kết quả kiểm tra dữ liệu", "", summary_line(problems, files_checked), ""]
    if annotated is not None:
        hidden_errors = sum(p.is_error for p in problems) - sum(p.is_error for p in annotated)
        if hidden_errors > 0:
            lines += [f"> GitHub chỉ hiển thị tối đa {ANNOTATIONS_PER_STEP} chú thích lỗi ngay trên dòng; "
                      f"{hidden_errors} lỗi khác chỉ có trong bảng dưới đây.", ""]
    if problems:
        lines += ["| | Tệp:dòng:cột | Vấn đề | Cách sửa |", "|---|---|---|---|"]
        for p in problems:
            icon = "❌" if p.is_error else "⚠️"
            problem = f"{p.subject}: {p.message}" if p.subject else p.message
            lines.append(f"| {icon} | `{p.path}:{p.line}:{p.column}` | {_cell(problem)} | {_cell(p.fix)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _body(p: Problem) -> str:
    body = f"{p.subject}: {p.message}" if p.subject else p.message
    return f"{body} {p.fix}".strip()


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: str) -> str:
    """Markdown table cell: escape what would break the table or inject markup."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", " "))
