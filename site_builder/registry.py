"""Load the organisation and the unit registry of each period (`submissions/units/<period>/<body>.yaml`).

A unit keeps one id for life, but its name, type, reviewing body and area belong to a school year:
since July 2025 district offices are gone and lower-secondary schools answer to commune-level
offices, so each period has its own registry. Within a period the registry is split by reviewing
body, so checking one school's file reads only its body's list, not all 15,000 units.

A reviewing body is the Department, a unit of the period that also reviews others (a district
office), or a body that is not assessed itself (a ward's office), which then declares its own
`name` and `parent` in its file.
"""

from __future__ import annotations

from site_builder import messages, schemas, site_address
from site_builder.model import Body, Organization, PeriodRegistry, Registry, Unit
from site_builder.paths import ORGANIZATION_FILE, SLUG, UNITS_FOLDER, DataRoot
from site_builder.yamlfile import YamlDocument, read_yaml

REGISTRY_MAX_BYTES = 30_000_000
DEFAULT_SIGNERS = ("github-web-flow",)


def load_organization(root: DataRoot) -> tuple[Organization | None, list]:
    file = root.organization_file
    rel = root.rel(file)
    if not file.is_file():
        return None, [messages.ORGANIZATION_MISSING.at(rel, path=ORGANIZATION_FILE)]
    doc = read_yaml(file, rel)
    problems = list(doc.problems) + schemas.validate(doc, "organization", root.schema)
    d = doc.data
    if any(p.is_error for p in problems) or not isinstance(d, dict):  # the schema asks for a mapping
        return None, problems
    clock = d.get("clock") or {}
    return Organization(
        id=d["id"],
        name=d["name"],
        reviewers=tuple(d["reviewers"]),
        maintainers=tuple(d["maintainers"]),
        demo=bool(d.get("demo", False)),
        short_name=d.get("short_name", ""),
        repository=d.get("repository", ""),
        branch=d.get("branch", "main"),
        signers=tuple(clock.get("signers") or DEFAULT_SIGNERS),
        site_url=site_address.site_url(root, d.get("site_url")),
        evidence=d.get("evidence", "copy"),
        site_budget_mb=d.get("site_budget_mb", 1000),
        file_limit_mb=d.get("file_limit_mb", 10),
    ), problems


class UnitsFile:
    """One body's file of one period, read and checked on its own (no other file needed)."""

    def __init__(self, root: DataRoot, period: str, body: str):
        self.period, self.body = period, body
        self.rel = root.rel(root.units_file(period, body))
        self.units: list[Unit] = []
        self.positions: dict[str, tuple[int, int]] = {}  # unit id -> (line, column) of its `id:`
        self.declared: Body | None = None  # a body that is not a unit: its name and parent
        self.reviewers: tuple[str, ...] = ()
        self.doc: YamlDocument | None = None
        self.problems: list = []
        file = root.units_file(period, body)
        if file.is_file():
            self._read(root, file)

    @property
    def exists(self) -> bool:
        return self.doc is not None

    def _read(self, root: DataRoot, file) -> None:
        doc = self.doc = read_yaml(file, self.rel, max_bytes=REGISTRY_MAX_BYTES)
        problems = self.problems
        problems += list(doc.problems) + schemas.validate(doc, "units", root.schema)
        data = doc.data
        if data is None or any(p.is_error and p.code in ("yaml-syntax", "wrong-type") for p in problems):
            return
        if not isinstance(data, dict) or not isinstance(data.get("units"), list):
            return
        if data.get("body") != self.body:
            problems.append(messages.BODY_MISMATCH.on(doc, ("body",), declared=data.get("body"), body=self.body))
        self.reviewers = tuple(data.get("reviewers") or ())
        if isinstance(data.get("name"), str) or isinstance(data.get("parent"), str):
            self.declared = Body(
                self.body,
                str(data.get("name") or ""),
                data.get("parent"),
                self.reviewers,
                assessed=False,
                path=self.rel,
            )
        seen: dict[str, int] = {}
        for index, entry in enumerate(data["units"]):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not SLUG.match(entry["id"]):
                continue  # the schema already said what is wrong with it
            unit_id = entry["id"]
            if unit_id in seen:
                first = messages.DECLARED_ABOVE.format(line=seen[unit_id])
                problems.append(messages.UNIT_DUPLICATE.on(doc, ("units", index, "id"), unit=unit_id, first=first))
                continue
            where = doc.where(("units", index, "id"))
            seen[unit_id] = where[0]
            self.positions[unit_id] = where
            unit = Unit(
                id=unit_id,
                name=str(entry.get("name", "")),
                type=str(entry.get("type", "")),
                parent=self.body,
                editors=tuple(entry.get("editors") or ()),
                reviewers=tuple(entry.get("reviewers") or self.reviewers),
                area=str(entry.get("area") or ""),
                level=entry.get("level"),
                website=entry.get("website"),
                replaces=tuple(entry.get("replaces") or ()),
                period=self.period,
                registry_path=self.rel,
                registry_line=where[0],
            )
            self.units.append(unit)
            overlap = _overlap(unit.editors, unit.reviewers)
            if overlap:
                problems.append(
                    messages.EDITOR_IS_REVIEWER.on(doc, ("units", index, "editors"), unit=unit_id, account=overlap)
                )
            if unit_id in unit.replaces:
                problems.append(messages.REPLACES_SELF.on(doc, ("units", index, "replaces"), unit=unit_id))


