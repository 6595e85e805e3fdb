"""The checks' keys of the last build, reused for the units no commit has touched since.

Keying a unit file (check_cache.py) reads it, walks its unit's evidence folder and digests every
entry: most of what a rebuild at 15,000 units spends validating, although a rebuild usually
follows a commit that changed one unit. In a clean git checkout git already knows what changed.
The build keeps the keys it computed with the tree of submissions/ they were computed from; the
next build takes a unit file's key from there unless `git diff-tree` names a path of its unit
(its self-assessment, its reviewer scores, anything under its folder), and computes the others.

Only a clean checkout qualifies: `git status` names no modified, staged, untracked or ignored file
under submissions/, so the files on disk are the tree's (folder_stamps.py spares listing the
folders none of which changed since the last build). What a key digests beside the unit's
files (the code, criteria/, schema/, the organisation file, the registry files) is what the kept
keys are kept under: when any of it changed, no key is reused. A key reused is the key the
checks would compute, so a verdict found under it is the one they would find. For the same
reasons the walk of a reviewing body's folder no commit touched is kept with them
(validate.BodyWalk): the folder holds what it held then.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from site_builder import check_cache, folder_stamps, gitread
from site_builder.cache_files import UNREADABLE_PICKLE
from site_builder.paths import REVIEW_SUFFIX, SUBMISSIONS

KIND = "unit-file-keys"  # the build cache's blobs of this kind: one, under the digest of what else keys digest
STAMPS_KIND, STAMPS_NAME = "folder-stamps", "submissions"  # the blob of folder_stamps.py's stamps


@dataclass
class KeptKeys:
    tree: str | None = None  # submissions/ at HEAD, when the checkout is clean (else nothing is reused or kept)
    keys: dict[str, str] = field(default_factory=dict)  # a unit file's path -> its key in the last build
    touched: set[tuple[str, str, str]] = field(default_factory=set)  # (period, body, unit) changed since
    walks: dict = field(default_factory=dict)  # (period, body) -> what walking its folder found (validate.BodyWalk)

    def get(self, role, rel: str) -> str | None:
        """The kept key of the unit file (or report folder) `rel` of `role`, or None."""
        if (role.period, role.parent, role.unit) in self.touched:
            return None
        return self.keys.get(rel)

    def walk(self, period: str, body: str):
        """What walking the body's folder found in the last build, when no commit touched it since;
        else None."""
        if (period, body) in self._touched_bodies:
            return None
        return self.walks.get((period, body))

    @cached_property
    def _touched_bodies(self) -> set[tuple[str, str]]:
        return {(period, body) for period, body, _unit in self.touched}


def read(root: Path, cache) -> KeptKeys:
    """What the last build's keys say of this checkout (`cache`: build_cache.BuildCache). Read
    after check_cache.begin(), as validation does: the digests it caches are then this run's."""
    try:
        repo = gitread.open_repository(root)
    except gitread.GitError:
        return KeptKeys()
    tree = _clean_tree(repo, cache)
    if tree is None:
        return KeptKeys()
    data = cache.blob(KIND, _base(root))
    try:
        old_tree, keys, walks = pickle.loads(data) if data is not None else (None, None, None)
    except UNREADABLE_PICKLE:  # ValueError and TypeError included: not three values
        old_tree, keys, walks = None, None, None
    if not isinstance(keys, dict) or not isinstance(old_tree, str) or not isinstance(walks, dict):
        return KeptKeys(tree)
    touched = _touched(repo, old_tree, tree) if old_tree != tree else set()
    return KeptKeys(tree, keys, touched, walks) if touched is not None else KeptKeys(tree)


def keep(root: Path, cache, kept: KeptKeys, keys: dict[str, str], walks: dict) -> None:
    """Keep this build's keys (`keys`: path -> key) and its walks of the bodies' folders with the
    tree they were made from."""
    if kept.tree is not None:
        cache.put_blob(KIND, _base(root), pickle.dumps((kept.tree, keys, walks), protocol=pickle.HIGHEST_PROTOCOL))


def _base(root: Path) -> str:
    """What every unit file's key digests beside its unit's files (check_cache.py)."""
    base = str(Path(root))
    return hashlib.sha256(check_cache.shared_digest(base) + check_cache.period_digest(base, "")).hexdigest()


def _clean_tree(repo: gitread.Repository, cache) -> str | None:
    """The tree of submissions/ at HEAD when the checkout holds exactly it; None otherwise. Keeps
    the folders' stamps (folder_stamps.py) in `cache` for the next build when they were taken
    while it was clean (stamps kept from an earlier clean moment stay valid: every folder changed
    since is listed again)."""
    folder = os.fsdecode(repo.prefix + SUBMISSIONS.encode())
    tree = gitread.tree_id(repo, folder.encode())
    kept = _kept_stamps(cache.blob(STAMPS_KIND, STAMPS_NAME))
    try:
        clean, stamps = folder_stamps.untracked_free(repo, folder, tree, kept)
    except gitread.GitError:
        return None
    if stamps is not None and stamps is not kept:  # else those kept stay: still taken when it was clean
        cache.put_blob(STAMPS_KIND, STAMPS_NAME, pickle.dumps(tuple(stamps), protocol=pickle.HIGHEST_PROTOCOL))
    return tree if clean else None


def _kept_stamps(data: bytes | None) -> folder_stamps.Kept | None:
    try:
        tree, stamps = pickle.loads(data) if data is not None else (None, None)
    except UNREADABLE_PICKLE:  # ValueError and TypeError included: not two values
        return None
    return folder_stamps.Kept(tree, stamps) if isinstance(tree, str) and isinstance(stamps, dict) else None


def _touched(repo: gitread.Repository, old: str, new: str) -> set[tuple[str, str, str]] | None:
    """(period, body, unit) of every unit a path changed between the trees `old` and `new` of
    submissions/ belongs to; None when git cannot compare them (the old tree is gone)."""
    try:
        changed = gitread.tree_changes(repo, old, new)
    except gitread.GitError:
        return None
    touched = set()
    for change in changed:
        parts = os.fsdecode(change.path).split("/")
        if len(parts) >= 3:
            touched.add((parts[0], parts[1], _unit_of(parts[2], last=len(parts) == 3)))
    return touched


def _unit_of(name: str, last: bool) -> str:
    """The unit a body folder's entry belongs to: `<unit>.yaml`, `<unit>.review.yaml`, `<unit>/…`."""
    if last and name.endswith(REVIEW_SUFFIX):
        return name[: -len(REVIEW_SUFFIX)]
    if last and name.endswith(".yaml"):
        return name[: -len(".yaml")]
    return name
