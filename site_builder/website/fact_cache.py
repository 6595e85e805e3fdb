"""A unit's facts kept from the last build, found again by what they are made of.

Gathering every unit's facts (facts.py: 4-6 CPU-s at 15,000 units) and digesting them for the
keys of pages and download rows (3-4 more) was about a third of a rebuild, although a rebuild
usually follows a change to one unit. A unit's facts, its ranks aside, are made only of:

- what the facts of all units of a period share (`period_part`): the code, criteria/, schema/,
  the organisation file, the parsers' versions and the registry files (check_cache.py digests
  them for the checks), where evidence links point, the link report, which of the period's dates
  "today" is past, and whether there is a history at all;
- the unit's own files and those of the units under it (an office's derived criteria count
  them): the checks' key of each (`Dataset.file_keys`: its bytes, its evidence folder, its
  registry entries), and the file its reviewer scores were read from (a body's scoring workbook
  holds many units' scores);
- what the clock says of them: the unit's data version, and every version of its two YAML files
  and of every path under its folder (received times, and which one is at HEAD).

`unit_key` digests these. The facts of a unit whose key is kept are read back instead of being
gathered (kept_facts.py; it checks them against the scores just computed and has them gathered
again when they differ). A unit with a file the checks could not key is always gathered.

The facts are pickled against a memo seeded with what all units of a period share
(`SeededPickler`): the catalogue's texts are then a reference each, which takes a quarter off the
bytes, and read back they are one copy shared by every unit, not a copy per unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
import posixpath
import sys
from collections.abc import Callable
from pathlib import Path

from site_builder import check_cache
from site_builder.cache_files import UNPICKLABLE
from site_builder.clock import Clock, CommitInfo, Moment
from site_builder.model import Dataset, Period, Unit
from site_builder.paths import body_folder, unit_folder, unit_paths

FORMAT = b"facts-7"  # changes when what is kept changes shape


class SeededPickler:
    """Pickles whose memo starts with `shared`: an object of it is written as a reference to its
    place there, and read back as one copy of it that every value read shares. The same shared
    objects in the same order give the same bytes in any process, so a digest of the bytes with
    `seed` (the digest of the shared objects themselves) names the content.

    Protocol 3, whose memo entries carry their place: the C unpickler given a memo does not count
    it when protocol 4's MEMOIZE numbers entries by arrival (every later reference then misses).
    Read through a buffered reader, which lets the unpickler take the bytes in one piece instead
    of one call per opcode (what protocol 4's frames are for): 110 instead of 350 µs per unit.

    Each value starts from a copy of the seeding pickler's memo, handed over as that pickler's
    memo (copied as a table) rather than as a dict (read entry by entry: 13 µs more for each of
    the three parts of a unit's facts, 0.6 CPU-s of a 15,000-unit build); the bytes are the same."""

    PROTOCOL = 3

    def __init__(self, shared: tuple):
        seeded = io.BytesIO()
        self._seeder = pickle.Pickler(seeded, protocol=self.PROTOCOL)
        self._seeder.dump(shared)  # its memo: id -> (place, object) of every shared object
        self.seed = hashlib.sha256(seeded.getvalue()).digest()
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=self.PROTOCOL)
        self._reader = pickle.Unpickler(io.BytesIO(seeded.getvalue()))
        self._reader.load()  # its memo: one copy of the shared objects, where the pickles expect them

    def dumps(self, value) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pickler.memo = self._seeder.memo  # the seed only: nothing of the last value
        try:
            self._pickler.dump(value)
        finally:
            self._pickler.memo = {}  # the value's objects are not held until the next call
        return self._buffer.getvalue()

    def loads(self, data: bytes):
        unpickler = pickle.Unpickler(io.BufferedReader(io.BytesIO(data)))
        unpickler.memo = self._reader.memo
        return unpickler.load()


def period_seed(period: Period, classes: tuple) -> tuple:
    """What the facts of every unit of `period` share: the catalogues' ids and texts, the
    milestones, and the classes of the facts, in an order no process changes."""
    texts: list[str] = []
    for unit_type in sorted(period.catalogues):
        catalogue = period.catalogues[unit_type]
        for group in catalogue.groups:
            texts += (group.id, group.title)
        for item in catalogue.items.values():
            texts += (item.id, item.text, item.group, item.evidence.text if item.evidence else "")
    return (texts, tuple(period.milestones), classes)


def period_part(root: Path, period: Period, today: dt.date, pinned, broken: dict[str, str], clock: Clock) -> bytes:
    """The digest of what all units' facts of `period` depend on alike (see the module's text).
    Of "today" only what the facts read: whether the period has opened, and which milestones are
    past due (a report not filed is "missing" after its day, "pending" before)."""
    from importlib.metadata import version

    days = (period.opens is not None and today < period.opens, tuple(today > m.due for m in period.milestones))
    material = pickle.dumps(
        (
            FORMAT,
            sys.version_info[:2],
            version("pandas"),
            period.id,
            days,
            (pinned.repository, pinned.prefix) if pinned is not None else None,
            sorted(broken.items()),
            clock.available,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    base = str(root)
    return hashlib.sha256(
        check_cache.shared_digest(base) + check_cache.period_digest(base, period.id) + material
    ).digest()


def unit_key(
    shared: bytes,
    dataset: Dataset,
    period_id: str,
    unit: Unit,
    clock: Clock,
    data_version: CommitInfo | None,
    pin: str,
    digest_of: Callable[[str], str],
) -> str | None:
    """The key of `unit`'s facts (`shared`: `period_part`; `pin`: the commit its evidence links
    name; `digest_of`: SHA-256 of a repository file). None when one of the files it is made of has
    no key."""
    own = _files(dataset, period_id, unit.id, digest_of)
    if own is None:
        return None
    children = _files_of(dataset, period_id, dataset.registry.period(period_id).children(unit.id), digest_of)
    if children is None:
        return None
    history = None
    if clock.available:
        paths = [
            *unit_paths(period_id, unit.parent, unit.id),
            *clock.paths_under(unit_folder(period_id, unit.parent, unit.id)),
        ]
        history = [(path, clock.state(path)) for path in paths]
    try:
        material = pickle.dumps(
            (unit.id, own, children, history, _plain_commit(data_version), pin), protocol=pickle.HIGHEST_PROTOCOL
        )
    except UNPICKLABLE:
        return None
    return hashlib.sha256(shared + material).hexdigest()


def body_key(
    shared: bytes,
    dataset: Dataset,
    period_id: str,
    body: str,
    clock: Clock,
    shared_version: str | None,
    pin: str,
    digest_of: Callable[[str], str],
) -> str | None:
    """The key of the facts of all units filed in `body`'s folder at once, digesting everything
    their `unit_key`s and data versions (facts._data_version) are made of: the keys of their
    files, the clock's state of every path under the folder, the newest main-line commit of each
    entry of the folder and of the files the body's units share (`shared_version`,
    facts.shared_data_version), and those commits as a page names them. While it is the key kept
    with the body's facts, each unit's key is the one kept with its facts, which are read back
    without keying and versioning each unit (a rebuild at 15,000 units gathered its facts in
    1.0-1.1 CPU-s instead of 1.45-1.73).
    `pin`: the commit evidence links name when there is no history.

    None (each unit is then keyed) when a unit of the body has units under it (its facts count
    theirs, filed in another folder), its reviewer scores come from outside the folder, a file has
    no key, or no main-line commit changed what the body's units share (their data version would
    then be HEAD, which every commit moves)."""
    registry = dataset.registry.period(period_id)
    folder = body_folder(period_id, body)
    units = registry.children(body)
    for unit in units:
        review = dataset.reviews.get((period_id, unit.id))
        if registry.children(unit.id) or (review is not None and posixpath.dirname(review.path) != folder):
            return None
    own = _files_of(dataset, period_id, units, digest_of)
    if own is None:
        return None
    history = None
    if clock.available:
        versions = clock.folder_versions(folder)
        if shared_version is None or versions is None:
            return None
        try:
            commits = [_plain_commit(clock.commit(sha)) for sha in sorted({shared_version, *versions.values()})]
        except KeyError:
            return None
        history = (clock.states_under(folder), shared_version, sorted(versions.items()), commits)
        pin = ""  # each unit's links name its data version
    try:
        material = pickle.dumps((body, own, history, pin), protocol=pickle.HIGHEST_PROTOCOL)
    except UNPICKLABLE:
        return None
    return hashlib.sha256(shared + b"body" + material).hexdigest()


def _plain_commit(version: CommitInfo | None) -> tuple | None:
    """Every field of the commit (and of its signature's moment) as plain values: pickling the
    dataclasses themselves was a tenth of keying a unit."""
    if version is None:
        return None
    return tuple(tuple(v.__dict__.values()) if isinstance(v, Moment) else v for v in version.__dict__.values())


def _files_of(dataset: Dataset, period_id: str, units: list[Unit], digest_of: Callable[[str], str]) -> list | None:
    """(unit id, `_files`) of each of `units`; None when one of them has a file without a key."""
    found = []
    for unit in units:
        files = _files(dataset, period_id, unit.id, digest_of)
        if files is None:
            return None
        found.append((unit.id, files))
    return found


def _files(dataset: Dataset, period_id: str, unit_id: str, digest_of: Callable[[str], str]) -> tuple | None:
    """The checks' keys of a unit's files, and the file its reviewer scores come from with its
    digest; None when a file has no key or the scores' file cannot be read."""
    keys = dataset.file_keys.get((period_id, unit_id), [])
    if None in keys:
        return None
    review = dataset.reviews.get((period_id, unit_id))
    source = None
    if review is not None:
        try:
            source = (review.path, digest_of(review.path))
        except OSError:
            return None
    return sorted(keys), source  # None is not among them (above)
