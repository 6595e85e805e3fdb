"""`site-builder pr-report --base REF --head REF [--author HANDLE] [--output FILE]`: the PR comment.

Exit 1 when the pull request has errors or touches files its author may not change. Without
--author, the author is read from the GitHub event payload (GITHUB_EVENT_PATH) when there is one.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("pr-report", help="kiểm tra một yêu cầu hợp nhất (pull request) và soạn bình luận")
    parser.add_argument("--base", required=True, help="nhánh hoặc commit gốc, ví dụ origin/main")
    parser.add_argument("--head", required=True, help="nhánh hoặc commit của yêu cầu, ví dụ HEAD")
    parser.add_argument("--author", help="tài khoản GitHub của người tạo yêu cầu (để kiểm tra quyền)")
    parser.add_argument("--output", type=Path, help="ghi bình luận Markdown vào tệp này (mặc định: in ra màn hình)")
    # The checkout may be the pull request's: a .cache/ folder in it would be the PR's to write.
    parser.set_defaults(run=run, data_cache=False)


def run(args) -> int:
    from site_builder import heap
    from site_builder.cli import UsageError

    with heap.importing():
        from site_builder import pr_report

    author = args.author or _author_from_event()
    try:
        outcome = pr_report.run(args.root, args.base, args.head, author, cache_dir=_trusted_cache(args))
    except pr_report.GitProblem as exc:
        raise UsageError(str(exc)) from None
    text = pr_report.render(outcome)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"Đã ghi bình luận vào {args.output}: {outcome.errors} lỗi, {len(outcome.denials)} tệp ngoài quyền.")
    else:
        sys.stdout.write(text)
    _github_output(outcome)
    return 0 if outcome.ok else 1


def _trusted_cache(args):
    """Only a folder given explicitly (--cache-dir): the checkout may be the pull request's."""
    return None if args.no_cache or args.cache_dir is None else args.cache_dir.resolve()


def _author_from_event() -> str | None:
    """The PR author from the event payload GitHub Actions writes (None outside a pull request)."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path or not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError):
        return None
    login = ((event.get("pull_request") or {}).get("user") or {}).get("login")
    return login if isinstance(login, str) and login else None


def _github_output(outcome) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"valid={'true' if outcome.ok else 'false'}\n")
        handle.write(f"errors={outcome.errors}\n")
        handle.write(f"denied={len(outcome.denials)}\n")
