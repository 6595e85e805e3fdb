"""`site-builder new --year Y --unit ID`: write a unit's self-assessment file from the template."""

from __future__ import annotations

import sys

from site_builder import report
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("new", help="tạo tệp tự đánh giá của một đơn vị từ mẫu")
    parser.add_argument("--year", required=True, help="năm học (kỳ đánh giá), ví dụ 2023-2024")
    parser.add_argument("--unit", required=True, help="mã đơn vị, ví dụ thcs-demo-tan-dinh")
    parser.add_argument("--stdout", action="store_true", help="in mẫu ra màn hình thay vì ghi tệp")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.catalogues import load_period
    from site_builder.cli import UsageError
    from site_builder.paths import submission_path
    from site_builder.registry import load_organization, load_registry
    from site_builder.submission_template import render_template

    root = DataRoot(args.root)
    if args.year not in root.periods():
        raise UsageError(f"không có năm học «{args.year}». Các năm học: {', '.join(root.periods()) or '(chưa có)'}.")
    organization, problems = load_organization(root)
    if organization is None:
        return _data_invalid(problems)
    registry, problems = load_registry(root, organization, periods=[args.year])
    unit = registry.unit(args.year, args.unit)
    if unit is None:
        if any(p.is_error for p in problems):
            return _data_invalid(problems)
        raise UsageError(
            f"không có đơn vị «{args.unit}» trong danh sách đơn vị năm học {args.year} "
            f"(submissions/units/{args.year}/)."
        )
    period, problems = load_period(root, args.year, unit_types=(unit.type,))
    if period is None or unit.type not in period.catalogues:
        if any(p.is_error for p in problems):
            return _data_invalid(problems)
        raise UsageError(f"năm học {args.year} không có bộ tiêu chí cho loại đơn vị «{unit.type}».")
    text = render_template(period, period.catalogues[unit.type], unit, site_url=organization.site_url)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    rel = submission_path(args.year, unit.parent, unit.id)
    target = root.path / rel
    if target.exists():
        raise UsageError(f"đã có tệp {rel}; lệnh này không ghi đè. Hãy sửa trực tiếp tệp đó.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(
        f"Đã tạo {rel}. Hãy điền điểm tự chấm, tải minh chứng PDF vào thư mục "
        f"{rel[: -len('.yaml')]}/ rồi tạo pull request."
    )
    return 0


def _data_invalid(problems) -> int:
    errors = [p for p in problems if p.is_error]
    report.render_human(errors, len({p.path for p in errors}), stream=sys.stderr)
    sys.stderr.write("Không tạo được tệp khi dữ liệu còn lỗi.\n")
    return 1
