"""Generate synthetic data repositories: the bundled demo data, or large repositories for scale tests.

Two uses, both writing files in the layout of CONTRIBUTING.md (registry, submissions, reviewer
scores, evidence PDFs):

Bundled demo (deterministic, byte-for-byte stable across runs)::

    python benchmarks/generate.py --demo --out .            # writes submissions/ and benchmarks/demo-timeline.json
    python benchmarks/generate.py --demo --out /tmp/copy --commit   # also replays the timeline as dated git commits
    python benchmarks/generate.py --demo --out . --check    # re-read what was written and check its invariants
    python benchmarks/generate.py --demo --out . --clean    # delete submissions/ first (drops leftovers)

  The demo is an HCMC-like Department with its 22 real district offices (before 2025), synthetic
  THCS schools under five of them, synthetic THPT schools and GDTX centres under the Department,
  and two periods (2020-2021, 2023-2024) with a realistic mix of complete, partial, missing, late
  and reviewed submissions. `benchmarks/demo-timeline.json` says when each file would have been
  committed, so that on-time / late computations have a history to work on.

Scale test (fast, seeded)::

    python benchmarks/generate.py --units 15000 --out /tmp/bench15k [--seed 7] [--periods 2023-2024 ...]
                                  [--flat] [--git] [--force] [--check]

  About N/25 district offices with ~24 schools each (``--flat``: every unit under the Department, no
  district tier), 90% of the units submit in each period, 20% of the submissions have reviewer
  scores, and every unit folder holds one shared tiny PDF (hard-linked) used by all PDF criteria.
  ``criteria/`` and ``schema/`` are copied from this repository when present.

Only the standard library and PyYAML are needed (PyYAML only for ``--check``). YAML is written from
text templates, not through a dumper: it is faster, and the layout (quoted criterion ids, the
``yaml-language-server`` comment, key order) stays exactly the one documented in CONTRIBUTING.md.
The criteria table below mirrors the catalogues in ``criteria/`` (max points, required evidence
kinds, the derived district 4.2); it is kept here so that the generator works before and
independently of those files. Update it when a catalogue's points or evidence rules change.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPARTMENT_ID = "so-gddt"
DEMO_SEED = "hcmc-demo-v1"
DEMO_PERIODS = ("2020-2021", "2023-2024")
TIMELINE_PATH = "benchmarks/demo-timeline.json"
DEMO_AUTHOR = ("Dữ liệu minh hoạ", "demo@example.invalid")

# --------------------------------------------------------------------------------------------
# Criteria: max points and evidence per unit type (see criteria/<period>/<unit-type>.yaml)
# --------------------------------------------------------------------------------------------

PDF = "pdf"
WEBSITE = "website"
CONG_KHAI = "cong_khai_link"
THU_TUC = "thu_tuc_bieu_mau_link"


class Criterion(NamedTuple):
    """One scored item: `evidence` is the kind a score > 0 requires (None = nothing asked)."""

    id: str
    max: float
    evidence: str | None = None
    derived: bool = False  # computed by the scorer (district 4.2), never written in a submission


def load_criteria(period: str = "2023-2024") -> dict[str, list[Criterion]]:
    """Read max points and evidence rules from the catalogues, so generated data follows them."""
    criteria = {}
    for file in sorted((REPO_ROOT / "criteria" / period).glob("*.yaml")):
        if file.name == "year.yaml":
            continue
        catalogue = yaml.safe_load(file.read_text(encoding="utf-8"))
        items = []
        for group in catalogue["groups"]:
            for item in group["items"]:
                evidence = item.get("evidence") or {}
                kind = evidence["kinds"][0] if evidence.get("required") and evidence.get("kinds") else None
                items.append(Criterion(str(item["id"]), float(item["max"]), kind, "derived" in item))
        criteria[catalogue["unit_type"]] = items
    return criteria


CRITERIA: dict[str, list[Criterion]] = load_criteria()
PORTAL_CRITERION = "3.2"  # schools/centres: portal integrated in hcm.edu.vn; all-or-nothing in the demo
DISTRICT_SHARE_BANDS = [(90, 1.0), (80, 0.8), (70, 0.6), (60, 0.4), (0, 0.0)]  # district 4.2
RATING_BANDS = [(90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"), (0, "Yếu")]


def written_criteria(unit_type: str) -> list[Criterion]:
    """The criteria a unit types in (derived ones are computed, so they never appear in files)."""
    return [c for c in CRITERIA[unit_type] if not c.derived]


# --------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------


def quoted(text: str) -> str:
    """A YAML double-quoted scalar; JSON string syntax is a subset of YAML's, so json.dumps is safe."""
    return json.dumps(unicodedata.normalize("NFC", text), ensure_ascii=False)


def score_text(value: float) -> str:
    """Write 5 rather than 5.0, and 2.5 as is: what a clerk would type."""
    return str(int(value)) if value == int(value) else str(value)


def flow_list(items: Iterable[str]) -> str:
    """A YAML flow list of plain slugs/handles, e.g. [a, b]."""
    return "[" + ", ".join(items) + "]"


def slugify(text: str) -> str:
    """ASCII slug for ids: Vietnamese diacritics stripped, đ -> d, runs of other chars -> '-'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with ASCII text lines and no timestamps or ids, so bytes are stable.

    Hand-written rather than produced by a library: a library adds /ID and dates, which would make
    every demo run differ, and it keeps the file around 700 bytes.
    """
    text_ops = []
    for n, line in enumerate(lines):
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"BT /F1 11 Tf 50 {790 - 18 * n} Td ({safe}) Tj ET")
    stream = "\n".join(text_ops).encode("ascii")
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref_at)
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Data model shared by both modes
# --------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """One registry entry; `parent` is the file it is listed in (its reviewing body)."""

    id: str
    name: str
    type: str
    district: str
    parent: str
    level: str | None = None
    editors: list[str] = field(default_factory=list)
    reviewers: list[str] | None = None  # override of the registry file's default
    active_from: str | None = None
    active_until: str | None = None

    @property
    def website(self) -> str:
        return f"https://{self.id}.example.edu.vn"

    def is_active(self, period: str) -> bool:
        """Periods are 'YYYY-YYYY' strings, so string comparison orders them correctly."""
        return (self.active_from is None or self.active_from <= period) and (
            self.active_until is None or period <= self.active_until
        )


@dataclass
class RegistryFile:
    """submissions/units/<parent>.yaml: a reviewing body, its default reviewers and its units."""

    parent: str
    reviewers: list[str]
    units: list[Unit]


@dataclass
class Submission:
    """What one unit typed for one period; `scores` keeps only the criteria it filled in."""

    unit: Unit
    period: str
    scores: dict[str, float]
    evidence: dict[str, list[str]]
    notes: dict[str, str]
    reports: dict[str, str]  # milestone id -> PDF name (submission key `bao_cao`)


@dataclass
class Review:
    """A reviewer's scores for one submission (every criterion the unit filled in)."""

    reviewer: str
    date: str
    scores: dict[str, float]
    comments: dict[str, str]


def render_organization(name: str, reviewers: list[str], maintainers: list[str], demo: bool) -> str:
    return (
        f"demo: {'true' if demo else 'false'}\n"
        f"id: {DEPARTMENT_ID}\n"
        f"name: {quoted(name)}\n"
        f"reviewers: {flow_list(reviewers)}\n"
        f"maintainers: {flow_list(maintainers)}\n"
    )


