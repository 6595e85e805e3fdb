"""Units' facts read back from the build cache instead of gathered again (fact_cache.py says what
they are made of and keys them).

A kept unit's facts come back in two steps. At once: everything the overview pages, the ranks
and the cache keys of pages and downloads read of every unit (its scores, status, timing, links,
evidence counts, and the digest of the whole). Its criteria (`groups`, most of the bytes and of
the objects) and its milestone reports (two fifths of reading the rest back) only when something
reads them: in a rebuild, the pages, listings and download rows made again. Measured at 15,000
units: gathering every unit's facts took 4-6 CPU-s and 260 MiB, reading them all back whole as
long and 370 MiB.

What is read at once is kept per reviewing body, one pickle of its units' records (`_Record`:
the key, the facts but the criteria, the evidence files the evidence store must publish whether
or not the criteria are read, what pages read of every unit's criteria, and the digest): reading
600 such pickles at 15,000 units is a tenth of reading 15,000 records one by one. A body's pickle
is written again when one of its units' facts is gathered. The criteria are kept under the unit's
key in the build cache's packs of facts, pickled against the period's seed.

A body's pickle also keeps the body's key (fact_cache.body_key) when every unit of the body had
its record under this build's key. While the body's key stays the same, so does every unit key it
digests the making of, and its units' records are taken as they are, without keying each unit
(most bodies, in a rebuild after a change to one unit).

Those units are not scored again either: what their scores are made of (their files, the
catalogue, the registry) is digested by the key, so their records hold the scores scoring would
give. The build gives them to scoring as known (`known_scores`, scoring.score_period's `known`),
with the criteria each unit met, which its office's derived criteria count: a rebuild after a
change to one unit at 15,000 units scores 625 units instead of 15,000.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from typing import Generic, NamedTuple, TypeVar

from site_builder.cache_files import UNPICKLABLE, UNREADABLE_PICKLE
from site_builder.model import Dataset, Period, Unit
from site_builder.scoring import KNOWN_COLUMNS, KnownScores
from site_builder.website import fact_cache
from site_builder.website.evidence_files import EvidenceStore, FileFact
from site_builder.website.facts import (
    FACT_CLASSES,
    HEAD_FIELDS,
    REST_FIELDS,
    FactDigest,
    GroupFact,
    MilestoneFact,
    Timeline,
    UnitFact,
    broken_links,
    pickled_parts,
    ranks_of,
    score_fields,
    shared_data_version,
)

T = TypeVar("T")


class _ReadWhenAsked(Generic[T]):
    """A field of a kept unit's facts that is read back when first asked for, by the reader
    `KeptFacts.restore` gave it; a value set is kept as it is."""

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.slot = name, f"_{name}"

    def __get__(self, fact, owner=None) -> list[T]:
        found = fact.__dict__.get(self.slot)
        if found is None:
            found = fact.__dict__[self.slot] = fact._readers.pop(self.name)()
        return found

    def __set__(self, fact, value: list[T]) -> None:
        fact.__dict__[self.slot] = value


class KeptUnitFact(UnitFact):
    """A unit's facts read back from the build cache; its criteria and its milestone reports are
    read when first asked for."""

    _readers: dict[str, Callable[[], list]]  # field -> what reads it when first asked for (`KeptFacts.restore`)
    groups = _ReadWhenAsked[GroupFact]()  # UnitFact's fields, read here when first needed
    milestones = _ReadWhenAsked[MilestoneFact]()

    @property
    def group_totals(self) -> list[tuple[str, str, float, float]]:
        return list(self.__dict__["_summary"]["groups"])

    @property
    def evidence_counts(self) -> dict[str, int]:
        return dict(self.__dict__["_summary"]["evidence"])

    def __reduce__(self):
        """Pickled as the facts they are (a forked worker needs no pickle; a test may)."""
        return _unit_fact, (tuple(getattr(self, f.name) for f in fields(UnitFact)),)


def _unit_fact(values: tuple) -> UnitFact:
    return UnitFact(*values)


KIND = "unit-facts"  # the build cache's kind of blobs for the bodies' records


class _Record(NamedTuple):
    """What is kept of a unit's facts in its body's pickle."""

    key: str  # fact_cache.unit_key
    values: dict  # the facts' fields but the criteria, the milestone reports, the ranks and the unit
    milestones: bytes  # the milestone reports, pickled apart against the seed (KeptUnitFact.milestones)
    evidence: list[FileFact]  # the files they name (_evidence_files)
    summary: dict  # what pages read of the criteria of every unit (evidence counts, groups' totals)
    digest: FactDigest
    met: tuple[str, ...]  # the criteria the unit met (`known_scores`)


class KeptFacts:
    """The facts of one period's units kept by the build cache (`cache`, build_cache.BuildCache)."""

    def __init__(
        self, cache, dataset: Dataset, period: Period, timeline: Timeline, store: EvidenceStore, link_report: dict
    ):
        self.cache = cache
        self.dataset = dataset
        self.period = period
        self.clock = timeline.clock
        self.store = store
        self.pickler = fact_cache.SeededPickler(fact_cache.period_seed(period, FACT_CLASSES))
        shared = fact_cache.period_part(
            store.root, period, timeline.today, store.pinned, broken_links(link_report), timeline.clock
        )
        self.shared = self.pickler.seed + shared  # the seed: a place in its memo is the same object as then
        self._root = str(store.root)
        self._digests: dict[str, str] = {}  # repository path -> SHA-256 (`_digest_of`)
        self._bodies: dict[str, dict[str, _Record]] = {}  # body -> unit -> record, as read or put
        self._changed: set[str] = set()  # bodies whose pickle is to be written again
        self._kept_keys: dict[str, str | None] = {}  # body -> the body's key kept with its records
        self._body_keys: dict[str, str | None] = {}  # body -> its key in this build (None: not keyed)
        self._current: dict[str, set[str]] = {}  # body -> units whose record is under this build's key

    @classmethod
    def of(cls, cache, dataset: Dataset, period: Period, timeline: Timeline, store: EvidenceStore, link_report: dict):
        """None without a build cache, or when validation keyed no file (nothing to key facts on)."""
        if cache is None or not dataset.file_keys:
            return None
        return cls(cache, dataset, period, timeline, store, link_report)

    def find(self, unit: Unit, version, r: dict, ties: dict, digests: dict) -> tuple[str | None, UnitFact | None]:
        """The key of the unit's facts (None: they cannot be kept) and the facts kept under it."""
        pinned = self.store.pinned
        pin = ((version.sha if version else "") or pinned.commit) if pinned is not None else ""  # as store.href
        key = fact_cache.unit_key(
            self.shared, self.dataset, self.period.id, unit, self.clock, version, pin, self._digest_of
        )
        return key, (self.restore(key, unit, r, ties, digests) if key is not None else None)

    def from_body(self, unit: Unit, r: dict, ties: dict, digests: dict, known: bool = False) -> UnitFact | None:
        """The unit's facts when its body's key is the one kept with its records (then its own
        key is too: `body_key`), with this build's ranks; else None (`find` keys the unit).
        `known`: its scores were taken from its record (`known_scores`), which then holds them."""
        record = self._whole_record(unit)
        return self._restored(record, unit, r, ties, digests, known) if record is not None else None

    def known_scores(self, units: list[Unit]) -> dict[str, KnownScores]:
        """The scores of those of `units` whose facts `from_body` will read back: their body's
        key is the one kept with their records, which were gathered from the scores of the same
        files, catalogue and registry (the key digests them), and their criteria are kept. Scoring
        them again would give the same; `gather` checks that each of them is read back."""
        found = {}
        for unit in units:
            record = self._whole_record(unit)
            if record is not None and self.cache.keep_fact(record.key):
                found[unit.id] = KnownScores({name: record.values[name] for name in KNOWN_COLUMNS}, record.met)
        return found

    def _whole_record(self, unit: Unit) -> _Record | None:
        """The unit's record when its body's key is the one kept with its records (then its own
        key is too: `body_key`), else None: the one rule of `from_body` and `known_scores`."""
        body = unit.parent
        key = self._body_key(body)
        records = self._records(body)  # also reads the body's kept key
        if key is None or key != self._kept_keys.get(body):
            return None
        return records.get(unit.id)

    def _body_key(self, body: str) -> str | None:
        if body not in self._body_keys:
            pinned = self.store.pinned
            self._body_keys[body] = fact_cache.body_key(
                self.shared,
                self.dataset,
                self.period.id,
                body,
                self.clock,
                shared_data_version(self.clock, self.period.id, body) if self.clock.available else None,
                pinned.commit if pinned is not None else "",
                self._digest_of,
            )
        return self._body_keys[body]

    def _digest_of(self, path: str) -> str:
        """Once per file: a body's scoring workbook is the reviewer scores' file of all its units."""
        found = self._digests.get(path)
        if found is None:
            found = self._digests[path] = self.cache.digest(os.path.join(self._root, path))
        return found

    def restore(self, key: str, unit: Unit, r: dict, ties: dict, digests: dict) -> UnitFact | None:
        """The facts kept under `key` with this build's ranks, or None when there are none, or
        they do not have the scores just computed (then they are gathered again)."""
        record = self._records(unit.parent).get(unit.id)
        if record is None or record.key != key:
            return None
        return self._restored(record, unit, r, ties, digests)

    def _restored(
        self, record: _Record, unit: Unit, r: dict, ties: dict, digests: dict, known: bool = False
    ) -> UnitFact | None:
        """`restore` once the record is known to be under the unit's key. `known`: the scores
        are the record's and its criteria were found kept (`known_scores`): not checked again."""
        key = record.key
        if not known:
            scored = score_fields(r)
            if not _same_values(scored, {name: record.values.get(name) for name in scored}):
                return None
            if not self.cache.keep_fact(key):  # its criteria
                return None
        fact = KeptUnitFact.__new__(KeptUnitFact)
        fact.__dict__.update(record.values)
        fact.__dict__["_summary"] = record.summary
        # the registry's own unit (the key digested it): a copy kept in the record was a fifth of reading it
        fact.__dict__["unit"] = unit
        fact.__dict__.update(ranks_of(r, ties))
        fact._readers = {
            "groups": partial(self._groups, key),
            "milestones": partial(self.pickler.loads, record.milestones),
        }
        for file in record.evidence:
            self.store.keep(file)
        digests[unit.id] = record.digest
        self._current.setdefault(unit.parent, set()).add(unit.id)
        return fact

    def put(self, key: str, fact: UnitFact) -> FactDigest | None:
        """Keep `fact` under `key`; its digest (None when it cannot be pickled, and is not kept)."""
        parts = pickled_parts(fact, self.pickler)
        if parts is None:
            return None
        digest = FactDigest.of_pickled(self.pickler, *parts)
        values = {name: getattr(fact, name) for name in (*HEAD_FIELDS, *REST_FIELDS) if name != "unit"}
        summary = {"evidence": fact.evidence_counts, "groups": fact.group_totals}
        self.cache.put_fact(key, parts[2])
        met = tuple(item.id for group in fact.groups for item in group.items if item.met)
        record = _Record(key, values, parts[1], _evidence_files(fact), summary, digest, met)
        self._records(fact.unit.parent)[fact.unit.id] = record
        self._changed.add(fact.unit.parent)
        self._current.setdefault(fact.unit.parent, set()).add(fact.unit.id)
        return digest

    def save(self) -> None:
        """Write the pickles of the bodies a unit's facts were gathered for, or whose key is to
        be kept anew (a record that cannot be pickled is left out: its unit is gathered again
        next time, and the body's key is not kept)."""
        registry = self.dataset.registry.period(self.period.id)
        for body in sorted(set(self._body_keys) | self._changed):
            current = self._current.get(body, set())
            key = self._body_keys.get(body)
            if key is not None and not all(unit.id in current for unit in registry.children(body)):
                key = None
            if body not in self._changed and key == self._kept_keys.get(body):
                continue
            records = self._bodies[body]
            try:
                data = pickle.dumps((key, records), protocol=pickle.HIGHEST_PROTOCOL)
            except UNPICKLABLE:
                records = {unit: r for unit, r in records.items() if _picklable(r)}
                data = pickle.dumps((None, records), protocol=pickle.HIGHEST_PROTOCOL)
            self.cache.put_blob(KIND, self._name(body), data)
        self._changed.clear()

    def _records(self, body: str) -> dict[str, _Record]:
        found = self._bodies.get(body)
        if found is None:
            data = self.cache.blob(KIND, self._name(body))
            try:
                kept = pickle.loads(data) if data is not None else (None, {})
            except UNREADABLE_PICKLE:
                kept = (None, {})
            if not _body_records(kept):
                kept = (None, {})
            self._kept_keys[body], found = kept
            self._bodies[body] = found
        return found

    def _name(self, body: str) -> str:
        return hashlib.sha256(self.shared + body.encode("utf-8")).hexdigest()

    def _groups(self, key: str) -> list[GroupFact]:
        data = self.cache.fact(key)
        assert data is not None  # restore saw it, and the build holds the cache
        return self.pickler.loads(data)


