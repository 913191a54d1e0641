"""A stage from outside whyalign, in one module: ``passages``, plain causal LM on each
``passage`` row as its own example (no packing). Registered through the ``whyalign.stages``
entry point group (``plugin.py`` installs it)."""

from dataclasses import dataclass, field

from transformers import Trainer, TrainingArguments

from whyalign.train.config import StageConfig, training_args
from whyalign.train.data import wrong_format
from whyalign.train.prepare import tagged
from whyalign.train.registry import Counting, register_stage
from whyalign.train.rows import pad_rows
from whyalign.train.stages import counting_trainer, default, shared_defaults


@dataclass
@shared_defaults(TrainingArguments)
class PassagesConfig(StageConfig, TrainingArguments):
    learning_rate: float = default(TrainingArguments, "learning_rate", 2e-3)
    max_length: int = field(default=64, metadata={"help": "Tokens kept of each passage"})


def normalize(row, where):
    if not (isinstance(row, dict) and isinstance(row.get("passage"), str)):
        raise wrong_format("passages", where, row, "rows with a 'passage' string")
    return {"passage": row["passage"]}


def batch_counts(batch):
    import torch

    ids, mask = batch["input_ids"], batch.get("attention_mask")
    tokens = mask.sum(1) if mask is not None else torch.full_like(ids[:, 0], ids.shape[1])
    return torch.stack([torch.ones_like(tokens), tokens], 1)


def row_counts(row):
    return {"tokens": len(row["input_ids"])}


@register_stage(
    "passages",
    config=PassagesConfig,
    columns=("passage",),
    counting=Counting(("examples", "tokens"), batch_counts, row_counts),
    normalize=normalize,
)
def build(model, tokenizer, parts, cfg, out):
    """Each passage its own example, truncated to max_length."""

    def rows(part):
        def encode(r):
            ids = tokenizer(r["passage"])["input_ids"][: cfg.max_length]
            return {"input_ids": ids, "labels": ids}

        return part.rows.map(encode, remove_columns=["passage"])

    data = tagged(parts, rows, lambda r: [len(x) for x in r["input_ids"]], cfg.seed)
    cls = counting_trainer("PassagesTrainer", Trainer)
    return cls(
        model=model,
        args=training_args(cfg, out),
        train_dataset=data,
        data_collator=pad_rows(tokenizer.pad_token_id),
    )
