"""The parts every unit page has are written in Python (website/page_parts.py) instead of as Jinja
macros: they give what the macros gave, byte for byte, for every kind of argument, and escape
what they show as autoescape does. The macros below are those the templates used, as they were."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from types import SimpleNamespace

import pytest

from site_builder.website import page_parts, pages

HOSTILE = """<b>Q.1</b> & "x" 'y'"""

# The macros of _macros.html that page_parts.py replaced, unchanged.
MACROS = """
{% macro years(periods, current, links) -%}
<nav class="sb-years" aria-label="Chọn năm học"><span>Năm học:</span>
{%- for p in periods %}
{%- if p.id == current %} <strong aria-current="page">{{ p.title }}</strong>
{%- elif links.get(p.id) %} <a href="{{ links[p.id] }}">{{ p.title }}</a>
{%- endif %}
{%- endfor %}</nav>
{%- endmacro %}

{% macro provenance(p, b, changed="dữ liệu của đơn vị thay đổi (thứ hạng tính theo dữ liệu mới nhất của mọi đơn vị)") -%}
<aside class="sb-provenance" aria-label="Nguồn dữ liệu"><strong>Nguồn dữ liệu:</strong>
{% if p.commit %}phiên bản dữ liệu {% if p.commit_url %}<a href="{{ p.commit_url }}"><code>{{ p.commit[:10] }}</code></a>{{ demo_repo(p.demo) }}{% else %}<code>{{ p.commit[:10] }}</code>{% endif %} ({{ p.commit_date|moment }})
{%- else %}phiên bản dữ liệu không xác định ({{ p.history_note }}){% endif %};
{% if p.build_date %}trang tạo ngày {{ p.build_date|day }}{% else %}đó là lần gần nhất {{ changed }}{% endif %}. <a href="{{ b }}tai-du-lieu/">Tải dữ liệu</a> · <a href="{{ b }}phuong-phap/">Cách tính điểm</a></aside>
{%- endmacro %}

{% macro demo_repo(demo) -%}
{%- if demo %} <span class="sb-flag sb-demo-repo">(kho minh hoạ)</span>{% endif -%}
{%- endmacro %}

{% macro rank_cards(type_text, parent_name, ranks) -%}
{%- set rank_type, tied_type, count_type, rank_parent, tied_parent, count_parent = ranks -%}
<div class="sb-card"><span class="sb-card__label">Hạng trong loại {{ type_text }}</span><span class="sb-card__value" data-rank="type">{{ rank(rank_type, tied_type) }}</span><span class="sb-card__sub">/ {{ count_type }}</span></div>
<div class="sb-card"><span class="sb-card__label">Hạng trong {{ parent_name }} (cùng loại)</span><span class="sb-card__value" data-rank="parent">{{ rank(rank_parent, tied_parent) }}</span><span class="sb-card__sub">/ {{ count_parent }}</span></div>
{%- endmacro %}

{% macro rank(value, tied) -%}
{%- if value is none or value != value %}—{% else %}{{ value|int }}{% if tied > 1 %} <span class="sb-tie" title="{{ tied }} đơn vị cùng tỉ lệ điểm">(đồng hạng)</span>{% endif %}{% endif -%}
{%- endmacro %}
"""


@pytest.fixture(scope="module")
def macros():
    return pages.environment(lambda commit: "").from_string(MACROS).module


def period(pid: str, title: str):
    return SimpleNamespace(id=pid, title=title)


YEARS = [period("2023-2024", "Năm học 2023 - 2024"), period("2024-2025", HOSTILE), period("2025-2026", "2025–2026")]


@pytest.mark.parametrize("current", ["2023-2024", "2024-2025", "1999-2000"])
@pytest.mark.parametrize(
    "links", [{}, {"2023-2024": "../../2023-2024/", "2025-2026": "../?a=1&b=2"}, {"2024-2025": "", "2025-2026": "x"}]
)
def test_the_years_bar_is_the_macros(macros, current, links):
    assert str(page_parts.years_bar(YEARS, current, links)) == str(macros.years(YEARS, current, links))


SOURCES = [
    {"commit": "", "commit_url": "", "commit_date": None, "demo": False, "history_note": HOSTILE, "build_date": None},
    {
        "commit": "0123456789abcdef" * 2,
        "commit_url": "https://github.com/so/du-lieu/commit/0123?a=1&b=2",
        "commit_date": dt.datetime(2024, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        "demo": True,
        "history_note": "",
        "build_date": dt.datetime(2024, 6, 8, 10, 0),
    },
    {
        "commit": "<fedcba9876543210>",
        "commit_url": "",
        "commit_date": dt.datetime(2023, 12, 31, 23, 59),
        "demo": False,
        "history_note": "",
        "build_date": None,
    },
    {
        "commit": "abc",
        "commit_url": '"x"',
        "commit_date": None,
        "demo": False,
        "history_note": "",
        "build_date": dt.date(2024, 1, 2),
    },
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("b", ["", "../../../", '"&<'])
def test_the_data_source_note_is_the_macros(macros, source, b):
    assert str(page_parts.provenance(source, b)) == str(macros.provenance(source, b))
    assert str(page_parts.provenance(source, b, HOSTILE)) == str(macros.provenance(source, b, HOSTILE))


RANKS = [None, math.nan, 1.0, 12, 3.0]
TIES = [1, 2, 17]


def test_the_rank_cards_are_the_macros(macros):
    for rank_type, tied_type, rank_parent, tied_parent in itertools.product(RANKS, TIES, RANKS[:3], TIES[:2]):
        ranks = (rank_type, tied_type, 1500, rank_parent, tied_parent, 40)
        expected = str(macros.rank_cards("Trường THCS", HOSTILE, ranks))
        assert str(page_parts.rank_cards("Trường THCS", HOSTILE, ranks)) == expected
        assert str(page_parts.rank(rank_type, tied_type)) == str(macros.rank(rank_type, tied_type))


def test_what_they_show_is_escaped():
    html = str(page_parts.rank_cards(HOSTILE, HOSTILE, (2.0, 3, 9, None, 1, 4)))
    assert "<b>" not in html and "&lt;b&gt;Q.1&lt;/b&gt; &amp; &#34;x&#34; &#39;y&#39;" in html
    assert '(đồng hạng)</span></span><span class="sb-card__sub">/ 9</span>' in html
    assert 'href="&#34;x&#34;"' in str(page_parts.provenance(SOURCES[3], ""))
    assert str(page_parts.demo_repo(True)) == page_parts.DEMO_REPO and str(page_parts.demo_repo(False)) == ""
