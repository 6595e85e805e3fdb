"""One raw git commit object: its signature, the bytes that signature covers, and display fields.

The object comes from `git cat-file --batch`, which frames it by length, so nothing inside it (a
name with control characters, a NUL, a forged header) can shift another commit's fields. Names
and the committer date are kept for display only: no time in this package is taken from them.

The signed payload is cut out exactly as git does it (`parse_buffer_signed_by_header` in git's
commit.c): the header lines of every signature header (`gpgsig`, `gpgsig-sha256`) and their
continuation lines are removed, everything else is kept byte for byte. The repository's own hash
decides which header holds the signature (`gpgsig` for SHA-1, `gpgsig-sha256` for SHA-256).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SIGNATURE_HEADERS = {"sha1": b"gpgsig", "sha256": b"gpgsig-sha256"}
_TIMESTAMP = re.compile(rb"\d{1,12}")
_LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z: later values cannot be shown as dates


@dataclass(frozen=True)
class CommitObject:
    author: str  # the author's name as written (display only)
    committer_timestamp: int | None  # None when missing or not a plain, showable number
    signature: bytes | None  # the signature block, when the commit carries one
    payload: bytes | None  # what the signature covers (None without signature)


def parse_commit(raw: bytes, object_format: str = "sha1") -> CommitObject:
    """Never raises: missing or malformed fields come back as "" / None."""
    head_end = raw.find(b"\n\n")
    if b"gpgsig" not in (raw if head_end < 0 else raw[:head_end]):
        return _unsigned(raw if head_end < 0 else raw[: head_end + 1])
    own = _SIGNATURE_HEADERS.get(object_format, b"gpgsig") + b" "
    payload = bytearray()
    signature = bytearray()
    signed = in_signature = other_signature = False
    author = committer = None
    position, end = 0, len(raw)
    while position < end:
        newline = raw.find(b"\n", position)
        following = end if newline < 0 else newline + 1
        line = raw[position:following]
        part = None
        if in_signature and line.startswith(b" "):
            part = line[1:]
        elif line.startswith(own):
            part = line[len(own) :]
            other_signature = False
        elif line.startswith(b"gpgsig"):
            other_signature = True  # the signature for the other hash: neither payload nor ours
        elif other_signature and not line.startswith(b" "):
            other_signature = False
        if part is not None:
            signature += part
            signed = in_signature = True
        else:
            in_signature = False
            if line.startswith(b"\n"):
                payload += raw[position:]  # the message and everything after it, verbatim
                break
            if not other_signature:
                payload += line
                if line.startswith(b"author ") and author is None:
                    author = line[7:]
                elif line.startswith(b"committer ") and committer is None:
                    committer = line[10:]
        position = following
    return CommitObject(
        author=_display_name(author),
        committer_timestamp=_timestamp(committer),
        signature=bytes(signature) if signed else None,
        payload=bytes(payload) if signed else None,
    )


def _unsigned(header: bytes) -> CommitObject:
    """The common case, without a line-by-line pass: the first author and committer lines."""
    author = committer = None
    for line in header.split(b"\n"):
        if author is None and line.startswith(b"author "):
            author = line[7:]
        elif committer is None and line.startswith(b"committer "):
            committer = line[10:]
    return CommitObject(_display_name(author), _timestamp(committer), None, None)


def _display_name(ident: bytes | None) -> str:
    """The name part of `Name <email> time zone`; control characters become U+FFFD."""
    if not ident:
        return ""
    name = ident.split(b"<", 1)[0].strip()
    text = name.decode("utf-8", errors="replace")
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _timestamp(ident: bytes | None) -> int | None:
    if not ident or b">" not in ident:
        return None
    fields = ident.rsplit(b">", 1)[1].split()
    if not fields or not _TIMESTAMP.fullmatch(fields[0]):
        return None
    value = int(fields[0])
    return value if value <= _LAST_SECOND else None
