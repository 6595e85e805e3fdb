"""Who may change which file, decided from the registry (never from the pull request itself).

The caller passes the registry of the *base* branch: a pull request that adds its author to a
unit's editors must not authorise itself. Each rule has an id and a Vietnamese sentence so a
refusal names the rule that failed. GitHub handles compare case-insensitively, as on GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.model import Registry
from site_builder.paths import classify

# rule id -> (who, Vietnamese statement of the rule)
RULES = {
    "unit-files": "Bài tự đánh giá, minh chứng và báo cáo theo mốc của một đơn vị chỉ do người soạn (editors) của "
    "chính đơn vị đó hoặc người chấm của đơn vị sửa (theo danh sách đơn vị của năm học).",
    "review-files": "Tệp điểm chấm (.review.yaml) chỉ do người chấm (reviewers) của đơn vị được chấm sửa.",
    "review-workbook": "Bảng chấm (.xlsx trong thư mục của đơn vị quản lý) chỉ do người chấm (reviewers) của đơn vị "
    "quản lý đó sửa.",
    "unregistered-unit": "Tệp của đơn vị chưa có trong danh sách đơn vị chỉ do người quản trị (maintainers) tạo hoặc sửa.",
    "maintainers-only": "Bộ tiêu chí (criteria/), lược đồ (schema/), danh sách đơn vị (submissions/units/), "
    "khoá xác nhận thời điểm (submissions/keys/), tệp submissions/organization.yaml, mã nguồn, "
    "quy trình .github/ và mọi tệp khác chỉ do người quản trị (maintainers) sửa.",
}


@dataclass(frozen=True)
class Denial:
    path: str
    rule: str
    author: str
    allowed: tuple[str, ...]

    @property
    def rule_text(self) -> str:
        return RULES[self.rule]

    def message(self) -> str:
        who = ", ".join(f"@{h}" for h in self.allowed) or "(chưa khai báo ai)"
        return (
            f"@{self.author} không được sửa {self.path}. Quy tắc «{self.rule}»: {self.rule_text} "
            f"Người được phép: {who}."
        )


def allowed_for(rel_path: str, registry: Registry) -> tuple[str, tuple[str, ...]]:
    """(rule id, handles allowed) for one repository path."""
    maintainers = tuple(registry.organization.maintainers)
    role = classify(rel_path)
    if role.kind in ("submission", "review", "evidence", "report", "wrong-extension"):
        unit = registry.unit(role.period, role.unit)
        if unit is None or unit.parent != role.parent:
            return "unregistered-unit", maintainers
        if role.kind == "review":
            return "review-files", tuple(unit.reviewers)
        return "unit-files", _unique(unit.editors + unit.reviewers)
    if role.kind == "workbook":  # a body's scoring workbook: that body's reviewers
        body = registry.period(role.period).bodies.get(role.parent)
        return ("review-workbook", tuple(body.reviewers)) if body else ("unregistered-unit", maintainers)
    return "maintainers-only", maintainers


def check(author: str, paths: list[str], registry: Registry) -> list[Denial]:
    """One denial per path `author` may not touch (renames: pass both old and new path)."""
    denials = []
    for rel in dict.fromkeys(paths):
        rule, allowed = allowed_for(rel, registry)
        if author.lower() not in {h.lower() for h in allowed}:
            denials.append(Denial(rel, rule, author, allowed))
    return denials


def _unique(handles) -> tuple[str, ...]:
    return tuple(dict.fromkeys(handles))
