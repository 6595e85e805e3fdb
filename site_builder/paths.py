"""Where each kind of file lives in the data root, and what a path says about its file.

The folder layout carries meaning (period, reviewing body, unit), so it is parsed in one place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from site_builder import resources

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
REVIEW_SUFFIX = ".review.yaml"
REPORTS_FOLDER = "bao-cao"  # <unit>/bao-cao/<milestone>/<file>.pdf: a milestone report, filed on its own
KEYS_FOLDER = "keys"  # submissions/keys/<name>.asc: public keys whose signatures the clock trusts
# Files that tell git how to read or export the tree (`export-ignore` hid files from a report,
# `.gitmodules` names other repositories): never data, refused anywhere under submissions/.
GIT_CONTROL_FILES = frozenset({".gitattributes", ".gitmodules", ".gitignore", ".gitkeep", ".mailmap", ".lfsconfig"})
# Outside submissions/ and criteria/: what a path is, for the pull-request report (all maintainers' files).
PROJECT_KINDS = (
    ("schema/", "schema"),
    ("docs/", "docs"),
    (".github/", "workflow"),
    ("site_builder/", "code"),
    ("tests/", "code"),
    ("benchmarks/", "code"),
    ("examples/", "docs"),
)


# ---------------------------------------------------------------- repository-relative paths
# The layout as repository paths (POSIX strings, as git, GitHub and CODEOWNERS name files). Every
# other module builds a data path through these; DataRoot below joins them to a folder on disk.

CRITERIA = "criteria"
SCHEMA = "schema"
SUBMISSIONS = "submissions"
ORGANIZATION_FILE = f"{SUBMISSIONS}/organization.yaml"
UNITS_FOLDER = f"{SUBMISSIONS}/units"
KEYS_PATH = f"{SUBMISSIONS}/{KEYS_FOLDER}"


def year_path(period: str) -> str:
    return f"{CRITERIA}/{period}/year.yaml"


def catalogue_path(period: str, unit_type: str) -> str:
    return f"{CRITERIA}/{period}/{unit_type}.yaml"


def editor_schema_path(period: str, unit_type: str) -> str:
    """The catalogue-specific schema editors use for autocompletion (generated, published with the site)."""
    return f"{SCHEMA}/editor/{period}/{unit_type}.schema.json"


def units_folder(period: str) -> str:
    return f"{UNITS_FOLDER}/{period}"


def units_path(period: str, body: str) -> str:
    return f"{units_folder(period)}/{body}.yaml"


def body_folder(period: str, body: str) -> str:
    return f"{SUBMISSIONS}/{period}/{body}"


def submission_path(period: str, parent: str, unit: str) -> str:
    return f"{body_folder(period, parent)}/{submission_name(unit)}"


def review_path(period: str, parent: str, unit: str) -> str:
    return f"{body_folder(period, parent)}/{review_name(unit)}"


def submission_name(unit: str) -> str:
    """The name of the unit's self-assessment in its body's folder."""
    return f"{unit}.yaml"


def review_name(unit: str) -> str:
    """The name of the unit's reviewer scores in its body's folder."""
    return f"{unit}{REVIEW_SUFFIX}"


def unit_folder(period: str, parent: str, unit: str) -> str:
    """The unit's evidence folder, beside its submission."""
    return f"{body_folder(period, parent)}/{unit}"


def reports_folder(period: str, parent: str, unit: str) -> str:
    return f"{unit_folder(period, parent, unit)}/{REPORTS_FOLDER}"


def report_folder(period: str, parent: str, unit: str, milestone: str) -> str:
    return f"{reports_folder(period, parent, unit)}/{milestone}"


def unit_paths(period: str, parent: str, unit: str) -> tuple[str, str]:
    """The unit's two YAML files: its self-assessment and its reviewer scores."""
    return submission_path(period, parent, unit), review_path(period, parent, unit)


@dataclass(frozen=True)
class DataRoot:
    """The repository (or a copy) holding criteria/, schema/ and submissions/."""

    path: Path

    @property
    def criteria(self) -> Path:
        return self.path / CRITERIA

    @cached_property  # asked for each of a national tree's ~30,000 unit files
    def schema(self) -> Path:
        own = self.path / SCHEMA
        if (own / "submission.schema.json").exists():
            return own
        return resources.schema_dir()  # a data repository without schema/ uses the package's

    @property
    def submissions(self) -> Path:
        return self.path / SUBMISSIONS

    @property
    def organization_file(self) -> Path:
        return self.path / ORGANIZATION_FILE

    @property
    def registry_dir(self) -> Path:
        return self.path / UNITS_FOLDER

    def units_dir(self, period: str) -> Path:
        return self.path / units_folder(period)

    def units_file(self, period: str, body: str) -> Path:
        return self.path / units_path(period, body)

    def key_file(self, name: str) -> Path:
        return self.path / KEYS_PATH / f"{name}.asc"

    def signer_key(self, name: str) -> Path | None:
        """A trusted signer's public key: the data repository's own (submissions/keys/), else one
        shipped with the package (GitHub's web-flow key); None when neither exists."""
        for candidate in (self.key_file(name), resources.key_file(name)):
            if candidate.is_file():
                return candidate
        return None

    def year_file(self, period: str) -> Path:
        return self.path / year_path(period)

    def catalogue_file(self, period: str, unit_type: str) -> Path:
        return self.path / catalogue_path(period, unit_type)

    def submission_file(self, period: str, parent: str, unit: str) -> Path:
        return self.path / submission_path(period, parent, unit)

    def evidence_dir(self, period: str, parent: str, unit: str) -> Path:
        return self.path / unit_folder(period, parent, unit)

    def rel(self, file: Path) -> str:
        """Repository-relative POSIX path, as GitHub and people see it (no symlink resolution:
        the path is reported where the person put the file)."""
        if not file.is_absolute():
            return file.as_posix()
        text, top = str(file), self._top()
        if text.startswith(top) and os.sep == "/" and "/." not in text:  # the common case, without relpath's work
            return text[len(top) :]
        relative = os.path.relpath(file, self.path)
        return file.as_posix() if relative.startswith("..") else relative.replace(os.sep, "/")

    def _top(self) -> str:
        return os.path.join(os.path.abspath(self.path), "")

    def periods(self) -> list[str]:
        if not self.criteria.is_dir():
            return []
        return sorted(p.name for p in self.criteria.iterdir() if (p / "year.yaml").is_file())


