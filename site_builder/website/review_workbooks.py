"""The scoring workbooks a build publishes, one per period and reviewing body that has
submissions, each made from its body's data alone and kept in the build cache.

A workbook names the commit it was made from and carries a creation date. Both come from the
body's own files (their data version, the newest commit of the main line that changed one of its
units' submissions or reviews, and that commit's date), not from HEAD and the build date: a commit that touches one
body leaves every other body's workbook byte-identical, so it is taken from the cache (keyed by
review_workbook_inputs.digest) instead of being made again. Without history (no git, a shallow
clone) the data commit and the build date stand in, as for the rest of the site.

They are made in this process: forked workers (as for unit pages) saved no wall time on two
busy cores and cost 10–30% more CPU (1,500 units, 61 workbooks). A workbook the site already holds
as made for the same key is left there, not read from the cache (30 MB at 15,000 units).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from site_builder import review_workbook as rw
from site_builder import review_workbook_inputs as inputs

CACHE_KIND = "workbooks"


class Workbook(NamedTuple):
    key: str  # what it is made of (review_workbook_inputs.digest)
    data: bytes | None  # None: the site holds it as made for `key`
    size: int


def make_all(
    dataset,
    periods,
    clock,
    commit: str,
    when: dt.datetime,
    cache,
    in_site: Callable[[str, str, str], int | None] | None = None,
) -> dict[tuple[str, str], Workbook]:
    """(period, body) -> the workbook, for every body of `periods` with submissions; `commit` and
    `when` stand in when the history is unknown; `cache` is the build cache or None (caching off:
    every workbook is made); `in_site(period, body, key)`: the size of the body's workbook in the
    site when it is the one made for `key`, else None."""
    data: dict[tuple[str, str], Workbook] = {}
    for period in periods:
        for body, submitted in rw.submitted_by_body(dataset, period.id).items():
            made_from, created = provenance(dataset, period.id, body, submitted, clock, commit, when)
            key = inputs.digest(dataset, period.id, body, made_from=made_from, created=created, submitted=submitted)
            size = None
            if cache is not None and in_site is not None and cache.keep_blob(CACHE_KIND, key):
                size = in_site(period.id, body, key)
            if size is not None:
                data[(period.id, body)] = Workbook(key, None, size)
                continue
            found = cache.blob(CACHE_KIND, key) if cache is not None else None
            if found is None:
                found = rw.make_workbook(
                    dataset, period.id, body, made_from=made_from, created=created, submitted=submitted
                )
                if cache is not None:
                    cache.put_blob(CACHE_KIND, key, found)
            data[(period.id, body)] = Workbook(key, found, len(found))
    return data


def provenance(
    dataset, period_id: str, body: str, submitted, clock, commit: str, when: dt.datetime
) -> tuple[str, dt.datetime]:
    """The body's data version (clock.Clock.data_version: the newest commit of the main line that
    changed one of its files, as a unit page names its own) and that commit's date; (`commit`,
    `when`) when the clock is unavailable or knows none of the files."""
    if clock is None or not clock.available:
        return commit, when
    sha = clock.data_version(inputs.source_paths(dataset, period_id, body, submitted))
    if sha is None:
        return commit, when
    try:
        date = clock.commit(sha).committer_date
    except KeyError:
        return commit, when
    return sha, date if date is not None else when
