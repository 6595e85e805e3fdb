"""Check one unit's self-assessment (or reviewer-score file) against the registry and catalogue.

Order matters for the clerk: syntax, then shape (schema), then whether the file is in the right
place for the right unit, then each criterion. Every problem is collected; nothing stops early
except a file that cannot be read at all.
"""

from __future__ import annotations

import math
import os
import unicodedata
from dataclasses import dataclass, field

from site_builder import evidence, messages, schemas
from site_builder.numbers import as_typed
from site_builder.work_limits import MAX_CRITERIA, MAX_REFERENCES, MAX_SUGGESTIONS, first
from site_builder.model import LINK_KINDS, Catalogue, CriterionEntry, Period, Review, ReviewEntry, Submission, Unit
from site_builder.paths import REPORTS_FOLDER, DataRoot, FileRole
from site_builder.yamlfile import YamlDocument, read_yaml


@dataclass
class Context:
    """What a unit file is checked against; found by the caller from the file's path."""

    root: DataRoot
    role: FileRole
    period: Period | None
    unit: Unit | None
    registered_elsewhere: Unit | None = None  # the unit, when this period's registry puts it under another body
    submission_exists: bool = True  # for reviews: the unit's own file is there
    other_periods: tuple[str, ...] = ()       # periods whose registry has the unit (when this one has not)
    problems: list = field(default_factory=list)


def check_submission(ctx: Context, rel: str) -> tuple[Submission | None, list]:
    doc = read_yaml(ctx.root.path / rel, rel)
    problems = list(doc.problems)
    if doc.data is None:
        return None, problems
    problems += schemas.validate(doc, "submission", ctx.root.schema)
    if not isinstance(doc.data, dict):  # the schema said what the file should look like
        return None, problems
    data = doc.data
    catalogue = _check_identity(doc, data, ctx, problems)
    criteria = data.get("tieu_chi") if isinstance(data.get("tieu_chi"), dict) else {}
    entries = {}
    if catalogue is not None:
        unit_dir = ctx.root.evidence_dir(ctx.role.period, ctx.role.parent, ctx.role.unit)
        verdicts: dict = {}
        for cid, entry in first(criteria, MAX_CRITERIA):
            path = ("tieu_chi", cid)
            item = _known_item(doc, catalogue, cid, path, problems)
            if item is None or not isinstance(entry, dict):
                continue
            score = _check_score(doc, path + ("diem_tu_cham",), entry.get("diem_tu_cham"), item, catalogue, problems)
            refs = entry.get("minh_chung") if isinstance(entry.get("minh_chung"), list) else []
            kinds, refused = _check_evidence_list(doc, path + ("minh_chung",), refs, unit_dir, ctx.role.unit, problems,
                                                  verdicts)
            if score is not None and score > 0 and item.evidence and item.evidence.required and not refused:
                _check_required_evidence(doc, path, item, kinds, problems)
            if score is not None and score > 0 and item.requires_milestone:
                _check_milestone_filed(doc, path, item, ctx, unit_dir, problems)
            _check_note(doc, path + ("ghi_chu",), entry.get("ghi_chu"), problems)
            if score is not None:
                entries[cid] = CriterionEntry(cid, score, tuple(r for r in refs if isinstance(r, str)),
                                              entry.get("ghi_chu") if isinstance(entry.get("ghi_chu"), str) else "")
        missing = [i.id for i in catalogue.items.values() if not i.derived and i.id not in criteria]
        if missing and "tieu_chi" in data:
            problems.append(doc.problem(("tieu_chi",), "danh sách tiêu chí",
                                        f"chưa tự chấm {len(missing)} tiêu chí: {', '.join(missing)}; các tiêu chí này được tính 0 điểm.",
                                        "Nếu đơn vị có thực hiện, hãy thêm các tiêu chí này (xem tệp mẫu).",
                                        code="criteria-missing", key=True, severity="warning"))
        _check_unused_files(doc, unit_dir, criteria, problems)
    if any(p.is_error for p in problems):
        return None, problems
    return Submission(ctx.role.unit, ctx.role.period, ctx.role.parent, rel, entries), problems


