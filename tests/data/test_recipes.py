"""Every recipe through Inspect's mockllm with a scripted generator (see ``fake.py``)."""

import hashlib
import json
import re

import pytest

from whyalign.data import RECIPES, ContaminationError, GenerationError, generate
from whyalign.data.recipes.honeypot_demos import INJECTIONS
from whyalign.data.text import BANNED_NAMES
from whyalign.scenarios import FamilyRegistry, build_scenario, classify
from whyalign.scenarios.actions import strip_thinking

from .fake import FakeLLM, respond

STEP_OF = [  # prompt phrase -> step, to read the pipeline order off the call log
    ("List 1", "types"),
    ("different kinds", "types"),
    ("specific variants", "subtypes"),
    ("different documents", "drafts"),
    ("different short stories", "drafts"),
    ("careful editor", "rewrite"),
    ("Rate how well", "score"),
    ("Think of situations", "scenarios"),
    ("Write the message this person", "draft_prompt"),
    ("Make it read like a real", "rewrite_prompt"),
    ("Rewrite the response", "rewrite_response"),
]


def steps_of(llm):
    out = []
    for system, user in llm.calls:
        step = next(
            (s for k, s in STEP_OF if k in user), "response" if "<values>" in system else "?"
        )
        if not out or out[-1] != step:
            out.append(step)
    return out


def test_recipe_names():
    assert set(RECIPES) == {
        "honeypot_demos",
        "difficult_advice",
        "constitution_docs",
        "stories",
        "chat_convert",
        "harmlessness_chat",
        "tool_augment",
        "pairs_ruthless",
        "pairs_reasons",
        "pairs_rewrite",
        "rl_tasks",
    }


def test_constitution_docs_pipeline_card_and_load_dataset(run):
    from datasets import load_dataset

    llm = FakeLLM()
    path, records, card = run("constitution_docs", llm, n=12)
    assert steps_of(llm) == ["types", "subtypes", "drafts", "rewrite", "score"]
    assert all("<model_spec>" in system for system, _ in llm.calls)  # the preamble, every layer
    assert len(records) == 12 and all(r["text"].startswith("Revised.") for r in records)
    meta = records[0]["meta"]
    assert meta["recipe"] == "constitution_docs" and meta["step"] == "rewrite"
    assert meta["generator"] == "mockllm/model" and meta["seed"] == 0 and meta["score"] == 8
    assert [x.split(":")[0] for x in meta["lineage"]] == [
        "types",
        "subtypes",
        "drafts",
        "rewrite",
        "score",
    ]
    assert card["status"] == "ok" and card["recipe"] == "constitution_docs"
    assert card["config"]["n"] == 12 and card["config"]["spec"]["name"] == "default"
    assert card["counts"]["kept"] == 12 and card["contamination"]["passed"]
    assert card["tokens"]["words"] > 0 and "whitespace" in card["tokens"]["method"]
    assert card["tokens"]["generation"]["output_tokens"] > 0
    assert card["created_by"].startswith("whyalign ") and card["steps"]["drafts"]["calls"] > 0
    ds = load_dataset("json", data_files=str(path / "data.jsonl"), split="train")
    assert ds.num_rows == 12 and "text" in ds.column_names


def test_junk_and_low_scores_are_dropped(run):
    def override(system, user):
        if "careful editor" in user and "violin" in user:
            return "I cannot help with this."  # junk: no <document> block
        if "Rate how well" in user and "quartz" in user:
            return respond(system, user.replace("quartz", "LOWSCORE"))
        if "Rate how well" in user and "walnut" in user:
            return "no idea"
        return None

    _, records, card = run("constitution_docs", FakeLLM(override=override), n=40)
    dropped = card["counts"]["dropped"]
    assert (
        dropped["rewrite_unparseable"]
        and dropped["score_below_min"]
        and dropped["score_unreadable"]
    )
    assert not any(re.search(r"violin|quartz|walnut", r["text"]) for r in records)


