"""Build small, real data roots in temporary folders for tests.

`make_repo` writes a valid repository (the real criteria/ and schema/, a tiny registry, a few
submissions with real PDFs); tests then break one thing and check the exact message.
"""

from __future__ import annotations

import io
import shutil
import textwrap
from pathlib import Path

import yaml
from pypdf import PdfWriter

PROJECT = Path(__file__).resolve().parent.parent

ORGANIZATION = {
    "demo": True,
    "id": "so-gddt",
    "name": "Sở Giáo dục và Đào tạo (kiểm thử)",
    "repository": "https://github.com/so-gddt/danh-gia-cntt",
    "reviewers": ["sgd-reviewer"],
    "maintainers": ["sgd-admin"],
}

SCHOOL_SCORES = {  # a full-marks school of type truong-pho-thong, 2023-2024
    "1.1": 5,
    "1.2": 5,
    "1.3": 5,
    "1.4": 5,
    "1.5": 10,
    "2.1": 10,
    "2.2": 10,
    "2.3": 5,
    "2.4": 5,
    "3.1": 5,
    "3.2": 5,
    "3.3": 5,
    "3.4": 5,
    "3.5": 5,
    "3.6": 5,
    "4.1": 3,
    "4.2": 3,
    "4.3": 2,
    "4.4": 2,
}
PDF_CRITERIA = {"1.2", "1.3", "1.4", "2.1", "2.3", "2.4", "3.4", "3.5", "4.1", "4.2", "4.4"}


def pdf_bytes(text: str = "minh chung") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


DEPARTMENT_UNITS = [
    {
        "id": "pgd-quan-1",
        "name": "Phòng Giáo dục và Đào tạo Quận 1",
        "type": "phong-gddt",
        "area": "Quận 1",
        "website": "https://pgd-quan-1.example.edu.vn",
        "editors": ["pgd-q1"],
    },
    {
        "id": "thpt-demo-a",
        "name": "Trường THPT Demo A",
        "type": "truong-pho-thong",
        "level": "THPT",
        "area": "Quận 1",
        "website": "https://thpt-demo-a.example.edu.vn",
        "editors": ["thpt-a"],
    },
]
OFFICE_UNITS = [
    {
        "id": "thcs-demo-a",
        "name": "Trường THCS Demo A",
        "type": "truong-pho-thong",
        "level": "THCS",
        "area": "Quận 1",
        "website": "https://thcs-demo-a.example.edu.vn",
        "editors": ["thcs-a"],
    },
    {
        "id": "thcs-demo-b",
        "name": "Trường THCS Demo B",
        "type": "truong-pho-thong",
        "level": "THCS",
        "area": "Quận 1",
        "website": "https://thcs-demo-b.example.edu.vn",
        "editors": ["thcs-b"],
    },
]


def make_repo(target: Path, *, periods=("2023-2024",)) -> Path:
    """A valid data root: one district office (pgd-quan-1) with two schools, one THPT, in each period."""
    shutil.copytree(PROJECT / "criteria", target / "criteria", ignore=_only_periods(periods))
    shutil.copytree(PROJECT / "schema", target / "schema")
    write(target / "submissions/organization.yaml", dump(ORGANIZATION))
    for period in periods:
        write_registry(target, period, "so-gddt", DEPARTMENT_UNITS, reviewers=["sgd-reviewer"])
        write_registry(target, period, "pgd-quan-1", OFFICE_UNITS, reviewers=["pgd-q1-reviewer"])
        write_school(target, period, "pgd-quan-1", "thcs-demo-a", report=_has_milestone(target, period, "ke-hoach"))
    return target


def _has_milestone(root: Path, period: str, milestone: str) -> bool:
    data = yaml.safe_load((root / "criteria" / period / "year.yaml").read_text(encoding="utf-8"))
    return any(m.get("id") == milestone for m in data.get("milestones") or [])


def write_registry(root: Path, period: str, body: str, units: list[dict], reviewers=(), **declared) -> Path:
    """`submissions/units/<period>/<body>.yaml`; `declared` (name, parent) for a body that is not a unit."""
    data = {"body": body, **declared}
    if reviewers:
        data["reviewers"] = list(reviewers)
    data["units"] = units
    return write(root / f"submissions/units/{period}/{body}.yaml", dump(data))


