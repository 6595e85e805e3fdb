"""GitHub's hard limits, and a small helper that keeps Markdown inside them by construction.

- A comment body: at most 65,536 characters; longer ones are refused by the API (the report
  would simply not appear). GitHub counts as JavaScript does (`String.length`, UTF-16 code
  units); that count is never smaller than the number of code points, so a body that fits in
  UTF-16 units fits whichever way it is counted.
- A step's job summary ($GITHUB_STEP_SUMMARY): at most 1 MiB; a larger one is not shown at all
  and the step gets an error annotation instead.
- Annotations: at most 10 error and 10 warning annotations per step (50 per job); the rest are
  dropped silently, so we choose which to show and say how many more there are.

`Lines` builds a document line by line and only ever adds whole lines (a table row, a code
span is never cut): a caller reserves room for what must come last, adds optional rows while
they fit, and counts what it left out.
"""

from __future__ import annotations

from collections.abc import Callable

COMMENT_LIMIT = 65_536
SUMMARY_LIMIT = 1024 * 1024
ERROR_ANNOTATIONS_PER_STEP = 10
WARNING_ANNOTATIONS_PER_STEP = 10
ANNOTATION_TEXT_LIMIT = 2_000  # characters of one annotation message (a value could be 1 MB)


def comment_length(text: str) -> int:
    """Length as GitHub counts a comment body: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


class Lines:
    """Whole lines under a size limit (measured with `measure`, newline included)."""

    def __init__(self, limit: int, measure: Callable[[str], int], reserve: int = 0):
        self.limit = limit
        self.measure = measure
        self.lines: list[str] = []
        self.used = 0
        self.reserve = reserve

    def room(self) -> int:
        return self.limit - self.reserve - self.used

    def fits(self, *lines: str) -> bool:
        return sum(self.measure(line) + 1 for line in lines) <= self.room()

    def add(self, *lines: str) -> bool:
        """Add all `lines` if they all fit (else none) and say whether they were added."""
        if not self.fits(*lines):
            return False
        for line in lines:
            self.lines.append(line)
            self.used += self.measure(line) + 1
        return True

    def force(self, *lines: str) -> None:
        """Add lines that must be there (the caller reserved room for them)."""
        for line in lines:
            self.lines.append(line)
            self.used += self.measure(line) + 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
