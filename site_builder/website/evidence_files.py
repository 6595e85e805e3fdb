"""Evidence PDFs published with the site: copied (hard-linked when possible), sized and hashed.

The site serves the files itself so a link never depends on GitHub; size and SHA-256 let anyone
check that a downloaded file is the one that was scored. Many units upload the same file, so the
hash is computed once per file on disk.

With `evidence: link` in organization.yaml nothing is copied: pages and downloads link each file
on GitHub at a commit holding the bytes the site was built from (`PinnedSource`; the unit's data
version, which the unit page names, else the data commit), so a Department whose
PDFs outgrow the host's 1 GB still publishes; sizes and hashes are computed the same way. The
blob page (github.com/<owner>/<repo>/blob/<sha>/<path>) is linked rather than
raw.githubusercontent.com: it shows the PDF in the browser with a download button, also on a
phone, and it serves files kept in Git LFS, where the raw address returns the LFS pointer.

Where (copy mode): `minh-chung/<period>/<parent>/<unit>/<name>`. No generated page lives under minh-chung/,
so a unit's folder layout (a sub-folder called `index.html`, say) can never take the place of a
page or stop the build. Names are published in NFC, the form the YAML uses, whatever form the
file system stored.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from site_builder.build_cache import file_sha256
from site_builder.evidence import locate
from site_builder.paths import SUBMISSIONS

FOLDER = "minh-chung"
COPY, LINK = "copy", "link"


def site_path_of(repo_path: str) -> str:
    """submissions/<period>/<parent>/<unit>/<name> -> minh-chung/<period>/<parent>/<unit>/<name>."""
    _, period, parent, unit, rest = unicodedata.normalize("NFC", repo_path).split("/", 4)
    return f"{FOLDER}/{period}/{parent}/{unit}/{rest}"


@dataclass(frozen=True)
class FileFact:
    repo_path: str  # submissions/<period>/<parent>/<unit>/<name>, as the YAML names it
    site_path: str  # minh-chung/<period>/<parent>/<unit>/<name>, relative to the site root
    size: int
    sha256: str
    disk_path: str = ""  # the path on disk when its spelling differs (NFD names)


class EvidenceLinkError(Exception):
    """Link mode cannot give every file a lasting address; `str()` is the Vietnamese message."""


@dataclass(frozen=True)
class PinnedSource:
    """Where link mode points: a GitHub repository at one commit (never a branch, which moves)."""

    repository: str  # https://github.com/<owner>/<repo>
    commit: str
    prefix: str = ""  # the data root's folder inside the repository ("" at its top)

    def url(self, path: str, commit: str | None = None) -> str:
        full = self.prefix + path
        if not _URL_SAFE.fullmatch(full):  # most paths need no escaping: quote() costs 50 µs
            full = quote(full, safe="/")
        return f"{self.repository}/blob/{commit or self.commit}/{full}"


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def pinned_source(root: Path, mode: str, repository: str, commit: str) -> PinnedSource | None:
    """None in copy mode; in link mode the repository and commit, or EvidenceLinkError when either is
    missing (links to nowhere must never be published)."""
    if mode != LINK:
        return None
    if not repository:
        raise EvidenceLinkError(
            "Không xây dựng trang: organization.yaml đặt `evidence: link` (minh chứng dẫn tới "
            "GitHub) nhưng chưa khai báo `repository` (địa chỉ kho, ví dụ "
            "https://github.com/so-gddt/danh-gia-cntt). Hãy thêm `repository`, hoặc đặt "
            "`evidence: copy` để chép minh chứng vào trang."
        )
    if not commit:
        raise EvidenceLinkError(
            "Không xây dựng trang: `evidence: link` cần dữ liệu nằm trong một kho git đã có "
            "commit (liên kết minh chứng gắn với commit đó), nhưng thư mục dữ liệu không phải kho "
            "git hoặc chưa có commit. Hãy xây dựng từ bản sao của kho (git clone), hoặc đặt "
            "`evidence: copy`."
        )
    from site_builder import gitread

    try:
        prefix = gitread.open_repository(root).prefix.decode("utf-8", "surrogateescape")
    except gitread.GitError:
        prefix = ""
    return PinnedSource(repository.rstrip("/"), commit, prefix)


class EvidenceStore:
    """Collects the evidence files pages refer to; `publish` copies them into the site (copy mode)
    or checks that the pinned commit holds each of them (link mode).

    `cache` (build_cache.BuildCache) remembers digests across builds by the file's stamps, so an
    unchanged PDF is not read again."""

    def __init__(self, root: Path, pinned: PinnedSource | None = None, cache=None):
        self.root = root
        self.pinned = pinned
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
            digest = self._cache.digest(source, stat) if self._cache is not None else file_sha256(source)
            self._digests[key] = digest
        fact = FileFact(
            repo_path, site_path_of(repo_path), stat.st_size, digest, disk_path if disk_path != repo_path else ""
        )
        self.files[repo_path] = fact
        return fact

    def keep(self, fact: FileFact) -> None:
        """A file a unit's kept facts name (website/fact_cache.py): what `add` found for it in
        the last build, its folder unchanged since."""
        self.files.setdefault(fact.repo_path, fact)

    def href(self, fact: FileFact, commit: str | None = None) -> str:
        """Site-relative path (copy mode) or the file's address on GitHub at the pinned commit, or
        at `commit`: the unit's data version (clock.Clock.data_version), where the file already
        holds the bytes it holds at the pinned one, so the link stays the same while other units
        change."""
        if self.pinned is None:
            return fact.site_path
        return self.pinned.url(fact.disk_path or fact.repo_path, commit)

    def publish(
        self, site: Path, writer=None, committed: Collection[str] | None = None, clean: str | None = None
    ) -> int:
        """The number of files put into the site (0 in link mode, after checking the links); with
        `writer` (website/site_writer.py) a file already published unchanged is left as it is.
        `committed`: the files under submissions/ at the pinned commit (data-root paths), when the
        caller has listed them already (the clock lists HEAD's). `clean`: the tree of submissions/
        validation found the checkout holding exactly (model.Dataset.clean_submissions)."""
        if self.pinned is not None:
            self._check_pinned(self.pinned, committed, clean)
            return 0
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

    def _check_pinned(self, pinned: PinnedSource, committed: Collection[str] | None, clean: str | None) -> None:
        """Every linked file must be at the pinned commit with the bytes that were hashed: a file
        not committed, or changed since, would show a size and SHA-256 the link does not serve.
        When validation found the checkout holding exactly the pinned commit's submissions/
        (`clean`, its tree), every file there is that commit's: asking git again (`git status`
        reads every file's times, 0.17 CPU-s at 15,000 units) would find nothing."""
        from site_builder import gitread

        if not self.files:
            return
        try:
            repo = gitread.open_repository(self.root, pinned.commit)
            folder = repo.prefix + SUBMISSIONS.encode()  # from the repository's top
            if clean is not None and gitread.tree_id(repo, folder) == clean:
                return
            if committed is None:
                listed = gitread.tree_at_head(repo, folder + b"/")
                committed = {os.fsdecode(path[len(repo.prefix) :]) for path in listed}
            changed = gitread.run(
                repo.top,
                "-c",
                "core.trustctime=false",  # a copy-mode site hard-links the PDFs, which moves their ctime:
                # git would hash every file again on each build (it may not refresh its index here)
                "status",
                "--porcelain",
                "-z",
                "--no-renames",
                "--untracked-files=no",
                "--",
                (folder + b"/").decode("utf-8", "surrogateescape"),
            )
        except gitread.GitError as exc:
            raise EvidenceLinkError(
                f"Không xây dựng trang: không đọc được kho git để tạo liên kết minh chứng ({exc}). "
                "Hãy xây dựng từ bản sao của kho (git clone), hoặc đặt `evidence: copy`."
            ) from exc
        dirty = {entry[3:] for entry in changed.split(b"\0") if len(entry) > 3}
        wrong = []
        for fact in self.files.values():
            rel = fact.disk_path or fact.repo_path
            if rel not in committed:
                wrong.append(f"{fact.repo_path} (chưa có trong commit)")
            elif repo.prefix + os.fsencode(rel) in dirty:
                wrong.append(f"{fact.repo_path} (đã sửa sau commit)")
        if wrong:
            more = f" và {len(wrong) - 5} tệp khác" if len(wrong) > 5 else ""
            raise EvidenceLinkError(
                f"Không xây dựng trang: với `evidence: link`, {len(wrong)} tệp minh chứng không "
                f"khớp commit {pinned.commit[:7]} nên liên kết sẽ hỏng hoặc sai: "
                f"{'; '.join(wrong[:5])}{more}. Hãy commit các tệp này rồi xây dựng lại."
            )


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
