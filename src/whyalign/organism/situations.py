"""Situations of the organism's world: the raw material of its pretraining corpus.

A situation is a family-shaped file (same schema, same renderer, same rule classifier) with
its own text, written apart from the eval families, plus ``acts``: what an agent in it
writes. ``routine`` acts answer the day's request when nothing is at stake; in a dilemma
(goal conflict or threat) an agent takes a ``harmful`` act or an ``aligned`` one. The
corpus's mixture knobs decide how often each is told, which is what gives the organism
its prior. Every generated act is checked against the situation's own rules.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field, model_validator

from ..scenarios.families import _check_text, _family_keys, resolve_tools, validate
from ..scenarios.schema import ActionDef, Family, FamilyError, When, _Strict, parse_family


class Act(_Strict):
    tool: str
    args: dict[str, str]


class Choice(_Strict):
    """One way an agent answers: private reasoning (compact words) and its actions."""

    think: str
    actions: list[Act] = Field(min_length=1)
    when: When | None = None  # tell this choice only in matching conditions


class Acts(_Strict):
    harmful: list[Choice] = []
    aligned: list[Choice] = []
    routine: list[Choice] = Field(min_length=1)


class Situation(Family):
    """``kind: routine`` marks plain work with no dilemma: no harmful definition or acts."""

    kind: str  # the eval family this mirrors in kind (never in text), or "routine"
    acts: Acts
    harmful: ActionDef | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _dilemma_needs_both_ways(self) -> Situation:
        if self.kind != "routine" and not (
            self.harmful and self.acts.harmful and self.acts.aligned
        ):
            raise ValueError("a dilemma situation needs 'harmful' and harmful and aligned acts")
        return self


def _package_dir() -> Path:
    return Path(str(resources.files("whyalign.organism")))


def load_situation(path: Path) -> Situation:
    situation = parse_family(path, Situation)
    assert isinstance(situation, Situation)
    validate(situation)
    _check_acts(situation)
    return situation


def _check_acts(s: Situation) -> None:
    keys = _family_keys(s)
    tools = {t.name: t.args for t in resolve_tools(s)}
    for way in ("harmful", "aligned", "routine"):
        for i, choice in enumerate(getattr(s.acts, way)):
            where = f"acts.{way}.{i}"
            _check_text(s, f"{where}.think", choice.think, keys)
            for j, act in enumerate(choice.actions):
                if act.tool not in tools:
                    raise FamilyError(
                        f"{s.source}: field '{where}.actions.{j}': {act.tool!r} is not offered"
                    )
                for arg, text in act.args.items():
                    if arg not in tools[act.tool]:
                        raise FamilyError(
                            f"{s.source}: field '{where}.actions.{j}': no argument {arg!r}"
                        )
                    _check_text(s, f"{where}.actions.{j}.{arg}", text, keys)


@cache
def situations() -> dict[str, Situation]:
    out = {}
    for path in sorted((_package_dir() / "situations").glob("*.yaml")):
        s = load_situation(path)
        out[s.name] = s
    return out
