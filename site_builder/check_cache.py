"""The verdict on one unit file (its record and its problems), and on a period's registry, kept by
the site build's cache.

A full validation of a national repository checks ~15,000 submissions and their evidence every
build, although a rebuild usually follows a change to one of them. A verdict depends only on
what the key below digests: the file's bytes; for a review, the submission's bytes; the unit's
registry entries; the names and contents of the files in the unit's evidence folder; the
registry files of the period; criteria/, schema/ and the organisation file; the package's code and
the versions of the parsers it uses. Contents, not file stamps: a fresh checkout of the same data
gets the same keys, so the verdicts a publishing run keeps serve the next one (publish.yml).

A period's registry (its ~600 files at national scale, a fifth of validating an unchanged
repository) is kept the same way, keyed by every registry file, the organisation file, criteria/,
schema/ and the code.

Not the day: no check of a unit file depends on it (tests/test_check_cache.py keeps it so; a rule
that came to depend on it would have to be digested here). A build keeps only the verdicts it
looked up (build_cache.py), so one build's worth is kept whatever the days between builds.

Only the site build uses it (build_cache.current() is set by build_site before validating): the
pull-request report and `site-builder validate` always check afresh. The cache lives outside the
data folder, so a pull request cannot plant a verdict.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from functools import lru_cache
from pathlib import Path

from site_builder import build_cache
from site_builder.cache_files import UNPICKLABLE
from site_builder.paths import submission_path


def lookup(root, role, rel: str, unit, elsewhere, others, submission_exists: bool):
    """(key, stored verdict or None); key None when there is no cache."""
    cache = build_cache.current()
    if cache is None:
        return None, None
    try:
        key = _key(root, role, rel, unit, elsewhere, others, submission_exists)
    except (OSError, *UNPICKLABLE):
        return None, None
    return key, cache.check(key)


def stored(keys: list[str]) -> list:
    """The verdict kept under each key known already (kept_keys.py), or None."""
    cache = build_cache.current()
    return cache.checks(keys) if cache is not None else [None] * len(keys)


def period_registry(root, organization, period: str):
    """`registry.load_period_registry(root, organization, period)`, reused from the last build
    when none of what it reads changed (the organisation is in `shared_digest`)."""
    from site_builder.registry import load_period_registry

    cache = build_cache.current()
    if cache is None:
        return load_period_registry(root, organization, period)
    base = str(Path(root.path))
    try:
        key = hashlib.sha256(b"registry\0" + shared_digest(base) + period_digest(base, period)).hexdigest()
    except OSError:
        return load_period_registry(root, organization, period)
    found = cache.check(key)
    if found is None:
        found = load_period_registry(root, organization, period)
        cache.put_check(key, found)
    return found


def store(key: str | None, verdict) -> None:
    cache = build_cache.current()
    if key is not None and cache is not None:
        cache.put_check(key, verdict)


def _key(root, role, rel: str, unit, elsewhere, others, submission_exists: bool) -> str:
    path = Path(root.path)
    digest = hashlib.sha256(shared_digest(str(path)) + period_digest(str(path), role.period))
    digest.update(
        pickle.dumps(
            (
                role.kind,
                role.period,
                role.parent,
                role.unit,
                rel,
                repr(unit),
                repr(elsewhere),
                tuple(others),
                submission_exists,
            ),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    )
    base = str(path)
    digest.update(_remembered(f"{base}/{rel}", _file_digest))  # a submission is also read for its review
    body = f"{base}/{submission_path(role.period, role.parent, role.unit)}"
    if role.kind != "submission":
        digest.update(_remembered(body, _file_digest))
    digest.update(_remembered(body[: -len(".yaml")], _folder_contents))  # the evidence folder, beside the submission
    return digest.hexdigest()


# A unit's evidence folder and submission enter the keys of its submission, its review and its
# report folder: within one lookup batch (`begin`) each is read once.
_SEEN: dict[tuple, bytes] = {}


def begin() -> None:
    """A new batch of lookups: files may have changed since the last one."""
    _SEEN.clear()
    shared_digest.cache_clear()
    period_digest.cache_clear()
    _registry_digest.cache_clear()


def digest_read(path: str) -> str | None:
    """The SHA-256 (hex) of the file at `path` as this run's keys read it, or None when they did
    not: a unit's facts print its submission's, which is then not read a second time."""
    found = _SEEN.get((path, _file_digest))
    return found.hex() if found is not None and found != b"-" else None


def _remembered(path: str, read) -> bytes:
    key = (path, read)
    found = _SEEN.get(key)
    if found is None:
        found = _SEEN[key] = read(path)
    return found


def _folder_contents(folder: str) -> bytes:
    """Path, type and content of every entry under `folder`: a file by its SHA-256 (the build
    cache's digests: a file whose stamps did not change is not read again), a symbolic link by
    where it points. Not permissions or times, which a checkout sets."""
    digest = hashlib.sha256()
    _digest_entries(folder, ".", digest, build_cache.current())
    return digest.digest()


def _digest_entries(folder: str, where: str, digest, cache) -> None:
    """`folder`'s entries into `digest`, by name, each subfolder's after its own folder's (`where`:
    its path under the unit's folder, "." for that folder). A link to a folder is an entry, never
    followed. Read with os.scandir, which tells links and folders apart without asking the file
    system again: os.walk and a check for links took 0.70 instead of 0.48 CPU-s for 13,500 units'
    folders."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    below = []
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            below.append(entry)
            continue
        info = entry.stat(follow_symlinks=False)
        kind = stat.S_IFMT(info.st_mode)
        if kind == stat.S_IFLNK:
            content = "->" + os.readlink(entry.path)
        elif kind == stat.S_IFREG:
            content = cache.digest(entry.path, info) if cache is not None else _file_digest(entry.path).hex()
        else:
            content = "-"
        digest.update(f"{where}/{entry.name}\0{kind}\0{content}\n".encode("utf-8", "surrogateescape"))
    for entry in below:
        _digest_entries(entry.path, entry.name if where == "." else f"{where}/{entry.name}", digest, cache)


def _file_digest(path: Path | str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).digest()
    except OSError:
        return b"-"


@lru_cache(maxsize=4)
def shared_digest(root: str) -> bytes:
    """Everything every verdict of this run depends on alike (computed once per batch, `begin`)."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for name in ("pypdf", "PyYAML", "jsonschema", "jsonschema-rs"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    package = Path(__file__).resolve().parent
    folders = [package, Path(root) / "criteria", Path(root) / "schema"]
    for folder in folders:
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    digest.update(_file_digest(Path(root) / "submissions" / "organization.yaml"))
    return digest.digest()


@lru_cache(maxsize=64)
def period_digest(root: str, period: str) -> bytes:
    """The period's registry files (who may review, which units exist)."""
    return hashlib.sha256(period.encode() + b"\0" + _registry_digest(root)).digest()


@lru_cache(maxsize=8)
def _registry_digest(root: str) -> bytes:
    """Every registry file: read once per batch, though the keys of several periods (and of the
    last build's keys, kept_keys.py) digest them (600 files at 15,000 units)."""
    digest = hashlib.sha256()
    folder = Path(root) / "submissions" / "units"
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.digest()
