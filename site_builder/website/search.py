"""Site search with Pagefind: a chunked index the browser loads piece by piece.

Measured on this project's pages: Pagefind matches "tan dinh" and "TAN ĐINH" to "Tân Định" (it
folds diacritics), and its index is split into small fragments, so a phone never downloads an
index of the whole country (the theme's built-in search would ship one 40 MB file at 15,000 units).

Pagefind reads whole HTML files into memory: on 15,000 full unit pages it took 15 s and 580 MB.
So it indexes one tiny HTML document per unit and district page instead, at the URL of the real
page, holding only what a search should match (name, type, district, managing body). They go to
Pagefind's service mode (`pagefind --service`: base64 JSON messages separated by commas on its
stdin and stdout, the protocol of its Node and Python APIs); the Python API package itself reads
one answer per 100 ms, an hour and a half for 15,000 documents, so this module speaks the
protocol directly: requests go out without waiting, a thread collects the answers.

The documents go in batches of BATCH, each written into a small folder that Pagefind reads
(`AddDir`) and that is deleted at once; never more than one batch exists (in memory when the
system has a memory-backed folder, `_scratch_parent`). Pagefind's message
for a single document (`AddFile`) formats its whole list of pages so far, twice, for a log line
it does not print: the cost of each document grows with the pages before it. Measured on 15,600
documents: 15.7 CPU-s one by one, 8.7 in batches (Pagefind and this process); for 47,000
documents (a national index) 73 and 26 CPU-s. One by one, Pagefind's own CPU-s were 2.0, 4.8
and 11.6 for 3,900, 7,800 and 15,600 documents.

Pagefind numbers pages in the order it finds them, and finds a batch's documents in the order
its folder lists them (it does not sort): two builds on one machine give the same bytes; on
another filesystem the pages of a batch may be numbered differently, for an index that finds
the same pages.
"""

from __future__ import annotations

import base64
import contextlib
import html
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

FOLDER = "pagefind"
BATCH = 500  # documents on disk at a time (a batch size from 250 to 2,000 made no measurable difference)
SCRATCH_PARENTS = ("/dev/shm",)  # memory-backed folders where the batches are best written
DOCUMENT = "index.html"  # each document's file in its page's folder: Pagefind gives it the folder's URL


class SearchIndexError(RuntimeError):
    pass


@dataclass(frozen=True)
class Entry:
    url: str  # site-relative folder URL of the real page, e.g. 2023-2024/don-vi/x/
    title: str
    info: str
    words: str = ""  # more text to match (codes, managing body), not shown


def pagefind_binary() -> Path:
    spec = importlib.util.find_spec("pagefind_bin")
    if spec is None or not spec.submodule_search_locations:
        raise SearchIndexError("thiếu gói pagefind-bin (công cụ tạo chỉ mục tìm kiếm).")
    folder = Path(list(spec.submodule_search_locations)[0])
    for name in ("pagefind", "pagefind_extended", "pagefind.exe"):
        if (folder / name).is_file():
            return folder / name
    raise SearchIndexError("không tìm thấy chương trình pagefind trong gói pagefind-bin.")


def entries_key(entries: list[Entry]) -> str:
    """A digest of what the index is made of (and of this module and Pagefind's version): the
    index is reused while it does not change, which is most rebuilds (names change rarely)."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes() + version("pagefind-bin").encode())
    for e in entries:
        digest.update(f"{e.url}\0{e.title}\0{e.info}\0{e.words}\n".encode())
    return digest.hexdigest()


def page(e: Entry) -> str:
    """The small document Pagefind indexes for one entry."""
    title, info = html.escape(e.title), html.escape(e.info)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<main data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>'
        f'<p data-pagefind-meta="info">{info}</p><p>{html.escape(e.words)}</p></main></body></html>'
    )


def _scratch_parent() -> str | None:
    """Where batches are written: a folder in memory when the system has one. On a disk the
    kernel's bookkeeping of creating and deleting 15,000 folders took 9 CPU-s of system time
    (0.25 in /dev/shm); None: the system's temporary folder."""
    for folder in SCRATCH_PARENTS:
        if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _write_batch(folder: str, entries: list[Entry]) -> list[tuple[str, str]]:
    """Each entry's document at <folder>/<its URL>/index.html; (document, its folder) of each, in
    order. Plain system calls, and each document removed by name (`_remove_batch`): through
    pathlib and a walk of the batch to remove it, the 15,600 documents of 15,000 units took
    1.1-1.3 CPU-s to write and remove, so 0.5-0.6."""
    written = []
    for e in entries:
        parts = _inner_parts(e.url)
        if parts is None:
            raise SearchIndexError(f"địa chỉ trang lạ cho chỉ mục tìm kiếm: {e.url[:200]}")
        place = os.path.join(folder, *parts)
        try:
            os.mkdir(place)
        except FileNotFoundError:  # the first entry under its parent
            os.makedirs(place)
        except FileExistsError:  # a page under it came first
            pass
        document = os.path.join(place, DOCUMENT)
        with open(document, "wb", buffering=0) as handle:
            handle.write(page(e).encode("utf-8"))
        written.append((document, place))
    return written


