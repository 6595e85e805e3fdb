"""The reminder and objection workflows: least privilege, the default branch's code only, and
nothing posted that the commands did not print. (zizmor, the workflow schema, pinning and the
issue-form schema are checked for every file by test_workflows.py.)"""

from __future__ import annotations

from tests.test_workflows import WORKFLOWS, load, steps


def test_reminders_run_daily_with_issue_write_only_and_post_the_commands_json():
    workflow = load(WORKFLOWS / "nhac-viec.yml")
    assert "schedule" in workflow["on"] and "workflow_dispatch" in workflow["on"]
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}, "never started by a pull request"
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    runs = [s.get("run", "") for s in steps(workflow)]
    assert 'site-builder reminders --format json > "$RUNNER_TEMP/nhac-viec.json"' in runs
    script = next(s for s in steps(workflow) if "github-script" in s.get("uses", ""))
    assert script["env"] == {"NOTICES_FILE": "${{ runner.temp }}/nhac-viec.json"}
    code = script["with"]["script"]
    assert "body_markdown" in code and "n.label" in code and "state: 'closed'" in code


def test_objections_are_checked_by_the_command_and_the_workflow_only_applies_its_answer():
    workflow = load(WORKFLOWS / "phuc-khao.yml")
    assert workflow["on"] == {"issues": {"types": ["opened", "edited"]}}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert "phúc khảo" in job["if"]
    check = next(s for s in steps(workflow) if "objection-check" in s.get("run", ""))
    assert check["env"] == {
        "ISSUE_BODY": "${{ github.event.issue.body }}",
        "AUTHOR": "${{ github.event.issue.user.login }}",
    }
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@"))
    assert set(checkout["with"]) == {"persist-credentials"}, "the default branch, nothing from the event"
    code = next(s for s in steps(workflow) if "github-script" in s.get("uses", ""))["with"]["script"]
    assert "result.labels" in code and "result.comment" in code and "state_reason: 'not_planned'" in code


def test_publish_fetches_queue_and_objections_read_only_and_builds_with_them():
    workflow = load(WORKFLOWS / "publish.yml")
    fetch = next(s for s in workflow["jobs"]["build"]["steps"] if "hang-cho" in str(s.get("env", "")))
    assert fetch["continue-on-error"] is True
    assert "pulls.listFiles" in fetch["with"]["script"] and "'phúc khảo hợp lệ'" in fetch["with"]["script"]
    build = next(s["run"] for s in workflow["jobs"]["build"]["steps"] if " build --out build/site" in s.get("run", ""))
    assert (
        '--review-queue "$RUNNER_TEMP/hang-cho.json"' in build and '--objections "$RUNNER_TEMP/phuc-khao.json"' in build
    )
    assert workflow["jobs"]["deploy"]["needs"] == "build"
