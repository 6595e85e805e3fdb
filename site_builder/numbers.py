"""How numbers (and dates) are written, for every reader: one formatter each.

Pages and downloads show the Vietnamese decimal comma, rounded to two places (4,5). A value a
person typed into a YAML file is quoted back in messages, templates and pull-request comments as
they must type it: a dot, nothing rounded away (4.25, not 4,25 nor 4,3). Both go through `number`.
"""

from __future__ import annotations

import datetime as dt
import math

SITE_DECIMAL = ","
DATA_DECIMAL = "."


def number(value, empty: str = "—", *, decimal: str = SITE_DECIMAL, places: int | None = 2) -> str:
    """4.5 -> "4,5"; 5.0 -> "5"; None or NaN -> `empty` (pages pass it: `|num("")`). `places=None`
    keeps every digit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    if places is None:
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    else:
        text = f"{round(float(value), places):.{places}f}".rstrip("0").rstrip(".")
        text = "0" if text == "-0" else text
    return text.replace(".", decimal)


def as_typed(value) -> str:
    """A number as it is written in a data file: 4.0 -> "4", 4.25 -> "4.25"."""
    return number(value, decimal=DATA_DECIMAL, places=None)


def day(value: dt.date | dt.datetime | None, empty: str = "—") -> str:
    """A date as Vietnamese readers write it: 06/10/2023."""
    if value is None:
        return empty
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def thousands(value: int) -> str:
    """12345678 -> "12.345.678" (Vietnamese groups thousands with dots)."""
    return f"{value:,}".replace(",", ".")


def megabytes(size: int) -> str:
    """Size in MB with one decimal, rounded up so that "over the limit" never shows as the limit."""
    tenths = -(-size * 10 // 1048576)
    return f"{tenths // 10},{tenths % 10}"
