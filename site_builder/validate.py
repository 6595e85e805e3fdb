"""Validate the whole data root, or only some files plus what they depend on.

A full run also returns the loaded `Dataset` (what scoring and the site use), so the data is
read once. A run on paths (a pull request's changed files) reads only the organisation, the
unit's own registry file and its period's catalogue: it stays fast on a 15,000-unit repository.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import change_check, check_cache, messages, review_workbook_read
from site_builder.catalogues import load_period
from site_builder.model import Dataset, PeriodRegistry, Registry
from site_builder.paths import REPORTS_FOLDER, SLUG, DataRoot, FileRole, classify
from site_builder.problems import Problem
from site_builder.registry import load_organization, load_registry, load_units_file, registry_periods
from site_builder.reports import check_reports
from site_builder.submissions import Context, check_review, check_submission


@dataclass
class ValidationResult:
    problems: list[Problem] = field(default_factory=list)
    dataset: Dataset | None = None
    files_checked: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_all(root: DataRoot) -> ValidationResult:
    result = ValidationResult()
    organization, found = load_organization(root)
    result.problems += found
    result.files_checked += 1
    if organization is None:
        return result
    registry, found = load_registry(root, organization)
    result.problems += found
    result.files_checked += len(list(root.registry_dir.glob("*/*.yaml"))) if root.registry_dir.is_dir() else 0
    periods = {}
    for period_id in root.periods():
        period, found = load_period(root, period_id)
        result.problems += found
        result.files_checked += 1 + (len(period.catalogues) if period else 0)
        if period is not None:
            periods[period_id] = period
    result.problems += _check_registry_periods(root, registry, periods)
    dataset = Dataset(registry, periods)
    _check_submission_tree(root, registry, periods, dataset, result)
    found, read = review_workbook_read.apply_all(root, dataset)  # scoring workbooks: reviewer scores
    result.problems += found
    result.files_checked += read
    result.dataset = dataset
    return result


def _check_registry_periods(root: DataRoot, registry: Registry, periods) -> list[Problem]:
    """Every registry folder names a period of criteria/, and every period with catalogues has a registry."""
    problems = []
    for period_id in registry_periods(root):
        if period_id not in periods:
            problems.append(Problem(root.rel(root.units_dir(period_id)), 1, 1, "danh sách đơn vị",
                                    f"«{period_id}» không phải năm học nào có trong criteria/.",
                                    "Hãy đặt danh sách vào thư mục submissions/units/<năm học>/ đúng tên năm học.",
                                    "period-unknown"))
    for period_id, period in periods.items():
        if (root.submissions / period_id).is_dir() and period_id not in registry.periods:
            problems.append(Problem(root.rel(root.units_dir(period_id)), 1, 1, "danh sách đơn vị",
                                    f"năm học {period_id} đã có bài nộp nhưng chưa có danh sách đơn vị.",
                                    f"Hãy tạo submissions/units/{period_id}/ (ví dụ: site-builder new-year {period_id} "
                                    "--from <năm học trước>).", "registry-missing"))
    return problems


def _check_submission_tree(root: DataRoot, registry: Registry, periods, dataset: Dataset, result: ValidationResult):
    if not root.submissions.is_dir():
        return
    unit_files: list[tuple[FileRole, str]] = []
    report_folders: list[tuple[str, str, str]] = []
    _walk_submission_tree(root, periods, unit_files, report_folders, result)
    for period_id, body, unit_id in report_folders:
        unit = registry.unit(period_id, unit_id)
        reports, found = check_reports(root, periods[period_id], body, unit_id,
                                       unit if unit is not None and unit.parent == body else None)
        result.problems += found
        for report in reports:
            dataset.reports[(report.period, report.unit, report.milestone)] = report
    for (role, rel), (record, found) in zip(unit_files, _check_many(root, registry, periods, unit_files)):
        result.files_checked += 1
        result.problems += found
        if record is not None:
            target = dataset.submissions if role.kind == "submission" else dataset.reviews
            target[(role.period, role.unit)] = record


# A full run on a national repository checks ~30,000 unit files; YAML parsing dominates and is
# CPU-bound, so large runs are spread over worker processes (forked: they inherit the loaded
# registry and catalogues instead of receiving copies). Small runs stay in one process.
PARALLEL_FROM = 2000
_SHARED: tuple = ()


def _check_many(root: DataRoot, registry: Registry, periods, unit_files):
    # A site build reuses verdicts on unchanged files (check_cache.py): those are looked up here,
    # only the others are checked (and only many of them are worth the workers).
    looked = [(role, rel, *check_cache.lookup(root, role, rel, *_unit_context(root, registry, role)))
              for role, rel in unit_files]
    todo = [(role, rel, key) for role, rel, key, known in looked if known is None]
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        checked = iter([_check_one(root, registry, periods, *task) for task in todo])
    else:
        global _SHARED
        _SHARED = (root, registry, periods)
        try:
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                checked = iter(list(pool.map(_check_shared, todo, chunksize=max(50, len(todo) // (workers * 8)))))
        finally:
            _SHARED = ()
    return [known if known is not None else next(checked) for _role, _rel, _key, known in looked]


def _check_shared(task):
    root, registry, periods = _SHARED
    return _check_one(root, registry, periods, *task)


def _unit_context(root: DataRoot, registry: Registry, role: FileRole):
    """(unit, registered elsewhere, other periods having it, submission exists) for a unit file."""
    unit = registry.unit(role.period, role.unit)
    elsewhere = None
    if unit is not None and unit.parent != role.parent:
        unit, elsewhere = None, unit
    others = () if unit or elsewhere else tuple(p for p, r in sorted(registry.periods.items()) if role.unit in r.units)
    return unit, elsewhere, others, root.submission_file(role.period, role.parent, role.unit).is_file()


def _check_one(root: DataRoot, registry: Registry, periods, role: FileRole, rel: str, key: str | None = None):
    """(record or None, problems) for one submission or reviewer-score file; stored under `key`
    in the site build's cache when given."""
    unit, elsewhere, others, exists = _unit_context(root, registry, role)
    ctx = Context(root, role, periods.get(role.period), unit, elsewhere, submission_exists=exists, other_periods=others)
    verdict = check_submission(ctx, rel) if role.kind == "submission" else check_review(ctx, rel)
    check_cache.store(key, verdict)
    return verdict


