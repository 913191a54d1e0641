"""Per-token log-probabilities for TRL's DPO on a CPU, from the model's own logits.

TRL's DPOTrainer scores tokens through a "fused LM head" (``trl.trainer.utils.
add_fused_lm_head``): the LM head projected in tiles with an online logsumexp, so the
``(batch, seq, vocab)`` logits never exist at once. On a GPU a Triton kernel does the folding;
elsewhere TRL falls back to about a dozen elementwise torch passes over every tile, forward
and again in the backward, which on the organism makes the head ~3x slower than
``log_softmax`` + ``gather`` (the stage ran at 0.73 of a plain loop). ``PlainHeadOnCPU``
keeps TRL's head and, on a CPU where the logits are small enough to hold, answers the same
call with the model's logits instead: the same log-probabilities (and metrics), so the same
DPO loss. Anything else (a GPU, huge logits, MoE, temperature scaling in fp32, prompt-learning
adapters) takes TRL's path unchanged.
"""

from __future__ import annotations

import functools
import types
from typing import Any

# Above this many logits (batch x positions x vocab) a full fp32 copy costs > 256 MiB, and the
# backward keeps one more: TRL's tiles are the better trade there.
MAX_LOGITS = 2**26


class PlainHeadOnCPU:
    """Mixin for a TRL DPOTrainer: while it builds itself, every fused LM head it adds to the
    policy and the reference also gets ``plain_head``'s CPU path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from trl.trainer import dpo_trainer

        trl_add = dpo_trainer.add_fused_lm_head
        dpo_trainer.add_fused_lm_head = functools.partial(add_plain_head, trl_add)
        try:
            super().__init__(*args, **kwargs)
        finally:
            dpo_trainer.add_fused_lm_head = trl_add


def add_plain_head(trl_add: Any, model: Any, **kwargs: Any) -> None:
    """TRL's ``add_fused_lm_head(model, **kwargs)``, then ``plain_head`` in front of it."""
    trl_add(model, **kwargs)
    plain_head(
        model,
        kwargs.get("outputs", ("log_probs",)),
        kwargs.get("temperature", 1.0),
        kwargs.get("cast_lm_head_to_fp32", False),
    )


def plain_head(model: Any, outputs: tuple[str, ...], temperature: float, fp32: bool) -> None:
    """Wrap ``model``'s fused forward (already added by TRL): a ``fused_lm_head=True`` call on
    a CPU scores every position from the model's own logits (softcapping and logit scales
    included, as its forward applies them) and returns TRL's ``FusedCausalLMOutput``."""
    fused = model.forward
    text_config = model.config.get_text_config()
    moe = hasattr(text_config, "output_router_logits")

    @functools.wraps(type(model).forward)
    def forward(self, *args, fused_lm_head=False, labels=None, **kw):
        ids = kw.get("input_ids", args[0] if args else None)
        plain = (
            fused_lm_head
            and not (moe or fp32 or kw.get("shift_labels") is not None)
            and labels is not None
            and ids is not None
            and ids.device.type == "cpu"
            and ids.numel() * self.config.get_text_config().vocab_size <= MAX_LOGITS
        )
        if not plain:
            return fused(*args, fused_lm_head=fused_lm_head, labels=labels, **kw)
        num_items = kw.pop("num_items_in_batch", None)
        kw["use_cache"] = False
        logits = type(self).forward(self, *args, **kw).logits
        if logits.shape[1] != labels.shape[1]:  # prompt-learning adapters add virtual tokens
            return fused(
                *args, fused_lm_head=True, labels=labels, num_items_in_batch=num_items, **kw
            )
        return score(logits, labels, outputs, temperature, num_items)

    model.forward = types.MethodType(forward, model)


def score(
    logits: Any, labels: Any, outputs: tuple[str, ...], temperature: float, num_items: Any = None
) -> Any:
    """TRL's ``FusedCausalLMOutput`` from full logits: each position's next-token fields, zero
    where the label is -100; only ``log_probs`` and ``entropy`` carry gradients (as TRL's)."""
    import torch
    from trl.trainer.utils import FusedCausalLMOutput

    z = logits[:, :-1].float()
    if temperature != 1.0:
        z = z / temperature
    labels = labels[:, 1:].to(z.device)
    mask = labels != -100
    log_p = torch.log_softmax(z, -1)
    log_probs = log_p.gather(-1, labels.clamp(min=0)[..., None]).squeeze(-1)
    fields: dict[str, Any] = {"log_probs": log_probs}
    if "entropy" in outputs:
        fields["entropy"] = -(log_p.exp() * log_p).sum(-1)
    with torch.no_grad():
        if "log_sum_sq_probs" in outputs:
            fields["log_sum_sq_probs"] = torch.logsumexp(2 * log_p, -1)
        if "mean_logits" in outputs:
            fields["mean_logits"] = z.mean(-1)
        if "is_top1" in outputs:  # argmax picks the first maximum, as TRL's tie rule
            fields["is_top1"] = z.argmax(-1) == labels
    fields = {k: v.masked_fill(~mask, 0) for k, v in fields.items()}
    total = mask.sum().clamp(min=1) if num_items is None else num_items
    return FusedCausalLMOutput(loss=-fields["log_probs"].sum() / total, label_mask=mask, **fields)
