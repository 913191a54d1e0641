"""One dataclass config per training stage; usable from YAML and as CLI flags (TRL style)."""

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
    batch_size: int = 16
    grad_accum: int = 1
    max_length: int = 512
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    lr_scheduler: str = "cosine"
    seed: int = 0
    bf16: bool | None = None  # None: on where the hardware supports it
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


@dataclass
class ChatConfig(StageConfig):
    """SFT on ``messages``; loss on assistant tokens only (chat template generation tags)."""

    learning_rate: float = 5e-4
    group_by_length: bool = True