def _walk_submission_tree(root: DataRoot, periods, unit_files: list, report_folders: list, result: ValidationResult):
    """Find the unit files and report folders to check; report what is misplaced on the way."""
    skip = {"units", "keys"}
    for period_dir in sorted(p for p in root.submissions.iterdir() if p.is_dir() and p.name not in skip):
        if period_dir.is_symlink():
            result.problems.append(_symlinked(root, period_dir))
            continue
        if period_dir.name not in periods:
            result.problems.append(Problem(root.rel(period_dir), 1, 1, "thư mục",
                                           f"«{period_dir.name}» không phải năm học nào có trong criteria/.",
                                           "Hãy đặt bài vào thư mục năm học đúng, ví dụ submissions/2023-2024/.", "period-unknown"))
            continue
        filed: dict[str, str] = {}  # unit id -> the first self-assessment file of the period
        for parent_dir in sorted(p for p in period_dir.iterdir()):
            if parent_dir.is_symlink():
                result.problems.append(_symlinked(root, parent_dir))
                continue
            if not parent_dir.is_dir():
                result.problems.append(_misplaced(root, parent_dir))
                continue
            for item in sorted(parent_dir.iterdir()):
                rel = root.rel(item)
                role = classify(rel) if item.is_file() else FileRole("evidence", period_dir.name, parent_dir.name, item.name)
                if role.kind in ("submission", "review"):
                    unit_files.append((role, rel))
                    if role.kind == "submission":
                        _note_filed(filed, role.unit, rel, result)
                elif role.kind == "workbook":
                    continue  # read by review_workbook_read.apply_all
                elif role.kind == "wrong-extension":
                    message, fix = messages.wrong_extension(item.name, role.unit)
                    result.problems.append(Problem(rel, 1, 1, "tên tệp", message, fix, "wrong-extension"))
                elif role.kind == "evidence" and not item.is_symlink():
                    if (item / REPORTS_FOLDER).is_dir():
                        report_folders.append((period_dir.name, parent_dir.name, item.name))
                    own_files = [p for p in item.iterdir() if p.name != REPORTS_FOLDER]
                    if own_files and not (parent_dir / f"{item.name}.yaml").is_file():
                        result.problems.append(Problem(rel, 1, 1, "thư mục minh chứng",
                                                       f"không có bài tự đánh giá {item.name}.yaml đi kèm thư mục này.",
                                                       "Hãy kiểm tra tên thư mục trùng với mã đơn vị, hoặc xoá thư mục "
                                                       "(báo cáo theo mốc đặt trong bao-cao/<mã mốc>/ thì không cần).",
                                                       "evidence-orphan", "warning"))
                else:
                    result.problems.append(_misplaced(root, item))


