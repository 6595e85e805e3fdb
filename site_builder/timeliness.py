"""On time or late: what the clock says about each filing of a period.

The rule (explained to the public on the methodology page):

* A self-assessment is received when the version that is scored was received: every criterion's
  self-score and evidence list, and every evidence PDF it cites, as they are now. A stub filed
  before the deadline and completed after it is late, and the page says which criteria changed
  after the deadline and when. Notes (`ghi_chu`) do not count: they do not change a score.
* Times come from the clock (`site_builder.clock`): only times GitHub vouches for.
* A filing before the window opens (`opens` in the year file) is a draft until the window opens:
  it counts as received on the opening day; while the window is not open yet, it is a draft.
* A milestone report is filed when its first PDF was received; a report replaced later keeps its
  first time, and the replacement's time is shown beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from site_builder.clock import Clock, Moment
from site_builder.model import Milestone, Period, Report, Submission, Unit
from site_builder.yamlfile import parse_yaml

ON_TIME, LATE, DRAFT, UNKNOWN, MISSING, PENDING, NOT_REQUIRED = (
    "on_time",
    "late",
    "draft",
    "unknown",
    "missing",
    "pending",
    "not_required",
)


@dataclass(frozen=True)
class CriterionChange:
    """A criterion whose scored value (self-score, evidence list, or a cited PDF) was received after the deadline."""

    id: str
    moment: Moment
    what: str  # Vietnamese: "điểm tự chấm", "danh sách minh chứng", "tệp ke-hoach.pdf"


@dataclass
class SubmissionTiming:
    status: str  # on_time | late | draft | unknown
    received: Moment | None = None  # when the scored version was complete
    first: Moment | None = None  # when the unit's file was first received
    before_opening: bool = False  # received before the window opened (counts from `opens`)
    late_criteria: list[CriterionChange] = field(default_factory=list)


@dataclass
class MilestoneTiming:
    milestone: Milestone
    status: str  # on_time | late | missing | pending | not_required | unknown
    first: Moment | None = None  # first report received
    current: Moment | None = None  # the report now in place, when it replaced an earlier one
    path: str = ""  # the report now in place

    @property
    def replaced(self) -> bool:
        return self.first is not None and self.current is not None and self.current.timestamp > self.first.timestamp


def data_day(clock: Clock, fallback: dt.date) -> dt.date:
    """ "Today" for the data: the newest time the clock vouches for (a later build does not move it)."""
    latest = clock.latest() if clock.available else None
    return latest.day if latest is not None else fallback


def submission_timing(clock: Clock, period: Period, submission: Submission, today: dt.date) -> SubmissionTiming:
    if not clock.available:
        return SubmissionTiming(UNKNOWN)
    current = clock.current(submission.path)
    versions = clock.versions(submission.path)
    first = _earliest(v.received for v in versions)
    if current is None:
        return SubmissionTiming(UNKNOWN, first=first)
    times = _criterion_times(clock, submission, current, versions, period.deadline)
    if any(moment is None for moment, _what in times.values()):
        return SubmissionTiming(UNKNOWN, first=first)
    received = max((m for m, _w in times.values()), key=lambda m: m.timestamp, default=current.received)
    if received is None:
        return SubmissionTiming(UNKNOWN, first=first)
    opens = period.opens
    if opens is not None and today < opens:
        return SubmissionTiming(DRAFT, received, first, before_opening=True)
    before_opening = opens is not None and received.day < opens
    late = [CriterionChange(cid, moment, what) for cid, (moment, what) in times.items() if moment.day > period.deadline]
    late.sort(key=lambda c: (c.moment.timestamp, _order(c.id)))
    status = LATE if received.day > period.deadline else ON_TIME
    return SubmissionTiming(status, received, first, before_opening, late)


def _criterion_times(clock: Clock, submission: Submission, current, versions, deadline: dt.date) -> dict[str, tuple]:
    """criterion id -> (moment its current value was received, what changed last), combining the
    file's versions (score and evidence list) with the cited PDFs' own times.

    Older versions are read only when they can matter: when the current version came after the
    deadline, each criterion may still hold a value received before it."""
    now = _values(submission)
    if len(versions) <= 1 or _on_time(current, deadline):
        value_times = {cid: (current.received, "điểm tự chấm") for cid in now}
    else:
        value_times = _times_from_versions(clock, now, versions)
    evidence_dir = submission.evidence_dir()
    received: dict[str, Moment | None] = {}  # file -> when its current version came: a plan PDF backs many criteria
    times = {}
    for cid, (moment, what) in value_times.items():
        latest, latest_what = moment, what
        for ref in now[cid][1]:
            if ref.startswith(("http://", "https://")):
                continue
            if ref not in received:
                version = clock.current(f"{evidence_dir}/{ref}")
                received[ref] = version.received if version else None
            pdf_moment = received[ref]
            if pdf_moment is None or latest is None:
                latest = None
                break
            if pdf_moment.timestamp > latest.timestamp:
                latest, latest_what = pdf_moment, f"tệp {ref}"
        times[cid] = (latest, latest_what)
    return times


def _on_time(current, deadline: dt.date) -> bool:
    """The current version was received by the deadline: every criterion's value is at most as
    old as it, so none can be late (its own earlier times would only be earlier)."""
    return current.received is not None and current.received.day <= deadline


def _times_from_versions(clock: Clock, now: dict, versions) -> dict[str, tuple]:
    """For each criterion, the earliest received version of the file holding its current value,
    and what that version changed (the score, or only the evidence list)."""
    found: dict[str, tuple] = {cid: (None, "điểm tự chấm") for cid in now}
    previous: dict[str, tuple] = {}
    vouched = sorted((v for v in versions if v.received is not None), key=lambda v: v.received.timestamp)
    for version in vouched:
        values = _values_of_blob(clock.read(version.blob), version.path)
        if values is None:
            continue
        for cid, value in now.items():
            if found[cid][0] is None and values.get(cid, ABSENT) == value:
                before = previous.get(cid, ABSENT)
                what = "danh sách minh chứng" if before[0] == value[0] else "điểm tự chấm"
                found[cid] = (version.received, what)
        previous = values
    return found


ABSENT = (None, ())


def _values(submission: Submission) -> dict[str, tuple]:
    return {cid: (entry.score, tuple(r.strip() for r in entry.evidence)) for cid, entry in submission.entries.items()}


def _values_of_blob(raw: bytes, path: str) -> dict[str, tuple] | None:
    doc = parse_yaml(raw, path)
    criteria = doc.data.get("tieu_chi") if isinstance(doc.data, dict) else None
    if not isinstance(criteria, dict):
        return None
    values = {}
    for cid, entry in criteria.items():
        if not isinstance(entry, dict):
            continue
        score = entry.get("diem_tu_cham")
        score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
        refs = entry.get("minh_chung")
        refs = refs if isinstance(refs, list) else []
        values[str(cid)] = (score, tuple(r.strip() for r in refs if isinstance(r, str)))
    return values


def milestone_timing(
    clock: Clock, period: Period, unit: Unit, milestone: Milestone, report: Report | None, today: dt.date
) -> MilestoneTiming:
    if not milestone.owed(unit.type):
        return MilestoneTiming(milestone, NOT_REQUIRED)
    if report is None:
        return MilestoneTiming(milestone, MISSING if today > milestone.due else PENDING)
    if not clock.available:
        return MilestoneTiming(milestone, UNKNOWN, path=report.path)
    folder = report.path.rsplit("/", 1)[0]
    first = _earliest(v.received for p in clock.paths_under(folder) for v in clock.versions(p))
    current = clock.current(report.path)
    now = current.received if current else None
    if first is None or now is None:
        return MilestoneTiming(milestone, UNKNOWN, first, now, report.path)
    status = ON_TIME if first.day <= milestone.due else LATE
    return MilestoneTiming(milestone, status, first, now, report.path)


def _earliest(moments) -> Moment | None:
    found = [m for m in moments if m is not None]
    return min(found, key=lambda m: m.timestamp) if found else None


def _order(cid: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in cid.split("."))
