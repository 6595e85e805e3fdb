"""`site-builder repo-settings --check` against a local HTTP server that answers like GitHub's
REST API (response bodies in the documented shape, trimmed to the fields that matter)."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.datarepo import make_repo
from tests.test_pr_flow import cli

REPO = "so-gddt/danh-gia-cntt"  # also the repository of tests/datarepo.ORGANIZATION

REPOSITORY = {  # GET /repos/{owner}/{repo}
    "id": 1296269,
    "name": "danh-gia-cntt",
    "full_name": REPO,
    "private": False,
    "default_branch": "main",
    "allow_merge_commit": True,
    "allow_squash_merge": False,
    "allow_rebase_merge": False,
    "allow_auto_merge": False,
    "delete_branch_on_merge": True,
}
PROTECTION = {  # GET /repos/{owner}/{repo}/branches/{branch}/protection
    "url": f"https://api.github.com/repos/{REPO}/branches/main/protection",
    "required_status_checks": {
        "url": "…",
        "strict": False,
        "contexts": ["Kiểm tra tin cậy"],
        "checks": [{"context": "Kiểm tra tin cậy", "app_id": None}],
    },
    "enforce_admins": {"url": "…", "enabled": True},
    "required_pull_request_reviews": {
        "url": "…",
        "dismiss_stale_reviews": True,
        "require_code_owner_reviews": True,
        "required_approving_review_count": 1,
        "require_last_push_approval": True,
    },
    "required_linear_history": {"enabled": False},
    "allow_force_pushes": {"enabled": False},
    "allow_deletions": {"enabled": False},
    "required_conversation_resolution": {"enabled": False},
}
RULES = [  # GET /repos/{owner}/{repo}/rules/branches/{branch}
    {
        "type": "pull_request",
        "ruleset_source_type": "Repository",
        "ruleset_source": REPO,
        "ruleset_id": 42,
        "parameters": {
            "required_approving_review_count": 1,
            "require_code_owner_review": True,
            "dismiss_stale_reviews_on_push": True,
            "require_last_push_approval": True,
            "required_review_thread_resolution": False,
        },
    },
    {
        "type": "required_status_checks",
        "ruleset_source_type": "Repository",
        "ruleset_source": REPO,
        "ruleset_id": 42,
        "parameters": {
            "strict_required_status_checks_policy": False,
            "required_status_checks": [{"context": "Kiểm tra tin cậy"}],
        },
    },
    {"type": "non_fast_forward", "ruleset_source_type": "Repository", "ruleset_source": REPO, "ruleset_id": 42},
    {"type": "deletion", "ruleset_source_type": "Repository", "ruleset_source": REPO, "ruleset_id": 42},
]
PAGES = {
    "url": f"https://api.github.com/repos/{REPO}/pages",
    "status": "built",
    "build_type": "workflow",
    "html_url": "https://so-gddt.github.io/danh-gia-cntt/",
    "public": True,
    "https_enforced": True,
}
WORKFLOW_PERMISSIONS = {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": False}
NOT_FOUND = {"message": "Branch not protected", "documentation_url": "https://docs.github.com/rest"}


class FakeGitHub:
    """Serves `routes` (path -> (status, body)); records the requests' paths and headers."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, body = outer.routes.get(self.path, (404, {"message": "Not Found"}))
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def routes(repository=REPOSITORY, protection=PROTECTION, rules=None, pages=PAGES, workflow=WORKFLOW_PERMISSIONS):
    found = {
        f"/repos/{REPO}": (200, repository),
        f"/repos/{REPO}/branches/main/protection": (200, protection) if protection else (404, NOT_FOUND),
        f"/repos/{REPO}/pages": (200, pages) if pages else (404, {"message": "Not Found"}),
        f"/repos/{REPO}/actions/permissions/workflow": (200, workflow),
    }
    if rules is not None:
        found[f"/repos/{REPO}/rules/branches/main"] = (200, rules)
    return found


