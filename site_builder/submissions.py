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
from site_builder.model import (
    LINK_KINDS,
    Catalogue,
    CriterionEntry,
    Period,
    Registry,
    Review,
    ReviewEntry,
    Submission,
    Unit,
)
from site_builder.numbers import as_typed, day
from site_builder.paths import (
    REPORTS_FOLDER,
    SUBMISSIONS,
    DataRoot,
    FileRole,
    body_folder,
    report_folder,
    submission_path,
    units_folder,
    units_path,
)
from site_builder.work_limits import MAX_CRITERIA, MAX_REFERENCES, MAX_SUGGESTIONS, first
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
    other_periods: tuple[str, ...] = ()  # periods whose registry has the unit (when this one has not)
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
    criteria = _mapping(data.get("tieu_chi"))
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
            refs = found if isinstance(found := entry.get("minh_chung"), list) else []
            kinds, refused = _check_evidence_list(
                doc, path + ("minh_chung",), refs, unit_dir, ctx.role.unit, problems, verdicts
            )
            if score is not None and score > 0 and item.evidence and item.evidence.required and not refused:
                _check_required_evidence(doc, path, item, kinds, problems)
            if score is not None and score > 0 and item.requires_milestone:
                _check_milestone_filed(doc, path, item, ctx, unit_dir, problems)
            _check_note(doc, path + ("ghi_chu",), entry.get("ghi_chu"), problems)
            if score is not None:
                entries[cid] = CriterionEntry(
                    cid, score, tuple(r for r in refs if isinstance(r, str)), _text(entry.get("ghi_chu"))
                )
        missing = [i.id for i in catalogue.items.values() if not i.derived and i.id not in criteria]
        if missing and "tieu_chi" in data:
            problems.append(
                messages.CRITERIA_MISSING.on(doc, ("tieu_chi",), key=True, count=len(missing), ids=", ".join(missing))
            )
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
    if (
        ctx.unit is not None
        and isinstance(data.get("nguoi_cham"), str)
        and data["nguoi_cham"] not in ctx.unit.reviewers
    ):
        allowed = messages.listed(ctx.unit.reviewers, messages.NOT_DECLARED)
        problems.append(messages.REVIEWER_UNKNOWN.on(doc, ("nguoi_cham",), account=data["nguoi_cham"], allowed=allowed))
    if ctx.unit is not None and not ctx.submission_exists:
        problems.append(messages.REVIEW_WITHOUT_SUBMISSION.on(doc, (), unit=ctx.role.unit))
    entries = {}
    criteria = _mapping(data.get("tieu_chi"))
    if catalogue is not None:
        declared = _declared_evidence(ctx) if ctx.submission_exists else {}
        for cid, entry in criteria.items():
            path = ("tieu_chi", cid)
            item = _known_item(doc, catalogue, cid, path, problems)
            if item is None or not isinstance(entry, dict):
                continue
            score = _check_score(
                doc,
                path + ("diem_cham",),
                entry.get("diem_cham"),
                item,
                catalogue,
                problems,
                label=messages.FIELD_LABELS["diem_cham"],
            )
            if score is not None and score > 0 and item.evidence and item.evidence.required:
                _check_reviewed_evidence(doc, path + ("diem_cham",), item, declared.get(cid, ()), problems)
            _check_note(doc, path + ("nhan_xet",), entry.get("nhan_xet"), problems)
            if score is not None:
                entries[cid] = ReviewEntry(cid, score, _text(entry.get("nhan_xet")))
    if any(p.is_error for p in problems):
        return None, problems
    return Review(ctx.role.unit, ctx.role.period, rel, data["nguoi_cham"], str(data["ngay_cham"]), entries), problems


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}  # anything else: the schema said what is wrong


def _text(value) -> str:
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------- identity: right file, right place


