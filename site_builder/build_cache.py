"""What a site build keeps between runs so that a rebuild redoes only what changed.

- File digests: SHA-256 of evidence PDFs, remembered by the file's identity and stamps (device,
  inode, size, modification time in nanoseconds; not the change time, which the site's own hard
  link to the file moves on every publish: git's core.trustctime=false for the same reason), so
  an unchanged 300 KB PDF is not read and hashed again by the checks or by the site. A fresh
  checkout gives every file new stamps: those of a clean git checkout are also remembered by the
  file's git blob id (blob_digests.py), which a new clone keeps, in the PDF verdicts' folder
  (verdict_cache.py) rather than here: a fact of the content, not an output of this site.
- Other outputs by kind (`blob`/`put_blob`): bytes under a digest of their inputs, e.g. the
  scoring workbook of a reviewing body whose units did not change, the search index while what it
  indexes does not change (website/search_index.py), or what an output folder holds
  (website/file_manifest.py: unit and body pages, the search index's files, the downloads' JSON
  parts, the scoring workbooks), so a file whose inputs did not change is neither made nor written
  again, nor read.
- Verdicts on unit files (check_cache.py), keyed by content, in packs under checks/
  (check_store.py): those of the last build.
- Each unit's facts (website/fact_cache.py), keyed by what they are made of: what every page
  reads of them in a pickle per reviewing body (blobs/unit-facts), their criteria in packs under
  facts/: those of the last build.
- What git says of the history's commits and of HEAD's tree (history_cache.py), under history/.
- Compiled page templates (Jinja's bytecode cache).

Where: $XDG_CACHE_HOME/site-builder/build/<digest of the data folder's path>/, outside the data
repository. A cached digest or page vouches for content, so a pull request (whose checkout is the
data folder) must never be able to write one; the same reason keeps signature verdicts there
(website/build.py signature_cache_dir). `site-builder --no-cache` or SITE_BUILDER_NO_CACHE=1
builds without it. Entries a build did not use are deleted when it ends, so the folder holds one
site's worth.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import IO

from site_builder import verdict_cache
from site_builder.cache_files import (
    UNPICKLABLE,
    UNREADABLE_PICKLE,
    read_table,
    remove_quietly,
    user_cache,
    write_atomically,
)
from site_builder.check_store import CheckStore

DISABLE_ENV = "SITE_BUILDER_NO_CACHE"
MAX_DIGESTS = 1_000_000  # ~100 MB of table: far more files than a national repository holds
DIGESTS = "digests.pickle"  # file stamps -> SHA-256
BLOB_DIGESTS = "blob-digests.pickle"  # git blob id -> (SHA-256, size): what a fresh clone reuses
EVIDENCE_PARTS = 5  # submissions/<period>/<body>/<unit>/<file>: the files digest() is asked for
_enabled = True
_current: BuildCache | None = None


def configure(enabled: bool) -> None:
    """The command line turns the cache off with --no-cache."""
    global _enabled, _current
    _enabled = enabled
    _current = None


def base_folder() -> Path:
    return user_cache("build")


def open_for(root: Path, hold: bool = False) -> BuildCache | None:
    """The cache of the data folder `root`, or None when caching is off. Also what `current()`
    returns from then on (the checks use its file digests). `hold`: for a whole build, until
    `close()`: a second build of the same data (a `serve` beside a `build`, test workers) waits
    for the first instead of mixing its entries with it."""
    global _current
    if not _enabled or os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return None
    name = hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:16]
    if _current is None or _current.folder.name != name:
        _current = BuildCache(base_folder() / name, Path(root))
    if hold:
        _current.hold()
    return _current


def stamps(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file is unchanged: device, inode, size, modification time (ns)."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def file_sha256(path: str) -> str:
    """SHA-256 of a file's bytes, read in chunks (evidence PDFs, written pages)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def current() -> BuildCache | None:
    return _current


