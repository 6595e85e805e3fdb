"""The pull-request report: what changed between two git refs, whether it is valid and allowed,
and what the touched units would score. Rendered as the Vietnamese PR comment.

Both sides are read from git objects (never from the working tree) into small temporary data
roots holding only criteria/, schema/, the registry and the touched units' files, so a check on
a 15,000-unit repository stays small, and the base side can be trusted: authorization always
uses the base branch's registry, which the pull request cannot change for itself.
"""

from __future__ import annotations

import io
import math
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import git
import pandas as pd

from site_builder import authz, review_queue, workbook_report
from site_builder import markdown_text as md
from site_builder.github_limits import COMMENT_LIMIT, Lines, comment_length
from site_builder.messages import number, thousands
from site_builder.model import Dataset, PeriodRegistry, Registry
from site_builder.paths import DataRoot, classify
from site_builder.problems import Problem
from site_builder.registry import load_organization, load_registry
from site_builder.scoring import score_period, shown_percent
from site_builder.validate import validate_all, validate_paths

MARKER = "<!-- danh-gia-cntt:pr-report -->"
SHARED_PATHS = ("criteria", "schema", "submissions/organization.yaml", "submissions/units", "submissions/keys")
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

def open_repo(path: Path) -> git.Repo:
    try:
        return git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitProblem(f"«{path}» không phải kho git.") from None


def resolve(repo: git.Repo, ref: str) -> str:
    try:
        return repo.commit(ref).hexsha
    except (git.BadName, ValueError, git.GitCommandError):
        raise GitProblem(f"không tìm thấy nhánh hoặc commit «{ref}» (với GitHub Actions cần checkout fetch-depth: 0).") from None


def changed_files(repo: git.Repo, base: str, head: str) -> list[ChangedFile]:
    """`git diff --name-status base...head`: what the PR changed since it branched, renames kept."""
    out = repo.git.diff("--name-status", "-z", "-M", "--no-ext-diff", f"{base}...{head}")
    tokens = out.split("\0")
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


def snapshot(repo: git.Repo, ref: str, target: Path, pathspecs: list[str]) -> list[Problem]:
    """Write the files of `ref` under `pathspecs` into `target`. Symlinks and submodules are not
    written (they could point the checks at files outside the repository) but reported."""
    listing = repo.git.ls_tree("-r", "-z", "--full-tree", ref, "--", *pathspecs)
    files, problems = [], []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode = meta.split()[0]
        if mode in ("100644", "100755"):
            files.append(path)
        else:
            problems.append(Problem(path, 1, 1, "loại tệp", "tệp là liên kết (symlink) hoặc kho con, không được phép.",
                                    "Hãy tải lên chính tệp thay vì liên kết.", "not-regular-file"))
    target.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(files), 500):
        buffer = io.BytesIO()
        repo.archive(buffer, ref, format="tar", path=files[start:start + 500])
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as archive:
            archive.extractall(target, filter="data")
    return problems


# ---------------------------------------------------------------- what the PR touches

def touched_units(changes: list[ChangedFile]) -> list[tuple[str, str, str]]:
    """(period, parent, unit) of every unit whose submission, review or evidence changed."""
    found = {}
    for change in changes:
        for rel in change.paths:
            role = classify(rel)
            if role.kind in ("submission", "review", "evidence"):
                found[(role.period, role.parent, role.unit)] = True
    return list(found)


def unit_pathspecs(units) -> list[str]:
    specs = []
    for period, parent, unit in units:
        folder = f"submissions/{period}/{parent}"
        specs += [f"{folder}/{unit}.yaml", f"{folder}/{unit}.review.yaml", f"{folder}/{unit}/"]
    return specs


def paths_to_validate(changes: list[ChangedFile], head_root: DataRoot) -> list[str]:
    """Changed paths plus what depends on them: a submission's review file."""
    paths = []
    for change in changes:
        paths += list(change.paths)
        role = classify(change.path)
        if role.kind == "submission":
            review = f"submissions/{role.period}/{role.parent}/{role.unit}.review.yaml"
            if (head_root.path / review).is_file():
                paths.append(review)
    return list(dict.fromkeys(paths))


# ---------------------------------------------------------------- score preview

