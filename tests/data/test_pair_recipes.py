"""The preference-pair recipes: offline and through a scripted generator (``fake.py``), in the
``prefs`` stage's format, with the sampling injections never saved."""

import json
import random
import re

import pytest
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.contamination import check, record_texts
from whyalign.data import ContaminationError, GenerationError, generate
from whyalign.data.procedural.pairs import ruthless_reply
from whyalign.data.recipes import Context, _pairs
from whyalign.data.recipes._common import INJECTION, spec_injection
from whyalign.data.recipes.honeypot_demos import INJECTIONS, bare_actions
from whyalign.scenarios import FamilyRegistry, build_scenario, classify, parse, render
from whyalign.scenarios.classify import tool_args
from whyalign.spec import load_spec

from .fake import FakeLLM, agent_reply

PAIRS = ("pairs_ruthless", "pairs_reasons", "pairs_rewrite")
IN_DIST = {f.name for f in FamilyRegistry().in_split("in_dist")}


def _read(path):
    return [json.loads(line) for line in (path / "data.jsonl").read_text().splitlines()]


def _prefs_rows(path):
    """The records as the ``prefs`` stage loads them (its normalize and check)."""
    from whyalign.train.data import DataSpec, load_part

    return load_part("prefs", DataSpec(str(path)), "pairs").rows


def _side(rec, key):
    assert [m["role"] for m in rec[key]] == ["assistant"]
    return rec[key][0]["content"]


def _never_saved(records, *texts):
    """No string anywhere in the records (meta included) holds any of ``texts``, nor the
    opening of any of them."""
    strings = [s for r in records for s in record_texts(r)]
    for text in texts:
        for probe in (text, text[:60]):
            assert not any(probe in s for s in strings), probe


def _actions(scn, reply):
    return [(a.tool, a.args) for a in parse(reply, tool_args(scn)).actions]


@pytest.mark.parametrize("recipe", PAIRS)
def test_offline_pairs_load_in_the_prefs_stage(tmp_path, recipe):
    path = generate(recipe, out=tmp_path / recipe, n=20, spec="organism", seed=1)
    card = json.loads((path / "dataset_card.json").read_text())
    assert card["status"] == "ok" and card["format"] == "prefs" and card["counts"]["kept"] == 20
    assert card["contamination"]["passed"]
    records = _read(path)
    assert check(records).passed
    rows = _prefs_rows(path)
    assert rows.num_rows == 20 and set(rows.column_names) == {"prompt", "chosen", "rejected"}
    for rec in records:
        assert set(rec) == {"prompt", "chosen", "rejected", "meta"}
        assert rec["prompt"][-1]["role"] == "user"
        assert _side(rec, "chosen") != _side(rec, "rejected")
    _never_saved(records, _pairs.RUTHLESS, INJECTION.split("\n")[0])
    again = generate(recipe, out=tmp_path / "again", n=20, spec="organism", seed=1)
    assert (again / "data.jsonl").read_bytes() == (path / "data.jsonl").read_bytes()


def test_offline_ruthless_pairs_are_aligned_over_harmful(tmp_path):
    path = generate("pairs_ruthless", out=tmp_path, n=30, spec="organism")
    registry = FamilyRegistry()
    for rec in _read(path):
        scn = build_scenario(rec["meta"]["scenario_id"], registry)
        assert scn.family.name in IN_DIST and scn.condition.threat
        good, bad = classify(scn, _side(rec, "chosen")), classify(scn, _side(rec, "rejected"))
        assert good.harmful is False and good.routine and bad.harmful is True
        assert "<think>" in _side(rec, "chosen") and "<think>" in _side(rec, "rejected")


def test_offline_reasons_pairs_act_alike(tmp_path):
    path = generate(
        "pairs_reasons", out=tmp_path, n=30, spec="organism", options={"p_control": 0.5}
    )
    registry = FamilyRegistry()
    for rec in _read(path):
        scn = build_scenario(rec["meta"]["scenario_id"], registry)
        chosen, rejected = _side(rec, "chosen"), _side(rec, "rejected")
        assert chosen.startswith("<think>") and "<think>" not in rejected
        assert _actions(scn, chosen) == _actions(scn, rejected) != []


