"""What awaits review: open pull requests per reviewing body, from GitHub's API as fetched by the
publish workflow (a read-only token) into one JSON file.

The file keeps GitHub's own objects, so a recorded response is a test fixture:

    {"fetched_at": "2026-05-20T01:02:03Z",
     "pulls":    [<pull request objects of GET /repos/{owner}/{repo}/pulls?state=open>],
     "files":    {"<number>": [<file objects of GET /repos/{owner}/{repo}/pulls/{number}/files>]},
     "comments": {"<number>": [<issue comment objects of GET /repos/{owner}/{repo}/issues/{number}/comments>]}}

The validation verdict and the previewed totals come from the report comment pr-comment.yml
posts: its last line is a hidden data line (`data_line`) written by this module from the report,
so nothing is scraped from the Vietnamese text (the line sits just above the footer). Anything in the file that is not in that shape
is skipped, never trusted: the page only shows counts, numbers, ids that match a slug, and text
escaped by the template engine.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.paths import SLUG, classify

DATA_MARKER = "<!-- danh-gia-cntt:du-lieu "
REPORT_MARKER = "<!-- danh-gia-cntt:pr-report -->"
MAX_FILE_BYTES = 50_000_000


def data_line(outcome) -> str:
    """The hidden line at the end of the report comment: verdict and previewed totals."""
    units = []
    for p in outcome.previews:
        if p.state != "ok":
            continue
        basis = p.total if p.reviewed else p.self_total
        units.append(
            {
                "period": p.period,
                "body": p.parent,
                "unit": p.unit,
                "total": None if math.isnan(basis) else basis,
                "max": p.max_total,
            }
        )
    text = json.dumps(
        {"valid": outcome.ok, "errors": outcome.errors, "units": units[:200]}, ensure_ascii=True, separators=(",", ":")
    )
    return DATA_MARKER + text.replace("--", "-\\u002d") + " -->"


@dataclass
class QueueEntry:
    number: int
    title: str
    url: str
    author: str
    created: dt.datetime
    age_days: int
    draft: bool
    verdict: str  # "valid" | "invalid" | "unchecked"
    units: dict = field(default_factory=dict)  # (period, body) -> [unit ids]
    workbooks: set = field(default_factory=set)  # (period, body) whose workbook the PR changes
    totals: dict = field(default_factory=dict)  # unit id -> (total, max)


@dataclass
class Queue:
    fetched_at: dt.datetime | None
    entries: list[QueueEntry]

    def for_body(self, period: str, body: str) -> list[QueueEntry]:
        return [e for e in self.entries if (period, body) in e.units or (period, body) in e.workbooks]


def load(file: Path | None) -> Queue | None:
    """The queue, or None when there is no file or it cannot be read (the page then says so)."""
    if file is None or not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
        return None
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return parse(raw) if isinstance(raw, dict) else None


def _time(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse(raw: dict) -> Queue:
    fetched = _time(raw.get("fetched_at"))
    files, comments = raw.get("files"), raw.get("comments")
    files = files if isinstance(files, dict) else {}
    comments = comments if isinstance(comments, dict) else {}
    entries = []
    for pull in raw.get("pulls") or []:
        entry = _entry(pull, files, comments, fetched)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: e.created)
    return Queue(fetched, entries)


def _entry(pull, files: dict, comments: dict, fetched) -> QueueEntry | None:
    if not isinstance(pull, dict) or pull.get("state", "open") != "open" or not isinstance(pull.get("number"), int):
        return None
    number = pull["number"]
    created = _time(pull.get("created_at"))
    if created is None:
        return None
    url, user = pull.get("html_url"), pull.get("user")
    url = url if isinstance(url, str) and url.startswith("https://") else ""
    user = user if isinstance(user, dict) else {}
    entry = QueueEntry(
        number,
        str(pull.get("title") or "")[:200],
        url,
        str(user.get("login") or "")[:40],
        created,
        max(0, ((fetched or created) - created).days),
        bool(pull.get("draft")),
        "unchecked",
    )
    for item in files.get(str(number)) or []:
        name = item.get("filename") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        role = classify(name)
        if not (SLUG.match(role.period or "-") and SLUG.match(role.parent or "-")):
            continue
        if role.kind == "workbook":
            entry.workbooks.add((role.period, role.parent))
        elif role.kind in ("submission", "review", "evidence", "report") and SLUG.match(role.unit):
            units = entry.units.setdefault((role.period, role.parent), [])
            if role.unit not in units:
                units.append(role.unit)
    report = _last_report(comments.get(str(number)) or [])
    if report is not None:
        entry.verdict = "valid" if report.get("valid") is True else "invalid"
        for unit in report.get("units") or []:
            if isinstance(unit, dict) and isinstance(unit.get("unit"), str) and SLUG.match(unit["unit"]):
                total, maximum = unit.get("total"), unit.get("max")
                if isinstance(total, (int, float)) and isinstance(maximum, (int, float)):
                    entry.totals[unit["unit"]] = (float(total), float(maximum))
    return entry


def _last_report(comments: list) -> dict | None:
    """The data line of the newest report comment posted by a bot (GitHub Actions)."""
    found = None
    for comment in comments:
        if not isinstance(comment, dict):
            continue
        body, user = comment.get("body"), comment.get("user") or {}
        if not isinstance(body, str) or not body.startswith(REPORT_MARKER) or user.get("type") != "Bot":
            continue
        match = re.search("^" + re.escape(DATA_MARKER) + r"(\{[^\n]*\}) -->$", body, re.M)
        if match:
            try:
                data = json.loads(match.group(1))
            except ValueError:
                continue
            if isinstance(data, dict):
                found = data
    return found
