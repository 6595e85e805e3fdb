"""`site-builder init DIR --id ID --name NAME`: start a Department's own data repository."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from site_builder import report


def register(sub) -> None:
    parser = sub.add_parser("init", help="tạo kho dữ liệu mới cho một Sở GD&ĐT (thư mục trống)")
    parser.add_argument("dir", type=Path, help="thư mục sẽ tạo kho (trống hoặc chưa có)")
    parser.add_argument("--id", required=True, help="mã của Sở, ví dụ so-gddt-ten-tinh")
    parser.add_argument("--name", required=True, help="tên đầy đủ của Sở, ví dụ «Sở Giáo dục và Đào tạo tỉnh …»")
    parser.add_argument("--year", help="năm học đầu tiên, ví dụ 2026-2027 (mặc định: năm học hiện tại)")
    parser.add_argument(
        "--from-criteria",
        type=Path,
        default=None,
        help="thư mục bộ tiêu chí để chép (có year.yaml); mặc định: năm học mới nhất đi kèm phần mềm",
    )
    parser.add_argument(
        "--repository", default="", help="địa chỉ kho trên GitHub, ví dụ https://github.com/to-chuc/kho"
    )
    parser.add_argument("--demo", action="store_true", help="đánh dấu là dữ liệu minh hoạ (demo: true)")
    parser.add_argument(
        "--maintainer",
        action="append",
        default=[],
        metavar="TÀI_KHOẢN",
        help="tài khoản GitHub của người quản trị (lặp lại được)",
    )
    parser.add_argument(
        "--reviewer",
        action="append",
        default=[],
        metavar="TÀI_KHOẢN",
        help="tài khoản GitHub của người chấm cấp Sở (lặp lại được)",
    )
    parser.add_argument(
        "--package",
        default=None,
        help="dòng cài đặt site-builder cho GitHub Actions, ghi vào requirements.txt "
        "(mặc định: nguồn cài đặt hiện tại nếu biết)",
    )
    parser.set_defaults(run=run, needs_data_root=False)


def run(args) -> int:
    from site_builder import starter
    from site_builder.cli import UsageError
    from site_builder.starter_texts import next_steps
    from site_builder.starter_workflows import WorkflowMismatch

    department = starter.Department(
        id=args.id,
        name=" ".join(args.name.split()),
        repository=args.repository,
        demo=args.demo,
        maintainers=tuple(args.maintainer),
        reviewers=tuple(args.reviewer),
    )
    try:
        request = starter.Request(
            target=args.dir,
            department=department,
            year=args.year or starter.current_school_year(dt.date.today()),
            criteria=args.from_criteria or starter.bundled_criteria(),
            package=args.package if args.package is not None else starter.installed_requirement(),
        )
        created = starter.create(request)
    except starter.StarterError as exc:
        raise UsageError(str(exc)) from None
    except WorkflowMismatch as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"Lỗi: không ghi được kho vào «{args.dir}»: {exc.strerror or exc}.\n")
        return 1
    except starter.InvalidOutput as exc:
        report.render_human(exc.result.errors, exc.result.files_checked, stream=sys.stderr)
        sys.stderr.write("Không tạo kho: bộ tiêu chí nguồn còn lỗi (xem trên). Chưa ghi tệp nào.\n")
        return 1
    shown = os.path.relpath(created.target) if not args.dir.is_absolute() else str(created.target)
    print(
        f"Đã tạo kho dữ liệu cho {department.name} tại {shown}: {len(created.files)} tệp, năm học "
        f"{created.year}, bộ tiêu chí đề xuất chép từ {created.origin}. Dữ liệu hợp lệ."
    )
    print(next_steps(shown, created.year, department, request.package), end="")
    return 0