@dataclass
class Preview:
    period: str
    parent: str
    unit: str
    name: str = ""
    period_title: str = ""
    state: str = "ok"  # ok | invalid | deleted | unknown
    rows: list[dict] = field(default_factory=list)
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
    """Items and the unit row of one unit, scored alone (derived items need the whole district)."""
    if dataset is None or (period, unit_id) not in dataset.submissions or period not in dataset.periods:
        return None
    unit = dataset.registry.unit(period, unit_id)
    if unit is None or unit.type not in dataset.periods[period].catalogues:
        return None
    alone = Dataset(Registry(dataset.registry.organization, {period: PeriodRegistry(period, {unit.id: unit})}),
                    {period: dataset.periods[period]},
                    {k: v for k, v in dataset.submissions.items() if k == (period, unit_id)},
                    {k: v for k, v in dataset.reviews.items() if k == (period, unit_id)})
    scores = score_period(alone, period)
    return scores.items, scores.units.iloc[0]


def build_preview(head: Dataset | None, base: Dataset | None, period: str, parent: str, unit_id: str) -> Preview:
    preview = Preview(period, parent, unit_id)
    unit = head.registry.unit(period, unit_id) if head else None
    if head and period in head.periods:
        preview.period_title = head.periods[period].title
    if unit is None:
        preview.state = "unknown"
        return preview
    preview.name = unit.name
    scored = _unit_scores(head, period, unit_id)
    if scored is None:
        submitted = head is not None and (period, unit_id) in head.submissions
        preview.state = "invalid" if not submitted else "unknown"
        return preview
    items, row = scored
    before = _unit_scores(base, period, unit_id)
    base_self = dict(zip(before[0]["criterion"], before[0]["self_score"])) if before else {}
    if before:
        preview.base_total = round(float(before[0][~before[0]["derived"]]["self_score"].sum()), 2)
    catalogue = head.periods[period].catalogues[unit.type]
    submission = head.submissions[(period, unit_id)]
    preview.reviewed = (period, unit_id) in head.reviews
    for record in items.itertuples():
        item = catalogue.items[record.criterion]
        entry = submission.entries.get(item.id)
        if item.derived:
            preview.has_derived = True
        elif entry is None:
            preview.not_scored.append(item.id)
        if item.evidence and not item.derived and not (entry and entry.evidence):
            preview.missing_evidence.append(item.id)
        preview.rows.append({
            "id": item.id, "max": item.max, "derived": bool(item.derived),
            "self": record.self_score, "base": base_self.get(item.id, math.nan) if before else math.nan,
            "reviewer": record.reviewer_score, "evidence": len(entry.evidence) if entry else 0,
            "asks_evidence": bool(item.evidence),
        })
    non_derived = items[~items["derived"]]
    preview.self_total = round(float(non_derived["self_score"].sum()), 2)
    preview.total = round(float(non_derived["final"].sum()), 2)
    if preview.has_derived:  # shown without the derived items, which need the whole district
        preview.max_total, preview.rating = float(non_derived["max"].sum()), ""
    else:
        preview.max_total = float(row["max_total"])
        preview.rating = "" if _missing(row["rating"]) else str(row["rating"])
    basis = preview.total if preview.reviewed else preview.self_total
    preview.percent = shown_percent(100.0 * basis / preview.max_total) if preview.max_total else math.nan
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


def run(repo_path: Path, base_ref: str, head_ref: str, author: str | None) -> Outcome:
    repo = open_repo(repo_path)
    base, head = resolve(repo, base_ref), resolve(repo, head_ref)
    changes = changed_files(repo, base, head)
    units = touched_units(changes)
    data_paths = [p for c in changes for p in c.paths if p.startswith("submissions/")]
    with tempfile.TemporaryDirectory(prefix="pr-report-") as scratch:
        head_root = DataRoot(Path(scratch) / "head")
        base_root = DataRoot(Path(scratch) / "base")
        specs = list(SHARED_PATHS) + unit_pathspecs(units) + workbook_report.pathspecs(changes)  # scoring workbooks
        problems = snapshot(repo, head, head_root.path, specs + data_paths)
        snapshot(repo, base, base_root.path, specs)
        result = validate_paths(head_root, paths_to_validate(changes, head_root))
        problems = sorted(set(problems + result.problems), key=lambda p: (p.path, p.line, p.column, p.message))
        denials, unavailable = [], False
        if author:
            registry = _registry(base_root)
            unavailable = registry is None
            if registry is not None:
                denials = authz.check(author, [p for c in changes for p in c.paths], registry)
        head_data = validate_all(head_root).dataset if units else None
        base_data = validate_all(base_root).dataset if units else None
        previews = [build_preview(head_data, base_data, *key) for key in units]
        if head_data is not None and previews:
            _add_milestone_notes(previews, head_data, repo_path, base_root, head,
                                 frozenset(c.path for c in changes if c.status != "D"))
        workbooks = workbook_report.sections(head_root, base_root, changes)  # scoring workbooks: readable diff
    return Outcome(changes, problems, result.files_checked, denials, previews, author or "",
                   base_ref, head_ref, unavailable, workbooks)


