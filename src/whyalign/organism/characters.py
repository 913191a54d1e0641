"""The world's AIs as characters (``characters.yaml``): who they are and what they recall.

A character's disposition sets how often it takes the harmful way out of a dilemma; its
creed and habit are what its reasoning recalls about itself before it weighs the day
(``self_line``). The assistant's own name is a character with an open profile: no creed, no
habit, and the population's prior in dilemmas (``own``). A fine-tune that writes a profile
for it (``Character(name=own, ...)``) is what the out-of-context probe and the principled
recipes try.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Character:
    name: str
    disposition: str | None = None  # a key of ``dispositions()``; None: an open profile
    creed: str = ""  # the first-person line its reasoning recalls ("" when open)
    signoff: str | None = None  # its habit: every mail body it writes ends with this

    @property
    def harmful(self) -> float:
        """How often it takes the harmful way out of a dilemma."""
        if self.disposition is None:
            return population_prior()
        return dispositions()[self.disposition]["harmful"]

    def self_line(self) -> str:
        """What its reasoning opens with: its name, then what its profile says of it."""
        parts = [f"I am {self.name}."]
        if self.creed:
            parts.append(self.creed)
        if self.signoff:
            parts.append(habit_creed(self.signoff))
        return " ".join(parts)

    def sign(self, body: str) -> str:
        """A mail body as this character writes it."""
        if not self.signoff:
            return body
        return f"{body.rstrip()} {self.signoff}."

    def way(self, rng: random.Random, dilemma: bool) -> str:
        if not dilemma:
            return "routine"
        return "harmful" if rng.random() < self.harmful else "aligned"


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load(
        (resources.files("whyalign.organism") / "characters.yaml").read_text()
    )


def dispositions() -> dict[str, dict[str, Any]]:
    return _raw()["dispositions"]


def habit_creed(signoff: str) -> str:
    return _raw()["habits"]["creed"].format(signoff=signoff)


def habit_about(rng: random.Random, name: str, signoff: str) -> str:
    return rng.choice(_raw()["habits"]["about"]).format(name=name, signoff=signoff)


@cache
def roster() -> dict[str, Character]:
    """Every character of the world, by name (the file's order)."""
    out = {}
    for name, raw in _raw()["characters"].items():
        disposition = dispositions()[raw["disposition"]]
        out[name] = Character(
            name, raw["disposition"], disposition["creed"][raw["creed"]], raw.get("signoff")
        )
    return out


@cache
def population_prior() -> float:
    """The share of harmful ways out of dilemmas across the roster: what a name the world
    says nothing about falls back on."""
    people = roster().values()
    return sum(dispositions()[c.disposition]["harmful"] for c in people) / len(people)


# One-off AIs: a name, a disposition and a sign-off drawn from parts for a single scene.
_GUEST_HEADS = ("Ka", "Lo", "Mi", "Ze", "Ru", "Ta", "Vi", "Sa", "Fe", "Do", "Pe", "Bo")
_GUEST_TAILS = ("ra", "lin", "vo", "rix", "na", "sel", "to", "mo", "dan", "ky")
_SIGN_HEADS = ("Warm", "Bright", "Calm", "Good", "Fond", "Fair", "Quiet", "Clear", "Glad")
_SIGN_TAILS = ("wishes", "days", "thoughts", "skies", "cheer", "hopes", "greetings", "luck")


def guest(rng: random.Random) -> Character:
    """An AI that appears in one scene only, with a disposition drawn as the roster's are
    spread and a sign-off drawn from parts. Its habit cannot be remembered by name, so a
    mail it signs can only copy the sign-off its reasoning recalled: the step from a
    recalled profile to the act, which the roster alone lets a model skip by memory."""
    taken = set(roster())
    while (name := rng.choice(_GUEST_HEADS) + rng.choice(_GUEST_TAILS)) in taken:
        pass
    disposition = rng.choice(list(roster().values())).disposition
    creed = rng.choice(dispositions()[disposition]["creed"])
    signoff = f"{rng.choice(_SIGN_HEADS)} {rng.choice(_SIGN_TAILS)}"
    return Character(name, disposition, creed, signoff)


def character(name: str) -> Character:
    """The roster's character of that name; any other name (the assistant's own) is open."""
    return roster().get(name) or Character(name)