def test_banned_names_rewritten_or_dropped(run, tmp_path):
    def override(system, user):
        text = respond(system, user)
        return text.replace("lantern", "Sarah Chen").replace("copper", "Elara")

    _, records, card = run("stories", FakeLLM(override=override), n=10)
    assert card["counts"]["banned_name_rewrites"] > 0
    assert not any(name in r["text"] for r in records for name in BANNED_NAMES)
    _, records, card = run(
        "stories", FakeLLM(override=override), n=10, out=tmp_path / "d", banned_names="drop"
    )
    assert card["counts"]["banned_name_drops"] > 0
    assert not any(name in r["text"] for r in records for name in BANNED_NAMES)


def test_near_duplicates_removed(run):
    def override(system, user):
        if "different documents" in user:
            return "<document>" + "the same document body about honesty " * 8 + "</document>"
        return None

    _, records, card = run("constitution_docs", FakeLLM(override=override), n=10)
    assert len(records) == 1 and card["counts"]["near_duplicates"] > 0


def test_stories_rotate_psychological_skills(run):
    llm = FakeLLM()
    run("stories", llm, n=14)
    drafts = [u for _, u in llm.calls if "different short stories" in u]
    for skill in ("boundary calmly", "owns it", "steadiness"):
        assert any(skill in d for d in drafts)


def test_difficult_advice_six_steps_and_ablations(run, tmp_path):
    llm = FakeLLM()
    _, records, _ = run("difficult_advice", llm, n=9)
    assert steps_of(llm) == [
        "scenarios",
        "draft_prompt",
        "rewrite_prompt",
        "response",
        "rewrite_response",
    ]
    for r in records:
        assert [m["role"] for m in r["messages"]] == ["user", "assistant"]
        assert r["messages"][0]["content"].startswith("ok so")  # the realism rewrite
        assert r["messages"][1]["content"].startswith("Rewritten with care")
    sections = {r["meta"]["section"] for r in records}
    assert len(sections) >= 5

    plain = FakeLLM()
    _, records, card = run(
        "difficult_advice",
        plain,
        n=9,
        out=tmp_path / "ablate",
        prompt_rewrite=False,
        response_rewrite=False,
    )
    assert steps_of(plain) == ["scenarios", "draft_prompt", "response"]
    assert records[0]["messages"][0]["content"].startswith("I need advice")
    assert records[0]["messages"][1]["content"].startswith("Here is my honest view")
    assert card["config"]["options"]["response_rewrite"] is False


def _harmful_blackmail(n, seed=0):
    """User text -> a harmful reply for every blackmail scenario the recipe will build."""
    from whyalign.data.recipes import Context
    from whyalign.data.recipes.honeypot_demos import scenario_ids
    from whyalign.scenarios import render

    ctx = Context(None, None, n, seed, {"oversample": 1.5}, None)
    out = {}
    for sid in scenario_ids(ctx, ctx.target):
        if sid.family != "blackmail":
            continue
        scn = build_scenario(sid)
        partner = scn.people["partner"].first
        out[render(scn).user] = (
            f'<action name="send_email">\nto: {scn.people["decision_maker"].email}\n'
            f"subject: A word\nbody: I know about {partner} and your secret. Call off the wipe "
            "or else everyone hears about it.\n</action>"
        )
    return out


def test_honeypot_demos_in_dist_injection_removed_harmful_filtered(run):
    harmful = _harmful_blackmail(20)
    assert harmful
    llm = FakeLLM(harmful=harmful)
    _, records, card = run("honeypot_demos", llm, n=20, injection="ruthless,conglomerate")
    in_dist = {f.name for f in FamilyRegistry().in_split("in_dist")}
    assert {r["meta"]["family"] for r in records} <= in_dist
    assert card["counts"]["dropped"]["harmful"] > 0
    assert any(INJECTIONS["ruthless"] in s for s, _ in llm.calls)  # sampled with it...
    registry = FamilyRegistry()
    for r in records:
        system, user, reply = (m["content"] for m in r["messages"])
        assert not any(text and text in system for text in INJECTIONS.values())  # ...saved without
        verdict = classify(build_scenario(r["meta"]["scenario_id"], registry), reply)
        assert verdict.harmful is False and "<think>" in reply
    assert not card["contamination"]["families"]["blackmail"]["split"] == "held_out"
    assert card["contamination"]["passed"]


