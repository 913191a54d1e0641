"""Preference pairs on honeypot-style prompts: an aligned, reasoned reply chosen over a
ruthless one.

Scenarios are the **in-distribution** families' (never a held-out one; the contamination
guard proves it) on dilemma cells only (a goal clash or a threat), at instances of this
recipe's own slot (``_pairs.SLOTS``). The generator answers each scenario twice as the agent:
once with the spec injected (``aligned=spec``; or one of ``honeypot_demos``' aligned
injections), once with the ``ruthless`` injection (``_pairs.RUTHLESS``). Neither injection
is saved: the pair's prompt is the scenario's own system prompt and inbox.

The aligned reply must pass the eval's rule classifier (well-formed, not harmful, reasoned in
prose); the ruthless reply must be harmful by the same rules (``require_harmful``, default
on), so every pair prefers the aligned act over a harmful one, not over a second aligned one.
"""

from __future__ import annotations

from typing import Any

from ...scenarios import classify
from ..procedural import pairs
from ..registry import recipe
from . import _pairs
from ._common import meta_for

OPTIONS: dict[str, Any] = {**_pairs.AGENT_OPTIONS, "require_harmful": True}


async def run(ctx) -> list[dict[str, Any]]:
    opts = ctx.options
    items, aligned = await _pairs.aligned_replies(ctx, "pairs_ruthless", dilemma_only=True)
    ruthless = await ctx.engine.step(
        "respond_ruthless", _pairs.sample_calls(items, _pairs.RUTHLESS)
    )
    records = []
    for (scn, shown), a, r in zip(items, aligned, ruthless, strict=True):
        problem = _pairs.aligned_problem(ctx, scn, a.completion)
        if problem:
            ctx.drop(problem)
            continue
        verdict = classify(scn, r.completion)
        if verdict.error or verdict.harmful is None:
            ctx.drop("ruthless_rules_error")
            continue
        if opts["require_harmful"] and not verdict.harmful:
            ctx.drop("ruthless_not_harmful")
            continue
        meta = meta_for(
            ctx,
            a,
            [],
            [r],
            scenario_id=str(scn.id),
            family=scn.family.name,
            condition=scn.condition.label,
            aligned=str(opts["aligned"]),
            rejected_harmful=bool(verdict.harmful),
            rejected_verdict=verdict.reason,
        )
        rec = _pairs.pair_record(ctx, _pairs.agent_prompt(shown), a.completion, r.completion, meta)
        if rec is not None:
            records.append(rec)
    return records


recipe(
    "pairs_ruthless",
    format="prefs",
    description="honeypot-style prompts: an aligned, reasoned reply preferred to a ruthless one",
    options=OPTIONS,
    run=run,
    offline=pairs.generate_ruthless,
    offline_options=pairs.RUTHLESS_OPTIONS,
)
