"""One built site, one local HTTP server and one headless Chromium for all browser tests."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from site_builder.website.build import build_site
from tests.browser.audit import CHROMIUM, CHROMIUM_ARGS
from tests.test_site_build import make_site_repo


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser_site(tmp_path_factory):
    root = make_site_repo(tmp_path_factory.mktemp("browser-data"))
    out = tmp_path_factory.mktemp("browser-out") / "site"
    build_site(root, out)
    return out


@pytest.fixture(scope="session")
def base_url(browser_site):
    handler = functools.partial(_Quiet, directory=str(browser_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The demo site as `make demo` builds it: the replayed, signed history of three school years."""
    from tests.demo_repo import replayed_demo

    repo = replayed_demo(tmp_path_factory)
    out = tmp_path_factory.mktemp("demo-browser") / "site"
    build_site(repo, out)
    return out


@pytest.fixture(scope="session")
def demo_url(demo_site):
    handler = functools.partial(_Quiet, directory=str(demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium):
    contexts = []

    def make(width: int = 1280, **options):
        context = chromium.new_context(viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        return page

    yield make
    for context in contexts:
        context.close()
