"""Check that every external evidence link still answers, and write a report the site shows.

Units cite web pages as evidence (`minh_chung: [https://…]`). Pages move and sites go down, so a
weekly job asks each link once: HEAD first (cheap), GET when the server refuses HEAD (403, 405,
501); redirects are followed by hand up to a limit and recorded; timeouts, connection, DNS and
TLS failures are reported, not raised; transient failures (timeouts, 429, 5xx) are retried with
exponential backoff; requests run in a bounded thread pool and each host is asked at most once
per `per_host_interval` seconds, so a school's small server is never flooded.

The links come from data anyone can propose, so by default a link whose host resolves to a
private, loopback or link-local address is not fetched (the checker must not probe the network it
runs in). Tests of this module use a local server and pass `allow_private=True`.

Report (schema/link-report.schema.json): `{url: {status, ok, final_url, error, error_code,
redirects, method, attempts, checked_at}}`, keys sorted, written atomically.
Standard library only.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

USER_AGENT = "site-builder-check-links/1.0"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
HEAD_REFUSED = {403, 405, 501}
RETRY_STATUSES = {429, 500, 502, 503, 504}
GET_READ_LIMIT = 64 * 1024  # a GET only needs the status; never download a whole file


@dataclass
class LinkResult:
    status: int | None = None
    ok: bool = False
    final_url: str | None = None
    error: str | None = None  # Vietnamese, shown next to the broken link
    error_code: str | None = None  # timeout | tls | dns | connection | http | redirects | private-address | bad-url
    redirects: list[str] = field(default_factory=list)
    method: str = "HEAD"
    attempts: int = 0
    checked_at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Options:
    timeout: float = 10.0
    workers: int = 8
    retries: int = 2
    backoff: float = 1.0
    per_host_interval: float = 1.0
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = USER_AGENT


class HostLimiter:
    """At most one request per host every `interval` seconds, across all threads."""

    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.next_slot: dict[str, float] = {}

    def wait(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot.get(host, now))
            self.next_slot[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class _Failure(Exception):
    def __init__(self, code: str, message: str, retry: bool):
        super().__init__(message)
        self.code, self.message, self.retry = code, message, retry


def check_urls(urls, options: Options | None = None, now=None) -> dict[str, LinkResult]:
    """Check each distinct URL once; returns url -> LinkResult (never raises for a bad link)."""
    options = options or Options()
    limiter = HostLimiter(options.per_host_interval)
    distinct = sorted(set(urls))
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        results = list(pool.map(lambda u: check_url(u, options, limiter, now), distinct))
    return dict(zip(distinct, results))


def check_url(url: str, options: Options, limiter: HostLimiter | None = None, now=None) -> LinkResult:
    limiter = limiter or HostLimiter(0)
    result = LinkResult()
    attempt = 0
    while True:
        attempt += 1
        result.attempts = attempt
        try:
            _follow(url, options, limiter, result)
            if result.status in RETRY_STATUSES and attempt <= options.retries:
                _sleep_before_retry(options, attempt)
                continue
            break
        except _Failure as failure:
            result.status, result.ok = None, False
            result.error_code, result.error = failure.code, failure.message
            if failure.retry and attempt <= options.retries:
                _sleep_before_retry(options, attempt)
                continue
            break
    result.checked_at = (now or _utc_now)()
    return result


def _sleep_before_retry(options: Options, attempt: int) -> None:
    time.sleep(options.backoff * (2 ** (attempt - 1)))


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _follow(url: str, options: Options, limiter: HostLimiter, result: LinkResult) -> None:
    """One attempt: follow redirects by hand (recording them), HEAD then GET when refused."""
    result.redirects, result.error, result.error_code = [], None, None
    current = url
    while True:
        status, location, method = _ask(current, options, limiter)
        result.status, result.method, result.final_url = status, method, current
        if status in REDIRECT_STATUSES and location:
            if len(result.redirects) >= options.max_redirects:
                raise _Failure("redirects", f"trang chuyển hướng quá {options.max_redirects} lần.", False)
            current = urljoin(current, location)
            if urlsplit(current).scheme.lower() not in ("http", "https"):
                raise _Failure("bad-url", f"trang chuyển hướng tới địa chỉ không phải http(s): {current}.", False)
            result.redirects.append(current)
            continue
        result.ok = 200 <= status < 300
        if not result.ok:
            result.error_code = "http"
            result.error = _http_message(status)
        return


def _ask(url: str, options: Options, limiter: HostLimiter) -> tuple[int, str | None, str]:
    status, location = _request("HEAD", url, options, limiter)
    if status in HEAD_REFUSED:
        status, location = _request("GET", url, options, limiter)
        return status, location, "GET"
    return status, location, "HEAD"


def _request(method: str, url: str, options: Options, limiter: HostLimiter) -> tuple[int, str | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise _Failure("bad-url", "đường link không hợp lệ.", False)
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port or (443 if scheme == "https" else 80)
    except (UnicodeError, ValueError):
        raise _Failure("bad-url", "tên miền hoặc cổng của đường link không hợp lệ.", False) from None
    if not options.allow_private:
        _refuse_private(host, port)
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~") + (
        "?" + quote(parts.query, safe="=&%:@!$'()*+,;/?-._~") if parts.query else ""
    )
    limiter.wait(host)
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=options.timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=options.timeout)
    try:
        connection.request(method, target, headers={"User-Agent": options.user_agent, "Accept": "*/*"})
        response = connection.getresponse()
        if method == "GET":
            response.read(GET_READ_LIMIT)
        return response.status, response.getheader("Location")
    except ssl.SSLError as exc:  # before OSError: SSLError is one
        raise _Failure("tls", f"lỗi kết nối bảo mật (TLS/chứng chỉ): {exc.reason or exc}.", False) from None
    except TimeoutError:
        raise _Failure("timeout", f"máy chủ không trả lời trong {options.timeout:g} giây.", True) from None
    except socket.gaierror:
        raise _Failure("dns", "không tìm thấy tên miền (tên miền sai hoặc đã hết hạn).", True) from None
    except (ValueError, UnicodeError):  # http.client refuses characters a URL cannot carry
        raise _Failure("bad-url", "đường link chứa ký tự không hợp lệ.", False) from None
    except (ConnectionError, OSError, http.client.HTTPException) as exc:
        raise _Failure("connection", f"không kết nối được tới máy chủ ({type(exc).__name__}).", True) from None
    finally:
        connection.close()


def _refuse_private(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise _Failure("dns", "không tìm thấy tên miền (tên miền sai hoặc đã hết hạn).", True) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise _Failure(
                "private-address", "đường link trỏ tới địa chỉ mạng nội bộ, không phải trang công khai.", False
            )


def _http_message(status: int) -> str:
    known = {
        404: "không tìm thấy trang (404)",
        410: "trang đã bị xoá (410)",
        401: "trang yêu cầu đăng nhập (401)",
        403: "máy chủ từ chối truy cập (403)",
        500: "máy chủ gặp lỗi (500)",
        502: "máy chủ trung gian gặp lỗi (502)",
        503: "máy chủ tạm thời không phục vụ (503)",
        504: "máy chủ trung gian hết thời gian chờ (504)",
        429: "máy chủ từ chối vì có quá nhiều yêu cầu (429)",
    }
    return known.get(status, f"máy chủ trả về mã {status}") + "."


# ---------------------------------------------------------------- collecting links from the data


def collect_urls(root, period: str | None = None) -> dict[str, list[str]]:
    """Every http(s) evidence link in the submissions (of `period`, or all): url -> files using it.

    Reads each submission with the same safe loader as the validator; files that do not parse
    are skipped here (the validator reports them). Every http(s) link is collected, even one the
    validator refuses (e.g. a private address): the report then says why it is broken."""
    from site_builder.evidence import looks_like_url
    from site_builder.paths import classify
    from site_builder.yamlfile import read_yaml

    used: dict[str, list[str]] = {}
    base = root.submissions
    periods = (
        [period]
        if period
        else sorted(p.name for p in base.iterdir() if p.is_dir() and p.name != "units")
        if base.is_dir()
        else []
    )
    for period_id in periods:
        folder = base / period_id
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*/*.yaml")):
            rel = root.rel(file)
            if classify(rel).kind != "submission":
                continue
            doc = read_yaml(file, rel)
            criteria = doc.data.get("tieu_chi") if isinstance(doc.data, dict) else None
            if not isinstance(criteria, dict):
                continue
            for entry in criteria.values():
                refs = entry.get("minh_chung") if isinstance(entry, dict) else None
                for ref in refs if isinstance(refs, list) else []:
                    ref = ref.strip() if isinstance(ref, str) else ""
                    if looks_like_url(ref) and urlsplit(ref).scheme.lower() in ("http", "https"):
                        used.setdefault(ref, []).append(rel)
    return used


def write_report(results: dict[str, LinkResult], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = {url: results[url].as_dict() for url in sorted(results)}
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, output)
