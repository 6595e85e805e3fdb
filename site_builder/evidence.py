"""Checks of one evidence reference: an http(s) link, or a PDF inside the unit's own folder.

Evidence is published as-is, so a reference must not reach outside the unit's folder (`..`,
absolute paths, symlinks), must not be a script URL, and a "PDF" must really be one that any
reader can open and that is safe to serve (pdf_safety: no active content, at most 500 pages).
Verdicts on PDFs are kept by content hash, in memory and across runs (verdict_cache).

File names are compared in Unicode NFC, as the YAML text is: a file whose name a computer saved
in NFD (decomposed accents) is the file the unit named.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import ipaddress
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from urllib.parse import urlsplit

from site_builder import messages, pdf_safety, verdict_cache
from site_builder.numbers import megabytes

MAX_PDF_BYTES = 10 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@functools.cache  # compiled when a link is first checked: 20 ms, paid by every build that imported it
def _host() -> re.Pattern[str]:
    return re.compile(
        r"^[A-Za-z0-9\u00a0-\uffff]([A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?"
        r"(\.[A-Za-z0-9\u00a0-\uffff]([A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?)*$"
    )


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


def _refused(kind: str, message: messages.Message, **values) -> Finding:
    return Finding(kind, *message.text(**values), message.code)


def has_pdf_suffix(name: str) -> bool:
    """A file name whose suffix is .pdf in any case, as Path(name).suffix sees it (".pdf" alone
    has none): os.scandir and os.listdir give names, and a Path per name costs."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() == ".pdf"


def looks_like_url(ref: str) -> bool:
    return bool(_SCHEME.match(ref)) and not re.match(r"^[A-Za-z]:[\\/]", ref)


def check_url(ref: str) -> Finding:
    try:
        parts = urlsplit(ref)
    except ValueError:
        return _refused("url", messages.URL_INVALID, ref=_short(ref))
    if parts.scheme.lower() not in ("http", "https"):
        return _refused("url", messages.URL_SCHEME, scheme=parts.scheme)
    if any(c.isspace() for c in ref):
        return _refused("url", messages.URL_SPACE)
    if "@" in parts.netloc:
        return _refused("url", messages.URL_CREDENTIALS)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and not address.is_global:
        return _refused("url", messages.URL_PRIVATE, ref=_short(ref))
    if not host or not _host().match(host) or "." not in host:
        return _refused("url", messages.URL_NO_DOMAIN, ref=_short(ref))
    return Finding("url")


