"""How many page workers a build forks within the process tree's memory budget."""

from __future__ import annotations

from site_builder import tree_memory


def test_resident_memory_is_read_and_grows_with_what_the_process_holds():
    import mmap

    before = tree_memory.resident_mb()
    assert before is not None and before > 1
    # 64 MiB of fresh pages, each written so it is resident (a bytearray could reuse freed memory)
    with mmap.mmap(-1, 64 << 20) as held:
        for offset in range(0, len(held), mmap.PAGESIZE):
            held[offset] = 1
        after = tree_memory.resident_mb()
    assert after is not None and after - before > 50


def test_workers_fit_beside_the_process_in_the_budget(monkeypatch):
    resident = tree_memory.resident_mb()
    assert resident is not None
    monkeypatch.setenv(tree_memory.BUDGET_ENV, str(int(resident * 3.5)))  # room for two more like it
    assert tree_memory.workers_within(7) == 2
    assert tree_memory.workers_within(1) == 1
    monkeypatch.setenv(tree_memory.BUDGET_ENV, str(int(resident * 1.5)))  # no room for one
    assert tree_memory.workers_within(7) == 0
    monkeypatch.setenv(tree_memory.BUDGET_ENV, "100000")
    assert tree_memory.workers_within(3) == 3


def test_the_budget_is_one_gib_unless_set(monkeypatch):
    monkeypatch.delenv(tree_memory.BUDGET_ENV, raising=False)
    assert tree_memory.budget_mb() == 1024
    monkeypatch.setenv(tree_memory.BUDGET_ENV, "beaucoup")  # not a number: the default
    assert tree_memory.budget_mb() == 1024
    monkeypatch.setenv(tree_memory.BUDGET_ENV, "4096")
    assert tree_memory.budget_mb() == 4096
