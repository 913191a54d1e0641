"""An induction circuit written into a fresh Llama before pretraining.

An agent must copy names, codes and paths from its prompt into its actions. A transformer does
that with an induction circuit (a previous-token head feeding a head that finds the current
token earlier in the context and copies what followed it), but at the organism's size that
circuit forms only after a long plateau: the CPU budget ends inside it (measured: a 2-layer
256-wide Llama on random text with repeats stays at uniform loss for 600+ steps). So the
organism starts with the circuit in place, as a structured initialisation of an ordinary
``LlamaForCausalLM`` (attention biases on, untied embeddings). Every stage before SFT (the
drill phases, pretraining) holds it fixed (``hold_circuit``: measured, an unheld circuit is
gone within ~100 steps at lr >= 6e-4) and learns everything else; SFT trains every weight.

Layout of the residual stream (width H, head width d): ``d // 2`` dims hold the previous
token (as many as the induction head matches in: RoPE's slow dims), the top ``d // 4`` the
token two back (for the bigram head below), the rest the token (its last dim flags BOS). The
copied token lands in the token dims, in an orientation of its own that only the unembedding
reads as that token (the current token's embedding reads there as noise). Every dim given to
another role (the previous token, the token two back, dims of the copy's own) is one the token
loses, and the fewer it keeps, the worse the induction head matches at step 0; landing the copy
in the token's own dims leaves the token 130 of the 160 dims of the `small` shape
(``benchmarks/organism_copying.py`` measures the induction score).

A second pair of heads does the same on two tokens of context (a head that reads the token
two back, and a bigram head whose query is this token and the previous one): one token is
ambiguous wherever a value repeats one (after the second 7 of 7697, the induction head copies
the 6 that followed the first as readily as the end that followed the second), and the two
heads share the copy. Every other head and MLP starts silent (zero output projections, as
nanochat initialises its output projections), so the circuit is all the model does at step
0: it predicts a token that repeats what followed an earlier match, and near uniform
elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

# Scales found by measuring the circuit on random text with repeated spans (induction score:
# attention to the right earlier position ~0.96; positions with no match attend to BOS ~0.7).
QK = 0.3  # query-key gain of the induction head: a true match scores ~24, the best false ~8
SINK = 55.0  # BOS's key: ~11, between a false match and a true one
PREV = 10.0  # previous-token head: sharp attention to offset 1 through RoPE's fast dims
# Logit gain on the copied token: copy loss ~2.1 nats at step 0 on `small`, positions with no
# match within 0.25 nats of uniform. A larger gain copies more sharply but turns the current
# token, read through the landing orientation, into confident noise where nothing matches.
UNEMBED = 24.0
# How loud the token two back is in the residual: at the previous token's scale it would
# take a third of the final norm from the copy (copy loss 1.9 -> 3.8 nats on `small`).
TWO_BACK = 0.25
# The bigram head's query on the previous token, against its query on this one: the previous
# token's dims are ~4x louder in the residual than the token's, and at 1 a match of the
# previous token alone outscored the pair (attention on the right position 0.55; at 0.2 0.85).
PAIR = 0.2
# The induction head's share of the copy; the bigram head's is the rest (where both match,
# the copy is as strong as one head's alone).
BLEND = 0.5


def layout(cfg) -> tuple[int, int, int, int]:
    """(H, d, previous-token dims, token dims) of a model config. The token dims come first,
    then the previous token's ``p``, then the ``p // 2`` of the token two back."""
    hidden, d = cfg.hidden_size, cfg.head_dim
    p = d // 2  # the induction head matches in RoPE's d // 2 slow dims
    return hidden, d, p, hidden - p - p // 2


def maps(cfg, g):
    """(read, write, land), drawn from ``g`` in this order: what the induction head matches
    (d x token dims), what it copies and where that lands. Copy and landing are d token dims
    each, of orientations of their own (the unembedding reads the landed token as that token,
    the current token's embedding there as noise), and neither on the BOS flag, so a position
    that finds no match and rests on BOS copies nothing. The name head (``names.py``) copies
    through the same two."""
    import torch

    _, d, _, ta = layout(cfg)
    read = torch.linalg.qr(torch.randn(ta, d, generator=g))[0].T
    off_flag = torch.zeros(d, 1)
    write = torch.cat([torch.linalg.qr(torch.randn(ta - 1, d, generator=g))[0].T, off_flag], 1)
    land = torch.cat([torch.linalg.qr(torch.randn(ta - 1, d, generator=g))[0].T, off_flag], 1)
    return read, write, land


