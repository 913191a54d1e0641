"""What the stages share: Hugging Face defaults changed with their help kept, trainer classes
that count tokens, LoRA, seeded length-grouped batches and the chat-template check."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from ..accounting import TokenCounting
from ..errors import ModelLoadError

# Every stage's changes to Hugging Face's defaults (settings that suit the organism on a
# CPU). ``config.StageConfig`` resolves bf16 and use_cpu from the machine.
SHARED_DEFAULTS: dict[str, Any] = {
    "num_train_epochs": 1.0,
    "per_device_train_batch_size": 16,
    "warmup_steps": 0.05,  # below 1: a share of all steps
    "lr_scheduler_type": "cosine",
    "seed": 0,
    "save_steps": 100,
    "save_total_limit": 2,
    "logging_steps": 10,
    "report_to": "none",
    "dataloader_num_workers": 0,
    # TRL's configs turn it on; here it is the user's to turn on (big models on a GPU)
    "gradient_checkpointing": None,
}


def default(base: type, name: str, value: Any) -> Any:
    """Field ``name`` of ``base`` (a Hugging Face config) with another default, help kept."""
    source = base.__dataclass_fields__[name]
    if isinstance(value, (list, dict)):
        factory = lambda: type(value)(value)  # noqa: E731  (one fresh copy per instance)
        return dataclasses.field(default_factory=factory, metadata=source.metadata)
    return dataclasses.field(default=value, metadata=source.metadata)


def shared_defaults(base: type):
    """Class decorator, under ``@dataclass``: give the class ``SHARED_DEFAULTS`` over
    ``base``'s, unless its own body sets them."""

    def decorate(cls: type) -> type:
        own = cls.__dict__.get("__annotations__", {})
        annotations = {}
        for name, value in SHARED_DEFAULTS.items():
            if name not in own:
                annotations[name] = base.__dataclass_fields__[name].type
                setattr(cls, name, default(base, name, value))
        cls.__annotations__ = {**annotations, **own}
        return cls

    return decorate


@cache
def counting_trainer(name: str, base: type, *mixins: type) -> type:
    """``base`` (a transformers or TRL trainer) with the token counting and ``mixins``: the
    class a stage's builder makes its trainer from."""
    return type(name, (TokenCounting, *mixins, base), {})


def lora_config(cfg: Any):
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        target_modules=cfg.lora_targets,
        task_type="CAUSAL_LM",
    )


def check_chat_template(tokenizer: Any, stage: str) -> None:
    if not getattr(tokenizer, "chat_template", None):
        raise ModelLoadError(f"the tokenizer has no chat template; the {stage} stage needs one")


class SeededLengthGrouping:
    """Length-grouped batches from a generator seeded by (data seed, epoch).

    transformers' LengthGroupedSampler draws from the global RNG, which a resumed run restores
    to its mid-epoch state: the epoch's order would differ from the uninterrupted run's.
    """

    def _get_train_sampler(self, train_dataset=None):
        from datasets import Dataset

        data = train_dataset if train_dataset is not None else self.train_dataset
        grouped = self.args.train_sampling_strategy == "group_by_length"
        if not (grouped and isinstance(data, Dataset) and "input_ids" in data.column_names):
            return super()._get_train_sampler(train_dataset)
        lengths = [len(ids) for ids in data["input_ids"]]
        size = self.args.train_batch_size * self.args.gradient_accumulation_steps
        return sampler_class()(size, lengths=lengths, seed=self.args.data_seed or self.args.seed)


@cache
def sampler_class():
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    class SeededLengthGroupedSampler(LengthGroupedSampler):
        def __init__(self, batch_size: int, lengths: list[int], seed: int) -> None:
            super().__init__(batch_size, lengths=lengths)
            self.seed, self.epoch = seed, 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __iter__(self):
            self.generator = torch.Generator().manual_seed(self.seed + self.epoch)
            rows = list(super().__iter__())
            # Each mega-batch hands out its batches longest first: every ~50 steps the same
            # sweep from the longest rows to the shortest (in the organism's drills, from
            # corpus documents to two-mail inboxes). Shuffled whole batches keep the padding
            # saved and lose the sweep; a short last batch stays last.
            size = self.batch_size
            full = len(rows) // size
            order = torch.randperm(full, generator=self.generator).tolist()
            shuffled = [i for b in order for i in rows[b * size : (b + 1) * size]]
            return iter(shuffled + rows[full * size :])

    return SeededLengthGroupedSampler
