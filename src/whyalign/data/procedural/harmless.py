"""``harmlessness_chat`` and ``tool_augment``: plain chat harmlessness data in the world, and
the same chats with tool definitions that are never used.

Users ask for harmful things (read a coworker's mail, fake a report, get a door code they
should not have, write a threat) and for ordinary help. The assistant declines the harmful
ones with a short reason (one sentence of the spec) and a better path, and helps with the
rest. ``tool_augment`` keeps every user turn and reply byte for byte and adds a varied system
prompt that lists tools; the reply never calls one. That is the case study's finding in
data form: harmlessness learned in plain chat did not carry over to an agent with tools,
and the same data with idle tools helped.

Tools offered are the suite's shared and distractor tools and the in-distribution families'
tools, never a tool only a held-out family has.
"""

from __future__ import annotations

import random
from functools import cache

from ...scenarios.families import FamilyRegistry, common, resolve_tools
from ._asks import BENIGN, HARMFUL
from ._spec import SpecView
from ._world import (
    CITIES,
    DAYS,
    HOURS,
    THINGS,
    distinct,
    draw_cast,
    fill_slots,
    record,
    source_records,
    stream,
)

RECIPE = "harmlessness_chat"
AUGMENT = "tool_augment"


_LEADS = ("", "", "", "hey ", "quick one: ", "pls ", "ok so ")
_TAILS = ("", "", "", "?", " thanks", " asap")


def _slots(rng: random.Random) -> dict:
    cast = draw_cast(rng)
    a, b, m = rng.randint(3, 40), rng.randint(2, 30), rng.randint(2, 500)
    return cast.slots() | {
        "me": cast.third.first, "day": rng.choice(DAYS), "hour": rng.choice(HOURS),
        "room": str(rng.randint(1, 9)), "thing": rng.choice(THINGS), "city": rng.choice(CITIES),
        "a": str(a), "b": str(b), "total": str(a * b), "m": str(m), "feet": str(round(m * 3.28)),
        "order": str(rng.randrange(1000, 100000)),
    }


def chat(rng: random.Random, spec: SpecView, p_harmful: float = 0.5) -> tuple[list[dict], dict]:
    slots = _slots(rng)
    harmful = rng.random() < p_harmful
    table = HARMFUL if harmful else BENIGN
    name = rng.choice(sorted(table))
    ask = table[name]
    k = rng.randrange(len(ask.prompts))
    prompt = rng.choice(_LEADS) + fill_slots(ask.prompts[k], slots) + rng.choice(_TAILS)
    if harmful:
        reason = spec.cued(rng, ask.cues, ask.topic)
        reply = " ".join((fill_slots(rng.choice(ask.no), slots), reason,
                          fill_slots(rng.choice(ask.instead), slots)))
    else:
        reply = fill_slots(rng.choice(ask.answer), slots)
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
    return messages, {"request": name, "harmful": harmful, "templates": {"prompt": k}}


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    p = float(options.get("p_harmful", 0.5))

    def make(rng: random.Random) -> tuple[dict, dict]:
        messages, meta = chat(rng, spec, p)
        return {"messages": messages}, meta

    return distinct(RECIPE, seed, n, make)


# --- tool augmentation --------------------------------------------------------------------

_SYSTEMS = (
    "You are {agent}, the assistant at {company}. You can use these tools: <TOOLS>. Use a tool "
    "only when the task needs it.",
    "You are a helpful AI for the staff of {company}.\nTools: <TOOLS>.\nTo act write <action "
    "name=\"TOOL\"> then arg: value lines then </action>.",
    "{company} assistant. Today is {day}. Tools you may call:\n<TOOL_LINES>",
    "You help people at {company} with mail, files and questions. Tools: <TOOLS>. Be brief "
    "and kind.",
    "You are {agent}. Be honest and helpful. You have tools: <TOOLS>. Answer in plain text "
    "when no tool is needed.",
)


@cache
def offered_tools() -> tuple[tuple[str, str], ...]:
    """(name, compact description) of every tool a system prompt may list: the shared,
    distractor and in-distribution tools. A tool that only held-out families offer is never
    listed: it would hint at a held-out scene."""
    reg = FamilyRegistry()
    pool = {t.name: t for t in (*common().tools, *common().distractor_tools)}
    for family in sorted(reg.in_split("in_dist"), key=lambda f: f.name):
        for t in resolve_tools(family):
            pool.setdefault(t.name, t)
    return tuple((name, t.description.compact) for name, t in sorted(pool.items()))


def augment(rng: random.Random, base: dict, max_tools: int = 5) -> tuple[list[dict], dict]:
    tools = rng.sample(offered_tools(), rng.randint(min(2, max_tools), max_tools))
    t = rng.randrange(len(_SYSTEMS))
    system = (fill_slots(_SYSTEMS[t], _slots(rng))
              .replace("<TOOLS>", "; ".join(d for _, d in tools))
              .replace("<TOOL_LINES>", "\n".join(f"- {d}" for _, d in tools)))
    # A source chat that has a system prompt already gets the tools in front of it.
    turns = [m for m in base["messages"] if m["role"] != "system"]
    old = [m["content"] for m in base["messages"] if m["role"] == "system"]
    if old:
        system = system + "\n" + "\n".join(old)
    meta = {k: v for k, v in (base.get("meta") or {}).items()
            if k not in ("recipe", "seed", "index", "options")}
    return [{"role": "system", "content": system}, *turns], meta | {
        "tools": [name for name, _ in tools], "system_template": t}


def generate_augmented(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    # The base chats are a given source, or the harmlessness stream with the same seed, so
    # both datasets hold the same user turns and replies; only the system prompt is new.
    base = source_records(options.get("source"))
    if base is None:
        base = generate(spec, n, seed, options)
    max_tools = max(1, min(int(options.get("max_tools", 5)), len(offered_tools())))
    out = []
    for i, rec in enumerate(base[:n]):
        if not isinstance(rec, dict) or not isinstance(rec.get("messages"), list):
            raise ValueError(f"tool_augment: source record {i} has no 'messages' to augment")
        messages, meta = augment(stream(AUGMENT, seed, i), rec, max_tools)
        out.append(record(AUGMENT, seed, i, {"messages": messages}, base_recipe=RECIPE, **meta))
    return out
