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

from dataclasses import dataclass
from typing import Callable

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

    periods: frozenset[str]                    # criteria/<period>/year.yaml exists
    registered: Callable[[str, str, str], bool]  # (period, body, unit): the unit is listed in that body's file


def check(paths, entries: dict[str, Entry], layout: Layout) -> list[Problem]:
    """Problems for the paths a pull request adds or changes (`entries`: their ls-tree rows)."""
    problems = []
    for path in dict.fromkeys(paths):
        entry = entries.get(path)
        if entry is not None and not entry.regular:
            problems.append(_problem(path, "loại tệp", "tệp là liên kết (symlink) hoặc kho con, không được phép.",
                                     "Hãy tải lên chính tệp thay vì liên kết.", "not-regular-file"))
            continue
        if not safe_path(path):
            problems.append(_problem(path, "tên tệp", "đường dẫn có phần «..», «.git» hoặc phần rỗng.",
                                     "Hãy đặt tên tệp và thư mục bằng chữ, số và dấu gạch ngang.", "unsafe-path"))
            continue
        problem = _placement(path, layout)
        if problem is not None:
            problems.append(problem)
    return problems


def merge(placed: list[Problem], validated: list[Problem]) -> list[Problem]:
    """Both lists, with one sentence per misplaced path: the validator's where it has one."""
    spoken = {p.path for p in validated if p.code in PLACEMENT_CODES}
    kept = [p for p in placed if not (p.path in spoken and p.code in PLACEMENT_CODES | {"unit-unregistered"})]
    said = {(p.path, p.code) for p in kept}  # the validator places files too (against the head)
    return kept + [p for p in validated if (p.path, p.code) not in said]


def _placement(path: str, layout: Layout) -> Problem | None:
    role = classify(path)
    if role.kind == "control":
        name = path.rsplit("/", 1)[-1]
        return _problem(path, "tệp điều khiển git",
                        f"tệp «{name}» quy định cách git đọc, xuất hoặc bỏ qua các tệp; không được đặt trong submissions/.",
                        "Hãy xoá tệp này khỏi yêu cầu.", "git-control-file")
    if role.kind == "units" and role.period not in layout.periods:
        return _problem(path, "danh sách đơn vị", f"«{role.period}» không phải năm học nào có trong criteria/.",
                        f"Hãy tạo criteria/{role.period}/ trước (site-builder new-year {role.period} --from <năm học "
                        "trước>) hoặc đặt danh sách vào thư mục năm học đúng.", "period-unknown")
    if role.kind not in UNIT_KINDS + ("workbook",):
        return None
    names = ((role.period, "năm học"), (role.parent, "đơn vị quản lý"))
    for part, what in names + (((role.unit, "đơn vị"),) if role.kind != "workbook" else ()):
        if not SLUG.match(part):
            return _problem(path, "vị trí tệp", f"tên thư mục {what} «{part}» không hợp lệ: chỉ gồm chữ thường "
                            "không dấu, số và dấu gạch ngang.",
                            "Hãy đặt tệp theo mẫu submissions/<năm học>/<đơn vị quản lý>/<mã đơn vị>.yaml và "
                            "minh chứng trong thư mục <mã đơn vị>/ bên cạnh.", "misplaced")
    if role.period not in layout.periods:
        known = ", ".join(sorted(layout.periods)) or "(chưa có)"
        return _problem(path, "năm học", f"«{role.period}» không phải năm học nào có trong criteria/ "
                        f"(các năm học hiện có: {known}).",
                        "Hãy đặt tệp vào thư mục năm học đúng, ví dụ "
                        f"{unit_folder(max(layout.periods, default='2023-2024'), role.parent, role.unit)}/.",
                        "period-unknown")
    if role.kind == "workbook":  # a body's scoring workbook: its reader checks the body and the units
        return None
    if not layout.registered(role.period, role.parent, role.unit):
        return _problem(path, "đơn vị", f"đơn vị «{role.unit}» không có trong danh sách năm học {role.period} "
                        f"thuộc «{role.parent}» ({units_path(role.period, role.parent)}).",
                        "Hãy kiểm tra mã đơn vị và thư mục đơn vị quản lý. Đơn vị mới cần được người quản trị "
                        "bổ sung vào danh sách trước khi nộp tệp.", "unit-unregistered")
    if role.kind == "evidence":
        first = role.name.split("/", 1)[0]
        if first == REPORTS_FOLDER:
            return _problem(path, "báo cáo theo mốc", f"báo cáo phải nằm trong {REPORTS_FOLDER}/<mã mốc>/<tên tệp>.pdf.",
                            f"Hãy chuyển tệp vào thư mục của mốc, ví dụ {REPORTS_FOLDER}/ke-hoach/.", "misplaced")
        if not role.name.lower().endswith(".pdf"):
            return _problem(path, "minh chứng", "thư mục của đơn vị chỉ chứa tệp PDF (minh chứng) và thư mục "
                            f"{REPORTS_FOLDER}/.", "Hãy chuyển tài liệu sang PDF, hoặc xoá tệp này.", "stray-file")
    return None


def _problem(path: str, subject: str, message: str, fix: str, code: str) -> Problem:
    return Problem(path, 1, 1, subject, message, fix, code)
