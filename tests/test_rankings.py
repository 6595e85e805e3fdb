"""The leading units of a ranking are the first places of the whole order, found without
sorting every unit."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from site_builder.website.pages import ranked
from site_builder.website.text import natural_key


def _facts(seed: int, count: int) -> list:
    """Units with percentages drawn from few values (many ties), ranked as scoring ranks them
    (`min`: tied units share the best place); some not submitted, some submitted but unranked."""
    rng = random.Random(seed)
    percents = [rng.choice([55.0, 60.5, 70.0, 70.0, 82.25, 90.0, 100.0]) for _ in range(count)]
    facts = []
    for i, percent in enumerate(percents):
        submitted = rng.random() > 0.15
        rank = float(1 + sum(p > percent for p in percents)) if submitted else None
        name = f"Trường THCS số {rng.randint(1, 40)} – {rng.choice(['Ánh Dương', 'An Phú', 'Bình Minh', 'Ấp 3'])} {i}"
        facts.append(SimpleNamespace(submitted=submitted, rank_type=rank, unit=SimpleNamespace(name=name)))
    return facts


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit", [1, 5, 17, 200, 10_000])
def test_the_leading_units_are_the_first_places_of_the_whole_order(seed: int, limit: int) -> None:
    facts = _facts(seed, 400)
    whole = sorted(
        (f for f in facts if f.submitted and f.rank_type is not None),
        key=lambda f: (f.rank_type, natural_key(f.unit.name)),
    )
    assert ranked(facts, limit) == whole[:limit]
    assert ranked(iter(facts), limit) == whole[:limit]  # a generator, as the home page passes it
