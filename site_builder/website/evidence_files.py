"""Evidence PDFs published with the site: copied (hard-linked when possible), sized and hashed.

The site serves the files itself so a link never depends on GitHub; size and SHA-256 let anyone
check that a downloaded file is the one that was scored. Many units upload the same file, so the
hash is computed once per file on disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path



def site_path_of(repo_path: str) -> str:
    """submissions/<period>/<parent>/<unit>/<name> -> <period>/don-vi/<unit>/<name>: next to the
    unit's page, so the page links it by its own name (short links keep pages small)."""
    _, period, _parent, unit, rest = repo_path.split("/", 4)
    return f"{period}/don-vi/{unit}/{rest}"


@dataclass(frozen=True)
class FileFact:
    repo_path: str   # submissions/<period>/<parent>/<unit>/<name>
    site_path: str   # <period>/don-vi/<unit>/<name>, relative to the site root
    size: int
    sha256: str


class EvidenceStore:
    """Collects the evidence files pages refer to; `publish` copies them into the site."""

    def __init__(self, root: Path):
        self.root = root
        self._root = str(root)
        self.files: dict[str, FileFact] = {}
        self._digests: dict[tuple[int, int], str] = {}

    def add(self, repo_path: str) -> FileFact | None:
        if repo_path in self.files:
            return self.files[repo_path]
        source = os.path.join(self._root, repo_path)  # plain strings: pathlib costs 100 µs per file here
        try:
            stat = os.stat(source)
        except OSError:
            return None
        key = (stat.st_dev, stat.st_ino)
        digest = self._digests.get(key)
        if digest is None:
            with open(source, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            self._digests[key] = digest
        site_path = site_path_of(repo_path)
        fact = FileFact(repo_path, site_path, stat.st_size, digest)
        self.files[repo_path] = fact
        return fact

    def publish(self, site: Path) -> int:
        made_dirs: set[Path] = set()
        for fact in self.files.values():
            target = site / fact.site_path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            if target.exists():
                target.unlink()
            try:
                os.link(self.root / fact.repo_path, target)
            except OSError:
                shutil.copyfile(self.root / fact.repo_path, target)
        return len(self.files)