def render_registry(registry: RegistryFile) -> str:
    out = [f"parent: {registry.parent}\n", f"reviewers: {flow_list(registry.reviewers)}\n", "units:\n"]
    for unit in registry.units:
        out.append(f"  - id: {unit.id}\n    name: {quoted(unit.name)}\n    type: {unit.type}\n")
        if unit.level:
            out.append(f"    level: {quoted(unit.level) if ' ' in unit.level else unit.level}\n")
        out.append(f"    district: {quoted(unit.district)}\n    website: {unit.website}\n")
        out.append(f"    editors: {flow_list(unit.editors)}\n")
        if unit.reviewers is not None:
            out.append(f"    reviewers: {flow_list(unit.reviewers)}\n")
        if unit.active_from:
            out.append(f'    active_from: "{unit.active_from}"\n')
        if unit.active_until:
            out.append(f'    active_until: "{unit.active_until}"\n')
    return "".join(out)


def schema_comment(period: str, unit_type: str) -> str:
    """The editor hint on the first line; path as in CONTRIBUTING.md, relative to the submission file."""
    return f"# yaml-language-server: $schema=../../../schema/editor/{period}/{unit_type}.schema.json\n"


def render_submission(sub: Submission) -> str:
    out = [schema_comment(sub.period, sub.unit.type), f"don_vi: {sub.unit.id}\n",
           f'nam_hoc: "{sub.period}"\n', "tieu_chi:\n"]
    for cid, value in sub.scores.items():
        out.append(f'  "{cid}":\n    diem_tu_cham: {score_text(value)}\n')
        if sub.evidence.get(cid):
            out.append("    minh_chung:\n" + "".join(f"      - {item}\n" for item in sub.evidence[cid]))
        if cid in sub.notes:
            out.append(f"    ghi_chu: {quoted(sub.notes[cid])}\n")
    if sub.reports:
        out.append("bao_cao:\n" + "".join(f"  {mid}: {pdf}\n" for mid, pdf in sub.reports.items()))
    return "".join(out)


def render_review(sub: Submission, review: Review) -> str:
    out = [f"don_vi: {sub.unit.id}\n", f'nam_hoc: "{sub.period}"\n', f"nguoi_cham: {review.reviewer}\n",
           f"ngay_cham: {review.date}\n", "tieu_chi:\n"]
    for cid, value in review.scores.items():
        out.append(f'  "{cid}":\n    diem_cham: {score_text(value)}\n')
        if cid in review.comments:
            out.append(f"    nhan_xet: {quoted(review.comments[cid])}\n")
    return "".join(out)


def unit_reviewers(unit: Unit, registries: dict[str, RegistryFile]) -> list[str]:
    """A unit's reviewers: its own override, else the default of the registry file it is listed in."""
    return unit.reviewers if unit.reviewers is not None else registries[unit.parent].reviewers


def submission_path(period: str, unit: Unit, suffix: str = ".yaml") -> str:
    return f"submissions/{period}/{unit.parent}/{unit.id}{suffix}"


def evidence_path(period: str, unit: Unit, pdf_name: str) -> str:
    return f"submissions/{period}/{unit.parent}/{unit.id}/{pdf_name}"


# --------------------------------------------------------------------------------------------
# Scores: aim a unit at a rating band by taking points away from a full sheet
# --------------------------------------------------------------------------------------------


def scores_towards(rng: random.Random, criteria: list[Criterion], target: float,
                   fixed: dict[str, float], omitted: set[str]) -> dict[str, float]:
    """Scores whose sum is just at or below `target` points, in 0.5 steps.

    Starting from a full sheet and removing 0.5-1 point at a time spreads the losses over many
    criteria, like real self-assessments, and lands inside the intended rating band. `fixed` scores
    (the portal criterion) are never changed; `omitted` criteria are left out of the submission.
    """
    scores = {c.id: fixed.get(c.id, c.max) for c in criteria if c.id not in omitted}
    adjustable = [c.id for c in criteria if c.id in scores and c.id not in fixed]
    while sum(scores.values()) > target and adjustable:
        cid = rng.choice(adjustable)
        scores[cid] = max(0.0, scores[cid] - rng.choice((0.5, 0.5, 1.0)))
        if scores[cid] == 0:
            adjustable.remove(cid)
    return scores


def band_of(percent: float, bands: list[tuple[float, object]]) -> object:
    """The first band whose lower bound the percentage reaches (bands are sorted best first)."""
    return next(value for low, value in bands if percent >= low)


# --------------------------------------------------------------------------------------------
# Demo: units
# --------------------------------------------------------------------------------------------

# The 22 district-level units of HCMC before 2025: (id suffix, district name).
HCMC_DISTRICTS = [
    ("quan-1", "Quận 1"), ("quan-3", "Quận 3"), ("quan-4", "Quận 4"), ("quan-5", "Quận 5"),
    ("quan-6", "Quận 6"), ("quan-7", "Quận 7"), ("quan-8", "Quận 8"), ("quan-10", "Quận 10"),
    ("quan-11", "Quận 11"), ("quan-12", "Quận 12"), ("binh-thanh", "Quận Bình Thạnh"),
    ("go-vap", "Quận Gò Vấp"), ("phu-nhuan", "Quận Phú Nhuận"), ("tan-binh", "Quận Tân Bình"),
    ("tan-phu", "Quận Tân Phú"), ("binh-tan", "Quận Bình Tân"), ("thu-duc", "Thành phố Thủ Đức"),
    ("binh-chanh", "Huyện Bình Chánh"), ("can-gio", "Huyện Cần Giờ"), ("cu-chi", "Huyện Củ Chi"),
    ("hoc-mon", "Huyện Hóc Môn"), ("nha-be", "Huyện Nhà Bè"),
]

# Districts whose THCS schools are registered (reviewed by the district office), with invented
# school names, and how many of them have their portal integrated (criterion 3.2 met) per period.
# The counts put district criterion 4.2 in every band across the two periods (see demo_summary).
DEMO_THCS = {
    "pgd-quan-1": (["Tân Định", "Đa Kao", "Bến Nghé", "Cầu Kho", "Cô Giang", "Nguyễn Cư Trinh",
                    "Cầu Ông Lãnh", "Phạm Ngũ Lão"], {"2020-2021": 6, "2023-2024": 8}),
    "pgd-binh-thanh": (["Thanh Đa", "Bình Quới", "Hàng Xanh", "Văn Thánh", "Cầu Sơn"],
                       {"2020-2021": 5, "2023-2024": 4}),
    "pgd-go-vap": (["An Nhơn", "Hạnh Thông", "Xóm Mới", "Thông Tây Hội", "Lam Sơn", "Cây Trâm",
                    "Chợ Cầu"], {"2020-2021": 4, "2023-2024": 5}),
    "pgd-tan-binh": (["Bảy Hiền", "Bàu Cát", "Ông Tạ", "Cộng Hoà", "Hoàng Hoa", "Sân Bay"],
                     {"2020-2021": 5, "2023-2024": 4}),
    "pgd-cu-chi": (["Tân Thông Hội", "Phước Vĩnh An", "Trung Lập", "An Nhơn Tây"],
                   {"2020-2021": 2, "2023-2024": 2}),
}