@pytest.fixture
def root(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


def run(root: Path, server: FakeGitHub, *extra: str, token: str = "ghs_kiem_thu"):
    env = {"GITHUB_API_URL": server.url}
    if token:
        env["GITHUB_TOKEN"] = token
    return cli(root, "repo-settings", "--check", *extra, env=env)


def test_a_repository_set_up_as_documented_passes(root):
    with FakeGitHub(routes()) as github:
        result = run(root, github)  # the repository comes from organization.yaml
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("✓ ") == 10 and "✗" not in result.stdout
    assert f"Kho {REPO}: đủ mọi cài đặt cần thiết." in result.stdout
    paths = [path for path, _ in github.requests]
    assert paths[0] == f"/repos/{REPO}" and f"/repos/{REPO}/branches/main/protection" in paths
    assert all(headers["authorization"] == "Bearer ghs_kiem_thu" for _, headers in github.requests)
    assert all(headers["x-github-api-version"] == "2022-11-28" for _, headers in github.requests)


def test_rulesets_count_like_branch_protection(root):
    with FakeGitHub(routes(protection=None, rules=RULES)) as github:
        result = run(root, github, "--repo", REPO)
    assert result.returncode == 0, result.stdout
    assert f"/repos/{REPO}/rules/branches/main" in [path for path, _ in github.requests]


def test_each_missing_setting_is_named_with_what_to_change(root):
    repository = {**REPOSITORY, "allow_squash_merge": True}
    protection = copy.deepcopy(PROTECTION)
    protection["required_pull_request_reviews"]["require_code_owner_reviews"] = False
    protection["required_pull_request_reviews"]["require_last_push_approval"] = False
    protection["required_status_checks"] = {"strict": False, "contexts": ["Kiểm tra dữ liệu"], "checks": []}
    protection["enforce_admins"]["enabled"] = False
    protection["required_linear_history"]["enabled"] = True
    workflow = {"default_workflow_permissions": "write", "can_approve_pull_request_reviews": True}
    with FakeGitHub(
        routes(repository, protection, pages={**PAGES, "build_type": "legacy"}, workflow=workflow)
    ) as github:
        result = run(root, github)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("✗ ")]
    assert len(failed) == 8, result.stdout
    assert any("chỉ «Create a merge commit»" in line and "tắt «Allow squash merging»" in line for line in failed)
    assert any("Code Owner" in line and "Require review from Code Owners" in line for line in failed)
    assert any("«Kiểm tra tin cậy»" in line and "đang bắt buộc: Kiểm tra dữ liệu" in line for line in failed)
    assert any("quản trị viên" in line for line in failed)
    assert any("Require linear history" in line for line in failed)
    assert any("most recent reviewable push" in line for line in failed)
    assert any("GitHub Actions" in line and "Pages" in line for line in failed)
    assert any("chỉ có quyền đọc" in line for line in failed)
    assert lines[-1] == f"Kho {REPO}: còn 8 cài đặt cần sửa (xem docs/huong-dan/quan-tri.md)."


def test_an_unprotected_branch_fails_every_branch_rule(root):
    with FakeGitHub(routes(protection=None, rules=[], pages=None)) as github:
        result = run(root, github)
    assert result.returncode == 1
    assert "✗ Không đẩy thẳng lên main" in result.stdout and "✗ Trang công khai" in result.stdout


@pytest.mark.parametrize("status", [401, 403])
def test_a_token_without_rights_is_a_usage_error(root, status):
    with FakeGitHub({f"/repos/{REPO}": (status, {"message": "Bad credentials"})}) as github:
        result = run(root, github)
    assert result.returncode == 2
    assert f"mã {status}" in result.stderr and "Administration: read" in result.stderr


def test_without_a_token_nothing_is_asked(root):
    with FakeGitHub(routes()) as github:
        result = run(root, github, token="")
    assert result.returncode == 2 and "GITHUB_TOKEN" in result.stderr
    assert github.requests == []


def test_an_unreachable_api_is_a_usage_error(root):
    with FakeGitHub(routes()) as github:
        url = github.url
    result = cli(root, "repo-settings", "--check", env={"GITHUB_API_URL": url, "GITHUB_TOKEN": "x"})
    assert result.returncode == 2 and "không kết nối được" in result.stderr
