"""A unit's objection to a reviewer score (phúc khảo), filed through the issue form
`.github/ISSUE_TEMPLATE/phuc-khao.yml`.

`check` decides whether an objection may stand, from the default branch's data (never from the
issue): the author must be an editor of the unit in that year's registry, the criterion must be
one the unit is scored on, and a reviewer score for it must be published. The workflow only
applies the labels and the comment this module writes.

`load` reads the objections the publish workflow fetched (GitHub's issue objects, read-only)
for the unit pages: open, or settled with the reviewer's answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.model import Dataset
from site_builder.paths import SLUG

LABEL = "phúc khảo"  # put by the issue form on every objection
VALID_LABEL = "phúc khảo hợp lệ"  # put by the workflow when `check` accepts it
FIELDS = {
    "Mã đơn vị": "unit",
    "Năm học": "period",
    "Tiêu chí": "criterion",
    "Lý do": "reason",
    "Minh chứng bổ sung": "evidence",
}
NO_RESPONSE = "_No response_"
MAX_FILE_BYTES = 50_000_000


def parse_form(body: str) -> dict[str, str]:
    """The answers of an issue form body ("### Label\\n\\nvalue" blocks), by field key."""
    found: dict[str, str] = {}
    for block in re.split(r"^### ", body or "", flags=re.M)[1:]:
        label, _, value = block.partition("\n")
        key = FIELDS.get(label.strip())
        if key is not None and key not in found:
            value = value.strip()
            found[key] = "" if value == NO_RESPONSE else value
    return found


@dataclass
class Verdict:
    valid: bool
    message: str  # Vietnamese Markdown-safe sentence(s) for the issue comment
    labels: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(
            {"valid": self.valid, "labels": self.labels, "close": not self.valid, "comment": self.message},
            ensure_ascii=False,
        )


def check(dataset: Dataset, body: str, author: str) -> Verdict:
    from site_builder import markdown_text as md

    answers = parse_form(body)
    unit_id, period, criterion = (answers.get(k, "").strip() for k in ("unit", "period", "criterion"))
    refusals = []
    unit = dataset.registry.unit(period, unit_id) if SLUG.match(unit_id or "-") else None
    if period not in dataset.periods:
        refusals.append(f"năm học «{md.inline(period, 40)}» không có trong dữ liệu (ví dụ đúng: 2023-2024).")
    elif unit is None:
        refusals.append(f"không có đơn vị mã «{md.inline(unit_id, 60)}» trong danh sách năm học {md.inline(period)}.")
    if unit is not None and author.lower() not in {e.lower() for e in unit.editors}:
        refusals.append(
            f"chỉ người soạn của đơn vị ({', '.join(md.handle(e) for e in unit.editors) or 'chưa khai báo'}) "
            f"được đề nghị phúc khảo cho đơn vị; tài khoản {md.handle(author)} không có trong danh sách."
        )
    if unit is not None and period in dataset.periods:
        catalogue = dataset.periods[period].catalogues.get(unit.type)
        item = catalogue.items.get(criterion) if catalogue else None
        review = dataset.reviews.get((period, unit.id))
        if item is None or item.derived:
            refusals.append(f"tiêu chí «{md.inline(criterion, 20)}» không phải tiêu chí được chấm của đơn vị.")
        elif review is None or criterion not in review.entries:
            refusals.append(f"tiêu chí {md.inline(criterion)} chưa có điểm chấm được công bố nên chưa thể phúc khảo.")
    evidence = answers.get("evidence", "")
    if evidence and not re.match(r"^https?://\S+$", evidence):
        refusals.append("minh chứng bổ sung phải là một đường link http(s).")
    if not answers.get("reason"):
        refusals.append("chưa ghi lý do đề nghị phúc khảo.")
    if refusals:
        text = (
            "Cảm ơn đơn vị đã gửi đề nghị phúc khảo. Rất tiếc, đề nghị này chưa được tiếp nhận vì:\n\n"
            + "\n".join(f"- {r}" for r in refusals)
            + "\n\nĐơn vị vui lòng kiểm tra lại và gửi một đề nghị mới theo mẫu «Đề nghị phúc khảo điểm chấm». "
            "Xin cảm ơn."
        )
        return Verdict(False, text, [], answers)
    assert unit is not None  # no refusal means the unit was found
    reviewers = ", ".join(f"@{r}" for r in unit.reviewers)
    text = (
        f"Đã tiếp nhận đề nghị phúc khảo tiêu chí {md.inline(criterion)} của {md.inline(unit.name, 200)} "
        f"(năm học {md.inline(period)}). Người chấm của đơn vị ({reviewers}) sẽ xem xét, trả lời trong trao đổi "
        "này và ghi điểm mới (nếu có) bằng bảng chấm hoặc tệp điểm chấm."
    )
    return Verdict(True, text, [VALID_LABEL], answers)


# ---------------------------------------------------------------- for the site


@dataclass
class Objection:
    number: int
    url: str
    period: str
    unit: str
    criterion: str
    reason: str
    opened: dt.datetime | None
    closed: dt.datetime | None
    answer: str = ""  # the last comment of one of the unit's reviewers
    answered_by: str = ""

    @property
    def settled(self) -> bool:
        return self.closed is not None


def _time(value):
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def load(file: Path | None, dataset: Dataset) -> tuple[dict[tuple[str, str], list[Objection]], dt.datetime | None]:
    """(period, unit) -> objections accepted by the workflow; and when they were fetched."""
    if file is None or not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
        return {}, None
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None
    if not isinstance(raw, dict):
        return {}, None
    comments = raw.get("comments")
    comments = comments if isinstance(comments, dict) else {}
    found: dict[tuple[str, str], list[Objection]] = {}
    for issue in raw.get("issues") or []:
        if not isinstance(issue, dict) or not isinstance(issue.get("number"), int) or "pull_request" in issue:
            continue
        labels = {label.get("name") for label in issue.get("labels") or [] if isinstance(label, dict)}
        if VALID_LABEL not in labels:
            continue
        answers = parse_form(issue.get("body") or "")
        unit = dataset.registry.unit(answers.get("period", ""), answers.get("unit", ""))
        if unit is None:
            continue
        url = str(issue.get("html_url", ""))
        url = url if url.startswith("https://") else ""
        objection = Objection(
            issue["number"],
            url,
            unit.period,
            unit.id,
            answers.get("criterion", "")[:20],
            answers.get("reason", "")[:2000],
            _time(issue.get("created_at")),
            _time(issue.get("closed_at")) if issue.get("state") == "closed" else None,
        )
        reviewers = {r.lower() for r in unit.reviewers}
        for comment in comments.get(str(issue["number"])) or []:
            login = ((comment or {}).get("user") or {}).get("login") if isinstance(comment, dict) else None
            if isinstance(login, str) and login.lower() in reviewers and isinstance(comment.get("body"), str):
                objection.answer, objection.answered_by = comment["body"][:4000], login
        found.setdefault((unit.period, unit.id), []).append(objection)
    return found, _time(raw.get("fetched_at"))
