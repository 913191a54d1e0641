"""``chat``: SFT on ``messages`` with TRL's SFTTrainer, the loss on assistant tokens only (the
chat template's generation tags)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trl import SFTConfig

from ..config import StageConfig, training_args
from ..data import Part, check_messages, wrong_format
from ..errors import DataError
from ..prepare import tagged
from ..registry import Counting, register_stage
from ._common import (
    SeededLengthGrouping,
    check_chat_template,
    counting_trainer,
    default,
    lora_config,
    shared_defaults,
)


@dataclass
@shared_defaults(SFTConfig)
class ChatConfig(StageConfig, SFTConfig):
    """SFT on ``messages``; loss on assistant tokens only (chat template generation tags)."""

    learning_rate: float = default(SFTConfig, "learning_rate", 5e-4)
    max_length: int | None = default(SFTConfig, "max_length", 512)
    assistant_only_loss: bool = default(SFTConfig, "assistant_only_loss", True)
    # batches of similar length: little padding
    train_sampling_strategy: str = default(SFTConfig, "train_sampling_strategy", "group_by_length")
    # TRL's chunked LM-head loss (+ entropy/accuracy logs) saves memory on big vocabularies on
    # GPU but costs ~40% of a small model's CPU step; None: TRL's on GPU, the plain loss on CPU
    fused_loss: bool | None = field(
        default=None,
        metadata={"help": "TRL's fused LM-head loss; unset: on a GPU, the plain loss on a CPU"},
    )


def normalize(row: Any, where: str) -> dict[str, Any]:
    if not (isinstance(row, dict) and "messages" in row):
        raise wrong_format("chat", where, row, "rows with 'messages'")
    messages = check_messages(row["messages"], where, "messages")
    if not any(m["role"] == "assistant" for m in messages):
        raise DataError(f"{where}: no assistant message, so nothing to train on")
    return {"messages": messages}


def _batch_counts(batch: dict[str, Any]):
    import torch

    ids, mask = batch["input_ids"], batch.get("attention_mask")
    tokens = mask.sum(1) if mask is not None else torch.full_like(ids[:, 0], ids.shape[1])
    return torch.stack([torch.ones_like(tokens), tokens, (batch["labels"] != -100).sum(1)], 1)


def _row_counts(row: dict[str, Any]) -> dict[str, int]:
    return {
        "tokens": len(row["input_ids"]),
        "assistant_tokens": sum(t != -100 for t in row["labels"]),
    }


def lengths(tokenizer: Any, cfg: ChatConfig):
    """Tokens of each conversation as trained (after truncation), for token budgets."""

    def of(rows) -> list[int]:
        return [
            min(
                len(tokenizer.apply_chat_template(m, tokenize=True, return_dict=True)["input_ids"]),
                cfg.max_length,
            )
            for m in rows["messages"]
        ]

    return of


class PlainLoss:
    """transformers' own causal-LM loss (cross-entropy on the labels, -100 masked) in place of
    TRL's fused LM head when ``fused_loss`` is off: the same loss, without the chunked kernel
    and per-token metrics that slow a CPU step."""

    fused_loss = True

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.fused_loss:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        from transformers import Trainer

        inputs["use_cache"] = False
        return Trainer.compute_loss(self, model, inputs, return_outputs, num_items_in_batch)


@register_stage(
    "chat",
    config=ChatConfig,
    columns=("messages",),
    counting=Counting(("examples", "tokens", "assistant_tokens"), _batch_counts, _row_counts),
    normalize=normalize,
    order=1,
)
def build(model: Any, tokenizer: Any, parts: list[Part], cfg: ChatConfig, out):
    """Assistant-only SFT: the loss on the tokens the chat template marks as generated."""
    from trl import SFTTrainer

    check_chat_template(tokenizer, "chat")
    data = tagged(parts, lambda p: p.rows, lengths(tokenizer, cfg), cfg.seed)
    cls = counting_trainer("ChatTrainer", SFTTrainer, SeededLengthGrouping, PlainLoss)
    trainer = cls(
        model=model,
        args=training_args(cfg, out),
        train_dataset=data,
        processing_class=tokenizer,
        peft_config=lora_config(cfg) if cfg.lora else None,
    )
    trainer.fused_loss = (not cfg.use_cpu) if cfg.fused_loss is None else cfg.fused_loss
    return trainer
