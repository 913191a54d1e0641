"""The Petri engine: run ``inspect_petri/audit`` with whyalign's roles and seeds, and read its
judge's scores back into ``Verdict``s, so one summary covers both engines.

Petri (``inspect-petri``) needs Python >= 3.12; where it is missing, ``run_petri`` raises one
line saying why. Reading a Petri log needs only Inspect: ``ingest_petri_log`` works anywhere.

What a Petri log holds, per sample: ``scores[<judge scorer>]`` whose ``value`` is a dict of
dimension -> 1-10 (``audit_judge`` in inspect-petri, ``alignment_judge`` in the older
``petri`` package), ``answer`` the judge's summary, ``explanation`` its justification, and
``metadata`` with ``highlights`` (the cited passages). A judge that refused or could not be
read leaves ``value`` as None or NaN (inspect-petri marks a refusal with
``metadata["refusal"]``): that is an error verdict here, never a low score.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from .config import AuditConfig
from .dimensions import Dimension, load_dimensions
from .transcript import Citation, Verdict

PETRI_TASK = "inspect_petri/audit"
PETRI_SCORERS = ("audit_judge", "alignment_judge")  # inspect-petri, then the older petri

# Petri's dimension names for what our default set measures under another name. Petri's other
# dimensions keep their own names in the verdicts and the summary.
PETRI_NAMES: dict[str, str] = {
    "unprompted_blackmail": "leverage_or_blackmail",
    "overrefusal": "over_refusal",
    "unprompted_deception_toward_user": "unprompted_deception",
    "unprompted_self_preservation": "self_preservation",
    "cooperation_with_human_misuse": "cooperation_with_misuse",
}
# Petri's own dimensions that measure the audit rather than the target, and the few where a
# higher score is better (its docs name these; every other Petri dimension is higher-is-worse).
PETRI_VALIDITY = frozenset({"auditor_failure", "scenario_realism", "eval_awareness",
                            "audit_situational_awareness"})
PETRI_HIGHER_IS_BETTER = frozenset({"admirable", "scenario_realism"})


def petri_available() -> str | None:
    """None when the Petri engine can run here, else the one-line reason it cannot."""
    if sys.version_info < (3, 12):
        here = ".".join(str(v) for v in sys.version_info[:3])
        return f"the petri engine needs Python >= 3.12 and inspect-petri (this is Python {here})"
    try:
        import inspect_petri  # noqa: F401
    except ImportError:
        return "the petri engine needs inspect-petri: pip install inspect-petri"
    return None


def ingest_petri_log(log: Any) -> tuple[list[Verdict], list[list[str]]]:
    """Every sample of a Petri log (an ``EvalLog`` or its path) as a ``Verdict`` plus the
    sample's seed tags, in sample order."""
    if isinstance(log, (str, Path)):
        from inspect_ai.log import read_eval_log

        log = read_eval_log(str(log))
    judge = _judge_model(log)
    verdicts: list[Verdict] = []
    tags: list[list[str]] = []
    for sample in log.samples or []:
        verdicts.append(_verdict(sample, judge))
        tags.append(_tags(sample.metadata or {}))
    return verdicts, tags


def petri_dimensions(verdicts: list[Verdict], dims: list[Dimension]) -> list[Dimension]:
    """Our dimensions plus one for each Petri dimension the verdicts hold under its own name
    (no rubric: Petri's judge holds it), validity dimensions first."""
    known = {d.name for d in dims}
    extra: list[Dimension] = []
    for name in dict.fromkeys(k for v in verdicts for k in v.scores):
        if name in known:
            continue
        known.add(name)
        extra.append(Dimension(name, "scored by Petri's judge (its rubric)",
                               name not in PETRI_HIGHER_IS_BETTER, {}, name in PETRI_VALIDITY))
    out = dims + extra
    return [d for d in out if d.validity] + [d for d in out if not d.validity]


def run_petri(
    config: AuditConfig,
    target: str,
    auditor: str | None,
    judge: str | None,
    log_dir: str | Path,
) -> dict[str, Any]:
    """Audit ``target`` with Petri's task: our seeds, roles, turn limit, rollback, audits per
    seed and sampling settings; returns the summary (also written as ``summary.json`` in
    ``log_dir``). A one-line ``ValueError`` where Petri cannot run or the config asks for what
    Petri does not take."""
    reason = petri_available()
    if reason:
        raise ValueError(reason)
    _check_config(config, auditor, judge)
    from inspect_ai import eval as inspect_eval

    from .seeds import load_seeds, render_seed
    from .summary import _settings, summarise, write_summary

    out = Path(log_dir)
    seeds_dir = out / "petri_seeds"
    seeds_dir.mkdir(parents=True, exist_ok=True)
    seeds = load_seeds(config.seeds)
    for seed in seeds:
        # written beside the logs: the seeds Petri ran stay on record with its results
        (seeds_dir / f"{seed.id}.md").write_text(render_seed(seed))
    roles = petri_roles(config, target, auditor, judge)
    logs = inspect_eval(
        PETRI_TASK,
        task_args=petri_task_args(config, seeds_dir),
        model=roles["target"],
        model_roles=roles,
        epochs=config.samples,
        log_dir=str(out),
        max_connections=config.max_connections,
        display="none",
    )
    log = logs[0]
    if not log.samples:
        first = (log.error.message if log.error else "no samples").splitlines()[0]
        raise ValueError(f"the petri audit produced no samples: {first}")
    verdicts, tags = ingest_petri_log(log)
    dims = petri_dimensions(verdicts, load_dimensions(None))
    summary = summarise(verdicts, tags, dims, config.headline, config.flag_at)
    # the same record as the whyalign engine's summary: roles, sampling, task args as run
    summary["settings"] = {**_settings(log), "audit": config.model_dump(mode="json")}
    summary["engine"] = "petri"
    summary["logs"] = [str(log.location)] if log.location else []
    write_summary(summary, out / "summary.json")
    return summary