def load_units_file(root: DataRoot, period: str, body: str) -> tuple[list[Unit], list]:
    """The units listed in `submissions/units/<period>/<body>.yaml` (empty when there is no such file)."""
    found = UnitsFile(root, period, body)
    return found.units, found.problems


def registry_periods(root: DataRoot) -> list[str]:
    folder = root.registry_dir
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def load_period_registry(root: DataRoot, organization: Organization, period: str) -> tuple[PeriodRegistry, list]:
    """One period's registry with its cross-file checks (unique ids, bodies that exist, no cycles)."""
    registry = PeriodRegistry(period)
    problems: list = []
    folder = root.units_dir(period)
    files = [UnitsFile(root, period, f.stem) for f in sorted(folder.glob("*.yaml"))] if folder.is_dir() else []
    origin: dict[str, tuple[str, tuple[int, int]]] = {}
    for units_file in files:
        problems += units_file.problems
        for unit in units_file.units:
            line, column = units_file.positions.get(unit.id, (1, 1))
            if unit.id in registry.units or unit.id == organization.id:
                first = (
                    messages.DECLARED_IN.format(path=origin[unit.id][0], line=origin[unit.id][1][0])
                    if unit.id in origin
                    else messages.DECLARED_IN_ORGANIZATION.format(path=ORGANIZATION_FILE)
                )
                problems.append(messages.UNIT_DUPLICATE.at(unit.registry_path, line, column, unit=unit.id, first=first))
                continue
            registry.units[unit.id] = unit
            origin[unit.id] = (unit.registry_path, (line, column))
    department_file = next((f for f in files if f.body == organization.id), None)
    registry.bodies[organization.id] = Body(
        organization.id,
        organization.name,
        None,
        department_file.reviewers if department_file and department_file.reviewers else organization.reviewers,
        assessed=False,
        path=department_file.rel if department_file else "",
    )
    for units_file in files:
        if units_file.body == organization.id or not units_file.exists:
            continue
        problems += _body_of(units_file, registry, organization)
    problems += _check_cycles(registry, organization)
    return registry, problems


def _body_of(units_file: UnitsFile, registry: PeriodRegistry, organization: Organization) -> list:
    """Register the body of one file: a unit of the period, or a declared body (name + parent)."""
    body, doc = units_file.body, units_file.doc
    unit = registry.units.get(body)
    declared = units_file.declared
    if unit is not None:
        if declared is not None:
            return [
                messages.BODY_REDECLARED.on(
                    doc, ("name",) if declared.name else ("parent",), body=body, period=units_file.period
                )
            ]
        registry.bodies[body] = Body(
            body, unit.name, unit.parent, units_file.reviewers or unit.reviewers, assessed=True, path=units_file.rel
        )
        return []
    if declared is None or not declared.name or not declared.parent:
        return [messages.BODY_UNKNOWN.on(doc, ("body",), body=body, period=units_file.period)]
    registry.bodies[body] = declared
    return []


def _check_cycles(registry: PeriodRegistry, organization: Organization) -> list:
    problems = []
    for body in registry.bodies.values():
        seen, current = set(), body
        while current.parent is not None and current.id != organization.id:
            if current.id in seen:
                problems.append(messages.PARENT_CYCLE.at(body.path or UNITS_FOLDER, body=body.id))
                break
            seen.add(current.id)
            parent = registry.bodies.get(current.parent)
            if parent is None:
                if current.parent != organization.id:
                    problems.append(
                        messages.PARENT_UNKNOWN.at(
                            body.path or UNITS_FOLDER, body=body.id, parent=current.parent, period=registry.period
                        )
                    )
                break
            current = parent
    return problems


def load_registry(root: DataRoot, organization: Organization, periods=None, read_period=None) -> tuple[Registry, list]:
    """The registries of `periods` (default: every folder under submissions/units/), plus the
    checks that need several periods (`replaces` must name a unit of another period).
    `read_period`: what reads one period (default `load_period_registry`; the site build's
    validation passes one that reuses the last build's, check_cache.py)."""
    registry = Registry(organization)
    problems: list = []
    read = read_period or load_period_registry
    for period in periods if periods is not None else registry_periods(root):
        registry.periods[period], found = read(root, organization, period)
        problems += found
    problems += _check_replaces(registry)
    return registry, problems


def _check_replaces(registry: Registry) -> list:
    problems = []
    known = {u for r in registry.periods.values() for u in r.units}
    for period, period_registry in registry.periods.items():
        for unit in period_registry.units.values():
            for old in unit.replaces:
                if old == unit.id:
                    continue  # reported by the file itself
                if old not in known:
                    problems.append(
                        messages.REPLACES_UNKNOWN.at(unit.registry_path, unit.registry_line, unit=unit.id, old=old)
                    )
                elif old in period_registry.units:
                    problems.append(
                        messages.REPLACES_ACTIVE.at(
                            unit.registry_path, unit.registry_line, unit=unit.id, old=old, period=period
                        )
                    )
    return problems


def _overlap(editors, reviewers) -> str:
    lowered = {r.lower() for r in reviewers}
    return next((e for e in editors if e.lower() in lowered), "")
