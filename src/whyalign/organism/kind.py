"""The organism as a local model kind (``whyalign.models``): the names ``organism`` and
``organism/<preset>``, the directories built from it or trained from one, the compact
renderer it reads and the trainer callback that keeps its structured heads while it is
fine-tuned."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

MARKER = "organism.json"


def preset_of(model: str) -> str:
    """``organism`` or ``organism/default`` -> the default preset; ``organism/<p>`` -> p."""
    from .model import PRESETS
    from .plans import DEFAULT_PRESET

    prefix, _, preset = model.partition("/")
    if prefix != OrganismKind.prefix:
        raise ValueError(f"not an organism name: {model!r}")
    preset = preset if preset not in ("", "default") else DEFAULT_PRESET
    if preset not in PRESETS:
        raise ValueError(f"unknown organism preset {preset!r}; known: {', '.join(PRESETS)}")
    return preset


def built_dir(preset: str, seed: int = 0) -> Path:
    """The preset's model directory, built on first use (cached). The build's log goes to
    stderr: a verb's stdout may carry only its result."""
    from .build import build

    return build(preset, seed, log=lambda m: print(m, file=sys.stderr))


class OrganismKind:
    prefix = "organism"
    renderer = "compact"
    # How whyalign's experiments load one of its directories in Inspect (the provider in
    # ``provider.py`` reads ``model_path``; the name after the slash is only a label).
    eval_name = "organism/local"

    def path(self, model: str, seed: int = 0) -> Path:
        return built_dir(preset_of(model), seed)

    def owns(self, model_dir: str | Path) -> bool:
        # The build writes the marker; an experiment's training steps copy it to what they
        # train from the organism, so a fine-tune is still the organism's.
        return (Path(model_dir) / MARKER).is_file()

    def train_callbacks(self, model: Any, model_dir: str | Path) -> list[Any]:
        from .model import hold_callback

        callback = hold_callback(model, model_dir)
        return [] if callback is None else [callback]

    def derive(self, model_dir: str | Path, out_dir: str | Path) -> None:
        shutil.copy(Path(model_dir) / MARKER, Path(out_dir) / MARKER)

    def identity(self, model: str, seed: int = 0) -> dict[str, Any]:
        from .build import build_key

        preset = preset_of(model)
        return {"organism": preset, "seed": seed, "build": build_key(preset, seed)}

    def build_seconds(self, model: str, seed: int = 0) -> float:
        from .build import is_built
        from .shipped import current

        preset = preset_of(model)
        if is_built(preset, seed) or current(preset, seed) is not None:
            return 0.0
        return {"tiny": 20.0, "small": 600.0}.get(preset, 3600.0)


KIND = OrganismKind()