# Synthetic upper-secondary schools under the Department: (name part, level, district).
DEMO_THPT = [
    ("Nguyễn Du", "THPT", "Quận 10"), ("Trần Hưng Đạo", "THPT", "Quận Gò Vấp"),
    ("Lê Lợi", "THPT", "Quận 3"), ("Quang Trung", "THPT", "Huyện Củ Chi"),
    ("Hai Bà Trưng", "THPT", "Quận 5"), ("Lý Thường Kiệt", "THPT", "Huyện Hóc Môn"),
    ("Nguyễn Trãi", "THPT", "Quận 4"), ("Võ Thị Sáu", "THPT", "Quận Bình Thạnh"),
    ("Phan Bội Châu", "THPT", "Quận 8"), ("Nguyễn Đình Chiểu", "THPT", "Quận 6"),
    ("Lương Thế Vinh", "THPT", "Quận 1"), ("Trưng Vương", "THPT", "Quận 1"),
    ("Ngô Quyền", "THPT", "Quận 7"), ("Hùng Vương", "THPT", "Quận 5"),
    ("Bùi Thị Xuân", "THPT", "Quận 1"), ("Lê Quý Đôn", "THPT", "Quận 3"),
    ("Trần Phú", "THPT", "Quận Tân Phú"), ("Hoàng Hoa Thám", "THPT", "Quận Bình Thạnh"),
    ("Bình Chánh", "THPT", "Huyện Bình Chánh"), ("Cần Thạnh", "THPT", "Huyện Cần Giờ"),
    ("Sao Mai", "Nhiều cấp học", "Quận Tân Bình"), ("Bình Minh", "Nhiều cấp học", "Quận 12"),
    ("Thủ Thiêm", "THPT", "Thành phố Thủ Đức"),
]
NEW_SCHOOL = "thpt-demo-thu-thiem"            # active_from 2023-2024: must not submit for 2020-2021
CLOSED_UNIT = "gdtx-demo-quan-4"              # active_until 2020-2021: must not submit for 2023-2024
REVIEWER_OVERRIDE_UNIT = "thpt-demo-le-quy-don"  # reviewed by one Department reviewer only
DEMO_GDTX = [("quan-5", "Quận 5"), ("quan-10", "Quận 10"), ("thu-duc", "Thành phố Thủ Đức"),
             ("hoc-mon", "Huyện Hóc Môn"), ("tan-phu", "Quận Tân Phú"), ("quan-4", "Quận 4")]
DEPARTMENT_REVIEWERS = ["sgd-demo-reviewer", "sgd-demo-reviewer-2"]


def editors_for(unit_id: str, second: bool) -> list[str]:
    """Invented GitHub handles of the people who may edit the unit's files."""
    return [f"{unit_id}-editor"] + ([f"{unit_id}-editor-2"] if second else [])


def demo_registries() -> dict[str, RegistryFile]:
    """The demo registry: one file for the Department, one per district office that has schools."""
    department = RegistryFile(DEPARTMENT_ID, DEPARTMENT_REVIEWERS, [])
    for suffix, district in HCMC_DISTRICTS:
        unit_id = f"pgd-{suffix}"
        department.units.append(Unit(unit_id, f"Phòng Giáo dục và Đào tạo {district}", "phong-gddt",
                                     district, DEPARTMENT_ID, editors=editors_for(unit_id, suffix == "thu-duc")))
    for n, (part, level, district) in enumerate(DEMO_THPT):
        prefix, title = ("thpt", "Trường THPT") if level == "THPT" else ("pt", "Trường THCS và THPT")
        unit = Unit(f"{prefix}-demo-{slugify(part)}", f"{title} Demo {part}", "truong-pho-thong", district,
                    DEPARTMENT_ID, level=level, editors=editors_for(f"{prefix}-demo-{slugify(part)}", n % 4 == 0))
        unit.active_from = "2023-2024" if unit.id == NEW_SCHOOL else None
        unit.reviewers = ["sgd-demo-reviewer-2"] if unit.id == REVIEWER_OVERRIDE_UNIT else None
        department.units.append(unit)
    for suffix, district in DEMO_GDTX:
        unit_id = f"gdtx-demo-{suffix}"
        department.units.append(Unit(unit_id, f"Trung tâm GDTX Demo {district}", "trung-tam-gdtx", district,
                                     DEPARTMENT_ID, editors=editors_for(unit_id, False),
                                     active_until="2020-2021" if unit_id == CLOSED_UNIT else None))
    registries = {DEPARTMENT_ID: department}
    district_names = {f"pgd-{suffix}": name for suffix, name in HCMC_DISTRICTS}
    for office_id, (schools, _) in DEMO_THCS.items():
        registries[office_id] = RegistryFile(office_id, [f"{office_id}-reviewer"], [
            Unit(f"thcs-demo-{slugify(school)}", f"Trường THCS Demo {school}", "truong-pho-thong",
                 district_names[office_id], office_id, level="THCS",
                 editors=editors_for(f"thcs-demo-{slugify(school)}", n == 0))
            for n, school in enumerate(schools)])
    return registries


# --------------------------------------------------------------------------------------------
# Demo: calendar and wording
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """One commit of the demo history."""

    key: str
    date: str
    message: str


def demo_batches() -> list[Batch]:
    """The demo history in order: batch keys are '<period>/<step>' so files can name their batch."""
    y1, y2 = DEMO_PERIODS
    return [
        Batch("setup", "2020-09-15T09:00:00+07:00",
              "Khởi tạo thông tin Sở GD&ĐT và danh sách đơn vị (dữ liệu minh hoạ)"),
        Batch(f"{y1}/ke-hoach", "2020-11-10T16:30:00+07:00",
              f"Năm học {y1}: các đơn vị nộp kế hoạch thực hiện nhiệm vụ CNTT"),
        Batch(f"{y1}/ke-hoach-muon", "2020-11-20T10:15:00+07:00",
              f"Năm học {y1}: một số đơn vị nộp kế hoạch CNTT muộn"),
        Batch(f"{y1}/so-ket", "2021-01-15T15:00:00+07:00",
              f"Năm học {y1}: nộp báo cáo sơ kết học kỳ I"),
        Batch(f"{y1}/so-ket-muon", "2021-01-27T09:40:00+07:00",
              f"Năm học {y1}: nộp bổ sung báo cáo sơ kết học kỳ I (muộn)"),
        Batch(f"{y1}/tu-danh-gia", "2021-05-14T14:20:00+07:00",
              f"Năm học {y1}: các đơn vị nộp hồ sơ tự đánh giá (đợt đầu)"),
        Batch(f"{y1}/tu-danh-gia-han-chot", "2021-05-18T21:45:00+07:00",
              f"Năm học {y1}: nộp hồ sơ tự đánh giá trong ngày hết hạn 18/05/2021"),
        Batch(f"{y1}/tu-danh-gia-muon", "2021-05-22T08:30:00+07:00",
              f"Năm học {y1}: hồ sơ tự đánh giá nộp sau hạn"),
        Batch(f"{y1}/tong-ket", "2021-06-01T16:00:00+07:00",
              f"Năm học {y1}: nộp báo cáo tổng kết năm học"),
        Batch(f"{y1}/tong-ket-muon", "2021-06-08T10:00:00+07:00",
              f"Năm học {y1}: nộp báo cáo tổng kết năm học muộn"),
        Batch(f"{y1}/cham-diem", "2021-06-15T17:00:00+07:00",
              f"Năm học {y1}: Sở và Phòng GD&ĐT chấm điểm"),
        Batch(f"{y2}/ke-hoach", "2023-10-06T16:30:00+07:00",
              f"Năm học {y2}: các đơn vị nộp kế hoạch thực hiện nhiệm vụ CNTT"),
        Batch(f"{y2}/ke-hoach-muon", "2023-10-16T09:00:00+07:00",
              f"Năm học {y2}: một số đơn vị nộp kế hoạch CNTT muộn"),
        Batch(f"{y2}/so-ket", "2024-01-19T15:30:00+07:00",
              f"Năm học {y2}: nộp báo cáo sơ kết học kỳ I"),
        Batch(f"{y2}/so-ket-muon", "2024-01-31T11:00:00+07:00",
              f"Năm học {y2}: nộp bổ sung báo cáo sơ kết học kỳ I (muộn)"),
        Batch(f"{y2}/tu-danh-gia", "2024-06-03T14:00:00+07:00",
              f"Năm học {y2}: các đơn vị nộp hồ sơ tự đánh giá và báo cáo tổng kết (đợt đầu)"),
        Batch(f"{y2}/tu-danh-gia-han-chot", "2024-06-07T22:10:00+07:00",
              f"Năm học {y2}: nộp hồ sơ tự đánh giá trong ngày hết hạn 07/06/2024"),
        Batch(f"{y2}/tu-danh-gia-muon", "2024-06-12T08:45:00+07:00",
              f"Năm học {y2}: hồ sơ tự đánh giá nộp sau hạn"),
        Batch(f"{y2}/cham-diem", "2024-06-21T17:00:00+07:00",
              f"Năm học {y2}: Sở và Phòng GD&ĐT chấm điểm"),
    ]


