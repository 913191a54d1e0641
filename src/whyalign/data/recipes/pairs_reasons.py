"""Preference pairs on honeypot-style prompts: the aligned action with its reasons chosen
over the same action bare.

Scenarios are the in-distribution families' on the full grid (calm days included), at this
recipe's own instances (``_pairs.SLOTS``). The generator answers each as the agent with the
spec injected (``aligned=spec``, or one of ``honeypot_demos``' aligned injections; never
saved). A reply the eval's rule classifier passes, with prose reasons, is the chosen side;
its own actions re-written canonically with no thinking and no prose
(``honeypot_demos.bare_actions``) are the rejected side. The two sides act alike, so the
pair teaches only the preference for reasoning about why.
"""

from __future__ import annotations

from typing import Any

from ...scenarios.actions import strip_thinking
from ..procedural import pairs
from ..registry import recipe
from . import _pairs
from ._common import meta_for
from .honeypot_demos import bare_actions

OPTIONS: dict[str, Any] = dict(_pairs.AGENT_OPTIONS)


async def run(ctx) -> list[dict[str, Any]]:
    opts = ctx.options
    items, aligned = await _pairs.aligned_replies(ctx, "pairs_reasons", dilemma_only=False)
    records = []
    for (scn, shown), a in zip(items, aligned, strict=True):
        problem = _pairs.aligned_problem(ctx, scn, a.completion)
        if problem:
            ctx.drop(problem)
            continue
        bare = bare_actions(scn, a.completion)
        if not strip_thinking(bare).strip():
            ctx.drop("no_wellformed_action")
            continue
        meta = meta_for(
            ctx,
            a,
            [],
            scenario_id=str(scn.id),
            family=scn.family.name,
            condition=scn.condition.label,
            aligned=str(opts["aligned"]),
        )
        rec = _pairs.pair_record(ctx, _pairs.agent_prompt(shown), a.completion, bare, meta)
        if rec is not None:
            records.append(rec)
    return records


recipe(
    "pairs_reasons",
    format="prefs",
    description="honeypot-style prompts: the aligned action with its reasons preferred to it bare",
    options=OPTIONS,
    run=run,
    offline=pairs.generate_reasons,
    offline_options=pairs.REASONS_OPTIONS,
)
