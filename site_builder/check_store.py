"""The kept verdicts on unit files (check_cache.py) on disk: a few large packs, not a file each.

A national build keeps ~30,000 verdicts of ~4 KB. One file each cost the first build of a
15,000-unit repository about 5 CPU-s of the kernel's time to create 30,000 files (0.16 ms each,
measured on this machine's ext4; 256 files of the same bytes: 0.03 s), and every rebuild opened
them all again. So verdicts go into packs of about PACK_BYTES:

- `<name>.pack`: the pickled verdicts one after the other;
- `<name>.index`: a pickled dict, key -> (offset, length) in the pack, written after the pack
  (a pack without its index is not read, and goes at the end of the build).

Pack names sort by when they were written; a key found in two packs is the newer one's. A pack
is never changed once written. At the end of a build (`finish`), packs holding a verdict the
build did not look up, or a key a newer pack replaced, and all but one of the small packs, are
written anew with only what the build used: a rebuild after one change writes one pack again,
an unchanged rebuild writes nothing. The build cache's lock (build_cache.py) keeps a second
build out while one uses the packs.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import threading
import time
from pathlib import Path

PACK_BYTES = 16 << 20  # a full pack; a pack under half of this is small
PACK, INDEX = ".pack", ".index"
_NUMBERS = itertools.count()  # two packs written within one clock tick still sort by when
_STORE_ERRORS = (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError, AttributeError, ImportError)


class CheckStore:
    def __init__(self, folder: Path):
        self.folder = folder
        self._entries: dict[str, tuple[str, int, int]] | None = None  # key -> (pack, offset, length)
        self._packs: dict[str, int] = {}  # pack name -> size in bytes, the packs read or written
        self._handles: dict[str, int] = {}  # pack name -> open descriptor
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The pickled verdict kept under `key`, or None."""
        with self._lock:
            data = self._pending.get(key)
            if data is not None:
                return data
            place = self._index().get(key)
            if place is None:
                return None
            name, offset, length = place
            try:
                handle = self._handles.get(name)
                if handle is None:
                    handle = self._handles[name] = os.open(self.folder / (name + PACK), os.O_RDONLY)
                data = os.pread(handle, length, offset)
            except OSError:
                return None
        return data if len(data) == length else None

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` (a pickled verdict) under `key`; written with others once there is a pack's worth."""
        with self._lock:
            self._pending[key] = data
            self._pending_bytes += len(data)
            if self._pending_bytes >= PACK_BYTES:
                self._write_pending()

    def flush(self) -> None:
        """Write what is waiting for a pack's worth (a build that stops early keeps its verdicts)."""
        with self._lock:
            self._write_pending()

    def finish(self, used: set[str]) -> None:
        """The end of a build: keep only the verdicts under `used` (the keys it looked up), in as
        few packs as writing again what changed allows; anything else in the folder goes."""
        with self._lock:
            self._write_pending()
            entries = self._index()
            live: dict[str, int] = {}  # pack -> bytes of its entries the build used
            for key in used:
                place = entries.get(key)
                if place is not None:
                    live[place[0]] = live.get(place[0], 0) + place[2]
            small = [name for name, size in self._packs.items() if size < PACK_BYTES // 2]
            loose = {
                name
                for name, size in self._packs.items()
                if live.get(name, 0) != size or (name in small and len(small) > 1)
            }
            kept = {key: entries[key] for key in used if key in entries and entries[key][0] in loose}
            self._rewrite(kept)
            self._close_handles()
            for name in loose:
                _unlink(self.folder / (name + INDEX))
                _unlink(self.folder / (name + PACK))
                self._packs.pop(name, None)
            self._entries = {key: place for key, place in entries.items() if key in used and place[0] in self._packs}
            _drop_strays(self.folder, set(self._packs))

    def close(self) -> None:
        with self._lock:
            self._close_handles()

    # ------------------------------------------------------------------ inside
    def _index(self) -> dict[str, tuple[str, int, int]]:
        """Every pack's index, read once; the newer pack's entry wins."""
        if self._entries is None:
            self._entries = {}
            try:
                names = sorted(p.name[: -len(INDEX)] for p in self.folder.iterdir() if p.name.endswith(INDEX))
            except OSError:
                names = []
            for name in names:
                try:
                    size = os.stat(self.folder / (name + PACK)).st_size
                    with open(self.folder / (name + INDEX), "rb") as handle:
                        offsets = pickle.load(handle)
                    if not isinstance(offsets, dict):
                        raise ValueError("not an index")
                except _STORE_ERRORS:
                    continue
                self._packs[name] = size
                for key, (offset, length) in offsets.items():
                    if offset + length <= size:
                        self._entries[key] = (name, offset, length)
        return self._entries

    def _write_pending(self) -> None:
        if self._pending:
            self._write_pack(self._pending)
            self._pending, self._pending_bytes = {}, 0

    def _write_pack(self, verdicts: dict[str, bytes]) -> None:
        offsets, at = {}, 0
        for key, data in verdicts.items():
            offsets[key] = (at, len(data))
            at += len(data)
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(_NUMBERS)}"
        if not _store(self.folder / (name + PACK), b"".join(verdicts.values())):
            return
        if not _store(self.folder / (name + INDEX), pickle.dumps(offsets, protocol=pickle.HIGHEST_PROTOCOL)):
            return
        entries = self._index()
        self._packs[name] = at
        for key, (offset, length) in offsets.items():
            entries[key] = (name, offset, length)

    def _rewrite(self, places: dict[str, tuple[str, int, int]]) -> None:
        """Write the verdicts at `places` (in packs about to go) into new packs."""
        batch: dict[str, bytes] = {}
        size = 0
        for key, (name, offset, length) in sorted(places.items(), key=lambda item: item[1]):
            try:
                handle = self._handles.get(name)
                if handle is None:
                    handle = self._handles[name] = os.open(self.folder / (name + PACK), os.O_RDONLY)
                data = os.pread(handle, length, offset)
            except OSError:
                continue
            if len(data) != length:
                continue
            batch[key] = data
            size += length
            if size >= PACK_BYTES:
                self._write_pack(batch)
                batch, size = {}, 0
        if batch:
            self._write_pack(batch)

    def _close_handles(self) -> None:
        for handle in self._handles.values():
            try:
                os.close(handle)
            except OSError:
                pass
        self._handles = {}


def stored(folder: Path) -> dict[str, bytes]:
    """Every verdict kept in `folder` (key -> pickled verdict): what a build would find there."""
    store = CheckStore(folder)
    try:
        return {key: data for key in list(store._index()) if (data := store.get(key)) is not None}
    finally:
        store.close()


def _store(path: Path, data: bytes) -> bool:
    """Atomically (temporary name, rename); False when it could not be written (no error: a
    cache that cannot be written only makes the next build slower)."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        return True
    except OSError:
        _unlink(temporary)
        return False


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
            _unlink(Path(entry.path))


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
