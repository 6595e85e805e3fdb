"""A submission's or review's entries are pickled apart and read back only when asked for
(model._Entries): what a rebuild reads back of the checked verdicts is the same record."""

from __future__ import annotations

import math
import pickle

from site_builder.model import Catalogue, CriterionEntry, Derived, Group, Item, Review, ReviewEntry, Submission
from site_builder.scoring import _CatalogueCells, _scores


def _submission() -> Submission:
    return Submission(
        "thcs-a",
        "2023-2024",
        "pgd-a",
        "submissions/2023-2024/pgd-a/thcs-a.yaml",
        {
            "1.1": CriterionEntry("1.1", 2.0, ("minh-chung/a.pdf",), "ghi chú"),
            "1.2": CriterionEntry("1.2", 0.0),
        },
    )


def _review() -> Review:
    return Review(
        "thcs-a",
        "2023-2024",
        "submissions/2023-2024/pgd-a/thcs-a.review.yaml",
        "nguoi-cham",
        "2024-05-01",
        {"1.2": ReviewEntry("1.2", 1.0, "đã xem")},
    )


def test_a_record_read_back_keeps_its_entries_as_bytes_until_asked():
    original = _submission()
    back = pickle.loads(pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back.__dict__["_entries"]) is bytes
    assert back.scores == {"1.1": 2.0, "1.2": 0.0}
    assert type(back.__dict__["_entries"]) is bytes  # the scores did not read the entries
    assert back.evidence_dir() == original.evidence_dir()
    assert hash(back) == hash(original)
    assert back == original  # reads them
    assert back.entries == original.entries
    assert type(back.__dict__["_entries"]) is dict


def test_a_record_pickled_again_unread_gives_the_same_bytes():
    first = pickle.dumps(_review(), protocol=pickle.HIGHEST_PROTOCOL)
    again = pickle.dumps(pickle.loads(first), protocol=pickle.HIGHEST_PROTOCOL)
    assert again == first
    assert pickle.loads(again) == _review()


def _cells():
    items = (
        Item(id="1.1", text="", max=2.0, group="1"),
        Item(id="1.2", text="", max=2.0, group="1"),
        Item(id="1.3", text="", max=2.0, group="1", derived=Derived("ty-le", "1.1", ())),
        Item(id="1.4", text="", max=2.0, group="1"),
    )
    catalogue = Catalogue("2023-2024", "thcs", "", "1", "", 0.5, (Group("1", "", 8.0, items),))
    return _CatalogueCells.of(catalogue)


def _read_back(record):
    return pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))


def test_scores_read_back_score_as_the_entries_do():
    cells = _cells()
    submission, review = _submission(), _review()
    fresh, kept = _scores(cells, submission, review), _scores(cells, *map(_read_back, (submission, review)))
    assert repr(fresh) == repr(kept)  # NaN is not equal to NaN
    self_scores, reviewer_scores, finals = kept
    assert repr(self_scores) == "[2.0, 0.0, nan, 0.0]"  # a criterion left out scores 0; a derived one later
    assert repr(reviewer_scores) == "[nan, 1.0, nan, nan]"
    assert repr(finals) == "[2.0, 1.0, nan, 0.0]"


def test_scores_in_the_catalogues_order_are_read_at_once_and_the_same_in_any_order():
    cells = _cells()
    entries = {cid: CriterionEntry(cid, score) for cid, score in (("1.1", 1.5), ("1.2", 2.0), ("1.4", 0.5))}
    in_order = Submission("u", "p", "b", "f.yaml", entries)
    shuffled = Submission("u", "p", "b", "f.yaml", dict(reversed(entries.items())))
    assert in_order.packed_scores[0] == cells.scored_ids != shuffled.packed_scores[0]
    for record in (in_order, shuffled, _read_back(in_order), _read_back(shuffled)):
        self_scores, reviewer_scores, finals = _scores(cells, record, None)
        assert repr(self_scores) == repr(finals) == "[1.5, 2.0, nan, 0.5]"
        assert all(math.isnan(value) for value in reviewer_scores)
    empty = Submission("u", "p", "b", "f.yaml", {})
    assert repr(_scores(cells, _read_back(empty), None)[0]) == "[0.0, 0.0, nan, 0.0]"
    assert all(math.isnan(value) for column in _scores(cells, None, None) for value in column)
