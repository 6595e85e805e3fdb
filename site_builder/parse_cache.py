"""Parsed YAML files kept across runs by content hash, so a large repository is parsed once.

A full run reads ~30,000 unit files and 600 registry files; parsing them (libyaml, then values,
positions and YAML-trap checks in Python) is most of its time, and the result depends only on
the bytes (the SHA-256 of the content, what a git blob id also names) and on the parser: the
rules key digests yamlfile.py, messages.py and PyYAML's version, so a change of either starts a
new, empty folder. Stored in the PDF verdict cache's folder (verdict_cache.folder(): the user's
cache, outside the data folder, for local and published runs; none for the pull-request report
unless it is given a trusted one), as `<folder>/yaml-<rules>/<sha256[:2]>/<sha256>.pickle` (they
were JSON: reading 19,500 back, their positions' tuples rebuilt, cost ~3 CPU-s); the positions are
pickled apart inside it, read only when a message needs a line. Anyone who can write that folder
can make a file read as something else, exactly as for PDF verdicts.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from site_builder import verdict_cache
from site_builder.cache_files import UNPICKLABLE, UNREADABLE_PICKLE, write_atomically
from site_builder.problems import Problem

# Below this, parsing costs about what reading the answer does. Measured: a 0.7 KB review parses in
# 0.26 ms and comes from the cache in 0.08; a 1.8 KB submission in 0.45 and 0.11; storing an answer
# costs 0.2-0.3 ms once (a site is built again after every merge).
MIN_BYTES = 256


@lru_cache(maxsize=1)
def _rules() -> str:
    import yaml

    here = Path(__file__).resolve().parent
    sources = [(here / name).read_bytes() for name in ("yamlfile.py", "messages.py", "parse_cache.py")]
    return hashlib.sha256(b"\0".join(sources + [yaml.__version__.encode()])).hexdigest()[:16]


def _file(raw: bytes) -> str | None:
    folder = verdict_cache.folder()
    if folder is None or len(raw) < MIN_BYTES:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    return os.path.join(folder, f"yaml-{_rules()}", digest[:2], f"{digest}.pickle")


def get(raw: bytes, doc) -> bool:
    """Fill `doc` (a fresh YamlDocument) from the cache; False when there is no usable entry. Its
    positions stay pickled until a message needs one (YamlDocument.packed)."""
    file = _file(raw)
    if file is None:
        return False
    try:
        with open(file, "rb") as handle:
            data, tables, rows = pickle.load(handle)
        if not isinstance(tables, bytes):
            return False
        problems = [Problem(doc.path, *row) for row in rows]
    except (OSError, *UNREADABLE_PICKLE):
        return False
    doc.data, doc.problems = data, problems
    doc.packed(tables, raw)
    return True


def put(raw: bytes, doc) -> None:
    file = _file(raw)
    if file is None:
        return
    rows = [(p.line, p.column, p.subject, p.message, p.fix, p.code, p.severity, p.field) for p in doc.problems]
    try:
        tables = pickle.dumps((doc.positions, doc.key_positions), protocol=pickle.HIGHEST_PROTOCOL)
        pickled = pickle.dumps((doc.data, tables, rows), protocol=pickle.HIGHEST_PROTOCOL)
    except UNPICKLABLE:
        return
    write_atomically(Path(file), pickled)
