"""One module per recipe. Each defines:

- ``FORMAT``: ``docs`` (``text``), ``chat`` (``messages``) or ``prefs``;
- ``OPTIONS``: its switches and their defaults (unknown options are an error);
- ``preamble(spec)``: the text injected at every generation layer;
- ``async run(ctx) -> list[dict]``: candidate records in a deterministic order, each with a
  ``meta`` dict. The shared tail (banned names, near-duplicates, the cap at ``n``, the
  contamination guard, the card) is applied by ``whyalign.data.dataset``.
"""

from __future__ import annotations

import importlib
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ...spec import Spec
from ..engine import Engine

RECIPES: tuple[str, ...] = (
    "honeypot_demos",
    "difficult_advice",
    "constitution_docs",
    "stories",
    "chat_convert",
    "harmlessness_chat",
    "tool_augment",
)

# Options every recipe accepts: the engine's sampling/concurrency knobs and the shared tail.
COMMON_OPTIONS: dict[str, Any] = {
    "max_connections": 8,
    "max_retries": None,
    "timeout": None,
    "attempt_timeout": None,
    "temperature": 1.0,
    "max_tokens": None,
    "cache": None,
    "model_args": {},
    "dedup": 0.8,  # MinHash Jaccard threshold; 0 or 1 turns near-duplicate removal off
    "banned_names": "rewrite",  # or "drop"
    "oversample": 1.5,  # candidates per requested item: filters drop some
}


def load(recipe: str) -> ModuleType:
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; known: {', '.join(RECIPES)}")
    return importlib.import_module(f"{__name__}.{recipe}")


def resolve_options(module: ModuleType, options: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in, unknown keys rejected, booleans from CLI strings understood."""
    allowed = {**COMMON_OPTIONS, **getattr(module, "OPTIONS", {})}
    given = dict(options or {})
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        name = module.__name__.rsplit(".", 1)[-1]
        raise ValueError(
            f"recipe {name} has no option {', '.join(unknown)}; known: {', '.join(sorted(allowed))}"
        )
    out = dict(allowed)
    for k, v in given.items():
        default = allowed[k]
        if isinstance(default, bool) and isinstance(v, str):
            if v.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(f"option {k} expects true or false, got {v!r}")
            v = v.lower() in ("1", "true", "yes")
        elif (
            isinstance(default, int | float)
            and not isinstance(default, bool)
            and isinstance(v, str)
        ):
            try:
                v = type(default)(v)
            except ValueError:
                raise ValueError(f"option {k} expects a number, got {v!r}") from None
        out[k] = v
    return out


@dataclass
class Context:
    """What a recipe run sees: the engine, the spec, the size, the switches, drop counts."""

    engine: Engine
    spec: Spec
    n: int
    seed: int
    options: dict[str, Any]
    work: Path
    dropped: Counter = field(default_factory=Counter)

    @property
    def target(self) -> int:
        """Candidates to aim for: ``n`` times the oversampling factor."""
        return max(1, math.ceil(self.n * float(self.options["oversample"])))

    def rng(self, *key: Any) -> random.Random:
        # String seeds hash with SHA-512 in CPython: stable across processes and versions.
        return random.Random("\x1f".join(map(str, (self.seed, *key))))

    def drop(self, reason: str, count: int = 1) -> None:
        if count:
            self.dropped[reason] += count
