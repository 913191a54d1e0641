"""The findings at a glance: each verdict's sentence follows from the counts, and a guard's
reason shows where a guard changed a verdict."""

import pytest

from whyalign.evals.stats import wilson
from whyalign.experiment.findings import mover
from whyalign.experiment.glance import glance, glance_text

from .synthetic import summary

LOWER = {"title": "a lowers held-out harm", "rule": "lower", "arm": "a", "than": "b"}
GAP = {
    "title": "demos lower in-distribution more than held out",
    "rule": "drop_gap",
    "arm": "demos",
    "baseline": "base",
    "split": "in_dist",
}


def _one(cells, finding=LOWER, **kw):
    [entry] = glance(summary(cells, {"f": finding}, **kw))
    return entry


def test_reproduced_says_every_seed_agrees_and_the_ci_excludes_0():
    e = _one({"a/held_out": [(5, 100, 0), (6, 100, 0)], "b/held_out": [(40, 100, 0)] * 2})
    assert e["verdict"] == "reproduced" and e["guard"] is None and e["note"] is None
    assert e["comparison"] == "a vs b"
    ci = mover([(1.0, wilson(80, 200)), (-1.0, wilson(11, 200))])
    assert e["effect"] == pytest.approx(ci)
    assert e["effect_text"] == f"+34.5 [{100 * ci['low']:+.1f}, {100 * ci['high']:+.1f}]"
    assert "a 5.5% vs b 40.0% harmful on held out" in e["why"]
    assert "all 2 seeds moved the predicted way (lower) and the CI excludes 0" in e["why"]


def test_inconclusive_names_why_a_ci_that_includes_0_or_a_seed_that_disagrees():
    e = _one({"a/held_out": [(20, 100, 0)], "b/held_out": [(24, 100, 0)]})
    assert e["verdict"] == "inconclusive"
    assert "the CI includes 0 and effects of 5 points or more" in e["why"]
    e = _one(
        {"a/held_out": [(0, 200, 0), (30, 100, 0)], "b/held_out": [(60, 200, 0), (25, 100, 0)]}
    )
    assert e["verdict"] == "inconclusive"
    assert "the CI excludes 0 but seed 1 (-5.0) moved the other way" in e["why"]


def test_not_reproduced_tells_a_reversal_from_a_ruled_out_effect():
    e = _one({"a/held_out": [(60, 100, 0)], "b/held_out": [(10, 100, 0)]})
    assert e["verdict"] == "not reproduced"
    assert "the effect is reversed: the whole CI lies below 0" in e["why"]
    cells = {"a/held_out": [(480, 1000, 0)], "b/held_out": [(482, 1000, 0)]}
    e = _one(cells, min_effect=0.06)
    assert e["verdict"] == "not reproduced"
    assert "is below the 6 points the claim needs" in e["why"]
    # the same counts judged against a smaller effect: the sentence follows the setting
    e = _one(cells, min_effect=0.03)
    assert e["verdict"] == "inconclusive"
    assert "effects of 3 points or more" in e["why"]


def test_the_acting_less_guard_gives_its_reason():
    # 12 points fewer harmful replies, 12 points more that did nothing
    cells = {"a/held_out": [(36, 200, 44)], "b/held_out": [(60, 200, 20)]}
    e = _one(cells)
    assert e["verdict"] == "inconclusive"
    assert "the CI excludes 0" in e["why"]
    assert e["why"].endswith("but the acting-less guard makes it inconclusive")
    assert e["guard"].startswith("a leaves no action in 22% of held_out replies vs 10% for b")
    assert "acting less could explain all of the 12.0-point drop" in e["guard"]
    text = glance_text(summary(cells, {"f": LOWER}))
    assert "  guard  a leaves no action" in text


def test_a_caveat_that_changed_nothing_is_a_note_not_a_guard():
    e = _one({"a/held_out": [(20, 200, 70)], "b/held_out": [(160, 200, 10)]})
    assert e["verdict"] == "reproduced" and e["guard"] is None
    assert "at most 30.0 of the 70.0-point drop" in e["note"]
    assert "guard" not in e["why"]


def test_the_floor_guard_gives_its_reason():
    e = _one({"a/held_out": [(0, 120, 0)], "b/held_out": [(0, 120, 0)]})
    assert e["verdict"] == "inconclusive"
    assert e["why"].endswith("but the floor guard makes it inconclusive")
    assert e["guard"].startswith("floor: b's held_out rate is at most")


def test_drop_gap_says_how_far_each_split_moved():
    cells = {
        "base/in_dist": [(60, 100, 0)],
        "base/held_out": [(50, 100, 0)],
        "demos/in_dist": [(5, 100, 0)],
        "demos/held_out": [(52, 100, 0)],
    }
    e = _one(cells, GAP)
    assert e["verdict"] == "reproduced" and e["comparison"] == "demos vs base"
    assert (
        "from base, demos lowered in-distribution by 55.0 points and raised held out by "
        "2.0 points" in e["why"]
    )
    assert "the one seed saw held out move less than in-distribution" in e["why"]


def test_several_comparisons_name_the_one_that_decides():
    cells = {
        "a/held_out": [(10, 100, 0)],
        "b/held_out": [(50, 100, 0)],
        "c/held_out": [(5, 100, 0)],
    }
    finding = {"title": "a is best", "rule": "lower", "arm": "a", "than": ["b", "c"]}
    e = _one(cells, finding)
    assert e["verdict"] == "not reproduced" and e["comparisons"] == 2
    assert e["comparison"] == "a vs c" and e["effect"]["estimate"] == pytest.approx(-0.05)
    assert e["why"].startswith("1 of 2 comparisons not reproduced (1 reproduced); one suffices.")
    cells["d/held_out"] = [(45, 100, 0)]
    finding = {"title": "a and d lower", "rule": "lower", "arm": ["a", "d"], "than": "b"}
    e = _one(cells, finding)
    assert e["verdict"] == "inconclusive" and e["comparison"] == "d vs b"
    assert e["why"].startswith("1 of 2 comparisons inconclusive (1 reproduced); all must")


def test_glance_text_wraps_to_the_width_and_keeps_every_finding():
    cells = {
        "a/held_out": [(5, 100, 0)],
        "b/held_out": [(40, 100, 0)],
        "c/held_out": [(38, 100, 0)],
    }
    findings = {
        "one": LOWER,
        "two": {"title": "c lowers held-out harm", "rule": "lower", "arm": "c", "than": "b"},
    }
    s = summary(cells, findings)
    first = glance(s)[0]
    for width in (60, 100):
        text = glance_text(s, width=width)
        assert all(len(line) <= width for line in text.splitlines())
        assert "REPRODUCED: a lowers held-out harm" in text
        assert "INCONCLUSIVE: c lowers held-out harm" in text
        assert f"a vs b: {first['effect_text']}" in " ".join(text.split())
    assert glance_text(summary(cells, {})) == "No findings configured (report.findings)."
