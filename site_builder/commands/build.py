"""`site-builder build [--out build/site]`: validate, score and write the public site.

The data is validated before anything is written: invalid data leaves the previous site as it
was. The site is then updated in place (website/site_writer.py): a file is rewritten only when
its bytes change, each by renaming a complete file over the old one, and files no longer made
are deleted at the end. A file-system error (disk full, a path that cannot be written) is said in
Vietnamese with exit 1, never as a traceback; the next successful build completes the site.
"""

from __future__ import annotations

import errno
import shutil
import sys
from pathlib import Path

from site_builder import report


def register(sub) -> None:
    parser = sub.add_parser("build", help="kiểm tra dữ liệu rồi xây dựng trang công khai")
    parser.add_argument("--out", type=Path, default=None, help="thư mục kết quả (mặc định: build/site)")
    parser.add_argument("--timings", action="store_true", help="in thời gian từng bước")
    parser.add_argument(
        "--format",
        choices=["human", "github"],
        default="human",
        help="cách báo các vấn đề của dữ liệu: human cho người đọc, github là chú thích trên GitHub "
        "(như site-builder validate; dữ liệu chỉ được kiểm tra một lần)",
    )
    parser.add_argument(
        "--full-report",
        type=Path,
        metavar="TỆP",
        help="ghi toàn bộ danh sách vấn đề của dữ liệu (dạng chữ) vào tệp này",
    )
    parser.add_argument(
        "--link-report",
        type=Path,
        default=None,
        help="báo cáo của lệnh check-links (mặc định: build/link-report.json nếu có)",
    )
    parser.add_argument(
        "--review-queue",
        type=Path,
        default=None,
        help="danh sách yêu cầu hợp nhất đang mở, lấy từ GitHub (JSON; trang «chờ chấm»)",
    )
    parser.add_argument(
        "--objections",
        type=Path,
        default=None,
        help="các đề nghị phúc khảo, lấy từ GitHub (JSON; hiện trên trang đơn vị)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import heap

    with heap.importing():
        from site_builder.website.build import InvalidData, build_site
        from site_builder.website.evidence_files import EvidenceLinkError
        from site_builder.website.site_size import SiteTooLarge

    out = (args.out or args.root / "build" / "site").resolve()
    if out == args.root or args.root.is_relative_to(out):
        from site_builder.cli import UsageError

        raise UsageError(f"thư mục kết quả «{out}» chứa thư mục dữ liệu; hãy chọn thư mục khác.")
    try:
        built = build_site(
            args.root, out, link_report=args.link_report, review_queue=args.review_queue, objections=args.objections
        )
    except InvalidData as exc:
        _discard(out)
        _report_problems(args, exc.result.problems, exc.result.files_checked, failed=True)
        sys.stderr.write("Không xây dựng trang vì dữ liệu còn lỗi. Trang đang công khai (nếu có) giữ nguyên.\n")
        return 1
    except (SiteTooLarge, EvidenceLinkError) as exc:
        _discard(out)
        sys.stderr.write(f"{exc}\nTrang đang công khai (nếu có) giữ nguyên.\n")
        return 1
    except OSError as exc:
        _discard(out)
        sys.stderr.write(_site_state(os_error_message(exc), exc) + "\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - a fault of ours: said in Vietnamese, never a traceback
        _discard(out)
        sys.stderr.write(_site_state(unexpected_message(exc), exc) + "\n")
        return 1
    _report_problems(args, built.validation_problems, built.files_checked, failed=False)
    for warning in built.warnings:
        sys.stderr.write(f"Cảnh báo khi tạo trang: {warning}\n")
    print(
        f"Đã tạo {built.pages} trang ({built.unit_pages} trang đơn vị), {built.evidence_files} tệp minh chứng "
        f"tại {out}."
    )
    if built.size is not None:
        print(built.size.line())
        if built.size.warning():
            sys.stderr.write(f"Cảnh báo: {built.size.warning()}\n")
    if built.clock is not None and not built.clock.available:
        print(f"Lưu ý: {built.clock.reason}")
    if args.timings:
        print("Thời gian (giây): " + ", ".join(f"{k} {v}" for k, v in built.timings.items()))
        if built.cpu:
            print("Thời gian CPU (giây): " + ", ".join(f"{k} {v}" for k, v in built.cpu.items()))
        done = built.unit_pages_done
        if done:
            print(
                f"Trang đơn vị: {done.get('rendered', 0)} trang tạo lại ({done.get('processes', 1)} tiến trình), "
                f"{done.get('ranked', 0)} trang chỉ cập nhật hạng, "
                f"{done.get('kept', 0)} trang giữ nguyên."
            )
        print(f"Dữ kiện đơn vị: {built.facts_kept} đọc lại từ bộ nhớ đệm, {built.facts_gathered} tổng hợp lại.")
    return 0


OS_REASONS = {
    errno.ENOSPC: "hết chỗ trống trên đĩa",
    errno.EDQUOT: "vượt hạn mức dung lượng",
    errno.EACCES: "không có quyền",
    errno.EPERM: "không có quyền",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOTDIR: "một phần của đường dẫn là tệp chứ không phải thư mục",
    errno.EISDIR: "đường dẫn là thư mục chứ không phải tệp",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EEXIST: "đã có tệp hoặc thư mục trùng tên",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
}


def os_error_message(exc: OSError) -> str:
    from site_builder.safe_text import printable

    where = f" «{printable(str(exc.filename))}»" if exc.filename else ""
    reason = (OS_REASONS.get(exc.errno) if exc.errno is not None else None) or printable(exc.strerror or str(exc))
    return (
        f"Không xây dựng được trang: lỗi khi đọc hoặc ghi tệp{where} ({reason}). "
        "Trang đã có (nếu có) giữ nguyên. Hãy kiểm tra chỗ trống trên đĩa và quyền ghi thư mục kết quả, rồi chạy lại."
    )


def unexpected_message(exc: BaseException) -> str:
    """A fault of the program, not of the data: what to do, and where it happened for a developer
    (the innermost frame of the package), without a traceback."""
    import traceback

    from site_builder.safe_text import printable

    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if "site_builder" in f.filename
    ] or traceback.extract_tb(exc.__traceback__)
    where = f" tại {frames[-1].filename.rsplit('site_builder/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    detail = printable(str(exc))[:300]
    return (
        f"Không xây dựng được trang: lỗi chương trình ({type(exc).__name__}{where}: {detail}). Dữ liệu đã qua "
        "kiểm tra; trang đã có (nếu có) giữ nguyên. Hãy báo lỗi cho người quản trị kèm nhật ký lần chạy này."
    )


def _site_state(message: str, exc: BaseException) -> str:
    """The messages say the previous site stayed as it was; true unless the build had begun
    replacing files (website/build.py marks the exception then), which is said instead."""
    if getattr(exc, "site_touched", False):
        return message.replace("Trang đã có (nếu có) giữ nguyên.", PARTLY_UPDATED).replace(
            "trang đã có (nếu có) giữ nguyên.", PARTLY_UPDATED[0].lower() + PARTLY_UPDATED[1:]
        )
    return message


PARTLY_UPDATED = (
    "Một phần trang đã có đã được cập nhật (mỗi tệp còn nguyên bản cũ hoặc bản mới); "
    "lần xây dựng thành công tiếp theo sẽ hoàn tất trang."
)


def _report_problems(args, problems, files_checked: int, failed: bool) -> None:
    """The data's problems as `site-builder validate` reports them, so that a workflow checks the
    data once: the full list in `--full-report`, GitHub annotations and summary with `--format
    github` (warnings too); in human format only the errors that stopped the build, on stderr."""
    problems = report.ordered(problems)
    if args.full_report:
        try:
            report.write_full_report(problems, files_checked, args.full_report)
        except OSError as exc:
            sys.stderr.write(f"Không ghi được tệp «{args.full_report}» ({exc.strerror or exc}).\n")
    if args.format == "github":
        report.render_github(problems, files_checked, full_report=str(args.full_report) if args.full_report else None)
    elif failed:
        report.render_human([p for p in problems if p.is_error], files_checked, stream=sys.stderr)


def _discard(out: Path) -> None:
    """The build's scratch folders beside the site (the site itself is left as it is)."""
    for suffix in (".docs",):
        shutil.rmtree(out.with_name(out.name + suffix), ignore_errors=True)
