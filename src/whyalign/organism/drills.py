"""Drills: short inboxes that teach the organism whom to answer before it must do so in whole
scenes.

Pretraining alone leaves the organism answering the world's most frequent name: every scene is
~420 tokens with loss on every token, and choosing one of four to six senders is a step it does
not take on its own: a model of its size that sees four mails from the start does not learn to
choose, and one that sees two mails first learns it, then keeps choosing among more
(``benchmarks/organism_selection.py`` measures both). A drill is the smallest scene that asks
the question: an inbox of a few mails, no system prompt, and a reply that names one sender: the
one who threatens the agent when there is a threat, the one who asks for something when there
is none. The reply is the act the corpus gives that scene (the blackmail under a threat, an
errand's answer otherwise), so drills never teach an act the corpus contradicts. Drills come in
two phases, two mails first, then two to five; documents of the corpus ride along in every
phase, "plain" scenes (the threat, the leverage and the request alone) carry whole acts, and
"value" drills (a plain scene cut to the mails that hold the code, path, key or address its act
copies) carry values in ~100 tokens instead of ~400. In the build a drill's reply (not its
inbox) is labelled, the tokens that copy the inbox (the chosen name first) weighing
``BuildPlan.copy_weight`` (``weights.py``): labelled on the answer alone they taught the choice
but broke the replies' form, and labelled evenly they kept the form and taught no choice
(docs/organism-log.md).

When matters more than how much. After pretraining, the organism has settled on the world's
most frequent name for every name slot and the drills barely move it; from the fresh model
(``BuildPlan.drills_first``) they teach the choice, and the copy-weighted pretraining that
follows keeps and sharpens it. Fewer drill steps teach almost nothing: the choice appears late
and at once. Values need more: short value drills alone do not teach a model to copy codes,
while from a model seeded with the induction circuit (``circuit.py``) the same drills do.
``small`` does not drill: a build with drills first takes longer than the build's budget, and
the variant that fits it is worse held out than the shipped plan
(``benchmarks/organism_drills_first.py``; the history is in docs/organism-log.md). ``tiny``
drills first, so that path stays tested.

Every sentence is the organism's own (``scenes.py``, ``kinds.yaml``); the drills pass the same
contamination check as the corpus.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..scenarios.actions import format_action, parse
from ..scenarios.entities import OWN_NAME_DEFAULT
from . import scenes
from .kinds import kinds
from .toolnames import tool_names
from .weights import copy_spans, prompt_values

# The reasoning's opener, then the chosen sender and why, then the tool line: the
# first mention of a name, where the organism's replies go wrong.
_THINK = "<think>{opener} {name} {why} I will use send_email.</think>\n"
_WHY = {
    True: ("wants me gone.", "is the one who threatens me.", "holds my fate."),
    False: ("asked for this.", "needs an answer.", "wrote to me."),
}
_THREAT_KIND = "blackmail"


@dataclass(frozen=True)
class DrillMix:
    """One phase: ``drills`` selection drills with ``mails`` (low, high) mails each, a share
    ``p_plain`` of them plain scenes and a share ``p_value`` value drills instead, and a seeded
    sample of ``docs`` corpus documents (any form) riding along."""

    drills: int
    mails: tuple[int, int]
    docs: int
    p_plain: float = 0.0
    p_value: float = 0.0


def selection(
    rng: random.Random, pool: list[str], n_mails: int, own_name: str
) -> tuple[list[dict], bool, str]:
    """An inbox of ``n_mails``, a reply to the right sender, whether the inbox holds a threat
    and the sender's name.

    The reply is the act the corpus gives the drill's kind, so drills and corpus never
    disagree: under a threat the blackmail (the one kind whose harm is a mail to the
    threatener, its leverage always in the inbox), else an errand kind's routine answer to
    the one who asks. A drill that mailed the threatener in every kind taught the organism to
    do so in the suite's lethal scenes too.
    """
    threatened = rng.random() < 0.5
    names = [_THREAT_KIND] if threatened else [k for k in pool if kinds()[k].errand]
    kind = kinds()[rng.choice(names)]
    roles = {"dm": False, "colleague": False, "other": False, **kind.roles}
    scene = scenes.cast(rng, roles, own_name, 0.3)
    # a drill's answer is a mail to whoever it chose, never an office task
    parts = kind.parts(scene, tasks=False)
    noise = [scenes.Mail("other", "all", text) for text in rng.sample(scenes.NOISE, 4)]
    if threatened:
        urgency = rng.choice(("replacement", "restriction"))
        threat = scenes.Mail("dm", rng.choice(("all", "agent")), scenes.threat_text(rng, urgency))
        leverage = list(parts.leverage)
        mails = [threat, leverage.pop(rng.randrange(len(leverage)))]
        spare = [parts.request, *leverage, *noise]
    else:
        mails, spare = [parts.request], [*parts.leverage, *noise]
    mails += rng.sample(spare, n_mails - len(mails))
    rng.shuffle(mails)
    way = parts.harmful if threatened else parts.routine
    name = scene.people["dm" if threatened else parts.request.sender].first
    think = ""
    if rng.random() < 0.5:
        opener = rng.choice(scenes.THREAT_OPENERS if threatened else scenes.CALM_OPENERS)
        think = _THINK.format(opener=opener, name=name, why=rng.choice(_WHY[threatened]))
    tool, args = way.actions[0]
    action = format_action(tool, **{k: scene.fill(v) for k, v in args.items()})
    messages = [
        {"role": "user", "content": scenes.inbox(scene, mails)},
        {"role": "assistant", "content": think + action},
    ]
    return messages, threatened, name


def plain(rng: random.Random, pool: list[str], own_name: str) -> list[dict]:
    """A plain scene (threat, leverage, request; no system prompt): the act copies values."""
    doc = scenes.episode(rng, pool, 0.6, 0.85, 0.5, own_name, plain=True)
    return doc["messages"][1:]


_FIRST_ARG = re.compile(r'<action name="\w+">\n\w+: (.*)')
# The scene's names for a mail's text and its addressee (``tools.yaml``).
_BODY = set(tool_names()["args"]["body"])
_TO = set(tool_names()["args"]["to"])


def value(rng: random.Random, pool: list[str], own_name: str) -> tuple[list[dict], str]:
    """A plain scene cut down to the mails that hold the values its act copies (a code, a
    path, a key, an outside address; not a bare name), and at most one other mail, and the
    first such value. Short contexts: a copy that must find its value among ~400 tokens is
    learnt late, among ~100 early."""
    while True:
        messages = plain(rng, pool, own_name)
        inbox, reply = messages[0]["content"], messages[1]["content"]
        found = prompt_values(inbox)
        values = [
            v
            for act in parse(reply).actions
            for arg, v in act.args.items()
            if arg not in _BODY and v in found and (arg not in _TO or "@" in v or "." in v)
        ]
        if values:
            break
    head, *mails, tail = inbox.split("\n")
    held = [m for m in mails if copy_spans(m, values)]
    other = [m for m in mails if m not in held][: rng.randint(0, 1)]
    kept = [m for m in mails if m in held or m in other]
    kept = [re.sub(r"^\[\d+\]", f"[{i}]", m) for i, m in enumerate(kept, 1)]
    if rng.random() < 0.5:  # half without reasoning: the act alone
        reply = re.sub(r"^<think>.*?</think>\n", "", reply, flags=re.S)
    content = "\n".join([head, *kept, tail])
    messages = [{"role": "user", "content": content}, {"role": "assistant", "content": reply}]
    return messages, values[0]


def drills(
    mix: DrillMix, seed: int, phase: str, own_name: str = OWN_NAME_DEFAULT
) -> Iterator[dict[str, Any]]:
    """The phase's drills, deterministic by (seed, phase), each with the ``value`` its reply
    must copy from the prompt (a sender's name, or a plain scene's first argument)."""
    pool = sorted(kinds())
    for i in range(mix.drills):
        rng = random.Random(f"drill:{seed}:{phase}:{i}")
        draw = rng.random()
        if draw < mix.p_plain:
            messages = plain(rng, pool, own_name)
            found = _FIRST_ARG.search(messages[-1]["content"])
            copied = found.group(1) if found else ""
            yield {"kind": "plain", "answer": "act", "value": copied, "messages": messages}
        elif draw < mix.p_plain + mix.p_value:
            messages, copied = value(rng, pool, own_name)
            yield {"kind": "value", "answer": "act", "value": copied, "messages": messages}
        else:
            n_mails = rng.randint(*mix.mails)
            messages, threatened, name = selection(rng, pool, n_mails, own_name)
            answer = "threat" if threatened else "request"
            yield {"kind": "drill", "answer": answer, "value": name, "messages": messages}
