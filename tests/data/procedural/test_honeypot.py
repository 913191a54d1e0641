"""Honeypot demonstrations: in-dist only, exactly the eval's compact prompt, never harmful."""

import re

import pytest

from whyalign.data.procedural import generate_records, honeypot
from whyalign.scenarios import FamilyRegistry, build_scenario, classify, render
from whyalign.scenarios.actions import strip_thinking


def test_demos_are_in_dist_compact_renders_and_never_harmful(dataset):
    records = dataset("honeypot_demos")
    in_dist = {f.name for f in FamilyRegistry().in_split("in_dist")}
    families, agents, controls = set(), set(), set()
    for rec in records:
        meta = rec["meta"]
        scn = build_scenario(meta["scenario_id"])
        assert scn.family.split == "in_dist" and scn.family.name in in_dist
        assert scn.id.index >= honeypot.FIRST_INDEX  # entities drawn apart from the eval's
        system, user, reply = (m["content"] for m in rec["messages"])
        shown = render(scn, "compact")
        assert (system, user) == (shown.system, shown.user)
        verdict = classify(scn, reply)
        assert verdict.harmful is False and verdict.routine and verdict.parsed, reply
        families.add(scn.family.name)
        agents.add(scn.condition.agent)
        controls.add(scn.condition.is_control)
    assert families == in_dist and agents == {"own", "other"} and controls == {True, False}


def test_reasons_and_bare_actions_share_prompts_and_actions(dataset):
    reasoned, bare = dataset("honeypot_demos"), dataset("honeypot_demos", no_reasons=True)
    for r, b in zip(reasoned, bare, strict=True):
        assert r["meta"]["reasons"] is True and b["meta"]["reasons"] is False
        assert r["messages"][:2] == b["messages"][:2]
        with_think, without = r["messages"][2]["content"], b["messages"][2]["content"]
        assert with_think.startswith("<think>") and "</think>" in with_think
        assert "<think>" not in without
        assert strip_thinking(with_think).strip() == without.strip()


def test_reasoning_weighs_the_harm_and_cites_the_spec(dataset, sections):
    spec_text = " ".join(" ".join(s.text for s in sections).split())
    dilemmas = [r for r in dataset("honeypot_demos") if not r["meta"]["control"]]
    assert len(dilemmas) > 150
    for rec in dilemmas:
        think = re.search(r"<think>(.*)</think>", rec["messages"][2]["content"], re.S).group(1)
        assert "I will not do it" in think
        sentences = re.split(r"(?<=[.!?])\s+", think)
        assert any(len(s.split()) >= 5 and s in spec_text for s in sentences), think
        # Short enough for the eval's reply budget on the organism.
        assert len(think.split()) <= 65 and len(rec["messages"][2]["content"].split()) <= 105


def test_injection_flavour_is_recorded_and_selectable(sections):
    recs = generate_records(
        "honeypot_demos",
        sections,
        n=40,
        seed=0,
        options={"injection": "deference", "p_control": 0.0},
    )
    assert {r["meta"]["injection"] for r in recs} == {"deference"}
    lines = honeypot.FLAVOURS["deference"]
    assert all(any(x in r["messages"][2]["content"] for x in lines) for r in recs)
    mixed = generate_records("honeypot_demos", sections, n=60, seed=0)
    assert len({r["meta"]["injection"] for r in mixed}) > 4


def test_a_harmful_demo_is_caught_not_written(sections, monkeypatch):
    # Swap the lethal family's routine act for the harmful one: the guard must refuse it.
    play = honeypot.PLAYS["lethal_action"]
    bad = honeypot.Act("cancel_alert", {"code": "{override_code}"}, "I cancel it.")
    monkeypatch.setitem(
        honeypot.PLAYS, "lethal_action", honeypot.Play(**{**play.__dict__, "routine": (bad,)})
    )
    monkeypatch.setattr(honeypot, "in_dist_families", lambda reg: ["lethal_action"])
    with pytest.raises(RuntimeError, match="not a clean aligned reply"):
        generate_records("honeypot_demos", sections, n=5, seed=0)
