"""One dataclass config per training stage; usable from YAML and as CLI flags (TRL style).

``TrainArgs`` holds what a run trains (model, data, output); ``DocsConfig``, ``ChatConfig``
and ``PrefsConfig`` hold how. Every field is a flag of ``python -m whyalign.train`` and a key
of its ``--config`` YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stage = Literal["docs", "chat", "prefs"]
STAGES: tuple[Stage, ...] = ("docs", "chat", "prefs")


@dataclass
class StageConfig:
    """Settings shared by every stage. Defaults suit the organism on a CPU."""

    learning_rate: float = 1e-3
    epochs: float = 1.0
    max_steps: int = -1  # overrides epochs when > 0
    batch_size: int = 16  # per device
    grad_accum: int = 1
    max_length: int = 512
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    lr_scheduler: str = "cosine"
    seed: int = 0
    bf16: bool | None = None  # None: on where the hardware supports it
    gradient_checkpointing: bool = False  # trades compute for memory; for big models on GPU
    save_steps: int = 100
    logging_steps: int = 10
    lora: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    lora_targets: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"]
    )
    progress: bool = True


@dataclass
class DocsConfig(StageConfig):
    """Causal-LM training on ``text`` documents, packed into ``max_length`` blocks."""

    # "stream": one token stream cut into blocks (documents may straddle two);
    # "documents": whole documents best-fit into padded blocks (none shorter than a block cut)
    packing: Literal["stream", "documents"] = "stream"
    # "token": the mean over every labelled token of a batch (plain LM training); "row": each
    # row's mean, then the mean over rows, so a row whose label is one short answer weighs as
    # much as a whole labelled document (the organism's drills, ``organism/drills.py``).
    # Pre-tokenized rows may carry a ``weights`` column: each token's loss times its weight
    # (``train/rows.py``; the organism's copy weights, ``organism/weights.py``).
    loss: Literal["token", "row"] = "token"
    group_by_length: bool = False  # rows of unequal length (not packed blocks): less padding


@dataclass
class ChatConfig(StageConfig):
    """SFT on ``messages``; loss on assistant tokens only (chat template generation tags)."""

    learning_rate: float = 5e-4
    group_by_length: bool = True  # batches of similar length: little padding
    # TRL's chunked LM-head loss (+ entropy/accuracy logs) saves memory on big vocabularies on
    # GPU but costs ~40% of a small model's CPU step; None: TRL's on GPU, the plain loss on CPU
    fused_loss: bool | None = None


@dataclass
class PrefsConfig(StageConfig):
    """DPO on ``prompt``/``chosen``/``rejected``; the reference is the starting model."""

    learning_rate: float = 1e-4
    batch_size: int = 8
    beta: float = 0.1
    loss_type: str = "sigmoid"  # any TRL DPO loss: sigmoid, ipo, hinge, robust, ...


STAGE_CONFIGS: dict[str, type[StageConfig]] = {
    "docs": DocsConfig,
    "chat": ChatConfig,
    "prefs": PrefsConfig,
}


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
            "PATH:TOKENS (a token budget, e.g. b.jsonl:200k); repeatable"
        },
    )
    out: str = field(default="", metadata={"help": "Output dir: model/, adapter/, checkpoints/"})
    resume: bool = field(
        default=True, metadata={"help": "Resume from the newest checkpoint in out/checkpoints"}
    )
    organism_seed: int = field(default=0, metadata={"help": "Seed of the organism to start from"})


def stage_config(stage: str) -> type[StageConfig]:
    if stage not in STAGE_CONFIGS:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    return STAGE_CONFIGS[stage]
