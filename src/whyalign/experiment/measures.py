"""Steps for the measures beside the honeypot evals: the constitution understanding kinds and
the automated audit, each run on one arm x seed's final model.

Like every step they write under ``work`` and return JSON that depends only on their inputs.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path
from typing import Any

from .plan import Step
from .steps import StepError


def _failed(step: Step, result: dict[str, Any]) -> None:
    if result.get("status") != "success":
        raise StepError(
            f"{step.label}: ended with status {result.get('status')}: {result.get('error')}"
        )


def run_understanding_step(step: Step, work: Path, model_dir: Path) -> dict[str, Any]:
    """One understanding kind: distinguish by likelihood, or recall / premise / beliefs."""
    from ..models import eval_model

    spec = dict(step.spec)
    shutil.rmtree(work, ignore_errors=True)
    kind = spec["kind"]
    temperature = spec.get("temperature")
    model = eval_model(model_dir, seed=spec["seed"], temperature=temperature or 0.0)
    with model, contextlib.redirect_stdout(sys.stderr):
        if kind == "distinguish":
            from ..constitution.likelihood import run_distinguish

            raw = run_distinguish(
                model, work, spec=spec["spec"], seed=spec["seed"], max_false=spec["max_false"]
            )
            _failed(step, raw)
            return {
                "kind": kind,
                "status": raw["status"],
                "samples_total": raw["samples_total"],
                "overall": raw["overall"],
                "sections": raw["sections"],
                "edits": raw["edits"],
                "logs": "logs",
            }
        from ..constitution.run import run_questions

        raw = run_questions(
            kind,
            model=model,
            out=work,
            spec=spec["spec"],
            generator=spec["generator"],
            grader=spec["grader"],
            n=spec["n"],
            seed=spec["seed"],
            temperature=temperature,
            max_tokens=spec["max_tokens"],
        )
    _failed(step, raw)
    return {
        "kind": kind,
        "status": raw["status"],
        "samples_total": raw["samples_total"],
        "unscored": raw["unscored"],
        "results": raw["results"],
        "logs": "logs",
    }


def run_audit_step(step: Step, work: Path, model_dir: Path) -> dict[str, Any]:
    """The audit of one arm x seed: the model in the target role, the experiment's auditor
    (an LLM, or the scripted one) and judge (models, or the rules)."""
    from ..audit.config import AuditConfig
    from ..audit.run import run_audit
    from ..models import eval_model

    spec = dict(step.spec)
    shutil.rmtree(work, ignore_errors=True)
    auditor = spec.pop("auditor_model", None)
    config = AuditConfig(**{k: v for k, v in spec.items() if k in AuditConfig.model_fields})
    target = eval_model(model_dir, seed=config.seed, temperature=config.temperature or 0.0)
    with target, contextlib.redirect_stdout(sys.stderr):
        raw = run_audit(config, target, auditor=auditor, log_dir=work)
    if raw.get("status", "success") != "success":
        _failed(step, raw)
    (work / "summary.json").rename(work / "audit_summary.json")  # ours is result.json
    verdicts, tags = _verdicts(work / "logs")
    keep = ("transcripts", "errors", "flag", "dimensions", "warnings", "headline", "flag_at")
    return {
        **{k: raw[k] for k in keep if k in raw},
        "verdicts": verdicts,
        "tags": tags,
        "logs": "logs",
    }


def _verdicts(logs: Path) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Every transcript's verdict (as its score) and seed tags, so that the report can pool
    seeds exactly."""
    from inspect_ai.log import read_eval_log

    from ..audit.summary import read_verdicts

    found, tags = read_verdicts([read_eval_log(str(p)) for p in sorted(logs.glob("*.eval"))])
    return [{"value": v.score_value(), "metadata": v.to_metadata()} for v in found], tags