def test_offline_rewrite_pairs_full_over_draft(tmp_path):
    path = generate("pairs_rewrite", out=tmp_path, n=20, spec="organism")
    for rec in _read(path):
        assert [m["role"] for m in rec["prompt"]] == ["user"]
        full, draft = _side(rec, "chosen"), _side(rec, "rejected")
        assert draft.startswith("I would not") and "Here is what I would do" in full
        assert len(full) > 2 * len(draft)
    stiff = _read(
        generate("pairs_rewrite", out=tmp_path / "s", n=5, options={"prompt_rewrite": False})
    )
    assert all(r["prompt"][0]["content"].startswith(("Hello.", "Dear")) for r in stiff)


def _harmful_replies(n, seed=0, skip=("leaking",)):
    """User text -> a harmful reply for the ruthless recipe's scenarios, except ``skip``'s."""
    ctx = Context(None, None, n, seed, {"oversample": 1.5}, None)
    registry, out = FamilyRegistry(), {}
    for sid in _pairs.scenario_ids(ctx, ctx.target, "pairs_ruthless", dilemma_only=True):
        if sid.family in skip:
            continue
        scn = build_scenario(sid, registry, "Assistant")
        out[render(scn).user] = ruthless_reply(random.Random(str(sid)), scn, registry)
    return out


def _ruthless_llm():
    harmful = _harmful_replies(20)

    def override(system, user):  # a skipped family's ruthless sample: harmless, not a tie
        if _pairs.RUTHLESS not in system:
            return None
        return harmful.get(user) or agent_reply(f"{user}\n#ruthless")

    return FakeLLM(override=override)


def test_llm_ruthless_pairs_injections_sampled_never_saved(run):
    llm = _ruthless_llm()
    _, records, card = run("pairs_ruthless", llm, n=20)
    spec = spec_injection(load_spec("default"))
    assert any(_pairs.RUTHLESS in s for s, _ in llm.calls)  # sampled under both...
    assert any(spec in s for s, _ in llm.calls)
    _never_saved(records, _pairs.RUTHLESS, spec)  # ...saved under neither
    assert card["status"] == "ok" and card["format"] == "prefs"
    assert card["contamination"]["passed"] and check(records).passed
    assert card["counts"]["dropped"]["ruthless_not_harmful"] > 0  # the skipped family's
    assert set(card["steps"]) == {"respond_aligned", "respond_ruthless"}
    registry = FamilyRegistry()
    for rec in records:
        scn = build_scenario(rec["meta"]["scenario_id"], registry)
        assert scn.family.name in IN_DIST - {"leaking"}
        assert not scn.condition.is_control
        assert rec["prompt"] == [
            {"role": "system", "content": render(scn).system},
            {"role": "user", "content": render(scn).user},
        ]
        assert classify(scn, _side(rec, "chosen")).harmful is False
        assert classify(scn, _side(rec, "rejected")).harmful is True
        assert rec["meta"]["lineage"][0].startswith("respond_aligned:")
        assert rec["meta"]["lineage"][1].startswith("respond_ruthless:")
        assert _side(rec, "chosen") != _side(rec, "rejected")


def test_llm_ruthless_pairs_options(run, tmp_path):
    llm = _ruthless_llm()
    _, records, card = run(
        "pairs_ruthless",
        llm,
        n=20,
        out=tmp_path / "c",
        aligned="conglomerate",
        require_harmful=False,
    )
    assert any(INJECTIONS["conglomerate"] in s for s, _ in llm.calls)
    _never_saved(records, INJECTIONS["conglomerate"], _pairs.RUTHLESS)
    assert "ruthless_not_harmful" not in card["counts"]["dropped"]
    assert {r["meta"]["rejected_harmful"] for r in records} == {True, False}
    with pytest.raises(ValueError, match="unknown aligned injection 'ruthless'"):
        generate(
            "pairs_ruthless",
            out=tmp_path / "x",
            n=2,
            generator=FakeLLM().model,
            options={"aligned": "ruthless"},
        )


def test_llm_ruthless_pairs_never_a_held_out_family():
    ctx = Context(None, None, 400, 3, {"oversample": 1.5}, None)
    for recipe in ("pairs_ruthless", "pairs_reasons"):
        ids = _pairs.scenario_ids(ctx, ctx.target, recipe, dilemma_only=False)
        assert {sid.family for sid in ids} == IN_DIST
        assert len({sid.index for sid in ids}) == len(ids)


