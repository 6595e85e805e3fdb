"""Whatever the pull-request check accepts must build.

Every case of the validator corpus is proposed as a pull request to a valid repository (a
maintainer's, so that only the data decides). When the trusted report finds no error, the pull
request is merged and the site is built from the result, by the command line: it must succeed,
without a traceback. The corpus's accepted groups (valid/, warning/) must be accepted. The hostile
pull requests get the same treatment in test_hostile_prs.py.
"""

from __future__ import annotations

import git
import pytest

from site_builder import pr_report
from tests.corpus_cases import apply_case, case_keys, expected_table
from tests.test_pr_flow import cli, commit, new_repo

pytestmark = pytest.mark.slow
EXPECTED = expected_table()


@pytest.mark.parametrize("key", case_keys())
def test_accepted_case_builds(tmp_path, key):
    root, repo = new_repo(tmp_path)
    repo.git.checkout("-q", "-b", "yeu-cau")
    apply_case(key, root)
    commit(repo, f"Yêu cầu {key}")
    outcome = pr_report.run(root, "main", "yeu-cau", "sgd-admin")
    if key.startswith(("valid/", "warning/")):
        assert outcome.errors == 0, [p.text() for p in outcome.problems if p.is_error]
    if any("severity" not in row for row in EXPECTED[key]):  # the validator refuses the case's files
        assert outcome.errors > 0, f"{key}: the validator refuses it, the pull-request check accepts it"
    if outcome.errors:
        return  # refused: nothing is merged, so there is nothing to build
    repo.git.checkout("-q", "main")
    repo.git.merge("--no-ff", "-q", "-m", f"Hợp nhất {key}", "yeu-cau")
    built = cli(root, "build", "--out", str(tmp_path / "site"))  # cli() asserts there is no traceback
    assert built.returncode == 0, f"{key}: accepted by the pull-request check, but the build fails:\n{built.stderr}"
    assert (tmp_path / "site/index.html").is_file()
    assert not git.Repo(root).is_dirty(untracked_files=False)
