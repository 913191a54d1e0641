"""``generate``: one recipe run from spec to dataset directory (the CLI and the experiment
runner both call this)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
from pathlib import Path
from typing import Any

from ..contamination import read_records
from ..spec import Spec, load_spec
from .dataset import CARD_FILE, DATA_FILE, clean, token_counts, write_dataset
from .engine import Engine, EngineConfig, GenerationError, resolve_generator
from .recipes import COMMON_OPTIONS, Context, resolve_options
from .registry import Recipe, get_recipe


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _run_sync(coro):
    """``asyncio.run``, also from code that already runs an event loop (a notebook, an async
    experiment runner): then the pipeline gets its own loop on a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as err:  # re-raised on the caller's thread
            box["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _literal(value: Any) -> Any:
    """CLI strings (``-O p_harmful=0.3``) to numbers/booleans for the offline generator's own
    knobs, whose types only it knows."""
    if not isinstance(value, str):
        return value
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(value.lower(), value)


def _procedural_options(recipe: Recipe, options: dict[str, Any] | None) -> dict[str, Any]:
    """Shared switches validated as for the LLM recipes, plus the offline generator's own
    (``recipe.offline_options``). Recipe defaults are *not* filled in: the offline
    generator has its own (e.g. a mix of injections when none is named)."""
    given = dict(options or {})
    shared = {**COMMON_OPTIONS, **recipe.options}
    own = {
        k: _literal(given.pop(k))
        for k in list(given)
        if k in recipe.offline_options and k not in shared
    }
    resolved = resolve_options(recipe, given)
    keep = set(given) | set(COMMON_OPTIONS)
    return {**{k: v for k, v in resolved.items() if k in keep}, **own}


def _procedural(recipe: Recipe, spec: Spec, n: int, seed: int, opts: dict[str, Any]):
    """Offline records, cleaned like the LLM recipes' (banned names, near-duplicates, cap).
    Record i of the offline generator does not depend on n, so asking for more when cleaning
    leaves fewer than n is deterministic: same seed, same bytes."""
    from .procedural import generate_records

    name = recipe.name
    passed = {k: v for k, v in opts.items() if k not in COMMON_OPTIONS}
    if isinstance(passed.get("injection"), str) and "," in passed["injection"]:
        passed["injection"] = [x.strip() for x in passed["injection"].split(",") if x.strip()]
    if passed.get("source"):  # the offline chat_convert takes the records themselves
        passed["source"] = list(read_records(passed["source"]))
    want = max(n, math.ceil(n * float(opts["oversample"])))
    while True:
        records = generate_records(name, list(spec.sections), n=want, seed=seed, options=passed)
        for i, rec in enumerate(records):
            rec["meta"] = {
                "recipe": name,
                "step": "procedural",
                "generator": "procedural",
                "seed": seed,
                "prompt_hash": f"procedural-{name}-{seed}-{i}",
                **(rec.get("meta") or {}),
            }
        dropped: dict[str, int] = {}
        if recipe.offline_filter is not None:
            records, dropped = recipe.offline_filter(records, passed)
        final, counts = clean(records, n, opts)
        counts["candidates"] += sum(dropped.values())
        if len(final) >= n or len(records) < want or want >= 8 * n:
            return final, counts, dropped
        want *= 2


def generate(
    recipe: str,
    *,
    out: str | Path,
    n: int,
    spec: str | Path = "default",
    generator: str = "procedural",
    seed: int = 0,
    options: dict[str, Any] | None = None,
    progress: bool = False,
) -> Path:
    """Writes OUT/data.jsonl + OUT/dataset_card.json (intermediates under OUT/work/), returns OUT.

    ``generator`` is ``procedural`` (offline, deterministic by seed), any Inspect model name
    (``openai/gpt-4o``, ``vllm/...``, ``mockllm/model``, ``organism``) or an Inspect ``Model``.
    ``options`` are recipe switches (``get_recipe(recipe).options``, and for the offline
    generator ``.offline_options``) plus the engine's
    (``max_connections``, ``max_retries``, ``timeout``, ``temperature``, ``cache``,
    ``model_args``, ``dedup``, ``banned_names``, ``oversample``).

    Raises ``ValueError`` for bad input (unknown recipe or option, missing spec),
    ``GenerationError`` when the generator fails (finished calls stay under OUT/work and a
    rerun resumes) and ``ContaminationError`` when the dataset touches a held-out family.
    """
    rec = get_recipe(recipe)
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    procedural = isinstance(generator, str) and generator == "procedural"
    if procedural and rec.offline is None:
        raise ValueError(f"recipe {recipe} has no offline generator; name a model instead")
    if not procedural and rec.run is None:
        raise ValueError(f"recipe {recipe} has no LLM half; use generator='procedural'")
    spec_obj = load_spec(spec)
    out = Path(out)
    opts = _procedural_options(rec, options) if procedural else resolve_options(rec, options)
    card: dict[str, Any] = {
        "recipe": recipe,
        "format": rec.format,
        "generator": str(generator),
        "seed": seed,
        "config": _json_safe(
            {
                "recipe": recipe,
                "n": n,
                "generator": str(generator),
                "seed": seed,
                "spec": {
                    "name": spec_obj.name,
                    "path": spec_obj.path,
                    "sha256": spec_obj.sha256,
                    "sections": len(spec_obj.sections),
                },
                "options": opts,
            }
        ),
    }
    out.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Any] | None = None
    dropped: dict[str, int] = {}
    if procedural:
        final, counts, dropped = _procedural(rec, spec_obj, int(n), seed, opts)
    else:
        model = resolve_generator(generator, dict(opts.get("model_args") or {}), seed)
        preamble = rec.get_preamble(spec_obj)
        engine = Engine(
            model,
            out / "work",
            recipe=recipe,
            seed=seed,
            preamble=preamble,
            config=EngineConfig.from_options(opts),
            progress=progress,
        )
        card["generator"] = engine.model_name
        ctx = Context(engine, spec_obj, int(n), seed, opts, out / "work")
        try:
            records = _run_sync(rec.run(ctx))
        except GenerationError as err:
            _incomplete(out, card, str(err), engine.summary(), dict(ctx.dropped))
            raise
        rec.check_records(records, "LLM")
        steps, dropped = engine.summary(), dict(ctx.dropped)
        final, counts = clean(records, int(n), opts)
    card["counts"] = {**counts, "dropped": dropped}
    card["steps"] = steps
    card["tokens"] = token_counts(final, steps)
    if not final:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(dropped.items())) or "none"
        msg = (
            f"recipe {recipe}: no records survived ({counts['candidates']} candidates; "
            f"dropped {reasons}); is the generator following the prompts' formats?"
        )
        _incomplete(out, card, msg, steps, dropped, status="empty")
        raise GenerationError(msg)
    return write_dataset(out, final, card, spec=str(spec))


def _incomplete(
    out: Path,
    card: dict[str, Any],
    error: str,
    steps: Any,
    dropped: dict,
    status: str = "incomplete",
) -> None:
    """A card that says what happened; no data file, so nothing trains on a partial set."""
    (out / DATA_FILE).unlink(missing_ok=True)
    card = {
        **card,
        "status": status,
        "error": error,
        "steps": steps,
        "counts": {**card.get("counts", {}), "dropped": dropped},
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
