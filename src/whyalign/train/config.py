"""What a run trains (``TrainArgs``) and the part every stage's config shares (``StageConfig``).

A stage's config (``DocsConfig``, ``ChatConfig``, ``PrefsConfig``, or a plug-in's) subclasses
the Hugging Face config its trainer takes (transformers' ``TrainingArguments``, TRL's
``SFTConfig`` or ``DPOConfig``) and only changes defaults, so every Hugging Face setting is a
flag of ``python -m whyalign.train STAGE``, a key of its ``--config`` YAML and of an
experiment's ``training:`` block, under its Hugging Face name. ``StageConfig`` adds the
fields of our own every stage has (LoRA, progress bars) and the defaults resolved from the
machine.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Set by the run for each stage, never by a user: the checkpoints' folder.
RUN_FIELDS = ("output_dir",)
# Only what is shown, never what is trained.
DISPLAY_FIELDS = ("progress", "disable_tqdm", "logging_dir", "run_name")


@dataclass
class StageConfig:
    """Our fields of every stage's config, mixed in before its Hugging Face class.

    ``bf16`` and ``use_cpu`` left unset follow the machine (bf16 where the GPU, or the CPU's
    AVX512-BF16/AMX, has it; the CPU where there is no CUDA); ``data_seed`` follows ``seed``
    and ``disable_tqdm`` follows ``progress``. The first two resolve at construction, the
    last two when the trainer's arguments are made (``training_args``), so that a copy with
    another seed or progress (``dataclasses.replace``) follows it.
    """

    bf16: bool | None = field(
        default=None,
        metadata={"help": "bf16 mixed precision; unset: where the hardware supports it"},
    )
    use_cpu: bool | None = field(
        default=None, metadata={"help": "Train on the CPU; unset: when there is no CUDA"}
    )
    lora: bool = field(default=False, metadata={"help": "Train a LoRA adapter (PEFT)"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha"})
    lora_targets: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"],
        metadata={"help": "Modules LoRA adapts"},
    )
    progress: bool = field(
        default=True, metadata={"help": "Progress bars (training, data preparation, saving)"}
    )

    def __post_init__(self) -> None:
        steps = self.max_steps  # type: ignore[attr-defined]
        if steps == 0 or steps < -1:  # transformers would train whole epochs instead
            raise ValueError(f"max_steps must be positive (or -1: train by epochs), got {steps}")
        if self.bf16 is None:
            self.bf16 = auto_bf16()
        if self.use_cpu is None:
            self.use_cpu = not _has_cuda()
        tqdm_unset = self.disable_tqdm is None  # type: ignore[attr-defined]
        super().__post_init__()  # type: ignore[misc]
        if tqdm_unset:  # transformers resolves it from its log level; ours is ``progress``
            self.disable_tqdm = None


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def auto_bf16() -> bool:
    """bf16 where the hardware has it: CUDA's check, or on a CPU native bf16 (AVX512-BF16 or
    AMX), where autocast to bf16 runs ~1.5x faster."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def training_args(cfg: Any, out: str | Path) -> Any:
    """The arguments the trainer gets: ``cfg`` with its checkpoints under ``out/checkpoints``
    and the defaults that follow other fields resolved."""
    return dataclasses.replace(
        cfg,
        output_dir=str(Path(out) / "checkpoints"),
        data_seed=cfg.seed if cfg.data_seed is None else cfg.data_seed,
        disable_tqdm=(not cfg.progress) if cfg.disable_tqdm is None else cfg.disable_tqdm,
    )


def _plain(value: Any) -> Any:
    """JSON-ready: enums as their values, nested configs as dicts."""
    import enum

    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def settings(cfg: Any) -> dict[str, Any]:
    """A stage config as a stable JSON-ready dict: the fields that differ from the class's
    defaults on this machine, plus every field of our own (``StageConfig``'s and the stage's
    beyond its Hugging Face class). What labels a run (the output folder) or only shows
    (progress) stays out. ``type(cfg)(**settings(cfg))`` makes the same config; a cache key
    hashes it."""
    cls = type(cfg)
    default = cls()
    hf = {f.name for b in cls.__mro__[1:] if _is_hf(b) for f in dataclasses.fields(b)}
    ours = {f.name for f in dataclasses.fields(cls)} - hf | {
        f.name for f in dataclasses.fields(StageConfig)
    }
    out = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.name in RUN_FIELDS or f.name in DISPLAY_FIELDS:
            continue
        value = _plain(getattr(cfg, f.name))
        if f.name in ours and f.name not in ("bf16", "use_cpu"):
            out[f.name] = value
        elif value != _plain(getattr(default, f.name)):
            out[f.name] = value
    return out


def _is_hf(cls: type) -> bool:
    return dataclasses.is_dataclass(cls) and cls.__module__.startswith(("transformers.", "trl."))


def stage_config(stage: str) -> type:
    """The config class of a registered stage."""
    from .registry import get

    return get(stage).config


@dataclass
class TrainArgs:
    """What one run trains: the starting model, the data mixture and where it writes."""

    model: str = field(
        default="",
        metadata={"help": "HF model dir or hub id, a previous stage's --out, or organism[/preset]"},
    )
    data: list[str] = field(
        default_factory=list,
        metadata={
            "help": "JSONL file or directory, optionally PATH:WEIGHT (e.g. a.jsonl:0.5) or "
            "PATH:TOKENS (a token budget with its unit, e.g. b.jsonl:200k, c.jsonl:5000t); "
            "repeatable"
        },
    )
    out: str = field(default="", metadata={"help": "Output dir: model/, adapter/, checkpoints/"})
    resume: bool = field(
        default=True, metadata={"help": "Resume from the newest checkpoint in out/checkpoints"}
    )
    organism_seed: int = field(default=0, metadata={"help": "Seed of the organism to start from"})
