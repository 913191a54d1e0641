"""Training stages on TRL: ``docs`` (packed causal LM) and ``chat`` (assistant-only SFT).

Both run through TRL's SFTTrainer, so checkpoints, resume, gradient accumulation, bf16 and
``accelerate launch`` scale-out are the library's, not ours.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .config import ChatConfig, DocsConfig, StageConfig

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


def sft_args(cfg: StageConfig, out: Path, stage: str):
    from trl import SFTConfig

    docs = stage == "docs"
    return SFTConfig(
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
        use_cpu=not _has_cuda(),
        report_to=[],
        disable_tqdm=not cfg.progress,
        max_length=cfg.max_length,
        packing=docs,
        packing_strategy="wrapped",
        dataset_text_field="text",
        assistant_only_loss=not docs,
        train_sampling_strategy=(
            "group_by_length" if getattr(cfg, "group_by_length", False) and not docs else "random"
        ),
        dataloader_num_workers=0,
        save_only_model=False,
    )


def _lora(cfg: StageConfig):
    from peft import LoraConfig

    return LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, target_modules=cfg.lora_targets,
                      task_type="CAUSAL_LM")


def train_stage(
    stage: str,
    model: Any,
    tokenizer: Any,
    dataset: Any,
    out: str | Path,
    cfg: DocsConfig | ChatConfig,
    resume: bool = True,
) -> Path:
    """Train one stage and save a Hugging Face model directory at ``out/model``.

    Resumes from the newest checkpoint under ``out/checkpoints`` when one exists.
    """
    from transformers.trainer_utils import get_last_checkpoint
    from trl import SFTTrainer

    out = Path(out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    trainer = SFTTrainer(
        model=model,
        args=sft_args(cfg, out, stage),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=_lora(cfg) if cfg.lora else None,
    )
    last = get_last_checkpoint(str(out / "checkpoints")) if resume else None
    if last:
        log.info("resuming %s from %s", stage, last)
    trainer.train(resume_from_checkpoint=last)
    final = out / "model"
    trainer.save_model(str(final))
    tokenizer.save_pretrained(str(final))
    return final
