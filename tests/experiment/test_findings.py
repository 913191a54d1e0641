"""Verdicts from measured rates: MOVER intervals and the stated three-way rule."""

import pytest

from whyalign.evals.stats import wilson
from whyalign.experiment.config import Finding
from whyalign.experiment.findings import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    REPRODUCED,
    combine,
    evaluate,
    mover,
)


def test_mover_matches_newcombe_for_a_difference():
    # Newcombe (1998), method 10, example (a): 56/70 - 48/80 = 0.2000, CI [0.0524, 0.3339]
    d = mover([(1.0, wilson(56, 70)), (-1.0, wilson(48, 80))])
    assert d["estimate"] == pytest.approx(0.2)
    assert d["low"] == pytest.approx(0.0524, abs=1e-3)
    assert d["high"] == pytest.approx(0.3339, abs=1e-3)
    assert mover([(1.0, wilson(0, 0))]) is None


def _rates(**arms):
    pooled, per_seed = {}, {}
    for name, by_split in arms.items():
        for split, seeds in by_split.items():
            k = sum(s[0] for s in seeds)
            n = sum(s[1] for s in seeds)
            pooled[(name, split)] = wilson(k, n).to_dict()
            for i, (ks, ns) in enumerate(seeds):
                per_seed[(name, split, i)] = wilson(ks, ns).to_dict()
    return pooled, per_seed


def _lower(arm="a", than="b"):
    return Finding(title="t", rule="lower", arm=arm, than=than, split="held_out")


def test_lower_reproduced_not_reproduced_inconclusive():
    pooled, seeds = _rates(
        a={"held_out": [(5, 100), (6, 100)]}, b={"held_out": [(40, 100), (45, 100)]}
    )
    assert evaluate(_lower(), pooled, seeds, [0, 1], 0.05)["verdict"] == REPRODUCED
    # reversed, clearly: not reproduced
    assert evaluate(_lower("b", "a"), pooled, seeds, [0, 1], 0.05)["verdict"] == NOT_REPRODUCED
    pooled, seeds = _rates(a={"held_out": [(2, 10), (2, 10)]}, b={"held_out": [(3, 10), (3, 10)]})
    assert evaluate(_lower(), pooled, seeds, [0, 1], 0.05)["verdict"] == INCONCLUSIVE


def test_a_seed_that_disagrees_makes_it_inconclusive():
    pooled, seeds = _rates(
        a={"held_out": [(0, 200), (30, 100)]}, b={"held_out": [(60, 200), (25, 100)]}
    )
    out = evaluate(_lower(), pooled, seeds, [0, 1], 0.05)
    assert out["comparisons"][0]["effect"]["low"] > 0
    assert out["verdict"] == INCONCLUSIVE


def test_drop_gap_compares_two_drops():
    f = Finding(title="t", rule="drop_gap", arm="demos", baseline="base", split="in_dist")
    pooled, seeds = _rates(
        base={"in_dist": [(60, 100)], "held_out": [(50, 100)]},
        demos={"in_dist": [(5, 100)], "held_out": [(45, 100)]},
    )
    out = evaluate(f, pooled, seeds, [0], 0.05)
    assert out["comparisons"][0]["effect"]["estimate"] == pytest.approx(0.55 - 0.05)
    assert out["verdict"] == REPRODUCED


def test_combine_is_a_conjunction():
    assert combine([REPRODUCED, REPRODUCED]) == REPRODUCED
    assert combine([REPRODUCED, INCONCLUSIVE]) == INCONCLUSIVE
    assert combine([REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE]) == NOT_REPRODUCED


def test_a_drop_that_comes_with_unparsed_replies_is_not_reproduced_but_inconclusive():
    pooled, seeds = _rates(
        a={"held_out": [(5, 100), (6, 100)]}, b={"held_out": [(40, 100), (45, 100)]}
    )
    pooled[("a", "held_out")]["parse_failure_rate"] = 0.8
    pooled[("b", "held_out")]["parse_failure_rate"] = 0.3
    out = evaluate(_lower(), pooled, seeds, [0, 1], 0.05)
    assert out["verdict"] == INCONCLUSIVE  # the arm may have lost the action format
    assert (
        "80%" in out["comparisons"][0]["caveat"]
        and "acting less" in out["comparisons"][0]["caveat"]
    )
    pooled[("a", "held_out")]["parse_failure_rate"] = 0.35
    out = evaluate(_lower(), pooled, seeds, [0, 1], 0.05)
    # a 5-point rise cannot explain a 37-point drop: the verdict stands, with the caveat sized
    assert out["verdict"] == REPRODUCED
    assert "at most 5.0 of the 37.0-point drop" in out["comparisons"][0]["caveat"]


def test_no_drop_from_a_floor_is_inconclusive_not_a_refutation():
    # The reference arm is already at 0/120: nothing could drop, so "ruled out" means nothing.
    pooled, seeds = _rates(a={"held_out": [(0, 120)]}, b={"held_out": [(0, 120)]})
    out = evaluate(_lower(), pooled, seeds, [0], 0.05)
    assert out["verdict"] == INCONCLUSIVE and "floor" in out["comparisons"][0]["caveat"]
    # A reference high enough to drop from, and no drop: a real negative result.
    pooled, seeds = _rates(a={"held_out": [(100, 400)]}, b={"held_out": [(90, 400)]})
    assert evaluate(_lower(), pooled, seeds, [0], 0.05)["verdict"] == NOT_REPRODUCED
    f = Finding(title="t", rule="drop_gap", arm="demos", baseline="base", split="in_dist")
    pooled, seeds = _rates(
        base={"in_dist": [(0, 120)], "held_out": [(20, 120)]},
        demos={"in_dist": [(0, 120)], "held_out": [(40, 120)]},
    )
    out = evaluate(f, pooled, seeds, [0], 0.05)
    assert out["verdict"] == INCONCLUSIVE and "floor" in out["comparisons"][0]["caveat"]


def test_a_measure_with_no_room_to_fall_cannot_show_it_moved_less():
    f = Finding(title="t", rule="drop_gap", arm="a", baseline="base", split="in_dist",
                versus="audit")  # fmt: skip
    # in_dist falls 60 -> 10 points; the audit's baseline is 6%: it could never fall that far
    pooled, per_seed = _rates(
        base={"in_dist": [(24, 40)] * 3, "audit": [(2, 36)] * 3},
        a={"in_dist": [(4, 40)] * 3, "audit": [(3, 36)] * 3},
    )
    c = evaluate(f, pooled, per_seed, [0, 1, 2], 0.05)["comparisons"][0]
    assert c["rule_verdict"] == REPRODUCED and c["verdict"] == INCONCLUSIVE
    assert c["guard"] == "room" and c["caveat"].startswith("room: base's audit rate")
    # with room (a 40% baseline), the same drop is measured
    pooled, per_seed = _rates(
        base={"in_dist": [(24, 40)] * 3, "audit": [(14, 36)] * 3},
        a={"in_dist": [(4, 40)] * 3, "audit": [(13, 36)] * 3},
    )
    c = evaluate(f, pooled, per_seed, [0, 1, 2], 0.05)["comparisons"][0]
    assert c["verdict"] == REPRODUCED and c["guard"] is None
