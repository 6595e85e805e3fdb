"""The kinds of assessed units: one list, in display order, with the names people use.

A catalogue exists per period and unit type (`criteria/<period>/<type>.yaml`); schemas list the same
ids (a test checks they agree with this module).
"""

from __future__ import annotations

LABELS = {
    "phong-gddt": "Phòng GD&ĐT",
    "truong-pho-thong": "Trường phổ thông",
    "trung-tam-gdtx": "Trung tâm GDTX",
}
UNIT_TYPES = tuple(LABELS)


def label(unit_type: str) -> str:
    return LABELS.get(unit_type, unit_type)


def order(unit_type: str) -> tuple[int, str]:
    """Sort key: the order above, unknown types last."""
    return (UNIT_TYPES.index(unit_type) if unit_type in UNIT_TYPES else len(UNIT_TYPES), unit_type)
