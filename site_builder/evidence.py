"""Checks of one evidence reference: an http(s) link, or a PDF inside the unit's own folder.

Evidence is published as-is, so a reference must not reach outside the unit's folder (`..`,
absolute paths, symlinks), must not be a script URL, and a "PDF" must really be one that any
reader can open (not encrypted, not truncated, not a renamed text file).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import ipaddress
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from site_builder import messages

MAX_PDF_BYTES = 10 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOST = re.compile(r"^[A-Za-z0-9\u00a0-\uffff]([A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?"
                   r"(\.[A-Za-z0-9\u00a0-\uffff]([A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?)*$")

logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings would bury our messages


@dataclass(frozen=True)
class Finding:
    """The verdict on one reference: its kind ("url" or "pdf") and, if wrong, message and fix."""

    kind: str
    message: str = ""
    fix: str = ""
    code: str = ""

    @property
    def ok(self) -> bool:
        return not self.message


def looks_like_url(ref: str) -> bool:
    return bool(_SCHEME.match(ref)) and not re.match(r"^[A-Za-z]:[\\/]", ref)


def check_url(ref: str) -> Finding:
    try:
        parts = urlsplit(ref)
    except ValueError:
        return Finding("url", f"đường link «{_short(ref)}» không hợp lệ.", "Hãy sao chép lại đường link từ thanh địa chỉ trình duyệt.", "bad-url")
    if parts.scheme.lower() not in ("http", "https"):
        return Finding("url", f"đường link dùng giao thức «{parts.scheme}:», không được phép.",
                       "Chỉ chấp nhận đường link bắt đầu bằng https:// (hoặc http://).", "url-scheme")
    if any(c.isspace() for c in ref):
        return Finding("url", "đường link có dấu cách.", "Hãy xoá dấu cách hoặc thay bằng %20.", "bad-url")
    if "@" in parts.netloc:
        return Finding("url", "đường link chứa tên đăng nhập hoặc mật khẩu (phần trước dấu @).",
                       "Hãy xoá phần tên đăng nhập/mật khẩu; minh chứng phải xem được công khai.", "url-credentials")
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and not address.is_global:
        return Finding("url", f"đường link «{_short(ref)}» trỏ tới địa chỉ mạng nội bộ, người xem bên ngoài không mở được.",
                       "Hãy dùng địa chỉ công khai trên website của đơn vị, ví dụ https://thcs-abc.edu.vn/cong-khai",
                       "url-private")
    if not host or not _HOST.match(host) or "." not in host:
        return Finding("url", f"đường link «{_short(ref)}» thiếu tên miền hợp lệ.",
                       "Ví dụ đúng: https://thcs-abc.edu.vn/cong-khai", "bad-url")
    return Finding("url")


def check_file(ref: str, unit_dir: Path, unit_id: str) -> Finding:
    """`ref` is a path relative to the unit's evidence folder `unit_dir`."""
    if ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", ref):
        return Finding("pdf", "không được dùng đường dẫn tuyệt đối.",
                       f"Hãy chỉ ghi tên tệp trong thư mục {unit_id}/, ví dụ «ke-hoach.pdf».", "path-absolute")
    if "\\" in ref:
        return Finding("pdf", "đường dẫn dùng dấu gạch ngược «\\».", "Hãy dùng dấu gạch chéo «/» hoặc chỉ ghi tên tệp.", "path-backslash")
    parts = ref.split("/")
    if ".." in parts:
        return Finding("pdf", "đường dẫn trỏ ra ngoài thư mục của đơn vị («..»).",
                       f"Minh chứng phải nằm trong thư mục {unit_id}/ của đơn vị; hãy chỉ ghi tên tệp.", "path-traversal")
    if parts[0] == unit_id and len(parts) > 1:
        return Finding("pdf", f"đường dẫn không cần bắt đầu bằng «{unit_id}/».",
                       f"Hãy ghi «{'/'.join(parts[1:])}».", "path-prefix")
    if not ref.lower().endswith(".pdf"):
        if _looks_like_host(ref.split("/", 1)[0]):
            return Finding("url", "đường link thiếu phần đầu https://.", f"Hãy ghi «https://{ref}».", "url-scheme")
        return Finding("pdf", f"«{_short(ref)}» không phải tệp PDF.",
                       "Minh chứng là tệp PDF (đuôi .pdf) hoặc đường link https://; hãy chuyển tài liệu sang PDF.", "not-pdf-name")
    file = unit_dir / ref
    if not os.path.lexists(file):
        return Finding("pdf", f"không tìm thấy tệp «{ref}» trong thư mục {unit_id}/.", _missing_fix(ref, unit_dir), "file-missing")
    if "/" not in ref and not os.path.islink(file) and not os.path.islink(unit_dir):
        real = file  # a plain file directly in a plain folder: no need to resolve every component
        allowed = unit_dir
    else:
        real = Path(os.path.realpath(file))
        # The unit's folder itself may be a symlink to somewhere else: resolve only its parent.
        allowed = Path(os.path.realpath(unit_dir.parent)) / unit_dir.name
    if not _inside(real, allowed):
        return Finding("pdf", f"tệp «{ref}» là liên kết (symlink) trỏ ra ngoài thư mục của đơn vị.",
                       "Hãy tải lên chính tệp PDF thay vì liên kết.", "path-symlink")
    if not real.is_file():
        return Finding("pdf", f"«{ref}» không phải là một tệp.", "Hãy ghi tên một tệp PDF.", "file-missing")
    size = real.stat().st_size
    if size > MAX_PDF_BYTES:
        return Finding("pdf", f"tệp «{ref}» quá lớn ({messages.megabytes(size)} MB, tối đa {MAX_PDF_BYTES // 1048576} MB).",
                       "Hãy nén tệp PDF (giảm độ phân giải ảnh quét) hoặc tách thành nhiều tệp.", "pdf-too-large")
    data = real.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _VERDICTS:
        _VERDICTS[digest] = _pdf_verdict(data)
    verdict = _VERDICTS[digest]
    if verdict:
        return Finding("pdf", verdict[0].format(ref=ref), verdict[1], verdict[2])
    return Finding("pdf")