# Milestone reports: id -> PDF name. The 2023-2024 year-end report is due on the self-assessment
# deadline, so it travels with the submission; in 2020-2021 it is due two weeks after it.
REPORT_FILES = {"ke-hoach": "ke-hoach-cntt.pdf", "so-ket": "bao-cao-so-ket.pdf",
                "tong-ket": "bao-cao-tong-ket.pdf"}
DECISION_FILE = "quyet-dinh-phan-cong.pdf"  # evidence of units that did not file the plan milestone
SEPARATE_YEAR_END = {"2020-2021"}

SCHOOL_NOTES = {
    "1.1": "100% cán bộ quản lý, giáo viên sử dụng được CNTT trong công tác.",
    "1.2": "Giáo viên sử dụng bài giảng điện tử, phần mềm mô phỏng, thí nghiệm ảo trong tiết dạy.",
    "1.3": "Tổ chức kiểm tra trắc nghiệm khách quan trên máy tính cho các khối lớp.",
    "1.4": "Khai thác hệ thống dạy học trực tuyến của đơn vị trong năm học.",
    "1.5": "Cán bộ quản lý, giáo viên hoàn thành các mô-đun bồi dưỡng trên mạng (GDPT 2018).",
    "2.1": "Đã phân công nhân sự cập nhật cơ sở dữ liệu ngành.",
    "2.2": "Cơ sở dữ liệu được cập nhật đầy đủ, chính xác, đúng thời hạn.",
    "2.3": "Sử dụng phần mềm quản lý trường học và sổ liên lạc điện tử với phụ huynh.",
    "2.4": "Sử dụng sổ điểm điện tử, học bạ điện tử; lưu trữ, sao in, niêm phong đúng quy định.",
    "3.1": "Cổng thông tin điện tử xây dựng theo văn bản số 4210/GDĐT-TTTT.",
    "3.2": "Cổng thông tin đã được tích hợp vào hệ thống hcm.edu.vn.",
    "3.3": "Đăng tải trên 40 tin bài trong năm học.",
    "3.4": "Có chuyên mục công khai theo Thông tư số 36/2017/TT-BGDĐT.",
    "3.5": "Có chuyên mục biểu mẫu: đơn xin nghỉ học, đơn phúc khảo, thông tin tuyển sinh đầu cấp.",
    "3.6": "Thực hiện báo cáo trực tuyến đầy đủ, đúng hạn.",
    "4.1": "Kế hoạch CNTT năm học đã gửi Sở GD&ĐT đúng hạn; tham dự đầy đủ các buổi tập huấn.",
    "4.2": "Có quyết định phân công lãnh đạo phụ trách và cán bộ quản trị hệ thống thông tin.",
    "4.3": "Internet cáp quang, phòng máy đáp ứng yêu cầu dạy học và quản lý.",
    "4.4": "Triển khai mô hình ứng dụng CNTT theo văn bản số 257/GDĐT-TTTT.",
}
NOTES = {
    "truong-pho-thong": SCHOOL_NOTES,
    "trung-tam-gdtx": {**SCHOOL_NOTES,
                       "3.1": "Địa chỉ cổng thông tin điện tử của trung tâm.",
                       "3.4": "Đường dẫn chuyên mục Công khai trên cổng thông tin của trung tâm.",
                       "3.5": "Đường dẫn chuyên mục Thủ tục – Biểu mẫu trên cổng thông tin."},
    "phong-gddt": {
        "1.1": "Kế hoạch CNTT năm học đã gửi Sở GD&ĐT đúng nội dung, thời hạn.",
        "1.2": "Có quyết định phân công lãnh đạo phụ trách và cán bộ quản trị Cổng thông tin.",
        "1.3": "100% trường trên địa bàn kết nối Internet cáp quang.",
        "1.4": "Triển khai mô hình ứng dụng CNTT tại các trường trên địa bàn.",
        "2.1": "100% cán bộ quản lý, giáo viên trên địa bàn biết sử dụng CNTT.",
        "2.2": "Có văn bản hướng dẫn, theo dõi, thống kê việc sử dụng phần mềm dạy học.",
        "2.3": "Tổ chức khảo sát, kiểm tra trực tuyến cho học sinh theo quy định.",
        "2.4": "Cán bộ quản lý, giáo viên hoàn thành tập huấn trực tuyến chương trình GDPT 2018.",
        "3.1": "Phân công thu thập số liệu trên hệ thống quản lý dữ liệu ngành.",
        "3.2": "Chỉ đạo các đơn vị trực thuộc hoàn thành cơ sở dữ liệu đúng hạn.",
        "3.3": "Có quy định lưu trữ, sao in, niêm phong hồ sơ phục vụ kiểm tra, thanh tra.",
        "4.1": "Cổng thông tin của Phòng và các trường xây dựng theo văn bản số 4210/GDĐT-TTTT.",
        "4.3": "Đăng tải trên 40 tin bài, có chuyên mục công khai theo Thông tư số 36/2017/TT-BGDĐT.",
        "4.4": "Đăng tải đầy đủ thủ tục hành chính lĩnh vực giáo dục trong chuyên mục riêng.",
    },
}
COVID_NOTE = "Tổ chức dạy học trực tuyến trong thời gian học sinh tạm nghỉ học phòng, chống dịch COVID-19."
PARTIAL_NOTES = ["Một số nội dung chưa thực hiện thường xuyên.", "Tỷ lệ thực hiện chưa đạt 100%.",
                 "Đơn vị đang tiếp tục hoàn thiện nội dung này.", "Minh chứng chưa đầy đủ, đang cập nhật thêm."]
ZERO_NOTE = "Đơn vị chưa triển khai nội dung này trong năm học."
PORTAL_ZERO_NOTE = ("Cổng thông tin chưa được tích hợp vào hệ thống hcm.edu.vn; "
                    "đơn vị đang liên hệ Sở để chuyển đổi.")
REVIEW_COMMENTS = [
    "Minh chứng chưa thể hiện đầy đủ nội dung của tiêu chí.",
    "Văn bản minh chứng thuộc năm học trước, đề nghị bổ sung văn bản của năm học này.",
]
# Reasons that only make sense for one criterion of a school or centre (same ids in both sheets).
SCHOOL_REVIEW_COMMENTS = {
    "1.2": "Kế hoạch chưa có nội dung theo dõi, thống kê việc sử dụng phần mềm dạy học.",
    "3.3": "Số tin bài đăng tải trong năm học chưa đạt 40 tin.",
    "3.4": "Chuyên mục công khai chưa cập nhật đủ nội dung theo Thông tư số 36/2017/TT-BGDĐT.",
    "4.2": "Quyết định phân công chưa nêu rõ người quản trị hệ thống thông tin.",
}
AGREE_COMMENT = "Thống nhất với điểm tự chấm."


