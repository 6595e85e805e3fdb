"""Load the organisation and the unit registry (`submissions/units/<parent>.yaml`).

The registry is split by reviewing body so that checking one school's file reads only its
district's list, not all 15,000 units; the whole registry is read only for full runs.
"""

from __future__ import annotations

from site_builder import schemas
from site_builder.model import Organization, Registry, Unit
from site_builder.paths import SLUG, DataRoot
from site_builder.problems import Problem
from site_builder.yamlfile import read_yaml

REGISTRY_MAX_BYTES = 30_000_000


def load_organization(root: DataRoot) -> tuple[Organization | None, list]:
    file = root.organization_file
    rel = root.rel(file)
    if not file.is_file():
        return None, [_missing(rel, "tệp đơn vị chủ trì", "không tìm thấy tệp.",
                               "Hãy tạo submissions/organization.yaml theo mẫu trong CONTRIBUTING.md.")]
    doc = read_yaml(file, rel)
    problems = list(doc.problems) + schemas.validate(doc, "organization", root.schema)
    if any(p.is_error for p in problems):
        return None, problems
    d = doc.data
    return Organization(
        id=d["id"], name=d["name"], reviewers=tuple(d["reviewers"]), maintainers=tuple(d["maintainers"]),
        demo=bool(d.get("demo", False)), short_name=d.get("short_name", ""),
        repository=d.get("repository", ""), branch=d.get("branch", "main"),
    ), problems


def load_units_file(root: DataRoot, parent: str, positions: dict | None = None) -> tuple[list[Unit], list]:
    """The units listed in `submissions/units/<parent>.yaml` (empty when there is no such file).
    `positions`, when given, receives unit id -> (line, column) of its `id:` value."""
    file = root.units_file(parent)
    rel = root.rel(file)
    if not file.is_file():
        return [], []
    doc = read_yaml(file, rel, max_bytes=REGISTRY_MAX_BYTES)
    problems = list(doc.problems) + schemas.validate(doc, "units", root.schema)
    if doc.data is None or any(p.is_error and p.code in ("yaml-syntax", "wrong-type") for p in problems):
        return [], problems
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        return [], problems
    if data.get("parent") != parent:
        problems.append(doc.problem(("parent",), "đơn vị quản lý",
                                    f"giá trị «{data.get('parent')}» khác tên tệp «{parent}».",
                                    f"Hãy sửa thành «{parent}» hoặc đổi tên tệp.", code="parent-mismatch"))
    default_reviewers = tuple(data.get("reviewers") or ())
    units, seen = [], {}
    for index, entry in enumerate(data["units"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not SLUG.match(entry["id"]):
            continue  # the schema already said what is wrong with it
        if entry["id"] in seen:
            problems.append(doc.problem(("units", index, "id"), f"đơn vị {entry['id']}",
                                        f"mã đơn vị bị trùng (đã có ở dòng {seen[entry['id']]}).",
                                        "Mỗi đơn vị cần một mã riêng.", code="unit-duplicate"))
            continue
        where = doc.where(("units", index, "id"))
        seen[entry["id"]] = where[0]
        if positions is not None:
            positions[entry["id"]] = where
        units.append(Unit(
            id=entry["id"], name=str(entry.get("name", "")), type=str(entry.get("type", "")), parent=parent,
            district=str(entry.get("district", "")), editors=tuple(entry.get("editors") or ()),
            reviewers=tuple(entry.get("reviewers") or default_reviewers), level=entry.get("level"),
            website=entry.get("website"), active_from=entry.get("active_from"),
            active_until=entry.get("active_until"), registry_path=rel,
        ))
    return units, problems


def load_registry(root: DataRoot, organization: Organization) -> tuple[Registry, list]:
    """The whole registry, with the cross-file checks (unique ids, parents that exist)."""
    registry = Registry(organization)
    problems = []
    files = sorted(root.units_dir.glob("*.yaml")) if root.units_dir.is_dir() else []
    origin = {}
    for file in files:
        positions: dict = {}
        units, found = load_units_file(root, file.stem, positions)
        problems += found
        for unit in units:
            if unit.id in registry.units or unit.id == organization.id:
                if unit.id in origin:
                    first_file, (first_line, _col) = origin[unit.id]
                    where = f"{first_file} (dòng {first_line})"
                else:
                    where = "tệp đơn vị chủ trì (submissions/organization.yaml)"
                line, column = positions.get(unit.id, (1, 1))
                problems.append(Problem(unit.registry_path, line, column, f"đơn vị {unit.id}",
                                        f"mã đơn vị «{unit.id}» đã có trong {where}.",
                                        "Mỗi đơn vị chỉ được khai báo một lần, trong tệp của đơn vị quản lý nó.", "unit-duplicate"))
                continue
            registry.units[unit.id] = unit
            origin[unit.id] = (unit.registry_path, positions.get(unit.id, (1, 1)))
    for file in files:
        parent = file.stem
        if parent != organization.id and parent not in registry.units:
            problems.append(_missing(root.rel(file), "đơn vị quản lý",
                                     f"«{parent}» không phải mã của Sở hay của đơn vị nào trong danh sách.",
                                     code="parent-unknown"))
    problems += _check_cycles(root, registry)
    return registry, problems


def _check_cycles(root: DataRoot, registry: Registry) -> list:
    problems = []
    for unit in registry.units.values():
        seen, current = set(), unit
        while current.parent != registry.organization.id:
            if current.id in seen or current.parent not in registry.units:
                if current.id in seen:
                    problems.append(_unit_problem(root, unit, "chuỗi đơn vị quản lý bị vòng lặp.",
                                                  "Hãy kiểm tra mỗi đơn vị chỉ nằm trong tệp của đơn vị cấp trên.", "parent-cycle"))
                break
            seen.add(current.id)
            current = registry.units[current.parent]
    return problems


def _unit_problem(root: DataRoot, unit: Unit, message: str, fix: str, code: str):
    return Problem(unit.registry_path, 1, 1, f"đơn vị {unit.id}", message, fix, code)


def _missing(rel: str, subject: str, message: str, fix: str = "", code: str = "missing-file"):
    return Problem(rel, 1, 1, subject, message, fix, code)
