"""The kept verdicts on unit files (check_cache.py) on disk: a few large packs, not a file each.

A national build keeps ~30,000 verdicts of ~1.2 KB. One file each cost the kernel 0.16 ms per
file created on this machine's ext4 (5,000 files: 0.8 CPU-s; the same bytes in 256 files: 0.03),
and every rebuild opened them all again. Measured at 15,000 units, a validation with nothing kept,
with its save (three alternated pairs): 33.0-38.2 CPU-s with a file each, 25.8-28.5 in packs; with
everything kept, 4.6-5.9 and 4.0-4.5. So verdicts go into packs of about PACK_BYTES:

- `<name>.pack`: the pickled verdicts one after the other, written as they come (none is held
  in memory waiting for the others: bytes held and freed among the verdicts kept for the build
  left ~30 MB more in the build's process at 15,000 units);
- `<name>.index`: a pickled dict, key -> (offset, length) in the pack, written after the pack
  (a pack without its index is not read, and goes at the end of the build).

Pack names sort by when they were written; a key found in two packs is the newer one's. A pack
is never changed once written. At the end of a build (`finish`), the entries the build did not
look up (or that a newer pack replaced) are dead: a pack holding a quarter of a full pack's bytes
of them (`dead_bytes`), or only them, and the small packs once there are more than MAX_SMALL of
them, are written anew with only what the build used. A rebuild after one change writes its new verdicts into one small pack and
leaves the others as they are (writing again the pack that held the old verdict, and merging
the small ones every time, was 0.06 CPU-s of a rebuild at 15,000 units); an unchanged rebuild
writes nothing. A dead entry kept in a pack is a verdict on other bytes: found only if a file
comes back to them, and then still the right one. The build cache's lock (build_cache.py) keeps
a second build out while one uses the packs.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import threading
import time
from pathlib import Path
from typing import IO

from site_builder import heap
from site_builder.cache_files import UNREADABLE_PICKLE, remove_quietly, write_atomically

PACK_BYTES = 16 << 20  # a full pack; a pack under half of this is small
MAX_SMALL = 8  # small packs left as they are; one more and they are merged
PACK, INDEX = ".pack", ".index"
_NUMBERS = itertools.count()  # two packs written within one clock tick still sort by when
_STORE_ERRORS = (OSError, *UNREADABLE_PICKLE)


class CheckStore:
    def __init__(self, folder: Path):
        self.folder = folder
        self._entries: dict[str, tuple[str, int, int]] | None = None  # key -> (pack, offset, length)
        self._packs: dict[str, int] = {}  # pack name -> size in bytes, the packs read or written
        self._handles: dict[str, int] = {}  # pack name -> open descriptor
        self._writer: _PackWriter | None = None  # the pack being written
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The pickled verdict kept under `key`, or None."""
        return self.get_many([key])[0]

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """The pickled verdict kept under each key, or None, under one lock and one look at the
        index: a rebuild reads ~30,000 verdicts at 15,000 units."""
        with self._lock:
            if self._writer is not None and not self._writer.offsets.keys().isdisjoint(keys):
                self._seal()
            index, read = self._index(), self._read
            return [None if (place := index.get(key)) is None else read(*place) for key in keys]

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._index() or (self._writer is not None and key in self._writer.offsets)

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` (a pickled verdict) under `key`. It is written at once into the pack being
        written, not held: a national build hands over ~100 MB of verdicts."""
        with self._lock:
            self._append(key, data)

    def flush(self) -> None:
        """Finish the pack being written (a build that stops early keeps its verdicts)."""
        with self._lock:
            self._seal()

    def finish(self, used: set[str]) -> None:
        """The end of a build: keep the verdicts under `used` (the keys it looked up), writing
        again the packs whose dead entries are worth it (the module's text); anything else in the
        folder goes."""
        with self._lock:
            self._seal()
            entries = self._index()
            live: dict[str, int] = {}  # pack -> bytes of its entries the build used
            for key in used:
                place = entries.get(key)
                if place is not None:
                    live[place[0]] = live.get(place[0], 0) + place[2]
            small = [name for name, size in self._packs.items() if size < PACK_BYTES // 2]
            merged = len(small) > MAX_SMALL
            loose = {
                name
                for name, size in self._packs.items()
                if not live.get(name) or size - live[name] >= dead_bytes() or (merged and name in small)
            }
            if loose:
                self._move(used, loose, {name for name in loose if live.get(name)})
            self._close_handles()
            _drop_strays(self.folder, set(self._packs))

    def _move(self, used: set[str], loose: set[str], holding: set[str]) -> None:
        """Write the entries under `used` of the packs `loose` into new packs, and drop those.
        `holding`: those of them that hold such entries. Most rebuilds drop only the last one's
        small pack, whose one verdict the change replaced: then none holds any, no entry is looked
        for among the ~30,000 the build used at 15,000 units (a finish took 55-61 ms, now 33-35),
        and the index is read again if asked for."""
        entries = self._index()
        moved = []
        if holding:
            moved = sorted(
                ((key, place) for key in used if (place := entries.get(key)) is not None and place[0] in holding),
                key=lambda item: item[1],
            )
        for key, place in moved:  # into new packs, in the order they were in
            data = self._read(*place)
            if data is not None:
                self._append(key, data)
        self._seal()
        for name in loose:
            remove_quietly(self.folder / (name + INDEX))
            remove_quietly(self.folder / (name + PACK))
            self._packs.pop(name, None)
        self._entries = None

    def close(self) -> None:
        with self._lock:
            self._seal()
            self._close_handles()

    # ------------------------------------------------------------------ inside
    def _index(self) -> dict[str, tuple[str, int, int]]:
        """Every pack's index, read once; the newer pack's entry wins."""
        if self._entries is None:
            with heap.uncollected():  # it lives as long as the build (heap.py)
                self._read_indexes()
                heap.keep_in_build()
        assert self._entries is not None
        return self._entries

    def _read_indexes(self) -> None:
        entries: dict[str, tuple[str, int, int]] = {}
        try:
            names = sorted(p.name[: -len(INDEX)] for p in self.folder.iterdir() if p.name.endswith(INDEX))
        except OSError:
            names = []
        for name in names:
            try:
                size = os.stat(self.folder / (name + PACK)).st_size
                with open(self.folder / (name + INDEX), "rb") as handle:
                    offsets = pickle.load(handle)
                found = {key: (name, offset, length) for key, (offset, length) in offsets.items()}
                if any(offset + length > size for _name, offset, length in found.values()):
                    raise ValueError("an entry past the end of its pack")
            except _STORE_ERRORS:
                continue  # not a pack: it goes at the end of the build
            self._packs[name] = size
            entries.update(found)
        self._entries = entries

    def _read(self, name: str, offset: int, length: int) -> bytes | None:
        try:
            handle = self._handles.get(name)
            if handle is None:
                handle = self._handles[name] = os.open(self.folder / (name + PACK), os.O_RDONLY)
            data = os.pread(handle, length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def _append(self, key: str, data: bytes) -> None:
        if self._writer is None:
            self._writer = _PackWriter(self.folder)
        self._writer.append(key, data)
        if self._writer.size >= PACK_BYTES:
            self._seal()

    def _seal(self) -> None:
        """The pack being written, with its index, joins the others."""
        writer, self._writer = self._writer, None
        if writer is None or not writer.seal():
            return
        entries = self._index()
        self._packs[writer.name] = writer.size
        for key, (offset, length) in writer.offsets.items():
            entries[key] = (writer.name, offset, length)

    def _close_handles(self) -> None:
        for handle in self._handles.values():
            try:
                os.close(handle)
            except OSError:
                pass
        self._handles = {}


def dead_bytes() -> int:
    """The bytes of dead entries that have a pack written anew (a quarter of a full pack)."""
    return PACK_BYTES // 4


class _PackWriter:
    """One pack, written as verdicts come under a temporary name, then renamed and indexed. A
    pack that could not be written is dropped whole (its verdicts are only checked again)."""

    def __init__(self, folder: Path):
        self.name = f"{time.time_ns():020d}-{os.getpid()}-{next(_NUMBERS)}"
        self.offsets: dict[str, tuple[int, int]] = {}
        self.size = 0
        self._temporary = folder / f".tmp-{self.name}{PACK}"
        self._final = folder / (self.name + PACK)
        self._file: IO[bytes] | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self._temporary, "wb", buffering=1 << 20)  # noqa: SIM115  # closed by seal()
        except OSError:
            self._file = None

    def append(self, key: str, data: bytes) -> None:
        if self._file is None:
            return
        try:
            self._file.write(data)
        except OSError:
            self._abandon()
            return
        self.offsets[key] = (self.size, len(data))
        self.size += len(data)

    def seal(self) -> bool:
        """True when the pack and its index are in place."""
        if self._file is None:
            return False
        try:
            self._file.close()
            self._file = None
            os.replace(self._temporary, self._final)
        except OSError:
            self._abandon()
            return False
        index = pickle.dumps(self.offsets, protocol=pickle.HIGHEST_PROTOCOL)
        if not write_atomically(self._final.with_name(self.name + INDEX), index):
            remove_quietly(self._final)
            return False
        return True

    def _abandon(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
        self._file = None
        remove_quietly(self._temporary)


def stored(folder: Path) -> dict[str, bytes]:
    """Every verdict kept in `folder` (key -> pickled verdict): what a build would find there."""
    store = CheckStore(folder)
    try:
        return {key: data for key in list(store._index()) if (data := store.get(key)) is not None}
    finally:
        store.close()


def _drop_strays(folder: Path, packs: set[str]) -> None:
    """Anything in the folder but the packs kept and their indexes: an older layout's folders,
    a pack without its index, a temporary file a killed build left."""
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return
    for entry in listing:
        stem = entry.name.rsplit(".", 1)[0]
        if stem in packs and entry.name in (stem + PACK, stem + INDEX) and entry.is_file(follow_symlinks=False):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            remove_quietly(entry.path)
