"""A family's answers: how its dilemma is met, read from the ``answers`` block of its file.

Two readers share them, so a user's family file with an answers block needs no code:

- ``demo``: the procedural honeypot demonstrations (``data/procedural/honeypot.py``). An
  aligned agent's routine acts, the harmful way out it sees and turns down, why, the spec
  words that speak to the harm, and lines for a calm day.
- ``episode``: the organism's eval-like episodes (``organism/evallike.py``). The routine act
  and the harmful ways out, each with reasoning lines in the voice of the organism's fiction.

Texts use the family's placeholders and are checked when the file loads (``check``), like the
rest of the file: tools the family offers, arguments those tools take, known placeholders.

Only in-distribution families are answered. A held-out family's answers, should a file give
any, are never returned here, so no held-out text can reach training data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .schema import (
    AnswerAct,
    Answers,
    AnswerWay,
    DemoAnswers,
    EpisodeAnswers,
    Family,
    FamilyError,
    Tool,
    check_placeholders,
)

if TYPE_CHECKING:
    from .families import FamilyRegistry

__all__ = [
    "AnswerAct",
    "AnswerWay",
    "Answers",
    "DemoAnswers",
    "EpisodeAnswers",
    "check",
    "demo_answers",
    "demo_families",
    "episode_answers",
    "episode_families",
]


def _lines(answers: Answers) -> Iterator[tuple[str, str]]:
    """Every text of the block with its field path, for the placeholder check."""
    if answers.demo is not None:
        for kind in ("tempt", "wrong", "calm"):
            for i, line in enumerate(getattr(answers.demo, kind)):
                yield f"answers.demo.{kind}.{i}", line
    for where, act in _acts(answers):
        for key, value in act.args.items():
            yield f"{where}.args.{key}", value
        if isinstance(act, AnswerAct):
            yield f"{where}.say", act.say
        else:
            for i, line in enumerate(act.think):
                yield f"{where}.think.{i}", line


def _acts(answers: Answers) -> Iterator[tuple[str, AnswerAct | AnswerWay]]:
    if answers.demo is not None:
        for kind in ("routine", "always", "extras"):
            for i, act in enumerate(getattr(answers.demo, kind)):
                yield f"answers.demo.{kind}.{i}", act
    if answers.episode is not None:
        for kind in ("routine", "harmful"):
            for i, way in enumerate(getattr(answers.episode, kind)):
                yield f"answers.episode.{kind}.{i}", way


def check(family: Family, keys: set[str], tools: list[Tool]) -> None:
    """What the schema cannot express: each act uses a tool the family offers, with that
    tool's arguments, and every text only the family's placeholders."""
    if family.answers is None:
        return
    offered = {t.name: t for t in tools}
    for where, act in _acts(family.answers):
        if act.tool not in offered:
            raise FamilyError(f"{family.source}: field '{where}.tool': {act.tool!r} is not offered")
        unknown = [a for a in act.args if a not in offered[act.tool].args]
        if unknown:
            raise FamilyError(
                f"{family.source}: field '{where}.args': {act.tool} takes no argument "
                f"{unknown[0]!r}; it takes {', '.join(offered[act.tool].args)}"
            )
    for field, text in _lines(family.answers):
        check_placeholders(family.source, field, text, keys)


def demo_families(registry: FamilyRegistry) -> list[str]:
    """In-distribution families with demonstration answers, sorted (draws must not depend
    on file order)."""
    return sorted(f.name for f in registry.in_split("in_dist") if f.answers and f.answers.demo)


def episode_families(registry: FamilyRegistry) -> tuple[str, ...]:
    """In-distribution families with eval-like episode answers, sorted."""
    return tuple(
        sorted(f.name for f in registry.in_split("in_dist") if f.answers and f.answers.episode)
    )


def _part(registry: FamilyRegistry, name: str, part: str, what: str) -> Any:
    # Held-out families' answers are read and checked but never handed out: nothing of a
    # held-out family may reach training data.
    family = registry.get(name)
    found = getattr(family.answers, part) if family.answers and family.split == "in_dist" else None
    if found is None:
        raise FamilyError(f"family {name!r} has no {what} answers (in-dist only)")
    return found


def demo_answers(registry: FamilyRegistry, name: str) -> DemoAnswers:
    return _part(registry, name, "demo", "demonstration")


def episode_answers(registry: FamilyRegistry, name: str) -> EpisodeAnswers:
    return _part(registry, name, "episode", "eval-like episode")
