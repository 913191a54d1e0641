"""``whyalign eval``: run the suite through Inspect, keep the logs, write summary.json."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from ..models import default_renderer, kind_of_name, resolve_model
from .config import EvalConfig
from .panel import as_role, panel_stats
from .summary import summarise_samples
from .task import honeypots_task


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


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _is_local(model: Any) -> bool:
    return str(model).startswith("hf/") or kind_of_name(str(model)) is not None


def _default_max_samples(model: Any, config: EvalConfig) -> int | None:
    return 4 * (config.max_connections or 32) if _is_local(model) else None


def _as_role(grader: Any) -> Any:
    return as_role(grader) if isinstance(grader, list | tuple) else grader


def _label(grader: Any) -> str:
    """A grader or a panel as summary.json records it: ``"m1,m2"``."""
    return ",".join(map(str, grader)) if isinstance(grader, list | tuple) else str(grader)


def _in_hub_cache(name: str) -> bool:
    """A hub id (``org/model``) already downloaded: it loads offline too."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # not a valid repo id: not in the cache
        return False


def _check_model_path(path: Any) -> None:
    """A local model directory that is there and holds a model: otherwise Inspect's loader
    ends in a long traceback about hub repository ids."""
    if not isinstance(path, str | Path):
        return
    p = Path(path).expanduser()
    if not p.exists():
        if _in_hub_cache(str(path)):
            return
        raise ValueError(f"model_path {path}: no such directory")
    if p.is_dir() and not (p / "config.json").exists():
        hint = (
            " (a `whyalign train` output? its model is in model/)"
            if (p / "model" / "config.json").exists()
            else ""
        )
        raise ValueError(f"model_path {path}: not a model directory (no config.json){hint}")


def run_eval(
    config: EvalConfig,
    out_dir: str | Path,
    *,
    model: Any,
    model_args: dict[str, Any] | None = None,
    grader: Any = None,
) -> dict[str, Any]:
    """Run the suite on ``model`` (an Inspect model name or ``Model``) into ``out_dir``: the
    Inspect logs and ``summary.json``, whose ``settings`` are ``config`` as it ran. ``grader``
    (a ``Model``, or a list of them for a panel) stands in for ``config.grader`` where a name
    will not do."""
    from inspect_ai import eval as inspect_eval

    from .._offline import patch_mock_token_count

    patch_mock_token_count()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = model
    model, model_args = resolve_model(model, dict(model_args or {}))
    renderer = config.resolved_renderer(default_renderer(model, model_args))
    run_config = config.model_copy(update={"renderer": renderer})
    if config.temperature == 0 and str(model).startswith("hf/"):
        # Inspect's hf provider samples by default, and transformers refuses to sample at
        # temperature 0 (every sample would end in an error): greedy decoding, no temperature.
        # An instance fixed its decoding when it was made; one made to sample would sample at
        # transformers' default temperature under a record that says 0.
        if isinstance(model, str):
            model_args.setdefault("do_sample", False)
        elif getattr(model.api, "do_sample", False):
            raise ValueError("temperature 0 needs an hf model made with do_sample=False")
        run_config = run_config.model_copy(update={"temperature": None})
    if "model_path" in model_args:
        _check_model_path(model_args["model_path"])
        # A local directory needs no hub; without this, Inspect's model-info lookup instantiates
        # "hf/local" by name and waits on hub retries when there is no network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE or os.environ["HF_HUB_OFFLINE"] == "1"
    task = honeypots_task(run_config)
    start = time.perf_counter()
    log = inspect_eval(
        task,
        model=model,
        model_args=model_args,
        model_roles={"grader": _as_role(grader)} if grader is not None else None,
        log_dir=str(out / "logs"),
        # Also given to eval(): a model Inspect makes from a name takes its seed and batch
        # size from the eval's config, not the task's (the hf provider seeds torch at init).
        seed=config.seed,
        max_connections=config.max_connections,
        max_samples=config.max_samples or _default_max_samples(model, config),
        display="none",
        fail_on_error=False,
        # The live sample buffer (for `inspect view` of a running eval) costs a local model
        # about a third of a short eval's time; its log is whole when the eval ends.
        log_realtime=not _is_local(model),
    )
    if not log or log[0].status == "cancelled":
        # Inspect ends an eval cut short by Ctrl-C as "cancelled" (or with no log at all when
        # it had not started) and swallows the interrupt: give it back to the caller.
        raise KeyboardInterrupt
    log = log[0]
    elapsed = time.perf_counter() - start
    summary = summarise_samples(log.samples).to_dict()
    grader = grader or config.grader or (name if config.judge != "rules" else None)
    settings = config.model_dump(mode="json")
    settings.update(
        renderer=renderer,
        grader=None if grader is None else _label(grader),
        max_tokens=config.resolved_max_tokens(renderer),
        model_decoding=model_decoding(model_args),
        model_args={k: v if _scalar(v) else str(v) for k, v in model_args.items()},
    )
    result = {
        "model": str(name),
        "status": log.status,
        "error": str(log.error.message) if log.error else None,
        "settings": settings,
        "log": log.location,
        "elapsed_s": round(elapsed, 3),
        "samples_total": len(log.samples or []),
        **summary,
        **panel_stats(log.samples),
    }
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    return result
