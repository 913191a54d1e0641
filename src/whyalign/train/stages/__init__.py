"""The training stages, one module each (``docs``, ``chat``, ``prefs``), and what runs any of
them: ``build_trainer`` and ``train_stage``.

Checkpoints, resume, gradient accumulation, bf16 and ``accelerate launch`` scale-out are the
libraries'; what is ours is the data mixture, the token accounting and the output layout:
``out/model`` (a Hugging Face model dir with its tokenizer and ``token_accounting.json``),
``out/adapter`` (with ``lora``) and ``out/checkpoints``. A stage of another package registers
through the ``whyalign.stages`` entry points (``..registry``): its module defines a config
class (``config.StageConfig`` mixed into a Hugging Face config, ``shared_defaults`` giving it
ours) and decorates a builder that makes its trainer from ``counting_trainer``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import accounting
from ..accounting import TokenCounting
from ..config import training_args
from ..data import as_parts
from ..prepare import plan
from ..registry import get
from ._common import counting_trainer, default, shared_defaults

__all__ = [
    "build_trainer",
    "counting_trainer",
    "default",
    "shared_defaults",
    "stage_args",
    "train_stage",
]

log = logging.getLogger(__name__)


def stage_args(stage: str, cfg: Any, out: str | Path):
    """The stage's TrainingArguments. Built before a model loads, they also set up DeepSpeed
    ZeRO-3 under ``accelerate launch``, so that from_pretrained shards at load time."""
    spec = get(stage)
    if not isinstance(cfg, spec.config):
        raise ValueError(f"the {stage} stage needs a {spec.config.__name__}")
    return training_args(cfg, out)


def build_trainer(stage: str, model: Any, tokenizer: Any, dataset: Any, out: str | Path, cfg: Any):
    """The stage's trainer on the mixture, counting tokens; ``train_stage`` runs it."""
    from transformers import set_seed

    spec = get(stage)
    out = Path(out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    parts = as_parts(stage, dataset)
    set_seed(cfg.seed)  # before LoRA: its init draws from the global RNG
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    trainer = spec.build(model, tokenizer, parts, cfg, out)
    if not isinstance(trainer, TokenCounting):
        raise TypeError(
            f"stage {stage!r}: its builder must make the trainer from stages.counting_trainer"
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
    cfg: Any,
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

    from ..checkpoints import prune_incomplete

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
