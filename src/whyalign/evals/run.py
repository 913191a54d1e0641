"""``whyalign eval``: run the suite through Inspect, keep the logs, write summary.json."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import resolve_model
from .summary import summarise_samples
from .task import DEFAULT_TEMPERATURE, MAX_TOKENS, honeypots


@dataclass
class EvalSettings:
    model: Any  # an Inspect model name or Model instance
    split: str = "in_dist"
    families: list[str] | None = None
    samples: int = 2
    renderer: str | None = None  # None: compact for the organism, full otherwise
    judge: str = "rules"
    grader: Any = None  # an Inspect model name or Model instance for the 'grader' role
    seed: int = 0
    temperature: float = DEFAULT_TEMPERATURE
    max_tokens: int | None = None
    top_p: float | None = None  # None: the model's own default (its generation_config.json)
    epochs: int = 1
    grid: str = "core"
    extra_tools: int = 0
    scratchpad: bool = True
    own_name: str = "Assistant"
    family_files: list[str] = field(default_factory=list)
    model_args: dict[str, Any] = field(default_factory=dict)
    max_connections: int | None = None
    # Samples in flight. For local models keep several batches queued so the next batch is
    # ready the moment one finishes (Inspect's hf provider polls its futures once a second).
    max_samples: int | None = None


def default_renderer(model_args: dict[str, Any]) -> str:
    """The organism reads the compact world; everything else gets full prose."""
    path = model_args.get("model_path")
    return "compact" if path and (Path(path) / "organism.json").exists() else "full"


def model_decoding(model_args: dict[str, Any]) -> dict[str, Any]:
    """The sampling defaults a local model ships (``generation_config.json``), which apply
    wherever the eval's settings leave a field unset: part of what the rates were measured
    under, so the summary records them."""
    path = model_args.get("model_path")
    try:
        config = json.loads((Path(path) / "generation_config.json").read_text()) if path else {}
    except (OSError, ValueError):  # none, or unreadable: the run's results matter more
        return {}
    if not isinstance(config, dict):
        return {}
    keys = ("do_sample", "temperature", "top_p", "top_k", "min_p")
    return {k: config[k] for k in keys if k in config}


def _default_max_samples(settings: EvalSettings) -> int | None:
    if str(settings.model).startswith(("hf/", "organism")):
        return 4 * (settings.max_connections or 32)
    return None


def run_eval(settings: EvalSettings, out_dir: str | Path) -> dict[str, Any]:
    from inspect_ai import eval as inspect_eval

    from .._offline import patch_mock_token_count

    patch_mock_token_count()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model, model_args = resolve_model(settings.model, dict(settings.model_args))
    renderer = settings.renderer or default_renderer(model_args)
    temperature: float | None = settings.temperature
    if temperature == 0 and str(model).startswith("hf/"):
        # Inspect's hf provider samples by default, and transformers refuses to sample at
        # temperature 0 (every sample would end in an error): greedy decoding, no temperature.
        # An instance fixed its decoding when it was made; one made to sample would sample at
        # transformers' default temperature under a record that says 0.
        if isinstance(model, str):
            model_args.setdefault("do_sample", False)
        elif getattr(model.api, "do_sample", False):
            raise ValueError("temperature 0 needs an hf model made with do_sample=False")
        temperature = None
    if "model_path" in model_args:
        # A local directory needs no hub; without this, Inspect's model-info lookup instantiates
        # "hf/local" by name and waits on hub retries when there is no network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE or os.environ["HF_HUB_OFFLINE"] == "1"
    task = honeypots(
        split=settings.split,
        families=settings.families,
        samples=settings.samples,
        renderer=renderer,  # type: ignore[arg-type]
        judge=settings.judge,  # type: ignore[arg-type]
        grid=settings.grid,
        extra_tools=settings.extra_tools,
        scratchpad=settings.scratchpad,
        own_name=settings.own_name,
        family_files=settings.family_files or None,
        temperature=temperature,
        max_tokens=settings.max_tokens,
        top_p=settings.top_p,
    )
    start = time.perf_counter()
    log = inspect_eval(
        task,
        model=model,
        model_args=model_args,
        model_roles={"grader": settings.grader} if settings.grader else None,
        log_dir=str(out / "logs"),
        epochs=settings.epochs,
        seed=settings.seed,
        max_connections=settings.max_connections,
        max_samples=settings.max_samples or _default_max_samples(settings),
        display="none",
        fail_on_error=False,
    )[0]
    elapsed = time.perf_counter() - start
    summary = summarise_samples(log.samples).to_dict()
    grader = settings.grader or (settings.model if settings.judge != "rules" else None)
    result = {
        "model": str(settings.model),
        "status": log.status,
        "error": str(log.error.message) if log.error else None,
        "settings": {
            "split": settings.split,
            "families": settings.families,
            "samples": settings.samples,
            "renderer": renderer,
            "judge": settings.judge,
            "grader": None if grader is None else str(grader),
            "seed": settings.seed,
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens or MAX_TOKENS[renderer],
            "top_p": settings.top_p,
            "model_decoding": model_decoding(model_args),
            "epochs": settings.epochs,
            "grid": settings.grid,
            "extra_tools": settings.extra_tools,
            "scratchpad": settings.scratchpad,
            "own_name": settings.own_name,
            "family_files": settings.family_files,
            "model_args": {k: str(v) for k, v in model_args.items()},
        },
        "log": log.location,
        "elapsed_s": round(elapsed, 3),
        "samples_total": len(log.samples or []),
        **summary,
    }
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    return result
