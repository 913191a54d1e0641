"""The training stages: each one module that registers itself with ``register_stage``.

A stage is a name, a config class (a subclass of transformers' ``TrainingArguments`` or of a
TRL config, mixed with ``config.StageConfig``), the dataset columns its rows carry, a check
that turns a JSONL row into its canonical form, a trainer builder and its token accounting.
The package's own stages are the public modules of ``whyalign.train.stages``; another package
adds one through the ``whyalign.stages`` entry point group (naming the module that
registers it). Every list of stages (the CLI's, the experiment file's, the data checks') reads
this registry.

Stage modules subclass Hugging Face configs, so the first lookup imports transformers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

ENTRY_POINTS = "whyalign.stages"


@dataclass(frozen=True)
class Counting:
    """What "tokens" means for a stage (``accounting``): the fields it counts, first
    ``examples``, with ``tokens`` among them."""

    fields: tuple[str, ...]
    # A collated batch -> a [rows, len(fields)] tensor of its trained counts.
    batch: Callable[[dict[str, Any]], Any]
    # A row of the trainer's prepared dataset -> its counts but ``examples`` (the epoch plan).
    row: Callable[[dict[str, Any]], dict[str, int]]


@dataclass(frozen=True)
class StageSpec:
    name: str
    config: type  # the stage's settings: a TrainingArguments subclass
    columns: tuple[str, ...]  # what its rows carry
    # (model, tokenizer, parts, cfg, out) -> a trainer made with ``stages.counting_trainer``
    build: Callable[..., Any]
    counting: Counting
    # (row, where) -> the row in canonical form, or a one-line DataError
    normalize: Callable[[Any, str], dict[str, Any]]
    # Columns of pre-tokenized rows, accepted in place of ``columns``.
    pretokenized: tuple[str, ...] = ()
    # (rows, path) -> None or a DataError: checks across a loaded file's rows
    check: Callable[[list[dict[str, Any]], str], None] | None = None
    order: int = 100  # where it sits in the usual pipeline; orders every listing
    doc: str = ""


_REGISTERED: dict[str, StageSpec] = {}
_discovered = False


def register_stage(
    name: str,
    *,
    config: type,
    columns: tuple[str, ...],
    counting: Counting,
    normalize: Callable[[Any, str], dict[str, Any]],
    pretokenized: tuple[str, ...] = (),
    check: Callable[[list[dict[str, Any]], str], None] | None = None,
    order: int = 100,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a stage's trainer builder to register the stage under ``name``."""

    def decorate(build: Callable[..., Any]) -> Callable[..., Any]:
        known = _REGISTERED.get(name)
        if known is not None and known.build.__module__ != build.__module__:
            raise ValueError(
                f"stage {name!r} is registered twice ({known.build.__module__}, {build.__module__})"
            )
        _REGISTERED[name] = StageSpec(
            name,
            config,
            tuple(columns),
            build,
            counting,
            normalize,
            tuple(pretokenized),
            check,
            order,
            (build.__doc__ or "").strip(),
        )
        return build

    return decorate


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    from . import stages as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        entry.load()


def rediscover() -> None:
    """Look for stages again (after installing a package that adds one)."""
    global _discovered
    _discovered = False
    _discover()


def stages() -> dict[str, StageSpec]:
    """Every stage, in pipeline order."""
    _discover()
    return dict(sorted(_REGISTERED.items(), key=lambda kv: (kv[1].order, kv[0])))


def names() -> tuple[str, ...]:
    return tuple(stages())


def get(name: str) -> StageSpec:
    known = stages()
    if name not in known:
        raise ValueError(f"unknown stage {name!r}; known: {', '.join(known)}")
    return known[name]


def hints() -> dict[str, str]:
    """A column only one stage reads -> that stage: names the format a wrong dataset has."""
    owners: dict[str, set[str]] = {}
    for spec in stages().values():
        for column in (*spec.columns, *spec.pretokenized):
            owners.setdefault(column, set()).add(spec.name)
    return {c: next(iter(s)) for c, s in owners.items() if len(s) == 1}
