"""Vietnamese wording and number formats shared by pages and downloads.

Numbers are shown the Vietnamese way (decimal comma: 4,5); downloads keep plain numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

from site_builder.numbers import day, number  # noqa: F401  (the one formatter; pages and charts take it from here)

STATUS_LABELS = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "missing": "Chưa nộp",
    "unknown": "Đã nộp (chưa xác nhận thời điểm)",
    "draft": "Bản nháp (chưa mở nhận bài)",
    "pending": "Chưa đến hạn",
    "not_required": "Không yêu cầu",
}
PROPOSED = "hạn đề xuất"  # shown beside a status that a proposed (not official) date decides


def status_text(status: str, proposed: bool = False) -> str:
    label = STATUS_LABELS.get(status, status)
    return f"{label} ({PROPOSED})" if proposed else label


@functools.lru_cache(maxsize=1 << 16)  # every unit's name, sorted by several pages (0.4 CPU-s at 15,000 units)
def natural_key(text: str) -> tuple:
    """Sort key that orders numbers by value: "Quận 3" before "Quận 10"; letters without diacritics."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", fold(text)) if part
    )


@functools.lru_cache(maxsize=4096)  # scores take few values; rounding is most of the downloads' number cost
def plain(value):
    """A JSON/CSV-friendly number: NaN becomes None, whole floats stay floats."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)


def moment(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return f"{day(value)} {value.hour:02d}:{value.minute:02d}"


# Every Vietnamese tone and vowel mark, once decomposed (NFD), is in this block of combining marks:
# one regex pass removes them; only the other non-ASCII characters left (dashes, other scripts'
# marks) are looked up one by one (looking up every character cost the rankings 0.5 CPU-s).
_COMBINING_MARKS = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), so "Tân Định" and "tan dinh" compare equal."""
    text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text.lower()).replace("đ", "d"))
    return text if text.isascii() else _NON_ASCII.sub(_unless_mark, text)


def _unless_mark(found: re.Match) -> str:
    return "" if unicodedata.category(found.group()) == "Mn" else found.group()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "khac"


def short_title(title: str) -> str:
    """A column heading for a milestone: "Báo cáo sơ kết công tác…" -> "Sơ kết"."""
    words = title.split()
    if len(words) > 2 and words[0].lower() == "báo" and words[1].lower() == "cáo":
        words = words[2:]
    text = " ".join(words[:2])
    return text[:1].upper() + text[1:]


# Names as offices abbreviate them on letterheads, for page titles (browser tabs, search results).
ABBREVIATIONS = (
    ("Giáo dục và Đào tạo", "GD&ĐT"),
    ("Văn hoá – Xã hội", "VH-XH"),
    ("Văn hóa – Xã hội", "VH-XH"),
    ("Văn hoá - Xã hội", "VH-XH"),
    ("Văn hóa - Xã hội", "VH-XH"),
    ("Trung học phổ thông", "THPT"),
    ("Trung học cơ sở", "THCS"),
    ("Giáo dục thường xuyên", "GDTX"),
    ("Giáo dục nghề nghiệp", "GDNN"),
)


# One pass for all of them (a page title per unit: nine searches each cost a national build 0.4 CPU-s).
_ABBREVIATED = re.compile("|".join(f"({re.escape(long)})" for long, _short in ABBREVIATIONS), re.IGNORECASE)


def page_title(name: str, period_title: str, limit: int) -> str:
    """A page's title of at most `limit` characters: "Phòng GD&ĐT Quận 1 — 2023-2024" for
    "Phòng Giáo dục và Đào tạo Quận 1" in "Năm học 2023 - 2024"; a name still too long is cut (…)."""
    name = _ABBREVIATED.sub(lambda found: ABBREVIATIONS[found.lastindex - 1][1], name)  # type: ignore[operator]
    years = _years(period_title)
    room = limit - len(years) - 3
    if len(name) > room:
        cut = name[: max(room - 1, 1)]
        if " " in cut[len(cut) // 2 :]:
            cut = cut.rsplit(" ", 1)[0]  # at a word's end
        name = cut.rstrip(" ,–-(") + "…"
    return f"{name} — {years}"


@functools.lru_cache(maxsize=64)
def _years(period_title: str) -> str:
    """ "Năm học 2023 - 2024" -> "2023-2024"."""
    return re.sub(r"\s*-\s*", "-", re.sub(r"^năm học\s+", "", period_title.strip(), flags=re.IGNORECASE))
