"""What the demo and the scale generator share: catalogues read as data, the data files rendered
as text, and tiny stable PDFs.

YAML is written from text templates, not through a dumper: it is faster, and the layout (quoted
criterion ids, the `yaml-language-server` comment, key order) stays exactly the documented one.
Only the standard library and PyYAML are needed.
"""

from __future__ import annotations

import datetime
import functools
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPARTMENT_ID = "so-gddt"

PDF = "pdf"
WEBSITE = "website"
CONG_KHAI = "cong_khai_link"
THU_TUC = "thu_tuc_bieu_mau_link"
REPORTS_FOLDER = "bao-cao"


# --------------------------------------------------------------------------------------------
# Catalogues and period files, read from criteria/
# --------------------------------------------------------------------------------------------


class Criterion(NamedTuple):
    """One scored item: `evidence` is the kind a score > 0 requires (None = nothing asked)."""

    id: str
    max: float
    evidence: str | None = None
    derived: bool = False  # computed by the scorer (district 4.2), never written in a submission
    requires_milestone: str = ""  # a report that must be filed for points here (the plan: 1.1 / 4.1)


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    due: datetime.date
    owed_by: tuple[str, ...] = ()

    def owed(self, unit_type: str) -> bool:
        return not self.owed_by or unit_type in self.owed_by


@dataclass(frozen=True)
class PeriodInfo:
    id: str
    opens: datetime.date
    deadline: datetime.date
    milestones: tuple[Milestone, ...]
    unit_types: tuple[str, ...]  # types with a catalogue this period


@functools.cache
def load_criteria(period: str, root: Path = REPO_ROOT) -> dict[str, tuple[Criterion, ...]]:
    """Max points and evidence rules of each unit type's catalogue of `period`."""
    criteria = {}
    for file in sorted((root / "criteria" / period).glob("*.yaml")):
        if file.name == "year.yaml":
            continue
        catalogue = yaml.safe_load(file.read_text(encoding="utf-8"))
        items = []
        for group in catalogue["groups"]:
            for item in group["items"]:
                evidence = item.get("evidence") or {}
                kind = evidence["kinds"][0] if evidence.get("required") and evidence.get("kinds") else None
                items.append(
                    Criterion(
                        str(item["id"]), float(item["max"]), kind, "derived" in item, item.get("requires_milestone", "")
                    )
                )
        criteria[catalogue["unit_type"]] = tuple(items)
    return criteria


@functools.cache
def load_period(period: str, root: Path = REPO_ROOT) -> PeriodInfo:
    """Dates and milestones of criteria/<period>/year.yaml."""
    data = yaml.safe_load((root / "criteria" / period / "year.yaml").read_text(encoding="utf-8"))
    window = data["self_assessment"]
    milestones = tuple(
        Milestone(m["id"], m["title"], _date(m["due"]), tuple(m.get("owed_by") or ()))
        for m in data.get("milestones") or ()
    )
    return PeriodInfo(
        period,
        _date(window["opens"]),
        _date(window["deadline"]),
        milestones,
        tuple(sorted(load_criteria(period, root))),
    )


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def written_criteria(period: str, unit_type: str) -> list[Criterion]:
    """The criteria a unit types in (derived ones are computed, so they never appear in files)."""
    return [c for c in load_criteria(period)[unit_type] if not c.derived]


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


