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
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import build_cache, change_check, check_cache, heap, kept_keys, messages, review_workbook_read
from site_builder.catalogues import load_period
from site_builder.model import Dataset, PeriodRegistry, Registry
from site_builder.paths import (
    REPORTS_FOLDER,
    SLUG,
    SUBMISSIONS,
    DataRoot,
    FileRole,
    classify,
    reports_folder,
    submission_path,
    units_folder,
)
from site_builder.problems import Problem
from site_builder.registry import load_organization, load_registry, load_units_file, registry_periods
from site_builder.reports import check_reports
from site_builder.submissions import check_unit_file, unit_context


@dataclass
class ValidationResult:
    problems: list[Problem] = field(default_factory=list)
    dataset: Dataset | None = None
    files_checked: int = 0
    workers: int = 1  # processes that checked the unit files (1: this one)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_all(root: DataRoot, parallel_from: int | None = None, workers: int | None = None) -> ValidationResult:
    """Everything under the root. Unit files are checked by `workers` forked processes (default:
    the CPUs, at most 8) once there are `parallel_from` of them (default PARALLEL_FROM)."""
    result = ValidationResult()
    check_cache.begin()  # files may have changed since the last run in this process
    organization, found = load_organization(root)
    result.problems += found
    result.files_checked += 1
    if organization is None:
        return result
    registry, found = load_registry(root, organization, read_period=check_cache.period_registry)
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
    _check_submission_tree(
        root,
        registry,
        periods,
        dataset,
        result,
        PARALLEL_FROM if parallel_from is None else parallel_from,
        min(os.cpu_count() or 1, 8) if workers is None else workers,
    )
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
            problems.append(
                messages.REGISTRY_PERIOD_UNKNOWN.at(
                    units_folder(period_id), period=period_id, known=_known_periods(periods)
                )
            )
    for period_id in periods:
        if (root.submissions / period_id).is_dir() and period_id not in registry.periods:
            problems.append(
                messages.REGISTRY_MISSING.at(units_folder(period_id), period=period_id, folder=units_folder(period_id))
            )
    return problems


def _known_periods(periods) -> str:
    return messages.listed(sorted(periods))


def _period_unknown(rel: str, period: str, periods, example: str) -> Problem:
    """A file or folder under a period that criteria/ does not have; `example` shows where it belongs."""
    return messages.PERIOD_UNKNOWN.at(rel, period=period, known=_known_periods(periods), example=example)


def _check_submission_tree(
    root: DataRoot,
    registry: Registry,
    periods,
    dataset: Dataset,
    result: ValidationResult,
    parallel_from: int,
    workers: int,
):
    if not root.submissions.is_dir():
        return
    unit_files: list[tuple[FileRole, str]] = []
    report_folders: list[tuple[str, str, str]] = []
    cache = build_cache.current()
    with heap.uncollected():  # the last build's keys live as long as the dataset (heap.py)
        kept = kept_keys.read(root.path, cache) if cache is not None else kept_keys.KeptKeys()
        heap.keep_in_build()
    dataset.clean_submissions = kept.tree
    walks: dict[tuple[str, str], BodyWalk] = {}
    _walk_submission_tree(root, periods, unit_files, report_folders, result, kept, walks)
    # A unit's milestone reports are one task beside its files: checked in the same workers and
    # their verdict kept by the same cache (they were a serial tenth of a national build).
    tasks = [
        (FileRole(REPORTS_TASK, period_id, body, unit_id), reports_folder(period_id, body, unit_id))
        for period_id, body, unit_id in report_folders
    ] + unit_files
    checked, keys, result.workers = _check_many(root, registry, periods, tasks, parallel_from, workers, kept, walks)
    keyed = cache is not None
    for (role, _rel), (record, found), key in zip(tasks, checked, keys):
        result.problems += found
        if keyed:
            dataset.file_keys.setdefault((role.period, role.unit), []).append(key)
        if role.kind == REPORTS_TASK:
            for report in record or ():
                dataset.reports[(report.period, report.unit, report.milestone)] = report
            continue
        result.files_checked += 1
        if record is not None:
            target = dataset.submissions if role.kind == "submission" else dataset.reviews
            target[(role.period, role.unit)] = record


