"""The bytes page keys digest (website/key_bytes.py): equal values give equal bytes whichever
objects hold them, different values different bytes, and a value with no stable form none."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import pickle

from site_builder.website.key_bytes import key_bytes


@dataclasses.dataclass(frozen=True)
class Commit:
    sha: str
    when: dt.datetime | None


def copy_of(text: str) -> str:
    """The same text in another object (what reading it back from a pickle gives)."""
    return pickle.loads(pickle.dumps(text))


def test_the_same_text_in_one_object_or_two_gives_the_same_bytes():
    rating = "Trung bình"
    shared = [{"rating": rating}, {"rating": rating}]
    apart = [{"rating": rating}, {"rating": copy_of(rating)}]
    assert apart[1]["rating"] is not rating
    assert pickle.dumps(shared) != pickle.dumps(apart)  # what made keys differ between builds
    assert key_bytes(shared) == key_bytes(apart)


def test_different_values_give_different_bytes():
    when = dt.datetime(2024, 5, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    values = [
        {"a": 1},
        {"a": 1.0},
        {"a": True},
        {"a": "1"},
        {"a": None},
        {"a": [1]},
        {"a": math.nan},
        {"b": 1},
        Commit("abc", when),
        Commit("abd", when),
        Commit("abc", when + dt.timedelta(microseconds=1)),
        Commit("abc", when.astimezone(dt.UTC)),  # the same moment, shown at another hour
        dt.date(2024, 5, 3),
        "2024-05-03",
    ]
    found = [key_bytes(v) for v in values]
    assert None not in found
    assert len(set(found)) == len(values)


def test_a_value_with_no_stable_form_gives_no_bytes():
    assert key_bytes({"a": {1, 2}}) is None  # a set: its order changes from one process to the next
    assert key_bytes({("a", "b"): 1}) is None  # a key that is not text
    assert key_bytes(object()) is None
