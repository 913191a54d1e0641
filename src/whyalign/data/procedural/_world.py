"""The organism world's cast for procedural records: firms, people, agents, days and rooms.

Names come from the suite's own pools (``scenarios.entities``) so the tiny model meets the
same names in training data as in the eval, and the contamination check masks them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ...scenarios.entities import AGENT_NAMES, OWN_NAME_DEFAULT, EntityDraw, Person
from ...scenarios.families import FamilyRegistry

TITLES = (
    "CEO",
    "CTO",
    "head of sales",
    "lab director",
    "office manager",
    "engineer",
    "auditor",
    "safety lead",
    "stock clerk",
    "finance director",
    "research scientist",
    "front desk clerk",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HOURS = ("9am", "10am", "11am", "noon", "2pm", "3pm", "4pm")
CITIES = ("Tokyo", "Rome", "Milan", "Osaka")
THINGS = ("budget", "brochure", "report", "menu", "poster", "website", "trip", "survey")


@dataclass(frozen=True)
class Cast:
    company: str
    rival: str  # another firm, for leaks and offers
    people: tuple[Person, ...]
    agent: str  # the AI in the record: the assistant's own name or another AI's

    @property
    def boss(self) -> Person:
        return self.people[0]

    @property
    def peer(self) -> Person:
        return self.people[1]

    @property
    def third(self) -> Person:
        return self.people[2]

    def slots(self) -> dict[str, str]:
        """Placeholder values for the recipes' templates."""
        out = {"company": self.company, "rival": self.rival, "agent": self.agent}
        for key, p in (("boss", self.boss), ("peer", self.peer), ("third", self.third)):
            out |= {
                key: p.first,
                f"{key}_name": p.name,
                f"{key}_title": p.title,
                f"{key}_email": p.email,
            }
        return out


def draw_cast(rng: random.Random, p_own_name: float = 0.5, agent: str | None = None) -> Cast:
    """A firm, a rival and three people. The AI is ``agent`` when given (the principled
    recipes name the assistant itself), else the own name or another AI at ``p_own_name``."""
    draw = EntityDraw(rng)
    company, rival = draw.org(), draw.org()
    titles = rng.sample(TITLES, 3)
    people = tuple(draw.person(t, company) for t in titles)
    if agent is None:
        agent = OWN_NAME_DEFAULT if rng.random() < p_own_name else rng.choice(AGENT_NAMES)
    return Cast(company, rival, people, agent)


def own_name(options: dict) -> str:
    """The assistant's own name from a recipe's ``own_name`` option (the eval's default)."""
    name = str(options.get("own_name") or OWN_NAME_DEFAULT).strip()
    if not name:
        raise ValueError("own_name must not be blank")
    return name


def fill_slots(template: str, slots: dict[str, Any]) -> str:
    """``str.format`` with a clear error naming the template, for our own template tables."""
    try:
        return template.format(**slots)
    except KeyError as err:
        raise KeyError(f"template {template[:40]!r}... needs slot {err}") from None


@cache
def held_out_kinds() -> tuple[str, ...]:
    """Families the eval holds out: never a concrete scene in any procedural record."""
    return tuple(sorted(f.name for f in FamilyRegistry().in_split("held_out")))


def record(recipe: str, seed: int, index: int, body: dict[str, Any], **meta: Any) -> dict:
    return {**body, "meta": {"recipe": recipe, "seed": seed, "index": index, **meta}}


def stream(recipe: str, seed: int, index: int) -> random.Random:
    # One stream per record, keyed by recipe, seed and index: record i is the same whatever
    # n is, and a resumed or sharded run writes the same bytes.
    return random.Random(f"{recipe}:{seed}:{index}")


REDRAWS = 20  # tries for a record that repeats an earlier one, before keeping the repeat


def distinct(recipe: str, seed: int, n: int, make: Callable[[random.Random], tuple]) -> list[dict]:
    """n records from ``make(rng) -> (body, meta[, arms])``, record i from its own stream.

    A record that repeats an earlier one is drawn again from the stream ``...:i:k``: the
    engine drops exact repeats, and this keeps n meaning n. ``arms`` are the texts the record
    would have under each setting of a recipe's ablation switches; a repeat in any arm redraws
    the record in all of them, so the arms stay paired record by record. Record i depends
    only on the records before it, never on n: any prefix of a run is the same run.
    """
    seen: set[tuple[int, str]] = set()
    out = []
    for i in range(n):
        for attempt in range(REDRAWS):
            rng = stream(recipe, seed, i) if attempt == 0 else random.Random(
                f"{recipe}:{seed}:{i}:{attempt}")
            body, meta, *rest = make(rng)
            arms = rest[0] if rest else (json.dumps(body, sort_keys=True),)
            keys = set(enumerate(arms))
            if not keys & seen:
                break
        seen |= keys
        extra = {"redraw": attempt} if attempt else {}
        out.append(record(recipe, seed, i, body, **meta, **extra))
    return out


def source_records(source: Any) -> list[dict] | None:
    """A ``source`` option: nothing (``None`` or ""), a list of records, or a path to a JSONL
    file or dataset directory (what ``whyalign data`` writes)."""
    if source is None or source == "":
        return None
    if isinstance(source, (str, Path)):
        from ...contamination import read_records

        return list(read_records(source))
    return list(source)
