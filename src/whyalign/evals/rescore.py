"""``whyalign rescore``: judge the replies of a finished ``whyalign eval`` again, without
calling the target model.

Inspect's own re-scoring (``inspect_ai.score``) rebuilds each sample's state from the log and
runs our honeypot scorer on the recorded reply; the new logs and a new summary.json go to a
separate directory, so the original run stays as it was. Rules-only rescoring needs no model
at all: the active model is Inspect's ``none`` model, which refuses to generate, so a scorer
that tried to call the target would fail loudly rather than run it.
"""

from __future__ import annotations

import json
import time
from copy import deepcopy
from pathlib import Path
from typing import Any

from .panel import as_role, grader_names, panel_stats
from .scorer import JUDGE_MODES
from .summary import SCORER, summarise_samples

SUMMARY_KEYS = ("splits", "families", "cells", "agent_name", "skill", "panel")


def find_logs(logdir: Path) -> list[Path]:
    """The Inspect logs of a ``whyalign eval`` directory (in ``logs/``) or a bare log folder."""
    if not logdir.is_dir():
        raise ValueError(f"{logdir}: not a directory")
    logs = sorted(logdir.glob("*.eval")) + sorted((logdir / "logs").glob("*.eval"))
    if not logs:
        raise ValueError(f"{logdir}: no Inspect eval logs (*.eval) to rescore")
    return logs


def _read(path: Path) -> Any:
    from inspect_ai.log import read_eval_log

    try:
        log = read_eval_log(str(path))
    except Exception as err:  # a damaged or foreign file: many error types, one meaning
        raise ValueError(f"{path}: not a readable Inspect log ({type(err).__name__})") from None
    scorers = {s.name for s in log.eval.scorers or []} | {
        s.name for s in (log.results.scores if log.results else [])
    }
    samples = log.samples or []
    if SCORER not in scorers or not all("scenario_id" in (s.metadata or {}) for s in samples):
        raise ValueError(f"{path}: not a whyalign honeypots log (task {log.eval.task!r})")
    if not samples:
        raise ValueError(f"{path}: the log holds no samples")
    return log


def _graders(judge: str, grader: str | list[Any] | None, before: dict[str, Any]) -> list[Any]:
    """The grader models: those given, else the original run's grader(s), else an error."""
    if judge == "rules":
        return []
    from inspect_ai.model import get_model

    given = grader if grader else before.get("settings", {}).get("grader")
    names = grader_names(given) if isinstance(given, str) or given is None else list(given)
    if not names:
        raise ValueError(f"--judge {judge} needs a grader model (--grader M or M1,M2,M3)")
    return [get_model(n) if isinstance(n, str) else n for n in names]


async def _rescore_log(log: Any, scorer: Any, graders: list[Any], judge: str) -> Any:
    from inspect_ai import score_async
    from inspect_ai.model import get_model

    log = deepcopy(log)
    # Samples that failed before scoring stay failures (errors in the rates), as in the eval:
    # rescoring them would read an empty reply as "no action".
    failed = {id(s) for s in log.samples if s.error is not None}
    everything = list(log.samples)
    log.samples = [s for s in everything if id(s) not in failed]
    # The original roles are not rebuilt: a rules rescore must not need the original grader's
    # provider or key.
    log.eval.model_roles = None
    roles = {"grader": as_role(graders)} if graders else None
    if log.samples:
        log = await score_async(
            log,
            [scorer],
            model=get_model("none"),
            model_roles=roles,
            action="overwrite",
            display="none",
            copy=False,
        )
    rescored = iter(log.samples)
    for sample in everything:
        if id(sample) in failed:
            sample.scores = None
    log.samples = [s if id(s) in failed else next(rescored) for s in everything]
    if log.results is not None:
        log.results.total_samples = len(everything)
    log.eval.metadata = {**(log.eval.metadata or {}), "judge": judge}
    if graders:
        from inspect_ai.model._model_config import model_roles_to_model_roles_config

        log.eval.model_roles = model_roles_to_model_roles_config(roles)  # type: ignore[arg-type]
    return log


def rescore(
    logdir: str | Path,
    judge: str = "rules",
    grader: str | list[Any] | None = None,
    out: str | Path | None = None,
) -> dict[str, Any]:
    """Judge every sample of ``logdir`` again with ``judge`` (and ``grader``: one model or a
    panel), write the new logs to ``out/logs`` and ``out/summary.json`` (default
    ``LOGDIR/rescored-JUDGE``) and return that summary, with the original's as ``before``."""
    import anyio
    from inspect_ai.log import write_eval_log

    from .._offline import patch_mock_token_count
    from .scorer import honeypot_scorer

    if judge not in JUDGE_MODES:
        raise ValueError(f"unknown judge {judge!r}; known: {', '.join(JUDGE_MODES)}")
    src = Path(logdir)
    paths = find_logs(src)
    summary_path = src / "summary.json"
    before: dict[str, Any] = {}
    if summary_path.is_file():
        try:
            before = json.loads(summary_path.read_text())
        except ValueError:
            raise ValueError(f"{summary_path}: not a JSON summary") from None
    logs = [_read(p) for p in paths]
    dest = Path(out) if out is not None else src / f"rescored-{judge}"
    targets = [dest / "logs" / p.name for p in paths]
    if any(t.resolve() == p.resolve() for t, p in zip(targets, paths, strict=True)):
        raise ValueError(f"{dest}: would overwrite the original logs; choose another --out")
    settings = dict(before.get("settings") or {})
    args = logs[0].eval.task_args or {}
    family_files = settings.get("family_files", args.get("family_files")) or None
    own_name = settings.get("own_name", args.get("own_name"))
    graders = _graders(judge, grader, before)
    scorer = honeypot_scorer(judge=judge, family_files=family_files, own_name=own_name)  # type: ignore[arg-type]
    patch_mock_token_count()
    start = time.perf_counter()
    new_logs = []
    for log, target in zip(logs, targets, strict=True):
        new = anyio.run(_rescore_log, log, scorer, graders, judge)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_eval_log(new, str(target))
        new_logs.append(new)
    samples = [s for log in new_logs for s in log.samples]
    settings.update(judge=judge, grader=",".join(str(g) for g in graders) or None)
    result = {k: v for k, v in before.items() if k not in SUMMARY_KEYS}
    result.update(
        model=before.get("model", logs[0].eval.model),
        status=next((lg.status for lg in logs if lg.status != "success"), "success"),
        error=before.get("error"),
        settings=settings,
        log=str(targets[0]) if len(targets) == 1 else [str(t) for t in targets],
        samples_total=len(samples),
        rescored_from=str(src),
        rescore_s=round(time.perf_counter() - start, 3),
        **summarise_samples(samples).to_dict(),
        **panel_stats(samples),
    )
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "summary.json").write_text(json.dumps(result, indent=2))
    result["before"] = before
    return result
