"""One commit's files, read straight from git objects: `ls-tree` says what is there (mode, object
id, size), `cat-file --batch` gives the bytes.

Never `git archive` or a checkout: both apply the tree's own `.gitattributes` (`export-ignore`
hid a unit's files from the pull-request report; `export-subst` and end-of-line rules rewrite
bytes), so what is checked would not be what is merged. Paths are taken as git stores them and
written only below the target folder; a name git itself would refuse to check out (`..`, `.git`,
an empty component) is reported, never written.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_builder import gitread

REGULAR_MODES = ("100644", "100755")
# Bigger blobs are written as sparse files of the same size: every check that reads a file looks at
# its size first (YAML 1 MB, PDF 10 MB, registry 30 MB), so the verdict is the same without the bytes.
SPARSE_FROM = 64 * 1024 * 1024
_ENTRY = re.compile(rb"([0-7]{6}) ([a-z]+) ([0-9a-f]{40}|[0-9a-f]{64}) +(-|[0-9]+)\t(.+)", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    path: str  # repository-relative POSIX path (undecodable bytes kept as surrogates)
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (submodule)
    oid: str
    size: int  # -1 for a submodule

    @property
    def regular(self) -> bool:
        return self.mode in REGULAR_MODES


class CommitFiles:
    """The files of one commit; `reader` is a shared `gitread.BlobReader` of the repository."""

    def __init__(self, repo: gitread.Repository, commit: str, reader: gitread.BlobReader):
        self.repo, self.commit, self.reader = repo, commit, reader

    def list(self, paths) -> dict[str, Entry]:
        """Every file (recursively) at or under each of `paths` (a folder is given without a
        trailing slash or with one; missing paths are simply absent from the answer)."""
        wanted = sorted({p.rstrip("/") for p in paths if p.strip("/")})
        found: dict[str, Entry] = {}
        for start in range(0, len(wanted), 1000):  # keep command lines short
            chunk = [os.fsencode(p) for p in wanted[start : start + 1000]]
            out = gitread.run(self.repo.top, "ls-tree", "-r", "-l", "-z", "--full-tree", self.commit, "--", *chunk)
            for raw in out.split(b"\0"):
                if not raw:
                    continue
                match = _ENTRY.fullmatch(raw)
                if match is None:
                    raise gitread.GitError(f"unexpected ls-tree entry {raw[:200]!r}")
                path = os.fsdecode(match[5])
                size = -1 if match[4] == b"-" else int(match[4])
                found[path] = Entry(path, match[1].decode(), match[3].decode(), size)
        return found

    def write(
        self, entries, target: Path, stand_in: Callable[[Entry], Path | None] | None = None
    ) -> builtins.list[Entry]:  # `list` is a method here
        """Write the regular files among `entries` below `target`; return those not written (links,
        submodules, names that are not safe paths): the caller says what is wrong with them.
        `stand_in(entry)` may name a file to link there instead of the blob (a PDF the base branch
        already has at that path: its verdict is the base's, its bytes need not be read)."""
        refused, wanted = [], []
        for entry in entries:
            if not entry.regular or not safe_path(entry.path):
                refused.append(entry)
                continue
            file = target / entry.path
            file.parent.mkdir(parents=True, exist_ok=True)
            other = stand_in(entry) if stand_in is not None else None
            if other is not None:
                try:
                    os.link(other, file)
                except OSError:
                    shutil.copyfile(other, file)
            elif entry.size >= SPARSE_FROM:
                with open(file, "wb") as handle:
                    handle.truncate(entry.size)
            else:
                wanted.append(entry)
        for start in range(0, len(wanted), 2000):
            chunk = wanted[start : start + 2000]
            blobs = self.read_many({e.oid for e in chunk})
            for entry in chunk:
                (target / entry.path).write_bytes(blobs[entry.oid])
        return refused

    def read_many(self, oids) -> dict[str, bytes]:
        """The bytes of many blobs through one `cat-file --batch` (one process, not one per file)."""
        oids = sorted(oids)
        if len(oids) <= 3:
            return {oid: self.reader.read(oid) for oid in oids}
        out = gitread.run(self.repo.top, "cat-file", "--batch", stdin=b"".join(o.encode() + b"\n" for o in oids))
        blobs, position = {}, 0
        for oid in oids:
            newline = out.find(b"\n", position)
            header = out[position:newline].split(b" ") if newline >= 0 else []
            if len(header) != 3 or header[0] != oid.encode() or header[1] != b"blob" or not header[2].isdigit():
                raise gitread.GitError(f"unexpected cat-file header {out[position : position + 200]!r}")
            start = newline + 1
            stop = start + int(header[2])
            if out[stop : stop + 1] != b"\n":
                raise gitread.GitError("cat-file output cut short")
            blobs[oid] = out[start:stop]
            position = stop + 1
        return blobs


def safe_path(path: str) -> bool:
    """A relative path of plain names (what git checks out): no `..`, `.`, empty or `.git` part."""
    parts = path.split("/")
    return (
        not PurePosixPath(path).is_absolute()
        and all(parts)
        and not any(p in (".", "..") or p.lower() == ".git" for p in parts)
        and "\0" not in path
    )