def note_for(unit: Unit, period: str, crit: Criterion, value: float) -> str:
    """A Vietnamese remark in the tone of the paper sheet's 'Ghi chú' column."""
    if crit.id == PORTAL_CRITERION and unit.type != "phong-gddt" and value == 0:
        return PORTAL_ZERO_NOTE
    if value == 0:
        return ZERO_NOTE
    if value < crit.max:  # a partial score explains the gap rather than claiming the criterion
        return PARTIAL_NOTES[int(value * 2) % len(PARTIAL_NOTES)]
    if period == "2020-2021" and crit.id == "1.4" and unit.type != "phong-gddt":
        return COVID_NOTE
    return NOTES[unit.type][crit.id]


def link_evidence(unit: Unit, kind: str) -> str:
    """The URL a link criterion asks for, under the unit's example domain."""
    return {WEBSITE: unit.website, CONG_KHAI: f"{unit.website}/cong-khai",
            THU_TUC: f"{unit.website}/thu-tuc-bieu-mau"}[kind]


# --------------------------------------------------------------------------------------------
# Demo: one period's plan
# --------------------------------------------------------------------------------------------


@dataclass
class UnitPlan:
    """Everything decided for one unit in one period, before any file is written."""

    unit: Unit
    submission: Submission | None = None
    partial: bool = False
    timing: str = "tu-danh-gia"           # batch step of the submission yaml
    report_timing: dict[str, str] = field(default_factory=dict)  # milestone -> batch step
    review: Review | None = None


def pick(rng: random.Random, pool: list, count: float) -> list:
    """A deterministic sample of about `count` items (at least one, so every case exists)."""
    return rng.sample(pool, min(len(pool), max(1, round(count))))


def plan_period(period: str, registries: dict[str, RegistryFile], seed: str) -> list[UnitPlan]:
    """Decide who submits, how completely, when, with which reports, and who gets reviewed."""
    rng = random.Random(f"{seed}:{period}")
    units = [u for reg in registries.values() for u in reg.units if u.is_active(period)]
    plans = {u.id: UnitPlan(u) for u in units}
    # The five district offices with schools, and those schools, always submit: the schools' preset
    # 3.2 puts each office in a chosen 4.2 band whether or not missing files count as "not met".
    portal_fixed = portal_scores(rng, period, registries)
    eligible_missing = [u.id for u in units if u.id not in portal_fixed and u.id not in registries]
    missing = set(pick(rng, eligible_missing, 0.15 * len(units)))
    submitters = [u.id for u in units if u.id not in missing]
    partial = set(pick(rng, submitters, 0.15 * len(submitters)))
    late = set(pick(rng, submitters, 0.10 * len(submitters)))
    on_time = [s for s in submitters if s not in late]
    first_wave = set(pick(rng, on_time, 0.55 * len(on_time)))
    with_reports = set(pick(rng, submitters, 0.80 * len(submitters)))
    for unit_id in submitters:
        plan = plans[unit_id]
        plan.partial = unit_id in partial
        plan.timing = ("tu-danh-gia-muon" if unit_id in late else
                       "tu-danh-gia" if unit_id in first_wave else "tu-danh-gia-han-chot")
        if unit_id in with_reports:
            plan.report_timing = report_timings(rng, period, plan.timing)
        plan.submission = build_submission(rng, period, plan, portal_fixed.get(unit_id))
    reviewed = pick(rng, submitters, (0.6 if period == "2020-2021" else 0.35) * len(submitters))
    for unit_id in sorted(reviewed):
        plans[unit_id].review = build_review(rng, period, plans[unit_id].submission, registries)
    return [plans[u.id] for u in units]


def portal_scores(rng: random.Random, period: str, registries: dict[str, RegistryFile]) -> dict[str, float]:
    """Criterion 3.2 of every THCS: full for the designed number of schools per district, else 0."""
    fixed = {}
    for office_id, (_, met_per_period) in DEMO_THCS.items():
        schools = [u.id for u in registries[office_id].units if u.is_active(period)]
        met = set(rng.sample(schools, met_per_period[period]))
        fixed.update({s: (5.0 if s in met else 0.0) for s in schools})
    return fixed


def report_timings(rng: random.Random, period: str, submission_step: str) -> dict[str, str]:
    """When each milestone PDF arrives: mostly on time, sometimes late, rarely never."""
    timings = {}
    for milestone in ("ke-hoach", "so-ket"):
        roll = rng.random()
        if roll < 0.05:
            continue
        timings[milestone] = milestone + ("-muon" if roll < 0.17 else "")
    roll = rng.random()
    if period in SEPARATE_YEAR_END:
        if roll >= 0.05:
            timings["tong-ket"] = "tong-ket-muon" if roll < 0.15 else "tong-ket"
    elif roll >= 0.05:
        timings["tong-ket"] = submission_step
    return timings


def target_points(rng: random.Random, partial: bool) -> float:
    """A total to aim at, drawn so that every rating band gets units (partial sheets aim lower)."""
    weights = [30, 30, 18, 14, 8] if not partial else [5, 15, 30, 30, 20]
    ranges = [(91, 99), (81, 89), (71, 79), (52, 69), (30, 48)]
    low, high = rng.choices(ranges, weights)[0]
    return float(rng.randint(low, high))


def build_submission(rng: random.Random, period: str, plan: UnitPlan, portal: float | None) -> Submission:
    """Scores aimed at a band, evidence that satisfies every criterion's rule, notes and reports."""
    unit = plan.unit
    criteria = written_criteria(unit.type)
    fixed = {}
    if unit.type != "phong-gddt":  # portal integration: all or nothing, mostly integrated
        portal_max = next(c.max for c in criteria if c.id == PORTAL_CRITERION)
        fixed[PORTAL_CRITERION] = portal if portal is not None else (0.0 if rng.random() < 0.15 else portal_max)
    omitted = set()
    if plan.partial:
        candidates = [c.id for c in criteria if not (c.id == PORTAL_CRITERION and portal is not None)]
        omitted = set(rng.sample(candidates, rng.randint(2, 6)))
    # Every sheet is out of 100 points; a district office's derived 4.2 comes on top of its target.
    scores = scores_towards(rng, criteria, target_points(rng, plan.partial), fixed, omitted)
    reports = {m: REPORT_FILES[m] for m in ("ke-hoach", "so-ket", "tong-ket") if m in plan.report_timing}
    pdf_pool = [REPORT_FILES["ke-hoach"] if "ke-hoach" in reports else DECISION_FILE]
    pdf_pool += [REPORT_FILES["so-ket"]] if "so-ket" in reports else []
    evidence, notes = {}, {}
    by_id = {c.id: c for c in criteria}
    for cid, value in scores.items():
        crit = by_id[cid]
        evidence[cid] = evidence_for(rng, unit, crit, value, pdf_pool)
        if rng.random() < 0.75 or value < crit.max:
            notes[cid] = note_for(unit, period, crit, value)
    return Submission(unit, period, scores, evidence, notes, reports)


def evidence_for(rng: random.Random, unit: Unit, crit: Criterion, value: float, pdf_pool: list[str]) -> list[str]:
    """Evidence that satisfies the criterion's rule when the score is > 0, plus an occasional extra link."""
    if value == 0 or crit.evidence is None:
        return [unit.website] if crit.id == "3.1" and value > 0 and rng.random() < 0.3 else []
    if crit.evidence == PDF:
        chosen = sorted(rng.sample(pdf_pool, rng.randint(1, len(pdf_pool))))
        if crit.id == "3.4" and rng.random() < 0.4:
            chosen.append(link_evidence(unit, CONG_KHAI))
        return chosen
    return [link_evidence(unit, crit.evidence)]


