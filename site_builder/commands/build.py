"""`site-builder build [--out build/site]`: validate, score and write the public site."""

from __future__ import annotations

import sys
from pathlib import Path

from site_builder import report


def register(sub) -> None:
    parser = sub.add_parser("build", help="kiểm tra dữ liệu rồi xây dựng trang công khai")
    parser.add_argument("--out", type=Path, default=None, help="thư mục kết quả (mặc định: build/site)")
    parser.add_argument("--timings", action="store_true", help="in thời gian từng bước")
    parser.add_argument("--link-report", type=Path, default=None,
                        help="báo cáo của lệnh check-links (mặc định: build/link-report.json nếu có)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.website.build import InvalidData, build_site

    out = (args.out or args.root / "build" / "site").resolve()
    if out == args.root or args.root.is_relative_to(out):
        from site_builder.cli import UsageError
        raise UsageError(f"thư mục kết quả «{out}» chứa thư mục dữ liệu; hãy chọn thư mục khác.")
    try:
        built = build_site(args.root, out, link_report=args.link_report)
    except InvalidData as exc:
        report.render_human(exc.result.errors, exc.result.files_checked, stream=sys.stderr)
        sys.stderr.write("Không xây dựng trang vì dữ liệu còn lỗi. Trang đang công khai (nếu có) giữ nguyên.\n")
        return 1
    for warning in built.warnings:
        sys.stderr.write(f"Cảnh báo khi tạo trang: {warning}\n")
    print(f"Đã tạo {built.pages} trang ({built.unit_pages} trang đơn vị), {built.evidence_files} tệp minh chứng "
          f"tại {built.site}.")
    if built.clock is not None and not built.clock.available:
        print(f"Lưu ý: {built.clock.reason}")
    if args.timings:
        print("Thời gian (giây): " + ", ".join(f"{k} {v}" for k, v in built.timings.items()))
    return 0
