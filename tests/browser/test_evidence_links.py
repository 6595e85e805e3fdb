"""Evidence whose name has URL-special characters opens from every page that links it: the unit
page (links made by the template), reached from the listing's evidence count (made by site.js)."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from site_builder.website.build import build_site
from tests.browser.conftest import _Quiet
from tests.datarepo import dump, make_repo, pdf_bytes, school_submission, write

pytestmark = pytest.mark.browser

PERIOD = "2023-2024"
NAMES = ["a#b.pdf", "kế hoạch 100%.pdf", "x?y=1&z.pdf"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("links-data"))
    folder = root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a"
    submission = school_submission("thcs-demo-a", PERIOD)
    for name in NAMES:
        write(folder / name, pdf_bytes(name))
    submission["tieu_chi"]["1.2"]["minh_chung"] = NAMES
    write(root / f"submissions/{PERIOD}/pgd-quan-1/thcs-demo-a.yaml", dump(submission))
    out = tmp_path_factory.mktemp("links-out") / "site"
    build_site(root, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _opens(page, link) -> bool:
    response = page.request.get(link.evaluate("a => a.href"))
    return response.status == 200 and response.body().startswith(b"%PDF-")


def test_listing_counts_evidence_and_links_to_the_files(open_page, site_url):
    """The listing shows how much evidence a unit has; its link leads to the unit's criteria, whose
    links open every file."""
    page = open_page()
    page.goto(site_url + "cong-khai/")
    page.select_option('select[data-filter="district"]', "quan-1")
    page.wait_for_selector('[data-listing-table] tr[data-unit="thcs-demo-a"]')
    row = page.locator('[data-listing-table] tr[data-unit="thcs-demo-a"]')
    link = row.get_by_role("link", name=re.compile(r"^\d+ tệp"))
    assert int(link.inner_text().split()[0]) >= len(NAMES)
    link.click()
    page.wait_for_url(f"**/{PERIOD}/don-vi/thcs-demo-a/#tieu-chi")
    for name in NAMES:
        assert _opens(page, page.get_by_role("link", name=name, exact=True).first), name
    assert page.errors == []


def test_unit_page_links_open_the_same_files(open_page, site_url):
    page = open_page()
    page.goto(site_url + f"{PERIOD}/don-vi/thcs-demo-a/")
    for name in NAMES:
        assert _opens(page, page.get_by_role("link", name=name, exact=True).first), name
    assert page.errors == []
