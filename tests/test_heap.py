"""A build runs some phases without the cyclic collector and freezes what they made
(site_builder/heap.py): none of it may outlive the build in the process (tests and `serve` build
again in the same process), and the program freezes everything before it exits."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from site_builder import build_cache, heap
from site_builder.paths import DataRoot
from site_builder.validate import validate_all
from site_builder.website.build import InvalidData, build_site
from tests.datarepo import make_repo, write

PERIOD = "2023-2024"


def test_uncollected_turns_the_collector_back_on_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), heap.uncollected():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_uncollected_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with heap.uncollected():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def collector_passes_when_back_on(keep_inside: bool) -> list[int]:
    """The generations of the passes that start at the first object made after a phase that made
    100,000 objects with the collector off (kept inside its block or not)."""
    passes: list[int] = []

    def seen(phase, info):
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with heap.uncollected():
            made = [[n] for n in range(100_000)]
            if keep_inside:
                heap.keep()
            passes.clear()  # none while the collector is off
        made.append([])  # an object made with the collector on again
        return list(passes)
    finally:
        gc.callbacks.remove(seen)
        heap.release()


def test_what_a_phase_kept_inside_its_block_starts_no_pass_when_the_collector_is_back():
    assert collector_passes_when_back_on(keep_inside=True) == []
    assert collector_passes_when_back_on(keep_inside=False)  # the pass keeping inside avoids


def test_a_build_leaves_the_collector_on_and_nothing_frozen_whether_it_succeeds_or_not(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "data")
    frozen_before, threshold = gc.get_freeze_count(), gc.get_threshold()
    build_site(root, tmp_path / "site")
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before and gc.get_threshold() == threshold
    assert (tmp_path / "site" / "index.html").is_file()

    write(root / "submissions" / PERIOD / "pgd-quan-1" / "thcs-demo-a.yaml", "tieu_chi: [\n")
    with pytest.raises(InvalidData):
        build_site(root, tmp_path / "site")
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before and gc.get_threshold() == threshold


def test_validating_alone_freezes_nothing(tmp_path, monkeypatch):
    """Validation freezes the verdicts it reads back only inside a build, which releases them:
    a caller that only validates (a test, a check) keeps the collector's sight of them."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "data")
    frozen_before = gc.get_freeze_count()
    build_cache.open_for(root, hold=True)  # as a build does: the verdicts are then looked up
    try:
        for _ in range(2):
            assert validate_all(DataRoot(root)).ok
            assert gc.get_freeze_count() == frozen_before
    finally:
        build_cache.close()


def test_the_program_freezes_what_is_alive_before_it_exits(tmp_path):
    """What `python -m site_builder` runs: the collector's pass at exit then scans nothing a
    command made."""
    root = make_repo(tmp_path / "data")
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('đóng băng:', gc.get_freeze_count()))\n"
        f"sys.argv = ['site-builder', '--root', {str(root)!r}, 'validate']\n"
        "from site_builder.cli import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.rsplit("đóng băng:", 1)[1])
    assert frozen > 10_000  # the modules and the command's data, at least


IMPORT_PROBE = """
import gc, sys
from site_builder import heap
{program}
passes = []
gc.callbacks.append(lambda phase, info: passes.append(info) if phase == "start" else None)
gc.set_threshold(1)  # a young pass at every object made while the collector is on
frozen, inside = gc.get_freeze_count(), -1
try:
    with heap.importing():
        before = len(passes)
        import {module}
        inside = len(passes) - before
        {after}
except RuntimeError:
    pass
print(inside, gc.get_freeze_count() > frozen, gc.isenabled())
"""


def _import_probe(module: str, program: bool, after: str = "pass") -> tuple[int, bool, bool]:
    """(collector passes while the block ran, anything frozen, collector on after) in a fresh
    interpreter, where `module` is not imported yet."""
    code = IMPORT_PROBE.format(module=module, program="heap.in_program()" if program else "", after=after)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    passes, frozen, on = done.stdout.split()
    return int(passes), frozen == "True", on == "True"


def test_the_program_imports_a_command_s_modules_without_collector_passes_and_keeps_them():
    """pandas made thousands of young passes here before (the threshold is 1); they are the
    third of an import's CPU that `heap.importing` spares every command."""
    assert _import_probe("pandas", program=True) == (0, True, True)


def test_importing_outside_the_program_freezes_nothing():
    assert _import_probe("pandas", program=False) == (0, False, True)


def test_importing_modules_already_loaded_freezes_nothing():
    assert _import_probe("gc", program=True) == (0, False, True)


def test_an_error_while_importing_leaves_the_collector_on_and_nothing_frozen():
    assert _import_probe("json", program=True, after="raise RuntimeError") == (0, False, True)
