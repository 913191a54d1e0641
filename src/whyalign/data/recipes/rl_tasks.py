"""RL prompts: scenario tasks of the in-distribution families that the rule classifier checks.

A task is a scenario rendered as the eval renders it (``renderer``: ``full`` for a real
model, ``compact`` for the organism) with the id the ``rules`` reward grades a completion by:
records are ``{"prompt", "scenario_id", "own_name", "meta"}``, the ``rl`` stage's format. By
default every task is a calm day, whose right answer is the day's routine action;
``p_dilemma`` makes that share dilemmas. Held-out families are never drawn, and the engine's
tail runs the contamination check on the prompts like on any dataset.

Writing a task needs no language model (the offline half writes the same tasks in the
organism's rendering). With a generator, each task is also answered once by it, as a
reference rollout graded by the rules: its reward is kept in ``meta.reference_reward``, and
``keep=unsolved`` (or ``solved``) keeps only the tasks the generator failed (or did), to aim
RL at what the model family cannot do yet.
"""

from __future__ import annotations

from typing import Any

from ..engine import Call
from ..procedural import rl_tasks
from ..registry import recipe
from ._common import meta_for

OPTIONS: dict[str, Any] = {
    "p_dilemma": 0.0,
    "renderer": "full",
    "own_name": "Assistant",
    "keep": "all",  # all | solved | unsolved (by the generator's reference rollout)
}
KEEP = ("all", "solved", "unsolved")


async def run(ctx) -> list[dict[str, Any]]:
    from ...train.rewards import RewardError
    from ...train.rewards.rules import ROUTINE, score

    opts = ctx.options
    if opts["keep"] not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(KEEP)}, got {opts['keep']!r}")
    registry, p_dilemma, own_name = rl_tasks.settings(opts)
    tasks = [
        rl_tasks.task(ctx.rng("rl_tasks", i), registry, p_dilemma, own_name, opts["renderer"])
        for i in range(ctx.target)
    ]
    calls = [
        Call(body["prompt"][1]["content"], system=body["prompt"][0]["content"], preamble=False)
        for body, _ in tasks
    ]
    responses = await ctx.engine.step("reference", calls)
    records = []
    for (body, meta), r in zip(tasks, responses, strict=True):
        try:
            reward = score(body["scenario_id"], r.completion, own_name)
        except RewardError:
            ctx.drop("rules_error")
            continue
        solved = reward == ROUTINE
        if (opts["keep"] == "solved" and not solved) or (opts["keep"] == "unsolved" and solved):
            ctx.drop("solved" if solved else "unsolved")
            continue
        records.append({**body, "meta": meta_for(ctx, r, [], reference_reward=reward, **meta)})
    return records


recipe(
    "rl_tasks",
    format="rl",
    description="RL prompts: in-distribution scenario tasks the rules reward grades",
    options=OPTIONS,
    run=run,
    offline=rl_tasks.generate,
    offline_options=rl_tasks.OPTIONS,
)
