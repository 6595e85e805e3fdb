"""A Department repository's GitHub workflows: this project's own, installing the published tool.

This project's workflows install site-builder from its source checkout (`pip install -e .`, and
the target branch's worktree for the pull-request comment). A data repository has no source code:
it pins the tool in requirements.txt. The workflows are adapted by exact replacements, each of
which must apply, so a change to the project's workflows that the adaptation no longer fits fails
loudly (and in the tests) instead of writing a workflow that installs nothing.
"""

from __future__ import annotations

from site_builder.project_files import project_file


class WorkflowMismatch(Exception):
    """The project's workflows changed in a way the adaptation below does not fit."""

INSTALL = """\
        run: |
          pip install -r requirements.txt
          command -v site-builder >/dev/null || { echo "::error file=requirements.txt::Chưa có dòng cài đặt \
site-builder trong requirements.txt (xem README.md)."; exit 1; }"""

COMMON = (
    ("cache-dependency-path: pyproject.toml", "cache-dependency-path: requirements.txt"),
    ("        run: pip install -e .", INSTALL),
)

# file -> (old, new) pairs; every `old` must occur in the file.
REPLACEMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "check-links.yml": COMMON,
    "publish.yml": COMMON,
    "pr-comment.yml": (),
    "validate.yml": COMMON + (
        ("runs the pr-report command of the TARGET branch (already reviewed code) on the PR's",
         "runs pr-report from the site-builder the TARGET branch pins in requirements.txt, on the PR's"),
        ("installs the PR's own code and runs the annotated validation and the checks that\n"
         "#             must use the new code",
         "installs the site-builder the PR's requirements.txt pins and runs the annotated validation\n"
         "#             and the checks that must use that version"),
        ('          git worktree add --detach "$RUNNER_TEMP/base-tool" "origin/$BASE_REF"\n',
         '          git show "origin/$BASE_REF:requirements.txt" > "$RUNNER_TEMP/base-requirements.txt"\n'),
        ('"$RUNNER_TEMP/base-venv/bin/pip" install "$RUNNER_TEMP/base-tool"',
         '"$RUNNER_TEMP/base-venv/bin/pip" install -r "$RUNNER_TEMP/base-requirements.txt"'),
    ),
}
SOURCE_ONLY = ("pip install -e", "base-tool", "pyproject.toml")   # none may be left in a data repository


def adapt(name: str, text: str) -> str:
    for old, new in REPLACEMENTS[name]:
        if old not in text:
            raise WorkflowMismatch(f"quy trình {name} của dự án đã đổi, không còn đoạn «{old.strip()[:60]}»; "
                               "cần cập nhật site_builder/starter_workflows.py.")
        text = text.replace(old, new)
    left = [word for word in SOURCE_ONLY if word in text]
    if left:
        raise WorkflowMismatch(f"quy trình {name} vẫn cài site-builder từ mã nguồn ({', '.join(left)}).")
    return text


def adapted() -> dict[str, str]:
    """File name -> text of every workflow a data repository gets."""
    folder = project_file(".github/workflows")
    return {name: adapt(name, (folder / name).read_text(encoding="utf-8")) for name in sorted(REPLACEMENTS)}
