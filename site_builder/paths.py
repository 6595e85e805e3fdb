"""Where each kind of file lives in the data root, and what a path says about its file.

The folder layout carries meaning (period, reviewing body, unit), so it is parsed in one place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
REVIEW_SUFFIX = ".review.yaml"


@dataclass(frozen=True)
class DataRoot:
    """The repository (or a copy) holding criteria/, schema/ and submissions/."""

    path: Path

    @property
    def criteria(self) -> Path:
        return self.path / "criteria"

    @property
    def schema(self) -> Path:
        own = self.path / "schema"
        if (own / "submission.schema.json").exists():
            return own
        return Path(__file__).resolve().parent.parent / "schema"  # a bare data copy uses ours

    @property
    def submissions(self) -> Path:
        return self.path / "submissions"

    @property
    def organization_file(self) -> Path:
        return self.submissions / "organization.yaml"

    @property
    def units_dir(self) -> Path:
        return self.submissions / "units"

    def units_file(self, parent: str) -> Path:
        return self.units_dir / f"{parent}.yaml"

    def year_file(self, period: str) -> Path:
        return self.criteria / period / "year.yaml"

    def catalogue_file(self, period: str, unit_type: str) -> Path:
        return self.criteria / period / f"{unit_type}.yaml"

    def submission_file(self, period: str, parent: str, unit: str) -> Path:
        return self.submissions / period / parent / f"{unit}.yaml"

    def review_file(self, period: str, parent: str, unit: str) -> Path:
        return self.submissions / period / parent / f"{unit}{REVIEW_SUFFIX}"

    def evidence_dir(self, period: str, parent: str, unit: str) -> Path:
        return self.submissions / period / parent / unit

    def rel(self, file: Path) -> str:
        """Repository-relative POSIX path, as GitHub and people see it (no symlink resolution:
        the path is reported where the person put the file)."""
        if not file.is_absolute():
            return file.as_posix()
        relative = os.path.relpath(file, self.path)
        return file.as_posix() if relative.startswith("..") else relative.replace(os.sep, "/")

    def periods(self) -> list[str]:
        if not self.criteria.is_dir():
            return []
        return sorted(p.name for p in self.criteria.iterdir() if (p / "year.yaml").is_file())


@dataclass(frozen=True)
class FileRole:
    """What a repository path is: kind plus the ids its location encodes."""

    kind: str  # organization | units | year | catalogue | submission | review | evidence | other
    period: str = ""
    parent: str = ""
    unit: str = ""
    name: str = ""


def classify(rel_path: str) -> FileRole:
    """Classify a repository-relative path by where it sits (no I/O)."""
    parts = PurePosixPath(rel_path).parts
    if len(parts) == 3 and parts[0] == "criteria" and parts[2].endswith(".yaml"):
        if parts[2] == "year.yaml":
            return FileRole("year", period=parts[1])
        return FileRole("catalogue", period=parts[1], name=parts[2][: -len(".yaml")])
    if not parts or parts[0] != "submissions":
        return FileRole("other")
    if parts[1:] == ("organization.yaml",):
        return FileRole("organization")
    if len(parts) == 3 and parts[1] == "units":
        name = parts[2]
        return FileRole("units", parent=name[: -len(".yaml")] if name.endswith(".yaml") else name, name=name)
    if len(parts) == 4:
        period, parent, name = parts[1:]
        if name.endswith(REVIEW_SUFFIX):
            return FileRole("review", period, parent, name[: -len(REVIEW_SUFFIX)], name)
        if name.endswith(".yaml") or name.endswith(".yml"):
            return FileRole("submission", period, parent, name.rsplit(".", 1)[0], name)
        return FileRole("misplaced", period, parent, name=name)
    if len(parts) >= 5:
        period, parent, unit = parts[1:4]
        return FileRole("evidence", period, parent, unit, "/".join(parts[4:]))
    return FileRole("misplaced", name="/".join(parts[1:]))
