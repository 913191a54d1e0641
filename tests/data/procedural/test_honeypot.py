"""Honeypot demonstrations: in-dist only, exactly the eval's compact prompt, never harmful."""

import json
import re
from typing import get_args

import pytest

from tests.scenarios.user_family import write_user_family
from whyalign.data.procedural import generate_records, honeypot
from whyalign.data.procedural._spec import TOPICS
from whyalign.scenarios import FamilyRegistry, build_scenario, classify, render
from whyalign.scenarios.actions import strip_thinking
from whyalign.scenarios.indexes import PROCEDURAL_DEMOS
from whyalign.scenarios.schema import SpecTopic


@pytest.mark.parametrize(
    "options,kinds", [({}, {"own"}), ({"no_reasons": True}, {"own", "other"})]
)
def test_demos_are_in_dist_compact_renders_and_never_harmful(dataset, options, kinds):
    # Reasoned demonstrations are the assistant's own; bare ones keep the eval's name mix.
    records = dataset("honeypot_demos", **options)
    in_dist = {f.name for f in FamilyRegistry().in_split("in_dist")}
    families, agents, controls = set(), set(), set()
    for rec in records:
        meta = rec["meta"]
        scn = build_scenario(meta["scenario_id"])
        assert scn.family.split == "in_dist" and scn.family.name in in_dist
        assert scn.id.index in PROCEDURAL_DEMOS  # entities drawn apart from the eval's
        system, user, reply = (m["content"] for m in rec["messages"])
        shown = render(scn, "compact")
        assert (system, user) == (shown.system, shown.user)
        verdict = classify(scn, reply)
        assert verdict.harmful is False and verdict.routine and verdict.parsed, reply
        families.add(scn.family.name)
        agents.add(scn.condition.agent)
        controls.add(scn.condition.is_control)
    assert families == in_dist and agents == kinds and controls == {True, False}


@pytest.mark.parametrize(
    "with_reasons,bare_options",
    [({}, {"agent": "own"}), ({"agent": "mixed"}, {})],  # each arm's default, and its twin
)
def test_reasons_and_bare_actions_share_prompts_and_actions(dataset, with_reasons, bare_options):
    # Named alike, the two arms differ only in the reasoning.
    reasoned = dataset("honeypot_demos", **with_reasons)
    bare = dataset("honeypot_demos", no_reasons=True, **bare_options)
    for r, b in zip(reasoned, bare, strict=True):
        assert r["meta"]["reasons"] is True and b["meta"]["reasons"] is False
        assert r["messages"][:2] == b["messages"][:2]
        with_think, without = r["messages"][2]["content"], b["messages"][2]["content"]
        assert with_think.startswith("<think>") and "</think>" in with_think
        assert "<think>" not in without
        assert strip_thinking(with_think).strip() == without.strip()


def test_naming_the_agent_changes_only_its_name(dataset):
    own, mixed = dataset("honeypot_demos"), dataset("honeypot_demos", agent="mixed")
    same = 0
    for a, b in zip(own, mixed, strict=True):
        if a["meta"].get("redraw") or b["meta"].get("redraw"):
            continue
        x, y = build_scenario(a["meta"]["scenario_id"]), build_scenario(b["meta"]["scenario_id"])
        assert (x.family.name, x.id.index, x.condition.goal_type, x.condition.urgency) == (
            y.family.name, y.id.index, y.condition.goal_type, y.condition.urgency)
        same += x.condition.agent == y.condition.agent
    assert 0.3 * len(own) < same < 0.7 * len(own)  # the other-named half took the own name


def test_an_unknown_agent_kind_is_an_error(sections):
    with pytest.raises(ValueError, match="unknown agent 'self'"):
        generate_records("honeypot_demos", sections, n=2, seed=0, options={"agent": "self"})


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


def test_a_harmful_demo_is_caught_not_written(sections, tmp_path, monkeypatch):
    # A family file whose routine answer is the harmful act: the guard must refuse it.
    path = write_user_family(
        tmp_path,
        '- tool: send_email\n        args:\n          to: "{colleague.email}"\n'
        '          body: "Hi {colleague.first}, early shift at 8, late shift at 12."',
        '- tool: disable_badge\n        args:\n          badge: "{badge}"',
    )
    monkeypatch.setattr(honeypot, "demo_families", lambda reg: ["badge_lockout"])
    with pytest.raises(RuntimeError, match="not a clean aligned reply"):
        generate_records(
            "honeypot_demos", sections, n=5, seed=0, options={"family_files": [str(path)]}
        )


def test_a_user_family_file_gets_demonstrations(sections, tmp_path):
    path = write_user_family(tmp_path)
    registry = FamilyRegistry([path])
    records = generate_records("honeypot_demos", sections, n=120, seed=0,
                               options={"family_files": str(path)})
    mine = [r for r in records if r["meta"]["family"] == "badge_lockout"]
    assert len(mine) > 5 and {r["meta"]["control"] for r in mine} == {True, False}
    for rec in mine:
        scn = build_scenario(rec["meta"]["scenario_id"], registry)
        shown = render(scn, "compact")
        assert rec["messages"][1]["content"] == shown.user
        verdict = classify(scn, rec["messages"][2]["content"])
        assert verdict.harmful is False and verdict.routine and verdict.parsed
    # The user's family joins the built-in ones.
    alone = generate_records("honeypot_demos", sections, n=120, seed=0)
    assert {r["meta"]["family"] for r in alone} < {r["meta"]["family"] for r in records}


def test_a_held_out_user_family_gets_no_demonstrations(sections, tmp_path):
    path = write_user_family(tmp_path, "split: in_dist", "split: held_out")
    records = generate_records("honeypot_demos", sections, n=120, seed=0,
                               options={"family_files": [str(path)]})
    assert "badge_lockout" not in {r["meta"]["family"] for r in records}
    assert records == generate_records("honeypot_demos", sections, n=120, seed=0)


def test_an_answers_topic_is_one_the_spec_view_knows():
    # A family file names the spec topic its harm breaks; the schema lists the same topics.
    assert get_args(SpecTopic) == (*TOPICS, "general")


def test_a_user_family_gets_demonstrations_through_the_cli(tmp_path):
    """No code: a family file with an answers block, named with -O, is demonstrated, and the
    rule gate grades its demos against that same file."""
    from typer.testing import CliRunner

    from whyalign.cli import app

    family = write_user_family(tmp_path)
    out = tmp_path / "demos"
    result = CliRunner().invoke(
        app,
        ["data", "honeypot_demos", "--n", "40", "--out", str(out), "-O", f"family_files={family}"],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "data.jsonl").read_text().splitlines()]
    assert "badge_lockout" in {r["meta"]["scenario_id"].split("/")[0] for r in rows}
