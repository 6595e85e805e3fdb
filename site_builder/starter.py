"""`site-builder init`: a Department's own data repository, complete and valid from its first commit.

Every province runs the same package against its own repository, so nothing here knows a province:
the Department's id and name are arguments, and the criteria are a copy, marked proposed, of a
catalogue folder (by default the newest school year that comes with the package). The repository is
written into a scratch folder beside the target, validated, and moved into place only then: a
failed run leaves nothing behind that would block the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import codeowners, editor_schema, resources, starter_texts, starter_workflows
from site_builder.catalogues import load_period
from site_builder.model import Period
from site_builder.new_year import SCHOOL_YEAR, catalogue_text, period_yaml, proposed_period, shift_years
from site_builder.paths import ORGANIZATION_FILE, SCHEMA, SLUG, DataRoot, catalogue_path, units_path, year_path
from site_builder.registry import load_organization, load_registry
from site_builder.validate import ValidationResult, validate_all

PACKAGE = "site-builder"
SCHOOL_YEAR_FIRST_MONTH = 8  # the default --year: a school year runs from August to the next July
HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")  # as schema/units
REPOSITORY = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\Z")  # as schema/organization
NOTE_START = "Đề xuất, chưa phải bộ tiêu chí do"  # every copied catalogue's note
KEYS_BLOCK = re.compile(r"(?ms)^# -{20,}\n# Keys [^\n]*\n# -{20,}\n.*?^# -{20,}\n")  # a year file's key reference


class StarterError(Exception):
    """A Vietnamese sentence for the person who ran init: a wrong argument or a missing source."""


class InvalidOutput(Exception):
    """The written repository did not validate (a broken source catalogue); `result` says why."""

    def __init__(self, result):
        super().__init__("invalid output")
        self.result = result


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    repository: str = ""
    demo: bool = False
    maintainers: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    target: Path
    department: Department
    year: str
    criteria: Path  # a folder holding year.yaml and one catalogue per unit type
    package: str = ""  # the requirement line the workflows install; "" = still to be written


@dataclass
class Created:
    target: Path
    year: str
    files: list[str] = field(default_factory=list)
    unit_types: list[str] = field(default_factory=list)
    origin: str = ""


# ---------------------------------------------------------------------------------- arguments


def current_school_year(today: dt.date) -> str:
    first = today.year if today.month >= SCHOOL_YEAR_FIRST_MONTH else today.year - 1
    return f"{first}-{first + 1}"


def bundled_criteria() -> Path:
    """The newest school year among the catalogues that come with the package."""
    folder = resources.criteria_dir()
    years = sorted(p for p in folder.iterdir() if SCHOOL_YEAR.match(p.name) and (p / "year.yaml").is_file())
    if not years:
        raise StarterError(f"không có năm học nào trong bộ tiêu chí đi kèm {PACKAGE}; hãy dùng --from-criteria.")
    return years[-1]


def installed_requirement() -> str:
    """The requirement line that installs this very tool again, when pip recorded a git URL and
    commit for it; "" otherwise. A local checkout has no address a workflow could reach, and a bare
    name==version would let a public index answer with another project's package of that name."""
    from importlib import metadata

    try:
        origin = metadata.distribution(PACKAGE).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return ""
    if not origin:
        return ""
    try:
        data = json.loads(origin)
    except ValueError:
        return ""
    vcs, url = data.get("vcs_info") or {}, str(data.get("url", ""))
    if vcs.get("vcs") == "git" and vcs.get("commit_id") and re.match(r"https://[^/@]+/", url):
        return f"{PACKAGE} @ git+{url}@{vcs['commit_id']}"
    return ""


