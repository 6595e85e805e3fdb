"""Per-period downloads: two CSV files (UTF-8 with BOM for Excel: one row per unit, and one row per
unit and criterion), XLSX (a sheet per unit type), JSON.

All are written from the same `UnitFact` records as the pages. The JSON shape is documented by
schema/download.schema.json; keys are written in a fixed order so diffs between builds stay
readable. XLSX files carry the build date as their creation date, so rebuilding gives the same bytes.

Demonstration data says so in every file: the JSON's top-level `demo`, and in the CSV and XLSX
files a first column «Dữ liệu minh hoạ» holding "Có" on every row (a column, not a note line
above the header, so that spreadsheets and CSV readers still find the header in the first row).
Dates are ISO text (2024-06-05) in the CSV files and date cells shown dd/mm/yyyy in the XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from site_builder.unit_types import label as type_label
from site_builder.unit_types import order as type_order
from site_builder.website.facts import PeriodFacts, UnitFact
from site_builder.website.text import plain, status_text

FOLDER = "tai-ve"
SCHEMA_VERSION = 3
DEMO_COLUMN = "Dữ liệu minh hoạ"


def columns(facts: PeriodFacts, demo: bool = False) -> list[tuple]:
    """The CSV/XLSX columns of a period: the area column is named as the period names areas, and
    each milestone the period has gets a status column."""
    area = facts.period.structure.area_label or "Địa bàn"
    base = [
        ("Năm học", lambda f: f.period),
        ("Mã đơn vị", lambda f: f.unit.id),
        ("Tên đơn vị", lambda f: f.unit.name),
        ("Loại đơn vị", lambda f: type_label(f.unit.type)),
        ("Cấp học", lambda f: f.unit.level or ""),
        (area, lambda f: f.unit.area),
        ("Mã đơn vị quản lý", lambda f: f.unit.parent),
        ("Đơn vị quản lý", lambda f: f.parent_name),
        ("Trạng thái", lambda f: status_text(f.status, f.proposed)),
        ("Ngày nộp", lambda f: f.received.day if f.received else None),
        ("Tiêu chí thay đổi sau hạn", lambda f: ", ".join(c.id for c in f.timing.late_criteria) if f.timing else ""),
        ("Tổng tự chấm", lambda f: plain(f.self_total)),
        ("Tổng điểm", lambda f: plain(f.total)),
        ("Điểm tối đa", lambda f: plain(f.max_total)),
        ("Tỉ lệ (%)", lambda f: plain(f.percent)),
        ("Xếp loại", lambda f: f.rating),
        ("Hạng trong loại", lambda f: _int(f.rank_type)),
        ("Hạng trong đơn vị quản lý (cùng loại)", lambda f: _int(f.rank_parent)),
        ("Người chấm", lambda f: f.reviewer),
        ("Ngày chấm", lambda f: _date(f.review_date)),
        ("Phiên bản tiêu chí", lambda f: f.criteria_version),
        ("Commit xác nhận thời điểm", lambda f: f.last_commit.sha if f.last_commit else ""),
    ]
    for index, milestone in enumerate(facts.period.milestones):
        base.append((" ".join(milestone.title.split()), _milestone_status(index)))
    return _with_demo(base, demo)


def criteria_columns(facts: PeriodFacts, demo: bool = False) -> list[tuple]:
    """The per-criterion CSV: one row per (unit, criterion), (f, group, item) -> value."""
    cols = [
        ("Năm học", lambda f, g, it: f.period),
        ("Mã đơn vị", lambda f, g, it: f.unit.id),
        ("Tên đơn vị", lambda f, g, it: f.unit.name),
        ("Loại đơn vị", lambda f, g, it: type_label(f.unit.type)),
        ("Mã đơn vị quản lý", lambda f, g, it: f.unit.parent),
        ("Nhóm tiêu chí", lambda f, g, it: g.id),
        ("Tiêu chí", lambda f, g, it: it.id),
        ("Điểm tối đa", lambda f, g, it: plain(it.max)),
        ("Tự chấm", lambda f, g, it: plain(it.self_score)),
        ("Điểm chấm", lambda f, g, it: plain(it.reviewer_score)),
        ("Điểm cuối cùng", lambda f, g, it: plain(it.final)),
        ("Đạt điểm tối đa", lambda f, g, it: "Có" if it.met else "Không"),
        ("Áp dụng", lambda f, g, it: "Có" if it.applicable else "Không"),
        ("Số minh chứng", lambda f, g, it: len(it.evidence)),
    ]
    if demo:
        cols.insert(0, (DEMO_COLUMN, lambda f, g, it: "Có"))
    return cols


def _with_demo(cols: list[tuple], demo: bool) -> list[tuple]:
    return [(DEMO_COLUMN, lambda f: "Có")] + cols if demo else cols


def _date(text: str):
    """A date typed in a data file ("2024-06-12") as a date, else None."""
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _milestone_status(index: int):
    def get(f: UnitFact) -> str:
        ms = f.milestones[index]
        return "" if ms.status == "not_required" else status_text(ms.status, ms.proposed)
    return get


def _int(value):
    value = plain(value)
    return None if value is None else int(value)


def names(period: str) -> dict[str, str]:
    base = f"{FOLDER}/{period}/danh-gia-cntt-{period}"
    return {"csv": base + ".csv", "criteria_csv": base + "-tieu-chi.csv", "xlsx": base + ".xlsx", "json": base + ".json"}


def write_all(site: Path, facts: PeriodFacts, source: dict, commit_url, build_date: dt.datetime,
              demo: bool = False) -> dict[str, str]:
    paths = names(facts.period.id)
    (site / paths["csv"]).parent.mkdir(parents=True, exist_ok=True)
    units = list(facts.units.values())
    write_csv(site / paths["csv"], units, columns(facts, demo))
    write_criteria_csv(site / paths["criteria_csv"], units, criteria_columns(facts, demo))
    write_xlsx(site / paths["xlsx"], facts, build_date, demo)
    write_json(site / paths["json"], facts, source, commit_url, demo)
    return paths


def csv_text(value):
    """A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets
    a leading apostrophe, the usual guard against formula injection; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_text(value)


