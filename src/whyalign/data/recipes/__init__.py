"""The built-in recipes, one module each, each declared with ``@recipe(...)`` (see
``whyalign.data.registry``): its name, format, options, LLM half and offline half.

The LLM half, ``async run(ctx) -> list[dict]``, returns candidate records in a deterministic
order, each with a ``meta`` dict. The shared tail (banned names, near-duplicates, the cap at
``n``, the contamination guard, the card) is applied by ``whyalign.data.dataset``.
Modules whose name starts with ``_`` hold shared pieces and are not recipes.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...spec import Spec
from ..engine import Engine

if TYPE_CHECKING:
    from ..registry import Recipe

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


def resolve_options(recipe: Recipe, options: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in, unknown keys rejected, booleans from CLI strings understood."""
    allowed = {**COMMON_OPTIONS, **recipe.options}
    given = dict(options or {})
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ValueError(f"recipe {recipe.name} has no option {', '.join(unknown)}; known: {known}")
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