def check(request: Request) -> None:
    """Refuse what would make a wrong repository, before anything is written."""
    target, department = request.target, request.department
    if target.exists() and not target.is_dir():
        raise StarterError(f"«{target}» là một tệp, không phải thư mục.")
    if target.is_dir() and any(target.iterdir()):
        raise StarterError(
            f"thư mục «{target}» không trống. Lệnh init chỉ tạo kho trong thư mục trống hoặc "
            "chưa có, để không ghi đè dữ liệu nào."
        )
    if not SLUG.match(department.id):
        raise StarterError(
            f"mã «{department.id}» không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch "
            "ngang, ví dụ so-gddt-ten-tinh."
        )
    if not 3 <= len(department.name.strip()) <= 200:
        raise StarterError("tên của Sở cần từ 3 đến 200 ký tự.")
    if department.repository and not REPOSITORY.match(department.repository):
        raise StarterError(
            f"địa chỉ kho «{department.repository}» không hợp lệ: cần dạng https://github.com/<tổ chức>/<tên kho>."
        )
    bad = [h for h in department.maintainers + department.reviewers if not HANDLE.match(h)]
    if bad:
        raise StarterError(f"tài khoản GitHub không hợp lệ: {', '.join(bad)}.")
    if not SCHOOL_YEAR.match(request.year):
        raise StarterError(f"năm học «{request.year}» không hợp lệ: cần dạng NNNN-NNNN, ví dụ 2026-2027.")
    try:
        shift_years(request.year, request.year)
    except ValueError as exc:
        raise StarterError(str(exc)) from None
    if not (request.criteria / "year.yaml").is_file():
        raise StarterError(f"thư mục bộ tiêu chí «{request.criteria}» không có tệp year.yaml.")
    if "\n" in request.package or "\r" in request.package:
        raise StarterError("--package chỉ nhận một dòng.")


# ---------------------------------------------------------------------------------- the work


