"""The site at 375 px, on the test site and on the demo site: every row of an area's listing, of the
rankings, of the comparison, of the home page's leaders and of a reviewing body's page shows its
percentage and its rating inside the screen, without scrolling sideways; the cards are still a
table for screen readers; chart text stays readable; the listing's anchor lands on its table; and
the paper sheets («Bản in») print on A4 with their totals, rating and signatures."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest

from site_builder.website.downloads import read_json
from tests.browser import audit

pytestmark = pytest.mark.browser
PHONE = 375
PERIOD = audit.PERIOD

# For each row of the tables matched by `selector`: the boxes of its percentage and rating cells.
BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map((row) => {
  const box = (cls) => { const cell = row.querySelector(cls); if (!cell) return null;
    const r = cell.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width, height: r.height,
      text: cell.textContent.trim()}; };
  const heads = Array.from(row.closest('table').querySelectorAll('thead th')).map((th) => th.textContent.trim());
  return {row: row.getAttribute('data-unit') || row.getAttribute('data-body') || row.textContent.trim().slice(0, 40),
          pct: box('.sb-pct'), rating: box('.sb-rating'), rated: heads.some((h) => h.startsWith('Xếp loại'))};
})"""


def phone(open_page):
    return open_page(width=PHONE, is_mobile=True, has_touch=True)


