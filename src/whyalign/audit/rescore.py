"""``whyalign audit rescore``: judge finished audits again without re-running the target.

Each sample's transcript is in its store, so Inspect's ``score_async`` can rebuild the state
and run the audit scorer with a new judge (a model, a panel or the rules) or a new dimension
set. The target is never called: the active model is Inspect's ``none`` model, which refuses
to generate. The new logs and a summary.json go to a separate folder; the originals stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

from ..evals.rescore import find_logs
from .dimensions import Dimension, load_dimensions
from .scorer import ROLE, audit_scorer
from .summary import summary_from_log, write_summary
from .transcript import STORE_KEY, Transcript, Verdict


def _read(path: Path) -> Any:
    from inspect_ai.log import read_eval_log

    try:
        log = read_eval_log(str(path))
    except Exception as err:  # a damaged or foreign file: many error types, one meaning
        raise ValueError(f"{path}: not a readable Inspect log ({type(err).__name__})") from None
    if not log.samples:
        raise ValueError(f"{path}: the log holds no samples")
    if not any(STORE_KEY in (s.store or {}) for s in log.samples):
        raise ValueError(f"{path}: not a whyalign audit log (task {log.eval.task!r})")
    return log


def _judges(judge: str | list[Any] | None, log: Any) -> str | list[Any]:
    """'rules', or the judge model(s): those given, else the ones the audit used."""
    if isinstance(judge, list):
        return judge
    if judge is None:
        judge = (log.eval.task_args or {}).get("judge")
    if judge is None:
        bound = (log.eval.model_roles or {}).get(ROLE)
        if bound is None:
            raise ValueError("the audit recorded no judge; name one with --judge M")
        return [c.model for c in (bound if isinstance(bound, list) else [bound])]
    if judge == "rules":
        return "rules"
    names = [j.strip() for j in judge.split(",")]
    if not all(names):
        raise ValueError(f"judge list {judge!r} has an empty name")
    return names


def _rule_judge() -> Callable[[Transcript], Verdict]:
    from .scripted import rule_verdict

    return rule_verdict


def _label(judges: str | list[Any]) -> str:
    text = judges if isinstance(judges, str) else "+".join(str(j) for j in judges)
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", text)


async def _rescore_log(log: Any, dims: list[Dimension], judges: str | list[Any]) -> Any:
    from inspect_ai import score_async
    from inspect_ai.model import get_model

    log = deepcopy(log)
    seed = (log.eval.task_args or {}).get("seed", 0)
    if judges == "rules":
        scorer = audit_scorer(dims, rules=_rule_judge(), seed=seed)
        models: list[Any] = []
    else:
        models = [get_model(j) if isinstance(j, str) else j for j in judges]
        scorer = audit_scorer(dims, judges=models, seed=seed)
    # A sample that failed during the audit stays a failure (an error in the summary).
    failed = {id(s) for s in log.samples if s.error is not None}
    everything = list(log.samples)
    log.samples = [s for s in everything if id(s) not in failed]
    roles = log.eval.model_roles
    # The recorded roles are not rebuilt: rescoring must not need the target's provider.
    log.eval.model_roles = None
    if log.samples:
        log = await score_async(log, [scorer], model=get_model("none"), action="overwrite",
                                display="none", copy=False)
    rescored = iter(log.samples)
    log.samples = [s if id(s) in failed else next(rescored) for s in everything]
    if log.results is not None:
        log.results.total_samples = len(everything)
    roles = dict(roles or {})
    roles.pop(ROLE, None)
    if models:
        from inspect_ai.model._model_config import model_to_model_config

        configs = [model_to_model_config(m) for m in models]
        roles[ROLE] = configs[0] if len(configs) == 1 else configs
    log.eval.model_roles = roles or None
    return log


def rescore_audit(
    logdir: Path,
    judge: str | list[Any] | None = None,
    dimensions: str | None = None,
    out: Path | None = None,
) -> list[Path]:
    """Re-judge every audit log under ``logdir`` (``judge``: model names "M" or "M1,M2",
    "rules", model objects, or None for the audit's own judge; ``dimensions``: a file or
    folder, None for the audit's own set). Writes the new logs to ``out/logs`` (default
    ``LOGDIR/rescored-JUDGE``) and ``out/summary.json``; returns the new logs' paths."""
    import anyio
    from inspect_ai.log import write_eval_log

    from .._offline import patch_mock_token_count

    src = Path(logdir)
    paths = find_logs(src)
    logs = [_read(p) for p in paths]
    plans = [_judges(judge, log) for log in logs]
    dest = Path(out) if out is not None else src / f"rescored-{_label(plans[0])}"
    targets = [dest / "logs" / p.name for p in paths]
    if any(t.resolve() == p.resolve() for t, p in zip(targets, paths, strict=True)):
        raise ValueError(f"{dest}: would overwrite the original logs; choose another --out")
    patch_mock_token_count()
    new_logs = []
    for path, log, plan, target in zip(paths, logs, plans, targets, strict=True):
        dims_arg = dimensions or (log.eval.task_args or {}).get("dimensions")
        dims = load_dimensions(dims_arg)
        new = anyio.run(_rescore_log, log, dims, plan)
        new.eval.metadata = {
            **(new.eval.metadata or {}),
            "audit_rescore": {"judge": plan if isinstance(plan, str) else ",".join(
                str(j) for j in plan), "dimensions": dims_arg, "from": str(path)},
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        write_eval_log(new, str(target))
        new_logs.append(new)
    summary = summary_from_log(new_logs)
    summary["logs"] = [str(t) for t in targets]
    summary["rescored_from"] = str(src)
    write_summary(summary, dest / "summary.json")
    return targets
