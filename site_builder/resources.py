"""The files that come with the package, and the one place that knows where they live.

A Department's data repository holds only its data (criteria/, submissions/) and, if it wants,
its own schema/, mkdocs.yml and docs/; whatever it leaves out comes from here: the base JSON
Schemas, the default site configuration and hand-written pages, the page templates and theme
overrides, the catalogues and workflows `site-builder init` starts a repository from, and the
signers' keys shipped with the tool.

`site_builder/bundled/` holds symbolic links to this project's own top-level `schema/`,
`mkdocs.yml`, `docs/`, `criteria/` and `.github/workflows/` (which stay where the repository's
layout puts them): one copy in git, and setuptools copies the files they point to into the wheel
and the sdist. Everything is reached through `importlib.resources`, so an installed package reads
its own files, never a source tree beside it.
"""

from __future__ import annotations

import atexit
import functools
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

_extracted = ExitStack()  # keeps extracted copies (a package imported from a zip file) until exit
atexit.register(_extracted.close)


@functools.cache
def _path(*parts: str) -> Path:
    """A real file-system path to a packaged file or folder (the package itself when installed as
    files, the usual case; an extracted copy otherwise)."""
    return _extracted.enter_context(as_file(files("site_builder").joinpath(*parts)))


def schema_dir() -> Path:
    """The base JSON Schemas (`*.schema.json`), used when a data repository has no schema/ of its own."""
    return _path("bundled", "schema")


def schema_file(name: str) -> Path:
    return schema_dir() / name


def mkdocs_config() -> Path:
    """The default mkdocs.yml of the public site."""
    return _path("bundled", "mkdocs.yml")


def docs_dir() -> Path:
    """The default hand-written pages of the public site (docs/)."""
    return _path("bundled", "docs")


def criteria_dir() -> Path:
    """The catalogues that come with the package (one folder per period): what `init` copies."""
    return _path("bundled", "criteria")


def workflows_dir() -> Path:
    """This project's GitHub workflows, which `init` adapts for a data repository."""
    return _path("bundled", "workflows")


def templates_dir() -> Path:
    """The Jinja2 page templates of the generated pages."""
    return _path("website", "templates")


def overrides_dir() -> Path:
    """The mkdocs-material theme overrides (`custom_dir`)."""
    return _path("website", "overrides")


def key_file(name: str) -> Path:
    """A signer's public key shipped with the package (`keys/<name>.asc`; it may not exist)."""
    return _path("keys") / f"{name}.asc"
