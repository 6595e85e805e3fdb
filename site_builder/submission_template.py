"""A unit's commented self-assessment template, generated from the catalogue.

The clerk edits this file in GitHub's web editor, so everything needed to fill it in (criterion
text, max points, step, evidence asked) is written next to the line to edit, and the first line
points editors at the catalogue-specific schema for autocompletion. Never hand-copied: a catalogue
change changes every template.
"""

from __future__ import annotations

import functools
import posixpath
import textwrap
from urllib.parse import quote

from site_builder.messages import EVIDENCE_KIND_LABELS
from site_builder.model import Catalogue, Item, Period, Unit
from site_builder.numbers import as_typed
from site_builder.paths import editor_schema_path, report_folder, submission_path, unit_folder

WIDTH = 100
URL_LIMIT = 8000  # GitHub answers 414 above 8,191 bytes of URL


def schema_reference(period: str, parent: str, unit: str, unit_type: str, site_url: str = "") -> str:
    """What the file's first line points yaml-language-server at: the schema published on the
    site (`site_url`, when the organisation has one), else its path relative to the file (a clone)."""
    if site_url:
        return f"{site_url}/{editor_schema_path(period, unit_type)}"
    folder = posixpath.dirname(submission_path(period, parent, unit))
    return posixpath.relpath(editor_schema_path(period, unit_type), folder)


def render_template(period: Period, catalogue: Catalogue, unit: Unit, compact: bool = False, site_url: str = "") -> str:
    """The YAML text of `unit`'s new file for `period`: valid as is (every score 0).
    `compact` drops the criterion texts (the editor schema still shows them on hover) so the
    template fits in a GitHub "new file" link."""
    ref = schema_reference(period.id, unit.parent, unit.id, catalogue.unit_type, site_url)
    lines = [f"# yaml-language-server: $schema={ref}"]
    if compact:
        return "\n".join(lines + _compact_body(period, catalogue, unit)) + "\n"
    lines += _comment(f"Bài tự đánh giá {period.title} — {unit.name} (mã {unit.id}).")
    lines += _comment(f"{catalogue.title}. Căn cứ: {catalogue.basis or catalogue.version}.")
    lines += _comment(
        "Cách điền: với mỗi tiêu chí, thay số 0 ở «diem_tu_cham» bằng điểm đơn vị tự chấm "
        f"(từ 0 đến điểm tối đa, bước {as_typed(catalogue.score_step)}, dùng dấu chấm: 4.5); "
        "ghi tên tệp PDF hoặc đường link vào «minh_chung»; có thể thêm «ghi_chu». "
        "Các dòng bắt đầu bằng dấu # chỉ để hướng dẫn, không cần xoá."
    )
    lines += _comment(
        f"Tệp PDF minh chứng tải lên thư mục {unit_folder(period.id, unit.parent, unit.id)}/ (cùng chỗ với tệp này)."
    )
    lines += [
        f"don_vi: {unit.id}",
        f'nam_hoc: "{period.id}"',
        "tieu_chi:",
    ]
    lines += _criteria_lines(catalogue)
    lines += _reports(period, unit)
    return "\n".join(lines) + "\n"


_CRITERIA_LINES: dict[int, tuple[Catalogue, list[str]]] = {}


def _criteria_lines(catalogue: Catalogue) -> list[str]:
    """The groups and criteria of a template: the same for every unit of the catalogue, so made
    once per catalogue (a site build writes one template per unit that has not submitted)."""
    found = _CRITERIA_LINES.get(id(catalogue))
    if found is None or found[0] is not catalogue:  # the object is kept: its id is not reused
        lines: list[str] = []
        for group in catalogue.groups:
            lines.append("")
            lines += _comment(f"Nhóm {group.id}. {group.title} (tối đa {as_typed(group.max)} điểm)", indent=2)
            for item in group.items:
                lines += _item_lines(item, catalogue)
        if len(_CRITERIA_LINES) >= 64:
            _CRITERIA_LINES.clear()
        found = _CRITERIA_LINES[id(catalogue)] = (catalogue, lines)
    return found[1]


def _compact_body(period: Period, catalogue: Catalogue, unit: Unit) -> list[str]:
    lines = _comment(
        f"Bài tự đánh giá {period.title} — {unit.name}. Điền điểm từ 0 đến điểm tối đa, "
        f"bước {as_typed(catalogue.score_step)}; nội dung tiêu chí xem trên trang Bộ tiêu chí."
    )
    lines += [f"don_vi: {unit.id}", f'nam_hoc: "{period.id}"', "tieu_chi:"]
    for item in catalogue.items.values():
        if item.derived:
            lines.append(f"  # {item.id}: tính tự động, không ghi")
            continue
        lines += [f'  "{item.id}":', f"    diem_tu_cham: 0  # tối đa {as_typed(item.max)}"]
        if item.evidence:
            lines.append("    minh_chung: []")
    return lines


def new_file_base(repository: str, branch: str, period: Period, unit: Unit) -> str:
    """GitHub's "create new file" link with the file name, before any `&value=`."""
    folder = posixpath.dirname(submission_path(period.id, unit.parent, unit.id))
    return f"{repository.rstrip('/')}/new/{quote(branch)}/{quote(folder)}?filename={quote(unit.id + '.yaml')}"


