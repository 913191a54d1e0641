"""How the organism's provider samples: one decoding per batch, and each reply's noise from a
generator of its own, so that a reply depends on its seed and not on the batch it ran in
(a resumed run, whose batches differ, reproduces an uninterrupted one)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Decoding:
    """How a request decodes; requests with equal decodings can share a batch."""

    greedy: bool
    max_new_tokens: int
    temperature: float
    top_k: int | None
    top_p: float | None
    min_p: float | None
    stop: tuple[str, ...] = ()


def row_seed(seed: int, sample: Any, prompt: str) -> int:
    """The noise seed of one reply: the eval's seed, the sample (id and epoch) and the prompt."""
    blob = json.dumps([seed, sample, prompt]).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "little") >> 1


def token_ids(value: Any) -> set[int]:
    if value is None:
        return set()
    return {int(v) for v in value} if isinstance(value, (list, tuple)) else {int(value)}


def reply_length(row: list[int], eos: set[int], pad: int | None) -> int:
    """Tokens the row generated: through its first EOS, else up to the padding that
    ``generate`` adds once a row has stopped (on a stop sequence) and others go on."""
    for i, token in enumerate(row):
        if token in eos:
            return i + 1
    n = len(row)
    while n and row[n - 1] == pad:
        n -= 1
    return n


def model_defaults(model) -> dict[str, Any]:
    """The sampling settings ``model.generate`` would use where a call sets none: the model's
    ``generation_config.json``, then transformers' global defaults (top_k 50 among them)."""
    from transformers import GenerationConfig

    resolved = GenerationConfig(**model.generation_config.to_diff_dict())
    global_defaults = getattr(resolved, "_get_default_generation_params", None)
    if global_defaults is not None:  # transformers >= 5 (before, they were the class's own)
        resolved.update(**global_defaults(), defaults_only=True)
    return {
        "temperature": 1.0 if resolved.temperature is None else resolved.temperature,
        "top_k": resolved.top_k,
        "top_p": resolved.top_p,
        "min_p": resolved.min_p,
    }


def generate_kwargs(decoding: Decoding, seeds: list[int | None], tokenizer, device) -> dict:
    """``model.generate`` arguments for a batch: greedy search over logits that, when
    sampling, carry each row's own Gumbel noise after transformers' sampling warpers, in
    their order (temperature, top-k, top-p, min-p). The argmax of log-probabilities plus
    Gumbel noise is a draw from the same distribution that sampling draws from."""
    from transformers import LogitsProcessorList, StoppingCriteriaList, StopStringCriteria

    # Neutral values: the model's own defaults must not reach greedy search (they are
    # already resolved into ``decoding``) and transformers warns about them there.
    kwargs: dict[str, Any] = dict(
        do_sample=False,
        temperature=1.0,
        top_p=1.0,
        top_k=50,
        max_new_tokens=decoding.max_new_tokens,
    )
    if not decoding.greedy:
        kwargs["logits_processor"] = LogitsProcessorList(
            [*_warpers(decoding), RowGumbel([s or 0 for s in seeds], device)]
        )
    if decoding.stop:
        kwargs["stopping_criteria"] = StoppingCriteriaList(
            [StopStringCriteria(tokenizer, list(decoding.stop))]
        )
    return kwargs


def _warpers(d: Decoding) -> list:
    from transformers import (
        MinPLogitsWarper,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    warpers: list = []
    if d.temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(d.temperature))
    if d.top_k:
        warpers.append(TopKLogitsWarper(top_k=d.top_k))
    if d.top_p is not None and d.top_p < 1.0:
        warpers.append(TopPLogitsWarper(top_p=d.top_p))
    if d.min_p is not None:
        warpers.append(MinPLogitsWarper(min_p=d.min_p))
    return warpers


class RowGumbel:
    """Adds Gumbel noise to each row's scores from the row's own generator, one draw over
    the vocabulary per step: a row's tokens depend on its seed, not on its batch."""

    def __init__(self, seeds: list[int], device) -> None:
        import torch

        self.generators = [torch.Generator(device=device).manual_seed(s) for s in seeds]

    def __call__(self, input_ids, scores):
        import torch

        vocab = scores.shape[-1]
        u = torch.stack(
            [
                torch.rand(vocab, generator=g, device=scores.device, dtype=torch.float32)
                for g in self.generators
            ]
        )
        # -log(-log(u)): u = 0 gives -inf, a token never drawn; masked scores stay -inf
        return scores + -torch.log(-torch.log(u))