# A full run on a national repository checks ~30,000 unit files; YAML parsing dominates and is
# CPU-bound, so large runs are spread over worker processes (forked: they inherit the loaded
# registry and catalogues instead of receiving copies). Small runs stay in one process.
PARALLEL_FROM = 2000
_SHARED: tuple = ()


def _check_many(
    root: DataRoot,
    registry: Registry,
    periods,
    unit_files,
    parallel_from: int,
    workers: int,
    kept: kept_keys.KeptKeys,
    walks: dict,
):
    """[(record or None, problems)] in the order of `unit_files`, their cache keys (None without
    a cache), and how many processes did it.
    A site build reuses verdicts on unchanged files (check_cache.py): those are looked up here,
    only the others are checked (and only many of them are worth the workers). `kept`: what the
    last build kept (kept_keys.py), and keeps the keys and `walks` for the next."""
    cache = build_cache.current()
    with heap.uncollected():  # the verdicts found live as long as the dataset (heap.py); before any fork
        looked = _look_up(root, registry, kept, unit_files)
        heap.keep_in_build()  # else the collector's next passes scan them all (0.7 CPU-s at 15,000 units)
    if cache is not None:
        cache.forget_checkout()  # the keys are made (build_cache.py)
        kept_keys.keep(
            root.path, cache, kept, {rel: key for _role, rel, key, _known in looked if key is not None}, walks
        )
    todo = [(role, rel, key) for role, rel, key, known in looked if known is None]
    if len(todo) < parallel_from or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        checked, used = [_check_one(root, registry, periods, *task) for task in todo], 1
    else:
        global _SHARED
        _SHARED = (root, registry, periods)
        try:
            context = multiprocessing.get_context("fork")
            chunk = max(50, len(todo) // (workers * 8))
            if cache is not None:
                cache.take_fresh()  # what the workers inherit is already known here
                cache.flush_checks()  # no pack half written in the workers' copy of this process
            checked = []
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                verdicts = pool.map(_check_shared, todo, chunksize=chunk)  # every task sent: the workers are forked
                with heap.uncollected():  # what they send back lives as long as the dataset (heap.py)
                    for (_role, _rel, key), (pickled, digests) in zip(todo, verdicts, strict=True):
                        checked.append(pickle.loads(pickled))
                        if cache is not None:
                            cache.remember_all(digests)
                            if key is not None:
                                cache.put_pickled_check(key, pickled)
                    heap.keep_in_build()
            used = workers
        finally:
            _SHARED = ()
    results = iter(checked)
    every = [known if known is not None else next(results) for _role, _rel, _key, known in looked]
    return every, [key for _role, _rel, key, _known in looked], used


def _look_up(root: DataRoot, registry: Registry, kept: kept_keys.KeptKeys, unit_files) -> list[tuple]:
    """(role, rel, key, verdict kept under it or None) of each task: the key the last build
    computed when no commit touched the unit since (kept_keys.py), those verdicts read in one
    pass; else the key computed (check_cache.py)."""
    keys = [kept.get(role, rel) for role, rel in unit_files]
    found = iter(check_cache.stored([key for key in keys if key is not None]))
    return [
        (role, rel, key, next(found))
        if key is not None
        else (role, rel, *check_cache.lookup(root, role, rel, *unit_context(root, registry, role)))
        for (role, rel), key in zip(unit_files, keys, strict=True)
    ]


def _check_shared(task):
    """In a forked worker: the verdict, pickled (the build keeps it as it is), and the PDF digests
    it computed (the build shows them). The build stores the verdict: a worker's memory does not
    come back."""
    root, registry, periods = _SHARED
    role, rel, _key = task
    verdict = _check_one(root, registry, periods, role, rel)
    cache = build_cache.current()
    return pickle.dumps(verdict, protocol=pickle.HIGHEST_PROTOCOL), cache.take_fresh() if cache is not None else {}


REPORTS_TASK = "reports"  # the task kind of a unit's milestone report folder (not a kind paths.classify gives)


def _check_one(root: DataRoot, registry: Registry, periods, role: FileRole, rel: str, key: str | None = None):
    """(record or None, problems) for one submission or reviewer-score file, or (reports,
    problems) for a unit's report folder; stored under `key` in the site build's cache when given."""
    if role.kind == REPORTS_TASK:
        unit = registry.unit(role.period, role.unit)
        verdict = check_reports(
            root,
            periods[role.period],
            role.parent,
            role.unit,
            unit if unit is not None and unit.parent == role.parent else None,
        )
    else:
        verdict = check_unit_file(root, registry, periods, role, rel)
    check_cache.store(key, verdict)
    return verdict


@dataclass
class BodyWalk:
    """What walking one reviewing body's folder found: its unit files and report folders to check,
    and in their order the problems on the way and each self-assessment (a (unit, path) pair:
    a unit filed under two bodies is only seen across them)."""

    unit_files: list[tuple[FileRole, str]] = field(default_factory=list)
    report_folders: list[tuple[str, str, str]] = field(default_factory=list)
    events: list[Problem | tuple[str, str]] = field(default_factory=list)


def _walk_submission_tree(
    root: DataRoot,
    periods,
    unit_files: list,
    report_folders: list,
    result: ValidationResult,
    kept: kept_keys.KeptKeys,
    walks: dict[tuple[str, str], BodyWalk],
):
    """Find the unit files and report folders to check; report what is misplaced on the way.
    Directory entries, not Paths: a national tree has ~45,000 of them (their type comes with the
    listing). A body's folder no commit touched since the last build is not listed again: in a
    clean checkout it holds what it held then (kept_keys.py), so its walk is the one kept: at
    15,000 units walking took 0.25 CPU-s, reading back and keeping the walks 0.14. Every walk is
    put in `walks`, kept for the next build."""
    skip = {"units", "keys"}
    for period_dir in _entries(str(root.submissions)):
        if period_dir.name in skip or not period_dir.is_dir():
            continue
        if period_dir.is_symlink():
            result.problems.append(_symlinked(root, Path(period_dir.path)))
            continue
        period = period_dir.name
        if period not in periods:
            example = f"{SUBMISSIONS}/{max(periods, default='2023-2024')}/"
            result.problems.append(_period_unknown(f"{SUBMISSIONS}/{period}", period, periods, example))
            continue
        filed: dict[str, str] = {}  # unit id -> the first self-assessment file of the period
        for parent_dir in _entries(period_dir.path):
            if parent_dir.is_symlink():
                result.problems.append(_symlinked(root, Path(parent_dir.path)))
                continue
            if not parent_dir.is_dir():
                result.problems.append(_misplaced(root, Path(parent_dir.path)))
                continue
            walk = kept.walk(period, parent_dir.name) or _walk_body(root, period, parent_dir)
            walks[(period, parent_dir.name)] = walk
            unit_files += walk.unit_files
            report_folders += walk.report_folders
            for event in walk.events:
                if isinstance(event, Problem):
                    result.problems.append(event)
                else:
                    unit, rel = event
                    _note_filed(filed, unit, rel, result)


def _walk_body(root: DataRoot, period: str, parent_dir: os.DirEntry) -> BodyWalk:
    """Walk one reviewing body's folder."""
    walk = BodyWalk()
    items = _entries(parent_dir.path)
    files = {item.name for item in items if item.is_file()}
    for item in items:
        rel = f"{SUBMISSIONS}/{period}/{parent_dir.name}/{item.name}"
        role = classify(rel) if item.name in files else FileRole("evidence", period, parent_dir.name, item.name)
        if role.kind in ("submission", "review"):
            walk.unit_files.append((role, rel))
            if role.kind == "submission":
                walk.events.append((role.unit, rel))
        elif role.kind == "workbook":
            continue  # read by review_workbook_read.apply_all
        elif role.kind == "wrong-extension":
            walk.events.append(messages.WRONG_EXTENSION.at(rel, name=item.name, unit=role.unit))
        elif role.kind == "evidence" and not item.is_symlink():
            inside = os.listdir(item.path)
            if REPORTS_FOLDER in inside and os.path.isdir(f"{item.path}/{REPORTS_FOLDER}"):
                walk.report_folders.append((period, parent_dir.name, item.name))
            own_files = [name for name in inside if name != REPORTS_FOLDER]
            if own_files and f"{item.name}.yaml" not in files:
                walk.events.append(messages.EVIDENCE_ORPHAN.at(rel, unit=item.name))
        else:
            walk.events.append(_misplaced(root, Path(item.path)))
    return walk


def _entries(folder: str) -> list[os.DirEntry]:
    """The folder's entries by name."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _note_filed(filed: dict, unit: str, rel: str, result: ValidationResult) -> None:
    if unit in filed:
        result.problems.append(messages.UNIT_FILED_TWICE.at(rel, unit=unit, other=filed[unit]))
    else:
        filed[unit] = rel


def _symlinked(root: DataRoot, folder: Path) -> Problem:
    return messages.FOLDER_SYMLINK.at(root.rel(folder))


def _symlinked_folder(root: DataRoot, rel: str) -> Path | None:
    """The first folder between the data root and `rel` that is a symlink, if any."""
    current = root.path
    for part in Path(rel).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return None


def _misplaced(root: DataRoot, item: Path) -> Problem:
    return messages.MISPLACED.at(root.rel(item))


# ---------------------------------------------------------------- changed files only


def validate_paths(root: DataRoot, paths: list[str]) -> ValidationResult:
    """Validate the given repository-relative paths and what they depend on. `dataset` holds what
    was read on the way (the registry files and catalogues used, valid unit files and reports), so
    a caller such as the pull-request report scores a unit without reading anything again."""
    result = ValidationResult()
    wanted = _sort_changed(root, paths, result)
    result.problems += _placement(root, paths)
    organization = None
    if wanted.needs_organization:
        organization, found = load_organization(root)
        result.files_checked += 1
        if wanted.organization or organization is None:
            result.problems += found
        if organization is None:
            return result
    registry = None
    if wanted.registry_periods and organization is not None:
        registry, found = load_registry(root, organization)
        result.problems += found
        result.files_checked += 1
    for period_id in sorted(wanted.periods):
        _period, found = load_period(root, period_id)
        result.problems += found
        result.files_checked += 1
    dataset = Dataset(Registry(organization), {})  # type: ignore[arg-type]  # criteria/ alone: no organisation read
    lookup = _RegistryLookup(root, organization, registry, result)
    periods = _PeriodLoader(root, dataset, result)
    _check_changed_reports(root, wanted.report_units, lookup, periods, dataset, result)
    _check_changed_unit_files(root, wanted.unit_files, lookup, periods, dataset, result)
    found, count = review_workbook_read.check_paths(root, wanted.workbooks)  # scoring workbooks
    result.problems += found
    result.files_checked += count
    dataset.registry.periods.update(lookup.periods())
    result.dataset = dataset
    return result


@dataclass
class _Changed:
    """A pull request's paths sorted by what checking them needs."""

    organization: bool = False  # organization.yaml itself changed
    registry_periods: set[str] = field(default_factory=set)  # a registry file changed: the whole registry
    periods: set[str] = field(default_factory=set)  # a year or catalogue file changed
    unit_files: dict[str, FileRole] = field(
        default_factory=dict
    )  # submissions and reviews (changed or owning evidence)
    report_units: set[tuple[str, str, str]] = field(default_factory=set)  # (period, body, unit) with a changed report
    workbooks: list[str] = field(default_factory=list)  # scoring workbooks (review_workbook_read.check_paths)

    @property
    def needs_organization(self) -> bool:
        return bool(self.organization or self.registry_periods or self.unit_files or self.report_units)


def _sort_changed(root: DataRoot, paths: list[str], result: ValidationResult) -> _Changed:
    """What each path asks to check; a file misnamed or misplaced is reported on the way."""
    changed = _Changed()
    for rel in paths:
        role = classify(rel)
        exists = (root.path / rel).exists() or os.path.islink(root.path / rel)
        if role.kind == "organization":
            changed.organization = True
        elif role.kind == "units" and exists:
            changed.registry_periods.add(role.period)
        elif role.kind in ("year", "catalogue"):
            changed.periods.add(role.period)
        elif role.kind in ("submission", "review") and exists:
            changed.unit_files[rel] = role
        elif role.kind == "report":
            changed.report_units.add((role.period, role.parent, role.unit))
        elif role.kind == "evidence":
            owner = submission_path(role.period, role.parent, role.unit)
            if (root.path / owner).is_file():
                changed.unit_files[owner] = classify(owner)
        elif role.kind == "workbook":
            changed.workbooks.append(rel)
        elif role.kind == "wrong-extension" and exists:
            result.problems.append(messages.WRONG_EXTENSION.at(rel, name=role.name, unit=role.unit))
        elif role.kind == "misplaced" and exists:
            result.problems.append(_misplaced(root, root.path / rel))
    return changed


class _PeriodLoader:
    """A period with only the catalogue a unit needs, read once per (period, unit type); each one
    read is kept in the dataset."""

    def __init__(self, root: DataRoot, dataset: Dataset, result: ValidationResult):
        self.root, self.dataset, self.result = root, dataset, result
        self.cache: dict[tuple[str, str], object] = {}

    def get(self, period_id: str, unit_type: str | None):
        key = (period_id, unit_type or "")
        if key not in self.cache:
            period, found = load_period(self.root, period_id, unit_types=(unit_type,) if unit_type else ())
            self.result.problems += [p for p in found if p.is_error]
            self.cache[key] = period
            _keep_period(self.dataset, period)
        return self.cache[key]


def _check_changed_reports(
    root: DataRoot,
    report_units,
    lookup: _RegistryLookup,
    periods: _PeriodLoader,
    dataset: Dataset,
    result: ValidationResult,
) -> None:
    for period_id, body, unit_id in sorted(report_units):
        if not SLUG.match(body) or not SLUG.match(period_id) or not SLUG.match(unit_id):
            continue  # the placement check refused the path
        unit = lookup.registry_for(period_id, body, unit_id).unit(period_id, unit_id)
        period = periods.get(period_id, unit.type if unit else None)
        if period is None:
            continue
        reports, found = check_reports(root, period, body, unit_id, unit if unit and unit.parent == body else None)
        result.problems += found
        result.files_checked += 1
        for report in reports:
            dataset.reports[(report.period, report.unit, report.milestone)] = report


def _check_changed_unit_files(
    root: DataRoot,
    unit_files: dict[str, FileRole],
    lookup: _RegistryLookup,
    periods: _PeriodLoader,
    dataset: Dataset,
    result: ValidationResult,
) -> None:
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
        period = periods.get(role.period, unit.type if unit else None)
        record, found = _check_one(root, local, {role.period: period}, role, rel)
        result.files_checked += 1
        result.problems += found
        if record is not None:
            target = dataset.submissions if role.kind == "submission" else dataset.reviews
            target[(role.period, role.unit)] = record


def _placement(root: DataRoot, paths: list[str]) -> list[Problem]:
    """Files the unit-file checks never open (evidence, reports, git control files, registry
    folders): placed against this root's periods and registry, as a full run would find them."""
    placeable = [
        rel
        for rel in paths
        if classify(rel).kind in ("evidence", "report", "control", "units")
        and ((root.path / rel).exists() or os.path.islink(root.path / rel))
    ]
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
