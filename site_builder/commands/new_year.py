"""`site-builder new-year NEW --from OLD`: start a school year from the last one, as data."""

from __future__ import annotations

import sys

from site_builder import report
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("new-year", help="tạo năm học mới từ năm học trước (bộ tiêu chí, danh sách đơn vị)")
    parser.add_argument("year", help="năm học mới, ví dụ 2026-2027")
    parser.add_argument("--from", dest="source", required=True, help="năm học để chép, ví dụ 2025-2026")
    parser.add_argument("--types", default="", help="chỉ chép các loại đơn vị này (cách nhau bởi dấu phẩy)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.catalogues import load_period
    from site_builder.cli import UsageError
    from site_builder.new_year import create, shift_years

    root = DataRoot(args.root)
    if args.source not in root.periods():
        raise UsageError(f"không có năm học «{args.source}» trong criteria/.")
    if (root.criteria / args.year).exists():
        raise UsageError(f"đã có thư mục criteria/{args.year}/; lệnh này không ghi đè.")
    try:
        shift_years(args.source, args.year)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    period, problems = load_period(root, args.source)
    if period is None or any(p.is_error for p in problems):
        report.render_human([p for p in problems if p.is_error], 1, stream=sys.stderr)
        sys.stderr.write("Không chép được năm học đang còn lỗi.\n")
        return 1
    types = [t.strip() for t in args.types.split(",") if t.strip()] or None
    unknown = [t for t in types or [] if t not in period.catalogues]
    if unknown:
        raise UsageError(f"năm học {args.source} không có bộ tiêu chí cho: {', '.join(unknown)}.")
    done = create(root, period, args.year, types)
    for rel in done.written:
        print(f"Đã tạo {rel}")
    print(
        f"Tiếp theo: sửa ngày và căn cứ trong criteria/{args.year}/year.yaml, sửa danh sách submissions/units/{args.year}/, "
        "rồi chạy «site-builder editor-schemas» và «site-builder codeowners» và commit các tệp đó."
    )
    return 0