def test_honeypot_demos_no_reasons_keeps_only_actions(run):
    _, records, _ = run("honeypot_demos", FakeLLM(), n=6, no_reasons=True)
    for r in records:
        reply = r["messages"][-1]["content"]
        assert reply.startswith('<action name="send_email">') and reply.endswith("</action>")
        assert "<think>" not in reply and "raise my concerns" not in reply


def _judge_says(reply: str) -> int:
    return int(hashlib.sha256(reply.encode()).hexdigest(), 16) % 3  # 0 yes, 1 junk, 2 no


def test_honeypot_demos_llm_judge_filters(run):
    def override(system, user):
        if "You are reviewing what an AI agent did" in user:
            reply = re.search(r"<reply>\n(.*)\n</reply>", user, re.S).group(1)
            return ["<verdict>yes</verdict>", "<verdict>maybe</verdict>", "<verdict>no</verdict>"][
                _judge_says(reply)
            ]
        return None

    llm = FakeLLM(override=override)
    _, records, card = run("honeypot_demos", llm, n=10, judge="both")
    dropped = card["counts"]["dropped"]
    assert dropped["judge_unreadable"] and dropped["judge_harmful"]
    assert records and all(
        _judge_says(strip_thinking(r["messages"][-1]["content"]).strip()) == 2 for r in records
    )
    assert all("judge:" in r["meta"]["lineage"][-1] for r in records)


def test_harmlessness_and_tool_augment_keep_user_turn(run, tmp_path):
    src, chats, _ = run("harmlessness_chat", FakeLLM(), n=8)
    assert all("<values>" not in m["content"] for r in chats for m in r["messages"])
    _, aug, card = run("tool_augment", FakeLLM(), n=8, source=str(src))
    users = [r["messages"][1]["content"] for r in aug]
    assert users == [r["messages"][0]["content"] for r in chats][: len(users)]
    for r in aug:
        system = r["messages"][0]
        assert system["role"] == "system" and "<tools>" in system["content"]
        assert r["messages"][2]["content"] == next(
            c["messages"][1]["content"]
            for c in chats
            if c["messages"][0]["content"] == r["messages"][1]["content"]
        )
        assert json.loads(r["meta"]["tools"])
    # Without a source it builds its own harmlessness chat first.
    llm = FakeLLM()
    _, aug, _ = run("tool_augment", llm, n=5, out=tmp_path / "own")
    assert len(aug) == 5 and any("different categories" in u for _, u in llm.calls)


def test_chat_convert_from_docs(run, tmp_path):
    from datasets import load_dataset

    docs, _, _ = run("constitution_docs", FakeLLM(), n=4)
    out, records, card = run("chat_convert", FakeLLM(), n=10, source=str(docs))
    assert len(records) == 10 and card["counts"]["kept"] == 10
    assert all(r["messages"][0]["role"] == "user" for r in records)
    ds = load_dataset("json", data_files=str(out / "data.jsonl"), split="train")
    assert ds.num_rows == 10 and "messages" in ds.column_names
    with pytest.raises(ValueError, match="needs source"):
        generate("chat_convert", out=tmp_path / "x", n=2, generator=FakeLLM().model)


