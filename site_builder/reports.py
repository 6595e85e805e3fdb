"""Check a unit's milestone reports: `submissions/<period>/<body>/<unit>/bao-cao/<milestone>/<file>.pdf`.

A report is a filing of its own (a plan due in October is filed in October, with no self-assessment
file yet), so it is checked on its own: the milestone exists in the period, the unit's type owes
it, the folder holds exactly one real PDF. When it counts as received is the clock's business.
"""

from __future__ import annotations

from pathlib import Path

from site_builder import evidence, messages
from site_builder.model import Period, Report, Unit
from site_builder.paths import REPORTS_FOLDER, DataRoot, reports_folder
from site_builder.problems import Problem
from site_builder.unit_types import label as type_label


def check_reports(root: DataRoot, period: Period, body: str, unit_id: str,
                  unit: Unit | None) -> tuple[list[Report], list[Problem]]:
    """Every milestone folder of one unit; `unit` is its registry entry of the period (None when the
    unit is not registered there under `body`: then every report is refused)."""
    folder = root.path / reports_folder(period.id, body, unit_id)
    if not folder.is_dir():
        return [], []
    found: list[Report] = []
    problems: list[Problem] = []
    for entry in sorted(folder.iterdir()):
        rel = root.rel(entry)
        if not entry.is_dir() or entry.is_symlink():
            problems.append(_problem(rel, "vị trí tệp", f"báo cáo phải nằm trong thư mục {REPORTS_FOLDER}/<mã mốc>/.",
                                     "Hãy chuyển tệp vào thư mục của mốc, ví dụ bao-cao/ke-hoach/.", "misplaced"))
            continue
        milestone = period.milestone(entry.name)
        if milestone is None:
            message, fix = messages.report_unknown_milestone(entry.name, period.id, period.milestone_ids)
            problems.append(_problem(rel, "mốc báo cáo", message, fix, "milestone-unknown"))
            continue
        if unit is None:
            problems.append(_problem(rel, "báo cáo", f"đơn vị «{unit_id}» không có trong danh sách năm học {period.id} "
                                     f"thuộc «{body}».", "Hãy kiểm tra lại mã đơn vị và thư mục đơn vị quản lý.",
                                     "unit-unknown"))
            continue
        if not milestone.owed(unit.type):
            message, fix = messages.report_not_owed(milestone.title, type_label(unit.type))
            problems.append(_problem(rel, f"báo cáo {milestone.id}", message, fix, "milestone-not-owed", "warning"))
            continue
        report, found_problems = _one_report(root, entry, period, unit_id, milestone.id)
        problems += found_problems
        if report is not None:
            found.append(report)
    return found, problems


def _one_report(root: DataRoot, folder: Path, period: Period, unit_id: str, milestone: str):
    files = sorted(p for p in folder.iterdir())
    rel = root.rel(folder)
    problems = []
    for p in files:
        if p.is_dir() or p.is_symlink():
            problems.append(_problem(root.rel(p), "vị trí tệp", "thư mục báo cáo chỉ chứa một tệp PDF, không chứa "
                                     "thư mục con hay liên kết.", "Hãy xoá mục này.", "misplaced"))
        elif p.suffix.lower() != ".pdf":
            message, fix = messages.report_not_pdf(p.name)
            problems.append(_problem(root.rel(p), f"báo cáo {milestone}", message, fix, "report-not-pdf"))
    pdfs = [p for p in files if p.is_file() and not p.is_symlink() and p.suffix.lower() == ".pdf"]
    if len(pdfs) > 1:
        message, fix = messages.report_several_files([p.name for p in pdfs])
        problems.append(_problem(rel, f"báo cáo {milestone}", message, fix, "report-several"))
        return None, problems
    if not pdfs:
        return None, problems
    unit_dir = folder.parent.parent
    finding = evidence.check_file(f"{REPORTS_FOLDER}/{milestone}/{pdfs[0].name}", unit_dir, unit_id)
    if not finding.ok:
        problems.append(_problem(root.rel(pdfs[0]), f"báo cáo {milestone}", finding.message, finding.fix, finding.code))
        return None, problems
    return Report(unit_id, period.id, milestone, root.rel(pdfs[0])), problems


def _problem(path: str, subject: str, message: str, fix: str, code: str, severity: str = "error") -> Problem:
    return Problem(path, 1, 1, subject, message, fix, code, severity)