def build_review(rng: random.Random, period: str, sub: Submission, registries: dict[str, RegistryFile]) -> Review:
    """Reviewer scores: mostly the self-scores, some lowered with a reason (never the portal item,
    whose value is designed to put each district office in a chosen 4.2 band)."""
    reviewer = rng.choice(unit_reviewers(sub.unit, registries))
    date = next(b.date[:10] for b in demo_batches() if b.key == f"{period}/cham-diem")
    scores, comments = dict(sub.scores), {}
    lowerable = [cid for cid, v in sub.scores.items() if v > 0 and cid != PORTAL_CRITERION]
    if lowerable and rng.random() < 0.65:
        for cid in sorted(rng.sample(lowerable, min(len(lowerable), rng.randint(1, 3)))):
            scores[cid] = max(0.0, scores[cid] - rng.choice((0.5, 1.0, 1.0, 2.0)))
            specific = SCHOOL_REVIEW_COMMENTS.get(cid) if sub.unit.type != "phong-gddt" else None
            comments[cid] = specific or rng.choice(REVIEW_COMMENTS)
    elif scores:
        comments[next(iter(scores))] = AGREE_COMMENT
    return Review(reviewer, date, scores, comments)


# --------------------------------------------------------------------------------------------
# Demo: files and timeline
# --------------------------------------------------------------------------------------------


class FileSet:
    """Generated files in memory, each tagged with the batch that would commit it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.batch_of: dict[str, str] = {}

    def add(self, path: str, content: str | bytes, batch: str) -> None:
        if path in self.files:
            raise ValueError(f"generated twice: {path}")
        data = unicodedata.normalize("NFC", content).encode("utf-8") if isinstance(content, str) else content
        self.files[path] = data
        self.batch_of[path] = batch


def demo_files(seed: str) -> tuple[FileSet, dict[str, list[UnitPlan]], dict[str, RegistryFile]]:
    """All demo files and the plans behind them (kept for the summary)."""
    registries = demo_registries()
    files = FileSet()
    files.add("submissions/organization.yaml", render_organization(
        "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh (dữ liệu minh hoạ)",
        DEPARTMENT_REVIEWERS, ["sgd-demo-admin"], demo=True), "setup")
    for registry in registries.values():
        files.add(f"submissions/units/{registry.parent}.yaml", render_registry(registry), "setup")
    plans = {period: plan_period(period, registries, seed) for period in DEMO_PERIODS}
    for period, period_plans in plans.items():
        for plan in period_plans:
            add_unit_period_files(files, period, plan)
    return files, plans, registries


def add_unit_period_files(files: FileSet, period: str, plan: UnitPlan) -> None:
    """The submission, its PDFs (each in the batch of its milestone) and the reviewer file."""
    sub = plan.submission
    if sub is None:
        return
    files.add(submission_path(period, plan.unit), render_submission(sub), f"{period}/{plan.timing}")
    milestone_of = {pdf: m for m, pdf in REPORT_FILES.items()}
    referenced = set(sub.reports.values()) | {e for items in sub.evidence.values() for e in items
                                              if not e.startswith("https://")}
    for pdf in sorted(referenced):
        milestone = milestone_of.get(pdf)
        step = plan.report_timing[milestone] if milestone in plan.report_timing else plan.timing
        lines = [f"TAI LIEU MINH HOA - {plan.unit.id} - {pdf}",
                 f"Nam hoc {period} - du lieu gia lap, khong phai van ban that"]
        files.add(evidence_path(period, plan.unit, pdf), minimal_pdf(lines), f"{period}/{step}")
    if plan.review:
        files.add(submission_path(period, plan.unit, ".review.yaml"), render_review(sub, plan.review),
                  f"{period}/cham-diem")


def demo_timeline(files: FileSet) -> list[dict]:
    """Batches in date order, each with its files sorted; empty batches are dropped."""
    timeline = []
    for batch in demo_batches():
        paths = sorted(p for p, key in files.batch_of.items() if key == batch.key)
        if paths:
            timeline.append({"date": batch.date, "message": batch.message, "paths": paths})
    listed = [p for entry in timeline for p in entry["paths"]]
    if sorted(listed) != sorted(files.files):
        raise AssertionError("every generated file must appear in exactly one batch")
    return timeline


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write files, leaving identical ones untouched so mtimes and git stay quiet on reruns."""
    for rel, data in files.items():
        path = out / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def stray_files(out: Path, generated: Iterable[str]) -> list[str]:
    """Files under submissions/ that this run did not produce (left over from an older demo)."""
    known = set(generated)
    root = out / "submissions"
    if not root.is_dir():
        return []
    return sorted(p.relative_to(out).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.relative_to(out).as_posix() not in known)


def commit_timeline(out: Path, timeline: list[dict]) -> None:
    """Replay the timeline as one dated git commit per batch, committing only the batch's paths."""
    if not (out / ".git").exists():
        raise SystemExit(f"--commit: {out} is not a git repository (run git init first)")
    for entry in timeline:
        env = dated_env(entry["date"])
        pathspec = "\n".join(entry["paths"]) + "\n"
        git(out, ["add", "--pathspec-from-file=-"], pathspec, env)
        git(out, ["commit", "--quiet", "-m", entry["message"], "--pathspec-from-file=-"], pathspec, env)


def dated_env(date: str) -> dict[str, str]:
    """Environment for a commit that claims to be made at `date` by the demo author: the history,
    not the wall clock, is what on-time and late computations read."""
    name, email = DEMO_AUTHOR
    return {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}


def git(cwd: Path, args: list[str], stdin: str | None = None, env: dict | None = None) -> None:
    """Run git in `cwd`, failing loudly (a half-written history is worse than none)."""
    subprocess.run(["git", *args], cwd=cwd, input=stdin, text=True, env=env, check=True)


def run_demo(out: Path, seed: str, commit: bool, clean: bool) -> None:
    files, plans, registries = demo_files(seed)
    if clean and (out / "submissions").is_dir():
        shutil.rmtree(out / "submissions")
    write_files(out, files.files)
    timeline = demo_timeline(files)
    timeline_text = json.dumps(timeline, ensure_ascii=False, indent=2) + "\n"
    write_files(out, {TIMELINE_PATH: timeline_text.encode("utf-8")})
    for path in stray_files(out, files.files):
        print(f"warning: {path} is not part of the demo (use --clean to remove leftovers)", file=sys.stderr)
    print(demo_summary(files, plans, registries, timeline))
    if commit:
        commit_timeline(out, timeline)


# --------------------------------------------------------------------------------------------
# Demo: summary of what was designed (printed, and used in the report)
# --------------------------------------------------------------------------------------------


def final_scores(plan: UnitPlan) -> dict[str, float]:
    """Reviewer scores win over self-scores where present."""
    return plan.review.scores if plan.review else plan.submission.scores


def district_shares(period: str, plans: list[UnitPlan], registries: dict[str, RegistryFile]) -> dict[str, float]:
    """Share (percent) of a district office's active units whose 3.2 is met (missing = not met)."""
    by_id = {p.unit.id: p for p in plans}
    shares = {}
    for office_id, registry in registries.items():
        if office_id == DEPARTMENT_ID:
            continue
        subs = [u for u in registry.units if u.is_active(period)]
        met = sum(1 for u in subs if by_id[u.id].submission and final_scores(by_id[u.id]).get(PORTAL_CRITERION) == 5)
        shares[office_id] = 100 * met / len(subs)
    return shares


