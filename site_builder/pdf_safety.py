"""Is an evidence PDF one we can publish? It must open, be of a sensible length, and carry no
active content.

The site serves evidence files as they were uploaded, to anyone. A PDF can carry JavaScript,
actions that run when the file or a page is opened (/OpenAction, /AA), commands that start other
programs (/Launch), whole other files (/EmbeddedFiles, file attachments), Flash/video/3D
(/RichMedia) or XFA forms. None of that belongs in a scanned report, and "print to PDF again"
removes all of it, so such files are refused, wherever in the file the content sits: every
object of the file is looked at (not only the places a well-formed file would use).

Cost is bounded before anything large is read: the page tree's declared /Count is checked first
(a 100,000-page file is refused after reading its cross-reference table and two objects), the
page tree is walked with a budget (a /Count that lies does not help), and a file with more
objects than MAX_OBJECTS is refused as too complex rather than scanned.

`inspect` returns a `Verdict` (a code and one detail, no prose): evidence.py words it through
messages.py and caches it by content hash (verdict_cache.py). Change RULES_VERSION whenever the
rules change, so cached verdicts are not reused.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

RULES_VERSION = 2
MAX_PAGES = 500  # a thick annual report has 200; 500 leaves room and keeps every check fast
MAX_OBJECTS = 300_000  # ordinary 500-page scans have a few thousand objects
MAX_DEPTH = 64  # nesting of direct dictionaries and arrays inside one object

logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings would bury our messages

# Keys whose mere presence means active content, and what it is.
_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the document's JavaScript name tree
    "/AA": "auto-action",  # additional actions: on page open/close, on focus, on keystroke
    "/EmbeddedFiles": "embedded",  # the document's embedded-file name tree
    "/EF": "embedded",  # a file specification carrying the file itself
    "/XFA": "xfa",
    "/RichMediaContent": "richmedia",
    "/RichMediaSettings": "richmedia",
}
# Action types (/S) that run something or send something.
_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/SubmitForm": "submit",
    "/RichMediaExecute": "richmedia",
    "/Rendition": "richmedia",
    "/Movie": "richmedia",
    "/Sound": "richmedia",
}
# Annotation subtypes that play media or carry files.
_SUBTYPES = {
    "/RichMedia": "richmedia",
    "/Screen": "richmedia",
    "/Movie": "richmedia",
    "/Sound": "richmedia",
    "/3D": "richmedia",
    "/FileAttachment": "embedded",
}


@dataclass(frozen=True)
class Verdict:
    """`code` is "" for a good file; `detail` is the kind of active content or the page count."""

    code: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.code

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.detail}


GOOD = Verdict()


def inspect(data: bytes) -> Verdict:
    if not data.lstrip()[:5] == b"%PDF-":
        return Verdict("pdf-fake")
    if b"%%EOF" not in data[-2048:]:
        return Verdict("pdf-truncated")
    from pypdf import PdfReader  # imported here: validating YAML alone must stay fast
    from pypdf.generic import IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return Verdict("pdf-encrypted")
        root = reader.trailer["/Root"].get_object()
        pages = root["/Pages"].get_object()  # type: ignore[index]  # a missing key raises, caught below
        declared = _get(pages, "/Count")
        if isinstance(declared, int) and declared > MAX_PAGES:
            return Verdict("pdf-too-many-pages", str(int(declared)))
        count = _count_pages(pages)
        if count is None:
            return Verdict("pdf-too-many-pages")
        if count < 1:
            return Verdict("pdf-empty")
        ids = [(num, gen) for gen, table in reader.xref.items() for num in table]
        ids += [(num, 0) for num in reader.xref_objStm]
        if len(ids) > MAX_OBJECTS:
            return Verdict("pdf-too-complex")
        for num, gen in ids:
            found = _active(reader.get_object(IndirectObject(num, gen, reader)))
            if found:
                return Verdict("pdf-active-content", found) if found != "too-deep" else Verdict("pdf-too-complex")
    except Exception:  # pypdf raises many types for broken files; each means "cannot be opened"
        return Verdict("pdf-broken")
    return GOOD


def _count_pages(pages) -> int | None:
    """Leaves of the page tree, or None past MAX_PAGES (or a tree too large to be honest)."""
    leaves, visited, budget = 0, set(), 2 * MAX_PAGES + 100
    stack = [pages]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return None
        if _get(node, "/Type") == "/Pages" or "/Kids" in node:
            key = id(node)
            if key in visited:  # a cycle or a shared subtree: not a page list anyone made honestly
                continue
            visited.add(key)
            kids = _get(node, "/Kids") or []
            if len(kids) > MAX_PAGES:
                return None
            stack.extend(kid.get_object() for kid in kids)
        else:
            leaves += 1
            if leaves > MAX_PAGES:
                return None
    return leaves


def _active(obj) -> str:
    """The kind of active content in one object (its direct dictionaries and arrays), or ""."""
    from pypdf.generic import ArrayObject, DictionaryObject

    stack = [(obj, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "too-deep"
        if isinstance(node, DictionaryObject):
            for key in node:
                if key in _KEYS:
                    return _KEYS[key]
            action = _get(node, "/S")
            if isinstance(action, str) and action in _ACTIONS:
                return _ACTIONS[action]
            subtype = _get(node, "/Subtype")
            if isinstance(subtype, str) and subtype in _SUBTYPES:
                return _SUBTYPES[subtype]
            if _get(node, "/Type") == "/EmbeddedFile":
                return "embedded"
            if "/OpenAction" in node:
                found = _open_action(_get(node, "/OpenAction"))
                if found:
                    return found
            values = dict.values(node)  # as stored: references are visited as objects of their own
        elif isinstance(node, ArrayObject):
            values = list.__iter__(node)  # type: ignore[assignment]  # both are iterables of objects
        else:
            continue
        for value in values:
            if isinstance(value, (DictionaryObject, ArrayObject)):
                stack.append((value, depth + 1))
    return ""


def _get(node, key):
    """`node[key]` with a reference resolved (pypdf's `get` returns references as stored)."""
    from pypdf.generic import IndirectObject

    value = dict.get(node, key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _open_action(open_action) -> str:
    """/OpenAction may be a destination (an array: open at page 1) or an action; only "go to a
    page of this file" without a follow-up action is harmless."""
    from pypdf.generic import DictionaryObject

    if not isinstance(open_action, DictionaryObject):
        return ""
    kind = _get(open_action, "/S")
    if isinstance(kind, str) and kind in _ACTIONS:
        return _ACTIONS[kind]
    if "/JS" in open_action:
        return "javascript"
    return "open-action" if kind != "/GoTo" or "/Next" in open_action else ""