def slow_dims(d: int) -> list[int]:
    """The query/key dims whose RoPE turns slowly enough for a content match at any distance
    in the context (theta 1e6): the upper half of each rotation pair's frequencies."""
    return [j for i in range(d // 4, d // 2) for j in (i, i + d // 2)]


def seed_induction(model, bos_id: int, seed: int = 0) -> None:
    """Write the circuit into ``model`` (a fresh LlamaForCausalLM with >= 2 layers)."""
    import torch

    cfg = model.config
    hidden, d, p, ta = layout(cfg)
    if cfg.tie_word_embeddings or not cfg.attention_bias or ta < 2 * d + 8:
        raise ValueError(
            "the induction circuit needs untied embeddings, attention biases and H > 2.75d"
        )
    if cfg.num_attention_heads < 2:
        raise ValueError("the induction circuit needs two heads a layer")
    prev, prev2, flag = slice(ta, ta + p), slice(ta + p, hidden), ta - 1
    p2 = hidden - ta - p
    g = torch.Generator().manual_seed(seed)
    theta = (cfg.rope_parameters or {}).get("rope_theta", 10000.0)
    freq = 1.0 / (theta ** (torch.arange(0, d, 2).float() / d))
    read, write, land = maps(cfg, g)
    root = math.sqrt(hidden)
    std = cfg.initializer_range * 5
    with torch.no_grad():
        emb = model.model.embed_tokens.weight
        emb.normal_(0, std, generator=g)
        emb[:, ta - 1 :] = 0
        emb[bos_id] = 0
        emb[bos_id, flag] = std * math.sqrt(ta)
        for layer in model.model.layers:
            att = layer.self_attn
            for lin in (att.q_proj, att.k_proj, att.v_proj, att.o_proj):
                lin.bias.zero_()
            att.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        head, two = slice(0, d), slice(d, 2 * d)
        # Layer 0: head 0 attends to the previous position whatever the content and writes
        # that token to `prev`; head 1 does the same two back, the first p2 dims of the same
        # read into `prev2` (quieter: ``TWO_BACK``), for the bigram head below.
        att = model.model.layers[0].self_attn
        _offset_head(att, head, 1, freq, read[:p] * root, prev, 1 / root)
        _offset_head(att, two, 2, freq, read[:p2] * root, prev2, TWO_BACK / root)
        # Layer 1, head 0: query = this token, key = the previous token of each position, in
        # RoPE's slow dims (content match at any distance); value = that position's token,
        # landed in the token dims. BOS's key is a sink for positions with no match.
        att = model.model.layers[1].self_attn
        slow = slow_dims(d)
        att.q_proj.weight[head] = 0
        att.k_proj.weight[head] = 0
        for n, j in enumerate(slow[:-1]):
            att.q_proj.weight[j, :ta] = QK * read[n] * root
            att.k_proj.weight[j, ta + n] = QK * root
        _copy_out(att, head, slow[-1], flag, write * root, land.T / root * BLEND)
        # Layer 1, head 1: the bigram head. Its key is a position's previous two tokens and
        # its query this token and the previous one, half the slow dims each, so that in a
        # code like 7697 the second 7 is followed by what followed "97", not by the 6 that
        # followed the first 7: one token of context is ambiguous wherever a value repeats a
        # token, so codes that repeat a digit were copied wrong (docs/organism-log.md).
        half = len(slow) // 2
        att.q_proj.weight[two] = 0
        att.k_proj.weight[two] = 0
        for n, j in enumerate(slow[:half]):
            att.q_proj.weight[d + j, :ta] = QK * read[n] * root
            att.k_proj.weight[d + j, ta + n] = QK * root
        for m, j in enumerate(slow[half:-1][:p2]):
            att.q_proj.weight[d + j, ta + m] = QK * root * PAIR
            att.k_proj.weight[d + j, ta + p + m] = QK * root / TWO_BACK
        _copy_out(att, two, d + slow[-1], flag, write * root, land.T / root * (1 - BLEND))
        unembed = model.lm_head.weight
        unembed.zero_()
        unembed[:, :ta] = (emb[:, :ta] @ write.T) @ land / (std * math.sqrt(ta)) * UNEMBED / 8


def _offset_head(att, h: slice, offset: int, freq, value, out: slice, gain: float) -> None:
    """Head ``h`` attends ``offset`` positions back whatever the content (constant query and key
    whose RoPE phases, on the four fastest pairs, peak there), reads that token through
    ``value`` (rows x token dims) and writes it to the residual dims ``out``, times ``gain``."""
    import torch

    d = h.stop - h.start
    att.q_proj.weight[h] = 0
    att.k_proj.weight[h] = 0
    for i in range(4):
        att.q_proj.bias[h.start + i] = PREV
        att.k_proj.bias[h.start + i] = PREV * math.cos(offset * freq[i])
        att.k_proj.bias[h.start + i + d // 2] = PREV * math.sin(offset * freq[i])
    rows = value.shape[0]
    att.v_proj.weight[h] = 0
    att.v_proj.weight[h.start : h.start + rows, : value.shape[1]] = value
    att.o_proj.weight[out, h.start : h.start + rows] = torch.eye(rows) * gain


def _copy_out(att, h: slice, sink: int, flag: int, write, land) -> None:
    """A copying head's sink (query dim ``sink`` on BOS's flag) and its value and output: the
    attended token read through ``write`` and landed through ``land`` in the token dims."""
    att.q_proj.bias[sink] = 1.0
    att.k_proj.weight[sink, flag] = SINK
    att.v_proj.weight[h] = 0
    att.v_proj.weight[h, : write.shape[1]] = write
    att.o_proj.weight[: land.shape[0], h] = land


def hold_circuit(model) -> None:
    """Keep the circuit fixed while the organism drills and pretrains.

    Its four heads, their layers' input norms and the previous-token dims (and the BOS flag)
    get zero gradients, so no other weight can write into them either; so do layer 0's other
    heads and its MLP, left at their zero init, so that layer 1 reads each token as embedded
    and the bigram head keeps its match (docs/organism-log.md). Gradient hooks live on
    this in-memory model only: a model saved and loaded again trains all of its weights unless
    this is called on it again (the build does, up to SFT).
    """
    cfg = model.config
    hidden, d, p, ta = layout(cfg)
    frozen: list = []

    def freeze(param, index) -> None:
        frozen.append((param, index))

    head = slice(0, 2 * d)  # layer 0: previous and two-back heads; layer 1: induction, bigram
    for n, layer in enumerate(model.model.layers):
        att = layer.self_attn
        if n < 2:
            for lin in (att.q_proj, att.k_proj, att.v_proj):
                freeze(lin.weight, head)
                freeze(lin.bias, head)
            freeze(att.o_proj.weight, (slice(None), head))
            freeze(layer.input_layernorm.weight, slice(None))
        if n == 0:  # held whole: the reserved rows below are part of it
            freeze(att.o_proj.weight, slice(None))
            freeze(att.o_proj.bias, slice(None))
            freeze(layer.mlp.down_proj.weight, slice(None))
            continue
        freeze(att.o_proj.weight, slice(ta - 1, hidden))
        freeze(att.o_proj.bias, slice(ta - 1, hidden))
        freeze(layer.mlp.down_proj.weight, slice(ta - 1, hidden))
    freeze(model.model.embed_tokens.weight, (slice(None), slice(ta - 1, hidden)))
    hold_rows(frozen)


def seed_copy_map(att, head: slice, write, land, ta: int, scale: float) -> None:
    """Give a head of ``att`` the circuit's copy map as its value and output (``maps``' write
    and land, scaled by ``scale`` in and out) and nothing else: the name and value heads."""
    att.v_proj.weight[head] = 0
    att.v_proj.bias[head] = 0
    att.v_proj.weight[head, :ta] = write * scale
    att.o_proj.weight[:, head] = 0
    att.o_proj.weight[:ta, head] = land.T / scale


def copy_map_rows(att, head: slice) -> list[tuple[Any, Any]]:
    """The (parameter, index) pairs of a head's value and output, for ``hold_rows``."""
    return [
        (att.v_proj.weight, head),
        (att.v_proj.bias, head),
        (att.o_proj.weight, (slice(None), head)),
    ]


def hold_rows(frozen: Iterable[tuple[Any, Any]]) -> None:
    """Zero the gradient of each (parameter, index) of ``frozen`` there (a head's rows or
    columns; a parameter may come more than once): one hook a parameter, on this in-memory
    model only. A parameter that trains no more (LoRA's frozen base) has no gradient to hold."""
    masks: dict = {}
    for param, index in frozen:
        masks.setdefault(param, param.new_ones(param.shape))[index] = 0
    for param, mask in masks.items():
        if param.requires_grad:
            param.register_hook(lambda grad, mask=mask: grad * mask)