# One verdict per distinct content: many units upload the same template PDF. (A file cited by
# several criteria of one submission is checked once by the caller, see submissions.py.)
_VERDICTS: dict[str, tuple[str, str, str] | None] = {}


def _pdf_verdict(data: bytes) -> tuple[str, str, str] | None:
    if not data.lstrip()[:5] == b"%PDF-":
        return ("tệp «{ref}» có đuôi .pdf nhưng không phải tệp PDF thật.",
                "Hãy mở tài liệu gốc và chọn Lưu dưới dạng PDF (Save as PDF), rồi tải lên lại.", "pdf-fake")
    if b"%%EOF" not in data[-2048:]:
        return ("tệp «{ref}» bị hỏng hoặc tải lên chưa hết (thiếu phần kết thúc của PDF).",
                "Hãy tải lên lại tệp PDF.", "pdf-truncated")
    from pypdf import PdfReader  # imported here: validating YAML alone must stay fast
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ("tệp «{ref}» có mật khẩu hoặc bị mã hoá, người xem không mở được.",
                    "Hãy lưu lại tệp PDF không đặt mật khẩu rồi tải lên.", "pdf-encrypted")
        if len(reader.pages) < 1:
            return ("tệp «{ref}» không có trang nào.", "Hãy tải lên tệp PDF có nội dung.", "pdf-empty")
    except Exception:  # pypdf raises many types for broken files; each means "cannot be opened"
        return ("tệp «{ref}» bị hỏng, không mở được.", "Hãy xuất lại tệp PDF từ tài liệu gốc và tải lên.", "pdf-broken")
    return None


def _missing_fix(ref: str, unit_dir: Path) -> str:
    existing = sorted(p.name for p in unit_dir.iterdir()) if unit_dir.is_dir() else []
    close = difflib.get_close_matches(ref, existing, n=1, cutoff=0.6)
    if close:
        return f"Trong thư mục có tệp «{close[0]}»: có phải bạn muốn ghi tên này? (Tên tệp phân biệt chữ hoa, chữ thường.)"
    return "Hãy tải tệp lên thư mục của đơn vị (nút «Add file» → «Upload files») hoặc sửa tên cho khớp."


_TLD = re.compile(r"^(vn|com|edu|org|net|gov|info|io|asia|site|online)$")


def _looks_like_host(segment: str) -> bool:
    """`www.x.vn` or `thcs-a.hcm.edu.vn`: a link pasted without its https:// prefix."""
    labels = segment.lower().split(".")
    return (len(labels) >= 2 and all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels)
            and (labels[0] == "www" or bool(_TLD.match(labels[-1]))))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
