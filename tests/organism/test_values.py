"""The value head: it copies context tokens from step 0, holding it keeps its copy map while its
query and key train, and with it a model learns sooner to copy a token nothing cues by match."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from whyalign.organism import values  # noqa: E402
from whyalign.organism.model import Preset, init_model  # noqa: E402

VOCAB, BOS, CUE, ASK = 2048, 1, 150, 151
STEPS = 20  # of the learning test
SHAPE = Preset(
    hidden=128,
    layers=4,
    heads=4,
    intermediate=256,
    context=512,
    vocab=VOCAB,
    induction=True,
    values=True,
)


def _model(shape: Preset = SHAPE):
    return init_model(shape, VOCAB, seed=0, bos_token_id=BOS)


def _cued(n: int, rng: random.Random):
    """Rows of random tokens with one ``CUE`` somewhere, ending in ``ASK``: the answer is the
    token after the cue. The induction head finds no earlier ``ASK``; only a learned choice of
    where to look answers it, as at ``key:`` in an action."""
    rows, answers = [], []
    for _ in range(n):
        row = [BOS] + [rng.randrange(200, VOCAB) for _ in range(40)]
        i = rng.randrange(2, 36)
        row[i] = CUE
        rows.append(row + [ASK])
        answers.append(row[i + 1])
    return torch.tensor(rows), torch.tensor(answers)


def test_head_copies_the_context_from_step_zero():
    x, _ = _cued(8, random.Random(0))
    margins = {}
    for on in (True, False):
        with torch.no_grad():
            logits = _model(replace(SHAPE, values=on))(x).logits[:, -1]
        seen = torch.zeros_like(logits, dtype=torch.bool).scatter_(1, x, True)
        seen[:, :200] = False
        unseen = ~seen
        unseen[:, :200] = False
        seen_mean = (logits * seen).sum(1) / seen.sum(1)
        margins[on] = seen_mean - (logits * unseen).sum(1) / unseen.sum(1)
    # attention spread over the row lifts each of its tokens a little: measured 0.05-0.24
    # nats (mean 0.13) with the head, -0.04-0.03 (mean abs 0.02) without
    assert margins[True].min() > 0.03 and margins[True].mean() > 0.1
    assert margins[False].abs().mean() < 0.04


def test_value_head_needs_the_circuit_and_a_fourth_layer():
    with pytest.raises(ValueError, match="value head"):
        init_model(replace(SHAPE, induction=False), VOCAB, bos_token_id=BOS)
    with pytest.raises(ValueError, match="value head"):
        init_model(replace(SHAPE, layers=3), VOCAB, bos_token_id=BOS)


def test_held_head_keeps_its_copy_map_while_its_query_and_key_train():
    model = _model()
    head = values._head(model.config)
    att = model.model.layers[values.LAYER].self_attn
    value, output = att.v_proj.weight[head].clone(), att.o_proj.weight[:, head].clone()
    query, key = att.q_proj.weight[head].clone(), att.k_proj.weight[head].clone()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    x, _ = _cued(4, random.Random(0))
    for _ in range(3):
        model(x, labels=x).loss.backward()
        opt.step()
        opt.zero_grad()
    assert torch.equal(value, att.v_proj.weight[head])
    assert torch.equal(output, att.o_proj.weight[:, head])
    assert not torch.equal(query, att.q_proj.weight[head])
    assert not torch.equal(key, att.k_proj.weight[head])


def test_a_model_with_the_head_learns_where_to_copy_from_sooner():
    losses = {}
    for on in (True, False):
        model = _model(replace(SHAPE, values=on))
        opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
        rng = random.Random(0)
        for _ in range(STEPS):
            x, y = _cued(32, rng)
            loss = torch.nn.functional.cross_entropy(model(x).logits[:, -1], y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        x, y = _cued(64, random.Random(1))
        with torch.no_grad():
            losses[on] = torch.nn.functional.cross_entropy(model(x).logits[:, -1], y).item()
    # uniform is ln 2048 = 7.6 nats; measured after 20 steps 0.64 with the head, 1.26 without
    # (at 45 steps 0.27 and 0.35: this toy a free head learns too, only later)
    assert losses[True] < 0.75 * losses[False]
