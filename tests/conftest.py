"""Fixtures shared by the tests: each test's own user cache, the clock's keys."""

from __future__ import annotations

import pytest

from site_builder.testing_git import Signer


@pytest.fixture(autouse=True)
def own_user_cache(tmp_path_factory, monkeypatch):
    """Each test its own ~/.cache: PDF verdicts, parsed YAML and evidence digests live there
    (verdict_cache.default_folder), and a test that counts what is parsed or hashed must not find
    another test's. A test may point XDG_CACHE_HOME elsewhere itself."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture(scope="module")
def github():
    """A test key standing in for GitHub's web-flow key (a module may define its own `github`)."""
    with Signer.create("GitHub (thử nghiệm)", "noreply@github.com") as signer:
        yield signer


@pytest.fixture(scope="module")
def trusted(github, tmp_path_factory):
    """The files of the certificates the clock trusts: the test GitHub key's."""
    return [github.export_public(tmp_path_factory.mktemp("keys") / "github.asc")]