def assert_rows_in_view(page, selector: str, least: int = 1) -> int:
    """Every row's percentage and rating cells (where its table has a rating column) lie inside the
    375 px screen; returns the row count."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, page.url
    rows = page.evaluate(BOXES, selector)
    assert len(rows) >= least, (page.url, selector, rows)
    for row in rows:
        for name in ("pct", "rating") if row["rated"] else ("pct",):
            box = row[name]
            assert box is not None, (page.url, row["row"], name)
            assert box["width"] > 0 and box["height"] > 0, (page.url, row["row"], name, box)
            assert 0 <= box["left"] and box["right"] <= PHONE, (page.url, row["row"], name, box)
            assert box["text"], (page.url, row["row"], name)
    return len(rows)


def areas(page) -> list[str]:
    return [
        v
        for v in page.locator('select[data-filter="district"] option').evaluate_all(
            "options => options.map((o) => o.value)"
        )
        if v
    ]


def check_listing(page, base: str, path: str = "cong-khai/") -> int:
    page.goto(base + path)
    seen = 0
    for slug in areas(page):
        page.select_option('select[data-filter="district"]', slug)
        page.wait_for_function(
            "(slug) => location.hash === '#' + slug && document.querySelector('[data-listing-table] tbody tr')",
            arg=slug,
        )
        page.wait_for_function("() => !document.querySelector('[data-listing-status]').textContent.startsWith('Đang')")
        total = int(
            page.locator(f'select[data-filter="district"] option[value="{slug}"]')
            .inner_text()
            .rsplit("(", 1)[1]
            .rstrip(")")
        )
        assert page.locator("[data-listing-table] tbody tr").count() == total, slug
        seen += assert_rows_in_view(page, "[data-listing-table] tbody tr", least=total)
    return seen


# --- the test site ------------------------------------------------------------------------------


def test_listing_rows_fit_a_phone(open_page, base_url):
    page = phone(open_page)
    assert check_listing(page, base_url) >= 5
    page.select_option('select[data-filter="district"]', "quan-1")
    row = page.locator('[data-listing-table] tr[data-unit="thcs-demo-a"]')
    row.wait_for()
    assert row.locator(".sb-total").inner_text().endswith("/100") and row.locator(".sb-pct").inner_text().endswith("%")
    assert row.bounding_box()["height"] < 250  # evidence as a count, not a column of links
    assert row.get_by_role("link", name="1 tệp, 2 liên kết").count() == 1
    assert "(1 liên kết hỏng)" in row.inner_text()
    assert page.errors == []


@pytest.mark.parametrize(
    "path,selector",
    [
        ("xep-hang/", ".sb-ranking tbody tr"),
        ("", ".sb-ranking tbody tr"),
        (f"{PERIOD}/quan-ly/pgd-quan-1/", ".sb-units tbody tr"),
        ("so-sanh/", ".sb-offices tbody tr[data-body]"),
    ],
)
def test_table_rows_fit_a_phone(open_page, base_url, path, selector):
    page = phone(open_page)
    assert page.goto(base_url + path).ok
    assert_rows_in_view(page, selector, least=1)
    assert page.errors == []


def test_a_units_scores_fit_a_phone(open_page, base_url):
    """Criterion, maximum, self-score, reviewer score and final score without sideways scrolling;
    the evidence and the note under them."""
    page = phone(open_page)
    page.goto(base_url + f"{PERIOD}/don-vi/thcs-demo-a/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    row = page.locator('tr[data-criterion="1.5"]')
    cells = row.locator("td")
    for index in range(5):
        box = cells.nth(index).bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE, index
    scores = [cells.nth(i).bounding_box() for i in range(1, 5)]
    assert max(b["y"] for b in scores) - min(b["y"] for b in scores) < 30  # the four scores on one line
    assert cells.nth(5).bounding_box()["y"] > scores[0]["y"]  # evidence and notes below
    labels = [cells.nth(i).evaluate("(c) => getComputedStyle(c, '::before').content") for i in range(1, 5)]
    assert ["Tối đa" in labels[0], "Tự chấm" in labels[1], "Chấm" in labels[2], "Cuối cùng" in labels[3]] == [
        True
    ] * 4, labels
    assert cells.nth(4).inner_text().strip().startswith("7,5")


def test_cards_are_still_a_table_for_screen_readers(open_page, base_url):
    """Chromium's own accessibility tree at 375 px: the ranking table keeps its table, rows, column
    headers and cells although its rows are drawn as cards."""
    page = phone(open_page)
    page.goto(base_url + "xep-hang/")
    client = page.context.new_cdp_session(page)
    nodes = client.send("Accessibility.getFullAXTree")["nodes"]
    roles = Counter(n.get("role", {}).get("value") for n in nodes if not n.get("ignored"))
    rows = page.locator(".sb-ranking tr").count()
    headers = page.locator(".sb-ranking thead th").count()
    assert roles["table"] >= page.locator(".sb-ranking table").count() >= 1, roles
    assert roles["row"] >= rows and roles["columnheader"] >= headers >= 7, roles
    assert roles["cell"] >= page.locator(".sb-ranking tbody td").count(), roles


def test_chart_text_is_readable_on_a_phone(open_page, base_url):
    for path in ("", "so-sanh/", f"{PERIOD}/don-vi/thcs-demo-a/"):
        page = phone(open_page)
        page.goto(base_url + path)
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.sb-bars li > span'))
            .map((s) => ({size: parseFloat(getComputedStyle(s).fontSize), right: s.getBoundingClientRect().right}))""")
        assert sizes, path
        assert min(s["size"] for s in sizes) >= 12, (path, sizes)
        assert max(s["right"] for s in sizes) <= PHONE, (path, sizes)


def test_listing_anchor_lands_on_the_table(open_page, base_url):
    page = phone(open_page)
    page.goto(base_url + "cong-khai/#quan-1")
    page.wait_for_selector("[data-listing-table] tbody tr")
    page.wait_for_function(
        "() => { const t = document.querySelector('[data-listing-table] table'); "
        "const r = t.getBoundingClientRect(); return r.top >= 0 && r.top < 250; }"
    )
    assert page.evaluate("window.scrollY") > 0


def test_print_link_shows_the_sheet(open_page, base_url):
    page = phone(open_page)
    page.goto(base_url + f"{PERIOD}/don-vi/thcs-demo-a/")
    assert not page.locator("#ban-in").is_visible()
    page.get_by_role("link", name="Bản in").click()
    page.wait_for_url("**#ban-in")
    assert page.locator("#ban-in").is_visible() and page.locator(".sb-signatures").is_visible()
    assert not page.locator("#nop-bai").is_visible() and page.locator("#tieu-chi").is_visible()
    assert page.locator("#ban-in button[data-print]").is_visible()  # the script offers «In»
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.get_by_role("link", name="Trở lại trang đơn vị").click()
    assert page.locator("#nop-bai").is_visible() and not page.locator("#ban-in").is_visible()


