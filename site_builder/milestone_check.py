"""Points that need a milestone on time (the plan: 1.1 / 4.1), checked for a pull request.

The validator sees files only, so it can say a plan is missing; whether it came on time needs the
clock. For a pull request the clock is read at the pull request's head: a report already merged
keeps its received time, one the pull request adds counts from a time GitHub vouches for (its
web-editor commit), or else from the merge, which cannot be earlier than today.
"""

from __future__ import annotations

import datetime as dt

from site_builder import messages
from site_builder.clock import Clock
from site_builder.model import Dataset
from site_builder.numbers import as_typed, day
from site_builder.timeliness import LATE, MISSING, milestone_timing


def warnings_for(
    dataset: Dataset,
    period_id: str,
    unit_id: str,
    clock: Clock,
    today: dt.date,
    proposed_paths: frozenset[str] = frozenset(),
) -> list[str]:
    """One Vietnamese sentence per scored criterion whose milestone is missing or late.
    `proposed_paths`: files the pull request adds or changes (not received yet)."""
    period = dataset.periods.get(period_id)
    unit = dataset.registry.unit(period_id, unit_id)
    submission = dataset.submissions.get((period_id, unit_id))
    if period is None or unit is None or submission is None or unit.type not in period.catalogues:
        return []
    notes = []
    for item in period.catalogues[unit.type].items.values():
        entry = submission.entries.get(item.id)
        if not item.requires_milestone or entry is None or entry.score <= 0:
            continue
        milestone = period.milestone(item.requires_milestone)
        report = dataset.reports.get((period_id, unit_id, milestone.id)) if milestone else None
        if milestone is None:
            continue
        timing = milestone_timing(clock, period, unit, milestone, report, today)
        state = timing.status
        if state == "unknown" and report is not None and report.path in proposed_paths and today > milestone.due:
            state = LATE  # not received yet: the earliest it can count is the merge, after the due date
        if state not in (MISSING, LATE):
            continue
        notes.append(
            messages.MILESTONE_LATE_FOR_POINTS.format(
                item=item.id,
                score=as_typed(entry.score),
                title=" ".join(milestone.title.split()),
                what=messages.MILESTONE_STATES[state],
                due=day(milestone.due),
                proposed=messages.PROPOSED_DUE if milestone.provisional else "",
            )
        )
    return notes