def check_review(ctx: Context, rel: str) -> tuple[Review | None, list]:
    doc = read_yaml(ctx.root.path / rel, rel)
    problems = list(doc.problems)
    if doc.data is None:
        return None, problems
    problems += schemas.validate(doc, "review", ctx.root.schema)
    if not isinstance(doc.data, dict):
        return None, problems
    data = doc.data
    catalogue = _check_identity(doc, data, ctx, problems)
    if ctx.unit is not None and isinstance(data.get("nguoi_cham"), str) and data["nguoi_cham"] not in ctx.unit.reviewers:
        allowed = ", ".join(ctx.unit.reviewers) or "(chưa khai báo)"
        problems.append(doc.problem(("nguoi_cham",), "người chấm",
                                    f"«{data['nguoi_cham']}» không phải người chấm của đơn vị này.",
                                    f"Người chấm được phép: {allowed}.", code="reviewer-unknown"))
    if ctx.unit is not None and not ctx.submission_exists:
        problems.append(doc.problem((), "tệp điểm chấm", "đơn vị chưa có bài tự đánh giá nên chưa thể chấm.",
                                    f"Hãy chờ đơn vị nộp tệp {ctx.role.unit}.yaml.", code="review-without-submission"))
    entries = {}
    criteria = data.get("tieu_chi") if isinstance(data.get("tieu_chi"), dict) else {}
    if catalogue is not None:
        declared = _declared_evidence(ctx) if ctx.submission_exists else {}
        for cid, entry in criteria.items():
            path = ("tieu_chi", cid)
            item = _known_item(doc, catalogue, cid, path, problems)
            if item is None or not isinstance(entry, dict):
                continue
            score = _check_score(doc, path + ("diem_cham",), entry.get("diem_cham"), item, catalogue, problems,
                                 label="điểm chấm")
            if score is not None and score > 0 and item.evidence and item.evidence.required:
                _check_reviewed_evidence(doc, path + ("diem_cham",), item, declared.get(cid, ()), problems)
            _check_note(doc, path + ("nhan_xet",), entry.get("nhan_xet"), problems)
            if score is not None:
                entries[cid] = ReviewEntry(cid, score, entry.get("nhan_xet") if isinstance(entry.get("nhan_xet"), str) else "")
    if any(p.is_error for p in problems):
        return None, problems
    return Review(ctx.role.unit, ctx.role.period, rel, data["nguoi_cham"], str(data["ngay_cham"]), entries), problems


# ---------------------------------------------------------------- identity: right file, right place

