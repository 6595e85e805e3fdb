"""`site-builder objection-check --body-file F --author LOGIN`: decide whether an objection
(phúc khảo) issue stands, from the default branch's data; prints JSON for the workflow
(labels to add, whether to close, the comment). Exit 0 either way; 1 only for invalid data."""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("objection-check", help="kiểm tra một đề nghị phúc khảo (issue) theo danh sách đơn vị")
    parser.add_argument("--body-file", type=Path, required=True, help="nội dung issue (Markdown của biểu mẫu)")
    parser.add_argument("--author", required=True, help="tài khoản GitHub của người gửi")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.cli import UsageError
    from site_builder.commands import valid_dataset
    from site_builder.objections import check
    from site_builder.paths import DataRoot

    try:
        body = args.body_file.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        raise UsageError(f"không đọc được tệp «{args.body_file}».") from None
    dataset = valid_dataset(DataRoot(args.root), "Chưa kiểm tra được đề nghị phúc khảo khi dữ liệu còn lỗi.")
    if dataset is None:
        return 1
    sys.stdout.write(check(dataset, body, args.author.strip().lstrip("@")).as_json() + "\n")
    return 0
