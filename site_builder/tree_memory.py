"""How many workers a build may fork within the memory budget of its process tree.

A forked worker starts with its parent's whole resident memory in its own RSS: the pages are
shared until written, but each process counts them. At 15,000 units the build's process holds
about 0.8 GB when it renders unit pages, so one worker made the tree read 1.6 GB. The tree is
kept under a budget, 1 GiB unless `SITE_BUILDER_MEMORY_MB` gives another (a runner with more
memory may allow workers at that size, and save wall time): a step forks only the workers that
fit, none when the build's process alone fills the budget, and then renders in one process.
"""

from __future__ import annotations

import os

BUDGET_ENV = "SITE_BUILDER_MEMORY_MB"
DEFAULT_BUDGET_MB = 1024


def budget_mb() -> int:
    value = os.environ.get(BUDGET_ENV, "").strip()
    return int(value) if value.isdigit() else DEFAULT_BUDGET_MB


def resident_mb() -> float | None:
    """This process's resident memory in MiB, or None where the system does not tell (no /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def workers_within(wanted: int) -> int:
    """At most `wanted` workers: as many as fit in the budget beside this process, each counted at
    this process's size."""
    resident = resident_mb()
    if resident is None or resident <= 0:
        return wanted
    room = budget_mb() - resident
    return max(0, min(wanted, int(room // resident)))
