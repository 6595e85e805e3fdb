"""The GitHub workflows: linted by zizmor and the workflow JSON Schema, plus the rules the
project sets for them (pinned actions, least privilege, no PR code with a write token)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from site_builder.cli import build_parser
from site_builder.pr_report import MARKER
from tests.datarepo import PROJECT

WORKFLOWS = PROJECT / ".github/workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is a test dependency (pip install -e .[test])")
    return str(found)


def test_the_pull_request_and_publish_workflows_exist():
    assert {"pr-comment.yml", "publish.yml", "validate.yml"} <= {f.name for f in FILES}


def test_zizmor_finds_nothing():
    for persona in ("regular", "auditor"):
        result = subprocess.run([tool("zizmor"), "--offline", f"--persona={persona}", "--no-progress", str(WORKFLOWS)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No findings to report" in result.stdout


def test_only_the_justified_zizmor_ignore():
    ignores = [(f.name, line.strip()) for f in FILES for line in f.read_text(encoding="utf-8").splitlines()
               if "zizmor: ignore" in line]
    assert len(ignores) == 1
    name, line = ignores[0]
    assert name == "pr-comment.yml" and line.startswith("workflow_run:") and "ignore[dangerous-triggers]" in line


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflow_schema(path):
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_pinned_least_privilege_no_credentials(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "no default permissions; each job asks for what it needs"
    assert "pull_request_target" not in workflow["on"]
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
    for step in steps(workflow):
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            if path.name in ("validate.yml", "publish.yml"):  # git history: diffs and submission dates
                assert step["with"]["fetch-depth"] == 0
        assert "secrets." not in str(step)
        assert "${{" not in step.get("run", ""), "expressions go through env:, never into the shell text"


def test_write_permissions_only_where_needed():
    validate, publish, comment = (load(WORKFLOWS / n) for n in ("validate.yml", "publish.yml", "pr-comment.yml"))
    for job in validate["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    assert publish["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert comment["jobs"]["binh-luan"]["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not any("checkout" in s.get("uses", "") for s in steps(comment)), "the commenter never checks out PR code"


def test_validate_workflow_runs_the_report_with_the_target_branch_tool():
    validate = load(WORKFLOWS / "validate.yml")
    assert list(validate["on"]) == ["pull_request"]
    report = validate["jobs"]["bao-cao"]
    runs = "\n".join(s.get("run", "") for s in report["steps"])
    assert 'git worktree add --detach "$RUNNER_TEMP/base-tool" "origin/$BASE_REF"' in runs
    assert "pip install -e" not in runs, "no code from the pull request runs in the report job"
    assert "pr-report --base \"origin/$BASE_REF\" --head HEAD" in runs and '--author "$AUTHOR"' in runs
    env = next(s["env"] for s in report["steps"] if "pr-report" in s.get("run", ""))
    assert env["AUTHOR"] == "${{ github.event.pull_request.user.login }}"
    upload = next(s for s in report["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "pr-report" and upload["if"] == "${{ !cancelled() }}"
    check_runs = "\n".join(s.get("run", "") for s in validate["jobs"]["kiem-tra"]["steps"])
    for command in ("site-builder validate --format github", "site-builder codeowners --check",
                    "site-builder editor-schemas --check"):
        assert command in check_runs


def test_comment_workflow_matches_the_report():
    validate, comment = load(WORKFLOWS / "validate.yml"), load(WORKFLOWS / "pr-comment.yml")
    assert comment["on"]["workflow_run"]["workflows"] == [validate["name"]]
    script = next(s["with"]["script"] for s in steps(comment) if "github-script" in s.get("uses", ""))
    assert f"const marker = '{MARKER}';" in script
    download = next(s for s in steps(comment) if "download-artifact" in s.get("uses", ""))
    assert download["with"]["name"] == "pr-report"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"


def test_publish_keeps_the_previous_site_on_failure():
    publish = load(WORKFLOWS / "publish.yml")
    assert publish["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in publish["on"]
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert publish["jobs"]["deploy"]["needs"] == "build"
    runs = [s.get("run", "") for s in publish["jobs"]["build"]["steps"]]
    assert runs.index("site-builder validate --format github") < runs.index("site-builder build --out build/site")
    upload = next(s for s in publish["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "build/site"


def test_every_command_the_workflows_call_exists():
    commands = build_parser()._subparsers._group_actions[0].choices
    called = {m for f in FILES for m in re.findall(r"site-builder\"? ([a-z-]+)", f.read_text(encoding="utf-8"))}
    assert called >= {"pr-report", "validate", "codeowners", "editor-schemas", "build"}
    assert called <= set(commands), called - set(commands)


def test_issue_forms_are_valid():
    folder = PROJECT / ".github/ISSUE_TEMPLATE"
    for path in sorted(folder.glob("*.yml")):
        schema = "vendor.github-issue-config" if path.name == "config.yml" else "vendor.github-issue-forms"
        result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
