"""The built site's size against what its host allows, measured after the build.

GitHub Pages publishes a site of at most 1 GB, and GitHub refuses a pushed file over 100 MB; a
page of results must also stay fetchable on a phone. So the build adds up every file it wrote and
refuses (exit 1, the published site left as it was) when the total is over the organisation's
budget or one file is over the per-file limit, and warns from 80 % of the budget on: a Department
then has a school year or two to choose `evidence: link` or another host. Both limits are set in
submissions/organization.yaml (`site_budget_mb`, `file_limit_mb`); 1 MB here is 1,000,000 bytes,
the stricter reading of the host's "1 GB".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.numbers import number

MB = 1_000_000
DEFAULT_BUDGET_MB = 1000  # GitHub Pages: a published site may be no larger than 1 GB
DEFAULT_FILE_LIMIT_MB = 10  # our own: a tenth of GitHub's push limit, and a phone can fetch it
WARN_AT = 0.8
NAMED = 10  # files over the limit named in the message (the rest are counted)


class SiteTooLarge(Exception):
    """The site is over the budget or holds a file over the limit; `str()` is the Vietnamese message."""


@dataclass(frozen=True)
class SiteSize:
    total: int  # bytes of every file of the site
    files: int
    budget: int  # bytes
    file_limit: int  # bytes
    oversized: list[tuple[str, int]] = field(default_factory=list)  # (site path, bytes), largest first
    largest: tuple[str, int] = ("", 0)

    @property
    def share(self) -> float:
        return self.total / self.budget if self.budget else 0.0

    def line(self) -> str:
        """ "Kích thước trang: 12,5 MB / 1000 MB (1,25%)", what `site-builder build` prints."""
        return (
            f"Kích thước trang: {mb(self.total)} / {mb(self.budget)} ({number(self.share * 100)}%); "
            f"{self.files} tệp, lớn nhất {mb(self.largest[1])} ({self.largest[0] or '—'})."
        )

    def warning(self) -> str:
        """A Vietnamese warning from 80 % of the budget on, else ""."""
        if self.share < WARN_AT or self.total > self.budget:
            return ""
        return (
            f"Trang đã dùng {number(self.share * 100)}% dung lượng cho phép ({mb(self.total)} / {mb(self.budget)}). "
            "Sắp vượt giới hạn của nơi lưu trang: hãy cân nhắc đặt `evidence: link` trong "
            "submissions/organization.yaml (minh chứng không chép vào trang) hoặc nâng `site_budget_mb` "
            "nếu nơi lưu trang cho phép (xem Hướng dẫn quản trị)."
        )

    def problems(self) -> list[str]:
        """Vietnamese messages, one per limit broken; empty when the site fits."""
        out = []
        if self.total > self.budget:
            out.append(
                f"Trang quá lớn: {mb(self.total)}, vượt giới hạn {mb(self.budget)} (site_budget_mb trong "
                "submissions/organization.yaml). Nơi lưu trang sẽ không nhận. Hãy đặt `evidence: link` để "
                "minh chứng không chép vào trang, hoặc nâng `site_budget_mb` nếu nơi lưu trang cho phép "
                "(xem Hướng dẫn quản trị, mục «Dung lượng trang»)."
            )
        if self.oversized:
            named = "; ".join(f"{path} ({mb(size)})" for path, size in self.oversized[:NAMED])
            more = f" và {len(self.oversized) - NAMED} tệp khác" if len(self.oversized) > NAMED else ""
            out.append(
                f"{len(self.oversized)} tệp vượt giới hạn {mb(self.file_limit)} mỗi tệp (file_limit_mb trong "
                f"submissions/organization.yaml): {named}{more}. Tệp minh chứng quá lớn: hãy nén lại hoặc "
                "đặt `evidence: link`; tệp do chương trình tạo ra: hãy báo người quản trị."
            )
        return out


def mb(size: int) -> str:
    return f"{number(size / MB)} MB"


def measure(site: Path, budget_mb: float = DEFAULT_BUDGET_MB, file_limit_mb: float = DEFAULT_FILE_LIMIT_MB) -> SiteSize:
    """Every regular file under `site` (hard links counted at their full size: the host stores each)."""
    sizes: dict[str, int] = {}
    root = str(site)
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    sizes[os.path.relpath(entry.path, root)] = entry.stat(follow_symlinks=False).st_size
    return of_files(sizes, budget_mb, file_limit_mb)


def of_files(
    sizes: dict[str, int], budget_mb: float = DEFAULT_BUDGET_MB, file_limit_mb: float = DEFAULT_FILE_LIMIT_MB
) -> SiteSize:
    """The size of a site made of `sizes` (site path -> bytes): what a build is about to publish."""
    limit = int(file_limit_mb * MB)
    oversized = sorted(((path, size) for path, size in sizes.items() if size > limit), key=lambda i: (-i[1], i[0]))
    largest = max(sizes.items(), key=lambda item: (item[1], item[0]), default=("", 0))
    return SiteSize(sum(sizes.values()), len(sizes), int(budget_mb * MB), limit, oversized, largest)


def check(size: SiteSize) -> SiteSize:
    """`size` itself; raises SiteTooLarge with every broken limit said in Vietnamese."""
    problems = size.problems()
    if problems:
        raise SiteTooLarge("\n".join([size.line(), *problems]))
    return size
