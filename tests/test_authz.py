"""Authorization rules, read from a real registry written by make_repo."""

from __future__ import annotations

import pytest

from site_builder import authz
from site_builder.paths import DataRoot
from site_builder.registry import load_organization, load_registry
from tests.datarepo import make_repo

SUB = "submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml"
PDF = "submissions/2023-2024/pgd-quan-1/thcs-demo-a/ke-hoach-cntt.pdf"
REVIEW = "submissions/2023-2024/pgd-quan-1/thcs-demo-a.review.yaml"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    root = DataRoot(make_repo(tmp_path_factory.mktemp("authz") / "repo"))
    organization, problems = load_organization(root)
    assert organization is not None, problems
    loaded, problems = load_registry(root, organization)
    assert not [p for p in problems if p.is_error]
    return loaded


@pytest.mark.parametrize(
    "author,path",
    [
        ("thcs-a", SUB),
        ("thcs-a", PDF),
        ("THCS-A", SUB),  # the unit's editor (any case)
        ("pgd-q1-reviewer", SUB),
        ("pgd-q1-reviewer", REVIEW),  # its reviewer
        ("sgd-admin", "criteria/2023-2024/truong-pho-thong.yaml"),  # maintainers
        ("sgd-admin", "submissions/units/2023-2024/pgd-quan-1.yaml"),
        ("sgd-admin", ".github/workflows/validate.yml"),
        ("pgd-q1", "submissions/2023-2024/so-gddt/pgd-quan-1.yaml"),  # a district office's own file
        ("sgd-reviewer", "submissions/2023-2024/so-gddt/pgd-quan-1.review.yaml"),
        (
            "thcs-a",
            "submissions/2023-2024/pgd-quan-1/thcs-demo-a/bao-cao/ke-hoach/ke-hoach.pdf",
        ),  # its milestone report
    ],
)
def test_allowed(registry, author, path):
    assert authz.check(author, [path], registry) == []


@pytest.mark.parametrize(
    "author,path,rule",
    [
        ("thcs-b", SUB, "unit-files"),  # another unit's account
        ("thcs-b", PDF, "unit-files"),
        ("thcs-a", REVIEW, "review-files"),  # a unit cannot grade itself
        ("sgd-reviewer", REVIEW, "review-files"),  # not this unit's reviewer
        ("thcs-a", "criteria/2023-2024/truong-pho-thong.yaml", "maintainers-only"),
        ("pgd-q1-reviewer", "submissions/units/2023-2024/pgd-quan-1.yaml", "maintainers-only"),
        ("thcs-a", "submissions/organization.yaml", "maintainers-only"),
        ("thcs-a", "site_builder/authz.py", "maintainers-only"),
        ("thcs-a", ".github/CODEOWNERS", "maintainers-only"),
        ("thcs-a", "schema/editor/2023-2024/truong-pho-thong.schema.json", "maintainers-only"),
        ("thcs-a", "README.md", "maintainers-only"),
        ("thcs-a", "submissions/2023-2024/pgd-quan-1/thcs-moi.yaml", "unregistered-unit"),
        ("thcs-a", "submissions/keys/minh-hoa.asc", "maintainers-only"),  # the clock's trusted keys
        (
            "thcs-a",
            "submissions/2020-2021/pgd-quan-1/thcs-demo-a.yaml",
            "unregistered-unit",
        ),  # not registered that year
        ("thcs-a", "submissions/2023-2024/so-gddt/thcs-demo-a.yaml", "unregistered-unit"),  # not under that body
        ("thcs-b", "submissions/2023-2024/pgd-quan-1/thcs-demo-a/bao-cao/ke-hoach/x.pdf", "unit-files"),
    ],
)
def test_denied_with_the_rule_named(registry, author, path, rule):
    denials = authz.check(author, [path], registry)
    assert [(d.path, d.rule) for d in denials] == [(path, rule)]
    message = denials[0].message()
    assert f"@{author} không được sửa {path}" in message
    assert f"Quy tắc «{rule}»" in message and authz.RULES[rule] in message


def test_every_path_is_judged_once(registry):
    denials = authz.check("thcs-b", [SUB, SUB, PDF, "submissions/2023-2024/pgd-quan-1/thcs-demo-b.yaml"], registry)
    assert [d.path for d in denials] == [SUB, PDF]
    assert denials[0].allowed == ("thcs-a", "pgd-q1-reviewer")
