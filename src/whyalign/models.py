"""Model names whyalign adds on top of Inspect's: ``organism`` and ``organism/<preset>``."""

from __future__ import annotations

from typing import Any


def is_organism(model: Any) -> bool:
    return isinstance(model, str) and (model == "organism" or model.startswith("organism/"))


def resolve_model(
    model: Any, model_args: dict[str, Any], seed: int = 0
) -> tuple[Any, dict[str, Any]]:
    """Turn ``organism[/preset]`` into Inspect's ``hf/local`` on the built organism (building
    it on first use); any other model passes through unchanged."""
    if not is_organism(model):
        return model, model_args
    from .organism.build import DEFAULT_PRESET, build

    preset = model.partition("/")[2] or DEFAULT_PRESET
    path = build(preset, int(model_args.pop("organism_seed", 0)))
    return "hf/local", {"model_path": str(path), "device": "cpu", **model_args}