def _check_identity(doc: YamlDocument, data: dict, ctx: Context, problems: list) -> Catalogue | None:
    role = ctx.role
    if ctx.period is None:
        problems.append(doc.problem((), "năm học", f"thư mục «{role.period}» không phải năm học nào trong criteria/.",
                                    "Hãy đặt tệp trong thư mục năm học đúng, ví dụ submissions/2023-2024/…", code="period-unknown"))
        return None
    declared_unit = data.get("don_vi")
    if isinstance(declared_unit, str) and declared_unit != role.unit:
        problems.append(doc.problem(("don_vi",), "mã đơn vị",
                                    f"«{declared_unit}» khác tên tệp «{role.name}».",
                                    f"Tên tệp và mã đơn vị phải giống nhau: hãy sửa thành «{role.unit}» hoặc đổi tên tệp.",
                                    code="unit-mismatch"))
    declared_period = data.get("nam_hoc")
    if isinstance(declared_period, str) and declared_period != role.period:
        problems.append(doc.problem(("nam_hoc",), "năm học",
                                    f"«{declared_period}» khác thư mục năm học «{role.period}» chứa tệp.",
                                    f"Hãy sửa thành \"{role.period}\" hoặc chuyển tệp sang thư mục submissions/{declared_period}/.",
                                    code="period-mismatch"))
    elif declared_period is not None and not isinstance(declared_period, str):
        pass  # the schema reported the type
    unit = ctx.unit
    if unit is None:
        if ctx.registered_elsewhere is not None:
            other = ctx.registered_elsewhere
            problems.append(doc.problem((), "vị trí tệp",
                                        f"đơn vị «{role.unit}» thuộc «{other.parent}», không thuộc «{role.parent}».",
                                        f"Hãy chuyển tệp sang submissions/{role.period}/{other.parent}/{role.name}.",
                                        code="wrong-parent"))
        elif ctx.other_periods:
            problems.append(doc.problem((), "đơn vị",
                                        f"đơn vị «{role.unit}» không có trong danh sách năm học {role.period} "
                                        f"(submissions/units/{role.period}/); đơn vị có trong danh sách năm học "
                                        f"{', '.join(ctx.other_periods)}.",
                                        "Hãy kiểm tra lại năm học của tệp; nếu đơn vị vẫn hoạt động, đề nghị người quản trị "
                                        "bổ sung đơn vị vào danh sách năm học này.", code="unit-inactive"))
        else:
            problems.append(doc.problem((), "mã đơn vị",
                                        f"không có đơn vị «{role.unit}» trong danh sách đơn vị năm học {role.period} "
                                        f"(submissions/units/{role.period}/).",
                                        "Hãy kiểm tra lại tên tệp; nếu là đơn vị mới, đề nghị đơn vị quản lý bổ sung vào danh sách.",
                                        code="unit-unknown"))
        return None
    catalogue = ctx.period.catalogues.get(unit.type)
    if catalogue is None:
        problems.append(doc.problem((), "loại đơn vị",
                                    f"năm học {role.period} không có bộ tiêu chí cho loại đơn vị «{unit.type}».",
                                    "Hãy liên hệ Sở để được hướng dẫn.", code="catalogue-missing"))
    return catalogue


# ---------------------------------------------------------------- criteria

def _known_item(doc, catalogue: Catalogue, cid: str, path, problems):
    item = catalogue.items.get(cid)
    if item is None:
        if not _is_criterion_id(cid):
            return None  # the schema reported the key
        close = [i for i in catalogue.items if i.startswith(cid.split(".")[0] + ".") and not catalogue.items[i].derived]
        problems.append(doc.problem(path, f"tiêu chí {cid}",
                                    f"không có trong bộ tiêu chí «{catalogue.title}» năm học {catalogue.period}.",
                                    ("Các tiêu chí của nhóm này: " + ", ".join(close) + "." if close
                                     else "Hãy dùng đúng mã tiêu chí trong tệp mẫu."),
                                    code="criterion-unknown", key=True))
        return None
    if item.derived:
        problems.append(doc.problem(path, f"tiêu chí {cid}",
                                    "được tính tự động từ kết quả của các đơn vị trực thuộc, không tự chấm.",
                                    f"Hãy xoá tiêu chí {cid} khỏi tệp.", code="criterion-derived", key=True))
        return None
    return item


def _is_criterion_id(cid: str) -> bool:
    return all(part.isdigit() for part in cid.split("."))


def _check_score(doc, path, value, item, catalogue: Catalogue, problems, label="điểm tự chấm") -> float | None:
    subject = f"tiêu chí {item.id}"
    maximum = as_typed(item.max)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # missing or wrong type: the schema said so
    if math.isnan(value) or math.isinf(value):
        problems.append(doc.problem(path, subject, f"{label} không phải là số hợp lệ.",
                                    f"Hãy nhập một số từ 0 đến {maximum}.", code="score-not-number"))
        return None
    shown = as_typed(value)
    if value < 0:
        problems.append(doc.problem(path, subject, f"{label} {shown} nhỏ hơn 0.",
                                    f"Hãy nhập một số từ 0 đến {maximum}.", code="score-negative"))
        return None
    if value > item.max:
        problems.append(doc.problem(path, subject, f"{label} {shown} lớn hơn điểm tối đa {maximum}.",
                                    f"Hãy nhập một số từ 0 đến {maximum}.", code="score-above-max"))
        return None
    step = catalogue.score_step
    if not math.isclose(round(value / step) * step, value, abs_tol=1e-9):
        lower = math.floor(value / step) * step
        problems.append(doc.problem(path, subject, f"{label} {shown} không đúng bước chấm {as_typed(step)}.",
                                    f"Hãy nhập {as_typed(lower)} hoặc {as_typed(lower + step)}.",
                                    code="score-step"))
        return None
    return round(value / step) * step  # 4.99999999999 (within float noise of 5) is 5: on the step, exactly