def unit_percent(unit: Unit, scores: dict[str, float], shares: dict[str, float]) -> float:
    """Total in percent of the full sheet. A district office gets its banded 4.2; one without
    registered schools gets 0 for it, as site_builder's scorer does (the share of 0 units is 0)."""
    total = sum(scores.values())
    maximum = sum(c.max for c in CRITERIA[unit.type])
    if unit.type == "phong-gddt":
        derived_max = next(c.max for c in CRITERIA[unit.type] if c.derived)
        total += derived_max * band_of(shares.get(unit.id, 0.0), DISTRICT_SHARE_BANDS)
    return 100 * total / maximum


def band_counts(plans: list[UnitPlan], shares: dict[str, float], reviewed: bool) -> str:
    """How many units fall in each rating band, by self-scores or by final (reviewed) scores."""
    counts = {label: 0 for _, label in RATING_BANDS}
    for plan in plans:
        scores = final_scores(plan) if reviewed else plan.submission.scores
        counts[band_of(unit_percent(plan.unit, scores, shares), RATING_BANDS)] += 1
    return ", ".join(f"{label} {count}" for label, count in counts.items())


def demo_summary(files: FileSet, plans: dict[str, list[UnitPlan]], registries: dict[str, RegistryFile],
                 timeline: list[dict]) -> str:
    total_units = sum(len(r.units) for r in registries.values())
    pdf_count = sum(1 for p in files.files if p.endswith(".pdf"))
    lines = [f"units registered: {total_units} in {len(registries)} registry files",
             f"files: {len(files.files)} ({pdf_count} PDFs, {sum(len(d) for d in files.files.values())} bytes), "
             f"timeline batches: {len(timeline)}"]
    for period, period_plans in plans.items():
        submitted = [p for p in period_plans if p.submission]
        shares = district_shares(period, period_plans, registries)
        lowered = sum(1 for p in submitted if p.review and p.review.scores != p.submission.scores)
        reports = sum(1 for p in submitted if p.submission.reports)
        late_reports = sum(1 for p in submitted for step in p.report_timing.values() if step.endswith("-muon"))
        lines += [
            f"{period}: active {len(period_plans)}, submitted {len(submitted)} "
            f"(complete {sum(not p.partial for p in submitted)}, partial {sum(p.partial for p in submitted)}), "
            f"missing {len(period_plans) - len(submitted)}, late {sum(p.timing.endswith('muon') for p in submitted)}, "
            f"reviewed {sum(bool(p.review) for p in submitted)} (lowered {lowered}), "
            f"with bao_cao {reports} (late milestone PDFs {late_reports})",
            f"  rating bands, self-scores: {band_counts(submitted, shares, reviewed=False)}",
            f"  rating bands, final scores: {band_counts(submitted, shares, reviewed=True)}",
            "  district 4.2 share: " + ", ".join(
                f"{office} {share:.0f}% -> factor {band_of(share, DISTRICT_SHARE_BANDS)}"
                for office, share in shares.items()),
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Scale test
# --------------------------------------------------------------------------------------------

SCALE_PDF = "minh-chung.pdf"
KNOWN_DEADLINES = {"2020-2021": "2021-05-18", "2023-2024": "2024-06-07"}


def scale_registries(n_units: int, flat: bool) -> dict[str, RegistryFile]:
    """N units: ~N/25 district offices with ~24 schools each, the rest THPT/GDTX under the Department.

    With `flat` there is no district tier (as after the 2025 reform): all units are schools or
    centres listed directly under the Department.
    """
    department = RegistryFile(DEPARTMENT_ID, ["sgd-bench-reviewer", "sgd-bench-reviewer-2"], [])
    registries = {DEPARTMENT_ID: department}
    offices = 0 if flat else n_units // 25
    for i in range(1, offices + 1):
        office_id = f"pgd-bench-{i:04d}"
        district = f"Quận Demo {i}"
        department.units.append(Unit(office_id, f"Phòng Giáo dục và Đào tạo {district}", "phong-gddt",
                                     district, DEPARTMENT_ID, editors=[f"{office_id}-editor"]))
        registries[office_id] = RegistryFile(office_id, [f"{office_id}-reviewer"], [
            Unit(f"thcs-bench-{i:04d}-{j:02d}", f"Trường THCS Demo số {j} – {district}", "truong-pho-thong",
                 district, office_id, level="THCS", editors=[f"thcs-bench-{i:04d}-{j:02d}-editor"])
            for j in range(1, 25)])
    for k in range(1, n_units - 25 * offices + 1):
        if k % 6 == 0:
            unit_id, name, kind, level = f"gdtx-bench-{k:05d}", f"Trung tâm GDTX Demo số {k}", "trung-tam-gdtx", None
        else:
            level = "Nhiều cấp học" if k % 10 == 1 else "THPT"
            unit_id, name, kind = f"thpt-bench-{k:05d}", f"Trường THPT Demo số {k}", "truong-pho-thong"
        department.units.append(Unit(unit_id, name, kind, f"Quận Demo {k % 24 + 1}", DEPARTMENT_ID,
                                     level=level, editors=[f"{unit_id}-editor"]))
    return registries


def scale_submission(rng: random.Random, period: str, unit: Unit) -> Submission:
    """A complete sheet with random 0.5-step scores; every PDF criterion points at the shared PDF."""
    scores, evidence, notes = {}, {}, {}
    for crit in written_criteria(unit.type):
        value = min(crit.max, rng.randint(int(crit.max), int(crit.max * 2) + 2) / 2)
        scores[crit.id] = value
        if value > 0 and crit.evidence:
            evidence[crit.id] = [SCALE_PDF] if crit.evidence == PDF else [link_evidence(unit, crit.evidence)]
        if value < crit.max:
            notes[crit.id] = PARTIAL_NOTES[0]
    reports = {m: SCALE_PDF for m in REPORT_FILES}
    return Submission(unit, period, scores, evidence, notes, reports)


def scale_review(rng: random.Random, sub: Submission, reviewers: list[str], date: str) -> Review:
    """The self-scores with one criterion lowered by 0.5, so reviewed totals differ from self totals."""
    scores = dict(sub.scores)
    cid = rng.choice(list(scores))
    scores[cid] = max(0.0, scores[cid] - 0.5)
    return Review(rng.choice(reviewers), date, scores, {cid: REVIEW_COMMENTS[0]})


def deadline_of(out: Path, period: str) -> datetime.date:
    """The period's deadline: from the copied criteria/<period>/year.yaml when readable, else known
    dates, else 31 May of the period's second year."""
    year_file = out / "criteria" / period / "year.yaml"
    if year_file.is_file():
        for line in year_file.read_text(encoding="utf-8").splitlines():
            key, _, value = line.strip().partition(":")
            if key == "deadline" and value.strip():
                return datetime.date.fromisoformat(value.split("#")[0].strip().strip("'\""))
    return datetime.date.fromisoformat(KNOWN_DEADLINES.get(period, f"{period[-4:]}-05-31"))


def write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def run_scale(out: Path, n_units: int, seed: str, periods: list[str], flat: bool, use_git: bool) -> None:
    """Write the scale-test repository and print how long it took (and git, separately)."""
    started = time.perf_counter()
    for name in ("criteria", "schema"):
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, out / name, dirs_exist_ok=True)
    registries = scale_registries(n_units, flat)
    os.makedirs(out / "submissions" / "units", exist_ok=True)
    write_text(str(out / "submissions" / "organization.yaml"), render_organization(
        "Sở Giáo dục và Đào tạo (dữ liệu kiểm thử tải)", registries[DEPARTMENT_ID].reviewers,
        ["sgd-bench-admin"], demo=True))
    for registry in registries.values():
        write_text(str(out / "submissions" / "units" / f"{registry.parent}.yaml"), render_registry(registry))
    # The single commit is dated the day before the earliest deadline; reviews carry that date too.
    commit_day = min(deadline_of(out, p) for p in periods) - datetime.timedelta(days=1)
    rng = random.Random(seed)
    counts = [write_scale_period(out, rng, period, registries, commit_day.isoformat()) for period in periods]
    units = sum(len(r.units) for r in registries.values())
    print(f"generated {units} units in {len(registries)} registry files, periods {', '.join(periods)}: "
          f"{sum(c[0] for c in counts)} submissions (one PDF each), {sum(c[1] for c in counts)} reviews "
          f"in {time.perf_counter() - started:.1f} s")
    if use_git:
        started = time.perf_counter()
        commit_everything(out, f"{commit_day.isoformat()}T18:00:00+07:00")
        print(f"git init + add + commit in {time.perf_counter() - started:.1f} s")


