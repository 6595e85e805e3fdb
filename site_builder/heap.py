"""A build's long-lived data and Python's cyclic garbage collector.

A site build loads millions of objects that live until it ends: the verdicts on every unit file,
the history, the scores and facts of every unit. While they are made, the collector's full
passes scan the whole growing heap again and again, and once more when the process exits. At
15,000 units that was 8.6 CPU-s of a 36.9 CPU-s rebuild, plus 2.5 at exit, although these phases
leave no garbage cycles behind (the build's peak RSS is the same without those passes). So the
phases that only make such data run without the collector (`uncollected`), and what they made is
then frozen out of its sight (`keep`) until the build ends (`release`). Steps that make garbage
cycles keep the collector (the scoring workbooks made without it: 1.5 GB peak RSS instead of 0.97;
with one pass after each of 600 workbooks: no less CPU).

What a phase made is kept before its block ends: the collector counts the objects made while it
was off, and the first one made after it is on again starts a pass over all of them, unless
`gc.freeze` took them (it also sets that count back to zero). Kept after the block, a full build
at 15,000 units spent 2.41 CPU-s in the collector instead of 1.01, a rebuild 0.72 instead of 0.39.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def uncollected() -> Iterator[None]:
    """Run the block with the collector off; it is on again after, if it was before. Not around
    a fork: the workers would inherit it off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_building = False  # between `start_build` and `release`
_program = False  # the process is the program (`python -m site_builder`), not a caller of its functions
# Objects made between two of the collector's young passes while a build runs (Python's default:
# 700). A build makes millions of objects that live to its end, most made with the collector
# off: its young passes cost a 15,000-unit rebuild after one change 0.085 CPU-s in 790 passes, at
# 20,000 0.066 in 22 (the garbage cycles a build makes wait a little longer to go).
BUILD_THRESHOLD = 20_000
_threshold: tuple[int, ...] = ()  # the collector's thresholds before `start_build`


def keep() -> None:
    """Everything alive now is left out of the collector's passes (and out of the pages forked
    workers would copy when it touched them) until `release`."""
    gc.freeze()


def start_build() -> None:
    """A site build begins: `keep_in_build` keeps from now until `release`, and the collector's
    young passes come every BUILD_THRESHOLD objects."""
    global _building, _threshold
    _building = True
    if not _threshold:
        _threshold = gc.get_threshold()
    gc.set_threshold(BUILD_THRESHOLD, *_threshold[1:])


def keep_in_build() -> None:
    """`keep`, when a build has started (validation inside a build); a caller that only validates
    (a test, a pull-request check) keeps the collector's sight of what it made."""
    if _building:
        keep()


def release() -> None:
    """The build is over: a process that builds again (tests, serve) collects its garbage."""
    global _building, _threshold
    _building = False
    gc.unfreeze()
    if _threshold:
        gc.set_threshold(*_threshold)
        _threshold = ()


def in_program() -> None:
    """The process is the program (cli.run): what a command imports lives until it exits."""
    global _program
    _program = True


@contextmanager
def importing() -> Iterator[None]:
    """Import a command's modules with the collector off; in the program, what they made is kept
    (`keep`, inside the block) when they loaded any. The site build's ~700 modules (pandas among
    them) make objects that live until the process exits, and the collector's passes over them
    while they were made took a third of importing them: 0.74 CPU-s instead of 0.52 (six
    alternated runs). A caller of the functions (a test) freezes nothing."""
    loaded = len(sys.modules)
    with uncollected():
        yield
        if _program and len(sys.modules) > loaded:
            keep()
