"""CODEOWNERS generated from the registry, and the --check that keeps it current."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

import yaml

from site_builder.codeowners import render
from site_builder.paths import DataRoot
from site_builder.registry import load_organization, load_registry
from tests.datarepo import PROJECT, dump, make_repo


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), *args], capture_output=True, text=True, cwd=PROJECT
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def owners_of(codeowners: str, path: str) -> list[str]:
    """GitHub's rule: the last matching line wins (enough of gitignore syntax for our patterns)."""
    owners = []
    for line in codeowners.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *handles = line.split()
        if pattern == "*":
            matched = True
        elif pattern.endswith("/"):
            matched = fnmatch.fnmatchcase("/" + path, pattern + "*") and _segments_ok(pattern, path, prefix=True)
        else:
            matched = fnmatch.fnmatchcase("/" + path, pattern) and _segments_ok(pattern, path, prefix=False)
        if matched:
            owners = handles
    return owners


def _segments_ok(pattern: str, path: str, prefix: bool) -> bool:
    want = pattern.strip("/").split("/")
    have = path.split("/")
    return (len(have) > len(want) if prefix else len(have) == len(want)) and all(
        fnmatch.fnmatchcase(h, w) for h, w in zip(have, want)
    )


def registry_of(root: Path):
    data = DataRoot(root)
    organization, _ = load_organization(data)
    return load_registry(data, organization)[0]


def test_owners_follow_the_registry(tmp_path):
    root = make_repo(tmp_path / "repo")
    units_file = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    data = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    data["units"][1]["reviewers"] = ["nguoi-cham-rieng"]
    units_file.write_text(dump(data), encoding="utf-8")
    text = render(registry_of(root))
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml") == ["@pgd-q1-reviewer"]
    # a single reviewer cannot approve their own reviewer scores: the maintainers are co-owners
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-a.review.yaml") == [
        "@pgd-q1-reviewer",
        "@sgd-admin",
    ]
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-b.review.yaml") == [
        "@nguoi-cham-rieng",
        "@sgd-admin",
    ]
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-a/bao-cao/ke-hoach/kh.pdf") == [
        "@pgd-q1-reviewer"
    ]
    assert owners_of(text, "submissions/2020-2021/pgd-quan-1/thcs-demo-a/ke-hoach.pdf") == [
        "@sgd-admin"
    ]  # no such year
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml") == ["@nguoi-cham-rieng"]
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-b/a.pdf") == ["@nguoi-cham-rieng"]
    assert owners_of(text, "submissions/2023-2024/so-gddt/pgd-quan-1.yaml") == ["@sgd-reviewer"]
    for path in (
        "criteria/2023-2024/year.yaml",
        "schema/submission.schema.json",
        "site_builder/cli.py",
        ".github/workflows/validate.yml",
        "submissions/units/2023-2024/pgd-quan-1.yaml",
        "submissions/keys/minh-hoa.asc",
        "submissions/organization.yaml",
        "README.md",
    ):
        assert owners_of(text, path) == ["@sgd-admin"], path


def test_bodies_with_two_reviewers_approve_each_others_scores(tmp_path):
    root = make_repo(tmp_path / "repo")
    units_file = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    data = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    data["reviewers"] = ["pgd-q1-reviewer", "pgd-q1-reviewer-2"]
    units_file.write_text(dump(data), encoding="utf-8")
    text = render(registry_of(root))
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-a.review.yaml") == [
        "@pgd-q1-reviewer",
        "@pgd-q1-reviewer-2",
    ]


def test_unit_without_reviewers_falls_back_to_maintainers(tmp_path):
    root = make_repo(tmp_path / "repo")
    units_file = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    data = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    data["reviewers"] = []
    units_file.write_text(dump(data), encoding="utf-8")
    text = render(registry_of(root))
    assert owners_of(text, "submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml") == ["@sgd-admin"]


def test_check_fails_when_stale_and_passes_after_regenerating(tmp_path):
    root = make_repo(tmp_path / "repo")
    missing = cli(root, "codeowners", "--check")
    assert missing.returncode == 1 and "chưa có" in missing.stderr
    assert cli(root, "codeowners").returncode == 0
    assert cli(root, "codeowners", "--check").returncode == 0
    units_file = root / "submissions/units/2023-2024/pgd-quan-1.yaml"
    units_file.write_text(
        units_file.read_text(encoding="utf-8").replace("pgd-q1-reviewer", "nguoi-cham-moi"), encoding="utf-8"
    )
    stale = cli(root, "codeowners", "--check")
    assert stale.returncode == 1 and "đã cũ" in stale.stderr
    assert cli(root, "codeowners").returncode == 0
    assert "@nguoi-cham-moi" in (root / ".github/CODEOWNERS").read_text(encoding="utf-8")


def test_broken_registry_is_said_not_crashed(tmp_path):
    root = make_repo(tmp_path / "repo")
    (root / "submissions/units/2023-2024/pgd-quan-1.yaml").write_text("body: pgd-quan-1\nunits: [\n", encoding="utf-8")
    result = cli(root, "codeowners")
    assert result.returncode == 1
    assert "submissions/units/2023-2024/pgd-quan-1.yaml" in result.stderr and "CODEOWNERS" in result.stderr


def test_committed_codeowners_is_current():
    result = cli(PROJECT, "codeowners", "--check")
    assert result.returncode == 0, result.stderr
