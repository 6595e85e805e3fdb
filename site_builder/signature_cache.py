"""Signature verdicts kept between runs: commit id -> signature creation time, or None (refused).

A commit id names its exact bytes, signature included, so a verdict never goes stale for the same
trusted certificates; the file is therefore named by the digest of that exact certificate set (and
of the verifying library's version), and a file for another set is never read. A file that is
unreadable, malformed or for another set is ignored, never trusted. Whoever can write the cache
folder can vouch for times: give it only to trusted builds (not to pull-request runs).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

_FORMAT = 1
_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_TIME = 2**32 - 1  # OpenPGP signature times are 32-bit


def _file(cache_dir: Path, digest: str) -> Path:
    return Path(cache_dir) / f"signatures-{digest[:32]}.json"


def load(cache_dir: Path, digest: str) -> dict[str, int | None]:
    """The verdicts stored for this certificate set; {} when there is no usable file."""
    try:
        data = json.loads(_file(cache_dir, digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("signers") != digest:
        return {}
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, dict):
        return {}
    for sha, time in verdicts.items():
        if not _ID.fullmatch(sha) or not (time is None or (type(time) is int and 0 <= time <= _MAX_TIME)):
            return {}
    return verdicts


def save(cache_dir: Path, digest: str, verdicts: dict[str, int | None]) -> None:
    """Replace the file atomically; a cache that cannot be written is simply not kept."""
    target = _file(cache_dir, digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".signatures-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(
                    {"format": _FORMAT, "signers": digest, "verdicts": verdicts},
                    out,
                    sort_keys=True,
                    separators=(",", ":"),
                )
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
