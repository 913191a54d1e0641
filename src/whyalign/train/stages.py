"""Training stages: ``docs`` (packed causal LM on transformers' Trainer) and ``chat``
(assistant-only SFT on TRL's SFTTrainer).

Checkpoints, resume, gradient accumulation, bf16 and ``accelerate launch`` scale-out are the
libraries', not ours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
        use_cpu=not _has_cuda(),
        report_to=[],
        disable_tqdm=not cfg.progress,
        dataloader_num_workers=0,
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
        train_sampling_strategy=(
            "group_by_length" if getattr(cfg, "group_by_length", False) else "random"
        ),
    )


def pack(texts: Iterable[str], tokenizer: Any, length: int):
    """Concatenate tokenized documents (each closed by EOS) and cut fixed-length blocks.

    The tail that does not fill a block is dropped, as in standard LM pretraining.
    """
    from datasets import Dataset

    ids: list[int] = []
    for text in texts:
        ids.extend(tokenizer(text, add_special_tokens=False)["input_ids"])
        if ids and ids[-1] != tokenizer.eos_token_id:
            ids.append(tokenizer.eos_token_id)
    n = len(ids) // length
    blocks = [ids[i * length : (i + 1) * length] for i in range(n)]
    return Dataset.from_dict({"input_ids": blocks, "labels": blocks})


def _lora(cfg: StageConfig):
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        target_modules=cfg.lora_targets,
        task_type="CAUSAL_LM",
    )


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
    from transformers import Trainer, default_data_collator
    from transformers.trainer_utils import get_last_checkpoint
    from trl import SFTTrainer

    out = Path(out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    if stage == "docs":
        # Plain causal LM on packed blocks: transformers' Trainer without SFT's per-token
        # metrics runs ~1.6x faster on CPU (benchmarks/organism_build.py).
        if cfg.lora:
            from peft import get_peft_model

            model = get_peft_model(model, _lora(cfg))
        texts = dataset["text"] if "input_ids" not in dataset.column_names else None
        blocks = pack(texts, tokenizer, cfg.max_length) if texts is not None else dataset
        trainer = Trainer(
            model=model,
            args=docs_args(cfg, out),
            train_dataset=blocks,
            data_collator=default_data_collator,
        )
    elif stage == "chat":
        trainer = SFTTrainer(
            model=model,
            args=sft_args(cfg, out),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=_lora(cfg) if cfg.lora else None,
        )
    else:
        raise ValueError(f"unknown stage {stage!r}")
    last = get_last_checkpoint(str(out / "checkpoints")) if resume else None
    if last:
        log.info("resuming %s from %s", stage, last)
    trainer.train(resume_from_checkpoint=last)
    final = out / "model"
    trainer.save_model(str(final))
    tokenizer.save_pretrained(str(final))
    return final
