"""Reminders before each due date (đôn đốc): per reviewing body, the units that have not filed what
they owe next (a milestone report, or the self-assessment), and after the date the final list.

"Filed by day D" is the clock's answer on the data as of the run: the earliest time GitHub vouches
for a version of the unit's file (self-assessment) or of a PDF in its report folder (milestone)
is on or before D (Vietnam calendar day). A filing the clock cannot date (no trusted signature)
counts as filed: a reminder must never accuse a unit that has filed.

When to remind is data: `reminders: {days_before: [7, 2]}` in the year file (default [7, 2]).
Between the first reminder day and the due date the list is kept up to date (`notify` is true
on the listed days only, when the workflow posts a comment that mentions people); during
FINAL_DAYS after the due date the final list of who is late is given, once, and the issue closed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from site_builder import markdown_text as md
from site_builder.clock import Clock
from site_builder.github_limits import COMMENT_LIMIT, Lines, comment_length
from site_builder.model import Dataset, Period, Unit
from site_builder.submission_template import new_file_base, report_upload_url
from site_builder.yamlfile import read_yaml

DEFAULT_DAYS = (7, 2)
FINAL_DAYS = 3
SELF_ASSESSMENT = "tu-danh-gia"
LABEL_PREFIX = "nhắc việc"


@dataclass(frozen=True)
class Due:
    id: str  # SELF_ASSESSMENT or a milestone id
    title: str
    due: dt.date
    owed_by: tuple[str, ...]  # empty = every unit type with a catalogue
    provisional: bool = False

    def owed(self, unit: Unit) -> bool:
        return not self.owed_by or unit.type in self.owed_by


@dataclass
class Section:
    due: Due
    kind: str  # "reminder" | "final"
    days_left: int
    owing: list[Unit]
    not_filed: list[Unit] = field(default_factory=list)
    late: list[Unit] = field(default_factory=list)  # final only: filed after the due date


@dataclass
class Notice:
    period: str
    body: str
    label: str
    title: str
    text: str
    state: str  # "open" (keep the issue open, update it) | "close" (all filed) | "final" (post, then close)
    notify: bool
    sections: list[Section]

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "body": self.body,
            "label": self.label,
            "title": self.title,
            "body_markdown": self.text,
            "state": self.state,
            "notify": self.notify,
            "units": sorted({u.id for s in self.sections for u in s.not_filed + s.late}),
            "sections": [
                {
                    "id": s.due.id,
                    "due": s.due.due.isoformat(),
                    "kind": s.kind,
                    "days_left": s.days_left,
                    "owing": len(s.owing),
                    "not_filed": [u.id for u in s.not_filed],
                    "late": [u.id for u in s.late],
                }
                for s in self.sections
            ],
        }


def days_before(root, period: Period) -> tuple[int, ...]:
    """`reminders.days_before` of the year file (validated by schema/year.schema.json)."""
    doc = read_yaml(root.year_file(period.id), root.rel(root.year_file(period.id)))
    found = (doc.data.get("reminders") or {}).get("days_before") if isinstance(doc.data, dict) else None
    return tuple(sorted({int(d) for d in found}, reverse=True)) if found else DEFAULT_DAYS


def dues(period: Period) -> list[Due]:
    items = [
        Due(
            SELF_ASSESSMENT,
            f"Bài tự đánh giá {period.title.lower()}",
            period.deadline,
            (),
            period.deadline_source == "provisional",
        )
    ]
    items += [Due(m.id, m.title, m.due, m.owed_by, m.provisional) for m in period.milestones]
    return sorted(items, key=lambda d: (d.due, d.id))


def first_received(clock: Clock, dataset: Dataset, period: Period, unit: Unit, due: Due):
    """(exists now, earliest vouched moment or None)."""
    if due.id == SELF_ASSESSMENT:
        submission = dataset.submissions.get((period.id, unit.id))
        if submission is None:
            return False, None
        moments = [v.received for v in clock.versions(submission.path) if v.received] if clock.available else []
    else:
        report = dataset.reports.get((period.id, unit.id, due.id))
        if report is None:
            return False, None
        folder = report.path.rsplit("/", 1)[0]
        moments = (
            [v.received for p in clock.paths_under(folder) for v in clock.versions(p) if v.received]
            if clock.available
            else []
        )
    return True, min(moments, key=lambda m: m.timestamp) if moments else None


def filed_by(clock: Clock, dataset: Dataset, period: Period, unit: Unit, due: Due, day: dt.date) -> bool:
    exists, moment = first_received(clock, dataset, period, unit, due)
    if not exists:
        return False
    return moment is None or moment.day <= day


def label(period: str, body: str) -> str:
    """One GitHub label per body and period (at most 50 characters, as GitHub allows)."""
    text = f"{LABEL_PREFIX} {period} {body}"
    if len(text) <= 50:
        return text
    digest = hashlib.sha256(body.encode()).hexdigest()[:8]
    return f"{LABEL_PREFIX} {period} {body[: 50 - len(LABEL_PREFIX) - len(period) - 12]}-{digest}"


def notices(root, dataset: Dataset, clock: Clock, day: dt.date, days: int | None = None) -> list[Notice]:
    """Every notice due on `day`: per period and reviewing body, in registry order."""
    found = []
    org = dataset.registry.organization
    for period in sorted((p for p in dataset.periods.values() if p.catalogues), key=lambda p: (p.deadline, p.id)):
        registry = dataset.registry.periods.get(period.id)
        if registry is None:
            continue
        wanted = (days,) if days is not None else days_before(root, period)
        window = max(wanted)
        active = []
        for due in dues(period):
            left = (due.due - day).days
            if 0 <= left <= window:
                active.append((due, "reminder", left))
            elif -FINAL_DAYS <= left < 0:
                active.append((due, "final", left))
        if not active:
            continue
        for body in registry.bodies:
            units = [u for u in registry.children(body) if u.type in period.catalogues]
            sections = []
            for due, kind, left in active:
                owing = [u for u in units if due.owed(u)]
                if not owing:
                    continue
                section = Section(due, kind, left, owing)
                for unit in owing:
                    if kind == "reminder":
                        if not filed_by(clock, dataset, period, unit, due, day):
                            section.not_filed.append(unit)
                    elif not filed_by(clock, dataset, period, unit, due, due.due):
                        (
                            section.late if filed_by(clock, dataset, period, unit, due, day) else section.not_filed
                        ).append(unit)
                sections.append(section)
            if not sections:
                continue
            finals = all(s.kind == "final" for s in sections)
            pending = any(s.not_filed for s in sections if s.kind == "reminder")
            state = "final" if finals else ("open" if pending else "close")
            notify = any(s.kind == "reminder" and s.days_left in wanted and s.not_filed for s in sections)
            title = f"Nhắc việc {period.title.lower()}: {registry.body_name(body)}"
            text = render(org, period, registry, body, sections, day)
            found.append(Notice(period.id, body, label(period.id, body), title, text, state, notify, sections))
    return found


def render(org, period: Period, registry, body: str, sections: list[Section], day: dt.date) -> str:
    doc = Lines(COMMENT_LIMIT, comment_length, reserve=2000)
    doc.force(
        f"**{md.inline(registry.body_name(body), 200)}** — {md.inline(period.title)}, tình hình ngày "
        f"{_day(day)} (theo thời điểm GitHub xác nhận).",
        "",
    )
    repo, branch = (org.repository or "").rstrip("/"), org.branch or "main"
    for section in sections:
        due = section.due
        proposed = " (hạn đề xuất)" if due.provisional else ""
        if section.kind == "reminder":
            when = "hôm nay là hạn cuối" if section.days_left == 0 else f"còn {section.days_left} ngày"
            doc.force(f"### {md.inline(due.title, 300)} — hạn {_day(due.due)}{proposed}, {when}", "")
            if not section.not_filed:
                doc.force(f"✅ Tất cả {len(section.owing)} đơn vị đã nộp.", "")
                continue
            doc.force(f"Còn **{len(section.not_filed)}/{len(section.owing)}** đơn vị chưa nộp:", "")
            _units(doc, section.not_filed, period, due, repo, branch)
        else:
            doc.force(f"### {md.inline(due.title, 300)} — đã hết hạn {_day(due.due)}{proposed}: danh sách cuối", "")
            if not section.not_filed and not section.late:
                doc.force(f"✅ Tất cả {len(section.owing)} đơn vị đã nộp đúng hạn.", "")
                continue
            if section.not_filed:
                doc.force(f"**Chưa nộp ({len(section.not_filed)}/{len(section.owing)}):**", "")
                _units(doc, section.not_filed, period, due, repo, branch)
            if section.late:
                doc.force(
                    f"**Nộp sau hạn ({len(section.late)}/{len(section.owing)}):** "
                    + ", ".join(f"{md.inline(u.name, 200)} ({md.code(u.id, 100)})" for u in section.late),
                    "",
                )
    reviewers = registry.bodies[body].reviewers if body in registry.bodies else ()
    doc.reserve = 0
    doc.force(
        f"Người chấm của đơn vị quản lý: {' '.join('@' + r for r in reviewers) or '(chưa khai báo)'}.",
        "",
        "<sub>Danh sách tự động cập nhật mỗi ngày; đơn vị nộp xong sẽ tự ra khỏi danh sách. "
        "Thời điểm nộp chỉ tính theo chữ ký của GitHub.</sub>",
    )
    return doc.text()


def _units(doc: Lines, units: list[Unit], period: Period, due: Due, repo: str, branch: str) -> None:
    rows = ["| Đơn vị | Người soạn | Nộp |", "|---|---|---|"]
    for unit in units:
        link = _link(unit, period, due, repo, branch)
        editors = " ".join(f"@{e}" for e in unit.editors) or "(chưa khai báo)"
        rows.append(f"| {md.cell(unit.name)} ({md.cell_code(unit.id)}) | {editors} | {link} |")
    shown = 0
    for row in rows:
        if not doc.add(row):
            break
        shown += 1
    doc.force("")
    if shown < len(rows):
        doc.force(f"… và {len(rows) - shown} đơn vị khác (nội dung đã đến giới hạn của GitHub).", "")


def _link(unit: Unit, period: Period, due: Due, repo: str, branch: str) -> str:
    if not repo:
        return "—"
    if due.id == SELF_ASSESSMENT:
        return f"[Nộp bài](<{new_file_base(repo, branch, period, unit)}>)"
    return f"[Nộp báo cáo](<{report_upload_url(repo, branch, period.id, unit.parent, unit.id, due.id)}>)"


def _day(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"