def _check_evidence_list(doc, path, refs, unit_dir, unit_id, problems, seen: dict) -> tuple[set[str], bool]:
    """Check each reference; return the kinds present ("pdf", "url") and whether any was refused
    (then that reference's own message says what to fix; "evidence missing" would only repeat it)."""
    kinds = set()
    refused = False
    for index, ref in enumerate(first(refs, MAX_REFERENCES)):
        if not isinstance(ref, str) or not ref.strip():
            continue
        ref = ref.strip()
        finding = _check_reference(ref, unit_dir, unit_id, seen)
        if finding.ok:
            kinds.add(finding.kind)
        else:
            refused = True
            problems.append(doc.problem(path + (index,), messages.subject_for(path + (index,)),
                                        finding.message, finding.fix, code=finding.code))
    return kinds, refused


def _check_reference(ref: str, unit_dir, unit_id: str, seen: dict) -> evidence.Finding:
    """The verdict on one evidence reference: an http(s) link or a file of the unit."""
    if evidence.looks_like_url(ref):
        return evidence.check_url(ref)
    return _checked_file(ref, unit_dir, unit_id, seen)


def _checked_file(ref: str, unit_dir, unit_id: str, seen: dict) -> evidence.Finding:
    """`evidence.check_file`, remembered for the submission being checked: a plan PDF is often
    cited by many criteria and again as a milestone report, and is read once."""
    if ref not in seen:
        suggest = sum(f.code == "file-missing" for f in seen.values()) < MAX_SUGGESTIONS
        seen[ref] = evidence.check_file(ref, unit_dir, unit_id, suggest=suggest)
    return seen[ref]


def _check_required_evidence(doc, path, item, kinds_present: set[str], problems):
    wanted = item.evidence.kinds
    needs_pdf = "pdf" in wanted
    needs_link = any(k in LINK_KINDS for k in wanted)
    if (needs_pdf and "pdf" in kinds_present) or (needs_link and "url" in kinds_present):
        return
    labels = " hoặc ".join(messages.EVIDENCE_KIND_LABELS[k] for k in wanted)
    source = f" ({item.evidence.text})" if item.evidence.text else ""
    problems.append(doc.problem(path + ("minh_chung",), f"tiêu chí {item.id}",
                                f"có điểm nhưng thiếu minh chứng bắt buộc: {labels}{source}.",
                                "Hãy thêm minh chứng vào «minh_chung», hoặc chấm 0 điểm nếu chưa có.",
                                code="evidence-required", key="minh_chung" not in _entry_keys(doc, path)))


def _entry_keys(doc, path):
    entry = doc.data
    for part in path:
        entry = entry.get(part) if isinstance(entry, dict) else None
    return entry if isinstance(entry, dict) else {}


def _check_note(doc, path, note, problems):
    if isinstance(note, str) and ("<" in note and ">" in note):
        problems.append(doc.problem(path, messages.subject_for(path),
                                    "ghi chú có thẻ HTML; trang công khai sẽ hiển thị nguyên văn các ký tự này, không định dạng.",
                                    "Nếu không cố ý, hãy xoá các thẻ <…>.", code="note-html", severity="warning"))


