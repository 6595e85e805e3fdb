"""Kept verdicts live in a few packs (check_store.py): what is put is found again by another
build, a build keeps only what it looked up, an unchanged build rewrites nothing, the newer of
two entries under one key wins, and what forked workers checked is kept by the build."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from site_builder import build_cache, check_store
from site_builder.paths import DataRoot
from site_builder.validate import validate_all

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_packs(monkeypatch):
    """Packs of 1 KB: a few dozen verdicts of 100 bytes make several."""
    monkeypatch.setattr(check_store, "PACK_BYTES", 1024)


def verdicts(count: int, tag: bytes = b"") -> dict[str, bytes]:
    return {f"{n:02x}" + "0" * 62: tag + bytes([n]) * 100 for n in range(count)}


def fill(folder: Path, entries: dict[str, bytes]) -> None:
    store = check_store.CheckStore(folder)
    for key, data in entries.items():
        store.put(key, data)
    store.flush()
    store.close()


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_what_is_put_is_found_by_the_next_build_in_packs_of_about_a_packs_worth(tmp_path, small_packs):
    entries = verdicts(30)
    fill(tmp_path, entries)
    assert check_store.stored(tmp_path) == entries
    packs = list(tmp_path.glob("*.pack"))
    assert 2 <= len(packs) <= 4 and len(list(tmp_path.glob("*.index"))) == len(packs)
    store = check_store.CheckStore(tmp_path)
    assert store.get(next(iter(entries))) == entries[next(iter(entries))]
    assert store.get("ff" + "0" * 62) is None
    store.close()


def test_a_build_keeps_what_it_looked_up_and_an_unchanged_build_rewrites_nothing(tmp_path, small_packs):
    entries = verdicts(30)
    fill(tmp_path, entries)
    gone = sorted(entries)[:3]
    used = set(entries) - set(gone)
    store = check_store.CheckStore(tmp_path)
    store.finish(used)
    store.close()
    assert check_store.stored(tmp_path) == {key: entries[key] for key in used}
    assert len([p for p in tmp_path.glob("*.pack") if p.stat().st_size < 512]) <= 1  # small packs merged
    before = stamps(tmp_path)
    store = check_store.CheckStore(tmp_path)
    assert all(store.get(key) == entries[key] for key in used)
    store.finish(used)
    store.close()
    assert stamps(tmp_path) == before  # the very same files


def test_the_newer_entry_under_a_key_wins_and_the_older_goes_with_its_pack(tmp_path, small_packs):
    """The older entry is dead: its pack stays while it holds fewer dead bytes than
    `check_store.dead_bytes()`, and is written anew with what the build used once it does."""
    entries = verdicts(5)
    fill(tmp_path, entries)
    key = sorted(entries)[0]
    fill(tmp_path, {key: b"newer"})
    store = check_store.CheckStore(tmp_path)
    assert store.get(key) == b"newer"
    store.finish(set(entries))
    store.close()
    assert check_store.stored(tmp_path) == {**entries, key: b"newer"}
    assert len(list(tmp_path.glob("*.pack"))) == 2  # 100 dead bytes: under a quarter of a pack
    fill(tmp_path, {other: b"newer" for other in sorted(entries)[1:3]})  # 300 dead bytes
    store = check_store.CheckStore(tmp_path)
    store.finish(set(entries))
    store.close()
    assert check_store.stored(tmp_path) == {**entries, **dict.fromkeys(sorted(entries)[:3], b"newer")}
    assert sum(p.stat().st_size for p in tmp_path.glob("*.pack")) == 2 * 100 + 3 * 5  # no dead entry left


def test_a_rebuild_after_one_change_writes_one_small_pack_and_merges_them_past_max_small(tmp_path, small_packs):
    entries = verdicts(100)  # packs of about ten
    fill(tmp_path, entries)
    used = set(entries)
    for n in range(check_store.MAX_SMALL + 1):
        before = stamps(tmp_path)
        changed = sorted(entries)[10 * n]  # one in each pack: none holds a quarter of a pack's dead bytes
        used = (used - {changed}) | {f"new{n}"}  # the file changed: a new key, the old one dead
        store = check_store.CheckStore(tmp_path)
        assert all(store.get(key) is not None for key in used - {f"new{n}"})
        store.put(f"new{n}", b"verdict %d" % n)
        store.finish(used)
        store.close()
        after = stamps(tmp_path)
        if n < check_store.MAX_SMALL - 1:  # the packs there were, untouched, and one more (and its index)
            assert before.items() <= after.items() and len(after) == len(before) + 2
    small = [p for p in tmp_path.glob("*.pack") if p.stat().st_size < 512]
    assert len(small) <= check_store.MAX_SMALL  # merged once there were more
    assert set(check_store.stored(tmp_path)) >= used


def test_a_change_to_the_file_the_last_rebuild_changed_drops_that_rebuilds_pack_alone(tmp_path, small_packs):
    """The usual rebuild: its small pack held the one verdict the last change made, which this
    change replaced. That pack goes, no other pack is written again, and the store still answers
    for every key it kept (its index read again)."""
    entries = verdicts(30)
    fill(tmp_path, entries)
    used = (set(entries) - {sorted(entries)[0]}) | {"first"}
    packs = set(tmp_path.glob("*.pack"))
    store = check_store.CheckStore(tmp_path)
    store.put("first", b"the last rebuild's verdict")
    store.finish(used)
    store.close()
    [last] = set(tmp_path.glob("*.pack")) - packs  # the last rebuild's pack
    before = stamps(tmp_path)
    used = (used - {"first"}) | {"second"}
    store = check_store.CheckStore(tmp_path)
    assert all(store.get(key) is not None for key in used - {"second"})
    store.put("second", b"this rebuild's verdict")
    store.finish(used)
    after = stamps(tmp_path)
    assert last.name not in after and last.with_suffix(".index").name not in after
    assert {name: stamp for name, stamp in before.items() if Path(name).stem != last.stem}.items() <= after.items()
    assert store.get("second") == b"this rebuild's verdict" and store.get("first") is None
    assert all(store.get(key) == entries[key] for key in used - {"second"})
    store.close()
    kept = check_store.stored(tmp_path)
    assert "first" not in kept and kept.items() >= {key: entries[key] for key in used - {"second"}}.items()


def test_what_is_not_a_pack_with_its_index_goes_and_a_broken_index_is_no_verdict(tmp_path):
    entries = verdicts(4)
    fill(tmp_path, entries)
    [index] = tmp_path.glob("*.index")
    (tmp_path / "ab").mkdir()  # the layout before packs: a folder per key prefix
    (tmp_path / "ab" / ("ab" + "1" * 62)).write_bytes(b"x")
    (tmp_path / "00000000000000000001-1-0.pack").write_bytes(b"a pack whose index was never written")
    (tmp_path / ".tmp-1-2-x.pack").write_bytes(b"left by a killed build")
    store = check_store.CheckStore(tmp_path)
    store.finish(set(entries))
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([index.name, index.name.replace(".index", ".pack")])
    index.write_bytes(b"not a pickle")
    assert check_store.stored(tmp_path) == {}


def test_verdicts_checked_by_forked_workers_are_kept_and_found_by_the_next_validation(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "du-lieu"
    for folder in ("criteria", "schema", "submissions"):
        shutil.copytree(PROJECT / folder, root / folder)
    cache = build_cache.open_for(root, hold=True)
    assert cache is not None
    try:
        first = validate_all(DataRoot(root), parallel_from=1, workers=2)
        assert first.workers == 2
    finally:
        cache.save()
        build_cache.close()
    kept = check_store.stored(cache.folder / "checks")
    assert len(kept) >= len(first.dataset.submissions) + len(first.dataset.reviews)
    # The kept verdict on one submission, with a problem planted in it: the next validation reads it.
    rel = sorted(s.path for s in first.dataset.submissions.values())[0]
    key, (record, problems) = next(
        (k, v) for k, d in kept.items() if (v := pickle.loads(d)) and getattr(v[0], "path", None) == rel
    )
    planted = "Vấn đề chỉ có trong bản đã lưu"
    fill(cache.folder / "checks", {key: pickle.dumps((record, [*problems, planted]))})
    build_cache.open_for(root, hold=True)
    try:
        second = validate_all(DataRoot(root), parallel_from=1, workers=2)
    finally:
        build_cache.close()
    assert planted in second.problems  # read from the kept verdict, not checked again
