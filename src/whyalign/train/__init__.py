"""Training stages (docs, chat, prefs, rl, and any a package registers) on TRL / transformers /
PEFT.

Heavy libraries load on first use: importing this package is cheap. The stages' config classes
(``DocsConfig``, ``ChatConfig``, ``PrefsConfig``, ``RLConfig``) subclass Hugging Face's, so
reaching one imports transformers.
"""

from .config import StageConfig, TrainArgs, settings, stage_config
from .data import Part, load_mixture, parse_spec
from .errors import DataError, DataNotFound, ModelLoadError
from .registry import Counting, StageSpec, register_stage

_CONFIGS = {
    "DocsConfig": "docs",
    "ChatConfig": "chat",
    "PrefsConfig": "prefs",
    "RLConfig": "rl",
}

__all__ = [
    "ChatConfig",
    "Counting",
    "DataError",
    "DataNotFound",
    "DocsConfig",
    "ModelLoadError",
    "Part",
    "PrefsConfig",
    "RLConfig",
    "StageConfig",
    "StageSpec",
    "TrainArgs",
    "accelerate_config",
    "load_mixture",
    "parse_spec",
    "register_stage",
    "settings",
    "stage_config",
    "stage_names",
    "train",
    "train_stage",
]


def __getattr__(name: str):
    if name in _CONFIGS:
        return stage_config(_CONFIGS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def stage_names() -> tuple[str, ...]:
    """Every registered stage, in pipeline order."""
    from .registry import names

    return names()


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
