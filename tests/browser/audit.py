"""Shared by the accessibility tests and the audit scripts: the pages audited, a local HTTP server
(optionally gzip, as GitHub Pages serves text), axe-core in a Playwright page, and html-validate.

Nothing here asserts: tests/browser/test_accessibility.py and tests/test_html_validate.py decide
what fails, benchmarks/audit.py prints the same numbers for any built site.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (375, 1280)
BLOCKING = ("serious", "critical")  # axe impacts that fail the build
HTML_VALIDATE = PROJECT / "node_modules" / ".bin" / "html-validate"
HTML_VALIDATE_CONFIG = PROJECT / ".htmlvalidate.cjs"

# The audited pages of a site built from tests/test_site_build.make_site_repo (period 2023-2024).
# A value is a path, with "#district" when the listing must first load a district's table.
PERIOD = "2023-2024"
PAGES = {
    "home": "",
    "listing": "cong-khai/#quan-1",
    "districts": "so-sanh/",
    "district": f"{PERIOD}/quan-ly/pgd-quan-1/",
    "rankings": "xep-hang/",
    "unit": f"{PERIOD}/don-vi/thcs-demo-a/",
    "guide": "huong-dan/don-vi/",
    "downloads": "tai-du-lieu/",
}
# More states of the same templates, checked by the tests too.
MORE_PAGES = {
    "listing-empty": "cong-khai/",
    "unit-missing": f"{PERIOD}/don-vi/thcs-demo-b/",
    "unit-office": f"{PERIOD}/don-vi/pgd-quan-1/",
    "search": "tim-kiem/?q=tan+dinh",
    "criteria": "tieu-chi/",
    "guide-reviewer": "huong-dan/nguoi-cham/",
    "about": "gioi-thieu/",
    "method": "phuong-phap/",
    "unit-print": f"{PERIOD}/don-vi/thcs-demo-a/#ban-in",  # «Bản in»: the page as its paper sheet
    "district-print": f"{PERIOD}/quan-ly/pgd-quan-1/#ban-in",
}


def demo_pages() -> dict[str, str]:
    """The same kinds of page in the demo site built by `make demo` (its newest year, 2025-2026,
    is organised by ward: a ward's listing, a ward office's page), plus a district office's page
    of 2023-2024, and the «Bản in» sheets of both."""
    return {
        **PAGES,
        "listing": "cong-khai/#phuong-tan-dinh",
        "district": "2025-2026/quan-ly/vhxh-phuong-tan-dinh/",
        "office": f"{PERIOD}/quan-ly/pgd-quan-1/",
        "unit": "2025-2026/don-vi/thcs-demo-tan-dinh/",
        "unit-print": "2025-2026/don-vi/thcs-demo-tan-dinh/#ban-in",
        "office-print": f"{PERIOD}/quan-ly/pgd-quan-1/#ban-in",
    }


# --- HTTP ---------------------------------------------------------------------------------------

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".csv", ".map", ".mjs"}


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; with `gzip=True`, text answers are gzip-compressed when the client accepts it
    (what GitHub Pages does for text types)."""

    gzip = False

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):
        if not self.gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder
            path = path / "index.html"
        if path.suffix.lower() not in COMPRESSIBLE or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path, *, compress: bool = False, port: int = 0):
    """Serve `directory` on 127.0.0.1; yields the base URL (with a trailing slash)."""
    handler = functools.partial(type("H", (Handler,), {"gzip": compress}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- browser ------------------------------------------------------------------------------------


def open_audited(page, base_url: str, path: str) -> None:
    """Load a page as a visitor sees it: the listing with a district chosen and its table drawn."""
    page.goto(base_url + path)
    if path.startswith("cong-khai/#"):
        page.wait_for_selector("[data-listing-table] tbody tr")
    if path.startswith("tim-kiem/?q="):
        page.wait_for_selector("[data-search-results] li")
    page.wait_for_load_state("load")


def axe(page) -> list[dict]:
    """Every axe-core violation on the loaded page: [{rule, impact, help, nodes: [(target, html)]}]."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [(" ".join(map(str, n["target"])), n["html"][:200]) for n in v["nodes"]],
        }
        for v in results.response["violations"]
    ]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict], limit: int = 3) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['rule']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}")
        for target, html in v["nodes"][:limit]:
            lines.append(f"      {target}: {html}")
    return "\n".join(lines)


def counts(violations: list[dict]) -> Counter:
    return Counter({v["rule"]: len(v["nodes"]) for v in violations})


# --- html-validate ------------------------------------------------------------------------------


def page_file(site: Path, path: str) -> Path:
    path = path.split("#", 1)[0].split("?", 1)[0]
    return site / path if path.endswith(".html") else site / path / "index.html"


def html_validate(files: list[Path], config: Path = HTML_VALIDATE_CONFIG) -> dict[Path, list[dict]]:
    """html-validate's messages per file: [{rule, line, column, message}]. Raises FileNotFoundError
    when the tool is not installed (`make install-test` installs it)."""
    tool = HTML_VALIDATE if HTML_VALIDATE.exists() else shutil.which("html-validate")
    if not tool:
        raise FileNotFoundError("html-validate")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:  # a file: node may cut a long JSON answer on a pipe
        out = Path(tmp) / "report.json"
        run = subprocess.run(
            [str(tool), "--formatter", f"json={out}", "--config", str(config), *map(str, files)],
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        if run.returncode not in (0, 1) or not out.is_file():
            raise RuntimeError(f"html-validate failed ({run.returncode}): {(run.stderr or run.stdout).strip()[:2000]}")
        results = json.loads(out.read_text(encoding="utf-8") or "[]")
    found = {Path(f).resolve(): [] for f in files}
    for result in results:
        found[Path(result["filePath"]).resolve()] = [
            {"rule": m.get("ruleId"), "line": m.get("line"), "column": m.get("column"), "message": m.get("message")}
            for m in result["messages"]
        ]
    return found
