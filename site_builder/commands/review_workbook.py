"""`site-builder review-workbook --year Y --body B [--out FILE]`: the scoring workbook of one
reviewing body (the same file the site offers for download)."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("review-workbook", help="tạo bảng chấm điểm (XLSX) của một đơn vị quản lý")
    parser.add_argument("--year", required=True, help="năm học, ví dụ 2023-2024")
    parser.add_argument("--body", required=True, help="mã đơn vị quản lý, ví dụ pgd-quan-1 hoặc so-gddt")
    parser.add_argument("--out", type=Path, help="tệp kết quả (mặc định: cham-diem-<năm học>-<đơn vị>.xlsx)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import heap
    from site_builder.cli import UsageError
    from site_builder.commands import valid_dataset
    from site_builder.paths import DataRoot

    with heap.importing():
        from site_builder import review_workbook as rw

    dataset = valid_dataset(DataRoot(args.root), "Không tạo bảng chấm khi dữ liệu còn lỗi.")
    if dataset is None:
        return 1
    if args.year not in dataset.periods:
        raise UsageError(f"không có năm học «{args.year}». Các năm học: {', '.join(sorted(dataset.periods))}.")
    bodies = rw.bodies_with_submissions(dataset, args.year)
    if args.body not in bodies:
        raise UsageError(
            f"«{args.body}» không phải đơn vị quản lý có đơn vị đã nộp bài năm học {args.year}. "
            f"Các đơn vị quản lý: {', '.join(bodies) or '(chưa có)'}."
        )
    out = args.out or Path(rw.file_name(args.year, args.body))
    out.write_bytes(rw.make_workbook(dataset, args.year, args.body))
    print(f"Đã tạo bảng chấm {out}.")
    return 0
