"""The evidence link checker against a real local HTTP server started by the test."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from site_builder import linkcheck
from site_builder.linkcheck import Options, check_urls
from site_builder.paths import DataRoot
from tests.corpus_cases import SUBMISSION
from tests.datarepo import PROJECT, make_repo, write

REDIRECTS = {"/r1": "/r2", "/r2": "/r3", "/r3": "/ok", "/loop": "/loop", "/away": "ftp://example.org/x"}


class Handler(BaseHTTPRequestHandler):
    log: list = []
    counts: dict = {}
    lock = threading.Lock()

    def log_message(self, *args):  # keep the test output clean
        pass

    def _answer(self, method: str):
        with self.lock:
            self.log.append((time.monotonic(), method, self.path))
            self.counts[self.path] = self.counts.get(self.path, 0) + 1
            count = self.counts[self.path]
        path = self.path.split("?")[0]
        if path in REDIRECTS:
            self.send_response(301 if path != "/r2" else 302)
            self.send_header("Location", REDIRECTS[path])
            self.end_headers()
            return
        if path == "/slow":
            time.sleep(1.5)
        status = {"/missing": 404, "/gone": 410}.get(path, 200)
        if path == "/no-head" and method == "HEAD":
            status = 405
        if path == "/forbidden-head" and method == "HEAD":
            status = 403
        if path == "/flaky" and count == 1:
            status = 503
        body = b"<html><body>minh chung</body></html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method == "GET":
            self.wfile.write(body)

    def do_HEAD(self):
        self._answer("HEAD")

    def do_GET(self):
        self._answer("GET")


@pytest.fixture()
def server():
    Handler.log, Handler.counts = [], {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fast(**changes) -> Options:
    base = dict(timeout=2.0, workers=4, retries=0, backoff=0.05, per_host_interval=0.0, allow_private=True)
    return Options(**{**base, **changes})


def test_ok(server):
    result = check_urls([f"{server}/ok"], fast())[f"{server}/ok"]
    assert (result.status, result.ok, result.final_url, result.error, result.method) == (
        200,
        True,
        f"{server}/ok",
        None,
        "HEAD",
    )
    assert result.checked_at.endswith("Z") and result.attempts == 1
    assert Handler.log[0][1:] == ("HEAD", "/ok")  # HEAD first, nothing downloaded


def test_redirect_chain_is_followed_and_recorded(server):
    result = check_urls([f"{server}/r1"], fast())[f"{server}/r1"]
    assert result.ok and result.status == 200
    assert result.redirects == [f"{server}/r2", f"{server}/r3", f"{server}/ok"]
    assert result.final_url == f"{server}/ok"


def test_redirect_limit(server):
    result = check_urls([f"{server}/r1"], fast(max_redirects=2))[f"{server}/r1"]
    assert not result.ok and result.error_code == "redirects"
    assert "chuyển hướng quá 2 lần" in result.error
    loop = check_urls([f"{server}/loop"], fast())[f"{server}/loop"]
    assert loop.error_code == "redirects" and len(loop.redirects) == 5


def test_redirect_to_another_scheme_is_broken(server):
    result = check_urls([f"{server}/away"], fast())[f"{server}/away"]
    assert not result.ok and result.error_code == "bad-url"


def test_not_found(server):
    result = check_urls([f"{server}/missing"], fast())[f"{server}/missing"]
    assert (result.status, result.ok, result.error_code) == (404, False, "http")
    assert result.error == "không tìm thấy trang (404)."


@pytest.mark.parametrize("path, refused", [("/no-head", 405), ("/forbidden-head", 403)])
def test_head_refused_falls_back_to_get(server, path, refused):
    result = check_urls([f"{server}{path}"], fast())[f"{server}{path}"]
    assert (result.status, result.ok, result.method) == (200, True, "GET")
    assert [entry[1:] for entry in Handler.log] == [("HEAD", path), ("GET", path)]


def test_timeout(server):
    started = time.monotonic()
    result = check_urls([f"{server}/slow"], fast(timeout=0.3, retries=1))[f"{server}/slow"]
    assert (result.status, result.ok, result.error_code) == (None, False, "timeout")
    assert result.error == "máy chủ không trả lời trong 0.3 giây."
    assert result.attempts == 2  # a timeout is retried
    assert time.monotonic() - started < 3


def test_tls_error(server):
    url = server.replace("http://", "https://") + "/ok"  # TLS spoken to a plain-HTTP port
    result = check_urls([url], fast(retries=2))[url]
    assert (result.status, result.ok, result.error_code) == (None, False, "tls")
    assert result.error.startswith("lỗi kết nối bảo mật (TLS/chứng chỉ)")
    assert result.attempts == 1  # not a transient failure: no retry


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/ok"  # nothing listens there any more
    result = check_urls([url], fast())[url]
    assert (result.ok, result.error_code) == (False, "connection")


def test_transient_error_is_retried_with_backoff(server):
    started = time.monotonic()
    result = check_urls([f"{server}/flaky"], fast(retries=2, backoff=0.2))[f"{server}/flaky"]
    assert (result.status, result.ok, result.attempts) == (200, True, 2)
    assert time.monotonic() - started >= 0.2
    no_retry = check_urls([f"{server}/flaky?x"], fast(retries=0))[f"{server}/flaky?x"]
    assert (no_retry.status, no_retry.ok, no_retry.error) == (503, False, "máy chủ tạm thời không phục vụ (503).")


def test_per_host_rate_limit_and_bounded_concurrency(server):
    urls = [f"{server}/ok?{i}" for i in range(4)]
    results = check_urls(urls, fast(workers=4, per_host_interval=0.25))
    assert all(r.ok for r in results.values())
    times = sorted(entry[0] for entry in Handler.log)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 4 and min(gaps) >= 0.2, gaps


def test_private_addresses_are_not_fetched_by_default(server):
    result = check_urls([f"{server}/ok"], Options(timeout=1, retries=0))[f"{server}/ok"]
    assert (result.ok, result.error_code) == (False, "private-address")
    assert Handler.log == []  # no request reached the server


def test_cli_writes_a_report_that_matches_its_schema(server, tmp_path):
    root = make_repo(tmp_path / "repo")
    write(
        root / SUBMISSION,
        f"""\
