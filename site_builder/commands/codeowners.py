"""`site-builder codeowners [--check]`: write (or check) .github/CODEOWNERS from the registry."""

from __future__ import annotations

import sys

from site_builder import report
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("codeowners", help="sinh tệp .github/CODEOWNERS từ danh sách đơn vị")
    parser.add_argument("--check", action="store_true", help="chỉ kiểm tra tệp đã có còn đúng không (không ghi)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder.codeowners import PATH, render
    from site_builder.registry import load_organization, load_registry

    root = DataRoot(args.root)
    organization, problems = load_organization(root)
    registry = None
    if organization is not None:
        registry, found = load_registry(root, organization)
        problems = problems + found
    errors = [p for p in problems if p.is_error]
    if registry is None or errors:
        report.render_human(errors, len({p.path for p in errors}), stream=sys.stderr)
        sys.stderr.write("Không sinh được CODEOWNERS khi danh sách đơn vị còn lỗi.\n")
        return 1
    text = render(registry)
    target = root.path / PATH
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if args.check:
        if current != text:
            state = "chưa có" if current is None else "đã cũ so với danh sách đơn vị"
            sys.stderr.write(f"Tệp {PATH} {state}. Hãy chạy «site-builder codeowners» rồi commit tệp này.\n")
            return 1
        print(f"Tệp {PATH} khớp với danh sách đơn vị.")
        return 0
    if current == text:
        print(f"Tệp {PATH} không thay đổi.")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"Đã ghi {PATH} ({sum(len(r.units) for r in registry.periods.values())} đơn vị qua các năm học).")
    return 0