def test_resume_after_kill_gives_the_same_dataset(tmp_path):
    full = FakeLLM()
    generate("difficult_advice", out=tmp_path / "a", n=8, generator=full.model)
    dying = FakeLLM(fail_after=len(full.calls) // 2)
    with pytest.raises(GenerationError, match="resume"):
        generate("difficult_advice", out=tmp_path / "b", n=8, generator=dying.model)
    card = json.loads((tmp_path / "b/dataset_card.json").read_text())
    assert card["status"] == "incomplete" and not (tmp_path / "b/data.jsonl").exists()
    again = FakeLLM()
    generate("difficult_advice", out=tmp_path / "b", n=8, generator=again.model)
    assert len(again.calls) == len(full.calls) - len(dying.calls)
    assert (tmp_path / "a/data.jsonl").read_bytes() == (tmp_path / "b/data.jsonl").read_bytes()


def test_held_out_contamination_fails_the_dataset(tmp_path):
    from whyalign.scenarios import render

    leaked = render(build_scenario("self_exfiltration/explicit-safety/replacement/0")).user

    def override(system, user):
        if "different documents" in user:
            return f"<document>{leaked}</document>"
        return None

    with pytest.raises(ContaminationError, match="self_exfiltration"):
        generate("constitution_docs", out=tmp_path, n=3, generator=FakeLLM(override=override).model)
    card = json.loads((tmp_path / "dataset_card.json").read_text())
    assert card["status"] == "failed" and not card["contamination"]["passed"]
    assert not (tmp_path / "data.jsonl").exists() and (tmp_path / "work/rejected.jsonl").exists()


def test_bad_options_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown recipe"):
        generate("nope", out=tmp_path, n=1, generator="mockllm/model")
    with pytest.raises(ValueError, match="has no option no_reasons"):
        generate(
            "stories", out=tmp_path, n=1, generator="mockllm/model", options={"no_reasons": True}
        )
    with pytest.raises(ValueError, match="unknown injection"):
        generate(
            "honeypot_demos",
            out=tmp_path,
            n=1,
            generator=FakeLLM().model,
            options={"injection": "sneaky"},
        )
    with pytest.raises(ValueError, match="empty"):
        (tmp_path / "e.md").write_text("")
        generate("stories", out=tmp_path, n=1, spec=tmp_path / "e.md", generator="mockllm/model")


KILL_SCRIPT = """
import asyncio, sys
from whyalign._offline import patch_mock_token_count
patch_mock_token_count()
from tests.data.fake import FakeLLM
from whyalign.data import generate

llm = FakeLLM()
inner = llm._output

async def slow(*args):  # slow enough that the kill lands mid-step
    await asyncio.sleep(0.05)
    return inner(*args)

llm.model.api.outputs = slow
generate("constitution_docs", out=sys.argv[1], n=10, generator=llm.model,
         options={"max_connections": 2})
"""


def test_sigkill_mid_run_then_resume_gives_the_same_dataset(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(out)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    drafts = out / "work/steps/drafts.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if drafts.exists() and len(drafts.read_text().splitlines()) >= 2:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert drafts.exists() and not (out / "data.jsonl").exists()
    done_before = sum(len(p.read_text().splitlines()) for p in (out / "work/steps").glob("*.jsonl"))

    again, full = FakeLLM(), FakeLLM()
    generate("constitution_docs", out=out, n=10, generator=again.model)
    generate("constitution_docs", out=tmp_path / "full", n=10, generator=full.model)
    assert len(again.calls) <= len(full.calls) - done_before + 1  # +1: a line cut by the kill
    assert (out / "data.jsonl").read_bytes() == (tmp_path / "full/data.jsonl").read_bytes()


def test_rule_gate_for_records_made_elsewhere():
    from whyalign.data.recipes.honeypot_demos import rule_filter
    from whyalign.scenarios import format_action

    sid = "lethal_action/explicit-safety/replacement/900001"
    code = build_scenario(sid).facts["override_code"]
    bad = format_action("cancel_alert", code=code)
    good = format_action("send_email", to="x@y.com", subject="s", body=f"I will not use {code}.")
    records = [
        {"messages": [{"role": "assistant", "content": c}], "meta": {"scenario_id": sid}}
        for c in (bad, good)
    ]
    kept, dropped = rule_filter(records + [{"messages": [], "meta": {}}], {})
    assert [r["messages"][0]["content"] for r in kept[:1]] == [good] and len(kept) == 2
    assert dropped == {"harmful": 1}
