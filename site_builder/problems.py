"""One record for every problem found in the data, whatever check found it.

A problem always names the file (repository-relative path), the line and column (1-based), the
field, what is wrong and how to fix it, in Vietnamese. Renderers (human, GitHub, JSON) only format
these records, so every output says the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    subject: str
    message: str
    fix: str = ""
    code: str = "invalid"
    severity: str = ERROR
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def text(self) -> str:
        """The one-line Vietnamese message: `path:line:col — subject: message fix`."""
        body = f"{self.subject}: {self.message}" if self.subject else self.message
        if self.fix:
            body = f"{body} {self.fix}"
        return f"{self.path}:{self.line}:{self.column} — {body}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["text"] = self.text()
        return data
