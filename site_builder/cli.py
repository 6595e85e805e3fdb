"""Command line: `site-builder <command>`. Each command lives in its own module under
`site_builder.commands`; this file only wires them and turns usage mistakes into exit 2.

Exit codes: 0 success, 1 the data is invalid (or a check failed), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from site_builder import heap
from site_builder.paths import DataRoot

COMMAND_MODULES = [
    "site_builder.commands.validate",
    "site_builder.commands.score",
    "site_builder.commands.check_links",
    "site_builder.commands.new",
    "site_builder.commands.new_year",
    "site_builder.commands.editor_schema",
    "site_builder.commands.codeowners",
    "site_builder.commands.pr_report",
    "site_builder.commands.build",
    "site_builder.commands.serve",
    "site_builder.commands.init",
    "site_builder.commands.repo_settings",
    "site_builder.commands.review_workbook",  # the reviewer's workspace (issue 13)
    "site_builder.commands.reminders",
    "site_builder.commands.objection_check",
]


# argparse words its own messages in English through gettext; these are the ones people meet.
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không hợp lệ: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
}
argparse._ = lambda text: ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]  # argparse's gettext hook


class UsageError(Exception):
    """Raised by commands for wrong arguments; printed in Vietnamese, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own wording is English; we prefix ours
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi cách dùng: {message}.\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="site-builder", description="Kiểm tra, chấm điểm và xây dựng trang công khai đánh giá CNTT.")
    parser.add_argument("--root", type=Path, default=Path("."), help="thư mục dữ liệu (mặc định: thư mục hiện tại)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="nơi lưu kết quả kiểm tra tệp PDF giữa các lần chạy (mặc định: ~/.cache/site-builder/pdf, ngoài thư mục dữ liệu)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="không dùng kết quả kiểm tra PDF và bộ nhớ đệm xây dựng trang đã lưu (dựng lại toàn bộ)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _configure_cache(args) -> None:
    """PDF verdicts and parsed YAML are kept in the user's cache (verdict_cache.default_folder:
    never inside the data folder, which a pull request's checkout is) unless told otherwise. A
    command that reads a data root it must not trust (pr-report: the pull request's checkout)
    sets data_cache=False and only uses a folder given explicitly."""
    from site_builder import build_cache, verdict_cache

    if args.no_cache:
        folder = None
    elif args.cache_dir is not None:
        folder = args.cache_dir.resolve()
    else:
        folder = verdict_cache.default_folder() if getattr(args, "data_cache", True) else None
    verdict_cache.configure(folder)
    build_cache.configure(not args.no_cache)  # the site build's own cache, outside the data folder


def run() -> None:
    """The `site-builder` program (and `python -m site_builder`): `main`, then exit with its code.
    Everything alive is frozen out of the collector's sight first: its pass at exit would scan
    every object a build made (2.5 CPU-s at 15,000 units) to free memory the exit frees anyway.

    numpy's OpenBLAS starts a thread per core when it loads, which spin before they sleep:
    importing pandas took 0.49 CPU-s so on two cores, 0.37 with one thread (ten alternated runs,
    one thread lower in each), paid once by every command.
    Nothing here multiplies matrices (pandas' sums and group-bys do not use BLAS), so one
    thread is asked for, unless the caller chose a number."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    heap.in_program()
    code = main()
    heap.keep()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    root = args.root.resolve()
    # A command that makes a data root (init) sets needs_data_root=False; every other one reads one.
    if getattr(args, "needs_data_root", True) and (
        not DataRoot(root).criteria.is_dir() or not DataRoot(root).submissions.is_dir()
    ):
        sys.stderr.write(
            f"Lỗi cách dùng: «{root}» không phải thư mục dữ liệu (cần có criteria/ và submissions/). "
            "Hãy chạy lệnh trong thư mục kho dữ liệu hoặc dùng --root.\n"
        )
        return 2
    args.root = root
    _configure_cache(args)
    try:
        return int(args.run(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"Lỗi cách dùng: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
