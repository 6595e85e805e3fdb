"""A cache's files: written so that a reader never sees half of one, deleted without fuss."""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from pathlib import Path
from types import ModuleType

# What reading back a damaged, cut or stale pickle of a cache can raise: such a file only makes
# the build slower (what it held is made again), never stops it.
UNREADABLE_PICKLE = (
    pickle.UnpicklingError,
    ValueError,
    TypeError,
    EOFError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
)
# What pickling a value for a cache can raise (a lambda, an open file, a local class in it): the
# value is then not kept, and made again next time.
UNPICKLABLE = (pickle.PicklingError, TypeError, AttributeError)


def user_cache(name: str) -> Path:
    """$XDG_CACHE_HOME/site-builder/<name> (~/.cache by default): outside every data folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "site-builder" / name


def read_table(path: Path | None) -> dict:
    """The dict pickled in `path` (a cache's table, written whole by `write_atomically`); {} when
    there is no such file, or it cannot be read or holds something else."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            loaded = pickle.load(handle)
    except (OSError, *UNREADABLE_PICKLE):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def write_atomically(path: Path, data: bytes) -> bool:
    """Write under a temporary name, then rename; False when it could not be written (no error:
    a cache that cannot be written only makes the next build slower)."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
    try:
        try:
            handle = open(temporary, "wb")
        except FileNotFoundError:  # its folder is made only when missing: two system calls fewer a file
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(temporary, "wb")
        with handle:
            handle.write(data)
        os.replace(temporary, path)
        return True
    except OSError:
        remove_quietly(temporary)
        return False


def remove_quietly(path: str | Path) -> None:
    """Delete a cache's file; one already gone or that cannot be deleted is no error."""
    try:
        os.unlink(path)
    except OSError:
        pass


def sources_digest(*modules: ModuleType):
    """A SHA-256 (to update further) of the source files of `modules`: the code an output kept
    by a cache is made by, so that a change to it makes the output again."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest
