"""The Cao Bằng example's filings for 2020-2021, as a timeline: written into `examples/cao-bang/`,
and replayed as a signed git history so that its site can tell on time from late.

    python benchmarks/cao_bang.py --write                        # the filings, into examples/cao-bang/
    python benchmarks/cao_bang.py --history build/cao-bang-repo  # a fresh repository with their history
    site-builder --root build/cao-bang-repo build --out build/cao-bang

The example's criteria, organisation and registry were written by `site-builder init` and edited
by hand; this script only adds what units and reviewers file: self-assessments with evidence PDFs,
milestone reports (one PDF each) and reviewer scores. In the history, a maintainer's first commit
holds the repository without filings; each filing is then a pull request made in GitHub's web
editor and merged by a reviewer, signed with the demo key standing in for GitHub's
(`demo_history.replay`, shared with the bundled demo). Filings before a due day are on time,
after it late, and some never come (missing). Times are Vietnam's.
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "cao-bang"
sys.path.insert(0, str(PROJECT))

from site_builder.catalogues import load_period  # noqa: E402
from site_builder.paths import DataRoot  # noqa: E402
from site_builder.registry import load_organization, load_registry  # noqa: E402

PERIOD = "2020-2021"
VN = datetime.timezone(datetime.timedelta(hours=7))
MAINTAINER = "cb-demo-admin"
SETUP_AT = datetime.datetime(2020, 10, 30, 15, 0, tzinfo=VN)  # the day of letter 1423
REPORT_FILES = {
    "ke-hoach": "ke-hoach-cntt-2020-2021.pdf",
    "so-ket": "bao-cao-so-ket.pdf",
    "tong-ket": "bao-cao-tong-ket.pdf",
}
EVIDENCE_FILES = ("ke-hoach-cntt.pdf", "quyet-dinh-phan-cong.pdf")
LINK_SUFFIX = {"website": "", "cong_khai_link": "/cong-khai", "thu_tuc_bieu_mau_link": "/thu-tuc-bieu-mau"}


def at(text: str) -> datetime.datetime:
    """ "2021-01-12 09:30" in Vietnam."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN)


@dataclass(frozen=True)
class Plan:
    """What one unit files and when (None: never). `level` is the share of each item's max it
    self-scores on most items; `portal` says whether it meets the portal-integration item (3.2)."""

    unit: str
    ke_hoach: str | None = None
    so_ket: str | None = None
    tong_ket: str | None = None
    self_assessment: str | None = None
    level: float = 1.0
    portal: bool = True


# Due: plan 10/11/2020 (district offices only), mid-year 15/01/2021, year-end 01/06/2021;
# self-assessment 01/06/2021 (proposed). A filing on the due day is on time.
PLANS = [
    Plan("pgd-tp-cao-bang", "2020-11-06 09:15", "2021-01-12 10:00", "2021-05-28 08:40", "2021-05-26 14:20", 0.95),
    Plan("pgd-hoa-an", "2020-11-13 16:05", "2021-01-14 09:30", "2021-06-03 10:10", "2021-06-02 15:45", 0.85),
    Plan("pgd-trung-khanh", "2020-11-10 16:30", None, "2021-05-31 11:00", "2021-06-01 21:40", 0.8),
    Plan("thpt-demo-song-bang", None, "2021-01-08 08:30", "2021-05-25 09:00", "2021-05-20 10:15", 1.0),
    Plan("thpt-demo-hoa-an"),
    Plan("thpt-demo-ban-gioc", None, "2021-01-18 14:00", "2021-05-29 10:30", "2021-06-04 09:20", 0.75, False),
    Plan("ptdtnt-demo-trung-khanh", None, "2021-01-13 15:10", "2021-06-02 08:50", None),
    Plan("gdnn-gdtx-demo-hoa-an", None, "2021-01-15 17:20", "2021-05-27 09:40", "2021-05-27 16:00", 0.9),
    Plan("gdtx-demo-tinh", None, "2021-01-11 10:45", None, "2021-05-21 08:30", 0.7),
    Plan("thcs-demo-hop-giang", None, "2021-01-11 09:00", "2021-05-26 10:00", "2021-05-24 09:30", 1.0),
    Plan("thcs-demo-song-hien", None, "2021-01-14 16:00", "2021-05-31 15:30", "2021-05-31 16:10", 0.9),
    Plan("thcs-demo-de-tham", None, "2021-01-20 08:15", None, None),
    Plan("thcs-demo-nuoc-hai", None, "2021-01-12 14:30", "2021-06-01 10:20", "2021-06-03 08:45", 0.8, False),
    Plan("thcs-demo-hong-viet", None, "2021-01-13 09:50", "2021-05-28 14:00", "2021-05-28 15:30", 0.95),
    Plan("thcs-demo-be-trieu", None, "2021-01-15 10:30", "2021-05-30 09:15", "2021-05-30 10:00", 0.85),
    Plan("thcs-demo-dinh-phong", None, "2021-01-14 11:00", "2021-05-27 14:45", "2021-05-29 09:05", 0.9),
    Plan("thcs-demo-ngoc-khe", None, None, "2021-06-05 16:40", "2021-06-06 10:30", 0.6, False),
]

# Reviewer scores: unit -> (day, criterion -> (score, comment)).
REVIEWS = {
    "pgd-tp-cao-bang": ("2021-06-08 09:00", {"2.1": (5, "Minh chứng chưa thể hiện đủ các đơn vị trực thuộc.")}),
    "thpt-demo-song-bang": (
        "2021-06-09 10:00",
        {
            "1.5": (8, "Còn giáo viên chưa hoàn thành tập huấn trên mạng."),
            "3.3": (4, "Số tin bài trên cổng thông tin chưa đủ 40."),
        },
    ),
    "thcs-demo-hop-giang": ("2021-06-05 14:00", {"1.1": (5, "Thống nhất với điểm tự chấm.")}),
    "thcs-demo-hong-viet": ("2021-06-07 15:00", {"2.2": (8, "Cơ sở dữ liệu cập nhật chậm ở học kỳ II.")}),
}


# ---------------------------------------------------------------------------------- content


def pdf(lines: list[str]) -> bytes:
    """A real one-page PDF with the lines as text (Helvetica: ASCII only, so no diacritics)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): font})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    body = ["BT", "/F1 12 Tf", "72 770 Td", "18 TL"]
    for line in lines:
        body.append("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    content = DecodedStreamObject()
    content.set_data("\n".join(body + ["ET"]).encode("ascii"))
    page.replace_contents(content)
    writer.add_metadata({"/Title": lines[0], "/Producer": "pypdf"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def document(unit_id: str, what: str) -> bytes:
    return pdf(
        [
            f"TAI LIEU MINH HOA - {what}",
            f"Don vi: {unit_id} - nam hoc {PERIOD}",
            "Du lieu gia lap de minh hoa, khong phai van ban that.",
        ]
    )


def step_down(value: float, step: float) -> float:
    return int(value / step) * step


def scores(catalogue, plan: Plan, unit) -> dict:
    """Every typed item: the max, or `level` x max on two of every three items; evidence as asked."""
    criteria = {}
    typed = [item for group in catalogue.groups for item in group.items if not item.derived]
    for index, item in enumerate(typed):
        value = item.max if index % 3 == 0 else step_down(item.max * plan.level, catalogue.score_step)
        if item.id == "3.2" and unit.type != "phong-gddt":
            value = item.max if plan.portal else 0
        if item.requires_milestone and not plan.ke_hoach:
            value = 0
        entry = {"diem_tu_cham": int(value) if float(value).is_integer() else value}
        if item.evidence and value > 0:
            kind = item.evidence.kinds[0]
            if kind == "pdf":
                entry["minh_chung"] = [EVIDENCE_FILES[index % 2]]
            else:
                entry["minh_chung"] = [unit.website.rstrip("/") + LINK_SUFFIX[kind]]
        if value < item.max:
            entry["ghi_chu"] = "Đơn vị đang tiếp tục hoàn thiện nội dung này."
        criteria[item.id] = entry
    return criteria


def as_yaml(data: dict) -> str:
    """As the unit's template writes it: the period and criterion ids in double quotes, dates plain."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    text = re.sub(r"(?m)^nam_hoc: .*$", f'nam_hoc: "{PERIOD}"', text)
    text = re.sub(r"(?m)^ngay_cham: '([0-9-]+)'$", r"ngay_cham: \1", text)
    return re.sub(r"(?m)^  '([0-9.]+)':$", r'  "\1":', text)


def self_assessment(catalogue, plan: Plan, unit, folder: str) -> dict[str, bytes]:
    header = f"# yaml-language-server: $schema=../../../schema/editor/{PERIOD}/{unit.type}.schema.json\n"
    data = {"don_vi": unit.id, "nam_hoc": PERIOD, "tieu_chi": scores(catalogue, plan, unit)}
    files = {f"{folder}.yaml": (header + as_yaml(data)).encode("utf-8")}
    for name in EVIDENCE_FILES:
        files[f"{folder}/{name}"] = document(unit.id, name[:-4])
    return files


def review(unit, reviewer: str, when: str, items: dict) -> bytes:
    data = {
        "don_vi": unit.id,
        "nam_hoc": PERIOD,
        "nguoi_cham": reviewer,
        "ngay_cham": when[:10],
        "tieu_chi": {cid: {"diem_cham": score, "nhan_xet": note} for cid, (score, note) in items.items()},
    }
    return as_yaml(data).encode("utf-8")


# ---------------------------------------------------------------------------------- timeline


@dataclass
class Filing:
    unit: str
    what: str  # ke-hoach | so-ket | tong-ket | tu-danh-gia | cham
    proposed: datetime.datetime  # the web editor's signed commit
    merged: datetime.datetime  # the reviewer's signed merge
    author: str
    merged_by: str
    files: dict[str, bytes]


def filings(root: Path = EXAMPLE) -> list[Filing]:
    data_root = DataRoot(root)
    organization, _ = load_organization(data_root)
    registry, _ = load_registry(data_root, organization, periods=[PERIOD])
    period, _ = load_period(data_root, PERIOD)
    units = registry.periods[PERIOD].units
    out = []
    for plan in PLANS:
        unit = units[plan.unit]
        folder = f"submissions/{PERIOD}/{unit.parent}/{unit.id}"
        editor, reviewer = unit.editors[0], unit.reviewers[0] if unit.reviewers else organization.reviewers[0]
        for milestone in period.milestones:
            when = getattr(plan, milestone.id.replace("-", "_"))
            if when and milestone.owed(unit.type):
                title = REPORT_FILES[milestone.id][:-4]
                out.append(
                    Filing(
                        unit.id,
                        milestone.id,
                        at(when),
                        at(when) + datetime.timedelta(hours=5),
                        editor,
                        reviewer,
                        {f"{folder}/bao-cao/{milestone.id}/{REPORT_FILES[milestone.id]}": document(unit.id, title)},
                    )
                )
        if plan.self_assessment:
            when = at(plan.self_assessment)
            out.append(
                Filing(
                    unit.id,
                    "tu-danh-gia",
                    when,
                    when + datetime.timedelta(days=1),
                    editor,
                    reviewer,
                    self_assessment(period.catalogues[unit.type], plan, unit, folder),
                )
            )
        if unit.id in REVIEWS:
            when, items = REVIEWS[unit.id]
            files = {f"{folder}.review.yaml": review(unit, reviewer, when, items)}
            out.append(
                Filing(
                    unit.id,
                    "cham",
                    at(when),
                    at(when) + datetime.timedelta(hours=2),
                    reviewer,
                    organization.maintainers[0],
                    files,
                )
            )
    return sorted(out, key=lambda f: f.proposed)


def write(root: Path = EXAMPLE) -> int:
    """The state after every filing, into the example (earlier filings of this script removed)."""
    import shutil

    target = root / "submissions" / PERIOD
    if target.exists():
        shutil.rmtree(target)
    count = 0
    for filing in filings(root):
        for rel, content in filing.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            count += 1
    return count


WHAT = {
    "ke-hoach": "kế hoạch CNTT",
    "so-ket": "báo cáo sơ kết",
    "tong-ket": "báo cáo tổng kết",
    "tu-danh-gia": "bài tự đánh giá",
    "cham": "điểm chấm",
}


def history(target: Path, root: Path = EXAMPLE):
    """A fresh repository at `target`: the maintainer's setup, then every filing as a pull request."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import demo_history
    from demo_data import KEY_DIR, KEY_NAME, Commit, Demo, Event

    from site_builder.testing_git import Signer

    filed = filings(root)
    filed_paths = {rel for f in filed for rel in f.files}
    setup = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in filed_paths
    }
    events = [
        Event("setup", [Commit(SETUP_AT, MAINTAINER, "Kho dữ liệu năm học 2020 - 2021 (site-builder init)", setup)])
    ]
    for f in filed:
        title = f"{f.unit}: {WHAT[f.what]} năm học {PERIOD}"
        events.append(
            Event(
                "pr",
                [Commit(f.proposed, f.author, f"Nộp {WHAT[f.what]}", f.files)],
                title=title,
                merged=f.merged,
                merged_by=f.merged_by,
                period=PERIOD,
                unit=f.unit,
                what=f.what,
            )
        )
    with Signer.load(KEY_DIR / f"{KEY_NAME}.secret.asc") as signer:
        return demo_history.replay(Demo(events, {}, {}), target, signer)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the filings into examples/cao-bang/")
    parser.add_argument("--history", type=Path, metavar="DIR", help="replay the history into a fresh repository")
    args = parser.parse_args(argv)
    if not args.write and args.history is None:
        parser.error("give --write, --history DIR, or both")
    if args.write:
        print(f"{write()} files written under {EXAMPLE / 'submissions' / PERIOD}")
    if args.history is not None:
        replayed = history(args.history.resolve())
        print(f"history: {len(replayed.log)} commits in {args.history}, main at {replayed.main.hex()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