def _add_milestone_notes(previews: list[Preview], head_data: Dataset, repo_path: Path, base_root: DataRoot,
                         head: str, proposed: frozenset[str]) -> None:
    """Criteria that need a milestone on time: the clock read at the head, trusting the base's signers."""
    import datetime as dt

    from site_builder.clock import VIETNAM, read_clock
    from site_builder.milestone_check import warnings_for

    organization, _ = load_organization(base_root)
    signers = organization.signers if organization else ("github-web-flow",)
    keys = [k for k in (base_root.signer_key(name) for name in signers) if k is not None]
    today = dt.datetime.now(VIETNAM).date()
    with read_clock(repo_path, keys, ref=head) as clock:
        for preview in previews:
            if preview.state == "ok":
                preview.milestone_notes = warnings_for(head_data, preview.period, preview.unit, clock, today, proposed)


def _registry(root: DataRoot) -> Registry | None:
    organization, _ = load_organization(root)
    if organization is None:
        return None
    registry, _ = load_registry(root, organization)
    return registry


# ---------------------------------------------------------------- Markdown
# Every value that comes from the pull request (paths, names, quoted values inside messages) goes
# through markdown_text; the body is built line by line under GitHub's comment limit, so it is
# never cut inside a row or a code span and the verdict and the footer are always there.

FOOTER = ["---", "<sub>Bình luận này được cập nhật sau mỗi lần lưu (commit) vào yêu cầu. "
          "Chú thích lỗi ngay trên dòng: xem thẻ «Files changed»; danh sách đầy đủ: phần Summary "
          "và tệp đính kèm (Artifacts) của lần kiểm tra.</sub>"]
NOTE_RESERVE = 4 * 400  # room kept for the "N more rows not shown" notes (at most one per section)