@dataclass(frozen=True)
class FileRole:
    """What a repository path is: kind plus the ids its location encodes."""

    kind: str  # organization | units | key | year | catalogue | submission | review | workbook | report | evidence
    #            | wrong-extension | misplaced | control (git control file under submissions/)
    #            | schema | docs | workflow | code | other (outside submissions/ and criteria/)
    period: str = ""
    parent: str = ""
    unit: str = ""
    name: str = ""
    milestone: str = ""


def classify(rel_path: str) -> FileRole:
    """Classify a repository-relative path by where it sits (no I/O)."""
    parts = _parts(rel_path)
    if len(parts) == 3 and parts[0] == "criteria" and parts[2].endswith(".yaml"):
        if parts[2] == "year.yaml":
            return FileRole("year", period=parts[1])
        return FileRole("catalogue", period=parts[1], name=parts[2][: -len(".yaml")])
    if not parts or parts[0] != "submissions":
        return FileRole(_project_kind(rel_path))
    if _control(parts):
        return FileRole("control", name="/".join(parts[1:]))
    if parts[1:] == ("organization.yaml",):
        return FileRole("organization")
    if len(parts) >= 2 and parts[1] == "units":
        if len(parts) == 4 and parts[3].endswith(".yaml"):
            return FileRole("units", period=parts[2], parent=parts[3][: -len(".yaml")], name=parts[3])
        return FileRole("misplaced", name="/".join(parts[1:]))
    if len(parts) >= 2 and parts[1] == KEYS_FOLDER:
        if len(parts) == 3 and parts[2].endswith(".asc"):
            return FileRole("key", name=parts[2][: -len(".asc")])
        return FileRole("misplaced", name="/".join(parts[1:]))
    if len(parts) == 4:
        period, parent, name = parts[1:]
        if name.endswith(REVIEW_SUFFIX):
            return FileRole("review", period, parent, name[: -len(REVIEW_SUFFIX)], name)
        if name.endswith(".yaml"):
            return FileRole("submission", period, parent, name[: -len(".yaml")], name)
        if name.lower().endswith((".yml", ".yaml")):
            return FileRole("wrong-extension", period, parent, name.rsplit(".", 1)[0], name)
        if name.lower().endswith(".xlsx"):  # a body's scoring workbook (review_workbook_read)
            return FileRole("workbook", period, parent, name=name)
        return FileRole("misplaced", period, parent, name=name)
    if len(parts) >= 5:
        period, parent, unit = parts[1:4]
        if parts[4] == REPORTS_FOLDER and len(parts) == 7:
            return FileRole("report", period, parent, unit, parts[6], milestone=parts[5])
        return FileRole("evidence", period, parent, unit, "/".join(parts[4:]))
    return FileRole("misplaced", name="/".join(parts[1:]))


def is_git_control(rel_path: str) -> bool:
    """A git control file (`.gitattributes`, `.gitmodules`, ...) or a `.git` folder, at any depth."""
    return _control(_parts(rel_path))


def _control(parts: tuple[str, ...]) -> bool:
    return any(part in GIT_CONTROL_FILES or part == ".git" or part.lower().startswith(".git") for part in parts)


def _parts(rel_path: str) -> tuple[str, ...]:
    """`PurePosixPath(rel_path).parts`, without building a path for the plain case (a build
    classifies every file of submissions/: 30,000 at 15,000 units)."""
    if not rel_path or rel_path.startswith(("/", "./")) or rel_path.endswith(("/", "/.")) or rel_path == ".":
        return PurePosixPath(rel_path).parts
    if "//" in rel_path or "/./" in rel_path:
        return PurePosixPath(rel_path).parts
    return tuple(rel_path.split("/"))


def _project_kind(rel_path: str) -> str:
    for prefix, kind in PROJECT_KINDS:
        if rel_path.startswith(prefix):
            return kind
    if rel_path.lower().endswith((".md", ".txt")):
        return "docs"
    return "other"