def _check_identity(doc: YamlDocument, data: dict, ctx: Context, problems: list) -> Catalogue | None:
    role = ctx.role
    if ctx.period is None:
        known = ctx.root.periods()
        example = body_folder(max(known, default="2023-2024"), role.parent)
        problems.append(
            messages.PERIOD_UNKNOWN.on(doc, (), period=role.period, known=messages.listed(known), example=f"{example}/")
        )
        return None
    declared_unit = data.get("don_vi")
    if isinstance(declared_unit, str) and declared_unit != role.unit:
        problems.append(
            messages.UNIT_MISMATCH.on(doc, ("don_vi",), declared=declared_unit, name=role.name, unit=role.unit)
        )
    declared_period = data.get("nam_hoc")
    if isinstance(declared_period, str) and declared_period != role.period:
        problems.append(
            messages.PERIOD_MISMATCH.on(
                doc,
                ("nam_hoc",),
                declared=declared_period,
                period=role.period,
                folder=f"{SUBMISSIONS}/{declared_period}",
            )
        )
    elif declared_period is not None and not isinstance(declared_period, str):
        pass  # the schema reported the type
    unit = ctx.unit
    if unit is None:
        if ctx.registered_elsewhere is not None:
            other = ctx.registered_elsewhere
            problems.append(
                messages.WRONG_PARENT.on(
                    doc,
                    (),
                    unit=role.unit,
                    parent=other.parent,
                    folder=role.parent,
                    path=f"{body_folder(role.period, other.parent)}/{role.name}",
                )
            )
        elif ctx.other_periods:
            problems.append(
                messages.UNIT_INACTIVE.on(
                    doc,
                    (),
                    unit=role.unit,
                    period=role.period,
                    registry=units_folder(role.period),
                    others=", ".join(ctx.other_periods),
                )
            )
        else:
            problems.append(
                messages.UNIT_UNREGISTERED.on(
                    doc,
                    (),
                    unit=role.unit,
                    period=role.period,
                    body=role.parent,
                    registry=units_path(role.period, role.parent),
                )
            )
        return None
    catalogue = ctx.period.catalogues.get(unit.type)
    if catalogue is None:
        problems.append(messages.CATALOGUE_MISSING.on(doc, (), period=role.period, unit_type=unit.type))
    return catalogue


# ---------------------------------------------------------------- criteria


def _known_item(doc, catalogue: Catalogue, cid: str, path, problems):
    item = catalogue.items.get(cid)
    if item is None:
        if not _is_criterion_id(cid):
            return None  # the schema reported the key
        close = [i for i in catalogue.items if i.startswith(cid.split(".")[0] + ".") and not catalogue.items[i].derived]
        hint = (
            messages.CRITERION_UNKNOWN_HINT_GROUP.format(ids=", ".join(close))
            if close
            else messages.CRITERION_UNKNOWN_HINT
        )
        problems.append(
            messages.CRITERION_UNKNOWN.on(
                doc, path, key=True, item=cid, title=catalogue.title, period=catalogue.period, hint=hint
            )
        )
        return None
    if item.derived:
        problems.append(messages.CRITERION_DERIVED.on(doc, path, key=True, item=cid))
        return None
    return item


def _is_criterion_id(cid: str) -> bool:
    return all(part.isdigit() for part in cid.split("."))


def _check_score(
    doc, path, value, item, catalogue: Catalogue, problems, label=messages.FIELD_LABELS["diem_tu_cham"]
) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # missing or wrong type: the schema said so
    step = catalogue.score_step
    if math.isfinite(value) and 0 <= value <= item.max:
        on_step = round(value / step) * step  # 4.99999999999 (within float noise of 5) is 5: on the step, exactly
        if math.isclose(on_step, value, abs_tol=1e-9):
            return on_step
    problems.append(_score_problem(doc, path, value, item, step, label))
    return None


def _score_problem(doc, path, value, item, step: float, label: str):
    """What is wrong with a score `_check_score` refused: worded only then (a national build
    checks 340,000 scores that are right)."""
    said = {"item": item.id, "label": label, "max": as_typed(item.max)}
    if not math.isfinite(value):
        return messages.SCORE_NOT_NUMBER.on(doc, path, **said)
    said["value"] = as_typed(value)
    if value < 0:
        return messages.SCORE_NEGATIVE.on(doc, path, **said)
    if value > item.max:
        return messages.SCORE_ABOVE_MAX.on(doc, path, **said)
    lower = math.floor(value / step) * step
    return messages.SCORE_STEP.on(
        doc, path, step=as_typed(step), lower=as_typed(lower), upper=as_typed(lower + step), **said
    )


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
            problems.append(
                doc.problem(
                    path + (index,),
                    messages.subject_for(path + (index,)),
                    finding.message,
                    finding.fix,
                    code=finding.code,
                )
            )
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
    source = f" ({item.evidence.text})" if item.evidence.text else ""
    problems.append(
        messages.EVIDENCE_REQUIRED.on(
            doc,
            path + ("minh_chung",),
            key="minh_chung" not in _entry_keys(doc, path),
            item=item.id,
            kinds=messages.evidence_kinds(wanted),
            source=source,
        )
    )


