"""`site-builder validate [PATH ...]`: check the data and say every problem in Vietnamese."""

from __future__ import annotations

import os
from pathlib import Path

from site_builder import report
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("validate", help="kiểm tra dữ liệu (toàn bộ, hoặc chỉ các tệp được nêu)")
    parser.add_argument("paths", nargs="*", help="các tệp cần kiểm tra (mặc định: toàn bộ thư mục dữ liệu)")
    parser.add_argument(
        "--format",
        choices=["human", "github", "json"],
        default="human",
        help="human: cho người đọc; github: chú thích trên GitHub; json: cho công cụ khác",
    )
    parser.add_argument("--strict", action="store_true", help="coi cảnh báo như lỗi")
    parser.add_argument(
        "--paths-from",
        type=Path,
        metavar="TỆP",
        help="đọc thêm các tệp cần kiểm tra từ tệp này (tên cách nhau bằng ký tự NUL, "
        "như «git diff --name-only -z» ghi ra)",
    )
    parser.add_argument(
        "--full-report",
        type=Path,
        metavar="TỆP",
        help="ghi toàn bộ danh sách vấn đề (dạng chữ) vào tệp này; với --format github, "
        "trang tóm tắt chỉ liệt kê các vấn đề đầu tiên",
    )
    parser.set_defaults(run=run)


def repo_relative(root: Path, raw: str) -> str:
    """Accept paths relative to the current folder or to the data root; refuse ones outside it."""
    from site_builder.cli import UsageError

    candidate = Path(raw)
    if not candidate.is_absolute():
        here = Path(os.getcwd()) / candidate
        candidate = here if (here.exists() or not (root / candidate).exists()) else root / candidate
    absolute = Path(os.path.abspath(candidate))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"tệp «{raw}» nằm ngoài thư mục dữ liệu {root}.") from None


def _read_paths(file: Path) -> list[str]:
    """NUL-separated paths (git's -z output): any file name, even one with a newline, is one path."""
    from site_builder.cli import UsageError

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"không đọc được tệp danh sách «{file}» ({exc.strerror or exc}).") from None
    return [os.fsdecode(part) for part in data.split(b"\0") if part]


def run(args) -> int:
    from site_builder import heap

    with heap.importing():
        from site_builder.validate import validate_all, validate_paths

    root = DataRoot(args.root)
    paths = list(args.paths)
    if args.paths_from is not None:
        paths += _read_paths(args.paths_from)
    if args.paths or args.paths_from is not None:
        result = validate_paths(root, [repo_relative(args.root, p) for p in paths])
    else:
        result = validate_all(root)
    problems = report.ordered(result.problems)
    if args.full_report:
        try:
            report.write_full_report(problems, result.files_checked, args.full_report)
        except OSError as exc:
            from site_builder.cli import UsageError

            raise UsageError(f"không ghi được tệp «{args.full_report}» ({exc.strerror or exc}).") from None
    if args.format == "json":
        report.render_json(problems, result.files_checked)
    elif args.format == "github":
        report.render_github(
            problems, result.files_checked, full_report=str(args.full_report) if args.full_report else None
        )
    else:
        report.render_human(problems, result.files_checked)
    failed = any(p.is_error for p in problems) or (args.strict and problems)
    return 1 if failed else 0
