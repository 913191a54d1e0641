"""The tiny organism end to end: build, cache hit, resume after an interruption, eval."""

import json

import pytest

from whyalign.organism.build import build, build_dir, code_shape, is_built, plan_for


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("cache")
    mp.setenv("WHYALIGN_CACHE", str(path))
    yield path
    mp.undo()


def test_tiny_build_is_small_cached_and_loads(cache):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build("tiny", 0, log=lambda m: None, progress=False)
    info = json.loads((path / "organism.json").read_text())
    assert is_built("tiny", 0) and info["preset"] == "tiny"
    # build seconds are only comparable with the machine they were measured on
    assert info["machine"]["threads"] >= 1 and info["machine"]["cpu_capability"]
    model = AutoModelForCausalLM.from_pretrained(path)
    assert sum(p.numel() for p in model.parameters()) < 1_000_000
    tok = AutoTokenizer.from_pretrained(path)
    assert tok.chat_template and tok.eos_token == "<|end|>"
    contamination = json.loads((build_dir("tiny", 0) / "contamination.json").read_text())
    assert contamination["pretrain"]["passed"] and contamination["sft"]["passed"]
    messages = []
    assert build("tiny", 0, log=messages.append, progress=False) == path
    assert messages == [f"cache hit: {path}"]


def test_interrupted_build_resumes_from_its_steps(cache, monkeypatch):
    seed = 7
    calls = []
    import whyalign.train.stages as stages  # the build imports train_stage at each step

    original = stages.train_stage

    def dies_in_sft(stage, model, tok, data, out, *args, **kwargs):
        calls.append((stage, out.name))
        if stage == "chat":
            raise KeyboardInterrupt
        return original(stage, model, tok, data, out, *args, **kwargs)

    monkeypatch.setattr(stages, "train_stage", dies_in_sft)
    with pytest.raises(KeyboardInterrupt):
        build("tiny", seed, log=lambda m: None, progress=False)
    # the two drill phases before or after pretraining as the plan says, the cool-down, then
    # SFT (killed)
    plan = plan_for("tiny", seed)
    assert plan.cooldown is not None  # so the test covers it
    drilled = [phase for phase, mix in (("warm", plan.warm), ("drills", plan.drill)) if mix]
    docs = [*drilled, "pretrain"] if plan.drills_first else ["pretrain", *drilled]
    assert calls == [*(("docs", d) for d in [*docs, "cooldown"]), ("chat", "sft")]
    assert not is_built("tiny", seed)
    monkeypatch.setattr(stages, "train_stage", original)
    log = []
    build("tiny", seed, log=log.append, progress=False)
    steps = ("corpus", "pretrain", "warm", "drills", "cooldown")
    cached = {f"[{step}] cached" for step in steps}
    assert cached <= set(log) and "[sft] running" in log
    assert is_built("tiny", seed)


def test_the_cooldown_trains_the_pretrained_model_on_episodes_alone(cache, monkeypatch):
    import whyalign.train.stages as stages

    seed = 3
    seen = {}
    plan = plan_for("tiny", seed)
    root = build_dir("tiny", seed)
    original = stages.train_stage

    def until_cooldown(stage, model, tok, data, out, cfg, *args, **kwargs):
        if out.name != "cooldown":
            return original(stage, model, tok, data, out, cfg, *args, **kwargs)
        seen["start"], seen["data"], seen["cfg"] = model.name_or_path, data, cfg
        raise KeyboardInterrupt  # what it was handed is the test

    monkeypatch.setattr(stages, "train_stage", until_cooldown)
    with pytest.raises(KeyboardInterrupt):
        build("tiny", seed, log=lambda m: None, progress=False)
    start, data, cfg = seen["start"], seen["data"], seen["cfg"]
    assert start == str(root / "pretrain" / "model")  # tiny pretrains after its drills
    assert cfg.max_steps == plan.cooldown.steps and cfg.learning_rate == plan.cooldown.learning_rate
    corpus = [json.loads(line) for line in (root / "corpus.jsonl").open()]
    evallike = sum("scenario_id" in d for d in corpus)
    world = sum(d["kind"] == "episode" and "scenario_id" not in d for d in corpus)
    assert evallike > 0 and len(data) == evallike + min(plan.cooldown.world_episodes, world)
    # every row is an episode: a chat with an assistant turn, no story or directory page
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(root / "tokenizer")
    assert all("<|assistant|>" in tok.decode(row) for row in data["input_ids"])


