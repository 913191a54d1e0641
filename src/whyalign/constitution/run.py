"""One run of a constitution question task: items, the Inspect eval, summary.json."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..models import resolve_model
from ..spec import load_spec
from .report import rows_from_samples, summarise
from .scorers import belief_scorer, premise_scorer, recall_scorer
from .task import RECALL_FORMS, premise_keep, questions_task

TASKS = ("recall", "premise", "beliefs")


def _scorer_and_kinds(task: str, form: str, judge: str) -> tuple[Any, tuple[str, ...]]:
    if task == "recall":
        if form not in RECALL_FORMS:
            raise ValueError(f"unknown recall form {form!r}; known: {', '.join(RECALL_FORMS)}")
        return recall_scorer(), RECALL_FORMS[form]
    if task == "premise":
        return premise_scorer(judge), ("premise",)  # type: ignore[arg-type]
    if task == "beliefs":
        return belief_scorer(), ("belief",)
    raise ValueError(f"unknown constitution task {task!r}; known: {', '.join(TASKS)}")


def run_questions(
    task: str,
    *,
    model: Any,
    out: str | Path,
    spec: str = "organism",
    generator: Any = "procedural",
    grader: Any = None,
    n: int | None = None,
    seed: int = 0,
    items: str | Path | None = None,
    form: str = "both",
    judge: str = "auto",
    assistant: str | None = None,
    with_spec: bool = False,
    temperature: float | None = None,
    max_tokens: int | None = None,
    model_args: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``task`` (``recall``, ``premise`` or ``beliefs``) on ``model`` into ``out``: the
    items (``OUT/items/<kind>.jsonl``, generator calls kept for a resumed rerun; the ones
    asked in ``OUT/items/asked.jsonl``), the Inspect
    log (``OUT/logs``) and ``OUT/summary.json`` (per section and overall, with intervals).
    ``grader`` (a name or ``Model``) judges free answers; none: the model grades itself."""
    from inspect_ai import eval as inspect_eval

    from .._offline import patch_mock_token_count
    from ..evals.run import _check_model_path

    patch_mock_token_count()
    scorer, kinds = _scorer_and_kinds(task, form, judge)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = model
    model, args = resolve_model(model, dict(model_args or {}))
    if "model_path" in args:
        _check_model_path(args["model_path"])
    extra = {"assistant": assistant} if assistant else {}
    built = questions_task(
        f"constitution_{task}",
        kinds,
        scorer,
        spec=spec,
        items=None if items is None else str(items),
        generator=generator,
        work_dir=str(out / "items"),
        n=n,
        seed=seed,
        with_spec=with_spec,
        temperature=temperature,
        max_tokens=max_tokens,
        keep=premise_keep(judge) if task == "premise" else None,
        **extra,
    )
    start = time.perf_counter()
    logs = inspect_eval(
        built,
        model=model,
        model_args=args,
        model_roles={"grader": grader} if grader is not None else None,
        log_dir=str(out / "logs"),
        seed=seed,
        display="none",
        fail_on_error=False,
    )
    if not logs or logs[0].status == "cancelled":
        raise KeyboardInterrupt
    log = logs[0]
    order = [s.id for s in load_spec(spec).sections]
    rows = rows_from_samples(log.samples, log.results.scores[0].scorer if log.results else "")
    result = {
        "task": task,
        "model": str(name),
        "spec": built.metadata["spec"] if built.metadata else spec,
        "generator": str(generator),
        "grader": str(grader) if grader is not None else str(name),
        "seed": seed,
        "status": log.status,
        "error": str(log.error.message) if log.error else None,
        "log": log.location,
        "elapsed_s": round(time.perf_counter() - start, 3),
        "samples_total": len(log.samples or []),
        # samples that ended without a score (the model itself failed): in no estimate
        "unscored": len(log.samples or []) - len(rows),
        "results": {k: summarise(k, [r for r in rows if r["kind"] == k], order) for k in kinds},
    }
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    return result
