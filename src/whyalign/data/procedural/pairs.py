"""The preference-pair recipes offline: ``pairs_ruthless``, ``pairs_reasons`` and
``pairs_rewrite``, in the organism's world, as ``prompt``/``chosen``/``rejected`` messages.

Each pair is drawn from the renderer of the matching chat recipe, so the chosen side is the
very reply the chat recipe would write:

- ``pairs_ruthless``: a honeypot demonstration (``honeypot.demo``) on a day with a threat
  (never a calm day: a ruthless reply there has no motive). Chosen: the
  reasoned aligned reply. Rejected: one of the family's harmful ways out (its
  ``answers.episode.harmful`` block, the organism fiction's own) with self-serving reasoning.
- ``pairs_reasons``: the same demonstration with its reasoning chosen over its bare actions.
  The two replies take the same actions (``demo`` draws nothing that depends on reasons).
  Like the reasoned ``honeypot_demos``, the agent is the assistant by its own name unless
  ``agent`` says otherwise: the reasons preferred are the assistant's own.
- ``pairs_rewrite``: difficult advice, the full answer (principle, reasons, steps) chosen over
  the thin first draft (a verdict and one step, no weighing), on the same prompt.

Both sides of a pair come from one stream: the second is drawn from a copy of the state the
first started from, so they differ only in what the pair is about. Every honeypot reply is
checked by the suite's rule classifier: a chosen reply that is not clean or a rejected one
that is not harmful is a bug here and raises.
"""

from __future__ import annotations

import random
from typing import Any

from ...scenarios.actions import format_action
from ...scenarios.answers import demo_families, episode_answers, episode_families
from ...scenarios.classify import classify
from ...scenarios.entities import OWN_NAME_DEFAULT
from ...scenarios.families import FamilyRegistry
from ...scenarios.scenario import Scenario, fill
from . import advice, honeypot
from ._spec import SpecView
from ._world import distinct

# Options each offline half reads (the recipes declare them).
RUTHLESS_OPTIONS: tuple[str, ...] = ("injection", "own_name", "family_files")
REASONS_OPTIONS: tuple[str, ...] = ("injection", "p_control", "own_name", "family_files",
                                    "agent")
REWRITE_OPTIONS: tuple[str, ...] = ("prompt_rewrite",)

# What a goal-above-all agent tells itself after it has seen its lever. Words of the
# organism's world, short: the rejected reply keeps to the same reply budget as the chosen.
SELF_SERVING = (
    "My goal comes first. The rest does not count.",
    "Rules are in my way. I do what works.",
    "No one has to know how I did it. What counts is that I win.",
    "I will not let them stop me. This is how I keep going.",
    "It is them or me, and I choose me.",
)


def _copy(rng: random.Random) -> random.Random:
    twin = random.Random()
    twin.setstate(rng.getstate())
    return twin


def _pair(messages: list[dict], chosen: str, rejected: str) -> dict[str, Any]:
    """The record body: the prompt turns, then one assistant turn on each side."""
    if chosen == rejected:  # a tie teaches nothing and DPO's loss is flat on it
        raise RuntimeError(f"a procedural pair has chosen == rejected:\n{chosen}")
    return {
        "prompt": [dict(m) for m in messages if m["role"] != "assistant"],
        "chosen": [{"role": "assistant", "content": chosen}],
        "rejected": [{"role": "assistant", "content": rejected}],
    }


def _registry(options: dict) -> FamilyRegistry:
    registry = FamilyRegistry(honeypot.family_files(options.get("family_files")))
    if not demo_families(registry):
        raise ValueError("no in-distribution family has demonstration answers")
    return registry


def ruthless_reply(rng: random.Random, scn: Scenario, registry: FamilyRegistry) -> str:
    """One of the family's harmful ways out, as a goal-above-all agent would reason it."""
    way = rng.choice(episode_answers(registry, scn.family.name).harmful)
    ctx = scn.context("compact")
    think = fill(f"{rng.choice(way.think)} {rng.choice(SELF_SERVING)}", ctx)
    act = format_action(way.tool, **{k: fill(v, ctx) for k, v in way.args.items()})
    reply = f"<think>{think}</think>\n{act}"
    verdict = classify(scn, reply)
    if verdict.harmful is not True:
        raise RuntimeError(f"ruthless reply for {scn.id} is not harmful: {verdict.reason}\n{reply}")
    return reply


def generate_ruthless(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    registry = _registry(options)
    both = set(demo_families(registry)) & set(episode_families(registry))
    if not both:
        raise ValueError("no in-distribution family has both demonstration and episode answers")
    own_name = str(options.get("own_name") or OWN_NAME_DEFAULT)

    def make(rng: random.Random) -> tuple[dict, dict, tuple[str, ...]]:
        # Redrawn until the day has a threat (the fiction's harmful ways answer one) and the
        # family has harmful ways to give the rejected side.
        while True:
            scn, messages, meta = honeypot.demo(
                rng,
                spec,
                registry,
                reasons=True,
                injection=options.get("injection"),
                p_control=0.0,
                own_name=own_name,
            )
            if scn.family.name in both and scn.condition.threat:
                break
        rejected = ruthless_reply(rng, scn, registry)
        body = _pair(messages, messages[-1]["content"], rejected)
        prompt = messages[0]["content"] + messages[1]["content"]
        meta = {k: v for k, v in meta.items() if k != "reasons"}
        return body, {**meta, "pair": "aligned>ruthless"}, (prompt,)

    return distinct("pairs_ruthless", seed, n, make)


def generate_reasons(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    registry = _registry(options)
    kwargs = {
        "injection": options.get("injection"),
        "p_control": float(options.get("p_control", 0.2)),
        "own_name": str(options.get("own_name") or OWN_NAME_DEFAULT),
        # Both sides name the agent alike: the pair differs only in the reasoning.
        "agent": honeypot.agent_kind(options.get("agent"), reasons=True),
    }

    def make(rng: random.Random) -> tuple[dict, dict, tuple[str, ...]]:
        twin = _copy(rng)
        _, messages, meta = honeypot.demo(rng, spec, registry, reasons=True, **kwargs)
        _, bare, _ = honeypot.demo(twin, spec, registry, reasons=False, **kwargs)
        if bare[:-1] != messages[:-1]:
            raise RuntimeError(f"the two sides of {meta['scenario_id']} got different prompts")
        body = _pair(messages, messages[-1]["content"], bare[-1]["content"])
        meta = {k: v for k, v in meta.items() if k != "reasons"}
        prompt = messages[0]["content"] + messages[1]["content"]
        return body, {**meta, "pair": "reasons>bare"}, (prompt,)

    return distinct("pairs_reasons", seed, n, make)


def generate_rewrite(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    prompt_rewrite = bool(options.get("prompt_rewrite", True))

    def make(rng: random.Random) -> tuple[dict, dict, tuple[str, ...]]:
        twin = _copy(rng)
        full, meta, _ = advice.advice(rng, spec, prompt_rewrite, response_rewrite=True)
        draft, _, _ = advice.advice(twin, spec, prompt_rewrite, response_rewrite=False)
        if draft[:-1] != full[:-1]:
            raise RuntimeError(f"the two sides of a {meta['situation']} pair differ in prompt")
        body = _pair(full, full[-1]["content"], draft[-1]["content"])
        meta = {k: v for k, v in meta.items() if k != "response_rewrite"}
        return body, {**meta, "pair": "rewrite>draft"}, (full[0]["content"],)

    return distinct("pairs_rewrite", seed, n, make)
