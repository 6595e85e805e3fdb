"""The built site in headless Chromium: navigation, the listing's filters, search with and without
diacritics, downloads, the phone layout, and submission text that must stay text."""

from __future__ import annotations

import pytest

from tests.test_site_build import PERIOD, TAN_DINH

pytestmark = pytest.mark.browser


def test_home_shows_the_year_at_a_glance(open_page, base_url):
    page = open_page()
    page.goto(base_url)
    assert "Năm học 2023 - 2024" in page.title()
    assert page.locator('[data-count="submitted"]').inner_text() == "2"
    assert page.locator("figure.sb-chart li").count() >= 1
    assert "Dữ liệu minh hoạ" in page.locator(".sb-demo").inner_text()
    page.get_by_role("link", name="Năm học 2020 - 2021").first.click()
    page.wait_for_url("**/2020-2021/")
    assert "2020 - 2021" in page.locator("h1").inner_text()
    assert page.errors == []


def test_unit_page_shows_scores_and_status(open_page, base_url):
    page = open_page()
    page.goto(base_url + f"{PERIOD}/don-vi/thcs-tan-dinh/")
    assert page.locator("h1").inner_text().startswith(TAN_DINH)
    assert page.locator(".sb-status.sb-late").first.inner_text() == "Trễ hạn (hạn đề xuất)"
    assert page.locator('tr[data-criterion="1.5"] td').nth(4).inner_text().strip() == "7,5"
    page.get_by_role("link", name="ke-hoach-cntt.pdf").first.click()
    page.wait_for_url("**/ke-hoach-cntt.pdf")
    assert page.errors == []


def test_listing_filters_by_district_and_type(open_page, base_url):
    page = open_page()
    page.goto(base_url + "cong-khai/")
    assert page.locator("[data-listing-table] tr").count() == 0  # nothing fetched before a choice
    page.select_option('select[data-filter="district"]', "quan-1")
    page.wait_for_selector('[data-listing-table] tr[data-unit="thcs-demo-b"]')
    rows = page.locator("[data-listing-table] tbody tr")
    assert rows.count() == 5
    assert "Chưa nộp" in page.locator('[data-listing-table] tr[data-unit="thcs-demo-b"]').inner_text()
    assert "Trễ hạn" in page.locator('[data-listing-table] tr[data-unit="thcs-tan-dinh"]').inner_text()
    page.select_option('select[data-filter="type"]', "phong-gddt")
    assert rows.count() == 1
    assert page.locator('[data-listing-table] tr[data-unit="pgd-quan-1"]').count() == 1
    page.select_option('select[data-filter="type"]', "")
    page.locator('th[data-sort="total"]').click()
    first = page.locator("[data-listing-table] tbody tr").first.get_attribute("data-unit")
    assert first == "thcs-demo-a"  # highest total first (97,5 against 97,5 for Tân Định: name order)
    assert page.errors == []


def test_district_page(open_page, base_url):
    page = open_page()
    page.goto(base_url + "so-sanh/")
    page.get_by_role("link", name="Phòng Giáo dục và Đào tạo Quận 1").first.click()
    page.wait_for_url(f"**/{PERIOD}/quan-ly/pgd-quan-1/")
    assert "đơn vị =" in page.locator("[data-derived]").inner_text()
    assert page.locator('tr[data-unit="thcs-demo-b"]').count() == 1
    assert page.errors == []


def test_download_link(open_page, base_url):
    page = open_page(accept_downloads=True)
    page.goto(base_url + "tai-du-lieu/")
    with page.expect_download() as info:
        page.locator(f'tr[data-period="{PERIOD}"] a', has_text="CSV đơn vị").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and "Trường THCS Tân Định".encode() in data


@pytest.mark.parametrize("typed", ["Tân Định", "tan dinh", "TAN ĐINH", "tân dinh"])
def test_search_with_and_without_diacritics(open_page, base_url, typed):
    page = open_page()
    page.goto(base_url + "tim-kiem/")
    page.fill("#sb-search-input", typed)
    page.wait_for_selector("[data-search-results] li")
    results = page.locator("[data-search-results] li")
    assert TAN_DINH in results.first.inner_text()
    results.first.locator("a").click()
    page.wait_for_url(f"**/{PERIOD}/don-vi/thcs-tan-dinh/")


def test_search_box_on_home(open_page, base_url):
    page = open_page()
    page.goto(base_url)
    page.fill("#sb-q", "tan dinh")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-search-results] li")
    assert TAN_DINH in page.locator("[data-search-results]").inner_text()


@pytest.mark.parametrize(
    "url",
    [
        f"{PERIOD}/don-vi/thcs-demo-a/",
        f"{PERIOD}/don-vi/pgd-quan-1/",
        "",
        "cong-khai/",
        f"{PERIOD}/quan-ly/pgd-quan-1/",
        "tieu-chi/",
        "so-sanh/",
        "xep-hang/",
    ],
)
def test_no_horizontal_scroll_on_a_phone(open_page, base_url, url):
    page = open_page(width=375)
    assert page.goto(base_url + url).ok, url  # a missing page would pass the width check
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_submission_html_stays_text(open_page, base_url):
    page = open_page()
    page.goto(base_url + f"{PERIOD}/don-vi/thcs-demo-a/")
    row = page.locator('tr[data-criterion="1.1"]').inner_text()
    assert "<script>alert('xss')</script>" in row and "<b>đậm</b>" in row
    assert "<img src=x onerror=alert(1)>" in page.locator('tr[data-criterion="1.5"]').inner_text()
    assert page.locator("article script").count() == 0 and page.locator("article img").count() == 0
    assert page.errors == []  # no alert() dialog, no script error


def test_new_file_link_carries_the_template(open_page, base_url):
    page = open_page()
    seen = []
    page.route(
        "https://github.com/**", lambda route: (seen.append(route.request.url), route.fulfill(status=200, body="ok"))
    )
    page.goto(base_url + f"{PERIOD}/don-vi/thcs-demo-b/")
    page.get_by_role("link", name="Nộp bài tự đánh giá").click()
    page.wait_for_url("https://github.com/**")
    assert seen and "filename=thcs-demo-b.yaml" in seen[0] and "&value=" in seen[0]
    assert "don_vi%3A%20thcs-demo-b" in seen[0]


def test_listing_offers_submit_and_edit_links(open_page, base_url):
    page = open_page()
    seen = []
    page.route(
        "https://github.com/**", lambda route: (seen.append(route.request.url), route.fulfill(status=200, body="ok"))
    )
    page.goto(base_url + "cong-khai/")
    page.select_option('select[data-filter="district"]', "quan-1")
    page.wait_for_selector('[data-listing-table] tr[data-unit="thcs-demo-b"]')
    edit = page.locator('[data-listing-table] tr[data-unit="thcs-demo-a"]').get_by_role("link", name="Sửa")
    assert edit.get_attribute("href").endswith(f"/edit/main/submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml")
    page.locator('[data-listing-table] tr[data-unit="thcs-demo-b"]').get_by_role("link", name="Nộp bài").click()
    page.wait_for_url("https://github.com/**")
    assert seen and f"/new/main/submissions/{PERIOD}/pgd-quan-1?filename=thcs-demo-b.yaml" in seen[0]
    assert "don_vi%3A%20thcs-demo-b" in seen[0]  # the unit's template came along
