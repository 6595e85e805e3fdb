"""Fixtures shared by the tests of the clock and of what it keeps between builds."""

from __future__ import annotations

import pytest

from site_builder.testing_git import Signer


@pytest.fixture(scope="module")
def github():
    """A test key standing in for GitHub's web-flow key (a module may define its own `github`)."""
    with Signer.create("GitHub (thử nghiệm)", "noreply@github.com") as signer:
        yield signer


@pytest.fixture(scope="module")
def trusted(github, tmp_path_factory):
    """The files of the certificates the clock trusts: the test GitHub key's."""
    return [github.export_public(tmp_path_factory.mktemp("keys") / "github.asc")]
