"""Values from data, made safe to show: nothing invisible, nothing the terminal would obey.

A file name or a YAML value can carry control characters (an ANSI escape that recolours or
clears the terminal, a carriage return that overwrites the line before it) or invisible
direction marks that reorder what a reviewer reads. Every place that shows such a value to a
person (terminal, annotations, Markdown) passes it through `printable` first, so there is one
definition of "hidden character" in the package.
"""

from __future__ import annotations

import unicodedata

# Cc: C0/C1 controls and DEL; Cf: format characters (bidi embeddings and isolates, zero-width
# joiners and spaces, BOM); Zl/Zp: line and paragraph separators; Cs: lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def escape_char(char: str) -> str:
    """`\\n`, `\\x1b`, `\\u202e`: the Python spelling, which a reader can look up."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, *, spaces_for_breaks: bool = False) -> str:
    """`text` with every hidden character written as a visible escape. With
    `spaces_for_breaks`, line breaks and tabs become one space instead (table cells)."""
    text = str(text)
    if text.isprintable():  # the common case costs one C-level scan
        return text
    out = []
    for char in text:
        if spaces_for_breaks and char in "\n\r\t\v\f\u2028\u2029\x85":
            out.append(" ")
        elif is_hidden(char):
            out.append(escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def shorten(text: str, limit: int | None) -> str:
    """At most `limit` characters, the last being "…" when something was cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"