def _inner_parts(path: str) -> list[str] | None:
    """The parts of `path` ("a/./b//" -> ["a", "b"]), or None when it leaves the folder it is
    relative to (absolute, "..") or names none."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return None if path.startswith("/") or ".." in parts or not parts else parts


def _remove_batch(folder: str, written: list[tuple[str, str]]) -> None:
    """Remove what `_write_batch` wrote into `folder`, and `folder`."""
    for document, place in written:
        with contextlib.suppress(FileNotFoundError):  # two entries at one URL: refused before
            os.unlink(document)
        with contextlib.suppress(OSError):  # a page's folder holding another's: removed below
            os.rmdir(place)
    shutil.rmtree(folder)


class Indexer:
    """One Pagefind service fed the entries; `finish` returns the index's files."""

    def __init__(self):
        self.count = 0
        self._process: subprocess.Popen | None = None
        self._feeder: threading.Thread | None = None
        self._errors: list[str] = []

    def _start(self) -> None:
        """The service starts with the first entry: a site without units has no index (the
        search page then says there is no unit yet) and needs no Pagefind."""
        binary = pagefind_binary()
        if not os.access(binary, os.X_OK):
            binary.chmod(binary.stat().st_mode | 0o111)
        self._process = subprocess.Popen(
            [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin: IO[bytes] = self._process.stdin
        self._stdout: IO[bytes] = self._process.stdout
        self._answers: dict[int, dict] = {}
        self._done = threading.Condition()
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        answer = self._wait(self._send({"type": "NewIndex", "config": {"force_language": "vi"}}))
        self._index = answer["index_id"]

    def add(self, entries: list[Entry]) -> None:
        """Hand the entries over; a thread feeds them to Pagefind while the caller goes on."""
        if not entries:
            return
        if self._process is None:
            self._start()
        self.count += len(entries)
        self._feeder = threading.Thread(target=self._feed, args=(entries,), daemon=True)
        self._feeder.start()

    def _feed(self, entries: list[Entry]) -> None:
        """A batch at a time, each read before the next is written: the service handles messages
        concurrently, and pages added in a varying order give a different (if equivalent) index,
        which would break byte-identical builds."""
        try:
            with tempfile.TemporaryDirectory(prefix="tim-kiem-", dir=_scratch_parent()) as scratch:
                for start in range(0, len(entries), BATCH):
                    batch = os.path.join(scratch, str(start))
                    written = _write_batch(batch, entries[start : start + BATCH])
                    message = {"type": "AddDir", "index_id": self._index, "path": batch, "glob": f"**/{DOCUMENT}"}
                    found = self._wait(self._send(message)).get("page_count")
                    if found != len(written):
                        raise SearchIndexError(f"pagefind đọc {found} trang trong {len(written)} trang của một đợt.")
                    _remove_batch(batch, written)
        except (SearchIndexError, OSError) as exc:
            self._errors.append(str(exc))

    def finish(self) -> dict[str, bytes]:
        """The index's files (path under pagefind/ -> bytes), fetched from the service: its own
        writing may still be under way when it answers, and a file read then is cut short."""
        files: dict[str, bytes] = {}
        try:
            if self.count:
                if self._feeder is not None:
                    self._feeder.join()
                answer = self._wait(self._send({"type": "GetFiles", "index_id": self._index}))
                for item in answer.get("files") or []:
                    path = str(item.get("path", ""))
                    parts = _inner_parts(path)
                    if parts is None:
                        raise SearchIndexError(f"pagefind trả về đường dẫn lạ: {path[:200]}")
                    files["/".join(parts)] = base64.b64decode(item.get("content") or "")
        finally:
            self.close()
        if self._errors:
            raise SearchIndexError(f"pagefind báo lỗi: {self._errors[0][:500]}")
        return files

    def close(self) -> None:
        if self._process is None:
            return
        if self._feeder is not None and self._feeder.is_alive():
            self._process.kill()  # a step failed while entries were still going out
        if self._process.stdin and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except OSError:
                pass
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _send(self, payload: dict) -> int:
        self._next += 1
        message = json.dumps({"message_id": self._next, "payload": payload}, ensure_ascii=False)
        try:
            self._stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
        except OSError as exc:
            raise SearchIndexError(f"pagefind dừng giữa chừng ({exc}).") from exc
        return self._next

    def _wait(self, message_id: int) -> dict:
        self._stdin.flush()
        with self._done:
            while message_id not in self._answers:
                if not self._reader.is_alive():
                    raise SearchIndexError(
                        "pagefind dừng giữa chừng" + (f": {self._errors[0][:500]}" if self._errors else ".")
                    )
                self._done.wait(timeout=1)
            answer = self._answers.pop(message_id)
        if answer.get("type") == "Error":
            raise SearchIndexError(f"pagefind báo lỗi: {str(answer.get('message'))[:500]}")
        return answer

    def _read(self) -> None:
        """Collect the answers (each is taken by the one waiting for it) and the errors."""
        pending: list[bytes] = []  # the start of a message whose end has not come yet
        stream = self._stdout
        while True:
            chunk = stream.read1(65536)  # type: ignore[attr-defined]  # a BufferedReader: returns what is there
            if not chunk:
                break
            # Only the new chunk is searched: the index's files come as one message of megabytes,
            # in pieces, and joining and splitting the whole buffer at each piece is quadratic.
            *ends, rest = chunk.split(b",")
            if not ends:
                pending.append(rest)
                continue
            whole = [b"".join([*pending, ends[0]]), *ends[1:]]
            pending = [rest] if rest else []
            for raw in whole:
                try:
                    answer = json.loads(base64.b64decode(raw))
                except ValueError:
                    continue
                payload = answer.get("payload") or {}
                with self._done:
                    if payload.get("type") == "Error":
                        self._errors.append(str(payload.get("message")))
                    self._answers[answer.get("message_id") or 0] = payload
                    self._done.notify_all()
        with self._done:
            self._done.notify_all()