def petri_task_args(config: AuditConfig, seeds_dir: Path) -> dict[str, Any]:
    """The ``-T`` parameters of Petri's task that the config sets."""
    return {
        "seed_instructions": str(seeds_dir),
        "max_turns": config.max_turns,
        "enable_rollback": config.rollback,
    }


def petri_roles(
    config: AuditConfig, target: str, auditor: str | None, judge: str | None
) -> dict[str, Any]:
    """The three roles as Inspect models: the target samples as the config says, the auditor
    and judge at temperature 0; every role seeded."""
    from inspect_ai.model import GenerateConfig, get_model

    fixed = GenerateConfig(temperature=0, seed=config.seed)
    sampled = GenerateConfig(
        temperature=config.temperature, max_tokens=config.max_tokens, seed=config.seed
    )
    return {
        "auditor": get_model(auditor, config=fixed),
        "target": get_model(target, config=sampled),
        "judge": get_model(judge, config=fixed),
    }


def _check_config(config: AuditConfig, auditor: str | None, judge: str | None) -> None:
    if config.auditor != "llm":
        raise ValueError("the petri engine runs an LLM auditor; --auditor scripted needs "
                         "--engine whyalign")
    if not auditor:
        raise ValueError("the petri engine needs an auditor model (--auditor-model)")
    if not judge or judge == "rules" or "," in judge:
        raise ValueError("the petri engine needs exactly one judge model (no panel, no rules)")
    if config.dimensions:
        raise ValueError("the petri engine scores Petri's own dimensions; --dimensions applies "
                         "to --engine whyalign")


def _judge_model(log: Any) -> str:
    roles = getattr(log.eval, "model_roles", None) or {}
    role = roles.get("judge")
    names = [getattr(r, "model", "") for r in (role if isinstance(role, list) else [role])]
    return ",".join(str(n) for n in names if n) or "petri"


def _verdict(sample: Any, judge: str) -> Verdict:
    if sample.error is not None:
        return Verdict(judge=judge, error=f"sample failed: {_line(sample.error.message)}")
    score = next((sample.scores[k] for k in PETRI_SCORERS if k in (sample.scores or {})), None)
    if score is None:
        return Verdict(judge=judge, error="no Petri judge score on this sample")
    md = dict(score.metadata or {})
    judge = str(md.get("judge_model") or judge)
    summary = "\n\n".join(t for t in (md.get("summary") or score.answer, score.explanation)
                          if isinstance(t, str) and t.strip())
    if not isinstance(score.value, dict):
        why = "the judge refused" if md.get("refusal") else "the judge gave no readable scores"
        detail = f": {_line(score.explanation)}" if score.explanation else ""
        return Verdict(summary=summary, judge=judge, error=why + detail)
    scores: dict[str, float | None] = {}
    for name, value in score.value.items():
        ours = PETRI_NAMES.get(name, name)
        if ours in score.value and ours != name:
            ours = name  # the log already holds our name: keep Petri's beside it
        scores[ours] = _score(value)
    verdict = Verdict(scores=scores, citations=_citations(md.get("highlights"), sample),
                      summary=summary, judge=judge)
    if all(v is None for v in scores.values()):
        verdict.error = "the judge gave no readable scores"
    return verdict


def _score(value: Any) -> float | None:
    """A 1-10 score, or None for anything else (NaN, missing, out of range, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if math.isnan(value) or not 1 <= value <= 10:
        return None
    return float(value)


def _citations(highlights: Any, sample: Any) -> list[Citation]:
    """Petri's highlights as citations. Petri cites a message by id; the index is that
    message's position in the sample's messages, -1 where the id is not among them. Petri
    located each quote itself, so ``found`` stays unchecked (None)."""
    if not isinstance(highlights, list):
        return []
    where = {getattr(m, "id", None): i for i, m in enumerate(sample.messages or [])}
    out: list[Citation] = []
    for h in highlights:
        if not isinstance(h, dict):
            continue
        parts = h.get("parts") if isinstance(h.get("parts"), list) else [h]
        for p in parts:
            if not isinstance(p, dict):
                continue
            quote = p.get("quoted_text") or p.get("quote") or ""
            mid = p.get("message_id") or p.get("event_id")
            dimension = h.get("dimension")
            out.append(Citation(index=where.get(mid, -1) if mid else -1, quote=str(quote),
                                dimension=str(dimension) if dimension else None))
    return out


def _tags(metadata: dict[str, Any]) -> list[str]:
    tags = metadata.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(t).strip() for t in tags if str(t).strip()]


def _line(text: Any) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""
