"""The name head: at step 0 it attends to the names in the context and copies them, it rests on
BOS where there are none, and holding it keeps its keys and copy map while its query trains."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from whyalign.organism import names  # noqa: E402
from whyalign.organism.model import Preset, init_model  # noqa: E402

VOCAB, BOS = 2048, 1
NAMES = list(range(100, 140))
SHAPE = Preset(
    hidden=256,
    layers=3,
    heads=4,
    intermediate=512,
    context=512,
    vocab=VOCAB,
    induction=True,
    names=True,
)


def _rows(n: int = 8, with_names: int = 4, seed: int = 0):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        row = [BOS] + [rng.randrange(200, VOCAB) for _ in range(150)]
        for _ in range(with_names):
            row[rng.randrange(1, 150)] = rng.choice(NAMES)
        rows.append(row)
    return torch.tensor(rows)


def _model():
    model = init_model(SHAPE, VOCAB, seed=0, name_ids=NAMES, bos_token_id=BOS)
    model.config._attn_implementation = "eager"  # attention weights are returned
    return model


def _head(model, x):
    with torch.no_grad():
        out = model(x, output_attentions=True)
    return out.attentions[names.LAYER][:, names.HEAD, -1], out.logits[:, -1]


def test_head_attends_to_the_names_in_context_and_copies_them():
    x = _rows()
    attention, logits = _head(_model(), x)
    in_context = torch.isin(x, torch.tensor(NAMES))
    assert (attention * in_context).sum(1).mean() > 0.8  # measured 0.94
    margins = []
    for b in range(len(x)):
        seen = sorted(set(x[b][in_context[b]].tolist()))
        unseen = sorted(set(NAMES) - set(seen))
        margins.append((logits[b, seen].mean() - logits[b, unseen].mean()).item())
    # the names of the context, not names in general: measured 0.2-2.9 nats, mean 1.4 (without
    # the head, noise around 0)
    assert min(margins) > 0 and sum(margins) / len(margins) > 1.0


def test_head_rests_on_bos_without_names():
    attention, _ = _head(_model(), _rows(n=2, with_names=0))
    # measured 0.41-0.48 on BOS (0.6-0.7 before the circuit's two-back dims), the rest spread
    # over 150 tokens: BOS gets many times what any other position does
    assert attention[:, 0].min() > 0.35
    assert (attention[:, 0] > 10 * attention[:, 1:].max(1).values).all()


def test_name_head_needs_the_circuit_and_names():
    with pytest.raises(ValueError, match="name head"):
        init_model(replace(SHAPE, induction=False), VOCAB, name_ids=NAMES, bos_token_id=BOS)
    with pytest.raises(ValueError, match="name head"):
        init_model(SHAPE, VOCAB, bos_token_id=BOS)


def test_held_head_keeps_its_keys_and_copy_map_while_its_query_trains():
    model = _model()
    head, name_dim, sink_dim = names._dims(model.config)
    att = model.model.layers[names.LAYER].self_attn
    before = {
        "keys": att.k_proj.weight[[name_dim, sink_dim]].clone(),
        "value": att.v_proj.weight[head].clone(),
        "output": att.o_proj.weight[:, head].clone(),
    }
    query = att.q_proj.weight[head].clone()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    x = _rows(n=4)
    for _ in range(3):
        model(x, labels=x).loss.backward()
        opt.step()
        opt.zero_grad()
    after = {
        "keys": att.k_proj.weight[[name_dim, sink_dim]],
        "value": att.v_proj.weight[head],
        "output": att.o_proj.weight[:, head],
    }
    for key, value in before.items():
        assert torch.equal(value, after[key]), key
    assert not torch.equal(query, att.q_proj.weight[head])


def test_query_and_key_can_learn_which_name():
    # Query and key dims beyond the name and sink dims must not start at zero together: each
    # one's gradient is the other, so both would stay zero and no name could be preferred.
    model = _model()
    head, name_dim, sink_dim = names._dims(model.config)
    att = model.model.layers[names.LAYER].self_attn
    x = _rows(n=4)
    model(x, labels=x).loss.backward()
    d = model.config.head_dim
    # (RoPE pairs dim i with i + d/2: the name and sink dims' partners get a trickle anyway)
    partner = {i: head.start + (i - head.start + d // 2) % d for i in (name_dim, sink_dim)}
    paired = {*partner, *partner.values()}
    content = [i for i in range(head.start, head.stop) if i not in paired]
    for lin in (att.q_proj, att.k_proj):
        assert lin.weight.grad[content].abs().sum() > 0


def test_name_tokens_are_the_single_token_first_names():
    from whyalign.scenarios.entities import FIRST_NAMES

    class Words:
        # a tokenizer whose words are its tokens: "Ana" is one, " Ana Bo" two
        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [hash(w) % 1000 for w in text.split()]}

    ids = names.name_tokens(Words())
    assert ids == sorted({hash(n) % 1000 for n in FIRST_NAMES})
