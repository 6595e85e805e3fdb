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


@pytest.mark.parametrize("name", ["unit", "rankings", "listing", "district"])
def test_wide_tables_are_keyboard_scrollable_regions(open_page, base_url, name):
    page = open_page(width=375)
    audit.open_audited(page, base_url, PAGES[name])
    boxes = page.evaluate(WIDE)
    wide = [b for b in boxes if b["wide"]]
    assert wide, "a phone is narrower than these tables"
    for box in boxes:
        if box["wide"]:
            assert box["tabindex"] == "0" and box["role"] == "region" and box["label"].startswith("Bảng"), box
        else:
            assert box["tabindex"] is None, box  # no tab stop where there is nothing to scroll
    region = page.locator(".md-typeset__scrollwrap[data-sb-scroll]").first
    region.focus()
    before = region.evaluate("box => box.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("box => box.scrollLeft") > before


def test_tables_that_fit_are_not_tab_stops_and_resizing_updates(open_page, base_url):
    page = open_page(width=1280)
    audit.open_audited(page, base_url, PAGES["rankings"])
    boxes = page.evaluate(WIDE)
    assert boxes and not any(b["wide"] for b in boxes)
    assert all(b["tabindex"] is None for b in boxes)
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_selector(".md-typeset__scrollwrap[data-sb-scroll]", state="attached")
    assert any(b["tabindex"] == "0" for b in page.evaluate(WIDE))


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
