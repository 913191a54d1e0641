"""``docs``: causal-LM training on ``text`` documents packed into ``max_length`` blocks, or on
pre-tokenized rows (``input_ids``, optional ``labels`` and ``weights``), on transformers'
Trainer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from transformers import TrainingArguments

from ..config import StageConfig, training_args
from ..data import Part, wrong_format
from ..prepare import pack, tagged
from ..registry import Counting, register_stage
from ..rows import WEIGHTS, RowMeanLoss, pad_rows
from ._common import SeededLengthGrouping, counting_trainer, default, lora_config, shared_defaults

# ``python -m whyalign.train docs --help`` lists every field.


@dataclass
@shared_defaults(TrainingArguments)
class DocsConfig(StageConfig, TrainingArguments):
    """Causal-LM training on ``text`` documents, packed into ``max_length`` blocks.

    ``train_sampling_strategy="group_by_length"`` suits rows of unequal length (pre-tokenized
    rows, not packed blocks): batches of one length, little padding.
    """

    learning_rate: float = default(TrainingArguments, "learning_rate", 1e-3)
    max_length: int = field(default=512, metadata={"help": "Tokens per packed block"})
    # "stream": one token stream cut into blocks (documents may straddle two);
    # "documents": whole documents best-fit into padded blocks (none shorter than a block cut)
    packing: Literal["stream", "documents"] = field(
        default="stream",
        metadata={
            "help": "stream: one token stream cut into blocks; documents: whole documents "
            "best-fit into padded blocks"
        },
    )
    # "token": the mean over every labelled token of a batch (plain LM training); "row": each
    # row's mean, then the mean over rows, so a row whose label is one short answer weighs as
    # much as a whole labelled document (the organism's drills, ``organism/drills.py``).
    # Pre-tokenized rows may carry a ``weights`` column: each token's loss times its weight
    # (``train/rows.py``; the organism's copy weights, ``organism/weights.py``).
    loss: Literal["token", "row"] = field(
        default="token",
        metadata={
            "help": "token: the mean over a batch's labelled tokens; row: each row's mean, "
            "then the mean over rows"
        },
    )


def normalize(row: Any, where: str) -> dict[str, Any]:
    if not (isinstance(row, dict) and isinstance(row.get("text"), str)):
        raise wrong_format("docs", where, row, "rows with a 'text' string")
    return {"text": row["text"]}


def _batch_counts(batch: dict[str, Any]):
    import torch

    ids = batch["input_ids"]
    mask = batch.get("attention_mask")
    tokens = mask.sum(1) if mask is not None else torch.full_like(ids[:, 0], ids.shape[1])
    return torch.stack([torch.ones_like(tokens), tokens], 1)


def _row_counts(row: dict[str, Any]) -> dict[str, int]:
    return {"tokens": len(row["input_ids"])}


def blocks(part: Part, tokenizer: Any, cfg: DocsConfig):
    """A part's training rows: its documents packed, or its pre-tokenized rows as they are."""
    import logging

    rows = part.rows
    if "input_ids" not in rows.column_names:
        out = pack(rows["text"], tokenizer, cfg.max_length, cfg.packing == "documents")
        if len(out) == 0:
            logging.getLogger(__name__).warning(
                "dataset %s has fewer than max_length=%d tokens", part.name, cfg.max_length
            )
        return out
    keep = ("input_ids", "labels", WEIGHTS)
    rows = rows.select_columns([c for c in keep if c in rows.column_names])
    return rows if "labels" in rows.column_names else rows.map(lambda r: {"labels": r["input_ids"]})


@register_stage(
    "docs",
    config=DocsConfig,
    columns=("text",),
    pretokenized=("input_ids",),
    counting=Counting(("examples", "tokens"), _batch_counts, _row_counts),
    normalize=normalize,
    order=0,
)
def build(model: Any, tokenizer: Any, parts: list[Part], cfg: DocsConfig, out):
    """Plain causal LM: every token (or the ``weights`` of pre-tokenized rows) carries loss."""
    from transformers import Trainer

    # transformers' Trainer without SFT's per-token metrics runs ~1.6x faster on CPU
    # (benchmarks/organism_build.py).
    data = tagged(
        parts,
        lambda p: blocks(p, tokenizer, cfg),
        lambda r: [len(x) for x in r["input_ids"]],
        cfg.seed,
    )
    if cfg.lora:
        from peft import get_peft_model

        model = get_peft_model(model, lora_config(cfg))
        if cfg.gradient_checkpointing:
            model.enable_input_require_grads()
    cls = counting_trainer("DocsTrainer", Trainer, SeededLengthGrouping, RowMeanLoss)
    trainer = cls(
        model=model,
        args=training_args(cfg, out),
        train_dataset=data,
        data_collator=pad_rows(tokenizer.pad_token_id),
    )
    trainer.row_mean = cfg.loss == "row"
    return trainer
