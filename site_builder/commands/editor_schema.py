"""`site-builder editor-schemas [--check]`: write (or check) schema/editor/<period>/<unit-type>.schema.json."""

from __future__ import annotations

import sys

from site_builder import report
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("editor-schemas", help="sinh lược đồ hỗ trợ trình soạn thảo cho từng bộ tiêu chí")
    parser.add_argument(
        "--check", action="store_true", help="chỉ kiểm tra các tệp đã có có khớp bộ tiêu chí không (không ghi)"
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.editor_schema import load_problems, stale_files, write_files

    root = DataRoot(args.root)
    problems = load_problems(root)
    if problems:
        report.render_human(problems, len({p.path for p in problems}), stream=sys.stderr)
        sys.stderr.write("Không sinh được lược đồ khi bộ tiêu chí còn lỗi.\n")
        return 1
    if args.check:
        stale = stale_files(root)
        if stale:
            sys.stderr.write("Các lược đồ cho trình soạn thảo đã cũ so với criteria/:\n")
            for rel in stale:
                sys.stderr.write(f"  {rel}\n")
            sys.stderr.write("Hãy chạy «site-builder editor-schemas» rồi commit các tệp trong schema/editor/.\n")
            return 1
        print("Các lược đồ trong schema/editor/ khớp với bộ tiêu chí.")
        return 0
    changed = write_files(root)
    for rel in changed:
        print(f"Đã cập nhật {rel}")
    print(f"Xong: {len(changed)} tệp thay đổi." if changed else "Không có gì thay đổi.")
    return 0
