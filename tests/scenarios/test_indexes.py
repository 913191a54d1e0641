"""Scenario index ranges: one place, no overlaps, and every user draws inside its own."""

import random
from itertools import combinations

import pytest

from whyalign.scenarios.conditions import core_grid, expand
from whyalign.scenarios.indexes import (
    EVAL,
    LLM_DEMOS,
    ORGANISM_EVALLIKE,
    PROCEDURAL_DEMOS,
    RANGES,
    owner,
)


@pytest.mark.parametrize(("a", "b"), list(combinations(RANGES, 2)))
def test_the_ranges_are_disjoint(a, b):
    x, y = RANGES[a], RANGES[b]
    assert x and y
    assert max(x.start, y.start) >= min(x.stop, y.stop), (a, b)


def test_every_index_has_one_owner():
    assert owner(0) == "eval" and owner(EVAL.stop - 1) == "eval"
    assert owner(PROCEDURAL_DEMOS.start) == "procedural_demos"
    assert owner(ORGANISM_EVALLIKE.start) == "organism_evallike"
    assert owner(LLM_DEMOS.start + 5 * 100_000) == "llm_demos"
    with pytest.raises(ValueError, match="in no range"):
        owner(-1)


def test_the_eval_draws_inside_its_range():
    ids = list(expand("blackmail", core_grid(), samples=50))
    assert {owner(sid.index) for sid in ids} == {"eval"}


class _Ctx:
    """What ``scenario_ids`` reads of a recipe run: its seed and a seeded stream."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def rng(self, *parts: str) -> random.Random:
        return random.Random(":".join((str(self.seed), *parts)))


@pytest.mark.parametrize("seed", [0, 3, 41])
def test_the_llm_recipe_draws_inside_its_range(seed):
    from whyalign.data.recipes.honeypot_demos import scenario_ids

    assert {owner(sid.index) for sid in scenario_ids(_Ctx(seed), 40)} == {"llm_demos"}
