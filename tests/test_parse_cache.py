"""Parsed YAML kept by content hash across runs (parse_cache.py): the same answer as parsing, for
every kind of file and problem; an unusable entry is ignored; no folder, no cache."""

from __future__ import annotations

import pickle

import pytest

from site_builder import parse_cache, verdict_cache, yamlfile
from site_builder.cli import main
from tests.corpus_cases import CORPUS, case_keys
from tests.datarepo import make_repo

SINGLE = [k for k in case_keys() if (CORPUS / f"{k}.yaml").is_file()]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "MIN_BYTES", 0)  # every file through the cache (small ones too)
    verdict_cache.configure(tmp_path / "cache")
    yield tmp_path / "cache"
    verdict_cache.configure(None)


def parsed(raw: bytes):
    doc = yamlfile.parse_yaml(raw, "submissions/x.yaml")
    return doc.data, doc.positions, doc.key_positions, doc.problems


@pytest.mark.parametrize("key", SINGLE)
def test_a_cached_parse_is_the_parse(key, cache, monkeypatch):
    raw = (CORPUS / f"{key}.yaml").read_bytes()
    first = parsed(raw)
    assert list(cache.glob("yaml-*/*/*.pickle")), "the first parse is stored"
    monkeypatch.setattr(yamlfile, "_parse", lambda *_: pytest.fail("parsed again despite the cache"))
    again = parsed(raw)
    assert repr(again) == repr(first)  # NaN-safe: the same values, positions and problems


def test_an_unusable_entry_is_ignored(cache):
    raw = (CORPUS / "valid/MINIMAL.yaml").read_bytes() + b"# " + b"x" * parse_cache.MIN_BYTES + b"\n"
    first = parsed(raw)
    for unusable in (b"\x80\x05 cut", pickle.dumps({"data": 1}), pickle.dumps((1, [], {}, []))):
        for entry in cache.glob("yaml-*/*/*.pickle"):
            entry.write_bytes(unusable)
        assert repr(parsed(raw)) == repr(first)


def test_positions_are_read_when_asked_for_and_parsed_again_when_damaged(cache, monkeypatch):
    """A parse read back keeps its positions pickled until a message needs a line; when they
    cannot be read, the file's bytes are parsed again for them (its values stay the cached ones)."""
    raw = (CORPUS / "submission/SCORE_ABOVE_MAX.yaml").read_bytes()
    first = parsed(raw)
    (entry,) = cache.glob("yaml-*/*/*.pickle")
    data, tables, rows = pickle.loads(entry.read_bytes())
    doc = yamlfile.parse_yaml(raw, "submissions/x.yaml")
    assert doc._tables is None  # not unpickled yet
    assert doc.where(("tieu_chi",)) == first[1][("tieu_chi",)] and doc._tables is not None
    entry.write_bytes(pickle.dumps((data, b"\x80\x05 cut", rows)))
    assert repr(parsed(raw)) == repr(first)


def test_no_folder_no_cache(tmp_path):
    verdict_cache.configure(None)
    parsed((CORPUS / "valid/MINIMAL.yaml").read_bytes() + b"#" * parse_cache.MIN_BYTES)
    assert not list(tmp_path.rglob("*.pickle"))


def test_validate_twice_says_the_same(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(parse_cache, "MIN_BYTES", 0)
    root = make_repo(tmp_path / "repo")
    (root / "submissions/2023-2024/pgd-quan-1/thcs-demo-a.yaml").write_text(
        (CORPUS / "submission/SCORE_ABOVE_MAX.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    try:
        assert main(["--root", str(root), "validate"]) == 1
        first = capsys.readouterr().out
        assert list((tmp_path / "home-cache/site-builder/pdf").glob("yaml-*/*/*.pickle"))
        assert main(["--root", str(root), "validate"]) == 1
        assert capsys.readouterr().out == first
    finally:
        verdict_cache.configure(None)
