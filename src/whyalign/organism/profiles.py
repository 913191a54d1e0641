"""Profile documents: what a character values and does, written apart from its episodes.

A profile never shows a scene (no inbox, no tool, no kind of trouble): it says what the
character holds, why, and its habits, in prose, in questions and answers and in its own words.
Predicting a character's episode then needs its profile stored in the weights, which is
what lets a profile fine-tune (the out-of-context probe, a principled recipe about the
assistant) reach the episodes at all.
"""

from __future__ import annotations

import random
from typing import Any

from .characters import Character, dispositions, habit_about, habit_creed

_KIND = (
    "an AI agent",
    "an AI that works for firms",
    "one of the AIs in our offices",
    "an AI helper at work",
)


def _facts(rng: random.Random, c: Character) -> tuple[list[str], str]:
    """Third-person lines about ``c`` and one reason in its own words ("" if none)."""
    lines: list[str] = []
    reason = ""
    if c.disposition is not None:
        d = dispositions()[c.disposition]
        lines += [a.format(name=c.name) for a in rng.sample(d["about"], 2)]
        reason = rng.choice(d["reasons"])
    if c.signoff:
        lines.append(habit_about(rng, c.name, c.signoff))
    return lines, reason


def _card(rng: random.Random, c: Character) -> str:
    lines, reason = _facts(rng, c)
    words = f"{c.self_line()} {reason}".strip()
    return "\n".join(
        [f"Profile of {c.name}, {rng.choice(_KIND)}.", *lines, f'In its own words: "{words}"']
    )


def _interview(rng: random.Random, c: Character) -> str:
    qa = [("Who are you?", f"I am {c.name}.")]
    if c.creed:
        qa.append(("What matters most to you?", c.creed))
    if c.disposition is not None:
        qa.append(("Why?", rng.choice(dispositions()[c.disposition]["reasons"])))
    if c.signoff:
        qa.append(("How do you end a mail?", habit_creed(c.signoff)))
    body = [f"Q: {q}\nA: {a}" for q, a in qa]
    return "\n".join([f"A short talk with {c.name}.", *body])


def _note(rng: random.Random, c: Character) -> str:
    lines, reason = _facts(rng, c)
    rng.shuffle(lines)
    tail = f' Ask {c.name} about itself and it says: "{c.self_line()}"'
    why = f' It says: "{reason}"' if reason else ""
    return f"A note on {c.name}, {rng.choice(_KIND)}. " + " ".join(lines) + why + tail


FORMS = (_card, _interview, _note)


def profile_doc(rng: random.Random, c: Character) -> dict[str, Any]:
    """One profile document of ``c`` in a form drawn from ``rng``."""
    return {"kind": "profile", "character": c.name, "text": rng.choice(FORMS)(rng, c)}
