"""The repository settings the review model depends on, read through GitHub's REST API.

The workflows and CODEOWNERS only protect main if the repository enforces them: pull requests
only (no direct pushes, not even by administrators), the trusted status "Kiểm tra tin cậy"
(pr-comment.yml) required, a Code Owner's approval required and lost when new commits arrive,
merge commits as the only merge method (squash or rebase would give the unit's commit a new
date: the date a unit proposed a change is the date of its own commit), Pages published by the
workflow, and a read-only default token. `check` fetches what it needs and returns one finding
per rule; docs/huong-dan/quan-tri.md explains each one to maintainers.

Branch rules may be set as classic branch protection or as a ruleset; both are read.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

TRUSTED_CHECK = "Kiểm tra tin cậy"  # the commit status pr-comment.yml sets
API_VERSION = "2022-11-28"


class ApiProblem(Exception):
    """The API could not be asked (network, token, repository); the message is Vietnamese."""


@dataclass(frozen=True)
class Finding:
    ok: bool
    rule: str  # short Vietnamese name of the rule
    detail: str  # what was found, and when not ok, what to change


@dataclass
class Client:
    api_url: str
    token: str
    timeout: float = 20.0

    def get(self, path: str, missing_ok: bool = False):
        request = urllib.request.Request(
            self.api_url.rstrip("/") + path,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "site-builder-repo-settings",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - https API URL
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                return None
            if exc.code in (401, 403):
                raise ApiProblem(
                    f"GitHub từ chối yêu cầu {path} (mã {exc.code}): token không hợp lệ hoặc thiếu quyền "
                    "đọc cài đặt kho (cần quyền «Administration: read»)."
                ) from None
            if exc.code == 404:
                raise ApiProblem(
                    f"không tìm thấy {path} (mã 404): kiểm tra tên kho, hoặc token chưa được cấp quyền với kho này."
                ) from None
            raise ApiProblem(f"GitHub trả lời lỗi {exc.code} cho {path}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ApiProblem(f"không kết nối được tới {self.api_url} ({getattr(exc, 'reason', exc)}).") from None
        except ValueError:
            raise ApiProblem(f"câu trả lời của GitHub cho {path} không phải JSON.") from None


@dataclass
class BranchRules:
    """Classic protection or rulesets, in one shape."""

    source: str = ""  # "bảo vệ nhánh" | "bộ quy tắc" | "" (none)
    pull_request: bool = False
    approvals: int = 0
    code_owners: bool = False
    dismiss_stale: bool = False
    last_push_approval: bool = False
    checks: tuple[str, ...] = ()
    admins_included: bool = False
    force_push_blocked: bool = False
    deletion_blocked: bool = False
    linear_history: bool = False


def classic_rules(data: dict) -> BranchRules:
    reviews = data.get("required_pull_request_reviews") or {}
    status = data.get("required_status_checks") or {}
    contexts = list(status.get("contexts") or []) + [c.get("context", "") for c in status.get("checks") or []]
    return BranchRules(
        source="bảo vệ nhánh",
        pull_request=bool(reviews),
        approvals=int(reviews.get("required_approving_review_count") or 0),
        code_owners=bool(reviews.get("require_code_owner_reviews")),
        dismiss_stale=bool(reviews.get("dismiss_stale_reviews")),
        last_push_approval=bool(reviews.get("require_last_push_approval")),
        checks=tuple(dict.fromkeys(c for c in contexts if c)),
        admins_included=bool((data.get("enforce_admins") or {}).get("enabled")),
        force_push_blocked=not (data.get("allow_force_pushes") or {}).get("enabled", False),
        deletion_blocked=not (data.get("allow_deletions") or {}).get("enabled", False),
        linear_history=bool((data.get("required_linear_history") or {}).get("enabled")),
    )


def ruleset_rules(rules: list) -> BranchRules:
    """GET /repos/{owner}/{repo}/rules/branches/{branch}: the active rules of every ruleset.
    Bypass lists are not returned there, so administrators count as included."""
    found = BranchRules(source="bộ quy tắc" if rules else "")
    for rule in rules or []:
        kind, params = rule.get("type"), rule.get("parameters") or {}
        if kind == "pull_request":
            found.pull_request = True
            found.approvals = max(found.approvals, int(params.get("required_approving_review_count") or 0))
            found.code_owners |= bool(params.get("require_code_owner_review"))
            found.dismiss_stale |= bool(params.get("dismiss_stale_reviews_on_push"))
            found.last_push_approval |= bool(params.get("require_last_push_approval"))
        elif kind == "required_status_checks":
            found.checks += tuple(c.get("context", "") for c in params.get("required_status_checks") or [])
        elif kind == "non_fast_forward":
            found.force_push_blocked = True
        elif kind == "deletion":
            found.deletion_blocked = True
        elif kind == "required_linear_history":
            found.linear_history = True
    found.admins_included = found.pull_request
    return found


def check(client: Client, repository: str) -> list[Finding]:
    repo = client.get(f"/repos/{repository}")
    branch = repo.get("default_branch") or "main"
    protection = client.get(f"/repos/{repository}/branches/{branch}/protection", missing_ok=True)
    rules = (
        classic_rules(protection)
        if protection
        else ruleset_rules(client.get(f"/repos/{repository}/rules/branches/{branch}", missing_ok=True) or [])
    )
    pages = client.get(f"/repos/{repository}/pages", missing_ok=True)
    actions = client.get(f"/repos/{repository}/actions/permissions/workflow", missing_ok=True) or {}
    return evaluate(repo, branch, rules, pages, actions)


def evaluate(repo: dict, branch: str, rules: BranchRules, pages: dict | None, actions: dict) -> list[Finding]:
    where = f"nhánh {branch}" + (f" ({rules.source})" if rules.source else "")
    findings = [
        Finding(
            bool(repo.get("allow_merge_commit"))
            and not repo.get("allow_squash_merge")
            and not repo.get("allow_rebase_merge"),
            "Cách hợp nhất: chỉ «Create a merge commit»",
            "Settings → General → Pull Requests: chỉ bật «Allow merge commits», tắt «Allow squash merging» và "
            "«Allow rebase merging», để giữ nguyên commit (và thời điểm) đơn vị gửi bài.",
        ),
        Finding(
            rules.pull_request,
            f"Không đẩy thẳng lên {branch}: mọi thay đổi qua yêu cầu hợp nhất",
            f"{where}: cần bật «Require a pull request before merging».",
        ),
        Finding(
            rules.approvals >= 1 and rules.code_owners,
            "Người chấm (Code Owner) phải phê duyệt",
            f"{where}: cần ít nhất 1 phê duyệt (đang là {rules.approvals}) và bật «Require review from Code Owners».",
        ),
        Finding(
            rules.dismiss_stale and rules.last_push_approval,
            "Phê duyệt mất hiệu lực khi có commit mới",
            f"{where}: cần bật «Dismiss stale pull request approvals when new commits are pushed» và "
            "«Require approval of the most recent reviewable push».",
        ),
        Finding(
            TRUSTED_CHECK in rules.checks,
            f"Bắt buộc kiểm tra «{TRUSTED_CHECK}»",
            f"{where}: cần bật «Require status checks to pass» với kiểm tra «{TRUSTED_CHECK}» "
            f"(đang bắt buộc: {', '.join(rules.checks) or 'không có'}).",
        ),
        Finding(
            rules.admins_included,
            "Quy tắc áp dụng cả với quản trị viên",
            f"{where}: cần bật «Do not allow bypassing the above settings» (Include administrators).",
        ),
        Finding(
            rules.force_push_blocked and rules.deletion_blocked,
            "Không cho ghi đè lịch sử hoặc xoá nhánh",
            f"{where}: cần tắt «Allow force pushes» và «Allow deletions».",
        ),
        Finding(
            not rules.linear_history,
            "Không bắt buộc lịch sử thẳng",
            f"{where}: cần tắt «Require linear history» (quy tắc này cấm commit hợp nhất).",
        ),
        Finding(
            pages is not None and pages.get("build_type") == "workflow",
            "Trang công khai xuất bản bằng GitHub Actions",
            "Settings → Pages → Build and deployment → Source: chọn «GitHub Actions».",
        ),
        Finding(
            actions.get("default_workflow_permissions") == "read"
            and not actions.get("can_approve_pull_request_reviews"),
            "Token mặc định của quy trình chỉ có quyền đọc",
            "Settings → Actions → General → Workflow permissions: chọn «Read repository contents and packages "
            "permissions» và tắt «Allow GitHub Actions to create and approve pull requests».",
        ),
    ]
    return findings


def repository_from_url(url: str) -> str:
    """https://github.com/owner/name(.git) -> owner/name ("" when it is not such a URL)."""
    parts = url.rstrip("/").removesuffix(".git").split("/")
    if len(parts) >= 5 and parts[2].endswith("github.com"):
        return f"{parts[3]}/{parts[4]}"
    return ""