def _note_filed(filed: dict, unit: str, rel: str, result: ValidationResult) -> None:
    if unit in filed:
        message, fix = messages.unit_filed_twice(unit, filed[unit])
        result.problems.append(Problem(rel, 1, 1, "tệp", message, fix, "unit-filed-twice"))
    else:
        filed[unit] = rel


def _symlinked(root: DataRoot, folder: Path) -> Problem:
    return Problem(root.rel(folder), 1, 1, "vị trí tệp",
                   "thư mục là liên kết (symlink): dữ liệu phải nằm thật trong kho, không trỏ sang nơi khác.",
                   "Hãy xoá liên kết và đặt các tệp vào đúng thư mục.", "path-symlink")


def _symlinked_folder(root: DataRoot, rel: str) -> Path | None:
    """The first folder between the data root and `rel` that is a symlink, if any."""
    current = root.path
    for part in Path(rel).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return None


def _misplaced(root: DataRoot, item: Path) -> Problem:
    return Problem(root.rel(item), 1, 1, "vị trí tệp",
                   "tệp nằm sai chỗ: bài tự đánh giá đặt tại submissions/<năm học>/<đơn vị quản lý>/<mã đơn vị>.yaml, "
                   "minh chứng trong thư mục <mã đơn vị>/ bên cạnh.",
                   "Hãy chuyển tệp về đúng thư mục.", "misplaced")


# ---------------------------------------------------------------- changed files only

def validate_paths(root: DataRoot, paths: list[str]) -> ValidationResult:
    """Validate the given repository-relative paths and what they depend on. `dataset` holds what
    was read on the way (the registry files and catalogues used, valid unit files and reports), so
    a caller such as the pull-request report scores a unit without reading anything again."""
    result = ValidationResult()
    wanted_org = False
    registry_periods_wanted: set[str] = set()
    periods_wanted: set[str] = set()
    unit_files: dict[str, FileRole] = {}
    report_units: set[tuple[str, str, str]] = set()
    workbooks: list[str] = []
    for rel in paths:
        role = classify(rel)
        exists = (root.path / rel).exists() or os.path.islink(root.path / rel)
        if role.kind == "organization":
            wanted_org = True
        elif role.kind == "units":
            if exists:
                registry_periods_wanted.add(role.period)
        elif role.kind in ("year", "catalogue"):
            periods_wanted.add(role.period)
        elif role.kind in ("submission", "review"):
            if exists:
                unit_files[rel] = role
        elif role.kind == "report":
            report_units.add((role.period, role.parent, role.unit))
        elif role.kind == "evidence":
            owner = f"submissions/{role.period}/{role.parent}/{role.unit}.yaml"
            if (root.path / owner).is_file():
                unit_files[owner] = classify(owner)
        elif role.kind == "workbook":
            workbooks.append(rel)  # checked by review_workbook_read.check_paths below
        elif role.kind == "wrong-extension" and exists:
            message, fix = messages.wrong_extension(role.name, role.unit)
            result.problems.append(Problem(rel, 1, 1, "tên tệp", message, fix, "wrong-extension"))
        elif role.kind == "misplaced" and exists:
            result.problems.append(_misplaced(root, root.path / rel))
    result.problems += _placement(root, paths)
    organization = None
    if wanted_org or registry_periods_wanted or unit_files or report_units:
        organization, found = load_organization(root)
        result.files_checked += 1
        if wanted_org or organization is None:
            result.problems += found
        if organization is None:
            return result
    registry = None
    if registry_periods_wanted:
        registry, found = load_registry(root, organization)
        result.problems += found
        result.files_checked += 1
    for period_id in sorted(periods_wanted):
        _period, found = load_period(root, period_id)
        result.problems += found
        result.files_checked += 1
    lookup = _RegistryLookup(root, organization, registry, result)
    period_cache: dict[tuple[str, str], object] = {}
    dataset = Dataset(Registry(organization), {})

    def period_for(period_id: str, unit_type: str | None):
        key = (period_id, unit_type or "")
        if key not in period_cache:
            period, found = load_period(root, period_id, unit_types=(unit_type,) if unit_type else ())
            result.problems += [p for p in found if p.is_error]
            period_cache[key] = period
            _keep_period(dataset, period)
        return period_cache[key]

    for period_id, body, unit_id in sorted(report_units):
        if not SLUG.match(body) or not SLUG.match(period_id) or not SLUG.match(unit_id):
            continue
        local = lookup.registry_for(period_id, body, unit_id)
        unit = local.unit(period_id, unit_id)
        period = period_for(period_id, unit.type if unit else None)
        if period is None:
            continue
        reports, found = check_reports(root, period, body, unit_id, unit if unit and unit.parent == body else None)
        result.problems += found
        result.files_checked += 1
        for report in reports:
            dataset.reports[(report.period, report.unit, report.milestone)] = report
    for rel, role in sorted(unit_files.items()):
        if not SLUG.match(role.parent) or not SLUG.match(role.period):
            result.problems.append(_misplaced(root, root.path / rel))
            continue
        linked = _symlinked_folder(root, rel)
        if linked is not None:
            result.problems.append(_symlinked(root, linked))
            continue
        local = lookup.registry_for(role.period, role.parent, role.unit)
        unit = local.unit(role.period, role.unit)
        period = period_for(role.period, unit.type if unit else None)
        record, found = _check_one(root, local, {role.period: period}, role, rel)
        result.files_checked += 1
        result.problems += found
        if record is not None:
            target = dataset.submissions if role.kind == "submission" else dataset.reviews
            target[(role.period, role.unit)] = record
    found, count = review_workbook_read.check_paths(root, workbooks)  # scoring workbooks
    result.problems += found
    result.files_checked += count
    dataset.registry.periods.update(lookup.periods())
    result.dataset = dataset
    return result


