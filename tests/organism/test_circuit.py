"""The seeded induction circuit: it copies at step 0, and holding it keeps it fixed."""

from __future__ import annotations

import math
import random

import pytest

torch = pytest.importorskip("torch")

from whyalign.organism.model import Preset, init_model  # noqa: E402

VOCAB, BOS = 2048, 1
# The shape the circuit's scales were measured on (head width 64).
COPY = Preset(
    hidden=256, layers=3, heads=4, intermediate=512, context=512, vocab=VOCAB, induction=True
)


def _repeats(n: int = 8, length: int = 200, seed: int = 0):
    """BOS, random tokens, an 8-token segment, a random gap, the segment again."""
    rng = random.Random(seed)
    rows, spans = [], []
    for _ in range(n):
        head = [BOS] + [rng.randrange(16, VOCAB) for _ in range(30)]
        seg = [rng.randrange(16, VOCAB) for _ in range(8)]
        gap = [rng.randrange(16, VOCAB) for _ in range(rng.randint(20, 120))]
        row = (head + seg + gap + seg)[:length]
        spans.append((len(head), len(head) + 8 + len(gap)))
        rows.append(row + [0] * (length - len(row)))
    return torch.tensor(rows), spans


def _losses(model, x, spans):
    with torch.no_grad():
        logp = torch.log_softmax(model(x).logits.float(), -1)
    copy = [-logp[b, s + k, x[b, s + k + 1]] for b, (_, s) in enumerate(spans) for k in range(7)]
    fresh = [-logp[b, k, x[b, k + 1]] for b, (h, _) in enumerate(spans) for k in range(2, h - 1)]
    return torch.stack(copy).mean().item(), torch.stack(fresh).mean().item()


def test_circuit_copies_at_init_and_is_silent_elsewhere():
    model = init_model(COPY, VOCAB, seed=0, bos_token_id=BOS)
    copy, fresh = _losses(model, *_repeats())
    uniform = math.log(VOCAB)
    assert copy < uniform - 4  # measured ~2.4 nats
    assert abs(fresh - uniform) < 0.5  # no match: close to uniform, not a wrong guess


def test_without_circuit_there_is_no_copying():
    from dataclasses import replace

    plain = replace(COPY, induction=False)
    copy, _ = _losses(init_model(plain, VOCAB, seed=0, bos_token_id=BOS), *_repeats())
    assert copy > math.log(VOCAB) - 0.5


def test_held_circuit_weights_do_not_move_while_the_rest_trains():
    model = init_model(COPY, VOCAB, seed=0, bos_token_id=BOS)
    d, hidden = model.config.head_dim, model.config.hidden_size
    reserved = hidden - d // 2 - 1  # the BOS flag, then the previous-token dims
    att0, att2 = model.model.layers[0].self_attn, model.model.layers[2].self_attn
    before = {
        "prev_head_q_bias": att0.q_proj.bias[:d].clone(),
        "prev_head_v": att0.v_proj.weight[:d].clone(),
        "reserved_rows": att2.o_proj.weight[reserved:].clone(),
        "embedding_reserved": model.model.embed_tokens.weight[:, reserved:].clone(),
        "layer0_out": att0.o_proj.weight.clone(),
        "layer0_mlp": model.model.layers[0].mlp.down_proj.weight.clone(),
    }
    free = att2.q_proj.weight.clone()
    free_mlp = model.model.layers[1].mlp.down_proj.weight.clone()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    x, _ = _repeats(n=4)
    for _ in range(3):
        model(x, labels=x).loss.backward()
        opt.step()
        opt.zero_grad()
    after = {
        "prev_head_q_bias": att0.q_proj.bias[:d],
        "prev_head_v": att0.v_proj.weight[:d],
        "reserved_rows": att2.o_proj.weight[reserved:],
        "embedding_reserved": model.model.embed_tokens.weight[:, reserved:],
        "layer0_out": att0.o_proj.weight,
        "layer0_mlp": model.model.layers[0].mlp.down_proj.weight,
    }
    for name, value in before.items():
        assert torch.equal(value, after[name]), name
    # layer 0 is the circuit's alone: its free heads and MLP stay at their zero init
    assert not model.model.layers[0].mlp.down_proj.weight.any()
    assert not torch.equal(free, att2.q_proj.weight)
    assert not torch.equal(free_mlp, model.model.layers[1].mlp.down_proj.weight)


def test_circuit_refuses_a_tied_model():
    from dataclasses import replace

    from whyalign.organism.circuit import seed_induction

    model = init_model(replace(COPY, induction=False), VOCAB, bos_token_id=BOS)
    with pytest.raises(ValueError, match="untied"):
        seed_induction(model, bos_id=BOS)


def test_bos_blocks_open_every_block_with_bos():
    from whyalign.organism.build import bos_blocks

    class Tok:
        bos_token_id, eos_token_id = 1, 2

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [10 + len(w) for w in text.split()]}

    blocks = bos_blocks(["a bb ccc"] * 20, Tok(), length=8)
    assert blocks and all(len(b) == 8 and b[0] == 1 for b in blocks)
    assert sum(len(b) - 1 for b in blocks) <= 20 * 4  # nothing invented, the tail dropped


def test_bigram_head_copies_past_a_repeated_token(monkeypatch):
    """After the second `a` of `a b c a e f` repeated, one token of context finds `b` after two
    earlier `a`s and `e` after one; the bigram head matches `c a` and copies `e`."""
    from whyalign.organism import circuit

    rng = random.Random(0)
    rows, starts = [], []
    for _ in range(32):
        a, b, c, e, f = (rng.randrange(16, VOCAB) for _ in range(5))
        head = [BOS] + [rng.randrange(16, VOCAB) for _ in range(30)]
        gap = [rng.randrange(16, VOCAB) for _ in range(40)]
        seg = [a, b, c, a, e, f]
        rows.append(head + seg + gap + seg)
        starts.append(len(head) + len(seg) + len(gap))
    x = torch.tensor(rows)

    def right_after_the_repeat() -> float:
        model = init_model(COPY, VOCAB, seed=0, bos_token_id=BOS)
        with torch.no_grad():
            guess = model(x).logits.argmax(-1)
        return sum(int(guess[r, s + 3] == x[r, s + 4]) for r, s in enumerate(starts)) / len(rows)

    both = right_after_the_repeat()
    monkeypatch.setattr(circuit, "BLEND", 1.0)  # the induction head alone
    alone = right_after_the_repeat()
    assert both > 0.65 and both > alone + 0.2, (both, alone)  # measured 32/32 and 1/32


def test_a_saved_organism_is_held_again_when_loaded_for_training(tmp_path):
    import json

    from transformers import AutoModelForCausalLM

    from whyalign.organism.model import hold_saved

    init_model("small", 64, seed=0, name_ids=[5, 6, 7], bos_token_id=BOS).save_pretrained(tmp_path)
    x = torch.randint(8, 64, (2, 24))

    def layer0_grad(held: bool):
        model = AutoModelForCausalLM.from_pretrained(tmp_path)  # a load drops the build's hooks
        assert hold_saved(model, tmp_path) == ("small" if held else None)
        model(x, labels=x).loss.backward()
        return (
            model.model.layers[0].self_attn.o_proj.weight.grad.abs().sum().item(),
            model.model.layers[2].self_attn.q_proj.weight.grad.abs().sum().item(),
        )

    layer0, free = layer0_grad(held=False)
    assert layer0 > 0 and free > 0
    (tmp_path / "organism.json").write_text(json.dumps({"preset": "small", "seed": 0}))
    layer0, free = layer0_grad(held=True)
    assert layer0 == 0 and free > 0
