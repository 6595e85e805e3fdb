"""Files of the project's source tree that the package reads but that live beside it, not inside it.

`schema/`, `mkdocs.yml`, `docs/`, the bundled `criteria/` and `.github/workflows/` sit next to
`site_builder/` in the source tree. A package installed from a wheel has none of them. Commands
that copy them into a new data repository read them through `project_file` only, so moving them
into the package later changes this one module.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class MissingProjectFile(Exception):
    """The file is not beside the package (installed from a wheel rather than from the source)."""


def project_file(relative: str) -> Path:
    path = PROJECT_ROOT / relative
    if not path.exists():
        raise MissingProjectFile(f"không tìm thấy «{relative}» đi kèm site-builder: lệnh này cần site-builder "
                                 "được cài từ mã nguồn của dự án (pip install -e <thư mục mã nguồn>).")
    return path