don_vi: thcs-demo-a
nam_hoc: "2023-2024"
tieu_chi:
  "1.2":
    diem_tu_cham: 5
    minh_chung:
      - ke-hoach-cntt.pdf
      - {server}/r1
      - {server}/missing
      - "javascript:alert(1)"
bao_cao:
  ke-hoach: ke-hoach-cntt.pdf
""",
    )
    assert set(linkcheck.collect_urls(DataRoot(root))) == {f"{server}/r1", f"{server}/missing"}
    output = tmp_path / "out" / "link-report.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "--root",
            str(root),
            "check-links",
            "--year",
            "2023-2024",
            "--output",
            str(output),
            "--allow-private-hosts",
            "--per-host-interval",
            "0",
            "--timeout",
            "2",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert f"liên kết hỏng: {server}/missing — không tìm thấy trang (404)." in run.stdout
    assert "Đã kiểm tra 2 đường link: 1 truy cập được, 1 hỏng." in run.stdout
    report = json.loads(output.read_text(encoding="utf-8"))
    schema = json.loads((PROJECT / "schema/link-report.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(report))
    assert not errors, errors
    assert report[f"{server}/r1"]["ok"] is True and report[f"{server}/r1"]["final_url"] == f"{server}/ok"
    assert report[f"{server}/missing"]["status"] == 404 and report[f"{server}/missing"]["ok"] is False


def test_cli_usage_errors(tmp_path):
    root = make_repo(tmp_path / "repo")
    for args in (["--year", "1999-2000"], ["--workers", "0"], ["--timeout", "-1"]):
        run = subprocess.run(
            [sys.executable, "-m", "site_builder", "--root", str(root), "check-links", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=PROJECT,
            timeout=60,
        )
        assert run.returncode == 2 and "Lỗi cách dùng" in run.stderr and "Traceback" not in run.stderr


def test_cli_fail_on_broken_without_network(tmp_path):
    """A data root whose links all point at a private address: every link broken, exit 1 when asked."""
    root = make_repo(tmp_path / "repo")
    write(
        root / SUBMISSION,
        """\
don_vi: thcs-demo-a
nam_hoc: "2023-2024"
tieu_chi:
  "1.1":
    diem_tu_cham: 5
    minh_chung: ["http://127.0.0.1.nip.invalid/x", "http://10.1.2.3/cong-khai"]
bao_cao:
  ke-hoach: ke-hoach-cntt.pdf
""",
    )
    output = tmp_path / "report.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "--root",
            str(root),
            "check-links",
            "--output",
            str(output),
            "--retries",
            "0",
            "--fail-on-broken",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT,
        timeout=60,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["http://10.1.2.3/cong-khai"]["error_code"] == "private-address"
    assert report["http://127.0.0.1.nip.invalid/x"]["error_code"] == "dns"
