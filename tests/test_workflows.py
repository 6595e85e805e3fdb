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
# Every action the workflows use, at a release of a major that runs on Node 24, pinned by the
# release's commit (see the report of the change that set them for how each was checked).
RELEASES = {
    "actions/checkout": ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "actions/setup-python": ("e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0"),
    "actions/upload-artifact": ("330a01c490aca151604b8cf639adc76d48f6c5d4", "v5.0.0"),
    "actions/github-script": ("ed597411d8f924073f98dfc5c65a23a2325f34cd", "v8.0.0"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
    "actions/cache/restore": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/cache/save": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
}
# The one cache: what publish.yml made that is keyed by content (verdicts and the keys they were
# found under, units' facts, each commit's changes, search index, workbooks, downloads' rows, the
# listing's district files, pages, evidence digests by git blob).
KEPT_FOLDERS = "".join(
    [
        f"~/.cache/site-builder/{folder}\n"
        for folder in (
            "pdf",
            "signatures",
            "build/*/checks",
            "build/*/facts",
            "build/*/blobs/unit-facts",
            "build/*/history",
            "build/*/blobs/unit-file-keys",
            "build/*/blobs/search",
            "build/*/blobs/workbooks",
            "build/*/blobs/downloads",
            "build/*/blobs/download-lines",
            "build/*/blobs/download-xlsx",
            "build/*/blobs/listing",
            "build/*/blobs/unit-pages",
            "build/*/blobs/district-pages",
        )
    ]
    + ["build/site/*/don-vi\n", "build/site/*/quan-ly\n"]  # the unit and body pages (their manifests above)
)


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
        result = subprocess.run(
            [tool("zizmor"), "--offline", f"--persona={persona}", "--no-progress", str(WORKFLOWS)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No findings to report" in result.stdout


def test_only_the_justified_zizmor_ignore():
    ignores = [
        (f.name, line.strip())
        for f in FILES
        for line in f.read_text(encoding="utf-8").splitlines()
        if "zizmor: ignore" in line
    ]
    assert len(ignores) == 1
    name, line = ignores[0]
    assert name == "pr-comment.yml" and line.startswith("workflow_run:") and "ignore[dangerous-triggers]" in line


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflow_schema(path):
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )
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
            action, sha = step["uses"].split("@")
            assert RELEASES[action][0] == sha, step["uses"]
            assert not step.get("with", {}).get("cache"), "no cache: one written by PR code could reach a trusted job"
        if "actions/cache" in step.get("uses", ""):
            assert path.name == "publish.yml", "only publishing, on the default branch, keeps a cache"
            assert step["with"]["path"] == KEPT_FOLDERS, "what is keyed by content, nothing else"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            if path.name in ("validate.yml", "publish.yml"):  # git history: diffs and submission dates
                assert step["with"]["fetch-depth"] == 0
        assert "secrets." not in str(step)
        assert "${{" not in step.get("run", ""), "expressions go through env:, never into the shell text"


def test_every_pin_names_its_release_in_a_comment():
    for path in FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"^\s*(- )?uses:", line):
                action, rest = line.split("uses:", 1)[1].strip().split("@", 1)
                sha, _, comment = rest.partition("#")
                assert (sha.strip(), comment.strip()) == RELEASES[action], line


def test_write_permissions_only_where_needed():
    validate, publish, comment = (load(WORKFLOWS / n) for n in ("validate.yml", "publish.yml", "pr-comment.yml"))
    for job in validate["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    assert publish["jobs"]["build"]["permissions"] == {"contents": "read", "pull-requests": "read", "issues": "read"}
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert comment["jobs"]["binh-luan"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "statuses": "write",
    }


def test_pull_request_run_is_untrusted_and_produces_nothing_that_is_posted():
    validate = load(WORKFLOWS / "validate.yml")
    assert list(validate["on"]) == ["pull_request"] and list(validate["jobs"]) == ["kiem-tra"]
    runs = "\n".join(s.get("run", "") for s in steps(validate))
    for command in (
        "site-builder validate --format github --full-report",
        "site-builder codeowners --check",
        "site-builder editor-schemas --check",
        '--paths-from "$RUNNER_TEMP/changed"',
    ):
        assert command in runs
    assert "pr-report" not in runs, "the comment is never made by code the pull request can change"
    upload = next(s for s in steps(validate) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "kiem-tra-day-du"


def test_comment_workflow_runs_only_default_branch_code_on_the_pr_as_git_data():
    validate, comment = load(WORKFLOWS / "validate.yml"), load(WORKFLOWS / "pr-comment.yml")
    assert comment["on"]["workflow_run"]["workflows"] == [validate["name"]]
    job_steps = list(steps(comment))
    assert not any("download-artifact" in s.get("uses", "") for s in job_steps), "no artifact of the PR's run is used"
    checkouts = [s for s in job_steps if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 1 and set(checkouts[0]["with"]) == {"path", "fetch-depth", "persist-credentials"}, (
        "one checkout, of the default branch (no ref, no repository from the event)"
    )
    runs = "\n".join(s.get("run", "") for s in job_steps)
    assert 'fetch --no-tags origin "$1"' in runs and 'fetch "+$HEAD_SHA:refs/yeu-cau/head"' in runs
    assert 'test "$(git -C nhanh-chinh rev-parse refs/yeu-cau/head)" = "$HEAD_SHA"' in runs
    assert '"$RUNNER_TEMP/venv/bin/pip" install --no-deps ./nhanh-chinh' in runs and "pip install -e" not in runs
    assert (
        'pr-report --base "origin/$BASE_REF"' in runs
        and "--head refs/yeu-cau/head" in runs
        and '--author "$AUTHOR"' in runs
    )
    report = next(s for s in job_steps if "pr-report" in s.get("run", ""))
    assert report["env"] == {"BASE_REF": "${{ steps.pr.outputs.base }}", "AUTHOR": "${{ steps.pr.outputs.author }}"}
    assert "--cache-dir" not in report["run"], "no cache folder: nothing from an earlier run vouches for a file"
    scripts = [s["with"]["script"] for s in job_steps if "github-script" in s.get("uses", "")]
    assert "pr.user.login" in scripts[0] and "pr.base.ref" in scripts[0]
    assert f"const marker = '{MARKER}';" in scripts[1] and "createCommitStatus" in scripts[1]
    assert "context: 'Kiểm tra tin cậy'" in scripts[1]


def test_publish_keeps_the_previous_site_on_failure():
    publish = load(WORKFLOWS / "publish.yml")
    assert publish["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in publish["on"]
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert publish["jobs"]["deploy"]["needs"] == "build"
    steps = publish["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert not any("site-builder validate" in r for r in runs)  # the build checks the data, once
    build = next(i for i, r in enumerate(runs) if " build --out build/site" in r)
    assert runs[build].startswith("site-builder --cache-dir ~/.cache/site-builder/pdf build ")
    assert (
        "--format github" in runs[build] and '--full-report "$RUNNER_TEMP/kiem-tra/kiem-tra-day-du.txt"' in runs[build]
    )
    report = next(i for i, s in enumerate(steps) if "upload-artifact@" in s.get("uses", ""))
    assert report > build and steps[report]["if"] == "${{ failure() }}"
    assert steps[report]["with"]["name"] == "kiem-tra-day-du"
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "build/site"


def test_publish_keeps_what_it_made_between_runs():
    """Verdicts, evidence digests, the search index, the workbooks, the downloads' rows and the
    pages are restored before the build and saved after it, even when the data was refused; only
    on the default branch (pushes to main, the schedule, by hand), where no pull request's cache is
    visible; and under a key no other workflow writes."""
    publish = load(WORKFLOWS / "publish.yml")
    assert set(publish["on"]) == {"push", "schedule", "workflow_dispatch"}
    steps = publish["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    runs = [s.get("run", "") for s in steps]
    restore, save = uses.index("actions/cache/restore"), uses.index("actions/cache/save")
    build = next(i for i, r in enumerate(runs) if " build --out build/site" in r)
    assert restore < build < save
    assert steps[restore]["with"]["key"] == steps[save]["with"]["key"] == "xuat-ban-${{ github.run_id }}"
    assert steps[restore]["with"]["restore-keys"] == "xuat-ban-"
    assert steps[save]["if"].startswith("${{ !cancelled() }}")
    others = [f for f in FILES if f.name != "publish.yml"]
    assert not any("xuat-ban-" in f.read_text(encoding="utf-8") for f in others)


def test_every_command_the_workflows_call_exists():
    commands = build_parser()._subparsers._group_actions[0].choices
    called = {
        m
        for f in FILES
        for m in re.findall(r"site-builder\"?(?: --(?:root|cache-dir) \S+)* ([a-z-]+)", f.read_text(encoding="utf-8"))
    }
    assert called >= {"pr-report", "validate", "codeowners", "editor-schemas", "build"}
    assert called <= set(commands), called - set(commands)


def test_issue_forms_are_valid():
    folder = PROJECT / ".github/ISSUE_TEMPLATE"
    for path in sorted(folder.glob("*.yml")):
        schema = "vendor.github-issue-config" if path.name == "config.yml" else "vendor.github-issue-forms"
        result = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_report_reads_git_objects_only():
    """No `git archive` and no checkout of the pull request: a tree's .gitattributes (export-ignore,
    export-subst, eol) must not change what the trusted report sees (tests/test_hostile_prs.py)."""
    import site_builder

    package = Path(site_builder.__file__).parent
    for name in ("pr_report.py", "gittree.py", "gitread.py", "change_check.py"):
        source = (package / name).read_text(encoding="utf-8")
        assert '"archive"' not in source and ".archive(" not in source and '"checkout"' not in source, name
    assert "git archive" not in "\n".join(s.get("run", "") for s in steps(load(WORKFLOWS / "pr-comment.yml")))
