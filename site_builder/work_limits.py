"""How much work one unit file may cost, whatever it contains.

The schema already refuses more than 200 criteria and 20 evidence references per criterion,
with one message each. Past those counts the checks stop looking:
an 85,000-reference list is one "too long" problem, not 85,000 file look-ups, "did you mean"
searches and table rows. Fuzzy suggestions (the closest file name in the folder) cost a folder
listing each, so a file gets only the first few. tests/test_limits.py keeps these numbers equal
to the schema's.
"""

from __future__ import annotations

from itertools import islice

MAX_CRITERIA = 200  # schema/submission.schema.json: tieu_chi.maxProperties
MAX_REFERENCES = 20  # schema/submission.schema.json: $defs.criterion.minh_chung.maxItems
MAX_SUGGESTIONS = 3  # "did you mean «…»?" searches per unit file


def first(items, limit: int) -> list:
    """The first `limit` items (pairs for a mapping): what the checks look at."""
    if isinstance(items, dict):
        return list(islice(items.items(), limit))
    return list(islice(items, limit))
