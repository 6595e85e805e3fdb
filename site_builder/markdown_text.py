"""Text from data, made inert in GitHub Markdown (pull-request comments, job summaries).

Anyone can open a pull request, so a file name, an evidence name, a unit name or a value quoted
in a message is attacker-controlled. Once it reaches Markdown it must stay text: no link, image,
HTML (an unclosed `<!--` would hide the rest of the comment), heading, table break, or GitHub
@mention. Every such value goes through one of these functions:

    inline(text)      text inside a sentence or a table cell
    code(text)        a code span outside tables
    cell_code(text)   a code span inside a table cell
    handle(login)     a GitHub account shown without notifying it

How:
- Hidden characters (controls, bidi marks) are shown as escapes (`safe_text.printable`), line
  breaks become spaces, so a value cannot start a new block or reorder the line.
- In text, ASCII punctuation with a Markdown meaning is backslash-escaped (CommonMark allows
  `\\` before any ASCII punctuation): `[` `]` `!` `<` `>` `&` `#` `|` `*` `_` `` ` `` `~` `\\`,
  `$` (GitHub math), and `:` and `.` so that `https://…` and `www.…` are not autolinked.
  Parentheses need no escape once `[` is escaped, except ")" after leading digits ("1) …").
  `-`, `+` and `=` matter only at the start of a line (list item, underline), so only a leading
  one is escaped; `.` and `:` between two digits are left as they are ("1.2", "12:30"): there
  they cannot start anything, and scores and criterion ids stay readable in the raw text.
- GitHub turns `@name`, `@org/team`, `#123` and e-mail addresses into links and notifications
  after Markdown is rendered, from the text itself, so escaping does not help there. A ZERO
  WIDTH SPACE (U+200B) is put right after every `@` and `#` that precedes a letter or digit:
  GitHub's patterns need the name to follow the sign directly, the character is invisible, and
  it is the usual way (in release notes quoted by bots) to quote a handle without pinging it.
  Code spans are never scanned for mentions, so they keep the value exactly.
- Code spans use a backtick fence one longer than the longest backtick run inside (CommonMark),
  padded with a space when the value starts or ends with a backtick or a space.
- Inside tables GFM splits cells on `|` before it parses code spans, so `cell_code` writes the
  pipe as `\\|`, which the table parser turns back into `|` inside the code span.
"""

from __future__ import annotations

import re

from site_builder.safe_text import printable, shorten

ZWSP = "\u200b"
CELL_LIMIT = 300  # characters of one value in a table cell: a row can never fill a comment
_SPECIAL = set("\\`*_[]<>#!|~&:@$.")
_LEADING = set("-+=")  # list item, setext underline, thematic break: only at the start of a line
_DIGIT_JOINERS = set(".:")
_ORDERED_ITEM = re.compile(r"^(\d+)\)")
_MENTION_SIGNS = re.compile(r"([@#])(?=[0-9A-Za-z\u00c0-\uffff])")


def _clean(text, limit: int | None) -> str:
    return printable(shorten(str(text), limit), spaces_for_breaks=True)


def inline(text, limit: int | None = None) -> str:
    """`text` as literal Markdown text: safe in a paragraph, a list item or a table cell."""
    clean = _clean(text, limit)
    out = []
    last = len(clean) - 1
    for index, char in enumerate(clean):
        if char in _LEADING and index == 0:
            out.append("\\" + char)
        elif char in _SPECIAL:
            between_digits = (
                char in _DIGIT_JOINERS
                and 0 < index < last
                and clean[index - 1].isdigit()
                and clean[index + 1].isdigit()
            )
            out.append(char if between_digits else "\\" + char)
        else:
            out.append(char)
    text = _ORDERED_ITEM.sub(r"\1\\)", "".join(out))  # "1) …" would start a numbered list
    return _MENTION_SIGNS.sub(lambda m: m.group(1) + ZWSP, text)


def cell(text, limit: int | None = CELL_LIMIT) -> str:
    """`inline` with a length limit: one value never makes a table row longer than a screen."""
    return inline(text, limit)


def code(text, limit: int | None = None) -> str:
    """`text` as a code span (shown exactly, monospace, never linked or mentioned)."""
    return _span(_clean(text, limit))


def cell_code(text, limit: int | None = CELL_LIMIT) -> str:
    """A code span that is safe inside a GFM table cell."""
    return _span(_clean(text, limit)).replace("|", "\\|")


def handle(login, limit: int | None = 100) -> str:
    """A GitHub account, shown as @login but inert: no notification, no link."""
    return "@" + ZWSP + inline(login, limit)


def _span(text: str) -> str:
    if not text:
        return "` `"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if (text[0] in "` " or text[-1] in "` ") and text.strip(" "):  # all spaces: kept as they are
        text = f" {text} "
    return f"{fence}{text}{fence}"