def write_csv(file: Path, units: list[UnitFact], cols: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in cols])
    for f in units:
        writer.writerow([csv_value(get(f)) for _, get in cols])
    file.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_criteria_csv(file: Path, units: list[UnitFact], cols: list[tuple]) -> None:
    """One row per submitted unit and criterion (units that have not submitted have no scores)."""
    with open(file, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([name for name, _ in cols])
        for f in units:
            if not f.submitted:
                continue
            for g in f.groups:
                for it in g.items:
                    writer.writerow([csv_value(get(f, g, it)) for _, get in cols])


def write_xlsx(file: Path, facts: PeriodFacts, build_date: dt.datetime, demo: bool = False) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(file), {"constant_memory": True, "strings_to_urls": False})
    workbook.set_properties({"title": f"Đánh giá CNTT {facts.period.title}",
                             "created": build_date.replace(tzinfo=None),
                             "comments": "Dữ liệu minh hoạ, không phải kết quả thật." if demo else ""})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    header = workbook.add_format({"bold": True, "bg_color": "#3949AB", "font_color": "#FFFFFF",
                                  "text_wrap": True, "valign": "top", "border": 1})
    by_type: dict[str, list[UnitFact]] = {}
    for f in facts.units.values():
        by_type.setdefault(f.unit.type, []).append(f)
    cols = columns(facts, demo)
    first = 1 if demo else 0  # the columns before the unit's name
    for unit_type in sorted(by_type, key=type_order):
        units = by_type[unit_type]
        catalogue = facts.period.catalogues[unit_type]
        criteria = [item.id for item in catalogue.items.values()]
        sheet = workbook.add_worksheet(type_label(unit_type)[:31])
        titles = [name for name, _ in cols] + [f"Tiêu chí {c}" for c in criteria]
        sheet.set_row(0, 45)
        for col, title in enumerate(titles):
            sheet.write_string(0, col, title, header)
        sheet.set_column(0, first + 1, 14)
        sheet.set_column(first + 2, first + 2, 40)
        sheet.set_column(first + 3, len(titles) - 1, 12)
        sheet.freeze_panes(1, first + 3)
        for row, f in enumerate(units, start=1):
            values = [get(f) for _, get in cols]
            finals = {it.id: it.final for g in f.groups for it in g.items}
            values += [plain(finals.get(c)) for c in criteria]
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(value))
        sheet.autofilter(0, 0, len(units), len(titles) - 1)
    workbook.close()


