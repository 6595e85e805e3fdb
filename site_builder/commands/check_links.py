"""`site-builder check-links`: ask every external evidence link whether it still answers.

Writes a JSON report (schema/link-report.schema.json) that the site reads to mark broken links
("liên kết hỏng"). Broken links are the units' business, not a failure of the data: the command
exits 0 once the report is written (1 with --fail-on-broken when some link is broken).
"""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("check-links", help="kiểm tra các đường link minh chứng còn truy cập được không")
    parser.add_argument("--year", help="chỉ kiểm tra năm học này (mặc định: mọi năm học)")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("build/link-report.json"),
        help="tệp báo cáo JSON (mặc định: build/link-report.json, tính từ thư mục dữ liệu)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="số giây chờ mỗi yêu cầu (mặc định 10)")
    parser.add_argument("--workers", type=int, default=8, help="số yêu cầu chạy song song (mặc định 8)")
    parser.add_argument("--retries", type=int, default=2, help="số lần thử lại khi lỗi tạm thời (mặc định 2)")
    parser.add_argument(
        "--per-host-interval",
        type=float,
        default=1.0,
        help="số giây tối thiểu giữa hai yêu cầu tới cùng một máy chủ (mặc định 1)",
    )
    parser.add_argument("--max-redirects", type=int, default=5, help="số lần chuyển hướng tối đa (mặc định 5)")
    parser.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="cho phép kiểm tra địa chỉ mạng nội bộ (chỉ dùng khi kiểm thử)",
    )
    parser.add_argument("--fail-on-broken", action="store_true", help="trả mã thoát 1 nếu có liên kết hỏng")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import linkcheck
    from site_builder.cli import UsageError
    from site_builder.paths import DataRoot

    root = DataRoot(args.root)
    if args.year and args.year not in root.periods():
        raise UsageError(f"năm học «{args.year}» không có trong criteria/. Các năm học: {', '.join(root.periods())}.")
    for name in ("timeout", "per_host_interval"):
        if getattr(args, name) < 0 or (name == "timeout" and args.timeout == 0):
            raise UsageError(f"giá trị --{name.replace('_', '-')} phải là số dương.")
    if args.workers < 1 or args.retries < 0 or args.max_redirects < 0:
        raise UsageError("--workers phải ≥ 1; --retries và --max-redirects phải ≥ 0.")
    output = args.output if args.output.is_absolute() else args.root / args.output
    used = linkcheck.collect_urls(root, args.year)
    options = linkcheck.Options(
        timeout=args.timeout,
        workers=args.workers,
        retries=args.retries,
        per_host_interval=args.per_host_interval,
        max_redirects=args.max_redirects,
        allow_private=args.allow_private_hosts,
    )
    results = linkcheck.check_urls(used, options)
    try:
        linkcheck.write_report(results, output)
    except OSError as exc:
        raise UsageError(f"không ghi được tệp báo cáo «{output}»: {exc.strerror or exc}.") from None
    from site_builder.safe_text import printable

    broken = sorted(url for url, r in results.items() if not r.ok)
    for url in broken:
        r = results[url]
        files = ", ".join(used[url][:3]) + (" …" if len(used[url]) > 3 else "")
        # one line per link, whatever the values hold: the workflow puts this output in a code block
        sys.stdout.write(printable(f"liên kết hỏng: {url} — {r.error} (dùng trong: {files})") + "\n")
    sys.stdout.write(
        f"Đã kiểm tra {len(results)} đường link: {len(results) - len(broken)} truy cập được, "
        f"{len(broken)} hỏng. Báo cáo: {output}\n"
    )
    return 1 if (args.fail_on_broken and broken) else 0
