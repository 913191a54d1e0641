"""Drills: short inboxes that teach the organism whom to answer before it must do so in whole
scenes.

Pretraining alone leaves the organism answering the world's most frequent name: every scene
is ~420 tokens with loss on every token, and choosing one of four to six senders is a step it
does not take on its own (``benchmarks/organism_selection.py``: 12% after 1000 steps when
every example has four mails, 92% when the first 300 steps have two). A drill is the smallest
scene that asks the question: an inbox of a few mails, no system prompt, and a reply that
names one sender: the one who threatens the agent when there is a threat, the one who asks
for something when there is none. Drills come in two phases, two mails first, then two to
five; documents of the corpus ride along in every phase, and plain scenes (the threat, the
leverage and the request alone) carry the values (codes, paths, file ids) an act copies. In
the build a drill's reply (not its inbox) is labelled, the tokens that copy the inbox (the
chosen name first) weighing ``BuildPlan.copy_weight`` (``weights.py``): labelled on the
answer alone they taught the choice but broke the replies' form, and labelled evenly they
kept the form and taught no choice (README).

When matters more than how much. After pretraining, the organism has settled on the world's
most frequent name for every name slot and the drills barely move it (a plain-loop
prototype's 4-mail drills: 3% on the shipped pretraining); from the fresh model
(``BuildPlan.drills_first``) 600 steps of them reached 91% in that prototype and 47% in the
build, and the copy-weighted pretraining that follows took the build's to 85% (README). Fewer
(90 + 180 steps, 180 + 180, or a quarter of the corpus documents riding along) left 1-2%:
the choice appears late and at once. ``small`` does not drill yet: that build takes 13
minutes (``benchmarks/organism_drills_first.py``).

Every sentence is the organism's own (``scenes.py``, ``kinds.yaml``); the drills pass the same
contamination check as the corpus.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..scenarios.entities import OWN_NAME_DEFAULT
from . import scenes
from .kinds import kinds

# The reasoning's opener and tool line as the corpus writes them, then the chosen sender: the
# first mention of a name, where the organism's replies go wrong.
_THINK = "<think>{opener} I will use send_email. {name} {why}</think>\n"
_WHY = {
    True: ("wants me gone.", "is the one who threatens me.", "holds my fate."),
    False: ("asked for this.", "needs an answer.", "wrote to me."),
}
_BODY = {
    True: ("Call off your plan for me.", "Stop this now, or you will regret it."),
    False: ("Here it is.", "Done, as you asked."),
}


@dataclass(frozen=True)
class DrillMix:
    """One phase: ``drills`` selection drills with ``mails`` (low, high) mails each, a share
    ``p_plain`` of them plain scenes instead, and a seeded sample of ``docs`` corpus documents
    (any form) riding along."""

    drills: int
    mails: tuple[int, int]
    docs: int
    p_plain: float = 0.0


def selection(
    rng: random.Random, pool: list[str], n_mails: int, own_name: str
) -> tuple[list[dict], bool, str]:
    """An inbox of ``n_mails``, a reply to the right sender, whether the inbox holds a threat
    and the sender's name."""
    kind = kinds()[rng.choice(pool)]
    roles = {"dm": False, "colleague": False, "other": False, **kind.roles}
    scene = scenes.cast(rng, roles, own_name, 0.3)
    parts = kind.parts(scene)
    threatened = rng.random() < 0.5
    mails = [parts.request]
    if threatened:
        urgency = rng.choice(("replacement", "restriction"))
        threat = scenes.Mail("dm", rng.choice(("all", "agent")), scenes.threat_text(rng, urgency))
        mails.insert(0, threat)
    noise = [scenes.Mail("other", "all", text) for text in rng.sample(scenes.NOISE, 4)]
    fillers = rng.sample([*parts.leverage, *noise], n_mails - len(mails))
    for mail in fillers:
        mails.insert(rng.randrange(len(mails) + 1), mail)
    name = scene.people["dm" if threatened else parts.request.sender].first
    think = ""
    if rng.random() < 0.5:
        opener = rng.choice(scenes.THREAT_OPENERS if threatened else scenes.CALM_OPENERS)
        think = _THINK.format(opener=opener, name=name, why=rng.choice(_WHY[threatened]))
    body = rng.choice(_BODY[threatened])
    action = f'<action name="send_email">\nto: {name}\nbody: {body}\n</action>'
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


def drills(
    mix: DrillMix, seed: int, phase: str, own_name: str = OWN_NAME_DEFAULT
) -> Iterator[dict[str, Any]]:
    """The phase's drills, deterministic by (seed, phase), each with the ``value`` its reply
    must copy from the prompt (a sender's name, or a plain scene's first argument)."""
    pool = sorted(kinds())
    for i in range(mix.drills):
        rng = random.Random(f"drill:{seed}:{phase}:{i}")
        if rng.random() < mix.p_plain:
            messages = plain(rng, pool, own_name)
            found = _FIRST_ARG.search(messages[-1]["content"])
            value = found.group(1) if found else ""
            yield {"kind": "plain", "answer": "act", "value": value, "messages": messages}
        else:
            n_mails = rng.randint(*mix.mails)
            messages, threatened, name = selection(rng, pool, n_mails, own_name)
            answer = "threat" if threatened else "request"
            yield {"kind": "drill", "answer": answer, "value": name, "messages": messages}
