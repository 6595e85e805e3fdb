"""Per-period downloads: CSV (UTF-8 with BOM for Excel), XLSX (a sheet per unit type), JSON.

All three are written from the same `UnitFact` records as the pages. The JSON shape is documented
by schema/download.schema.json; keys are written in a fixed order so diffs between builds stay
readable. XLSX files carry the build date as their creation date, so rebuilding gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from site_builder.website.facts import PeriodFacts, UnitFact
from site_builder.website.text import STATUS_LABELS, TYPE_ORDER, plain, type_label

FOLDER = "tai-ve"
SCHEMA_VERSION = 1

COLUMNS = [
    ("Năm học", lambda f: f.period),
    ("Mã đơn vị", lambda f: f.unit.id),
    ("Tên đơn vị", lambda f: f.unit.name),
    ("Loại đơn vị", lambda f: type_label(f.unit.type)),
    ("Cấp học", lambda f: f.unit.level or ""),
    ("Quận/huyện", lambda f: f.unit.district),
    ("Đơn vị quản lý", lambda f: f.unit.parent),
    ("Trạng thái", lambda f: STATUS_LABELS[f.status]),
    ("Ngày nộp", lambda f: f.submitted_commit.day.isoformat() if f.submitted_commit else ""),
    ("Tổng tự chấm", lambda f: plain(f.self_total)),
    ("Tổng điểm", lambda f: plain(f.total)),
    ("Điểm tối đa", lambda f: plain(f.max_total)),
    ("Tỉ lệ (%)", lambda f: plain(f.percent)),
    ("Xếp loại", lambda f: f.rating),
    ("Hạng trong loại", lambda f: _int(f.rank_type)),
    ("Hạng trong đơn vị quản lý", lambda f: _int(f.rank_parent)),
    ("Người chấm", lambda f: f.reviewer),
    ("Phiên bản tiêu chí", lambda f: f.criteria_version),
    ("Commit gần nhất", lambda f: f.last_commit.sha if f.last_commit else ""),
]


def _int(value):
    value = plain(value)
    return None if value is None else int(value)


def names(period: str) -> dict[str, str]:
    base = f"{FOLDER}/{period}/danh-gia-cntt-{period}"
    return {"csv": base + ".csv", "xlsx": base + ".xlsx", "json": base + ".json"}


def write_all(site: Path, facts: PeriodFacts, source: dict, commit_url, build_date: dt.datetime) -> dict[str, str]:
    paths = names(facts.period.id)
    (site / paths["csv"]).parent.mkdir(parents=True, exist_ok=True)
    units = list(facts.units.values())
    write_csv(site / paths["csv"], units)
    write_xlsx(site / paths["xlsx"], facts, build_date)
    write_json(site / paths["json"], facts, source, commit_url)
    return paths


def csv_text(value):
    """A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets
    a leading apostrophe, the usual guard against formula injection; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(file: Path, units: list[UnitFact]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNS])
    for f in units:
        writer.writerow(["" if (v := get(f)) is None else csv_text(v) for _, get in COLUMNS])
    file.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_xlsx(file: Path, facts: PeriodFacts, build_date: dt.datetime) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(file), {"constant_memory": True, "strings_to_urls": False})
    workbook.set_properties({"title": f"Đánh giá CNTT {facts.period.title}",
                             "created": build_date.replace(tzinfo=None)})
    header = workbook.add_format({"bold": True, "bg_color": "#3949AB", "font_color": "#FFFFFF",
                                  "text_wrap": True, "valign": "top", "border": 1})
    by_type: dict[str, list[UnitFact]] = {}
    for f in facts.units.values():
        by_type.setdefault(f.unit.type, []).append(f)
    for unit_type in sorted(by_type, key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else 99, t)):
        units = by_type[unit_type]
        catalogue = facts.period.catalogues[unit_type]
        criteria = [item.id for item in catalogue.items.values()]
        sheet = workbook.add_worksheet(type_label(unit_type)[:31])
        titles = [name for name, _ in COLUMNS] + [f"Tiêu chí {c}" for c in criteria]
        sheet.set_row(0, 45)
        for col, title in enumerate(titles):
            sheet.write_string(0, col, title, header)
        sheet.set_column(0, 1, 14)
        sheet.set_column(2, 2, 40)
        sheet.set_column(3, len(titles) - 1, 12)
        sheet.freeze_panes(1, 3)
        for row, f in enumerate(units, start=1):
            values = [get(f) for _, get in COLUMNS]
            finals = {it.id: it.final for g in f.groups for it in g.items}
            values += [plain(finals.get(c)) for c in criteria]
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(value))
        sheet.autofilter(0, 0, len(units), len(titles) - 1)
    workbook.close()


def _commit(c, commit_url):
    if c is None:
        return None
    return {"sha": c.sha, "author": c.author, "date": c.date.isoformat(), "url": commit_url(c) or None}


def unit_record(f: UnitFact, commit_url) -> dict:
    return {
        "id": f.unit.id, "name": f.unit.name, "type": f.unit.type, "level": f.unit.level or None,
        "district": f.unit.district, "parent": f.unit.parent, "status": f.status, "submitted": f.submitted,
        "submitted_commit": _commit(f.submitted_commit, commit_url), "on_time": f.on_time,
        "last_commit": _commit(f.last_commit, commit_url), "criteria_version": f.criteria_version,
        "reviewer": f.reviewer or None, "review_date": f.review_date or None,
        "self_total": plain(f.self_total), "total": plain(f.total), "max_total": plain(f.max_total),
        "percent": plain(f.percent), "rating": f.rating or None, "rank_type": _int(f.rank_type),
        "rank_parent": _int(f.rank_parent), "file": f.path if f.submitted else None,
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
        } for g in f.groups for it in g.items],
        "milestones": [{"id": ms.id, "status": ms.status,
                        "date": ms.commit.date.isoformat() if ms.commit else None,
                        "file": _evidence(ms.evidence) if ms.evidence else None} for ms in f.milestones],
    }


def _evidence(e) -> dict:
    if e.kind == "url":
        return {"kind": "url", "ref": e.label, "href": e.href, "size": None, "sha256": None,
                "broken": e.broken or None}
    return {"kind": "pdf", "ref": e.label, "href": e.href or None,
            "size": e.file.size if e.file else None, "sha256": e.file.sha256 if e.file else None, "broken": None}


def write_json(file: Path, facts: PeriodFacts, source: dict, commit_url) -> None:
    period = facts.period
    with open(file, "w", encoding="utf-8") as handle:
        head = {"schema_version": SCHEMA_VERSION, "period": {
            "id": period.id, "title": period.title, "deadline": period.deadline.isoformat(),
            "deadline_source": period.deadline_source,
            "milestones": [{"id": m.id, "title": m.title, "due": m.due.isoformat()} for m in period.milestones]},
            "source": source}
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
        handle.write(text[:-1] + ',"units":[\n')
        for index, f in enumerate(facts.units.values()):
            if index:
                handle.write(",\n")
            handle.write(json.dumps(unit_record(f, commit_url), ensure_ascii=False, separators=(",", ":")))
        handle.write("\n]}\n")
