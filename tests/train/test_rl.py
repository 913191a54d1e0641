"""The ``rl`` stage on the micro model: a scripted reward rises, measured by sampling before and
after; the token accounting equals a count from the prompts; a run killed after a checkpoint
resumes to the same weights; a reward that raises or returns junk stops the run with one
line, through the API and the CLI."""

import json

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

from whyalign.train.config import TrainArgs
from whyalign.train.rewards import RewardError, reward
from whyalign.train.run import main, train
from whyalign.train.stages.rl import RLConfig

from .conftest import chat_rows, write_jsonl

PROMPTS, GENERATIONS, LENGTH = 24, 8, 8
BATCH = 32  # completions: 4 prompts of 8 per step, 6 steps an epoch
EPOCHS = 3
SAVE_STEPS, KILL_AT = 5, 7
TARGET = range(100, 132)  # a tenth of the vocabulary: the tokens the reward asks for


def target_share(ids) -> float:
    return sum(t in TARGET for t in ids) / max(len(ids), 1)


@reward("test_target_share")
def target_reward(prompts, completions, completion_ids, **_):
    """The share of a completion's tokens in TARGET."""
    return [target_share(ids) for ids in completion_ids]


@reward("test_raises")
def raises(prompts, completions, **_):
    raise KeyError("no such column\nsecond line")


@reward("test_short")
def short(prompts, completions, **_):
    return [1.0] * (len(completions) - 1)


@reward("test_junk")
def junk(prompts, completions, **_):
    return [None] * len(completions)


class Steps(TrainerCallback):
    def __init__(self):
        self.steps = []

    def on_step_end(self, args, state, control, **kwargs):
        self.steps.append(state.global_step)


class Kill(TrainerCallback):
    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == KILL_AT:
            raise KeyboardInterrupt("killed")


def config(**overrides):
    base = dict(
        num_train_epochs=EPOCHS,
        per_device_train_batch_size=BATCH,
        num_generations=GENERATIONS,
        max_completion_length=LENGTH,
        learning_rate=1e-2,
        lr_scheduler_type="constant",
        warmup_steps=0.0,
        save_steps=SAVE_STEPS,
        logging_steps=1,
        bf16=False,
        progress=False,
        reward="test_target_share",
    )
    return RLConfig(**{**base, **overrides})


def prompt_rows():
    return [{"prompt": r["messages"][:2], "name": r["messages"][1]["content"][-4:]}
            for r in chat_rows(PROMPTS, 1)]  # fmt: skip


@pytest.fixture(scope="module")
def prompts(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("rl") / "prompts.jsonl", prompt_rows())


def run(prompts, base_dir, out, callbacks=(), **overrides):
    args = TrainArgs(model=str(base_dir), data=[prompts], out=str(out))
    return train("rl", args, config(**overrides), callbacks=callbacks)


@pytest.fixture(scope="module")
def trained(prompts, base_dir, tmp_path_factory):
    return run(prompts, base_dir, tmp_path_factory.mktemp("rl-out"))


