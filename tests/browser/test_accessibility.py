"""Accessibility of the built site in headless Chromium: axe-core on every kind of page at phone and
desktop width, and the behaviour behind some of its rules that axe cannot see by itself (keyboard
scrolling of wide tables, sorting the listing from the keyboard, the Vietnamese footer, paper).

axe-core runs every rule it has (WCAG 2.x A/AA and best practices); violations of impact "serious"
or "critical" fail. Every violation found on a page is collected before the assertion, so one run
shows them all.
"""

from __future__ import annotations

import pytest

from tests.browser import audit

pytestmark = pytest.mark.browser

# Serious/critical violations caused by files outside the site's theme layer (the page templates,
# pages.py, build.py), which another change rewrites: (page, width or None for both, axe rule) ->
# what has to change. Listed pages are expected to fail with exactly these rules (xfail); an entry
# that no longer fails makes its test fail, so that the list only shrinks and ends empty.
# Nothing is listed: every serious/critical violation found so far was fixed in site.css, site.js
# or overrides/main.html.
KNOWN_FAILURES: dict[tuple[str, int | None, str], str] = {}

PAGES = {**audit.PAGES, **audit.MORE_PAGES}


@pytest.mark.parametrize("width", audit.WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(open_page, base_url, name, width):
    page = open_page(width=width)
    audit.open_audited(page, base_url, PAGES[name])
    found = audit.axe(page)
    serious = audit.blocking(found)
    known = {rule: why for (where, at, rule), why in KNOWN_FAILURES.items() if where == name and at in (None, width)}
    unexpected = [v for v in serious if v["rule"] not in known]
    assert not unexpected, f"{name} at {width} px:\n{audit.describe(unexpected)}"
    fixed = sorted(set(known) - {v["rule"] for v in serious})
    assert not fixed, f"{name} at {width} px: {fixed} no longer fail; remove them from KNOWN_FAILURES"
    assert page.errors == []
    if known:
        pytest.xfail("; ".join(f"{rule}: {why}" for rule, why in known.items()))


def test_axe_reports_a_violation(open_page, base_url):
    """The check above can fail: a link with no text and low-contrast text are found."""
    page = open_page()
    page.goto(base_url + "gioi-thieu/")
    page.evaluate("""() => {
        const p = document.querySelector('article p');
        p.insertAdjacentHTML('beforeend', '<a href="x"></a><span style="color:#bbb">mờ</span>');
    }""")
    rules = {v["rule"] for v in audit.blocking(audit.axe(page))}
    assert {"link-name", "color-contrast"} <= rules


WIDE = """() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap')).map((box) => ({
    wide: box.scrollWidth > box.clientWidth + 1, tabindex: box.getAttribute('tabindex'),
    role: box.getAttribute('role'), label: box.getAttribute('aria-label') || ''}))"""


@pytest.mark.parametrize("name", ["unit", "rankings", "listing", "district", "guide"])
def test_wide_tables_and_only_those_are_named_tab_stops(open_page, base_url, name):
    page = open_page(width=375)
    audit.open_audited(page, base_url, PAGES[name])
    for box in page.evaluate(WIDE):
        if box["wide"]:
            assert box["tabindex"] == "0" and box["role"] == "region" and box["label"].startswith("Bảng"), box
        else:
            assert box["tabindex"] is None, box  # no tab stop where there is nothing to scroll


def test_a_wide_table_scrolls_with_the_arrow_keys(open_page, base_url):
    """Independent of how wide the generated tables are: a table wider than the phone, added to a
    page, becomes a named region once the width is checked again, and the arrow keys scroll it."""
    page = open_page(width=375)
    audit.open_audited(page, base_url, PAGES["about"])
    page.evaluate("""() => {
        document.querySelector('article h2').insertAdjacentHTML('afterend',
          '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table><thead><tr>' +
          '<th>Đơn vị</th><th>Tổng điểm</th></tr></thead><tbody><tr><td style="min-width:1500px">a</td>' +
          '<td>1</td></tr></tbody></table></div></div>');
        window.dispatchEvent(new Event('resize'));
    }""")
    region = page.locator("article .md-typeset__scrollwrap[data-sb-scroll]").first
    region.wait_for(state="attached")
    heading = page.locator("article h2").first.inner_text().strip()
    assert region.get_attribute("aria-label") == f"Bảng «{heading}», cuộn ngang để xem các cột khác"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())