def ascii_text(text: str) -> str:
    """PDF text in the demo's tiny PDFs is plain ASCII (Helvetica, no font embedding)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch) and ord(ch) < 128)


# --------------------------------------------------------------------------------------------
# Records and their files
# --------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """One registry entry of one period; `body` is the file it is listed in (its reviewing body)."""

    id: str
    name: str
    type: str
    body: str
    area: str = ""
    level: str | None = None
    editors: list[str] = field(default_factory=list)
    reviewers: list[str] | None = None  # override of the registry file's default
    replaces: list[str] = field(default_factory=list)

    @property
    def website(self) -> str:
        return f"https://{self.id}.example.edu.vn"


@dataclass
class RegistryFile:
    """submissions/units/<period>/<body>.yaml: a reviewing body, its default reviewers and its units.
    `name` and `parent` only for a body that is not itself a unit of the period (a ward's office)."""

    period: str
    body: str
    reviewers: list[str]
    units: list[Unit]
    name: str = ""
    parent: str = ""

    @property
    def path(self) -> str:
        return f"submissions/units/{self.period}/{self.body}.yaml"


@dataclass
class Submission:
    """What one unit typed for one period; `scores` keeps only the criteria it filled in."""

    unit: Unit
    period: str
    scores: dict[str, float]
    evidence: dict[str, list[str]]
    notes: dict[str, str]

    def only(self, criteria: Iterable[str]) -> Submission:
        """The same sheet with only some criteria (a first, incomplete version)."""
        keep = [c for c in self.scores if c in set(criteria)]
        return Submission(
            self.unit,
            self.period,
            {c: self.scores[c] for c in keep},
            {c: self.evidence[c] for c in keep if c in self.evidence},
            {c: self.notes[c] for c in keep if c in self.notes},
        )

    def pdfs(self) -> list[str]:
        """The PDFs it cites, in order of first citation (reports under bao-cao/ included)."""
        found: list[str] = []
        for items in self.evidence.values():
            found += [i for i in items if not i.startswith(("http://", "https://")) and i not in found]
        return found


@dataclass
class Review:
    """A reviewer's scores for one submission (every criterion the unit filled in)."""

    reviewer: str
    date: str
    scores: dict[str, float]
    comments: dict[str, str]


def render_organization(
    name: str,
    reviewers: list[str],
    maintainers: list[str],
    demo: bool,
    repository: str = "",
    signers: list[str] | None = None,
    evidence: str = "",
    site_budget_mb: int | None = None,
) -> str:
    out = [f"demo: {'true' if demo else 'false'}\n", f"id: {DEPARTMENT_ID}\n", f"name: {quoted(name)}\n"]
    if repository:
        out.append(f"repository: {repository}\n")
    if evidence:
        out.append(f"evidence: {evidence}\n")
    if site_budget_mb:
        out.append(f"site_budget_mb: {site_budget_mb}\n")
    out += [f"reviewers: {flow_list(reviewers)}\n", f"maintainers: {flow_list(maintainers)}\n"]
    if signers:
        out.append(f"clock:\n  signers: {flow_list(signers)}\n")
    return "".join(out)


def render_registry(registry: RegistryFile) -> str:
    out = [f"body: {registry.body}\n"]
    if registry.name:
        out.append(f"name: {quoted(registry.name)}\nparent: {registry.parent}\n")
    out += [f"reviewers: {flow_list(registry.reviewers)}\n", "units:\n"]
    for unit in registry.units:
        out.append(f"  - id: {unit.id}\n    name: {quoted(unit.name)}\n    type: {unit.type}\n")
        if unit.level:
            out.append(f"    level: {quoted(unit.level) if ' ' in unit.level else unit.level}\n")
        if unit.area:
            out.append(f"    area: {quoted(unit.area)}\n")
        out.append(f"    website: {unit.website}\n    editors: {flow_list(unit.editors)}\n")
        if unit.reviewers is not None:
            out.append(f"    reviewers: {flow_list(unit.reviewers)}\n")
        if unit.replaces:
            out.append(f"    replaces: {flow_list(unit.replaces)}\n")
    return "".join(out)


def schema_comment(period: str, unit_type: str) -> str:
    """The editor hint on the first line; path relative to the submission file."""
    return f"# yaml-language-server: $schema=../../../schema/editor/{period}/{unit_type}.schema.json\n"


def render_submission(sub: Submission) -> str:
    out = [
        schema_comment(sub.period, sub.unit.type),
        f"don_vi: {sub.unit.id}\n",
        f'nam_hoc: "{sub.period}"\n',
        "tieu_chi:\n",
    ]
    for cid, value in sub.scores.items():
        out.append(f'  "{cid}":\n    diem_tu_cham: {score_text(value)}\n')
        if sub.evidence.get(cid):
            out.append("    minh_chung:\n" + "".join(f"      - {item}\n" for item in sub.evidence[cid]))
        if cid in sub.notes:
            out.append(f"    ghi_chu: {quoted(sub.notes[cid])}\n")
    return "".join(out)


def render_review(sub: Submission, review: Review) -> str:
    out = [
        f"don_vi: {sub.unit.id}\n",
        f'nam_hoc: "{sub.period}"\n',
        f"nguoi_cham: {review.reviewer}\n",
        f"ngay_cham: {review.date}\n",
        "tieu_chi:\n",
    ]
    for cid, value in review.scores.items():
        out.append(f'  "{cid}":\n    diem_cham: {score_text(value)}\n')
        if cid in review.comments:
            out.append(f"    nhan_xet: {quoted(review.comments[cid])}\n")
    return "".join(out)


def unit_folder(period: str, unit: Unit) -> str:
    return f"submissions/{period}/{unit.body}/{unit.id}"


def submission_path(period: str, unit: Unit, suffix: str = ".yaml") -> str:
    return f"submissions/{period}/{unit.body}/{unit.id}{suffix}"


def report_path(period: str, unit: Unit, milestone: str, name: str) -> str:
    return f"{unit_folder(period, unit)}/{REPORTS_FOLDER}/{milestone}/{name}"


def link_evidence(unit: Unit, kind: str) -> str:
    """The URL a link criterion asks for, under the unit's example domain."""
    return {WEBSITE: unit.website, CONG_KHAI: f"{unit.website}/cong-khai", THU_TUC: f"{unit.website}/thu-tuc-bieu-mau"}[
        kind
    ]


def band_of(percent: float, bands: list[tuple[float, object]]) -> object:
    """The first band whose lower bound the percentage reaches (bands are sorted best first)."""
    return next(value for low, value in bands if percent >= low)


def scan_pdf(seed: str, kib: int, title: str = "") -> bytes:
    """A PDF like a scanned report: 1-6 pages, each a grey-scale page image plus a line of text,
    about `kib` KiB in all, with bytes that differ from one `seed` to another.

    The benchmark needs files of realistic size and distinct content (so hashing, checking and
    copying run once per file, not once for a shared file). The images are uncompressed noise
    seeded by `seed`: deterministic, cheap to make, and as incompressible as a real scan.
    """
    import random

    rng = random.Random(seed)
    pages = 1 + rng.randrange(6)
    per_page = max(1024, kib * 1024 // pages)
    width = 256
    height = max(4, per_page // width)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 3 * n) for n in range(pages)), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    label = ascii_text(title or seed).replace("\\", "").replace("(", "").replace(")", "")
    for n in range(pages):
        image, content = 5 + 3 * n, 6 + 3 * n  # object 4 + 3n is the page itself
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
            b"/XObject << /Im%d %d 0 R >> >> /Contents %d 0 R >>" % (n, image, content)
        )
        pixels = rng.randbytes(width * height)
        bodies.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream" % (width, height, len(pixels), pixels)
        )
        text = f"q 495 0 0 700 50 90 cm /Im{n} Do Q BT /F1 11 Tf 50 810 Td ({label} - trang {n + 1}/{pages}) Tj ET"
        stream = text.encode("ascii")
        bodies.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
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
