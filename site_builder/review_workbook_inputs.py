"""What a body's scoring workbook is made from: the data files behind it (its provenance) and a
digest of every value it shows (its key in the build cache).

The digest is computed from the dataset without building the rows or the file, for every body
on every build, so it must stay cheap; and it must change whenever the bytes would, so it takes
everything review_workbook.make_workbook reads, plus the source of the code that lays the
workbook out and xlsxwriter's version.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import io
import pickle
from pathlib import Path

from site_builder import review_workbook as rw
from site_builder.model import Dataset, Unit
from site_builder.paths import REVIEW_SUFFIX
from site_builder.unit_types import label as type_label
from site_builder.unit_types import order as type_order


def source_paths(dataset: Dataset, period_id: str, body: str, submitted: list[Unit] | None = None) -> list[str]:
    """The data files the body's workbook is made from: its units' submissions and reviews."""
    period = dataset.periods[period_id]
    paths = []
    for unit in rw.workbook_units(dataset, period, body, submitted):
        paths.append(dataset.submissions[(period_id, unit.id)].path)
        review = dataset.reviews.get((period_id, unit.id))
        if review is not None:
            paths.append(review.path)
    return paths


def digest(
    dataset: Dataset,
    period_id: str,
    body: str,
    *,
    made_from: str = "",
    created: dt.datetime | None = None,
    submitted: list[Unit] | None = None,
) -> str:
    """A digest of everything the workbook's bytes depend on (its key in the build cache),
    computed from the data without building rows. Whatever make_workbook comes to read must be
    added here too; the code that writes the workbook is covered by its source."""
    period = dataset.periods[period_id]
    org = dataset.registry.organization
    registry = dataset.registry.period(period_id)
    units = rw.workbook_units(dataset, period, body, submitted)
    found = registry.bodies.get(body)
    parts: list[object] = [
        code_digest(),
        period_id,
        period.title,
        body,
        registry.body_name(body),
        found.reviewers if found else (),
        org.repository,
        org.branch or "main",
        made_from,
        rw.created_stamp(created).isoformat(),
    ]
    for unit_type in sorted({u.type for u in units}, key=type_order):
        catalogue = period.catalogues[unit_type]
        parts.append(
            (type_label(unit_type), catalogue.score_step, [(i.id, i.max, i.text) for i in rw.scored(catalogue)])
        )
    for unit in units:
        submission = dataset.submissions[(period_id, unit.id)]
        review = dataset.reviews.get((period_id, unit.id))
        parts.append((unit.id, unit.name, unit.type, submission.evidence_dir()))
        checked = _checked(dataset, period_id, unit.id)
        parts.append(checked or [(e.id, e.score, e.evidence, e.note) for e in submission.entries.values()])
        parts.append(_reviewed(review, checked))
    return hashlib.sha256(_values(parts)).hexdigest()


def _checked(dataset: Dataset, period_id: str, unit_id: str) -> tuple | None:
    """The checks' keys of the unit's files (a site build's, check_cache.py), which digest what its
    submission's record is read from: a few strings instead of every entry of the record (a
    quarter of the digests' cost). None without them. Reviewer scores are digested as values
    still: those read from a body's scoring workbook have no such key."""
    found = dataset.file_keys.get((period_id, unit_id), [])
    keys = [key for key in found if key is not None]
    if not keys or len(keys) < len(found):
        return None
    return ("checked", *sorted(keys))


def _reviewed(review, checked: tuple | None) -> object:
    """The reviewer scores' values, or only that they are those of the unit's reviewer-score file
    when its checks' key is among those digested (`checked`: `_checked` of the unit; the review's
    entries are then not read back: model._Entries). Scores read from a body's scoring workbook
    are digested as values: a workbook has no such key."""
    if review is None:
        return None
    if review.path.endswith(REVIEW_SUFFIX) and checked:
        return ("checked", review.path)
    return [(e.id, e.score, e.comment) for e in review.entries.values()]


def _values(parts: list) -> bytes:
    """Plain values (str, float, tuples, lists) as bytes that depend on the values alone: the
    pickler's fast mode keeps no memo, so whether two equal strings are one object or two (a
    fresh parse or one read from the parse cache) changes nothing. Several times faster than
    repr(), which matters for a key computed for every body on every build."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=4)
    pickler.fast = True
    pickler.dump(parts)
    return buffer.getvalue()


@functools.cache
def code_digest() -> str:
    """The code that lays the workbook out: review_workbook.py, the helpers it formats numbers,
    sheet names and its appended rows (xlsx_rows.py) with, and xlsxwriter (its __init__.py, which
    states its version; found, not imported: importing it costs more than all the digests of a
    rebuild)."""
    from site_builder import numbers, unit_types, xlsx_rows

    spec = importlib.util.find_spec("xlsxwriter")
    found = hashlib.sha256(f"{rw.FORMAT_ID} {rw.TEMPLATE_VERSION}".encode())
    for file in (rw.__file__, numbers.__file__, unit_types.__file__, xlsx_rows.__file__, spec.origin if spec else None):
        found.update(Path(file).read_bytes() if file else b"-")
    return found.hexdigest()