def test_tab_stop_follows_the_width(open_page, base_url):
    """A table that fits at desktop width is no tab stop; on a phone it is; back on the desktop the
    tab stop goes again."""
    page = open_page(width=1280)
    audit.open_audited(page, base_url, PAGES["about"])
    page.evaluate("""() => document.querySelector('article h2').insertAdjacentHTML('afterend',
        '<div class="md-typeset__scrollwrap" id="t"><div class="md-typeset__table"><table><tbody><tr>' +
        '<td style="min-width:600px">a</td><td>1</td></tr></tbody></table></div></div>')""")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    table = page.locator("#t")
    page.wait_for_timeout(200)
    assert table.get_attribute("tabindex") is None
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_selector("#t[data-sb-scroll]", state="attached")
    assert table.get_attribute("tabindex") == "0" and table.get_attribute("role") == "region"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_selector("#t:not([data-sb-scroll])", state="attached")
    assert table.get_attribute("tabindex") is None and table.get_attribute("role") is None


def test_listing_sorts_from_the_keyboard(open_page, base_url):
    page = open_page(width=1280)
    audit.open_audited(page, base_url, PAGES["listing"])
    sorted_by = "[data-listing-table] th[aria-sort]"
    assert page.locator(sorted_by).count() == 1
    assert page.locator(sorted_by).get_attribute("data-sort") == "name"
    assert page.locator(sorted_by).get_attribute("aria-sort") == "ascending"
    page.locator('select[data-filter="status"]').focus()
    for _ in range(3):  # the table's scroll region (when it overflows), then the first column's button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('th[data-sort] button')"):
            break
    assert page.evaluate("document.activeElement.closest('th').dataset.sort") == "name"
    total = page.locator('th[data-sort="total"] button')
    total.focus()
    page.keyboard.press("Enter")
    assert page.locator(sorted_by).get_attribute("data-sort") == "total"
    assert page.locator(sorted_by).get_attribute("aria-sort") == "descending"
    assert page.locator("[data-listing-table] tbody tr").first.get_attribute("data-unit") == "thcs-demo-a"
    assert page.evaluate("document.activeElement.closest('th').dataset.sort") == "total"  # focus kept
    page.keyboard.press(" ")
    assert page.locator(sorted_by).get_attribute("aria-sort") == "ascending"
    assert page.locator('th[data-sort="total"] button').inner_text().startswith("Tổng điểm")
    assert page.locator("[data-listing-status]").get_attribute("aria-live") == "polite"
    assert page.errors == []


@pytest.mark.parametrize("name", ["home", "unit", "guide"])
def test_footer_speaks_vietnamese(open_page, base_url, name):
    page = open_page(width=375)
    audit.open_audited(page, base_url, PAGES[name])
    footer = page.locator("footer.md-footer").inner_text()
    assert "Trang được tạo bằng" in footer and "Material for MkDocs" in footer
    assert "dữ liệu minh hoạ" in footer  # the test data is marked demo
    assert "Made with" not in page.locator("body").inner_text()


def test_printed_page_keeps_the_demo_notice_and_whole_tables(open_page, base_url):
    page = open_page(width=794)  # A4 portrait at 96 dpi
    audit.open_audited(page, base_url, PAGES["unit"])
    page.emulate_media(media="print")
    assert page.locator(".sb-demo").is_visible()
    assert not page.locator(".md-header").is_visible() and not page.locator(".md-sidebar--primary").is_visible()
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap'))
        .filter((box) => box.scrollWidth > box.clientWidth + 1).length""")
    assert cut == 0, "a table is wider than the paper"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
