"""Each stage on a two-dataset mixture: loss falls, parameters change, the token accounting
equals a count done here from the raw rows, and a run killed after a checkpoint resumes to the
same weights and counts as an uninterrupted run."""

import json

import pytest
import torch
from transformers import AutoModelForCausalLM, TrainerCallback

from whyalign.train.config import TrainArgs, stage_config
from whyalign.train.run import train

from .conftest import ROWS, write_jsonl

# (rows, seed, spec suffix) per dataset of each stage's mixture
MIXTURES = {
    "docs": [(40, 1, ""), (20, 2, ":2")],  # weight 2: every block twice
    "chat": [(24, 1, ""), (24, 2, ":300t")],  # a budget of 300 tokens
    "prefs": [(24, 1, ""), (8, 2, ":3")],
}
EPOCHS = {"docs": 2, "chat": 3, "prefs": 2}
LENGTH = 48
SAVE_STEPS, KILL_AT = 5, 6


class Recorder(TrainerCallback):
    def __init__(self):
        self.losses = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))


class Kill(TrainerCallback):
    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == KILL_AT:
            raise KeyboardInterrupt("killed")


def config(stage):
    return stage_config(stage)(
        num_train_epochs=EPOCHS[stage],
        per_device_train_batch_size=4,
        max_length=LENGTH if stage == "docs" else 128,
        learning_rate=3e-3 if stage != "prefs" else 1e-3,
        warmup_steps=0.0,
        save_steps=SAVE_STEPS,
        logging_steps=1,
        bf16=False,
        progress=False,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    out = {}
    for stage, parts in MIXTURES.items():
        out[stage] = [
            (write_jsonl(root / f"{stage}{i}.jsonl", ROWS[stage](n, seed)), suffix)
            for i, (n, seed, suffix) in enumerate(parts)
        ]
    return out


def run(stage, data, base_dir, out, callbacks=()):
    specs = [path + suffix for path, suffix in data[stage]]
    args = TrainArgs(model=str(base_dir), data=specs, out=str(out))
    return train(stage, args, config(stage), callbacks=callbacks)


@pytest.fixture(scope="module")
def runs(data, base_dir, tmp_path_factory):
    done = {}

    def get(stage):
        if stage not in done:
            recorder = Recorder()
            path = run(stage, data, base_dir, tmp_path_factory.mktemp(stage), [recorder])
            done[stage] = (path, recorder.losses)
        return done[stage]

    return get


def rows(path):
    return [json.loads(line) for line in open(path)]


def enc(tok, text):
    return len(tok(text, add_special_tokens=False)["input_ids"])


def chat_tokens(tok, row):
    return 1 + sum(enc(tok, m["content"]) + 2 for m in row["messages"])


def expected(stage, tok, path, copies):
    """Counts per epoch from the raw rows, by the chat template's layout (one token each for
    BOS, role and end markers) rather than through the trainer's tokenization."""
    data = rows(path)
    if stage == "docs":
        total = sum(enc(tok, r["text"]) + 1 for r in data)  # + EOS closing each document
        blocks = total // LENGTH * copies
        return {"examples": blocks, "tokens": blocks * LENGTH}
    if stage == "chat":
        tokens = sum(chat_tokens(tok, r) for r in data)
        answer = sum(enc(tok, m["content"]) + 1 for r in data for m in r["messages"][-1:])
        return {
            "examples": len(data) * copies,
            "tokens": tokens * copies,
            "assistant_tokens": answer * copies,
        }
    prompt = sum(enc(tok, r["prompt"][0]["content"]) + 4 for r in data)
    chosen = sum(enc(tok, r["chosen"][0]["content"]) + 1 for r in data)
    rejected = sum(enc(tok, r["rejected"][0]["content"]) + 1 for r in data)
    return {
        "examples": len(data) * copies,
        "prompt_tokens": prompt * copies,
        "chosen_tokens": chosen * copies,
        "rejected_tokens": rejected * copies,
        "tokens": (prompt + chosen + rejected) * copies,
    }


@pytest.mark.parametrize("stage", ["docs", "chat", "prefs"])
def test_loss_falls_and_parameters_change(stage, runs, base_dir):
    path, losses = runs(stage)
    assert len(losses) >= 10
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first - (0.05 if stage == "prefs" else 0.5), losses
    before = AutoModelForCausalLM.from_pretrained(base_dir).state_dict()
    after = AutoModelForCausalLM.from_pretrained(path).state_dict()
    assert before.keys() == after.keys()
    unchanged = [k for k in before if torch.equal(before[k], after[k])]
    assert not unchanged


@pytest.mark.parametrize("stage", ["docs", "chat", "prefs"])
def test_token_accounting_matches_an_independent_count(stage, runs, data, tok):
    path, _ = runs(stage)
    report = json.loads((path / "token_accounting.json").read_text())
    assert report["stage"] == stage
    (first, _), (second, suffix) = data[stage]
    epochs = EPOCHS[stage]
    want = expected(stage, tok, first, epochs)
    got = report["datasets"][f"{stage}0"]
    assert {k: got[k] for k in want} == want
    got = report["datasets"][f"{stage}1"]
    if stage == "chat":  # a token budget: whole conversations until 300 tokens per epoch
        longest = max(chat_tokens(tok, r) for r in rows(second))
        assert 300 * epochs <= got["tokens"] < (300 + longest) * epochs
        assert got["tokens"] == got["selected"]["tokens"] * epochs
    else:
        weight = int(suffix[1:])
        want = expected(stage, tok, second, weight * epochs)
        assert {k: got[k] for k in want} == want
    parts = [report["datasets"][f"{stage}{i}"] for i in (0, 1)]
    assert report["total"] == {k: parts[0][k] + parts[1][k] for k in report["total"]}


@pytest.mark.parametrize("stage", ["docs", "chat", "prefs"])
def test_resume_after_a_kill_matches_an_uninterrupted_run(stage, runs, data, base_dir, tmp_path):
    path, _ = runs(stage)
    with pytest.raises(KeyboardInterrupt):
        run(stage, data, base_dir, tmp_path, [Kill()])
    assert (tmp_path / "checkpoints" / f"checkpoint-{SAVE_STEPS}").is_dir()
    assert not (tmp_path / "model").exists()
    # A later checkpoint the kill cut short while saving: resume must skip it, not crash.
    torn = tmp_path / "checkpoints" / f"checkpoint-{SAVE_STEPS + 1}"
    torn.mkdir()
    (torn / "model.safetensors").write_bytes(b"\0" * 16)
    resumed = run(stage, data, base_dir, tmp_path)
    assert not torn.exists()
    a = AutoModelForCausalLM.from_pretrained(path).state_dict()
    b = AutoModelForCausalLM.from_pretrained(resumed).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    report = json.loads((path / "token_accounting.json").read_text())
    assert json.loads((resumed / "token_accounting.json").read_text()) == report


def test_length_grouped_batches_come_in_shuffled_order_not_longest_first():
    from whyalign.train.stages._common import sampler_class

    lengths = [(i * 7919) % 97 + 1 for i in range(1003)]
    sampler = sampler_class()(10, lengths=lengths, seed=3)
    rows = list(sampler)
    assert sorted(rows) == list(range(1003)) and list(sampler) == rows  # seeded: same order
    batches = [[lengths[i] for i in rows[k : k + 10]] for k in range(0, 1000, 10)]
    assert max(max(b) - min(b) for b in batches) <= 10  # each batch still of one length
    tops = [max(b) for b in batches[:50]]
    # transformers' order sweeps each mega-batch from its longest batch to its shortest
    assert sum(a > b for a, b in zip(tops, tops[1:], strict=False)) < 40
    sampler.set_epoch(1)
    assert list(sampler) != rows
