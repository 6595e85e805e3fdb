"""Generate `.github/CODEOWNERS` from the registry.

CODEOWNERS makes GitHub ask the right person to approve: a unit's files go to its reviewers,
everything that is not a unit's data to the maintainers. Reviewing bodies change from one school
year to the next, so lines are written per period. GitHub uses the last matching line and reads at
most 3 MB, so one line per period and reviewing body (its units' usual reviewers) is written, plus
three lines only for the units whose reviewers differ: 15,000 units a year stay far below the limit.

GitHub never lets the author of a pull request approve it. Where a body has a single reviewer,
that reviewer's own reviewer-score files (*.review.yaml) would have nobody left to approve them,
so the maintainers are co-owners of those files: either may approve, the reviewer cannot
approve their own change.
"""

from __future__ import annotations

from collections import Counter

from site_builder.model import Registry
from site_builder.paths import (
    CRITERIA,
    KEYS_PATH,
    ORGANIZATION_FILE,
    REVIEW_SUFFIX,
    UNITS_FOLDER,
    body_folder,
    unit_folder,
    unit_paths,
)

PATH = ".github/CODEOWNERS"
MAINTAINER_PATHS = (
    f"/{CRITERIA}/",
    "/schema/",
    "/site_builder/",
    "/.github/",
    f"/{UNITS_FOLDER}/",
    f"/{KEYS_PATH}/",
    f"/{ORGANIZATION_FILE}",
)


def render(registry: Registry) -> str:
    maintainers = _owners(registry.organization.maintainers, ())
    lines = [
        "# Tệp sinh tự động bằng lệnh «site-builder codeowners» từ submissions/units/ và",
        "# submissions/organization.yaml. Không sửa tay: hãy sửa danh sách đơn vị rồi chạy lại lệnh.",
        "# Dòng khớp sau cùng quyết định người duyệt.",
        "",
        f"* {maintainers}",
        "",
        "# Bài nộp, minh chứng và điểm chấm của mỗi đơn vị: người chấm của đơn vị.",
    ]
    maintainers_list = registry.organization.maintainers
    for period in sorted(registry.periods):
        by_parent: dict[str, list] = {}
        for unit in registry.periods[period].units.values():
            by_parent.setdefault(unit.parent, []).append(unit)
        for parent in sorted(by_parent):
            units = sorted(by_parent[parent], key=lambda u: u.id)
            usual = Counter(tuple(u.reviewers) for u in units).most_common(1)[0][0]
            folder = "/" + body_folder(period, parent)
            lines.append(f"{folder}/ {_owners(usual, maintainers_list)}")
            if len(usual) == 1:
                lines.append(f"{folder}/*{REVIEW_SUFFIX} {_owners(usual + tuple(maintainers_list), ())}")
            for unit in units:
                if tuple(unit.reviewers) != usual:
                    owners = _owners(unit.reviewers, maintainers_list)
                    review_owners = (
                        _owners(tuple(unit.reviewers) + tuple(maintainers_list), ())
                        if len(unit.reviewers) == 1
                        else owners
                    )
                    submission, review = unit_paths(period, parent, unit.id)
                    lines += [
                        f"/{submission} {owners}",
                        f"/{review} {review_owners}",
                        f"/{unit_folder(period, parent, unit.id)}/ {owners}",
                    ]
    lines += ["", "# Bộ tiêu chí, lược đồ, danh sách đơn vị, mã nguồn và quy trình: người quản trị."]
    lines += [f"{path} {maintainers}" for path in MAINTAINER_PATHS]
    return "\n".join(lines) + "\n"


def _owners(handles, fallback) -> str:
    """`@a @b`; a unit without reviewers falls back to the maintainers (an empty line means "no owner")."""
    chosen = tuple(handles) or tuple(fallback)
    return " ".join(f"@{h}" for h in dict.fromkeys(chosen))