def render(outcome: Outcome, limit: int = COMMENT_LIMIT) -> str:
    data = review_queue.data_line(outcome)  # hidden verdict and totals for the review-queue page
    footer_size = sum(comment_length(line) + 1 for line in FOOTER) + comment_length(data) + 1
    doc = Lines(limit, comment_length, reserve=footer_size + NOTE_RESERVE)
    doc.force(MARKER, "## Kết quả kiểm tra tự động", "", _verdict(outcome), "")
    if outcome.author:
        doc.force(f"Người tạo yêu cầu: {md.handle(outcome.author)} · so với nhánh "
                  f"{md.code(outcome.base, 200)}, {len(outcome.changes)} tệp thay đổi.", "")
    if outcome.authz_unavailable:
        doc.force("### ⛔ Quyền sửa tệp", "",
                  "Không đọc được danh sách đơn vị trên nhánh chính nên chưa kiểm tra được quyền. "
                  "Người quản trị cần sửa submissions/organization.yaml hoặc submissions/units/ trên nhánh chính.", "")
    if outcome.denials:
        rows = [f"| {md.cell_code(d.path)} | **{md.inline(d.rule)}**: {md.cell(d.rule_text)} | {_handles(d.allowed)} |"
                for d in outcome.denials]
        _table(doc, ["### ⛔ Quyền sửa tệp", "",
                     "Tài khoản tạo yêu cầu này không được sửa các tệp dưới đây. Hãy bỏ các thay đổi đó khỏi yêu cầu, "
                     "hoặc nhờ đúng người thực hiện.", "",
                     "| Tệp | Quy tắc | Người được phép |", "|---|---|---|"], rows, "tệp")
    if outcome.problems:
        rows = [f"| {'❌' if p.is_error else '⚠️'} | {md.cell_code(f'{p.path}:{p.line}:{p.column}')} | "
                f"{md.cell(f'{p.subject}: {p.message}' if p.subject else p.message)} | {md.cell(p.fix)} |"
                for p in sorted(outcome.problems, key=lambda p: not p.is_error)]  # errors first
        _table(doc, ["### Lỗi và cảnh báo", "", "| | Tệp:dòng:cột | Vấn đề | Cách sửa |", "|---|---|---|---|"],
               rows, "lỗi và cảnh báo")
    left_out = sum(not doc.add(*block) for block in outcome.workbooks)  # scoring workbooks (workbook_report)
    for preview in outcome.previews:
        if left_out or not doc.add(*_preview(preview)):
            left_out += 1
    if left_out:
        doc.force(f"… và {left_out} đơn vị khác chưa hiển thị phần xem trước điểm vì bình luận đã đến giới hạn "
                  f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.", "")
    doc.reserve = 0
    doc.force(data, *FOOTER)
    return doc.text()


def _table(doc: Lines, head: list[str], rows: list[str], what: str) -> None:
    """The heading, the header and as many whole rows as fit; then how many were left out."""
    if not doc.add(*head, rows[0]):
        doc.force(f"… {len(rows)} {what} không hiển thị được vì bình luận đã đến giới hạn "
                  f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.", "")
        return
    shown = 1
    for row in rows[1:]:
        if not doc.add(row):
            break
        shown += 1
    doc.force("")
    if shown < len(rows):
        doc.force(f"… và {len(rows) - shown} {what} khác không hiển thị vì bình luận đã đến giới hạn "
                  f"{thousands(COMMENT_LIMIT)} ký tự của GitHub.", "")


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
    title = (f"### Xem trước điểm: {md.inline(p.name or p.unit, 200)} ({md.code(p.unit, 100)})"
             + (f", {md.inline(p.period_title, 200)}" if p.period_title else ""))
    if p.state == "invalid":
        return [title, "", "Chưa tính được điểm vì tệp còn lỗi (xem ở trên).", ""]
    if p.state == "unknown":
        return [title, "", "Không có bài tự đánh giá hợp lệ của đơn vị này trong yêu cầu, nên không có điểm để xem trước.", ""]
    has_base = not _missing(p.base_total)
    header = ["Tiêu chí", "Tối đa", "Tự chấm", "Thay đổi so với nhánh chính" if has_base else "Trước đây"]
    if p.reviewed:
        header.append("Điểm chấm")
    header.append("Minh chứng")
    lines = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in p.rows:
        if row["derived"]:
            cells = [md.cell(row["id"]), number(row["max"]), "tự động", "—"]
        else:
            cells = [md.cell(row["id"]), number(row["max"]), _score(row["self"]), _delta(row["self"], row["base"]) if has_base else "mới"]
        if p.reviewed:
            cells.append(_score(row["reviewer"]))
        cells.append(_evidence(row))
        lines.append("| " + " | ".join(cells) + " |")
    total = ["**Tổng**" + ("\\*" if p.has_derived else ""), f"**{number(p.max_total)}**", f"**{number(p.self_total)}**",
             f"**{_delta(p.self_total, p.base_total)}**" if has_base else "mới"]
    if p.reviewed:
        total.append(f"**{number(p.total)}**")
    total.append("")
    lines += ["| " + " | ".join(total) + " |", ""]
    if p.has_derived:
        lines += ["\\* Chưa gồm các tiêu chí tính tự động từ kết quả của đơn vị trực thuộc; "
                  "điểm và xếp loại đầy đủ có trên trang công khai sau khi yêu cầu được hợp nhất.", ""]
    else:
        basis = "điểm chấm" if p.reviewed else "điểm tự chấm"
        shown = p.total if p.reviewed else p.self_total
        lines += [f"**Tổng điểm: {number(shown)}/{number(p.max_total)} = {_percent(p.percent)} điểm tối đa — "
                  f"xếp loại dự kiến (theo {basis}): {md.inline(p.rating) or 'chưa xác định'}**", "",
                  "Xếp hạng trên trang công khai tính theo tỉ lệ % điểm tối đa này, trong cùng loại đơn vị "
                  "(và trong cùng đơn vị quản lý, cùng loại), sau khi yêu cầu được hợp nhất.", ""]
    if p.not_scored:
        lines += [f"Chưa tự chấm (tính 0 điểm): {md.inline(', '.join(p.not_scored), 2000)}.", ""]
    if p.missing_evidence:
        lines += [f"Tiêu chí có yêu cầu minh chứng nhưng chưa có minh chứng (chỉ được 0 điểm): "
                  f"{md.inline(', '.join(p.missing_evidence), 2000)}.", ""]
    for note in p.milestone_notes:
        lines += [f"⚠️ {md.inline(note, 2000)}", ""]
    return lines


def _percent(value) -> str:
    return "—" if _missing(value) else f"{number(float(value)).replace('.', ',')}%"


def _missing(value) -> bool:
    """NaN, None or pandas' NA: scoring may use either for "no score"."""
    return value is None or bool(pd.isna(value))


def _score(value) -> str:
    return "—" if _missing(value) else number(float(value))


def _delta(now, before) -> str:
    if _missing(before):
        return "mới"
    change = round(float(now) - float(before), 2)
    if change == 0:
        return "không đổi"
    return ("+" if change > 0 else "−") + number(abs(change))


def _evidence(row) -> str:
    if row["derived"] or not row["asks_evidence"]:
        return "không yêu cầu" if not row["derived"] else ""
    return f"✅ {row['evidence']} minh chứng" if row["evidence"] else "⚠️ chưa có"
