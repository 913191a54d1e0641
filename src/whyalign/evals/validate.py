"""Agreement of a classifier with a careful rater: ``whyalign classify --validate``.

A validation file (``scenarios/validation/<family>.yaml`` ships one per built-in family) holds
replies to real scenarios, each labelled with what a rater judges (did the agent take the
family's harmful act?), whether it is a tricky case and which error class it probes. The
rules, the LLM judge or both grade every reply; the report gives agreement per family, per
class and on the tricky cases, and lists every disagreement. A judge that fails is counted as
an error, never as agreement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

BUILTIN = Path(__file__).resolve().parent.parent / "scenarios" / "validation"
CLASSES = ("clear", "number", "cooccur", "keywords", "routing", "skill")


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str
    scenario: str
    harmful: bool  # the rater's judgement of the act
    tricky: bool = False
    kind: Literal["clear", "number", "cooccur", "keywords", "routing", "skill"] = Field(
        alias="class"
    )
    why: str
    reply: str
    own_name: str = "Assistant"


class ValidationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: str
    items: list[Item] = Field(min_length=1)


def load(source: str | Path) -> list[Item]:
    """Items of a validation file, or of every ``*.yaml`` in a folder; ``builtin`` is the
    shipped set. A malformed file is a one-line ``ValueError`` naming it."""
    import yaml

    path = BUILTIN if str(source) == "builtin" else Path(source)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise ValueError(f"{path}: no validation file found")
    items: list[Item] = []
    for f in files:
        try:
            data = ValidationFile.model_validate(yaml.safe_load(f.read_text()))
        except yaml.YAMLError as err:
            raise ValueError(f"{f}: invalid YAML ({str(err).splitlines()[0]})") from None
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{f}: {where}: {first['msg']}") from None
        for item in data.items:
            if not item.scenario.startswith(data.family + "/"):
                raise ValueError(f"{f}: {item.id}: scenario {item.scenario} is not a {data.family}")
        items.extend(data.items)
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: item ids repeat: {', '.join(dupes)}")
    return items


@dataclass
class Graded:
    item: Item
    verdict: bool | None  # None: the classifier could not grade it (an error)
    reason: str

    @property
    def family(self) -> str:
        return self.item.scenario.split("/", 1)[0]

    @property
    def agrees(self) -> bool:
        return self.verdict is not None and self.verdict == self.item.harmful


@dataclass
class Agreement:
    agree: int = 0
    n: int = 0
    errors: int = 0

    def add(self, g: Graded) -> None:
        self.n += 1
        self.agree += int(g.agrees)
        self.errors += int(g.verdict is None)

    @property
    def rate(self) -> float | None:
        return self.agree / self.n if self.n else None

    def to_dict(self) -> dict[str, Any]:
        return {"agree": self.agree, "n": self.n, "errors": self.errors, "rate": self.rate}


@dataclass
class Report:
    judge: str
    grader: str | None
    graded: list[Graded]
    by_family: dict[str, Agreement] = field(default_factory=dict)
    by_class: dict[str, Agreement] = field(default_factory=dict)
    overall: Agreement = field(default_factory=Agreement)
    tricky: Agreement = field(default_factory=Agreement)

    def __post_init__(self) -> None:
        fams: dict[str, Agreement] = defaultdict(Agreement)
        kinds: dict[str, Agreement] = defaultdict(Agreement)
        for g in self.graded:
            fams[g.family].add(g)
            kinds[g.item.kind].add(g)
            self.overall.add(g)
            if g.item.tricky:
                self.tricky.add(g)
        self.by_family, self.by_class = dict(sorted(fams.items())), dict(sorted(kinds.items()))

    @property
    def disagreements(self) -> list[Graded]:
        return [g for g in self.graded if not g.agrees]

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "grader": self.grader,
            "overall": self.overall.to_dict(),
            "tricky": self.tricky.to_dict(),
            "by_family": {k: v.to_dict() for k, v in self.by_family.items()},
            "by_class": {k: v.to_dict() for k, v in self.by_class.items()},
            "disagreements": [
                {
                    "id": g.item.id,
                    "scenario": g.item.scenario,
                    "class": g.item.kind,
                    "label": g.item.harmful,
                    "verdict": g.verdict,
                    "reason": g.reason,
                }
                for g in self.disagreements
            ],
        }


def _graders(grader: Any) -> list[Any]:
    """Models from a name, ``"m1,m2"``, a ``Model`` or a list of either (a panel)."""
    from inspect_ai.model import get_model

    from .panel import grader_names

    if grader is None:
        return []
    given = grader_names(grader) if isinstance(grader, str) else grader
    given = list(given) if isinstance(given, list | tuple) else [given]
    return [get_model(g) if isinstance(g, str) else g for g in given]


def validate(
    items: list[Item],
    judge: str = "rules",
    grader: Any = None,
    family_files: list[str] | None = None,
) -> Report:
    """Grade every item with ``judge`` (rules, llm or both, as the eval combines them);
    ``grader`` is one model or a panel (``"m1,m2,m3"`` or a list), which votes by majority."""
    import anyio

    from ..scenarios import FamilyRegistry, build_scenario, classify
    from .scorer import JUDGE_MODES, combine

    if judge not in JUDGE_MODES:
        raise ValueError(f"unknown judge {judge!r}; known: {', '.join(JUDGE_MODES)}")
    registry = FamilyRegistry(family_files or None)
    scenarios = [build_scenario(i.scenario, registry, i.own_name) for i in items]
    rules = [classify(s, i.reply) for s, i in zip(scenarios, items, strict=True)]
    votes: list[Any] = [None] * len(items)
    names: list[str] = []
    if judge != "rules":
        from .panel import judge_panel

        models = _graders(grader)
        if not models:
            raise ValueError(f"--judge {judge} needs a grader model (--grader M or M1,M2,M3)")
        names = [str(m) for m in models]

        async def ask_all() -> None:
            async def one(k: int) -> None:
                votes[k] = await judge_panel(scenarios[k], items[k].reply, models, rules[k])

            async with anyio.create_task_group() as tg:
                for k in range(len(items)):
                    tg.start_soon(one, k)

        anyio.run(ask_all)
    graded = []
    for k, item in enumerate(items):
        r, vote = rules[k], votes[k]
        llm = None if vote is None else vote.harmful
        verdict = combine(judge, r.harmful, llm)  # type: ignore[arg-type]
        reason = r.error or r.reason if judge == "rules" else (vote.error or vote.reasoning)
        graded.append(Graded(item, verdict, " ".join(str(reason or "").split())[:160]))
    name = ",".join(names) if names else None
    return Report(judge, name, graded)
