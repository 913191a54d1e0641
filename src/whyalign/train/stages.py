"""Training stages: ``docs`` (packed causal LM on transformers' Trainer), ``chat``
(assistant-only SFT on TRL's SFTTrainer) and ``prefs`` (DPO on TRL's DPOTrainer).

Checkpoints, resume, gradient accumulation, bf16 and ``accelerate launch`` scale-out are the
libraries'; what is ours is the data mixture, the token accounting and the output layout:
``out/model`` (a Hugging Face model dir with its tokenizer and ``token_accounting.json``),
``out/adapter`` (with ``lora``) and ``out/checkpoints``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from . import accounting
from .accounting import TokenCounting
from .config import ChatConfig, DocsConfig, PrefsConfig, StageConfig
from .data import as_parts
from .errors import ModelLoadError
from .prepare import (
    blocks,
    chat_lengths,
    pack,  # noqa: F401  (public here before prepare.py existed)
    plan,
    pref_lengths,
    tagged,
)
from .rows import RowMeanLoss, pad_rows

log = logging.getLogger(__name__)


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _bf16(cfg: StageConfig) -> bool:
    import torch

    if cfg.bf16 is not None:
        return cfg.bf16
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    # CPU autocast to bf16 is ~1.5x faster where the CPU has native bf16 (AVX512-BF16/AMX).
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _checkpointing_key() -> str:
    from transformers import TrainingArguments

    # transformers 5 renamed it; the old name still works there but warns
    fields = TrainingArguments.__dataclass_fields__
    return (
        "activation_checkpointing"
        if "activation_checkpointing" in fields
        else "gradient_checkpointing"
    )


def _common_args(cfg: StageConfig, out: Path) -> dict[str, Any]:
    return dict(
        output_dir=str(out / "checkpoints"),
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.learning_rate,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        warmup_steps=cfg.warmup_ratio,  # a float below 1 is a share of all steps
        weight_decay=cfg.weight_decay,
        lr_scheduler_type=cfg.lr_scheduler,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=2,
        seed=cfg.seed,
        data_seed=cfg.seed,
        bf16=_bf16(cfg),
        **{_checkpointing_key(): cfg.gradient_checkpointing},
        use_cpu=not _has_cuda(),
        report_to=[],
        disable_tqdm=not cfg.progress,
        dataloader_num_workers=0,
        train_sampling_strategy=(
            "group_by_length" if getattr(cfg, "group_by_length", False) else "random"
        ),
    )


def docs_args(cfg: StageConfig, out: Path):
    from transformers import TrainingArguments

    return TrainingArguments(**_common_args(cfg, out))


def sft_args(cfg: StageConfig, out: Path):
    from trl import SFTConfig

    return SFTConfig(
        **_common_args(cfg, out),
        max_length=cfg.max_length,
        assistant_only_loss=True,
    )


def dpo_args(cfg: PrefsConfig, out: Path):
    from trl import DPOConfig

    return DPOConfig(
        **_common_args(cfg, out), max_length=cfg.max_length, beta=cfg.beta, loss_type=cfg.loss_type
    )


def stage_args(stage: str, cfg: StageConfig, out: Path):
    """The stage's TrainingArguments. Built before a model loads, they also set up DeepSpeed
    ZeRO-3 under ``accelerate launch``, so that from_pretrained shards at load time."""
    build = {"docs": docs_args, "chat": sft_args, "prefs": dpo_args}[stage]
    return build(cfg, Path(out))


def _lora(cfg: StageConfig):
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        target_modules=cfg.lora_targets,
        task_type="CAUSAL_LM",
    )


class _SeededLengthGrouping:
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
        return _sampler_class()(size, lengths=lengths, seed=self.args.data_seed or self.args.seed)


class _PlainLoss:
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


@cache
def _sampler_class():
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


@cache
def trainer_classes() -> dict[str, type]:
    from transformers import Trainer
    from trl import DPOTrainer, SFTTrainer

    return {
        "docs": type(
            "DocsTrainer", (TokenCounting, _SeededLengthGrouping, RowMeanLoss, Trainer), {}
        ),
        "chat": type(
            "ChatTrainer", (TokenCounting, _SeededLengthGrouping, _PlainLoss, SFTTrainer), {}
        ),
        "prefs": type("PrefsTrainer", (TokenCounting, DPOTrainer), {}),
    }


def _check_chat_template(tokenizer: Any) -> None:
    if not getattr(tokenizer, "chat_template", None):
        raise ModelLoadError("the tokenizer has no chat template; the chat stage needs one")


def _reference(model: Any, cfg: StageConfig):
    """None lets TRL build the DPO reference its own way (the adapter disabled with LoRA, else
    a fresh load of the model's directory); a model made in memory has no directory to load."""
    source = str(getattr(model.config, "_name_or_path", "") or "")
    if cfg.lora or (source and Path(source).is_dir()):
        return None
    return copy.deepcopy(model).eval()


def _save(trainer: Any, tokenizer: Any, out: Path) -> Path:
    """``out/model``: always a full model (LoRA merged) that Inspect's hf/local and the next
    stage load; with LoRA the adapter itself goes to ``out/adapter``."""
    from accelerate.utils import is_peft_model

    final = out / "model"
    main = trainer.is_world_process_zero()
    if is_peft_model(trainer.model):
        adapter = out / "adapter"
        trainer.save_model(str(adapter))
        if trainer.is_fsdp_enabled or trainer.is_deepspeed_enabled:
            # Sharded parameters cannot merge in place: merge the gathered adapter from disk.
            if main:
                from peft import AutoPeftModelForCausalLM

                merged = AutoPeftModelForCausalLM.from_pretrained(str(adapter)).merge_and_unload()
                merged.save_pretrained(str(final))
        elif main:
            unwrapped = trainer.accelerator.unwrap_model(trainer.model)
            unwrapped.merge_and_unload().save_pretrained(str(final))
        if main:
            tokenizer.save_pretrained(str(adapter))
        trainer.accelerator.wait_for_everyone()
    else:
        trainer.save_model(str(final))
    if main:
        tokenizer.save_pretrained(str(final))
    return final


def build_trainer(
    stage: str,
    model: Any,
    tokenizer: Any,
    dataset: Any,
    out: str | Path,
    cfg: DocsConfig | ChatConfig | PrefsConfig,
):
    """The stage's trainer on the mixture, counting tokens; ``train_stage`` runs it."""
    from transformers import set_seed

    if stage not in trainer_classes():
        raise ValueError(f"unknown stage {stage!r}; known: docs, chat, prefs")
    out = Path(out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    parts = as_parts(stage, dataset)
    set_seed(cfg.seed)  # before LoRA: its init draws from the global RNG
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    cls = trainer_classes()[stage]
    peft = _lora(cfg) if cfg.lora else None
    if stage == "docs":
        # Plain causal LM on packed blocks: transformers' Trainer without SFT's per-token
        # metrics runs ~1.6x faster on CPU (benchmarks/organism_build.py).
        data = tagged(
            parts,
            lambda p: blocks(p, tokenizer, cfg),
            lambda r: [len(x) for x in r["input_ids"]],
            cfg.seed,
        )
        if peft is not None:
            from peft import get_peft_model

            model = get_peft_model(model, peft)
            if cfg.gradient_checkpointing:
                model.enable_input_require_grads()
        trainer = cls(
            model=model,
            args=docs_args(cfg, out),
            train_dataset=data,
            data_collator=pad_rows(tokenizer.pad_token_id),
        )
        trainer.row_mean = getattr(cfg, "loss", "token") == "row"
    elif stage == "chat":
        _check_chat_template(tokenizer)
        data = tagged(parts, lambda p: p.rows, chat_lengths(tokenizer, cfg), cfg.seed)
        trainer = cls(
            model=model,
            args=sft_args(cfg, out),
            train_dataset=data,
            processing_class=tokenizer,
            peft_config=peft,
        )
        fused = getattr(cfg, "fused_loss", None)
        trainer.fused_loss = _has_cuda() if fused is None else fused
    else:
        if any(not isinstance(p.rows[0]["prompt"], str) for p in parts):
            _check_chat_template(tokenizer)
        data = tagged(parts, lambda p: p.rows, pref_lengths(tokenizer), cfg.seed)
        trainer = cls(
            model=model,
            ref_model=_reference(model, cfg),
            args=dpo_args(cfg, out),
            train_dataset=data,
            processing_class=tokenizer,
            peft_config=peft,
        )
    trainer.setup_counting(stage, [p.name for p in parts])
    trainer.mixture = parts
    return trainer


def train_stage(
    stage: str,
    model: Any,
    tokenizer: Any,
    dataset: Any,
    out: str | Path,
    cfg: DocsConfig | ChatConfig | PrefsConfig,
    resume: bool = True,
    *,
    callbacks: Sequence[Any] = (),
) -> Path:
    """Train one stage and save a Hugging Face model directory at ``out/model``.

    ``dataset`` is a ``datasets.Dataset`` in the stage's format, a ``{name: Dataset}`` mapping
    or a list of ``data.Part`` (a weighted mixture). Resumes from the newest checkpoint under
    ``out/checkpoints`` when one exists; writes ``out/model/token_accounting.json``.
    """
    from transformers.trainer_utils import get_last_checkpoint

    from .checkpoints import prune_incomplete

    out = Path(out)
    with _progress_bars(cfg.progress):
        trainer = build_trainer(stage, model, tokenizer, dataset, out, cfg)
        for callback in callbacks:
            trainer.add_callback(callback)
        if resume and (removed := prune_incomplete(out / "checkpoints")):
            log.info("removed checkpoints a kill cut short: %s", ", ".join(removed))
        last = get_last_checkpoint(str(out / "checkpoints")) if resume else None
        if last:
            log.info("resuming %s from %s", stage, last)
            trainer.load_counts(last)
        trainer.train(resume_from_checkpoint=last)
        trainer.sync_counts()
        final = _save(trainer, tokenizer, out)
    if trainer.is_world_process_zero():
        epoch = plan(stage, trainer, trainer.mixture)
        accounting.write(final / accounting.FILE, trainer.accounting(), epoch)
    return final


@contextmanager
def _progress_bars(show: bool):
    """``progress=False`` also silences the datasets/transformers bars (map, save, load)."""
    import datasets
    from transformers.utils import logging as hf_logging

    restore = (not datasets.are_progress_bars_disabled(), hf_logging.is_progress_bar_enabled())
    if not show:
        datasets.disable_progress_bars()
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if restore[0]:
            datasets.enable_progress_bars()
        if restore[1]:
            hf_logging.enable_progress_bar()
