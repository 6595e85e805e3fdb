"""Check a unit's milestone reports: `submissions/<period>/<body>/<unit>/bao-cao/<milestone>/<file>.pdf`.

A report is a filing of its own (a plan due in October is filed in October, with no self-assessment
file yet), so it is checked on its own: the milestone exists in the period, the unit's type owes
it, the folder holds exactly one real PDF. When it counts as received is the clock's business.
"""

from __future__ import annotations

import os
from pathlib import Path

from site_builder import evidence, messages
from site_builder.model import Period, Report, Unit
from site_builder.paths import REPORTS_FOLDER, DataRoot, reports_folder, units_path
from site_builder.problems import Problem
from site_builder.unit_types import label as type_label


def check_reports(
    root: DataRoot, period: Period, body: str, unit_id: str, unit: Unit | None
) -> tuple[list[Report], list[Problem]]:
    """Every milestone folder of one unit; `unit` is its registry entry of the period (None when the
    unit is not registered there under `body`: then every report is refused). Folders are listed
    with os.scandir, whose entries know their type: a national tree has ~15,000 of them."""
    rel_folder = reports_folder(period.id, body, unit_id)
    try:
        entries = _listed(root.path / rel_folder)
    except OSError:  # no reports folder (or not a folder)
        return [], []
    found: list[Report] = []
    problems: list[Problem] = []
    for entry in entries:
        rel = f"{rel_folder}/{entry.name}"
        if not entry.is_dir() or entry.is_symlink():
            problems.append(messages.REPORT_OUTSIDE_MILESTONE.at(rel))
            continue
        milestone = period.milestone(entry.name)
        if milestone is None:
            known = messages.listed(period.milestone_ids, messages.NO_MILESTONES)
            problems.append(
                messages.REPORT_UNKNOWN_MILESTONE.at(rel, milestone=entry.name, period=period.id, known=known)
            )
            continue
        if unit is None:
            problems.append(
                messages.UNIT_UNREGISTERED.at(
                    rel, unit=unit_id, period=period.id, body=body, registry=units_path(period.id, body)
                )
            )
            continue
        if not milestone.owed(unit.type):
            problems.append(
                messages.REPORT_NOT_OWED.at(
                    rel,
                    milestone=milestone.id,
                    title=" ".join(milestone.title.split()),
                    unit_type=type_label(unit.type),
                )
            )
            continue
        report, found_problems = _one_report(root, rel, period, unit_id, milestone.id)
        problems += found_problems
        if report is not None:
            found.append(report)
    return found, problems


def _listed(folder: Path) -> list[os.DirEntry]:
    """The entries of `folder`, by name."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _one_report(root: DataRoot, rel: str, period: Period, unit_id: str, milestone: str):
    """The report in the milestone folder at `rel` (repository-relative)."""
    files = _listed(root.path / rel)
    problems = []
    for p in files:
        if p.is_dir() or p.is_symlink():
            problems.append(messages.REPORT_FOLDER_NESTED.at(f"{rel}/{p.name}"))
        elif not evidence.has_pdf_suffix(p.name):
            problems.append(messages.REPORT_NOT_PDF.at(f"{rel}/{p.name}", milestone=milestone, name=p.name))
    pdfs = [p for p in files if p.is_file() and not p.is_symlink() and evidence.has_pdf_suffix(p.name)]
    if len(pdfs) > 1:
        problems.append(
            messages.REPORT_SEVERAL_FILES.at(
                rel, milestone=milestone, count=len(pdfs), names=", ".join(p.name for p in pdfs)
            )
        )
        return None, problems
    if not pdfs:
        return None, problems
    unit_dir = root.path / rel.rsplit("/", 2)[0]
    path = f"{rel}/{pdfs[0].name}"
    finding = evidence.check_file(f"{REPORTS_FOLDER}/{milestone}/{pdfs[0].name}", unit_dir, unit_id)
    if not finding.ok:
        problems.append(
            Problem(
                path,
                1,
                1,
                messages.REPORT_SUBJECT.format(milestone=milestone),
                finding.message,
                finding.fix,
                finding.code,
            )
        )
        return None, problems
    return Report(unit_id, period.id, milestone, path), problems