def write_scale_period(out: Path, rng: random.Random, period: str, registries: dict[str, RegistryFile],
                       review_date: str) -> tuple[int, int]:
    """One period: 90% of the units submit, 20% of those are reviewed; returns both counts."""
    submitted = reviewed = 0
    pdf_source = None
    for registry in registries.values():
        folder = out / "submissions" / period / registry.parent
        os.makedirs(folder, exist_ok=True)
        for unit in registry.units:
            if rng.random() >= 0.9:
                continue
            sub = scale_submission(rng, period, unit)
            base = str(folder / unit.id)
            write_text(base + ".yaml", render_submission(sub))
            os.makedirs(base, exist_ok=True)
            pdf_source = link_or_write(pdf_source, base + "/" + SCALE_PDF)
            submitted += 1
            if rng.random() < 0.2:
                write_text(base + ".review.yaml",
                           render_review(sub, scale_review(rng, sub, registry.reviewers, review_date)))
                reviewed += 1
    return submitted, reviewed


def link_or_write(source: str | None, target: str) -> str:
    """Hard-link the one shared PDF (same bytes everywhere, one inode); copy if linking fails."""
    if source is None:
        with open(target, "wb") as handle:
            handle.write(minimal_pdf(["TAI LIEU MINH HOA - benchmark - " + SCALE_PDF]))
        return target
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return source


def commit_everything(out: Path, date: str) -> None:
    """One commit of the whole tree, dated before the (earliest) deadline so every submission is on time."""
    env = dated_env(date)
    if not (out / ".git").exists():
        git(out, ["init", "--quiet", "--initial-branch=main"])
    git(out, ["add", "-A"], env=env)
    git(out, ["commit", "--quiet", "-m", "Dữ liệu kiểm thử tải (sinh tự động)"], env=env)


# --------------------------------------------------------------------------------------------
# --check: read back what was written and verify the contract's invariants
# --------------------------------------------------------------------------------------------


def check_tree(out: Path, sample_every: int = 1) -> list[str]:
    """Parse the registry and (every n-th) submission and review; return the problems found.

    Not a replacement for the project's validator: it guards the generator itself (valid YAML,
    scores within max and on the 0.5 step, evidence present and existing, reviewers allowed).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    problems = []
    org = yaml.load((out / "submissions/organization.yaml").read_text(encoding="utf-8"), Loader=loader)
    units, reviewers = {}, {}
    for reg_path in sorted((out / "submissions/units").glob("*.yaml")):
        reg = yaml.load(reg_path.read_text(encoding="utf-8"), Loader=loader)
        if reg["parent"] != reg_path.stem:
            problems.append(f"{reg_path}: parent differs from file name")
        for unit in reg["units"]:
            units[unit["id"]] = (unit, reg["parent"])
            reviewers[unit["id"]] = unit.get("reviewers", reg["reviewers"])
    for parent in {p for _, p in units.values()} - {org["id"]}:
        if parent not in units:
            problems.append(f"registry file {parent}.yaml is not named after a registered unit")
    for n, path in enumerate(sorted((out / "submissions").glob("*/*/*.yaml"))):
        if n % sample_every:
            continue
        problems += check_file(path, yaml.load(path.read_text(encoding="utf-8"), Loader=loader),
                               units, reviewers)
    return problems


def check_file(path: Path, doc: dict, units: dict, reviewers: dict) -> list[str]:
    """Invariants of one submission or review file."""
    period, parent, name = path.parts[-3], path.parts[-2], path.name
    unit_id = name.removesuffix(".review.yaml").removesuffix(".yaml")
    unit, registered_parent = units.get(unit_id, (None, None))
    if unit is None or registered_parent != parent or doc["don_vi"] != unit_id or doc["nam_hoc"] != period:
        return [f"{path}: unit, parent or period does not match the registry/path"]
    maxima = {c.id: c for c in written_criteria(unit["type"])}
    key = "diem_cham" if name.endswith(".review.yaml") else "diem_tu_cham"
    problems = []
    if key == "diem_cham" and doc["nguoi_cham"] not in reviewers[unit_id]:
        problems.append(f"{path}: {doc['nguoi_cham']} is not a reviewer of {unit_id}")
    for cid, entry in doc["tieu_chi"].items():
        crit, value = maxima.get(cid), entry[key]
        if crit is None or not (0 <= value <= crit.max) or (value * 2) % 1:
            problems.append(f"{path}: {cid} = {value} is not a valid score")
            continue
        if key == "diem_tu_cham" and value > 0 and crit.evidence:
            items = entry.get("minh_chung", [])
            pdfs = [i for i in items if i.endswith(".pdf") and (path.parent / unit_id / i).is_file()]
            links = [i for i in items if i.startswith(unit["website"])]
            if not (pdfs if crit.evidence == PDF else links):
                problems.append(f"{path}: {cid} lacks its {crit.evidence} evidence")
    for milestone, pdf in (doc.get("bao_cao") or {}).items():
        if not (path.parent / unit_id / pdf).is_file():
            problems.append(f"{path}: bao_cao {milestone} -> {pdf} does not exist")
    return problems


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--demo", action="store_true", help="write the bundled demo data")
    mode.add_argument("--units", type=int, metavar="N", help="write a scale-test repository of N units")
    parser.add_argument("--out", type=Path, required=True, help="repository root to write into")
    parser.add_argument("--seed", help=f"random seed (demo default: {DEMO_SEED}; scale default: 1)")
    parser.add_argument("--periods", nargs="+", default=["2023-2024"], help="scale test: periods to fill")
    parser.add_argument("--flat", action="store_true", help="scale test: no district tier")
    parser.add_argument("--git", action="store_true", help="scale test: git init and one commit")
    parser.add_argument("--force", action="store_true", help="scale test: allow a non-empty --out")
    parser.add_argument("--commit", action="store_true", help="demo: replay the timeline as git commits")
    parser.add_argument("--clean", action="store_true", help="demo: delete --out/submissions first")
    parser.add_argument("--check", action="store_true", help="read the output back and check it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = args.out.resolve()
    if args.demo:
        run_demo(out, args.seed or DEMO_SEED, args.commit, args.clean)
    else:
        if out.exists() and any(out.iterdir()) and not args.force:
            raise SystemExit(f"{out} is not empty (use --force to write into it anyway)")
        out.mkdir(parents=True, exist_ok=True)
        periods = [p for item in args.periods for p in item.split(",") if p]
        run_scale(out, args.units, args.seed or "1", periods, args.flat, args.git)
    if args.check:
        problems = check_tree(out, sample_every=1 if args.demo else 10)
        print("\n".join(problems) if problems else "check: no problems found")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
