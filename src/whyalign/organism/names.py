"""A name head written beside the induction circuit: attention to the people in the context.

The induction circuit copies what followed an earlier match, which serves codes and paths but
not names: "to:" in a reply has no earlier "to:" followed by the right person. Nor does
training teach it: teacher-forced on its own training episodes, even where its reasoning named
the person one line earlier, an organism built without this head seldom puts the right name
after ``to:`` (``benchmarks/organism_names.py`` builds with and without the head; the history
is in docs/organism-log.md). So the organism starts with a head that can: every first name of
the world (single tokens " Name", the suite's and the world's pool alike) carries a shared
direction in its embedding, the head's key reads that direction (and a BOS sink on a dim of its
own), its query reads a constant on those two dims, and its value and output copy the attended
token through the circuit's copy and landing maps (``circuit.maps``). At step 0 every position
is pushed toward the names in its context, nearly equally; the query and the key's other dims
(random at init, both trained) learn where a name is due and which one (a choice that has a
gradient: the names' logits move with the attention on them). Those dims must start random:
zeroed, they sit at a saddle the gradient never leaves, and the head learns only whether a name
is due, never which one (docs/organism-log.md).

Which names a head may attend to is vocabulary, not scenario text: the same pool fills both
the world and the suite's entity slots, which the contamination check masks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..scenarios.entities import FIRST_NAMES
from .circuit import copy_map_rows, hold_rows, layout, maps, seed_copy_map, slow_dims

LAYER, HEAD = 2, 1  # after the circuit's two layers; head 0 of every layer stays free above
NAME_SCORE = 12.0  # attention logit of a name: ~all attention on the names, none elsewhere
SINK_SCORE = 6.0  # BOS's: below a name's, so that the head rests there only with no name near
# What a name's and BOS's normalised inputs to the head read along their directions, as a
# fraction of sqrt(hidden) (measured on `small`'s shape at step 0): the key weights are
# scaled by them so that NAME_SCORE and SINK_SCORE are the attention logits.
NAME_READ, FLAG_READ = 0.36, 0.21


def name_tokens(tokenizer) -> list[int]:
    """The ids of the first names that are one token with their leading space."""
    ids = (tokenizer(" " + n, add_special_tokens=False)["input_ids"] for n in FIRST_NAMES)
    return sorted({i[0] for i in ids if len(i) == 1})


def _dims(cfg) -> tuple[slice, int, int]:
    """The head's slice of the projections, and its name and sink dims (RoPE-slow)."""
    d = cfg.head_dim
    slow = slow_dims(d)
    return slice(HEAD * d, (HEAD + 1) * d), HEAD * d + slow[0], HEAD * d + slow[2]


def seed_names(model, name_ids: Iterable[int], seed: int = 0) -> None:
    """Write the name head into ``model``, already seeded with the induction circuit."""
    import torch

    cfg = model.config
    hidden, d, _, ta = layout(cfg)
    if cfg.num_hidden_layers <= LAYER or cfg.num_attention_heads <= HEAD:
        raise ValueError(f"the name head needs > {LAYER} layers and > {HEAD} heads")
    ids = sorted(set(name_ids))
    if not ids:
        raise ValueError("no first name is a single token of this vocabulary")
    _, write, land = maps(cfg, torch.Generator().manual_seed(seed))
    g = torch.Generator().manual_seed(seed + 1)
    u = torch.zeros(ta)
    u[: ta - 1] = torch.randn(ta - 1, generator=g)
    u /= u.norm()
    root, flag = math.sqrt(hidden), ta - 1
    head, name_dim, sink_dim = _dims(cfg)
    with torch.no_grad():
        emb = model.model.embed_tokens.weight
        emb[ids, :ta] += emb[:, : ta - 1].norm(dim=1).mean() * u
        att = model.model.layers[LAYER].self_attn
        # The query and key keep the model's random init on every dim but the name and sink
        # dims: zeroed, they would be a saddle (each one's gradient is the other, zero), and
        # the head could never learn which name, only whether one is due.
        for lin in (att.q_proj, att.k_proj):
            lin.weight[name_dim] = 0
            lin.weight[sink_dim] = 0
            lin.bias[head] = 0
        att.q_proj.bias[name_dim] = 1.0
        att.q_proj.bias[sink_dim] = 1.0
        # Attention logits are q.k / sqrt(d): the key weights carry that factor.
        att.k_proj.weight[name_dim, :ta] = u * NAME_SCORE * math.sqrt(d) / (NAME_READ * root)
        att.k_proj.weight[sink_dim, flag] = SINK_SCORE * math.sqrt(d) / (FLAG_READ * root)
        seed_copy_map(att, head, write, land, ta, root)


def hold_names(model) -> None:
    """Keep the head's keys, value and output fixed (its query trains), as ``hold_circuit``
    keeps the circuit: gradient hooks on this in-memory model only."""
    head, name_dim, sink_dim = _dims(model.config)
    att = model.model.layers[LAYER].self_attn
    keys = [name_dim, sink_dim]
    hold_rows([(att.k_proj.weight, keys), (att.k_proj.bias, keys), *copy_map_rows(att, head)])
