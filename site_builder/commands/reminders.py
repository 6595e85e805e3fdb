"""`site-builder reminders [--date D] [--days N] [--format text|json]`: per reviewing body, the
issue to open or update listing its units that have not filed what they owe next (đôn đốc).

The workflow nhac-viec.yml reads the JSON and only posts it; nothing here talks to GitHub.
"""

from __future__ import annotations

import datetime as dt
import json
import sys


def register(sub) -> None:
    parser = sub.add_parser(
        "reminders", help="nhắc các đơn vị chưa nộp trước mỗi hạn (nội dung issue theo đơn vị quản lý)"
    )
    parser.add_argument("--date", help="ngày xét, NĂM-THÁNG-NGÀY (mặc định: hôm nay, giờ Việt Nam)")
    parser.add_argument(
        "--days",
        type=int,
        help="nhắc khi còn đúng ngần này ngày (mặc định: reminders.days_before trong year.yaml, hoặc 7 và 2)",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import heap
    from site_builder.cli import UsageError
    from site_builder.clock import VIETNAM
    from site_builder.commands import valid_dataset
    from site_builder.paths import DataRoot

    with heap.importing():
        from site_builder.reminders import notices
        from site_builder.website.build import open_clock

    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.datetime.now(VIETNAM).date()
    except ValueError:
        raise UsageError(f"ngày «{args.date}» không đúng dạng NĂM-THÁNG-NGÀY, ví dụ 2024-06-01.") from None
    if args.days is not None and not 0 <= args.days <= 60:
        raise UsageError("--days phải từ 0 đến 60.")
    root = DataRoot(args.root)
    dataset = valid_dataset(root, "Không soạn nhắc việc khi dữ liệu còn lỗi.")
    if dataset is None:
        return 1
    clock = open_clock(root, dataset.registry.organization)
    try:
        found = notices(root, dataset, clock, day, args.days)
    finally:
        clock.close()
    if args.format == "json":
        json.dump(
            {"date": day.isoformat(), "clock": clock.available, "notices": [n.as_dict() for n in found]},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
        return 0
    if not clock.available:
        print(f"Lưu ý: {clock.reason}")
    if not found:
        print(f"Ngày {day.strftime('%d/%m/%Y')}: không có hạn nào cần nhắc.")
    for notice in found:
        state = {"open": "mở hoặc cập nhật", "close": "đóng (mọi đơn vị đã nộp)", "final": "danh sách cuối, rồi đóng"}
        print(f"=== {notice.title} [{notice.label}] — {state[notice.state]}{', gửi nhắc' if notice.notify else ''}")
        print(notice.text)
    return 0