def school_submission(unit: str, period: str, scores: dict | None = None) -> dict:
    scores = dict(SCHOOL_SCORES if scores is None else scores)
    criteria = {}
    for cid, score in scores.items():
        entry = {"diem_tu_cham": score}
        if cid in PDF_CRITERIA:
            entry["minh_chung"] = ["ke-hoach-cntt.pdf"]
        criteria[cid] = entry
    return {"don_vi": unit, "nam_hoc": period, "tieu_chi": criteria}


def write_school(
    root: Path, period: str, parent: str, unit: str, scores: dict | None = None, report: bool = True
) -> Path:
    """A school's self-assessment with its evidence and (`report`) its plan, the `ke-hoach` milestone report."""
    write(root / f"submissions/{period}/{parent}/{unit}/ke-hoach-cntt.pdf", pdf_bytes(unit))
    if report:
        write_report(root, period, parent, unit, "ke-hoach")
    return write(root / f"submissions/{period}/{parent}/{unit}.yaml", dump(school_submission(unit, period, scores)))


def write_review(
    root: Path, period: str, parent: str, unit: str, criteria: dict, reviewer: str = "pgd-q1-reviewer"
) -> Path:
    """A unit's reviewer scores (`criteria`: criterion -> {"diem_cham": …, "nhan_xet": …}), dated 24/06/2024."""
    data = {"don_vi": unit, "nam_hoc": period, "nguoi_cham": reviewer, "ngay_cham": "2024-06-24", "tieu_chi": criteria}
    return write(root / f"submissions/{period}/{parent}/{unit}.review.yaml", dump(data))


def write_report(
    root: Path, period: str, parent: str, unit: str, milestone: str, name: str = "bao-cao.pdf", text: str = ""
) -> Path:
    """A milestone report: one PDF in `<unit>/bao-cao/<milestone>/`."""
    return write(
        root / f"submissions/{period}/{parent}/{unit}/bao-cao/{milestone}/{name}",
        pdf_bytes(text or f"{unit} {milestone}"),
    )


def write_text(path: Path, text: str) -> Path:
    return write(path, textwrap.dedent(text).lstrip("\n"))


def _only_periods(periods):
    def ignore(directory, names):
        if Path(directory).name == "criteria":
            return [n for n in names if n not in periods]
        return []

    return ignore


def two_schools_committed(target: Path):
    """make_repo plus a second school in pgd-quan-1, committed once: (root, its git Repo)."""
    import datetime as dt

    from site_builder.testing_git import Repo

    root = make_repo(target)
    write_school(root, "2023-2024", "pgd-quan-1", "thcs-demo-b")
    git = Repo(root)
    git.commit("Dữ liệu ban đầu", author_time=dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC))
    return root, git


def age(folder: Path, seconds: int = 3600) -> None:
    """Every folder under `folder` last changed an hour ago: older than any clock's tick, so a
    build trusts their stamps (site_builder/folder_stamps.py)."""
    import os
    import time

    past = time.time() - seconds
    for current, _dirs, _names in os.walk(folder):
        os.utime(current, (past, past))


def build_in_new_process(root: Path, out: Path, **env: str) -> str:
    """`site-builder build --timings` in a fresh process, as deployments run it (a cache key that
    depends on the process, the order of a set say, would miss every time); returns its output."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "--root", str(root), "build", "--out", str(out), "--timings"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def lower_a_self_score(root: Path, git, rel: str, when) -> str:
    """Lower the first self-score of at least 1 in the submission `rel` by 1 and commit it at
    `when`, as a unit's correction does; returns the commit."""
    import yaml

    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    criterion = next(c for c, entry in data["tieu_chi"].items() if entry["diem_tu_cham"] >= 1)
    data["tieu_chi"][criterion]["diem_tu_cham"] -= 1
    return git.commit(
        "Sửa điểm tự chấm", {rel: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)}, author_time=when
    )