def check_file(ref: str, unit_dir: Path, unit_id: str, suggest: bool = True) -> Finding:
    """`ref` is a path relative to the unit's evidence folder `unit_dir`. With `suggest` False,
    a missing file gets the general advice instead of a search for the closest name."""
    if ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", ref):
        return _refused("pdf", messages.PATH_ABSOLUTE, unit=unit_id)
    if "\\" in ref:
        return _refused("pdf", messages.PATH_BACKSLASH)
    parts = ref.split("/")
    if ".." in parts:
        return _refused("pdf", messages.PATH_TRAVERSAL, unit=unit_id)
    if parts[0] == unit_id and len(parts) > 1:
        return _refused("pdf", messages.PATH_PREFIX, unit=unit_id, rest="/".join(parts[1:]))
    if not ref.lower().endswith(".pdf"):
        if _looks_like_host(ref.split("/", 1)[0]):
            return _refused("url", messages.URL_WITHOUT_SCHEME, ref=ref)
        return _refused("pdf", messages.NOT_PDF_NAME, ref=_short(ref))
    on_disk = locate(unit_dir, ref)
    if on_disk is None:
        return _refused("pdf", messages.FILE_MISSING, ref=ref, unit=unit_id, hint=_missing_fix(ref, unit_dir, suggest))
    file = unit_dir / on_disk
    stat = _stat_without_links(str(unit_dir), on_disk)
    if stat is not None:
        real = file  # no component to resolve: `on_disk` has no "..", so the file is inside
    else:
        real = Path(os.path.realpath(file))
        # The unit's folder itself may be a symlink to somewhere else: resolve only its parent.
        if not _inside(real, Path(os.path.realpath(unit_dir.parent)) / unit_dir.name):
            return _refused("pdf", messages.EVIDENCE_SYMLINK, ref=ref)
        try:
            stat = os.stat(real)
        except OSError:
            stat = None
    if stat is None or not S_ISREG(stat.st_mode):
        return _refused("pdf", messages.NOT_A_FILE, ref=ref)
    size = stat.st_size
    if size > MAX_PDF_BYTES:
        return _refused("pdf", messages.PDF_TOO_LARGE, ref=ref, size=megabytes(size), limit=MAX_PDF_BYTES // 1048576)
    verdict = _known_verdict(stat)
    if verdict is None:
        data = real.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        verdict = pdf_verdict(digest, data)
        _remember_digest(stat, digest)
    if not verdict.ok:
        message, fix = messages.pdf_problem(verdict.code, verdict.detail, ref, pdf_safety.MAX_PAGES)
        return Finding("pdf", message, fix, verdict.code)
    return Finding("pdf")


# One verdict per distinct content: many units upload the same template PDF. (A file cited by
# several criteria of one submission is checked once by the caller, see submissions.py.)
_VERDICTS: dict[str, pdf_safety.Verdict] = {}
_RULES: str | None = None


def pdf_verdict(digest: str, data: bytes) -> pdf_safety.Verdict:
    """The verdict on these bytes: from memory, from the cache folder, or by inspecting them."""
    verdict = _VERDICTS.get(digest)
    if verdict is None:
        stored = verdict_cache.get(_rules(), digest)
        if stored is not None:
            verdict = pdf_safety.Verdict(stored["code"], stored["detail"])
        else:
            verdict = pdf_safety.inspect(data)
            verdict_cache.put(_rules(), digest, verdict.as_dict())
        _VERDICTS[digest] = verdict
    return verdict


def _known_verdict(stat: os.stat_result) -> pdf_safety.Verdict | None:
    """The verdict without reading the file, when the build cache knows its digest (an unchanged
    file: same stamps, `stat`) and a verdict on that digest is known."""
    from site_builder import build_cache

    cache = build_cache.current()
    digest = cache.known_digest(stat) if cache is not None else None
    if cache is None or digest is None:
        return None
    verdict = _VERDICTS.get(digest)
    if verdict is None:
        stored = verdict_cache.get(_rules(), digest)
        verdict = pdf_safety.Verdict(stored["code"], stored["detail"]) if stored is not None else None
    return verdict


def _remember_digest(stat: os.stat_result, digest: str) -> None:
    """The site build hashes every cited PDF again for the SHA-256 it shows: not when the checks
    already did (a forked worker's digests reach the build through validate.py)."""
    from site_builder import build_cache

    cache = build_cache.current()
    if cache is not None:
        cache.remember(build_cache.stamps(stat), digest)


def keep_verdicts(cache) -> None:
    """Gather the verdicts on the digests `cache` knows into the verdict folder's table."""
    verdict_cache.keep(_rules(), cache.known_digests())


def _rules() -> str:
    """The cache key of the rule set; pypdf's version is part of it (its parser decides too)."""
    global _RULES
    if _RULES is None:
        from importlib.metadata import version

        _RULES = verdict_cache.rules_key(
            pdf_safety.RULES_VERSION,
            pdf_safety.MAX_PAGES,
            pdf_safety.MAX_OBJECTS,
            pdf_safety.MAX_DEPTH,
            MAX_PDF_BYTES,
            version("pypdf"),
        )
    return _RULES


def _stat_without_links(unit_dir: str, on_disk: str) -> os.stat_result | None:
    """The file's status when neither the unit's folder nor any component of `on_disk` under it
    is a symbolic link, else None (a few lstat calls, where resolving the whole absolute path
    takes one per component from /). The last component's lstat is then the file's stat: a file
    is asked for its status twice (`locate`, then here) instead of three times, four with the
    build cache's lookup (28,000 files at 15,000 units)."""
    if os.path.islink(unit_dir):
        return None
    path, info = unit_dir, None
    for part in on_disk.split("/"):
        if not part:  # "a//b.pdf": no component there
            continue
        path = f"{path}/{part}"
        try:
            info = os.lstat(path)
        except OSError:
            return None  # gone since it was located: resolved and refused as not a file below
        if S_ISLNK(info.st_mode):
            return None
    return info


def locate(folder: Path, ref: str) -> str | None:
    """The path under `folder` that `ref` names, as spelled on disk: exactly, or else the one
    entry per component whose NFC form is the NFC form of that component. None if not there."""
    if os.path.lexists(folder / ref):
        return ref
    current, found = folder, []
    for part in ref.split("/"):
        if os.path.lexists(current / part):
            chosen = part
        else:
            wanted = unicodedata.normalize("NFC", part)
            try:
                matches = [n for n in os.listdir(current) if unicodedata.normalize("NFC", n) == wanted]
            except OSError:
                return None
            if len(matches) != 1:
                return None
            chosen = matches[0]
        found.append(chosen)
        current = current / chosen
    return "/".join(found)


def _missing_fix(ref: str, unit_dir: Path, suggest: bool = True) -> str:
    if not suggest or not unit_dir.is_dir():
        return messages.FILE_MISSING_HINT
    existing = sorted(unicodedata.normalize("NFC", p.name) for p in unit_dir.iterdir())
    close = difflib.get_close_matches(ref, existing, n=1, cutoff=0.6)
    if not close:
        return messages.FILE_MISSING_HINT
    case = messages.FILE_MISSING_CASE if close[0].casefold() == ref.casefold() else ""
    return messages.FILE_MISSING_CLOSE.format(name=close[0], case=case)


_TLD = re.compile(r"^(vn|com|edu|org|net|gov|info|io|asia|site|online)$")


def _looks_like_host(segment: str) -> bool:
    """`www.x.vn` or `thcs-a.hcm.edu.vn`: a link pasted without its https:// prefix."""
    labels = segment.lower().split(".")
    return (
        len(labels) >= 2
        and all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels)
        and (labels[0] == "www" or bool(_TLD.match(labels[-1])))
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