def prefill_text(base_url: str, period: Period, catalogue: Catalogue, unit: Unit, site_url: str = "") -> str:
    """The template to put in the link: the full one when the link stays under GitHub's URL
    limit, else the compact one (criterion texts then come from the editor schema's hover)."""
    full = render_template(period, catalogue, unit, site_url=site_url)
    if len(base_url) + len("&value=") + _quoted_length(full) <= URL_LIMIT:
        return full
    return render_template(period, catalogue, unit, compact=True, site_url=site_url)


_UNQUOTED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"  # quote(..., safe="") keeps these


def _quoted_length(text: str) -> int:
    """len(quote(text, safe="")) without building it: 1 character per byte `quote` keeps, 3 per
    byte it escapes (quoting a whole template per unit was a fifth of gathering a year's facts)."""
    raw = text.encode("utf-8")
    escaped = len(raw.translate(None, _UNQUOTED))
    return len(raw) + 2 * escaped


def new_file_url(
    repository: str, branch: str, period: Period, catalogue: Catalogue, unit: Unit, site_url: str = ""
) -> str:
    """The complete "create new file" link, template included."""
    base = new_file_base(repository, branch, period, unit)
    return f"{base}&value={quote(prefill_text(base, period, catalogue, unit, site_url), safe='')}"


def report_upload_url(repository: str, branch: str, period: str, parent: str, unit: str, milestone: str) -> str:
    """GitHub's "upload files" page on the milestone's folder (GitHub creates the folder on commit):
    the clerk drops one PDF there, whatever its name."""
    return f"{repository.rstrip('/')}/upload/{quote(branch)}/{quote(report_folder(period, parent, unit, milestone))}"


def edit_url(repository: str, branch: str, period: str, parent: str, unit: str) -> str:
    """GitHub's editor on the unit's existing file (the "Sửa" link)."""
    return f"{repository.rstrip('/')}/edit/{quote(branch)}/{quote(submission_path(period, parent, unit))}"


def _item_lines(item: Item, catalogue: Catalogue) -> list[str]:
    lines = _comment(f"{item.id}. {item.text}", indent=2)
    if item.derived:
        lines += _comment(
            f"Tối đa {as_typed(item.max)} điểm. Tiêu chí này được TÍNH TỰ ĐỘNG từ tỷ lệ đơn vị trực "
            f"thuộc đạt tiêu chí {item.derived.criterion}; đơn vị không tự chấm, không ghi vào tệp.",
            indent=2,
            hang=2,
        )
        for band in item.derived.bands:
            lines += _comment(
                f"- {band.text or band.id}: {as_typed(round(item.max * band.factor, 2))} điểm", indent=2, hang=2
            )
        return lines
    facts = [f"Tối đa {as_typed(item.max)} điểm, bước {as_typed(catalogue.score_step)}."]
    if item.mandatory:
        facts.append("Tiêu chí bắt buộc đạt để được xếp loại cao.")
    lines += _comment(" ".join(facts), indent=2, hang=2)
    if item.evidence:
        kinds = " hoặc ".join(EVIDENCE_KIND_LABELS.get(k, k) for k in item.evidence.kinds)
        need = "bắt buộc khi chấm trên 0 điểm" if item.evidence.required else "không bắt buộc"
        lines += _comment(
            f"Minh chứng ({need}): {kinds}" + (f" — {item.evidence.text}" if item.evidence.text else ""),
            indent=2,
            hang=2,
        )
    else:
        lines += _comment("Tiêu chí này không yêu cầu minh chứng.", indent=2, hang=2)
    lines += [f'  "{item.id}":', "    diem_tu_cham: 0"]
    if item.evidence:
        lines.append("    minh_chung: []")
    lines.append('    # ghi_chu: "..."')
    return lines


def _reports(period: Period, unit: Unit) -> list[str]:
    owed = period.owed_milestones(unit.type)
    if not owed:
        return []
    lines = [""]
    lines += _comment(
        "Kế hoạch và báo cáo theo mốc KHÔNG ghi vào tệp này: mỗi báo cáo là một tệp PDF nộp riêng "
        "(có thể nộp trước bài tự đánh giá), tải lên thư mục của mốc:"
    )
    for milestone in owed:
        folder = report_folder(period.id, unit.parent, unit.id, milestone.id)
        proposed = " (hạn đề xuất)" if milestone.provisional else ""
        lines += _comment(
            f"- {' '.join(milestone.title.split())}, hạn {milestone.due.strftime('%d/%m/%Y')}{proposed}: {folder}/",
            hang=2,
        )
    return lines


def _comment(text: str, indent: int = 0, hang: int = 0) -> list[str]:
    """Wrapped comment lines; `hang` indents the text after the # (details under a criterion)."""
    return list(_wrapped(text, indent, hang))


@functools.lru_cache(maxsize=8192)
def _wrapped(text: str, indent: int, hang: int) -> tuple[str, ...]:
    """Criterion texts repeat in every template of a unit type: wrapped once each."""
    prefix = " " * indent + "# " + " " * hang
    flat = " ".join(text.split())
    return tuple(
        textwrap.wrap(
            flat,
            width=WIDTH,
            initial_indent=prefix,
            subsequent_indent=prefix + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        or [prefix.rstrip()]
    )