def _moment(m, commit_url) -> dict | None:
    if m is None:
        return None
    return {"date": m.date.isoformat(), "commit": m.commit, "url": commit_url(m) or None}


def unit_record(f: UnitFact, commit_url) -> dict:
    t = f.timing
    return {
        "id": f.unit.id, "name": f.unit.name, "type": f.unit.type, "level": f.unit.level or None,
        "area": f.unit.area or None, "parent": f.unit.parent, "parent_name": f.parent_name,
        "replaces": list(f.unit.replaces), "status": f.status, "deadline_proposed": f.proposed,
        "submitted": f.submitted, "on_time": f.on_time,
        "received": _moment(t.received if t else None, commit_url),
        "first_received": _moment(t.first if t else None, commit_url),
        "before_opening": bool(t and t.before_opening),
        "late_criteria": [{"id": c.id, "what": c.what, **_moment(c.moment, commit_url)} for c in t.late_criteria]
        if t else [],
        "criteria_version": f.criteria_version,
        "reviewer": f.reviewer or None, "review_date": f.review_date or None,
        "self_total": plain(f.self_total), "total": plain(f.total), "max_total": plain(f.max_total),
        "percent": plain(f.percent), "rating": f.rating or None, "rank_type": _int(f.rank_type),
        "rank_parent": _int(f.rank_parent), "file": f.path if f.submitted else None,
        "file_sha256": f.file_sha256 or None if f.submitted else None,
        "groups": [{"id": g.id, "max": plain(g.max), "self": plain(g.self_score), "final": plain(g.final)}
                   for g in f.groups],
        "criteria": [{
            "id": it.id, "group": it.group, "max": plain(it.max), "self": plain(it.self_score),
            "reviewer": plain(it.reviewer_score), "final": plain(it.final), "met": it.met,
            "applicable": it.applicable,
            "derived": None if not it.derived else {
                "criterion": it.derived["criterion"], "numerator": _int(it.derived["numerator"]),
                "denominator": _int(it.derived["denominator"]), "percent": plain(it.derived["percent"]),
                "band": it.derived["band"] or None},
            "evidence": [_evidence(e) for e in it.evidence],
            "note": it.note or None, "comment": it.comment or None,
            "milestone_warning": it.milestone_warning or None,
        } for g in f.groups for it in g.items],
        "milestones": [{"id": ms.id, "status": ms.status, "proposed": ms.proposed,
                        "first": _moment(ms.timing.first, commit_url),
                        "replaced": _moment(ms.timing.current, commit_url) if ms.timing.replaced else None,
                        "file": _evidence(ms.evidence) if ms.evidence else None} for ms in f.milestones],
    }


def _evidence(e) -> dict:
    if e.kind == "url":
        return {"kind": "url", "ref": e.label, "href": e.href, "size": None, "sha256": None,
                "broken": e.broken or None}
    return {"kind": "pdf", "ref": e.label, "href": e.href or None,
            "size": e.file.size if e.file else None, "sha256": e.file.sha256 if e.file else None, "broken": None}


def write_json(file: Path, facts: PeriodFacts, source: dict, commit_url, demo: bool = False) -> None:
    period = facts.period
    with open(file, "w", encoding="utf-8") as handle:
        head = {"schema_version": SCHEMA_VERSION, "demo": demo, "period": {
            "id": period.id, "title": period.title,
            "opens": period.opens.isoformat() if period.opens else None, "deadline": period.deadline.isoformat(),
            "deadline_source": period.deadline_source,
            "milestones": [{"id": m.id, "title": m.title, "due": m.due.isoformat(), "proposed": m.provisional,
                            "owed_by": list(m.owed_by)} for m in period.milestones]},
            "source": source}
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
        handle.write(text[:-1] + ',"units":[\n')
        for index, f in enumerate(facts.units.values()):
            if index:
                handle.write(",\n")
            handle.write(json.dumps(unit_record(f, commit_url), ensure_ascii=False, separators=(",", ":")))
        handle.write("\n]}\n")