def _check_milestone_filed(doc, path, item, ctx: Context, unit_dir, problems):
    """Points on an item that needs a milestone report (the plan: 1.1 / 4.1) while no report of that
    milestone is in the unit's folder. Whether it came on time is known only from git (site, PR report)."""
    milestone = ctx.period.milestone(item.requires_milestone)
    folder = unit_dir / REPORTS_FOLDER / item.requires_milestone
    if milestone is None or (folder.is_dir() and any(f.suffix.lower() == ".pdf" for f in folder.iterdir())):
        return
    message, fix = messages.milestone_missing_for_points(
        milestone.title, milestone.due, folder=f"{ctx.root.rel(unit_dir)}/{REPORTS_FOLDER}/{milestone.id}/")
    problems.append(doc.problem(path + ("diem_tu_cham",), f"tiêu chí {item.id}", message, fix,
                                code="milestone-missing", severity="warning"))


def _declared_evidence(ctx: Context) -> dict[str, tuple[str, ...]]:
    """Criterion id -> the evidence the unit's own file lists (read, not re-checked: its problems
    are reported on that file)."""
    rel = ctx.root.rel(ctx.root.submission_file(ctx.role.period, ctx.role.parent, ctx.role.unit))
    doc = read_yaml(ctx.root.path / rel, rel)
    criteria = doc.data.get("tieu_chi") if isinstance(doc.data, dict) else None
    if not isinstance(criteria, dict):
        return {}
    found = {}
    for cid, entry in criteria.items():
        refs = entry.get("minh_chung") if isinstance(entry, dict) else None
        if isinstance(refs, list):
            found[str(cid)] = tuple(r.strip() for r in refs if isinstance(r, str) and r.strip())
    return found


def _check_reviewed_evidence(doc, path, item, refs: tuple[str, ...], problems):
    """A reviewer may not award points the unit could not claim: the item asks for evidence and the
    unit's file has none of the kinds asked."""
    wanted = item.evidence.kinds
    has_pdf = any(not evidence.looks_like_url(r) for r in refs)
    has_link = any(evidence.looks_like_url(r) for r in refs)
    if ("pdf" in wanted and has_pdf) or (any(k in LINK_KINDS for k in wanted) and has_link):
        return
    message, fix = messages.review_points_without_evidence(
        " hoặc ".join(messages.EVIDENCE_KIND_LABELS[k] for k in wanted))
    problems.append(doc.problem(path, f"tiêu chí {item.id}", message, fix, code="review-evidence-required"))


def _check_unused_files(doc, unit_dir, criteria, problems):
    """Files in the unit's folder: only PDFs belong there; unreferenced ones are likely a typo.
    Milestone reports (bao-cao/) are filings of their own, checked by the tree walk."""
    if not unit_dir.is_dir():
        return
    referenced = set()
    for _cid, entry in first(criteria, MAX_CRITERIA):
        if isinstance(entry, dict) and isinstance(entry.get("minh_chung"), list):
            referenced.update(unicodedata.normalize("NFC", r.strip())
                              for r in first(entry["minh_chung"], MAX_REFERENCES) if isinstance(r, str))
    for dirpath, dirs, files in os.walk(unit_dir):
        if dirpath == str(unit_dir):
            dirs[:] = [d for d in dirs if d != REPORTS_FOLDER]
        for name in sorted(files):
            # Names are compared in NFC: a file saved in NFD on disk is the one the YAML names.
            rel = unicodedata.normalize("NFC", os.path.relpath(os.path.join(dirpath, name), unit_dir).replace(os.sep, "/"))
            if not name.lower().endswith(".pdf"):
                problems.append(doc.problem((), f"tệp {rel}", "thư mục minh chứng chỉ được chứa tệp PDF.",
                                            "Hãy chuyển tài liệu sang PDF, hoặc xoá tệp này.", code="stray-file"))
            elif rel not in referenced:
                problems.append(doc.problem((), f"tệp {rel}", "đã tải lên nhưng chưa được dùng làm minh chứng cho tiêu chí nào.",
                                            "Hãy thêm tên tệp vào «minh_chung» của tiêu chí tương ứng, hoặc xoá tệp.",
                                            code="file-unused", severity="warning"))
