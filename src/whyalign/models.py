"""Local model kinds: models whyalign builds or finds on disk itself, such as the organism
(``organism`` and ``organism/<preset>``).

A kind is registered under the ``whyalign.models`` entry point group (the organism is built
in, so it also works before a reinstall). The rest of whyalign asks this module, not the
kind, for what differs between models: where a name's directory is, which renderer its
models read, which trainer callbacks a fine-tune from one of its directories needs and how
an experiment loads one in Inspect.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

ENTRY_POINTS = "whyalign.models"


@runtime_checkable
class LocalModelKind(Protocol):
    """What a kind of local model tells whyalign."""

    prefix: str  # the names it serves: ``prefix`` and ``prefix/<name>``
    renderer: str  # the scenario renderer its models read: "full" or "compact"
    eval_name: str  # the Inspect model name that loads one of its dirs given ``model_path``

    def path(self, model: str, seed: int = 0) -> Path:
        """The Hugging Face directory of ``model`` (one of its names), built if need be."""
        ...

    def owns(self, model_dir: str | Path) -> bool:
        """Whether ``model_dir`` holds one of its models (or one trained from one)."""
        ...

    def train_callbacks(self, model: Any, model_dir: str | Path) -> list[Any]:
        """``transformers.TrainerCallback``s for training ``model``, loaded from ``model_dir``."""
        ...

    # Optional, read with getattr: ``derive(model_dir, out_dir)`` marks a model trained from
    # one of its directories as its own; ``identity(model, seed) -> dict`` is what determines
    # the model a name builds (an experiment's base step keys on it; default: the name);
    # ``build_seconds(model, seed) -> float`` estimates the build on 2 CPU cores (0 if built).


@functools.cache
def kinds() -> tuple[LocalModelKind, ...]:
    """The registered kinds, the organism first unless a package replaces it."""
    from importlib.metadata import entry_points

    from .organism.kind import KIND

    found: dict[str, LocalModelKind] = {KIND.prefix: KIND}
    for ep in entry_points(group=ENTRY_POINTS):
        kind = ep.load()
        if not isinstance(kind, LocalModelKind):
            raise TypeError(f"entry point {ep.name!r} ({ep.value}) is not a LocalModelKind")
        found[kind.prefix] = kind
    return tuple(found.values())


def kind_of_name(model: Any) -> LocalModelKind | None:
    if not isinstance(model, str):
        return None
    return next((k for k in kinds() if model.partition("/")[0] == k.prefix), None)


def kind_of_dir(model_dir: str | Path | None) -> LocalModelKind | None:
    if not model_dir or not Path(model_dir).is_dir():
        return None
    return next((k for k in kinds() if k.owns(model_dir)), None)


def local_path(model: str, seed: int = 0) -> str | None:
    """A registered kind's model name (``organism/small``) -> its directory, built on first
    use; None for any other name."""
    kind = kind_of_name(model)
    return None if kind is None else str(kind.path(model, seed))


def _model_path(model: Any, model_args: dict[str, Any]) -> Any:
    path = model_args.get("model_path")
    if path is None:  # an Inspect ``Model`` keeps the args it was made with
        path = (getattr(model, "model_args", None) or {}).get("model_path")
    return path


def default_renderer(model: Any, model_args: dict[str, Any]) -> str:
    """The renderer a model reads unless told otherwise: its kind's (``compact`` for the
    organism, by name or for a directory it owns in ``model_args["model_path"]``), else
    ``full`` prose."""
    kind = kind_of_name(str(model)) or kind_of_dir(_model_path(model, model_args))
    return kind.renderer if kind is not None else "full"


def train_callbacks(model: Any, model_dir: str | Path) -> list[Any]:
    """The trainer callbacks that the kind owning ``model_dir`` supplies for ``model``."""
    kind = kind_of_dir(model_dir)
    return [] if kind is None else list(kind.train_callbacks(model, model_dir))


def derive(model_dir: str | Path, out_dir: str | Path) -> None:
    """``out_dir`` was trained from ``model_dir``: the kind owning ``model_dir`` marks it, so
    the renderer and the trainer callbacks follow a model through its fine-tunes."""
    kind = kind_of_dir(model_dir)
    if kind is not None and hasattr(kind, "derive"):
        kind.derive(model_dir, out_dir)


def eval_model(model_dir: str | Path, *, seed: int, temperature: float):
    """A new Inspect model on a local directory for one eval: its kind's provider, else
    Inspect's ``hf/local``.

    A new instance, not Inspect's memoized one: the hf provider seeds torch only when an
    instance is made, so a second eval of one model in a process would sample from where
    the first left the RNG and a resumed run (a fresh process) would not reproduce an
    uninterrupted one. The hf provider samples unless made otherwise, so at temperature 0 it
    is made greedy; the organism's provider decodes greedily at temperature 0 by itself.
    """
    import os

    from inspect_ai.model import GenerateConfig, get_model

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory needs no hub
    kind = kind_of_dir(model_dir)
    name = "hf/local" if kind is None else kind.eval_name
    greedy = {"do_sample": False} if temperature == 0 and name.startswith("hf/") else {}
    return get_model(
        name,
        config=GenerateConfig(seed=seed),
        memoize=False,
        model_path=str(model_dir),
        **greedy,
    )


def inspect_name(model: str) -> str:
    """A name Inspect accepts: a kind's bare prefix (``organism``) gets its default model
    (``organism/default``), since Inspect reads every model name as ``provider/model``."""
    kind = kind_of_name(model)
    return f"{model}/default" if kind is not None and model == kind.prefix else model


def resolve_model(
    model: Any, model_args: dict[str, Any], seed: int = 0
) -> tuple[Any, dict[str, Any]]:
    """A kind's name -> (its Inspect name, ``model_args`` with the built directory as
    ``model_path``); ``-M organism_seed=N`` picks the build (``seed`` is not read: kept for
    callers that pass one). Any other model passes through.

    For callers that look for ``model_path`` in the args; ``get_model("organism/<preset>")``
    builds and loads the organism by itself."""
    kind = kind_of_name(model)
    if kind is None or "model_path" in model_args:
        return (inspect_name(model) if kind else model), model_args
    args = dict(model_args)
    build_seed = int(args.pop("organism_seed", 0))
    return inspect_name(model), {"model_path": local_path(model, build_seed), **args}