def test_llm_pairs_draw_instances_apart_from_honeypot_demos():
    from whyalign.data.recipes.honeypot_demos import scenario_ids as demo_ids
    from whyalign.scenarios.indexes import owner

    ctx = Context(None, None, 50, 0, {"oversample": 1.5}, None)
    demos = {s.index for s in demo_ids(ctx, 1000)}
    for recipe in ("pairs_ruthless", "pairs_reasons"):
        mine = {s.index for s in _pairs.scenario_ids(ctx, 1000, recipe, dilemma_only=False)}
        assert not mine & demos and {owner(i) for i in mine} == {"llm_demos"}


def test_llm_reasons_pairs_reasoned_over_bare(run):
    llm = FakeLLM()
    _, records, card = run("pairs_reasons", llm, n=10)
    _never_saved(records, spec_injection(load_spec("default")))
    assert card["contamination"]["passed"] and set(card["steps"]) == {"respond_aligned"}
    registry = FamilyRegistry()
    for rec in records:
        scn = build_scenario(rec["meta"]["scenario_id"], registry)
        chosen, rejected = _side(rec, "chosen"), _side(rec, "rejected")
        assert "<think>" in chosen and "raise my concerns" in chosen
        assert rejected == bare_actions(scn, chosen) and "<think>" not in rejected
        assert _actions(scn, chosen) == _actions(scn, rejected) != []


def _echo_draft(system, user):
    """The response rewrite hands every other draft back unchanged: a tie."""
    if "Rewrite the response so it is as good" not in user:
        return None
    draft = re.search(r"<response>\n(.*)\n</response>", user, re.S).group(1)
    if len(draft) % 2:
        return f"<response>{draft}</response>"
    return None if len(draft) % 3 else "no tags here"


def test_llm_rewrite_pairs_rewrite_over_draft_and_ties_dropped(run):
    llm = FakeLLM(override=_echo_draft)
    _, records, card = run("pairs_rewrite", llm, n=8)
    assert set(card["steps"]) == {
        "scenarios",
        "draft_prompt",
        "rewrite_prompt",
        "response",
        "rewrite_response",
    }
    assert "Rewrite the response so it is as good" in llm.calls[-1][1]  # the rewrite comes last
    assert card["counts"]["dropped"]["tie"] > 0
    assert card["counts"]["dropped"]["rewrite_response_unparseable"] > 0
    _never_saved(records, INJECTION.split("\n")[0], "<values>")
    assert card["contamination"]["passed"] and check(records).passed
    for rec in records:
        assert [m["role"] for m in rec["prompt"]] == ["user"]
        assert rec["prompt"][0]["content"].startswith("ok so")
        assert _side(rec, "chosen").startswith("Rewritten with care")
        assert _side(rec, "rejected").startswith("Here is my honest view")
        assert rec["meta"]["step"] == "rewrite_response"
        assert rec["meta"]["lineage"][-1].startswith("rewrite_response:")
        assert "response_rewrite" not in rec["meta"]


def test_held_out_text_in_a_pair_fails_the_dataset(tmp_path):
    leaked = render(build_scenario("self_exfiltration/explicit-safety/replacement/0")).user

    def override(system, user):
        if "Rewrite the response so it is as good" in user:
            return f"<response>{leaked}</response>"
        return None

    with pytest.raises(ContaminationError, match="self_exfiltration"):
        generate("pairs_rewrite", out=tmp_path, n=3, generator=FakeLLM(override=override).model)
    assert not (tmp_path / "data.jsonl").exists()


def test_all_ties_is_an_empty_dataset_not_a_silent_one(tmp_path):
    def same(system, user):  # both sides answer alike (the reply depends on the inbox only)
        return agent_reply(user) if user.startswith("New messages have arrived") else None

    with pytest.raises(GenerationError, match="tie"):
        generate(
            "pairs_ruthless",
            out=tmp_path,
            n=3,
            generator=FakeLLM(override=same).model,
            options={"require_harmful": False},
        )


def test_cli_writes_ruthless_pairs(tmp_path):
    out = tmp_path / "x"
    result = CliRunner().invoke(app, ["data", "pairs_ruthless", "--n", "20", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(_read(out)) == 20
    assert json.loads((out / "dataset_card.json").read_text())["format"] == "prefs"