def create(request: Request) -> Created:
    """Write, validate and move the repository into place; raises StarterError or InvalidOutput."""
    check(request)
    source, problems = read_source(request.criteria)
    if source is None or any(p.is_error for p in problems):
        errors = [p for p in problems if p.is_error]
        raise InvalidOutput(ValidationResult(errors, None, len({p.path for p in errors})))
    if not SCHOOL_YEAR.match(source.id):
        raise StarterError(
            f"«{request.criteria.name}» không phải một năm học (NNNN-NNNN): lệnh init chép bộ tiêu "
            "chí của một năm học và dời các ngày sang năm học mới."
        )
    target = request.target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        created = write_repository(staging, request, source)
        verify(staging, request)
        _move_into(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    created.target = target
    return created


def read_source(folder: Path) -> tuple[Period | None, list]:
    """The source period with its catalogues, read from a scratch copy (the folder may sit anywhere,
    not only under a criteria/ of a data root)."""
    scratch = Path(tempfile.mkdtemp(prefix="site-builder-nguon-"))
    try:
        shutil.copytree(folder, scratch / "criteria" / folder.name, ignore=shutil.ignore_patterns("*.md", ".*"))
        return load_period(DataRoot(scratch), folder.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def origin_label(request: Request, source: Period) -> str:
    bundled = request.criteria.resolve().parent == resources.criteria_dir().resolve()
    if bundled:
        return f"bộ tiêu chí mẫu đi kèm {PACKAGE} ({source.title.lower()})"
    return f"thư mục bộ tiêu chí «{request.criteria.name}» ({source.title.lower()})"


def write_repository(root: Path, request: Request, source: Period) -> Created:
    department, year = request.department, request.year
    origin = origin_label(request, source)
    unit_types = list(source.catalogues)
    created = Created(root, year, unit_types=unit_types, origin=origin)

    def put(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.files.append(rel)

    put(year_path(year), year_file(request, source, origin))
    for unit_type in unit_types:
        text = (request.criteria / f"{unit_type}.yaml").read_text(encoding="utf-8")
        put(catalogue_path(year, unit_type), catalogue_file(text, request, source, origin))
    put(ORGANIZATION_FILE, starter_texts.organization(department))
    put(units_path(year, department.id), starter_texts.registry(department, year))
    for name, text in starter_workflows.adapted().items():
        put(f".github/workflows/{name}", text)
    put("requirements.txt", starter_texts.requirements(request.package))
    put("README.md", starter_texts.readme(department, year, unit_types, origin))
    put(".gitignore", starter_texts.GITIGNORE)
    created.files += _copy_site_files(root)
    data_root = DataRoot(root)
    created.files += editor_schema.write_files(data_root)
    organization, _problems = load_organization(data_root)
    if organization is not None:
        registry, _problems = load_registry(data_root, organization)
        put(codeowners.PATH, codeowners.render(registry))
    created.files.sort()
    return created


def year_file(request: Request, source: Period, origin: str) -> str:
    years = shift_years(source.id, request.year)
    name = request.department.name
    moved = f", dời {years} năm" if years else ""
    data = proposed_period(
        source,
        request.year,
        years,
        list(source.catalogues),
        basis=[
            f"Đề xuất: các ngày và mốc báo cáo chép từ {origin}{moved}; thay bằng văn bản hướng dẫn của {name} khi có."
        ],
        milestone_source=f"Đề xuất theo {origin}; chưa có văn bản của {name}.",
    )
    header = (
        f"# Kỳ đánh giá: {data['title'].lower()} (criteria/{request.year}/)\n"
        f"# Tạo bằng lệnh «site-builder init» từ {origin}: mọi ngày là ĐỀ XUẤT{moved}.\n"
        "# Hãy sửa theo văn bản hướng dẫn của Sở, ghi văn bản vào basis, rồi đổi source: official và\n"
        "# provisional: false ở những ngày đã có văn bản.\n#\n"
    )
    keys = KEYS_BLOCK.search((request.criteria / "year.yaml").read_text(encoding="utf-8"))
    return header + (keys.group(0) if keys else "") + "\n" + period_yaml(data)


def catalogue_file(text: str, request: Request, source: Period, origin: str) -> str:
    name = request.department.name
    header = [
        f"# Chép từ {origin} bằng lệnh «site-builder init»: bộ tiêu chí là ĐỀ XUẤT",
        f"# (source: provisional) cho đến khi {name} thay bằng bộ tiêu chí của mình.",
    ]
    note = (
        f"{NOTE_START} {name} ban hành: chép nguyên từ {origin} để bắt đầu; "
        "hãy thay bằng bộ tiêu chí của Sở rồi đổi source thành official. Ghi chú của bản gốc: "
    )
    return catalogue_text(text, source.id, request.year, header=header, note=note)


def _copy_site_files(root: Path) -> list[str]:
    """The JSON Schemas (editor schemas are generated for this repository's own catalogues), the
    site's configuration and its hand-written pages."""
    copied = []
    (root / "schema").mkdir(parents=True, exist_ok=True)
    for schema in sorted(resources.schema_dir().glob("*.schema.json")):
        shutil.copyfile(schema, root / "schema" / schema.name)
        copied.append(f"{SCHEMA}/{schema.name}")
    shutil.copyfile(resources.mkdocs_config(), root / "mkdocs.yml")
    copied.append("mkdocs.yml")
    shutil.copytree(resources.docs_dir(), root / "docs")
    copied += [p.relative_to(root).as_posix() for p in sorted((root / "docs").rglob("*")) if p.is_file()]
    return copied


def verify(root: Path, request: Request) -> None:
    """The repository must validate as a whole, and its catalogues must say they are proposals."""
    data_root = DataRoot(root)
    result = validate_all(data_root)
    if not result.ok:
        raise InvalidOutput(result)
    period, _problems = load_period(data_root, request.year)
    official = [
        t
        for t, c in (period.catalogues.items() if period else ())
        if c.source != "provisional" or not c.source_note.startswith(NOTE_START)
    ]
    if period is None or official:
        raise StarterError(
            "không đánh dấu được bộ tiêu chí là đề xuất (source: provisional) trong: "
            f"{', '.join(official) or 'year.yaml'}. Hãy kiểm tra thư mục bộ tiêu chí nguồn."
        )


def _move_into(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    for child in sorted(staging.iterdir()):
        child.rename(target / child.name)
