"""Evidence PDFs published with the site: copied (hard-linked when possible), sized and hashed.

The site serves the files itself so a link never depends on GitHub; size and SHA-256 let anyone
check that a downloaded file is the one that was scored. Many units upload the same file, so the
hash is computed once per file on disk.

Where: `minh-chung/<period>/<parent>/<unit>/<name>`. No generated page lives under minh-chung/,
so a unit's folder layout (a sub-folder called `index.html`, say) can never take the place of a
page or stop the build. Names are published in NFC, the form the YAML uses, whatever form the
file system stored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from site_builder.evidence import locate

FOLDER = "minh-chung"


def site_path_of(repo_path: str) -> str:
    """submissions/<period>/<parent>/<unit>/<name> -> minh-chung/<period>/<parent>/<unit>/<name>."""
    _, period, parent, unit, rest = unicodedata.normalize("NFC", repo_path).split("/", 4)
    return f"{FOLDER}/{period}/{parent}/{unit}/{rest}"


@dataclass(frozen=True)
class FileFact:
    repo_path: str   # submissions/<period>/<parent>/<unit>/<name>, as the YAML names it
    site_path: str   # minh-chung/<period>/<parent>/<unit>/<name>, relative to the site root
    size: int
    sha256: str
    disk_path: str = ""  # the path on disk when its spelling differs (NFD names)


class EvidenceStore:
    """Collects the evidence files pages refer to; `publish` copies them into the site.

    `cache` (build_cache.BuildCache) remembers digests across builds by the file's stamps, so an
    unchanged PDF is not read again."""

    def __init__(self, root: Path, cache=None):
        self.root = root
        self._root = str(root)
        self.files: dict[str, FileFact] = {}
        self._digests: dict[tuple[int, int], str] = {}
        self._cache = cache

    def add(self, repo_path: str) -> FileFact | None:
        if repo_path in self.files:
            return self.files[repo_path]
        disk_path = repo_path
        source = os.path.join(self._root, repo_path)  # plain strings: pathlib costs 100 µs per file here
        try:
            stat = os.stat(source)
        except OSError:
            parts = repo_path.split("/", 4)  # submissions/<period>/<parent>/<unit>/<name in the unit's folder>
            found = locate(self.root.joinpath(*parts[:4]), parts[4]) if len(parts) == 5 else None
            if found is None:
                return None
            disk_path = "/".join(parts[:4] + [found])
            source = os.path.join(self._root, disk_path)
            try:
                stat = os.stat(source)
            except OSError:
                return None
        key = (stat.st_dev, stat.st_ino)
        digest = self._digests.get(key)
        if digest is None:
            if self._cache is not None:
                digest = self._cache.digest(source)
            else:
                with open(source, "rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
            self._digests[key] = digest
        fact = FileFact(repo_path, site_path_of(repo_path), stat.st_size, digest,
                        disk_path if disk_path != repo_path else "")
        self.files[repo_path] = fact
        return fact

    def publish(self, site: Path, writer=None) -> int:
        """Put every collected file into the site; with `writer` (website/site_writer.py) a file
        already published unchanged is left as it is."""
        if writer is not None:
            for fact in self.files.values():
                writer.link(fact.site_path, os.path.join(self._root, fact.disk_path or fact.repo_path))
            return len(self.files)
        made_dirs: set[Path] = set()
        for fact in self.files.values():
            source = self.root / (fact.disk_path or fact.repo_path)
            target = site / fact.site_path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            if target.exists():
                target.unlink()
            _link(source, target)
        return len(self.files)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
