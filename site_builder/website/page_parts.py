"""Parts of pages that every unit page has, written here instead of as Jinja macros: the school
years bar, the rank cards and the data source note.

A macro call costs Jinja ~15 µs before its body runs (a context, its arguments checked, a
Markup of its output); these parts take different arguments on each unit page, so they cannot be
rendered once and remembered (pages.py `once`). Sampled at 15,000 units, the four calls a page
made were 1.2 of the 9.3 s its template took; the pages step measured 0.35 CPU-s less after.
They give what the macros gave, byte for byte (tests/test_page_parts.py renders both), and
escape what they show as autoescape does.
"""

from __future__ import annotations

from jinja2.filters import do_int
from markupsafe import Markup, escape

from site_builder.website.text import day, moment

DEMO_REPO = ' <span class="sb-flag sb-demo-repo">(kho minh hoạ)</span>'
LATEST_CHANGE = "dữ liệu của đơn vị thay đổi (thứ hạng tính theo dữ liệu mới nhất của mọi đơn vị)"


def demo_repo(demo) -> Markup:
    """After a link into the organisation's repository: in demonstration data it is made up."""
    return Markup(DEMO_REPO if demo else "")


def years_bar(periods, current: str, links: dict) -> Markup:
    """The school years: the current one named, the others linked where the page has them."""
    parts = ['<nav class="sb-years" aria-label="Chọn năm học"><span>Năm học:</span>']
    for p in periods:
        if p.id == current:
            parts.append(f' <strong aria-current="page">{escape(p.title)}</strong>')
        elif links.get(p.id):
            parts.append(f' <a href="{escape(links[p.id])}">{escape(p.title)}</a>')
    parts.append("</nav>")
    return Markup("".join(parts))


def provenance(p: dict, b: str, changed: str = LATEST_CHANGE) -> Markup:
    """Where the page's data comes from: the data version (a commit, linked when the repository
    is known), and the build date, or, on a page that names its own version, what dates it
    (`changed`)."""
    if p["commit"]:
        code = f"<code>{escape(p['commit'][:10])}</code>"
        if p["commit_url"]:
            code = f'<a href="{escape(p["commit_url"])}">{code}</a>{demo_repo(p["demo"])}'
        version = f"phiên bản dữ liệu {code} ({escape(moment(p['commit_date']))})"
    else:
        version = f"phiên bản dữ liệu không xác định ({escape(p['history_note'])})"
    if p["build_date"]:
        when = f"trang tạo ngày {escape(day(p['build_date']))}"
    else:
        when = f"đó là lần gần nhất {escape(changed)}"
    return Markup(
        '<aside class="sb-provenance" aria-label="Nguồn dữ liệu"><strong>Nguồn dữ liệu:</strong>\n'
        f"{version};\n{when}. "
        f'<a href="{escape(b)}tai-du-lieu/">Tải dữ liệu</a> · <a href="{escape(b)}phuong-phap/">Cách tính điểm</a></aside>'
    )


def rank(value, tied) -> Markup:
    """A rank ("—" when there is none), and a tie mark when other units share it."""
    if value is None or value != value:
        return Markup("—")
    tie = f' <span class="sb-tie" title="{escape(tied)} đơn vị cùng tỉ lệ điểm">(đồng hạng)</span>' if tied > 1 else ""
    return Markup(f"{do_int(value)}{tie}")


def rank_cards(type_text: str, parent_name: str, ranks: tuple) -> Markup:
    """A unit's two rank cards (`UnitFact.ranks`). Apart from them a unit page shows nothing of
    other units: when only its ranks move, unit_pages.py puts these cards, made for the new ranks,
    in place of the old."""
    rank_type, tied_type, count_type, rank_parent, tied_parent, count_parent = ranks
    return Markup(
        f'<div class="sb-card"><span class="sb-card__label">Hạng trong loại {escape(type_text)}</span>'
        f'<span class="sb-card__value" data-rank="type">{rank(rank_type, tied_type)}</span>'
        f'<span class="sb-card__sub">/ {escape(count_type)}</span></div>\n'
        f'<div class="sb-card"><span class="sb-card__label">Hạng trong {escape(parent_name)} (cùng loại)</span>'
        f'<span class="sb-card__value" data-rank="parent">{rank(rank_parent, tied_parent)}</span>'
        f'<span class="sb-card__sub">/ {escape(count_parent)}</span></div>'
    )
