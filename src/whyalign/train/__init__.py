"""Training stages (docs, chat, prefs) on TRL / transformers / PEFT.

Heavy libraries load on first use: importing this package is cheap.
"""

from .config import (
    STAGES,
    ChatConfig,
    DocsConfig,
    PrefsConfig,
    StageConfig,
    TrainArgs,
    stage_config,
)
from .data import Part, load_mixture, parse_spec
from .errors import DataError, DataNotFound, ModelLoadError

__all__ = [
    "STAGES",
    "ChatConfig",
    "DataError",
    "DataNotFound",
    "DocsConfig",
    "ModelLoadError",
    "Part",
    "PrefsConfig",
    "StageConfig",
    "TrainArgs",
    "accelerate_config",
    "load_mixture",
    "parse_spec",
    "stage_config",
    "train",
    "train_stage",
]


def train(*args, **kwargs):
    """See ``whyalign.train.run.train``."""
    from .run import train as _train

    return _train(*args, **kwargs)


def train_stage(*args, **kwargs):
    """See ``whyalign.train.stages.train_stage``."""
    from .stages import train_stage as _train_stage

    return _train_stage(*args, **kwargs)


def accelerate_config(name: str):
    """Path of a shipped accelerate config: ddp, fsdp2 or zero3."""
    from .run import accelerate_config as _path

    return _path(name)