def _entry_keys(doc, path):
    entry = doc.data
    for part in path:
        entry = entry.get(part) if isinstance(entry, dict) else None
    return entry if isinstance(entry, dict) else {}


def _check_note(doc, path, note, problems):
    if isinstance(note, str) and ("<" in note and ">" in note):
        problems.append(messages.NOTE_HTML.on(doc, path, place=messages.subject_for(path)))


def _check_milestone_filed(doc, path, item, ctx: Context, unit_dir, problems):
    """Points on an item that needs a milestone report (the plan: 1.1 / 4.1) while no report of that
    milestone is in the unit's folder. Whether it came on time is known only from git (site, PR report)."""
    milestone = ctx.period.milestone(item.requires_milestone) if ctx.period else None
    try:
        names = os.listdir(os.path.join(unit_dir, REPORTS_FOLDER, item.requires_milestone))
    except OSError:  # no such folder
        names = []
    if milestone is None or any(evidence.has_pdf_suffix(name) for name in names):
        return
    folder = report_folder(ctx.role.period, ctx.role.parent, ctx.role.unit, milestone.id)
    problems.append(
        messages.MILESTONE_MISSING_FOR_POINTS.on(
            doc,
            path + ("diem_tu_cham",),
            item=item.id,
            title=" ".join(milestone.title.split()),
            due=day(milestone.due),
            folder=f"{folder}/",
        )
    )


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
    problems.append(
        messages.REVIEW_EVIDENCE_REQUIRED.on(doc, path, item=item.id, kinds=messages.evidence_kinds(wanted))
    )


def _check_unused_files(doc, unit_dir, criteria, problems):
    """Files in the unit's folder: only PDFs belong there; unreferenced ones are likely a typo.
    Milestone reports (bao-cao/) are filings of their own, checked by the tree walk."""
    if not unit_dir.is_dir():
        return
    referenced = set()
    for _cid, entry in first(criteria, MAX_CRITERIA):
        if isinstance(entry, dict) and isinstance(entry.get("minh_chung"), list):
            referenced.update(
                unicodedata.normalize("NFC", r.strip())
                for r in first(entry["minh_chung"], MAX_REFERENCES)
                if isinstance(r, str)
            )
    for dirpath, dirs, files in os.walk(unit_dir):
        if dirpath == str(unit_dir):
            dirs[:] = [d for d in dirs if d != REPORTS_FOLDER]
        for name in sorted(files):
            # Names are compared in NFC: a file saved in NFD on disk is the one the YAML names.
            rel = unicodedata.normalize(
                "NFC", os.path.relpath(os.path.join(dirpath, name), unit_dir).replace(os.sep, "/")
            )
            if not name.lower().endswith(".pdf"):
                problems.append(messages.STRAY_FILE.on(doc, (), name=rel))
            elif rel not in referenced:
                problems.append(messages.FILE_UNUSED.on(doc, (), name=rel))


def unit_context(root: DataRoot, registry: Registry, role: FileRole):
    """(unit, registered elsewhere, other periods having it, submission exists) for a unit file."""
    unit = registry.unit(role.period, role.unit)
    elsewhere = None
    if unit is not None and unit.parent != role.parent:
        unit, elsewhere = None, unit
    others = () if unit or elsewhere else tuple(p for p, r in sorted(registry.periods.items()) if role.unit in r.units)
    # os.path, not pathlib: called for each of the ~30,000 files a national build keys; a
    # self-assessment is the file the walk just found (only reviews read this)
    exists = role.kind == "submission" or os.path.isfile(
        os.path.join(root.path, submission_path(role.period, role.parent, role.unit))
    )
    return unit, elsewhere, others, exists


def check_unit_file(root: DataRoot, registry: Registry, periods, role: FileRole, rel: str):
    """(record or None, problems) for one submission or reviewer-score file at `rel`."""
    unit, elsewhere, others, exists = unit_context(root, registry, role)
    ctx = Context(root, role, periods.get(role.period), unit, elsewhere, submission_exists=exists, other_periods=others)
    return check_submission(ctx, rel) if role.kind == "submission" else check_review(ctx, rel)
