"""The search index is fed to Pagefind in batches of small documents (search.py): every entry
gets its record at its page's URL across batch boundaries, nothing is left on disk, two runs give
the same bytes, and an entry whose URL leaves the folder is refused in Vietnamese."""

from __future__ import annotations

import gzip
import json

import pytest

from site_builder.website import search


def _entries(count: int) -> list[search.Entry]:
    return [
        search.Entry(
            f"2024-2025/don-vi/thcs-{n:02d}/", f"Trường THCS số {n} Tân Định", "THCS · 2024-2025", f"thcs-{n:02d}"
        )
        for n in range(count)
    ]


def _index(entries: list[search.Entry]) -> dict[str, bytes]:
    indexer = search.Indexer()
    try:
        indexer.add(entries)
        return indexer.finish()
    finally:
        indexer.close()


def _records(files: dict[str, bytes]) -> dict[str, str]:
    records = {}
    for name, data in files.items():
        if name.endswith(".pf_fragment"):
            record = json.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])
            records[record["url"]] = record["meta"]["title"]
    return records


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Batches are written under this folder only; three documents to a batch."""
    monkeypatch.setattr(search, "SCRATCH_PARENTS", (str(tmp_path),))
    monkeypatch.setattr(search, "BATCH", 3)
    return tmp_path


def test_every_entry_is_indexed_at_its_url_across_batches_and_nothing_is_left_on_disk(scratch):
    entries = _entries(10)  # four batches, the last of one document
    files = _index(entries)
    assert _records(files) == {"/" + e.url: e.title for e in entries}
    assert list(scratch.iterdir()) == []


def test_a_page_under_another_page_is_indexed_either_way_round_and_nothing_is_left_on_disk(scratch):
    """A page's folder may hold another page's (a body's list, its units' pages under it)."""
    body = search.Entry("2024-2025/phong-gd/", "Phòng GD&ĐT Quận 1", "Danh sách đơn vị trực thuộc", "pgd-q1")
    inner = [search.Entry("2024-2025/phong-gd/thcs-a/", "Trường THCS A", "THCS", "thcs-a")]
    for entries in ([body, *inner], [*inner, body]):
        assert _records(_index(entries)) == {"/" + e.url: e.title for e in entries}
        assert list(scratch.iterdir()) == []


def test_two_indexes_of_the_same_entries_are_the_same_bytes(scratch):
    assert _index(_entries(7)) == _index(_entries(7))


def test_an_entry_whose_url_leaves_the_folder_is_refused(scratch):
    entries = _entries(4) + [search.Entry("../../ngoai/", "Ngoài", "", "")]
    with pytest.raises(search.SearchIndexError, match="địa chỉ trang lạ"):
        _index(entries)
    assert list(scratch.iterdir()) == []
