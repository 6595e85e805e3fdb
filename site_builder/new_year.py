"""Start a new school year as data: copy a year's catalogues and registry, dates moved forward.

A new year usually keeps the criteria and the units of the last one; the Department then edits
what changed (a new letter, new dates, units merged or moved). The copy is labelled provisional:
every date and catalogue says it is a proposal until someone replaces it with the official text.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field

import yaml

from site_builder.model import Period
from site_builder.paths import DataRoot

SCHOOL_YEAR = re.compile(r"(\d{4})-(\d{4})\Z")


@dataclass
class NewYear:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def shift_years(period_from: str, period_to: str) -> int:
    a, b = SCHOOL_YEAR.match(period_from), SCHOOL_YEAR.match(period_to)
    if not a or not b:
        raise ValueError("năm học phải có dạng NNNN-NNNN, ví dụ 2026-2027.")
    if int(a.group(2)) != int(a.group(1)) + 1 or int(b.group(2)) != int(b.group(1)) + 1:
        raise ValueError("năm học phải là hai năm liền nhau, ví dụ 2026-2027.")
    return int(b.group(1)) - int(a.group(1))


def _moved(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _title(period_id: str) -> str:
    first, second = period_id.split("-")
    return f"Năm học {first} - {second}"


def proposed_period(
    source: Period, new_id: str, years: int, unit_types: list[str], *, basis: list[str], milestone_source: str
) -> dict:
    """A period file's data copied from `source`: same rating rule and milestones, dates moved by
    `years`, every date marked proposed (`basis` and `milestone_source` say where it comes from)."""
    data = {
        "period": new_id,
        "title": _title(new_id),
        "basis": list(basis),
        "structure": {"area": source.structure.area_label, "tier": source.structure.tier_label},
        "self_assessment": {
            "opens": _moved(source.opens or source.deadline, years).isoformat(),
            "deadline": _moved(source.deadline, years).isoformat(),
            "source": "provisional",
        },
        "milestones": [
            {
                "id": m.id,
                "title": m.title.replace(_plain_years(source.id), _plain_years(new_id)),
                "due": _moved(m.due, years).isoformat(),
                **({"owed_by": [t for t in m.owed_by if t in unit_types]} if m.owed_by else {}),
                "source": milestone_source,
                "provisional": True,
            }
            for m in source.milestones
            if not m.owed_by or any(t in unit_types for t in m.owed_by)
        ],
        "rating": {"levels": [{"label": level.label, "when": dict(level.when)} for level in source.rating]},
    }
    return data


def period_yaml(data: dict) -> str:
    """The period data as YAML; the period id stays a quoted string (as in every year file),
    whatever YAML would infer."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    return re.sub(r"(?m)^period: .*$", f'period: "{data["period"]}"', text, count=1)


def year_text(source: Period, new_id: str, years: int, unit_types: list[str]) -> str:
    """The new period file: same rating rule and milestones, dates moved, all marked proposed."""
    old_title = source.title
    data = proposed_period(
        source,
        new_id,
        years,
        unit_types,
        basis=[
            f"Đề xuất: chép từ {old_title.lower()} (criteria/{source.id}/year.yaml); thay bằng văn bản "
            f"hướng dẫn của năm học {new_id} khi có."
        ],
        milestone_source=f"Đề xuất theo mốc của {old_title.lower()}, chưa có văn bản của năm học {new_id}.",
    )
    header = (
        f"# Kỳ đánh giá: {_title(new_id).lower()} (criteria/{new_id}/)\n"
        f"# Tạo bằng lệnh «site-builder new-year {new_id} --from {source.id}»: mọi ngày là ĐỀ XUẤT (dời "
        f"{years} năm),\n# hãy sửa theo văn bản hướng dẫn của năm học rồi đổi source/provisional.\n"
        "# Các khoá: xem CONTRIBUTING.md, mục “Period”.\n\n"
    )
    return header + period_yaml(data)


def _plain_years(period_id: str) -> str:
    return period_id.replace("-", " - ")


def catalogue_text(
    text: str, old_id: str, new_id: str, *, header: list[str] | None = None, note: str | None = None
) -> str:
    """A catalogue copied for the new year: titles name the new year, points marked proposed.
    `header` (comment lines) and `note` (put before the source note) say where the copy comes from."""
    lines = (
        header
        if header is not None
        else [
            f"# Chép từ criteria/{old_id}/ bằng lệnh «site-builder new-year {new_id} --from {old_id}»: "
            "bộ tiêu chí của năm học mới là ĐỀ XUẤT",
            "# (source: provisional) cho đến khi có văn bản chính thức.",
        ]
    )
    if note is None:
        note = f"Năm học {_plain_years(new_id)}: đề xuất, chép nguyên bộ tiêu chí của năm học {_plain_years(old_id)}. "
    body = re.sub(
        r"(?m)^(title: .*)$", lambda m: m.group(1).replace(_plain_years(old_id), _plain_years(new_id)), text, count=1
    )
    body = re.sub(r"(?m)^# Kỳ đánh giá: .*$", f"# Kỳ đánh giá: {new_id} (chép từ {old_id})", body, count=1)
    body = re.sub(r"(?m)^source: official\s*$", "source: provisional", body)
    body = re.sub(
        r'(?m)^source_note: "',
        lambda _m: 'source_note: "' + note.replace("\\", "\\\\").replace('"', '\\"'),
        body,
        count=1,
    )
    return "\n".join([*lines, ""]) + "\n" + body


def create(root: DataRoot, source: Period, new_id: str, unit_types: list[str] | None = None) -> NewYear:
    years = shift_years(source.id, new_id)
    types = [t for t in (unit_types or list(source.catalogues)) if t in source.catalogues]
    result = NewYear()
    target = root.criteria / new_id
    target.mkdir(parents=True, exist_ok=False)
    (target / "year.yaml").write_text(year_text(source, new_id, years, types), encoding="utf-8")
    result.written.append(root.rel(target / "year.yaml"))
    for unit_type in types:
        old = root.catalogue_file(source.id, unit_type)
        new = root.catalogue_file(new_id, unit_type)
        new.write_text(catalogue_text(old.read_text(encoding="utf-8"), source.id, new_id), encoding="utf-8")
        result.written.append(root.rel(new))
    old_registry, new_registry = root.units_dir(source.id), root.units_dir(new_id)
    if old_registry.is_dir() and not new_registry.exists():
        shutil.copytree(old_registry, new_registry)
        result.written += [root.rel(p) for p in sorted(new_registry.glob("*.yaml"))]
    return result
