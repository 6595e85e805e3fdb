"""Where a pull request puts each file: every path it adds or changes is classified, and one that
has no place in the data is refused with a sentence naming it.

The validator checks the content of the files it knows; a file it does not look at (a PDF in the
folder of a year that does not exist, the folder of a unit nobody registered, a `.gitattributes`)
used to pass the pull request and break the next build. So the rules here are those of a full
run (`validate_all`) that depend only on a file's place, checked against the target branch: its
periods and its registry, plus what the pull request itself adds to them (registry and criteria
changes are maintainers' files, see authz).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from site_builder import messages
from site_builder.gittree import Entry, safe_path
from site_builder.paths import REPORTS_FOLDER, SLUG, classify, unit_folder, units_path
from site_builder.problems import Problem

UNIT_KINDS = ("submission", "review", "evidence", "report")
# What the validator says of a unit file of an unknown year or unit (it knows more: "registered under
# another body"); where it spoke of a path, this check's own sentence on it is left out.
PLACEMENT_CODES = frozenset({"period-unknown", "unit-unknown", "wrong-parent", "unit-inactive", "misplaced"})


@dataclass(frozen=True)
class Layout:
    """What the target branch (plus the pull request's own registry and criteria changes) allows."""

    periods: frozenset[str]  # criteria/<period>/year.yaml exists
    registered: Callable[[str, str, str], bool]  # (period, body, unit): the unit is listed in that body's file


def check(paths, entries: dict[str, Entry], layout: Layout) -> list[Problem]:
    """Problems for the paths a pull request adds or changes (`entries`: their ls-tree rows)."""
    problems = []
    for path in dict.fromkeys(paths):
        entry = entries.get(path)
        if entry is not None and not entry.regular:
            problems.append(messages.NOT_REGULAR_FILE.at(path))
            continue
        if not safe_path(path):
            problems.append(messages.UNSAFE_PATH.at(path))
            continue
        problem = _placement(path, layout)
        if problem is not None:
            problems.append(problem)
    return problems


def merge(placed: list[Problem], validated: list[Problem]) -> list[Problem]:
    """Both lists, with one sentence per misplaced path: the validator's where it has one."""
    spoken = {p.path for p in validated if p.code in PLACEMENT_CODES}
    kept = [p for p in placed if not (p.path in spoken and p.code in PLACEMENT_CODES)]
    said = {(p.path, p.code) for p in kept}  # the validator places files too (against the head)
    return kept + [p for p in validated if (p.path, p.code) not in said]


def _placement(path: str, layout: Layout) -> Problem | None:
    role = classify(path)
    known = messages.listed(sorted(layout.periods))
    if role.kind == "control":
        return messages.GIT_CONTROL_FILE.at(path, name=path.rsplit("/", 1)[-1])
    if role.kind == "units" and role.period not in layout.periods:
        return messages.REGISTRY_PERIOD_UNKNOWN.at(path, period=role.period, known=known)
    if role.kind not in UNIT_KINDS + ("workbook",):
        return None
    names = (("period", role.period), ("body", role.parent)) + (
        (("unit", role.unit),) if role.kind != "workbook" else ()
    )
    for level, part in names:
        if not SLUG.match(part):
            return messages.FOLDER_NAME_INVALID.at(path, what=messages.FOLDER_LEVELS[level], part=part)
    if role.period not in layout.periods:
        example = unit_folder(max(layout.periods, default="2023-2024"), role.parent, role.unit)
        return messages.PERIOD_UNKNOWN.at(path, period=role.period, known=known, example=f"{example}/")
    if role.kind == "workbook":  # a body's scoring workbook: its reader checks the body and the units
        return None
    if not layout.registered(role.period, role.parent, role.unit):
        return messages.UNIT_UNREGISTERED.at(
            path, unit=role.unit, period=role.period, body=role.parent, registry=units_path(role.period, role.parent)
        )
    if role.kind == "evidence":
        if role.name.split("/", 1)[0] == REPORTS_FOLDER:
            return messages.REPORT_OUTSIDE_MILESTONE.at(path)
        if not role.name.lower().endswith(".pdf"):
            return messages.STRAY_FILE.at(path, name=role.name)
    return None
