"""The demo's history, replayed by `benchmarks/generate.py --demo --history DIR` into a real git
repository signed with the demo key, ends in exactly the bundled files, looks like GitHub made it,
holds every designed case of each year, and the clock gives each case its designed answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.clock import VIETNAM, read_clock
from site_builder.paths import DataRoot
from site_builder.timeliness import LATE, ON_TIME, data_day, milestone_timing, submission_timing
from site_builder.validate import validate_all

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "benchmarks"))

import demo_data  # noqa: E402

from tests.demo_repo import replay, replayed_demo  # noqa: E402

PERIODS = demo_data.PERIODS


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return replayed_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def demo():
    return demo_data.build_demo()


@pytest.fixture(scope="module")
def clock(repo):
    found = read_clock(repo, [repo / "submissions/keys/minh-hoa.asc"])
    assert found.available, found.reason
    return found


@pytest.fixture(scope="module")
def dataset(repo):
    result = validate_all(DataRoot(repo))
    assert result.ok, [p.text() for p in result.errors[:5]]
    return result.dataset


@pytest.fixture(scope="module")
def today(clock):
    return data_day(clock, dt.date.today())


@pytest.fixture(scope="module")
def commits(repo) -> dict[str, dict]:
    """Every commit of main's history, read raw: parents, author, committer, dates, signed, subject."""
    shas = git(repo, "rev-list", "main").split()
    raw = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="\n".join(shas).encode() + b"\n",
        capture_output=True,
        check=True,
    ).stdout
    found, at = {}, 0
    for sha in shas:
        header_end = raw.index(b"\n", at)
        size = int(raw[at:header_end].split()[2])
        body = raw[header_end + 1 : header_end + 1 + size].decode("utf-8")
        at = header_end + 1 + size + 1
        headers, message = body.split("\n\n", 1)
        fields = [line.split(" ", 1) for line in headers.split("\n") if not line.startswith(" ")]
        person = {key: value.rsplit(" ", 2) for key, value in fields if key in ("author", "committer")}
        found[sha] = {
            "parents": [v for k, v in fields if k == "parent"],
            "author": person["author"][0].split(" <")[0],
            "author_time": int(person["author"][1]),
            "committer": person["committer"][0].split(" <")[0],
            "committer_time": int(person["committer"][1]),
            "signed": any(k == "gpgsig" for k, _ in fields),
            "subject": message.split("\n", 1)[0],
        }
    return found


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_final_tree_equals_the_bundled_files(repo):
    listed = git(repo, "ls-tree", "-r", "--format=%(objectmode) %(objectname) %(path)", "HEAD").splitlines()
    head = {path: (mode, sha) for mode, sha, path in (line.split(" ", 2) for line in listed)}
    bundled = {
        p.relative_to(PROJECT).as_posix(): ("100644", blob_id(p.read_bytes()))
        for folder in ("criteria", "schema", "submissions")
        for p in sorted((PROJECT / folder).rglob("*"))
        if p.is_file()
    }
    assert head == bundled
    assert git(repo, "status", "--porcelain") == ""


def test_commits_are_made_the_way_github_makes_them(repo, commits, demo, clock):
    prs = [e for e in demo.events if e.kind == "pr"]
    merges = [c for c in commits.values() if len(c["parents"]) == 2]
    assert len(merges) == len(prs)
    assert all(
        c["subject"].startswith("Merge pull request #") and c["committer"] == "GitHub" and c["signed"] for c in merges
    )
    proposals = {c["parents"][1] for c in merges}
    for sha in proposals:  # the web editor's commits: committer GitHub, signed when the person made them
        c = commits[sha]
        assert c["committer"] == "GitHub" and c["signed"]
        assert re.fullmatch(r"[a-z0-9-]+-(editor(-[23])?|reviewer(-2)?)", c["author"]), c["author"]
        assert clock.commit(sha).vouched.timestamp == c["committer_time"] == c["author_time"]
    setup = [c for c in commits.values() if not c["signed"] and c["author"] == demo_data.MAINTAINER]
    assert len(setup) == sum(e.kind == "setup" for e in demo.events) and all(len(c["parents"]) <= 1 for c in setup)
    pushed = [c for c in commits.values() if not c["signed"] and c["author"] != demo_data.MAINTAINER]
    assert len(pushed) == len(PERIODS)  # one fast-forwarded unit per year
    vouched = [sha for sha in commits if clock.commit(sha).vouched is not None]
    assert sorted(vouched) == sorted(sha for sha, c in commits.items() if c["signed"])
    pulls = git(repo, "for-each-ref", "--format=%(refname)", "refs/pull").split()
    assert len(pulls) == len(prs)


def test_replays_are_deterministic(repo, tmp_path):
    """A second replay, stopped after the first plans were filed, writes the very same commits."""
    partial = replay(tmp_path / "again", "--until", "2020-11-30")
    until = dt.datetime(2020, 11, 30, 23, 59, 59, tzinfo=VIETNAM).timestamp()
    main_then = next(
        line.split()[0]
        for line in git(repo, "log", "--first-parent", "--format=%H %ct", "main").splitlines()
        if int(line.split()[1]) <= until
    )  # main's commit at that time in the full replay
    assert git(partial, "rev-parse", "main").strip() == main_then