def _evidence_files(fact: UnitFact) -> list[FileFact]:
    """The files a unit's facts name, each once: its criteria's evidence (a file often backs
    several criteria: 161,000 names of 28,000 files at 15,000 units) and its milestone reports.
    The evidence store gives one object per file (EvidenceStore.add): told apart by identity,
    not by a dataclass hash per name."""
    found = [ref.file for group in fact.groups for item in group.items for ref in item.evidence if ref.file]
    found += [m.evidence.file for m in fact.milestones if m.evidence is not None and m.evidence.file is not None]
    return list({id(file): file for file in found}.values())


def _body_records(kept) -> bool:
    """Whether `kept` has the shape of a body's pickle: (its key or None, unit -> record)."""
    return (
        isinstance(kept, tuple)
        and len(kept) == 2
        and (kept[0] is None or isinstance(kept[0], str))
        and isinstance(kept[1], dict)
        and all(isinstance(r, _Record) for r in kept[1].values())
    )


def _picklable(value) -> bool:
    try:
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except UNPICKLABLE:
        return False
    return True


def _same_values(a: dict, b: dict) -> bool:
    """Equal dicts, NaN being equal to NaN."""
    return all(a[k] == b[k] or (_float_nan(a[k]) and _float_nan(b[k])) for k in a)


def _float_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)