def close() -> None:
    """The build is over: later checks in this process (a test, a command run after the build)
    do not use the cache, and another build may take it."""
    global _current
    if _current is not None:
        _current.close_checks()
        _current.release()
    _current = None


WAITING = "Đang chờ một lần xây dựng khác của cùng thư mục dữ liệu kết thúc (bộ nhớ đệm đang được dùng)…"


class BuildCache:
    def __init__(self, folder: Path, root: Path | None = None):
        self.folder = folder
        self.root = root  # the data folder (its git checkout names files' contents)
        self._digests: dict[tuple, str] | None = None
        self._digests_changed = False
        self._fresh: dict[tuple, str] = {}
        self._used_blobs: dict[str, set[str]] = {}
        self._checks = _Packs(folder / "checks")  # verdicts on unit files
        self._facts = _Packs(folder / "facts")  # units' facts
        self._lock = threading.Lock()
        self._held: IO[str] | None = None
        self._checkout: dict[str, str] | None = None  # path -> blob id (blob_digests.py)
        self._by_blob: dict[str, tuple[str, int]] | None = None  # blob id -> (SHA-256, size)
        self._blobs_changed = False

    # ------------------------------------------------------------------ one build at a time
    def hold(self) -> None:
        """Take the folder's lock, waiting (with a note on stderr) while another build has it."""
        if self._held is not None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / ".lock", "w")  # noqa: SIM115  # held until release()
        except OSError:
            return  # a cache that cannot be written is no error (nor can it be mixed)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(WAITING + "\n")
            sys.stderr.flush()
            fcntl.flock(handle, fcntl.LOCK_EX)
        self._held = handle

    def release(self) -> None:
        if self._held is not None:
            self._held.close()  # closing the file drops its lock
            self._held = None

    # ------------------------------------------------------------------ file digests
    def digest(self, path: str, stat: os.stat_result | None = None) -> str:
        """SHA-256 of the file at `path`, from the cache when its stamps (`stat`, when the caller
        has them) did not change, or when its content is a git blob whose digest is known."""
        info = stat or os.stat(path)
        key = stamps(info)
        known = self._table().get(key)
        if known is not None:
            return known
        blob = self._blob_of(path)
        kept = self._blob_table().get(blob) if blob is not None else None
        if kept is not None and kept[1] == info.st_size:
            self.remember(key, kept[0])
            return kept[0]
        found = file_sha256(path)
        self.remember(key, found)
        if blob is not None:
            with self._lock:
                self._blob_table()[blob] = (found, info.st_size)
                self._blobs_changed = True
        return found

    def _blob_of(self, path: str) -> str | None:
        """The git blob a clean checkout holds at `path`: the files of the units' folders are
        listed once, when the checks' keys ask for the first digest (validate.py forgets the
        listing before it forks workers)."""
        if self._checkout is None:
            from site_builder import blob_digests
            from site_builder.paths import SUBMISSIONS

            with self._lock:
                if self._checkout is None:
                    root = self.root
                    self._checkout = blob_digests.clean_blobs(root, SUBMISSIONS, EVIDENCE_PARTS) if root else {}
        return self._checkout.get(path)

    def forget_checkout(self) -> None:
        """The checks' keys are made: the listing of the checkout's blobs (~8 MB at 15,000
        units) is neither kept through the build nor copied into forked workers' memory. A file
        digested later whose stamps are new has the checkout listed again (the keys the last
        build made, kept_keys.py, digest no file)."""
        with self._lock:
            self._checkout = None

    @staticmethod
    def _blob_table_path() -> Path | None:
        """Beside the PDF verdicts (verdict_cache.py): a blob's SHA-256 is a fact of its content,
        which every build of any checkout reuses, whatever became of this build cache."""
        folder = verdict_cache.folder()
        return folder / BLOB_DIGESTS if folder is not None else None

    def _blob_table(self) -> dict[str, tuple[str, int]]:
        if self._by_blob is None:
            self._by_blob = read_table(self._blob_table_path())
        return self._by_blob

    def known_digest(self, stat: os.stat_result) -> str | None:
        """The cached SHA-256 of the file whose status is `stat`, or None (nothing read when
        there is none)."""
        return self._table().get(stamps(stat))

    def remember(self, key: tuple, digest: str) -> None:
        with self._lock:
            self._table()[key] = digest
            self._fresh[key] = digest
            self._digests_changed = True

    def take_fresh(self) -> dict[tuple, str]:
        """The digests remembered since the last call: a forked worker hands them to the build
        (its memory does not come back by itself)."""
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        return fresh

    def remember_all(self, digests: dict[tuple, str]) -> None:
        if digests:
            with self._lock:
                self._table().update(digests)
                self._digests_changed = True

    def _table(self) -> dict[tuple, str]:
        if self._digests is None:
            self._digests = read_table(self.folder / DIGESTS)
        return self._digests

    def known_digests(self) -> set[str]:
        """Every SHA-256 the table holds (their PDF verdicts are gathered at the end of a build)."""
        return set(self._table().values())

    # ------------------------------------------------------------------ other outputs, by kind
    def blob(self, kind: str, key: str) -> bytes | None:
        """The bytes kept under `kind`/`key` (e.g. a scoring workbook), or None."""
        try:
            with open(self._blob_file(kind, key), "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        with self._lock:
            self._used_blobs.setdefault(kind, set()).add(key)
        return data

    def keep_blob(self, kind: str, key: str) -> bool:
        """Keep the bytes under `kind`/`key` for the next build without reading them now; False
        when there are none."""
        if not os.path.isfile(self._blob_file(kind, key)):
            return False
        with self._lock:
            self._used_blobs.setdefault(kind, set()).add(key)
        return True

    def put_blob(self, kind: str, key: str, data: bytes) -> None:
        """Keep `data` under `kind`/`key`; entries of a kind this build did not use are dropped
        when it ends."""
        with self._lock:
            self._used_blobs.setdefault(kind, set()).add(key)
        write_atomically(self._blob_file(kind, key), data)

    def _blob_file(self, kind: str, key: str) -> Path:
        return self.folder / "blobs" / kind / key

    # ------------------------------------------------------------------ checks of unit files
    def check(self, key: str):
        """A stored verdict on a unit file (check_cache.py), or None. The key is kept (a verdict
        not found is stored under it): save() drops the verdicts this build did not look up."""
        return self.checks([key])[0]

    def checks(self, keys: list[str]) -> list:
        """`check` of each key, read in one pass (`CheckStore.get_many`)."""
        verdicts = []
        for data in self._checks.get_many(keys):
            try:
                verdicts.append(None if data is None else pickle.loads(data))
            except UNREADABLE_PICKLE:
                verdicts.append(None)
        return verdicts

    def put_check(self, key: str, verdict) -> None:
        try:
            data = pickle.dumps(verdict, protocol=pickle.HIGHEST_PROTOCOL)
        except UNPICKLABLE:
            return
        self.put_pickled_check(key, data)

    def put_pickled_check(self, key: str, data: bytes) -> None:
        """A verdict already pickled (a forked worker's, to hand it over): kept as it is."""
        self._checks.put(key, data)

    def flush_checks(self) -> None:
        """Finish the pack of verdicts being written (before validation forks its workers)."""
        self._checks.flush()

    def close_checks(self) -> None:
        """Finish the packs being written and close the packs (save() does it too): the verdicts
        and facts of a build that stopped, e.g. on invalid data, serve the next one."""
        self._checks.close()
        self._facts.close()

    # ------------------------------------------------------------------ units' facts
    def fact(self, key: str) -> bytes | None:
        """A unit's facts kept under `key` (website/fact_cache.py), as they were pickled, or None.
        Like a verdict, the key is kept: save() drops the facts this build did not look up."""
        return self._facts.get(key)

    def put_fact(self, key: str, data: bytes) -> None:
        self._facts.put(key, data)

    def keep_fact(self, key: str) -> bool:
        """Keep the facts under `key` for the next build without reading them now (they are read
        when needed); False when there are none."""
        return self._facts.has(key)

    def flush_facts(self) -> None:
        """Finish the pack of facts being written (before the page workers are forked)."""
        self._facts.flush()

    # ------------------------------------------------------------------ mkdocs' output
    def shells(self, key: str) -> tuple[Path, list[str]] | None:
        """The folder of mkdocs' output stored under `key`, and its warnings; None when absent."""
        import json

        folder = self.folder / "shells" / key
        try:
            warnings = json.loads((folder / "warnings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return (folder / "site", [str(w) for w in warnings]) if isinstance(warnings, list) else None

    def keep_shells(self, key: str, site: Path, warnings: list[str]) -> Path:
        """Move mkdocs' output `site` into the cache under `key` (the only entry kept); returns
        where it is now (`site` itself when the cache cannot be written)."""
        import json
        import shutil

        base = self.folder / "shells"
        folder = base / key
        try:
            if base.is_dir():
                for old in base.iterdir():
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True)
            shutil.move(str(site), str(folder / "site"))
            (folder / "warnings.json").write_text(json.dumps(warnings, ensure_ascii=False), encoding="utf-8")
            return folder / "site"
        except OSError:
            return site if site.is_dir() else folder / "site"

    # ------------------------------------------------------------------ the clock's git diffs
    @property
    def history_folder(self) -> Path:
        """Where the clock keeps what each commit changed (history_cache.py)."""
        return self.folder / "history"

    # ------------------------------------------------------------------ compiled page templates
    def templates_folder(self) -> Path:
        folder = self.folder / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # ------------------------------------------------------------------ end of a build
    def save(self) -> None:
        """Write the digest table and drop the entries this build did not use. The table only
        grows (one entry per version of a file); past MAX_DIGESTS it starts again."""
        if self._digests is not None and self._digests_changed:
            table = self._digests if len(self._digests) <= MAX_DIGESTS else {}
            write_atomically(self.folder / DIGESTS, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        blob_path = self._blob_table_path()
        if self._by_blob is not None and self._blobs_changed and blob_path is not None:
            blobs = self._by_blob if len(self._by_blob) <= MAX_DIGESTS else {}
            write_atomically(blob_path, pickle.dumps(blobs, protocol=pickle.HIGHEST_PROTOCOL))
        self._checks.finish()
        self._facts.finish()
        self.close_checks()
        for kind, used in self._used_blobs.items():
            _drop_unused(self.folder / "blobs" / kind, used)


class _Packs:
    """Packs of one kind (check_store.py), opened when first needed, and the keys this build
    looked up in them: at the end of the build only their entries are kept."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self._store: CheckStore | None = None

    def get(self, key: str) -> bytes | None:
        return self.get_many([key])[0]

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        self.used.update(keys)  # a key not found is kept too: the build stores under it
        return self._open().get_many(keys)

    def has(self, key: str) -> bool:
        self.used.add(key)
        return self._open().has(key)

    def put(self, key: str, data: bytes) -> None:
        self.used.add(key)  # kept by finish() even when the build did not look it up first
        self._open().put(key, data)

    def flush(self) -> None:
        if self._store is not None:
            self._store.flush()

    def finish(self) -> None:
        """Keep only the entries this build looked up (what it did not open stays as it is)."""
        if self._store is not None and self.used:
            self._store.finish(self.used)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _open(self) -> CheckStore:
        if self._store is None:
            self._store = CheckStore(self.folder)
        return self._store


def _drop_unused(folder: Path, used: set[str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name not in used and not entry.name.startswith(".tmp-"):
            remove_quietly(entry.path)
