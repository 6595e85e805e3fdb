"""A Department repository's GitHub workflows: this project's own, installing the published tool.

This project's workflows install site-builder from its source checkout with the locked
dependencies (`requirements/run.txt`, then `pip install --no-deps -e .`; and
the default branch's checkout for the pull-request comment). A data repository has no source code:
it pins the tool in requirements.txt. The workflows are adapted by exact replacements, each of
which must apply, so a change to the project's workflows that the adaptation no longer fits fails
loudly (and in the tests) instead of writing a workflow that installs nothing.
"""

from __future__ import annotations

from site_builder import resources


class WorkflowMismatch(Exception):
    """The project's workflows changed in a way the adaptation below does not fit."""


INSTALL = """\
        run: |
          pip install -r requirements.txt
          command -v site-builder >/dev/null || { echo "::error file=requirements.txt::Chưa có dòng cài đặt \
site-builder trong requirements.txt (xem README.md)."; exit 1; }"""

COMMON = (("        run: pip install -r requirements/run.txt && pip install --no-deps -e .", INSTALL),)

# file -> (old, new) pairs; every `old` must occur in the file.
REPLACEMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "check-links.yml": COMMON,
    "nhac-viec.yml": COMMON,  # reminders (the reviewer's workspace)
    "phuc-khao.yml": COMMON,  # objections
    "publish.yml": COMMON,
    "pr-comment.yml": (
        (
            "# whatever the pull request changed. The tool is installed from the default branch's checkout;",
            "# whatever the pull request changed. The tool is the one the default branch pins in requirements.txt;",
        ),
        (
            '"$RUNNER_TEMP/venv/bin/pip" install -r nhanh-chinh/requirements/run.txt && '
            '"$RUNNER_TEMP/venv/bin/pip" install --no-deps ./nhanh-chinh',
            '"$RUNNER_TEMP/venv/bin/pip" install -r nhanh-chinh/requirements.txt',
        ),
    ),
    "validate.yml": COMMON
    + (
        (
            "# Checks every pull request with the pull request's own code:",
            "# Checks every pull request with the site-builder its own requirements.txt pins:",
        ),
    ),
}
SOURCE_ONLY = ("pip install -e", "base-tool", "pyproject.toml")  # none may be left in a data repository


def adapt(name: str, text: str) -> str:
    for old, new in REPLACEMENTS[name]:
        if old not in text:
            raise WorkflowMismatch(
                f"quy trình {name} của dự án đã đổi, không còn đoạn «{old.strip()[:60]}»; "
                "cần cập nhật site_builder/starter_workflows.py."
            )
        text = text.replace(old, new)
    left = [word for word in SOURCE_ONLY if word in text]
    if left:
        raise WorkflowMismatch(f"quy trình {name} vẫn cài site-builder từ mã nguồn ({', '.join(left)}).")
    return text


def adapted() -> dict[str, str]:
    """File name -> text of every workflow a data repository gets."""
    folder = resources.workflows_dir()
    return {name: adapt(name, (folder / name).read_text(encoding="utf-8")) for name in sorted(REPLACEMENTS)}
