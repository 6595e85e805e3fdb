"""The pull-request report: what changed between two git refs, whether it is valid and allowed,
and what the touched units would score. Rendered as the Vietnamese PR comment.

Both sides are read from git objects (`ls-tree`, `cat-file --batch`: gittree.py; never a checkout
or `git archive`, which apply the tree's own `.gitattributes`) into small temporary data roots
holding only what the change can affect: criteria/, schema/, the organisation, the registry files
of the touched bodies and the touched units' files. Every changed path is placed first
(change_check.py: unknown year, unregistered unit, git control files, links). Authorization and
placement use the base branch, which the pull request cannot change for itself. A change of
criteria/, schema/ or the registry can affect every unit: then the whole head tree is checked,
as the publishing build will.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder import authz, change_check, gitread, report, review_queue, workbook_report
from site_builder import markdown_text as md
from site_builder.github_limits import COMMENT_LIMIT, Lines, comment_length
from site_builder.gittree import CommitFiles, Entry
from site_builder.model import Dataset, PeriodRegistry, Registry, Unit
from site_builder.numbers import as_typed, number, thousands
from site_builder.paths import (
    CRITERIA,
    KEYS_PATH,
    ORGANIZATION_FILE,
    SCHEMA,
    SUBMISSIONS,
    UNITS_FOLDER,
    DataRoot,
    classify,
    reports_folder,
    review_path,
    unit_folder,
    unit_paths,
    units_folder,
    units_path,
)
from site_builder.problems import Problem
from site_builder.registry import load_organization, load_period_registry, load_units_file
from site_builder.validate import validate_all, validate_paths

if TYPE_CHECKING:
    from site_builder.scoring import CriterionScore  # pandas is imported only when a unit is scored

MARKER = "<!-- danh-gia-cntt:pr-report -->"
SHARED_PATHS = (CRITERIA, SCHEMA, ORGANIZATION_FILE, KEYS_PATH)
# A change under these can change the verdict on any unit: the whole head tree is checked.
STRUCTURE_PREFIXES = (f"{CRITERIA}/", f"{SCHEMA}/", ORGANIZATION_FILE, f"{UNITS_FOLDER}/")
STATUS_LABELS = {"A": "thêm mới", "M": "sửa", "D": "xoá", "R": "đổi tên", "C": "sao chép", "T": "đổi loại"}


class GitProblem(Exception):
    """A ref or repository that cannot be read; the message is Vietnamese."""


@dataclass(frozen=True)
class ChangedFile:
    status: str
    path: str
    old_path: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.old_path, self.path) if self.old_path else (self.path,)


# ---------------------------------------------------------------- git


def open_repo(path: Path) -> gitread.Repository:
    """The repository whose top folder is `path` (the data root)."""
    try:
        repo = gitread.open_repository(Path(path))
    except gitread.NotARepository:
        raise GitProblem(f"«{path}» không phải kho git.") from None
    except gitread.NoCommits:
        raise GitProblem(f"kho git «{path}» chưa có commit nào.") from None
    except gitread.GitError:
        raise GitProblem(f"không đọc được kho git «{path}» (cần cài git).") from None
    if repo.prefix:
        raise GitProblem(f"«{path}» phải là thư mục gốc của kho git (thư mục chứa .git).")
    return repo


def resolve(repo: gitread.Repository, ref: str) -> str:
    try:
        sha = gitread.run(repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except gitread.GitError:
        sha = b""
    sha = sha.strip()
    if not repo.is_id(sha):
        raise GitProblem(f"không tìm thấy nhánh hoặc commit «{ref}» (với GitHub Actions cần checkout fetch-depth: 0).")
    return sha.decode()


def changed_files(repo: gitread.Repository, base: str, head: str) -> list[ChangedFile]:
    """`git diff --name-status base...head`: what the PR changed since it branched, renames kept."""
    try:
        out = gitread.run(
            repo.top, "diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", f"{base}...{head}", "--"
        )
    except gitread.GitError:
        raise GitProblem(f"không so sánh được «{base}» với «{head}» (hai nhánh cần có commit chung).") from None
    tokens = [os.fsdecode(t) for t in out.split(b"\0")]
    changes, index = [], 0
    while index < len(tokens) and tokens[index]:
        status = tokens[index][0]
        if status in "RC":
            changes.append(ChangedFile(status, tokens[index + 2], tokens[index + 1]))
            index += 3
        else:
            changes.append(ChangedFile(status, tokens[index + 1]))
            index += 2
    return changes


# ---------------------------------------------------------------- what the PR touches


def touched_units(changes: list[ChangedFile]) -> list[tuple[str, str, str]]:
    """(period, parent, unit) of every unit whose submission, review, evidence or reports changed."""
    found = {}
    for change in changes:
        for rel in change.paths:
            role = classify(rel)
            if role.kind in change_check.UNIT_KINDS:
                found[(role.period, role.parent, role.unit)] = True
    return list(found)


def unit_pathspecs(units) -> list[str]:
    specs = []
    for period, parent, unit in units:
        specs += [*unit_paths(period, parent, unit), unit_folder(period, parent, unit)]
    return specs


def registry_files(paths) -> list[str]:
    """The registry file of every (period, body) a changed path names; a body's scoring workbook
    needs the whole registry of its period (the body's own reviewers, names, ranks)."""
    found = {}
    for rel in paths:
        role = classify(rel)
        if role.kind in change_check.UNIT_KINDS or role.kind == "units":
            found[units_path(role.period, role.parent)] = True
        elif role.kind == "workbook":
            found[units_folder(role.period)] = True
    return list(found)


def paths_to_validate(changes: list[ChangedFile], head_root: DataRoot, units=()) -> list[str]:
    """Changed paths plus what depends on them: a submission's review file; and the touched units'
    files (their scores, evidence and reports make the preview)."""
    paths = []
    for change in changes:
        paths += list(change.paths)
        role = classify(change.path)
        if role.kind == "submission":
            review = review_path(role.period, role.parent, role.unit)
            if (head_root.path / review).is_file():
                paths.append(review)
    for period, parent, unit in units:
        paths += [rel for rel in unit_paths(period, parent, unit) if (head_root.path / rel).is_file()]
        reports = head_root.path / reports_folder(period, parent, unit)
        if reports.is_dir() and not reports.is_symlink():
            paths += [head_root.rel(f) for f in sorted(reports.glob("*/*")) if f.is_file()]
    return list(dict.fromkeys(paths))


def _structural(rel: str) -> bool:
    return rel.startswith(STRUCTURE_PREFIXES)


# ---------------------------------------------------------------- score preview


@dataclass(frozen=True)
class PreviewRow:
    score: CriterionScore
    base: float  # the self score on the base branch (NaN: new)
    evidence: int  # references the unit gave
    asks_evidence: bool


@dataclass
class Preview:
    period: str
    parent: str
    unit: str
    name: str = ""
    period_title: str = ""
    state: str = "ok"  # ok | invalid | deleted | unknown
    rows: list[PreviewRow] = field(default_factory=list)
    self_total: float = math.nan
    total: float = math.nan
    base_total: float = math.nan
    max_total: float = 0.0
    percent: float = math.nan
    rating: str = ""
    reviewed: bool = False
    has_derived: bool = False
    not_scored: list[str] = field(default_factory=list)
    missing_evidence: list[str] = field(default_factory=list)
    milestone_notes: list[str] = field(default_factory=list)


def _unit_scores(dataset: Dataset | None, period: str, unit_id: str):
    """Items and the unit row of one unit, scored alone by scoring.py (derived items need the whole district)."""
    if dataset is None or (period, unit_id) not in dataset.submissions or period not in dataset.periods:
        return None
    unit = dataset.registry.unit(period, unit_id)
    if unit is None or unit.type not in dataset.periods[period].catalogues:
        return None
    from site_builder.scoring import score_period  # pandas: only when there is a unit to score

    alone = Dataset(
        Registry(dataset.registry.organization, {period: PeriodRegistry(period, {unit.id: unit})}),
        {period: dataset.periods[period]},
        {k: v for k, v in dataset.submissions.items() if k == (period, unit_id)},
        {k: v for k, v in dataset.reviews.items() if k == (period, unit_id)},
    )
    scores = score_period(alone, period)
    return scores.items, scores.units.iloc[0]


def build_preview(head: Dataset | None, base: Dataset | None, period: str, parent: str, unit_id: str) -> Preview:
    preview = Preview(period, parent, unit_id)
    unit = head.registry.unit(period, unit_id) if head else None
    if head and period in head.periods:
        preview.period_title = head.periods[period].title
    if head is None or unit is None:
        preview.state = "unknown"
        return preview
    preview.name = unit.name
    scored = _unit_scores(head, period, unit_id)
    if scored is None:
        submitted = head is not None and (period, unit_id) in head.submissions
        preview.state = "invalid" if not submitted else "unknown"
        return preview
    from site_builder.scoring import criterion_scores, typed_totals

    items, row = scored
    before = _unit_scores(base, period, unit_id)
    base_self = {s.criterion: s.self_score for s in criterion_scores(before[0], unit_id)} if before else {}
    if before:
        preview.base_total = typed_totals(before[0], unit_id).self_total
    catalogue = head.periods[period].catalogues[unit.type]
    submission = head.submissions[(period, unit_id)]
    preview.reviewed = (period, unit_id) in head.reviews
    for score in criterion_scores(items, unit_id):
        item = catalogue.items[score.criterion]
        entry = submission.entries.get(item.id)
        if not item.derived and entry is None:
            preview.not_scored.append(item.id)
        if item.evidence and not item.derived and not (entry and entry.evidence):
            preview.missing_evidence.append(item.id)
        preview.rows.append(
            PreviewRow(
                score, base_self.get(item.id, math.nan), len(entry.evidence) if entry else 0, bool(item.evidence)
            )
        )
    totals = typed_totals(items, unit_id)  # derived items need the whole district: shown without them
    preview.self_total, preview.total, preview.max_total = totals.self_total, totals.total, totals.max_total
    preview.has_derived = totals.partial
    preview.rating = "" if totals.partial or _missing(row["rating"]) else str(row["rating"])
    preview.percent = totals.percent(preview.reviewed)
    return preview


# ---------------------------------------------------------------- the whole run


@dataclass
class Outcome:
    changes: list[ChangedFile]
    problems: list[Problem]
    files_checked: int
    denials: list[authz.Denial]
    previews: list[Preview]
    author: str
    base: str
    head: str
    authz_unavailable: bool = False
    workbooks: list = field(default_factory=list)  # Markdown blocks of workbook_report (scoring workbooks)

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not self.denials and not self.authz_unavailable


def run(repo_path: Path, base_ref: str, head_ref: str, author: str | None, cache_dir: Path | None = None) -> Outcome:
    """`cache_dir`: a trusted folder for signature verdicts (the clock of a touched unit)."""
    repo = open_repo(repo_path)
    base, head = resolve(repo, base_ref), resolve(repo, head_ref)
    changes = changed_files(repo, base, head)
    reader = gitread.BlobReader(repo)
    try:
        with tempfile.TemporaryDirectory(prefix="pr-report-") as scratch:
            sides = _Sides(repo, base, head, reader, Path(scratch))
            return _report(sides, changes, author, base_ref, head_ref, repo_path, cache_dir)
    except gitread.GitError:
        raise GitProblem("không đọc được dữ liệu git của yêu cầu (kho hỏng hoặc thiếu commit).") from None
    finally:
        reader.close()


class _Sides:
    """The base and head commits, their files written into two scratch data roots on demand."""

    def __init__(self, repo: gitread.Repository, base: str, head: str, reader: gitread.BlobReader, scratch: Path):
        self.base_files, self.head_files = CommitFiles(repo, base, reader), CommitFiles(repo, head, reader)
        self.base_root, self.head_root = DataRoot(scratch / "base"), DataRoot(scratch / "head")
        self.base_root.path.mkdir()
        self.head_root.path.mkdir()

    def write(self, side: str, specs, stand_in=None) -> dict[str, Entry]:
        files = self.base_files if side == "base" else self.head_files
        entries = files.list(specs)
        files.write(entries.values(), (self.base_root if side == "base" else self.head_root).path, stand_in)
        return entries

    def write_whole_head(self) -> dict[str, Entry]:
        """The head's criteria/, schema/ and submissions/ (a change that can affect every unit). A PDF
        the base branch has at the same path with the same content is not read: one checked PDF
        stands in for it (its verdict is the base's), so even 100,000 evidence files cost links."""
        base = self.base_files.list([SUBMISSIONS])
        known = self.head_root.path.parent / "da-kiem-tra.pdf"
        known.write_bytes(_blank_pdf())

        def stand_in(entry: Entry):
            before = base.get(entry.path)
            return (
                known
                if before is not None and before.oid == entry.oid and entry.path.lower().endswith(".pdf")
                else None
            )

        return self.write("head", [CRITERIA, SCHEMA, SUBMISSIONS], stand_in)


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _report(
    sides: _Sides,
    changes: list[ChangedFile],
    author: str | None,
    base_ref: str,
    head_ref: str,
    repo_path: Path,
    cache_dir: Path | None,
) -> Outcome:
    paths = [p for c in changes for p in c.paths]
    present = [c.path for c in changes if c.status != "D"]
    units = touched_units(changes)
    specs = list(SHARED_PATHS) + registry_files(paths) + unit_pathspecs(units) + workbook_report.pathspecs(changes)
    base_entries = sides.write("base", specs)
    structural = any(_structural(p) for p in paths)
    head_entries = (
        sides.write_whole_head()
        if structural
        else sides.write("head", specs + [p for p in present if p.startswith("submissions/")])
    )
    changed_entries = sides.head_files.list(present)
    base_registry = _BaseRegistry(sides.base_root, sides.head_root, set(paths))
    layout = change_check.Layout(
        _periods(base_entries) | _periods(head_entries, only=set(paths)), base_registry.registered
    )
    placed = change_check.check(present, changed_entries, layout)
    result = (
        validate_all(sides.head_root)
        if structural
        else validate_paths(sides.head_root, paths_to_validate(changes, sides.head_root, units))
    )
    problems = change_check.merge(placed, result.problems)
    problems = report.ordered(problems)
    denials, unavailable = [], False
    if author:
        registry = base_registry.for_authz(paths)
        unavailable = registry is None
        if registry is not None:
            denials = authz.check(author, paths, registry)
    previews = []
    if units:
        head_data = result.dataset
        base_data = _base_dataset(sides.base_root, units)
        previews = [build_preview(head_data, base_data, *key) for key in units]
        if head_data is not None:
            _add_milestone_notes(
                previews, head_data, repo_path, sides.base_root, sides.head_files.commit, frozenset(present), cache_dir
            )
    workbooks = workbook_report.sections(sides.head_root, sides.base_root, changes)  # scoring workbooks
    return Outcome(
        changes,
        problems,
        result.files_checked,
        denials,
        previews,
        author or "",
        base_ref,
        head_ref,
        unavailable,
        workbooks,
    )


def _periods(entries: dict[str, Entry], only: set[str] | None = None) -> frozenset[str]:
    """Periods with a criteria/<period>/year.yaml among `entries` (and among `only`, when given:
    a head's period counts when the pull request adds it)."""
    found = set()
    for path in entries:
        role = classify(path)
        if role.kind == "year" and (only is None or path in only):
            found.add(role.period)
    return frozenset(found)


class _BaseRegistry:
    """The base branch's registry files of the touched bodies, each read once; a body file that
    the pull request changes (a maintainer's change, see authz) also counts in its head version."""

    def __init__(self, base_root: DataRoot, head_root: DataRoot, changed: set[str]):
        self.base_root, self.head_root, self.changed = base_root, head_root, changed
        self.files: dict[tuple[str, str, str], dict[str, Unit]] = {}
        self.organization, _ = load_organization(base_root)

    def units(self, period: str, body: str, side: str = "base") -> dict[str, Unit]:
        key = (side, period, body)
        if key not in self.files:
            root = self.base_root if side == "base" else self.head_root
            units, _problems = load_units_file(root, period, body)
            self.files[key] = {u.id: u for u in units}
        return self.files[key]

    def registered(self, period: str, body: str, unit: str) -> bool:
        if unit in self.units(period, body):
            return True
        return units_path(period, body) in self.changed and unit in self.units(period, body, side="head")

    def for_authz(self, paths) -> Registry | None:
        """The base registry restricted to the bodies the paths name (enough for every rule)."""
        if self.organization is None:
            return None
        registry = Registry(self.organization)
        for period_id in sorted({classify(rel).period for rel in paths if classify(rel).kind == "workbook"}):
            registry.periods[period_id], _problems = load_period_registry(self.base_root, self.organization, period_id)
        for rel in paths:
            role = classify(rel)
            if role.kind in change_check.UNIT_KINDS or role.kind == "wrong-extension":
                period = registry.periods.setdefault(role.period, PeriodRegistry(role.period))
                for unit_id, unit in self.units(role.period, role.parent).items():
                    period.units.setdefault(unit_id, unit)
        return registry


def _base_dataset(base_root: DataRoot, units) -> Dataset | None:
    """The touched units as the base branch has them (for "changed since"): their files only."""
    paths = []
    for period, parent, unit in units:
        paths += [rel for rel in unit_paths(period, parent, unit) if (base_root.path / rel).is_file()]
    return validate_paths(base_root, paths).dataset if paths else None


def _needs_clock(preview: Preview, head_data: Dataset) -> bool:
    """Only a scored criterion that needs a milestone asks the clock anything."""
    period = head_data.periods.get(preview.period)
    unit = head_data.registry.unit(preview.period, preview.unit)
    submission = head_data.submissions.get((preview.period, preview.unit))
    if preview.state != "ok" or period is None or unit is None or submission is None:
        return False
    catalogue = period.catalogues.get(unit.type)
    return catalogue is not None and any(
        item.requires_milestone and item.id in submission.entries and submission.entries[item.id].score > 0
        for item in catalogue.items.values()
    )


def _add_milestone_notes(
    previews: list[Preview],
    head_data: Dataset,
    repo_path: Path,
    base_root: DataRoot,
    head: str,
    proposed: frozenset[str],
    cache_dir: Path | None,
) -> None:
    """Criteria that need a milestone on time: the clock read at the head, trusting the base's
    signers, over the unit's own folder only (its reports are all it needs)."""
    import datetime as dt

    from site_builder.clock import VIETNAM, read_clock
    from site_builder.milestone_check import warnings_for

    wanted = [p for p in previews if _needs_clock(p, head_data)]
    if not wanted:
        return
    organization, _ = load_organization(base_root)
    signers = organization.signers if organization else ("github-web-flow",)
    keys = [k for k in (base_root.signer_key(name) for name in signers) if k is not None]
    today = dt.datetime.now(VIETNAM).date()
    signatures = cache_dir / "signatures" if cache_dir is not None else None
    for preview in wanted:
        folder = unit_folder(preview.period, preview.parent, preview.unit)
        with read_clock(repo_path, keys, folder=folder, ref=head, cache_dir=signatures) as clock:
            preview.milestone_notes = warnings_for(head_data, preview.period, preview.unit, clock, today, proposed)


# ---------------------------------------------------------------- Markdown
# Every value that comes from the pull request (paths, names, quoted values inside messages) goes
# through markdown_text; the body is built line by line under GitHub's comment limit, so it is
# never cut inside a row or a code span and the verdict and the footer are always there.

FOOTER = [
    "---",
    "<sub>Bình luận này được cập nhật sau mỗi lần lưu (commit) vào yêu cầu. "
    "Chú thích lỗi ngay trên dòng: xem thẻ «Files changed»; danh sách đầy đủ: phần Summary "
    "và tệp đính kèm (Artifacts) của lần kiểm tra.</sub>",
]
NOTE_RESERVE = 4 * 400  # room kept for the "N more rows not shown" notes (at most one per section)


def render(outcome: Outcome, limit: int = COMMENT_LIMIT) -> str:
    data = review_queue.data_line(outcome)  # hidden verdict and totals for the review-queue page
    footer_size = sum(comment_length(line) + 1 for line in FOOTER) + comment_length(data) + 1
    doc = Lines(limit, comment_length, reserve=footer_size + NOTE_RESERVE)
    doc.force(MARKER, "## Kết quả kiểm tra tự động", "", _verdict(outcome), "")
    if outcome.author:
        doc.force(
            f"Người tạo yêu cầu: {md.handle(outcome.author)} · so với nhánh "
            f"{md.code(outcome.base, 200)}, {len(outcome.changes)} tệp thay đổi.",
            "",
        )
    if outcome.authz_unavailable:
        doc.force(
            "### ⛔ Quyền sửa tệp",
            "",
            "Không đọc được danh sách đơn vị trên nhánh chính nên chưa kiểm tra được quyền. "
            "Người quản trị cần sửa submissions/organization.yaml hoặc submissions/units/ trên nhánh chính.",
            "",
        )
    if outcome.denials:
        rows = [
            f"| {md.cell_code(d.path)} | **{md.inline(d.rule)}**: {md.cell(d.rule_text)} | {_handles(d.allowed)} |"
            for d in outcome.denials
        ]
        _table(
            doc,
            [
                "### ⛔ Quyền sửa tệp",
                "",
                "Tài khoản tạo yêu cầu này không được sửa các tệp dưới đây. Hãy bỏ các thay đổi đó khỏi yêu cầu, "
                "hoặc nhờ đúng người thực hiện.",
                "",
                "| Tệp | Quy tắc | Người được phép |",
                "|---|---|---|",
            ],
            rows,
            "tệp",
        )
    if outcome.problems:
        rows = [
            f"| {'❌' if p.is_error else '⚠️'} | {md.cell_code(f'{p.path}:{p.line}:{p.column}')} | "
            f"{md.cell(f'{p.subject}: {p.message}' if p.subject else p.message)} | {md.cell(p.fix)} |"
            for p in sorted(outcome.problems, key=lambda p: not p.is_error)
        ]  # errors first
        _table(
            doc,
            ["### Lỗi và cảnh báo", "", "| | Tệp:dòng:cột | Vấn đề | Cách sửa |", "|---|---|---|---|"],
            rows,
            "lỗi và cảnh báo",
        )
    left_out = sum(not doc.add(*block) for block in outcome.workbooks)  # scoring workbooks (workbook_report)
    for preview in outcome.previews:
        if left_out or not doc.add(*_preview(preview)):
            left_out += 1
    if left_out:
        doc.force(
            f"… và {left_out} đơn vị khác chưa hiển thị phần xem trước điểm vì bình luận đã đến giới hạn "
            f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.",
            "",
        )
    doc.reserve = 0
    doc.force(data, *FOOTER)
    return doc.text()


def _table(doc: Lines, head: list[str], rows: list[str], what: str) -> None:
    """The heading, the header and as many whole rows as fit; then how many were left out."""
    if not doc.add(*head, rows[0]):
        doc.force(
            f"… {len(rows)} {what} không hiển thị được vì bình luận đã đến giới hạn "
            f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.",
            "",
        )
        return
    shown = 1
    for row in rows[1:]:
        if not doc.add(row):
            break
        shown += 1
    doc.force("")
    if shown < len(rows):
        doc.force(
            f"… và {len(rows) - shown} {what} khác không hiển thị vì bình luận đã đến giới hạn "
            f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.",
            "",
        )


def _handles(handles) -> str:
    shown = ", ".join(md.handle(h) for h in list(handles)[:10])
    more = f" và {len(handles) - 10} người khác" if len(handles) > 10 else ""
    return (shown + more) or "(chưa khai báo)"


def _verdict(outcome: Outcome) -> str:
    errors = outcome.errors
    warnings = len(outcome.problems) - errors
    if outcome.ok:
        tail = f", {warnings} cảnh báo nên xem lại" if warnings else ""
        return f"✅ **Hợp lệ**{tail}. Yêu cầu đang chờ người chấm xem xét và phê duyệt."
    reasons = []
    if errors:
        reasons.append(f"{errors} lỗi")
    if outcome.denials:
        reasons.append(f"{len(outcome.denials)} tệp ngoài quyền sửa")
    if outcome.authz_unavailable:
        reasons.append("chưa kiểm tra được quyền")
    if warnings:
        reasons.append(f"{warnings} cảnh báo")
    return f"❌ **Chưa hợp lệ**: {', '.join(reasons)}. Hãy sửa theo hướng dẫn bên dưới rồi lưu (commit) lại."


def _preview(p: Preview) -> list[str]:
    title = f"### Xem trước điểm: {md.inline(p.name or p.unit, 200)} ({md.code(p.unit, 100)})" + (
        f", {md.inline(p.period_title, 200)}" if p.period_title else ""
    )
    if p.state == "invalid":
        return [title, "", "Chưa tính được điểm vì tệp còn lỗi (xem ở trên).", ""]
    if p.state == "unknown":
        return [
            title,
            "",
            "Không có bài tự đánh giá hợp lệ của đơn vị này trong yêu cầu, nên không có điểm để xem trước.",
            "",
        ]
    return [title, ""] + _preview_table(p) + _preview_totals(p) + _preview_notes(p)


def _preview_table(p: Preview) -> list[str]:
    """One row per criterion, then the totals row."""
    has_base = not _missing(p.base_total)
    header = ["Tiêu chí", "Tối đa", "Tự chấm", "Thay đổi so với nhánh chính" if has_base else "Trước đây"]
    if p.reviewed:
        header.append("Điểm chấm")
    header.append("Minh chứng")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in p.rows:
        score = row.score
        if score.derived:
            cells = [md.cell(score.criterion), as_typed(score.max), "tự động", "—"]
        else:
            cells = [
                md.cell(score.criterion),
                as_typed(score.max),
                _score(score.self_score),
                _delta(score.self_score, row.base) if has_base else "mới",
            ]
        if p.reviewed:
            cells.append(_score(score.reviewer_score))
        cells.append(_evidence(row))
        lines.append("| " + " | ".join(cells) + " |")
    total = [
        "**Tổng**" + ("\\*" if p.has_derived else ""),
        f"**{as_typed(p.max_total)}**",
        f"**{as_typed(p.self_total)}**",
        f"**{_delta(p.self_total, p.base_total)}**" if has_base else "mới",
    ]
    if p.reviewed:
        total.append(f"**{as_typed(p.total)}**")
    total.append("")
    return lines + ["| " + " | ".join(total) + " |", ""]


def _preview_totals(p: Preview) -> list[str]:
    """The total, percentage and expected rating (or why they are left out)."""
    if p.has_derived:
        return [
            "\\* Chưa gồm các tiêu chí tính tự động từ kết quả của đơn vị trực thuộc; "
            "điểm và xếp loại đầy đủ có trên trang công khai sau khi yêu cầu được hợp nhất.",
            "",
        ]
    basis = "điểm chấm" if p.reviewed else "điểm tự chấm"
    shown = p.total if p.reviewed else p.self_total
    return [
        f"**Tổng điểm: {as_typed(shown)}/{as_typed(p.max_total)} = {_percent(p.percent)} điểm tối đa — "
        f"xếp loại dự kiến (theo {basis}): {md.inline(p.rating) or 'chưa xác định'}**",
        "",
        "Xếp hạng trên trang công khai tính theo tỉ lệ % điểm tối đa này, trong cùng loại đơn vị "
        "(và trong cùng đơn vị quản lý, cùng loại), sau khi yêu cầu được hợp nhất.",
        "",
    ]


def _preview_notes(p: Preview) -> list[str]:
    lines = []
    if p.not_scored:
        lines += [f"Chưa tự chấm (tính 0 điểm): {md.inline(', '.join(p.not_scored), 2000)}.", ""]
    if p.missing_evidence:
        lines += [
            f"Tiêu chí có yêu cầu minh chứng nhưng chưa có minh chứng (chỉ được 0 điểm): "
            f"{md.inline(', '.join(p.missing_evidence), 2000)}.",
            "",
        ]
    for note in p.milestone_notes:
        lines += [f"⚠️ {md.inline(note, 2000)}", ""]
    return lines


def _percent(value) -> str:
    return "—" if _missing(value) else f"{number(value, places=None)}%"


def _missing(value) -> bool:
    """NaN, None or pandas' NA: scoring may use either for "no score"."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _score(value) -> str:
    return "—" if _missing(value) else as_typed(float(value))


def _delta(now, before) -> str:
    if _missing(before):
        return "mới"
    change = round(float(now) - float(before), 2)
    if change == 0:
        return "không đổi"
    return ("+" if change > 0 else "−") + as_typed(abs(change))


def _evidence(row: PreviewRow) -> str:
    if row.score.derived or not row.asks_evidence:
        return "không yêu cầu" if not row.score.derived else ""
    return f"✅ {row.evidence} minh chứng" if row.evidence else "⚠️ chưa có"