def sampled_share(path, samples: int = 4) -> float:
    """Sampling as the stage samples (temperature 1, no top-k/top-p), seeded."""
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    tok = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(123)
    shares = []
    for row in prompt_rows():
        enc = tok.apply_chat_template(
            row["prompt"], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.no_grad():
            out = model.generate(
                **enc,
                do_sample=True,
                top_k=0,
                top_p=1.0,
                temperature=1.0,
                max_new_tokens=LENGTH,
                num_return_sequences=samples,
                pad_token_id=tok.pad_token_id,
            )
        for seq in out[:, enc["input_ids"].shape[1] :].tolist():
            if tok.eos_token_id in seq:
                seq = seq[: seq.index(tok.eos_token_id) + 1]
            shares.append(target_share(seq))
    return sum(shares) / len(shares)


def test_the_scripted_reward_rises(trained, base_dir):
    before, after = sampled_share(base_dir), sampled_share(trained)
    assert before < 0.2
    assert after > before + 0.25, (before, after)


def test_token_accounting_matches_a_count_from_the_prompts(trained, tok):
    report = json.loads((trained / "token_accounting.json").read_text())
    got = report["datasets"]["prompts"]
    uses = EPOCHS * GENERATIONS  # every prompt, each epoch, once per generation
    prompt_tokens = sum(
        len(tok.apply_chat_template(r["prompt"], add_generation_prompt=True, tokenize=True,
                                    return_dict=True)["input_ids"])
        for r in prompt_rows()
    )  # fmt: skip
    assert report["stage"] == "rl" and report["global_step"] == EPOCHS * PROMPTS * 8 // BATCH
    assert got["examples"] == PROMPTS * uses
    assert got["prompt_tokens"] == prompt_tokens * uses
    assert 0 < got["completion_tokens"] <= got["examples"] * LENGTH
    assert got["generated_tokens"] == got["completion_tokens"]  # each sampled once, trained once
    assert got["tokens"] == got["prompt_tokens"] + got["completion_tokens"]
    assert got["selected"]["examples"] == PROMPTS
    assert report["total"] == {k: v for k, v in got.items() if k != "selected"}


def test_resume_after_a_kill_matches_an_uninterrupted_run(trained, prompts, base_dir, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        run(prompts, base_dir, tmp_path, [Kill()])
    assert (tmp_path / "checkpoints" / f"checkpoint-{SAVE_STEPS}").is_dir()
    assert not (tmp_path / "model").exists()
    steps = Steps()
    resumed = run(prompts, base_dir, tmp_path, [steps])
    assert steps.steps[0] == SAVE_STEPS + 1  # it went on from the checkpoint
    a = AutoModelForCausalLM.from_pretrained(trained).state_dict()
    b = AutoModelForCausalLM.from_pretrained(resumed).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    report = json.loads((trained / "token_accounting.json").read_text())
    assert json.loads((resumed / "token_accounting.json").read_text()) == report


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("test_raises", "reward 'test_raises' failed: KeyError: 'no such column"),
        ("test_short", "reward 'test_short' returned 7 values for 8 completions"),
        ("test_junk", "reward 'test_junk': value 0 is None, not a finite number"),
        ("no_such_reward", "unknown reward 'no_such_reward'"),
        ("tests.train.test_rl:missing", "reward 'tests.train.test_rl:missing' does not import"),
    ],
)
def test_a_broken_reward_stops_the_run_with_one_line(name, message, prompts, base_dir, tmp_path):
    overrides = dict(max_steps=1, per_device_train_batch_size=8, reward=name)
    with pytest.raises(RewardError) as err:
        run(prompts, base_dir, tmp_path, **overrides)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "model").exists()


def test_the_cli_reports_a_broken_reward_as_an_error(prompts, base_dir, tmp_path, capsys):
    argv = ["rl", "--model", str(base_dir), "--data", prompts, "--out", str(tmp_path / "o")]
    argv += ["--max_steps", "1", "--per_device_train_batch_size", "8", "--num_generations", "8"]
    argv += ["--max_completion_length", "4", "--bf16", "false", "--no_progress"]
    argv += ["--reward", "test_target_share,tests.train.test_rl:raises"]
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("error: reward 'tests.train.test_rl:raises' failed: KeyError")


def test_reward_weights_must_match_the_rewards(prompts, base_dir, tmp_path):
    with pytest.raises(ValueError, match="2 reward_weights for 1 rewards"):
        run(prompts, base_dir, tmp_path, reward="test_target_share", reward_weights=[1.0, 2.0])


def test_a_copy_of_a_resolved_config_is_a_valid_config():
    import dataclasses

    from whyalign.train.config import settings

    cfg = config(gradient_accumulation_steps=2)
    assert cfg.steps_per_generation == 2 and cfg.generation_batch_size == 2 * BATCH
    copy = dataclasses.replace(cfg, seed=3)
    assert copy.generation_batch_size == 2 * BATCH
    assert RLConfig(**settings(cfg)).generation_batch_size == 2 * BATCH
    assert RLConfig().beta > 0  # KL to the starting model by default


def test_lora_with_the_kl_to_the_adapterless_model(prompts, base_dir, tmp_path):
    path = run(prompts, base_dir, tmp_path, max_steps=2, lora=True, lora_r=4)
    assert (tmp_path / "adapter" / "adapter_config.json").exists()
    before = AutoModelForCausalLM.from_pretrained(base_dir).state_dict()
    after = AutoModelForCausalLM.from_pretrained(path).state_dict()
    assert before.keys() == after.keys()
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_a_model_made_in_memory_needs_lora_or_no_kl(make_model, tok, tmp_path):
    from datasets import Dataset

    from whyalign.train.errors import ModelLoadError
    from whyalign.train.stages import build_trainer

    data = Dataset.from_list(prompt_rows())
    with pytest.raises(ModelLoadError, match="KL reference"):
        build_trainer("rl", make_model(), tok, data, tmp_path / "a", config(max_steps=1))
    trainer = build_trainer("rl", make_model(), tok, data, tmp_path / "b", config(beta=0.0))
    assert trainer.ref_model is None
