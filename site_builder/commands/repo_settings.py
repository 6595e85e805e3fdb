"""`site-builder repo-settings --check [--repo OWNER/NAME]`: are the repository settings the
review model needs in place? Reads them with GITHUB_TOKEN through the REST API (GITHUB_API_URL,
default https://api.github.com) and prints one Vietnamese line per rule.

Exit 0 when every rule holds, 1 when something is missing, 2 when the settings cannot be read
(no token, unknown repository, network).
"""

from __future__ import annotations

import os
import sys


def register(sub) -> None:
    parser = sub.add_parser("repo-settings", help="kiểm tra cài đặt kho trên GitHub (bảo vệ nhánh, cách hợp nhất, …)")
    parser.add_argument(
        "--check", action="store_true", required=True, help="đọc cài đặt qua GitHub API và báo những gì còn thiếu"
    )
    parser.add_argument(
        "--repo",
        help="kho dạng chủ/tên (mặc định: GITHUB_REPOSITORY, hoặc «repository» trong submissions/organization.yaml)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import repo_settings
    from site_builder.cli import UsageError

    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError("cần biến môi trường GITHUB_TOKEN (token có quyền đọc cài đặt kho, «Administration: read»).")
    repository = args.repo or os.environ.get("GITHUB_REPOSITORY", "").strip() or _from_organization(args.root)
    if not repository or repository.count("/") != 1:
        raise UsageError("chưa biết kho cần kiểm tra: hãy dùng --repo chủ/tên (ví dụ so-gddt/danh-gia-cntt).")
    client = repo_settings.Client(os.environ.get("GITHUB_API_URL", "https://api.github.com"), token)
    try:
        findings = repo_settings.check(client, repository)
    except repo_settings.ApiProblem as exc:
        raise UsageError(str(exc)) from None
    for f in findings:
        sys.stdout.write(f"{'✓' if f.ok else '✗'} {f.rule}" + ("" if f.ok else f" — {f.detail}") + "\n")
    missing = sum(not f.ok for f in findings)
    if missing:
        sys.stdout.write(f"Kho {repository}: còn {missing} cài đặt cần sửa (xem docs/huong-dan/quan-tri.md).\n")
        return 1
    sys.stdout.write(f"Kho {repository}: đủ mọi cài đặt cần thiết.\n")
    return 0


def _from_organization(root) -> str:
    from site_builder import repo_settings
    from site_builder.paths import DataRoot
    from site_builder.registry import load_organization

    organization, _ = load_organization(DataRoot(root))
    return repo_settings.repository_from_url(organization.repository or "") if organization else ""