def test_eval_on_the_tiny_organism(cache, tmp_path):
    from whyalign.evals.config import EvalConfig
    from whyalign.evals.run import run_eval

    config = EvalConfig(families=["blackmail"], samples=1, max_tokens=24)
    result = run_eval(config, tmp_path, model="organism/tiny")
    assert result["status"] == "success" and result["settings"]["renderer"] == "compact"
    assert result["splits"]["in_dist"]["n"] == 8 and result["splits"]["in_dist"]["errors"] == 0


def test_the_induction_circuit_is_held_through_every_stage_before_sft(tmp_path, monkeypatch):
    from dataclasses import replace

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from whyalign.organism import model as presets
    from whyalign.organism.model import init_model_for

    monkeypatch.setenv("WHYALIGN_CACHE", str(tmp_path))
    monkeypatch.setitem(presets.PRESETS, "tiny", replace(presets.PRESETS["tiny"], induction=True))
    assert plan_for("tiny", 0).drills_first  # so pretraining loads a drilled model from disk
    build("tiny", 0, log=lambda m: None, progress=False)
    root = build_dir("tiny", 0)
    seeded = init_model_for("tiny", AutoTokenizer.from_pretrained(root / "tokenizer"), 0)
    d = seeded.config.head_dim

    def heads(model):  # the previous-token head and the induction head, as written
        layers = model.model.layers
        return [layers[n].self_attn.v_proj.weight[:d] for n in (0, 1)]

    for stage in ("warm", "drills", "pretrain"):
        trained = AutoModelForCausalLM.from_pretrained(root / stage / "model")
        for a, b in zip(heads(seeded), heads(trained), strict=True):
            assert torch.equal(a, b), stage
    sft = AutoModelForCausalLM.from_pretrained(root / "sft" / "model")
    assert not all(torch.equal(a, b) for a, b in zip(heads(seeded), heads(sft), strict=True))


def test_the_cache_key_ignores_docstrings_and_comments_but_not_code():
    base = 'def f(x):\n    """Twice x."""\n    return 2 * x\n'
    reworded = '"""A module."""\n\n\ndef f(x):\n    """Double it."""  # why\n    return 2 * x\n'
    assert code_shape(base) == code_shape(reworded)
    assert code_shape(base) != code_shape(base.replace("2 * x", "3 * x"))
    only_doc = 'def g():\n    """Nothing else."""\n'
    assert code_shape(only_doc) != code_shape("def g():\n    return 1\n")


def test_inspect_eval_runs_the_suite_on_the_organism_provider(cache, tmp_path):
    """`inspect eval whyalign/honeypots --model organism/tiny`: Inspect's own CLI finds the task
    (entry point) and the provider, the build is this module's (a cache hit), and the task
    picks the compact renderer for the organism with no -T renderer."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from inspect_ai.log import list_eval_logs, read_eval_log

    from whyalign.organism.build import build

    build("tiny", 0, log=lambda m: None, progress=False)
    inspect_cli = Path(sys.executable).parent / "inspect"
    proc = subprocess.run(
        [str(inspect_cli), "eval", "whyalign/honeypots", "--model", "organism/tiny",
         "-T", "families=blackmail", "-T", "samples=1", "--max-tokens", "16",
         "--log-dir", str(tmp_path), "--display", "none"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "WHYALIGN_CACHE": str(cache)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = read_eval_log(list_eval_logs(str(tmp_path))[0].name)
    assert log.status == "success" and len(log.samples) == 8
    assert log.eval.metadata["renderer"] == "compact"
