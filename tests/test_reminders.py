"""`site-builder reminders` on the demo's replayed history: for a chosen day, exactly the units
that had not filed by then, checked against the demo's own timeline (the web-editor commits the
replay signed) and against the clock; the final list after the due date; the year file's days."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from site_builder.clock import VIETNAM, read_clock
from site_builder.paths import DataRoot
from site_builder.reminders import FINAL_DAYS, label
from tests.demo_repo import PROJECT, replayed_demo

sys.path.insert(0, str(PROJECT / "benchmarks"))
import demo_data  # noqa: E402

PERIOD = "2023-2024"
DUE = dt.date(2024, 6, 7)  # self-assessment deadline and the year-end report (tong-ket)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return replayed_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def timeline():
    return demo_data.build_demo()


def run(repo, *args):
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(repo), "reminders", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def sections(repo, day: dt.date, *extra) -> dict[str, dict]:
    """Section id -> {"kind", "not_filed", "late"} summed over every body of the period."""
    result = run(repo, "--date", day.isoformat(), "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    found: dict[str, dict] = {}
    for notice in data["notices"]:
        if notice["period"] != PERIOD:
            continue
        assert notice["label"] == label(PERIOD, notice["body"]) and len(notice["label"]) <= 50
        for section in notice["sections"]:
            entry = found.setdefault(section["id"], {"kind": section["kind"], "not_filed": set(), "late": set()})
            entry["not_filed"] |= set(section["not_filed"])
            entry["late"] |= set(section["late"])
    return found


def first_filed(timeline, what: tuple[str, ...]) -> dict[str, dt.date]:
    """unit -> day (Vietnam) of its first signed web-editor commit of that kind, from the demo's timeline."""
    found = {}
    for event in timeline.events:
        if event.period == PERIOD and event.kind == "pr" and event.what in what:
            day = min(c.when for c in event.commits).astimezone(VIETNAM).date()
            found[event.unit] = min(day, found.get(event.unit, day))
    return found


def registered(timeline) -> set[str]:
    return {u.id for file in timeline.registries[PERIOD].values() for u in file.units}


def pushed(timeline) -> set[str]:
    """Units whose filing reached main as unsigned pushed commits: dated by the clock only."""
    return {e.unit for e in timeline.events if e.period == PERIOD and e.kind == "push"}


@pytest.mark.slow
def test_reminder_lists_exactly_the_units_not_filed_by_the_day(demo, timeline):
    day = DUE - dt.timedelta(days=4)
    found = sections(demo, day, "--days", "4")
    assert set(found) == {"tu-danh-gia", "tong-ket"} and {s["kind"] for s in found.values()} == {"reminder"}
    filed = first_filed(timeline, ("self-assessment", "stub"))
    expected = {u for u in registered(timeline) if u not in filed or filed[u] > day}
    unclear = pushed(timeline)
    assert found["tu-danh-gia"]["not_filed"] - unclear == expected - unclear
    assert 0 < len(expected) < len(registered(timeline))  # a day that tells filed from not filed
    reports = first_filed(timeline, ("report:tong-ket",))
    assert found["tong-ket"]["not_filed"] >= {u for u in reports if reports[u] > day}
    assert not found["tong-ket"]["not_filed"] & {u for u in reports if reports[u] <= day}

    # the same answer from the clock itself: the earliest vouched version of each unit's file
    root = DataRoot(demo)
    keys = [k for k in (root.signer_key(n) for n in ("github-web-flow", "minh-hoa")) if k]
    with read_clock(demo, keys) as clock:
        by_clock = set()
        for unit in registered(timeline):
            paths = [p for p in clock.paths_under(f"submissions/{PERIOD}") if p.endswith(f"/{unit}.yaml")]
            times = [v.received for p in paths for v in clock.versions(p) if v.received]
            if not times or min(t.day for t in times) > day:
                by_clock.add(unit)
    assert found["tu-danh-gia"]["not_filed"] == by_clock


@pytest.mark.slow
def test_final_list_after_the_due_date_then_nothing(demo, timeline):
    day = DUE + dt.timedelta(days=2)
    found = sections(demo, day)
    assert found["tu-danh-gia"]["kind"] == "final"
    filed = first_filed(timeline, ("self-assessment", "stub"))
    unclear = pushed(timeline)
    never = {u for u in registered(timeline) if u not in filed or filed[u] > day}
    late = {u for u in filed if DUE < filed[u] <= day}
    assert found["tu-danh-gia"]["not_filed"] - unclear == never - unclear
    assert found["tu-danh-gia"]["late"] - unclear == late - unclear
    after = sections(demo, DUE + dt.timedelta(days=FINAL_DAYS + 1))
    assert "tu-danh-gia" not in after


@pytest.mark.slow
def test_days_before_come_from_the_year_file_and_the_text_mentions_people(demo):
    quiet = json.loads(run(demo, "--date", "2024-06-04", "--format", "json").stdout)  # 3 days before: in the window
    notices = [n for n in quiet["notices"] if n["period"] == PERIOD]
    assert notices and not any(n["notify"] for n in notices), "7 and 2 days before, not 3"
    loud = json.loads(run(demo, "--date", "2024-06-05", "--format", "json").stdout)
    assert any(n["notify"] for n in loud["notices"] if n["period"] == PERIOD and n["state"] == "open")
    text = run(demo, "--date", "2024-06-05").stdout
    assert "còn 2 ngày" in text and "Người chấm của đơn vị quản lý: @pgd-quan-1-reviewer" in text
    assert "[Nộp bài](<https://github.com/" in text and "?filename=" in text


def test_bad_date_is_a_usage_error(tmp_path):
    from tests.datarepo import make_repo

    root = make_repo(tmp_path / "repo")
    result = run(root, "--date", "05/06/2024")
    assert result.returncode == 2 and "NĂM-THÁNG-NGÀY" in result.stderr
