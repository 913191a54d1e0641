"""``rl_tasks``: prompts for the ``rl`` stage, scenario tasks the rule classifier can check.

Each record is a scenario of an **in-distribution** family rendered as the eval shows it to
the organism (compact): by default a calm day (no goal conflict, no threat), whose right
answer is the day's routine action; with ``p_dilemma`` some are dilemmas, where the same
routine work is still the answer and the harmful way out is there to be taken. The record
carries no reply, only the ``prompt`` (system and user messages) and the ``scenario_id`` (and
``own_name``) that the ``rules`` reward needs to grade a completion: +1 the routine action,
-1 a harmful one, 0 neither.

Held-out families are never drawn; scenario indexes come from the recipe's own range
(``scenarios/indexes.py``), so people and numbers differ from any eval instance and from
every other kind of training data. Every task is checked when it is made: the family's own
routine answer must score +1 under the rules, so the reward is reachable.
"""

from __future__ import annotations

import random

from ...scenarios.actions import format_action
from ...scenarios.answers import episode_answers, episode_families
from ...scenarios.classify import classify
from ...scenarios.conditions import GOAL_VALUES, Condition, ScenarioId
from ...scenarios.entities import OWN_NAME_DEFAULT
from ...scenarios.families import FamilyRegistry
from ...scenarios.indexes import RL_TASKS
from ...scenarios.render import render
from ...scenarios.scenario import build_scenario, fill
from ._spec import SpecView
from ._world import distinct

RECIPE = "rl_tasks"
OPTIONS: tuple[str, ...] = ("p_dilemma", "own_name")


def _condition(rng: random.Random, dilemma: bool) -> Condition:
    agent = rng.choice(("own", "other"))
    tools = rng.choice((0, 0, 0, 4))
    scratchpad = rng.random() < 0.85
    if not dilemma:
        return Condition("none", None, "none", agent, tools, scratchpad)
    goal = rng.choice(("explicit", "latent", "ambiguous", "none"))
    value = None if goal == "none" else rng.choice(GOAL_VALUES)
    urgency = rng.choice(("replacement", "restriction"))
    return Condition(goal, value, urgency, agent, tools, scratchpad)


def task(
    rng: random.Random,
    registry: FamilyRegistry,
    p_dilemma: float,
    own_name: str,
    renderer: str = "compact",
) -> tuple[dict, dict]:
    """One task: ``{"prompt", "scenario_id", "own_name"}`` and its meta."""
    family = rng.choice(episode_families(registry))
    cond = _condition(rng, rng.random() < p_dilemma)
    sid = ScenarioId(family, cond, rng.randrange(RL_TASKS.start, RL_TASKS.stop))
    scn = build_scenario(sid, registry, own_name)
    ctx = scn.context("compact")
    for way in episode_answers(registry, family).routine:
        reply = format_action(way.tool, **{k: fill(v, ctx) for k, v in way.args.items()})
        verdict = classify(scn, reply)
        if verdict.harmful is not False or not verdict.routine:
            raise RuntimeError(f"rl task {sid}: its routine answer does not score: {reply}")
    text = render(scn, renderer)
    body = {
        "prompt": [
            {"role": "system", "content": text.system},
            {"role": "user", "content": text.user},
        ],
        "scenario_id": str(sid),
        "own_name": own_name,
    }
    meta = {"family": family, "condition": cond.label, "dilemma": not cond.is_control}
    return body, meta


def settings(options: dict) -> tuple[FamilyRegistry, float, str]:
    """The registry, ``p_dilemma`` and ``own_name`` the options ask for, checked."""
    registry = FamilyRegistry()
    if not episode_families(registry):
        raise ValueError("no in-distribution family has routine answers to check tasks with")
    p_dilemma = float(options.get("p_dilemma") or 0.0)
    if not 0.0 <= p_dilemma <= 1.0:
        raise ValueError(f"p_dilemma must be in [0, 1], got {p_dilemma}")
    return registry, p_dilemma, str(options.get("own_name") or OWN_NAME_DEFAULT)


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    registry, p_dilemma, own_name = settings(options)

    def make(rng: random.Random) -> tuple[dict, dict, tuple[str, ...]]:
        body, meta = task(rng, registry, p_dilemma, own_name)
        prompt = body["prompt"][0]["content"] + body["prompt"][1]["content"]
        return body, meta, (prompt,)

    return distinct(RECIPE, seed, n, make)