def test_every_filing_gets_its_planned_status(demo, dataset, clock, today):
    """On time, late and missing self-assessments and reports, and replaced reports, as planned."""
    seen = {(p, s) for p in PERIODS for s in ("on_time", "late", "missing")}
    for period in PERIODS:
        year = dataset.periods[period]
        for plan in demo.plans[period]:
            sub = dataset.submissions.get((period, plan.unit.id))
            status = submission_timing(clock, year, sub, today).status if sub else "missing"
            assert status == plan.expected_status, (period, plan.unit.id, plan.case)
            seen.discard((period, status))
            unit = dataset.registry.unit(period, plan.unit.id)
            for milestone in year.owed_milestones(unit.type):
                timing = milestone_timing(
                    clock, year, unit, milestone, dataset.reports.get((period, unit.id, milestone.id)), today
                )
                planned = plan.reports[milestone.id]
                assert (timing.status, timing.replaced) == (planned.status, bool(planned.replaced)), (
                    period,
                    unit.id,
                    milestone.id,
                )
    assert not seen  # every year has on-time, late and missing self-assessments


def designed(period: str, case: str) -> str:
    return demo_data.DESIGNED[period][case]


def path_of(dataset, period: str, unit_id: str) -> str:
    return dataset.submissions[(period, unit_id)].path


@pytest.mark.parametrize("period", PERIODS)
def test_reviewer_delay_does_not_make_a_unit_late(period, demo, dataset, clock, commits, today):
    unit_id = designed(period, "reviewer-delay")
    deadline = dataset.periods[period].deadline
    event = next(e for e in demo.events if e.unit == unit_id and e.period == period and e.what == "self-assessment")
    assert event.commits[0].when.date() == deadline and event.merged.date() > deadline
    version = clock.current(path_of(dataset, period, unit_id))
    assert version.received.day == deadline  # the proposal's time, signed by the web editor
    merge = next(sha for sha, c in commits.items() if c["parents"][1:] == [version.received.commit])
    assert clock.commit(merge).vouched.day > deadline  # merged after the deadline
    assert (
        submission_timing(clock, dataset.periods[period], dataset.submissions[(period, unit_id)], today).status
        == ON_TIME
    )


@pytest.mark.parametrize("period", PERIODS)
def test_stub_completed_after_the_deadline_is_late(period, demo, dataset, clock, today):
    unit_id = designed(period, "stub")
    deadline = dataset.periods[period].deadline
    versions = clock.versions(path_of(dataset, period, unit_id))
    assert len(versions) == 2
    assert versions[0].received.day <= deadline < versions[1].received.day
    assert clock.current(path_of(dataset, period, unit_id)) == versions[1]
    timing = submission_timing(clock, dataset.periods[period], dataset.submissions[(period, unit_id)], today)
    assert timing.status == LATE and timing.first == versions[0].received and timing.received == versions[1].received
    plan = demo.plan(period, unit_id)
    added = set(plan.submission.scores) - set(plan.stub_criteria)
    assert added and added <= {change.id for change in timing.late_criteria}


@pytest.mark.parametrize("period", PERIODS)
def test_stub_lists_only_the_criteria_completed_after_the_deadline(period, demo, dataset, clock, today):
    unit_id = designed(period, "stub")
    timing = submission_timing(clock, dataset.periods[period], dataset.submissions[(period, unit_id)], today)
    plan = demo.plan(period, unit_id)
    assert {change.id for change in timing.late_criteria} == set(plan.submission.scores) - set(plan.stub_criteria)


@pytest.mark.parametrize("period", PERIODS)
def test_filed_before_the_window_opens_counts_from_the_opening(period, dataset, clock, today):
    unit_id = designed(period, "before-opens")
    year = dataset.periods[period]
    timing = submission_timing(clock, year, dataset.submissions[(period, unit_id)], today)
    assert timing.received.day < year.opens
    assert timing.status == ON_TIME and timing.before_opening


@pytest.mark.parametrize("period", PERIODS)
def test_report_replaced_after_its_due_date_keeps_its_first_time(period, dataset, clock, today):
    unit_id, milestone_id = designed(period, "replaced")
    year = dataset.periods[period]
    unit = dataset.registry.unit(period, unit_id)
    report = dataset.reports[(period, unit_id, milestone_id)]
    timing = milestone_timing(clock, year, unit, year.milestone(milestone_id), report, today)
    assert timing.status == ON_TIME and timing.replaced
    assert timing.first.day <= year.milestone(milestone_id).due < timing.current.day


@pytest.mark.parametrize("period", PERIODS)
def test_forged_dates_of_a_fast_forward_are_ignored(period, repo, demo, dataset, clock, commits, today):
    unit_id = designed(period, "forged")
    deadline = dataset.periods[period].deadline
    event = next(e for e in demo.events if e.kind == "push" and e.unit == unit_id and e.period == period)
    forged = int(event.commits[0].when.timestamp())
    pushed = [sha for sha, c in commits.items() if not c["signed"] and c["committer_time"] == forged]
    assert len(pushed) == 1 and commits[pushed[0]]["author_time"] == forged
    assert dt.datetime.fromtimestamp(forged, VIETNAM).date() < deadline  # the date it claims
    version = clock.current(path_of(dataset, period, unit_id))
    assert version.commit == pushed[0]
    assert version.received.timestamp >= int(event.merged.timestamp())  # not before main reached it
    assert version.received.day > deadline
    assert (
        subprocess.run(["git", "merge-base", "--is-ancestor", pushed[0], version.received.commit], cwd=repo).returncode
        == 0
    )  # the next vouched commit holding it
    timing = submission_timing(clock, dataset.periods[period], dataset.submissions[(period, unit_id)], today)
    assert timing.status == LATE


def test_the_data_day_is_the_last_vouched_moment(clock, today, demo):
    assert today == max(e.landed for e in demo.events).date()
