"""``prefs``: DPO on ``prompt``/``chosen``/``rejected`` with TRL's DPOTrainer; the reference is
the starting model."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trl import DPOConfig

from ..config import StageConfig, training_args
from ..data import Part, check_messages, wrong_format
from ..errors import DataError
from ..prepare import tagged
from ..registry import Counting, register_stage
from ._common import check_chat_template, counting_trainer, default, lora_config, shared_defaults
from ._logprobs import PlainHeadOnCPU

KEYS = ("prompt", "chosen", "rejected")


@dataclass
@shared_defaults(DPOConfig)
class PrefsConfig(StageConfig, DPOConfig):
    """DPO on ``prompt``/``chosen``/``rejected``; the reference is the starting model. Any TRL
    DPO loss (``loss_type``: sigmoid, ipo, hinge, robust, ...) and ``beta``."""

    learning_rate: float = default(DPOConfig, "learning_rate", 1e-4)
    per_device_train_batch_size: int = default(DPOConfig, "per_device_train_batch_size", 8)
    max_length: int | None = default(DPOConfig, "max_length", 512)


def normalize(row: Any, where: str) -> dict[str, Any]:
    """Three strings, or a prompt of messages and chosen/rejected lists of assistant messages
    (TRL's conversational preference format)."""
    if not (isinstance(row, dict) and set(KEYS) <= set(row)):
        raise wrong_format("prefs", where, row, "rows with 'prompt', 'chosen' and 'rejected'")
    parts = [row[k] for k in KEYS]
    if all(isinstance(p, str) for p in parts):
        return dict(zip(KEYS, parts, strict=True))
    return {k: check_messages(row[k], where, k) for k in KEYS}


def check(rows: list[dict[str, Any]], path: str) -> None:
    if len({isinstance(r["prompt"], str) for r in rows}) > 1:
        raise DataError(f"{path}: rows mix plain-text and conversational preference pairs")


def _batch_counts(batch: dict[str, Any]):
    import torch

    # DPO's collator stacks [prompt+chosen; prompt+rejected]; completion_mask marks completions
    ids, mask = batch["input_ids"], batch.get("attention_mask")
    tokens = mask.sum(1) if mask is not None else torch.full_like(ids[:, 0], ids.shape[1])
    half = ids.shape[0] // 2
    completion = batch["completion_mask"].sum(1)
    chosen, rejected = completion[:half], completion[half:]
    prompt = tokens[:half] - chosen
    ones = torch.ones_like(prompt)
    return torch.stack([ones, prompt, chosen, rejected, prompt + chosen + rejected], 1)


def _row_counts(row: dict[str, Any]) -> dict[str, int]:
    sizes = {f"{k}_tokens": len(row[f"{k}_ids"]) for k in KEYS}
    sizes["tokens"] = sum(sizes.values())
    return sizes


def lengths(tokenizer: Any):
    """Tokens of each pair (the prompt once, both completions), for token budgets."""

    def size(value: Any, generation: bool = False) -> int:
        if isinstance(value, str):
            return len(tokenizer(value, add_special_tokens=False)["input_ids"])
        ids = tokenizer.apply_chat_template(
            value, tokenize=True, return_dict=True, add_generation_prompt=generation
        )["input_ids"]
        return len(ids)

    def of(rows) -> list[int]:
        out = []
        for row in rows:
            prompt = size(row["prompt"], generation=True)
            if isinstance(row["prompt"], str):
                out.append(prompt + size(row["chosen"]) + size(row["rejected"]))
            else:
                both = [size(row["prompt"] + row[k]) - prompt for k in ("chosen", "rejected")]
                out.append(prompt + sum(both))
        return out

    return of


def _reference(model: Any, cfg: PrefsConfig):
    """None lets TRL build the DPO reference its own way (the adapter disabled with LoRA, else
    a fresh load of the model's directory); a model made in memory has no directory to load."""
    source = str(getattr(model.config, "_name_or_path", "") or "")
    if cfg.lora or (source and Path(source).is_dir()):
        return None
    return copy.deepcopy(model).eval()


@register_stage(
    "prefs",
    config=PrefsConfig,
    columns=KEYS,
    counting=Counting(
        ("examples", "prompt_tokens", "chosen_tokens", "rejected_tokens", "tokens"),
        _batch_counts,
        _row_counts,
    ),
    normalize=normalize,
    check=check,
    order=2,
)
def build(model: Any, tokenizer: Any, parts: list[Part], cfg: PrefsConfig, out):
    """DPO against the starting model (``beta``, ``loss_type``: TRL's)."""
    from trl import DPOTrainer

    if any(not isinstance(p.rows[0]["prompt"], str) for p in parts):
        check_chat_template(tokenizer, "prefs")
    data = tagged(parts, lambda p: p.rows, lengths(tokenizer), cfg.seed)
    cls = counting_trainer("PrefsTrainer", DPOTrainer, PlainHeadOnCPU)
    return cls(
        model=model,
        ref_model=_reference(model, cfg),
        args=training_args(cfg, out),
        train_dataset=data,
        processing_class=tokenizer,
        peft_config=lora_config(cfg) if cfg.lora else None,
    )