def _placement(root: DataRoot, paths: list[str]) -> list[Problem]:
    """Files the unit-file checks never open (evidence, reports, git control files, registry
    folders): placed against this root's periods and registry, as a full run would find them."""
    placeable = [rel for rel in paths if classify(rel).kind in ("evidence", "report", "control", "units")
                 and ((root.path / rel).exists() or os.path.islink(root.path / rel))]
    if not placeable:
        return []
    bodies: dict[tuple[str, str], set[str]] = {}

    def registered(period: str, body: str, unit: str) -> bool:
        if (period, body) not in bodies:
            bodies[(period, body)] = {u.id for u in load_units_file(root, period, body)[0]}
        return unit in bodies[(period, body)]

    return change_check.check(placeable, {}, change_check.Layout(frozenset(root.periods()), registered))


def _keep_period(dataset: Dataset, period) -> None:
    """One `Period` per id in the dataset, with every catalogue loaded for it so far."""
    if period is None:
        return
    known = dataset.periods.get(period.id)
    if known is None:
        dataset.periods[period.id] = dataclasses.replace(period, catalogues=dict(period.catalogues))
    else:
        known.catalogues.update(period.catalogues)


class _RegistryLookup:
    """The registry a changed file needs: its body's file of its period, read alone; the whole
    registry only when the unit is not there (misplaced or unregistered), and then once."""

    def __init__(self, root: DataRoot, organization, registry: Registry | None, result: ValidationResult):
        self.root, self.organization, self.full, self.result = root, organization, registry, result
        self.local: dict[tuple[str, str], Registry] = {}

    def registry_for(self, period: str, body: str, unit: str) -> Registry:
        if self.full is not None:
            return self.full
        key = (period, body)
        if key not in self.local:
            units, found = load_units_file(self.root, period, body)
            self.result.problems += [p for p in found if p.is_error and p.code == "yaml-syntax"]
            self.local[key] = Registry(self.organization, {period: PeriodRegistry(period, {u.id: u for u in units})})
        local = self.local[key]
        if local.unit(period, unit) is None:
            self.full, _ = load_registry(self.root, self.organization)
            return self.full
        return local

    def periods(self) -> dict[str, PeriodRegistry]:
        """The registries read, by period: the whole registry if it was read, else the body files."""
        if self.full is not None:
            return dict(self.full.periods)
        merged: dict[str, PeriodRegistry] = {}
        for (period, _body), local in sorted(self.local.items()):
            target = merged.setdefault(period, PeriodRegistry(period))
            for unit_id, unit in local.periods[period].units.items():
                target.units.setdefault(unit_id, unit)
        return merged