def pdf_of(page, url: str) -> tuple[int, str]:
    from pypdf import PdfReader

    page.goto(url)
    page.wait_for_load_state("load")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_schools_sheet_prints_on_two_a4_pages(chromium, base_url, browser_site):
    document = read_json(browser_site, PERIOD)
    unit = next(u for u in document["units"] if u["id"] == "thcs-demo-a")
    page = chromium.new_page()
    count, text = pdf_of(page, base_url + f"{PERIOD}/don-vi/thcs-demo-a/")
    page.close()
    text = flat(text)
    assert count <= 2, count
    total = f"{unit['total']:g}".replace(".", ",") + "/" + f"{unit['max_total']:g}"
    assert total in text and unit["rating"] in text, text[:600]
    assert "Người lập" in text and "Thủ trưởng đơn vị" in text and "ngày" in text
    assert unit["file_sha256"][:16] in text.replace(" ", "")
    assert "pgd-q1-reviewer" in text and "12/06/2024" in text  # reviewer and date
    for criterion in unit["criteria"]:
        assert re.search(rf"(^| ){re.escape(criterion['id'])} ", text), criterion["id"]
    assert "ke-hoach-cntt.pdf" in text  # evidence names
    assert "Tệp minh chứng" not in text and "Nguồn dữ liệu" not in text  # the rest of the page stays off paper


def test_a_bodys_results_print(chromium, base_url):
    page = chromium.new_page()
    count, text = pdf_of(page, base_url + f"{PERIOD}/quan-ly/pgd-quan-1/")
    page.close()
    text = flat(text)
    assert count <= 2
    assert "Kết quả đánh giá" in text and "Người lập" in text and "Thủ trưởng đơn vị" in text
    assert "Trường THCS Tân Định" in text and "Chưa nộp" in text


# --- the demo site ------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_listing_rows_fit_a_phone(open_page, demo_url):
    page = phone(open_page)
    assert check_listing(page, demo_url) > 40


@pytest.mark.slow
def test_demo_tables_fit_a_phone(open_page, demo_url, demo_site):
    page = phone(open_page)
    counted = Counter()
    for path, selector in (
        ("xep-hang/", ".sb-ranking tbody tr"),
        ("", ".sb-ranking tbody tr"),
        ("so-sanh/", ".sb-offices tbody tr[data-body]"),
        (f"{PERIOD}/so-sanh/", ".sb-offices tbody tr[data-body]"),
        (f"{PERIOD}/xep-hang/", ".sb-ranking tbody tr"),
    ):
        assert page.goto(demo_url + path).ok, path
        counted[path] = assert_rows_in_view(page, selector, least=5)
    bodies = sorted(p.parent.name for p in (demo_site / "2025-2026/quan-ly").glob("*/index.html"))
    assert len(bodies) > 5
    for path in [f"2025-2026/quan-ly/{body}/" for body in bodies] + [f"{PERIOD}/quan-ly/pgd-quan-1/"]:
        assert page.goto(demo_url + path).ok, path
        counted[path] = assert_rows_in_view(page, ".sb-units tbody tr", least=1)
    assert counted["xep-hang/"] > 30


@pytest.mark.slow
def test_demo_sheets_print_on_two_a4_pages(chromium, demo_url, demo_site):
    """The three largest unit pages of each year (the most criteria text, evidence and notes)."""
    page = chromium.new_page()
    for year in ("2023-2024", "2025-2026"):
        files = sorted((demo_site / year / "don-vi").glob("*/index.html"), key=lambda f: -f.stat().st_size)[:3]
        for file in files:
            count, text = pdf_of(page, demo_url + f"{year}/don-vi/{file.parent.name}/")
            assert count <= 2, (file, count)
            assert "Tổng điểm" in text and "Xếp loại" in text and "Người lập" in flat(text), file
    page.close()
