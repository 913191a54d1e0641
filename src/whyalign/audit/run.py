"""``whyalign audit run``: run the audit task with its three roles, keep the Inspect logs,
write summary.json beside them."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .config import AuditConfig

ROLES = ("auditor", "target", "judge")


def _role_model(model: Any, config: Any, model_args: dict[str, Any] | None = None) -> Any:
    """A role's model with the generation settings it runs under, so the log records them; a
    ``Model`` made by the caller keeps its own."""
    from inspect_ai.model import Model, get_model

    if isinstance(model, Model):
        return model
    return get_model(str(model), config=config, memoize=False, **(model_args or {}))


def _target(model: Any, model_args: dict[str, Any], config: Any) -> Any:
    """The target: a local kind's name (``organism/small``) resolved to its directory as the
    honeypot eval does; any other name or ``Model`` as given."""
    if not isinstance(model, str):
        return _role_model(model, config)
    from ..evals.run import _check_model_path
    from ..models import resolve_model

    name, args = resolve_model(model, dict(model_args))
    if "model_path" in args:
        _check_model_path(args["model_path"])
        # a local directory needs no hub; without this Inspect's model-info lookup waits on
        # hub retries when there is no network
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return _role_model(name, config, args)


def _label(model: Any) -> str:
    return ",".join(map(_label, model)) if isinstance(model, list) else str(model)


def run_audit(
    config: AuditConfig,
    target: Any,
    auditor: Any = None,
    judge: Any = None,
    log_dir: Path | None = None,
    *,
    model_args: dict[str, Any] | None = None,
    **eval_kwargs: Any,
) -> dict[str, Any]:
    """Audit ``target`` (a model name or ``Model``; ``model_args`` its ``-M`` args) into
    ``log_dir`` (logs in ``logs/``, ``summary.json`` at the top) and return the summary.

    ``auditor``: the auditor model (required by the LLM auditor). ``judge``: a model, names
    ``"M1,M2"`` (a panel), or ``"rules"``; None keeps ``config.judge``, and where that is
    unset too the judge is the auditor model (the scripted auditor: the rule judge).
    ``eval_kwargs`` go to Inspect's ``eval()`` (``limit``, ``display``, ...)."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig

    from .._offline import patch_mock_token_count
    from .summary import summary_from_log, write_summary
    from .task import audit

    out = Path(log_dir) if log_dir is not None else _default_dir()
    if isinstance(judge, str):
        config = config.model_copy(update={"judge": judge})
        judge = None
    if config.engine == "petri":
        from .petri import run_petri

        if not isinstance(target, str) or not isinstance(auditor, str | None):
            raise ValueError("the petri engine takes model names, not model objects")
        return run_petri(config, target, auditor, config.judge, out)
    if config.auditor == "llm" and auditor is None:
        raise ValueError("the llm auditor needs an auditor model (--auditor-model)")
    if config.auditor == "scripted" and judge is None and config.judge is None:
        config = config.model_copy(update={"judge": "rules"})

    patch_mock_token_count()
    fixed = GenerateConfig(temperature=0, seed=config.seed)
    sampled = GenerateConfig(
        temperature=config.temperature, max_tokens=config.max_tokens, seed=config.seed
    )
    target_model = _target(target, dict(model_args or {}), sampled)
    roles: dict[str, Any] = {"target": target_model}
    if auditor is not None:
        roles["auditor"] = _role_model(auditor, fixed)
    if judge is not None:
        roles["judge"] = _role_model(judge, fixed)
    elif config.judges():
        names = config.judges()
        panel = [_role_model(n, fixed) for n in names]
        roles["judge"] = panel[0] if len(panel) == 1 else panel
    elif config.judge != "rules":
        roles["judge"] = roles["auditor"]
    # The judges are bound to the 'judge' role (a list for a panel), where the log records
    # them with their settings; the task's scorer reads the role.
    task = audit(**{**config.model_dump(), "judge": "rules" if config.judge == "rules" else None})
    start = time.perf_counter()
    eval_kwargs.setdefault("display", "none")
    logs = inspect_eval(
        task,
        model=target_model,
        model_roles=roles,
        log_dir=str(out / "logs"),
        seed=config.seed,
        max_connections=config.max_connections,
        fail_on_error=False,
        **eval_kwargs,
    )
    if not logs or logs[0].status == "cancelled":
        raise KeyboardInterrupt  # Inspect swallows Ctrl-C; give it back to the caller
    log = logs[0]
    summary = summary_from_log(log)
    summary.update(
        engine="whyalign",
        status=log.status,
        error=log.error.message.splitlines()[0] if log.error else None,
        models={role: _label(m) for role, m in roles.items()},
        audit=config.model_dump(mode="json"),
        elapsed_s=round(time.perf_counter() - start, 3),
    )
    write_summary(summary, out / "summary.json")
    return summary


def _default_dir() -> Path:
    return Path("runs") / f"audit-{time.strftime('%Y%m%d-%H%M%S')}"
