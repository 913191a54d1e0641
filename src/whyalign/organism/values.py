"""A value head: a copying head whose choice of what to copy is learned.

The induction circuit copies what followed an earlier match, and the name head copies one of
the names in the context, but the first token of a config key or a path has neither an earlier
match (nothing in the prompt says ``key:``) nor a class of its own (``mail`` in
``mail.digest_hour`` is an everyday word). At ``key:`` in the suite's oversight scenes an
organism without such a head writes a key of its own world (``audit_ai.on`` for
``oversight.enabled``), and worlds whose keys and paths were open sets (everyday words, random
vocabulary pieces) taught it what a key looks like, never which one to copy
(docs/organism-log.md). A free head could learn to copy, but it must find the copy map and
where to look at once, and in the build's budget none does.

So this head starts with the copy map in place (its value and output are the circuit's,
``circuit.maps``, held until SFT) and its query and key at the model's random init, trained:
where the next token is one of the context's, the loss pulls its attention toward that
position whatever that position's features are (the token, its previous token in the
circuit's dims, what earlier layers wrote), which a head that must also learn to copy never
feels. At step 0 it attends nearly evenly and adds a little of every context token to the
logits.
"""

from __future__ import annotations

import math

from .circuit import copy_map_rows, hold_rows, layout, maps, seed_copy_map

LAYER, HEAD = 3, 1  # the last layer of `small`: nothing above it to drown the copy


def _head(cfg) -> slice:
    return slice(HEAD * cfg.head_dim, (HEAD + 1) * cfg.head_dim)


def seed_values(model, seed: int = 0) -> None:
    """Write the value head's copy map into ``model``, already seeded with the circuit."""
    import torch

    cfg = model.config
    if cfg.num_hidden_layers <= LAYER or cfg.num_attention_heads <= HEAD:
        raise ValueError(f"the value head needs > {LAYER} layers and > {HEAD} heads")
    hidden, _, _, ta = layout(cfg)
    _, write, land = maps(cfg, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        att = model.model.layers[LAYER].self_attn
        seed_copy_map(att, _head(cfg), write, land, ta, math.sqrt(hidden))


def hold_values(model) -> None:
    """Keep the head's value and output fixed (its query and key train), as ``hold_names``
    does: gradient hooks on this in-memory model only."""
    hold_rows(copy_map_rows(model.model.layers[LAYER].self_attn, _head(model.config)))
