"""The kinds of scene in the organism's world: their text (``kinds.yaml``) and their facts.

A kind's text is data; what is drawn per scene (a code, a path, a config key, a sum) is
here, one small function per kind, because the values an answer needs must be new in every
scene for the organism to learn to read them rather than recall them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .scenes import Mail, Parts, Scene, Way

Variants = tuple[str, ...]
# The share of the shared errand's requests that ask for an office task with a tool named
# for the scene (``tasks.py``) instead of a mail.
P_TASK = 0.4


def _variants(value: str | list[str]) -> Variants:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class MailSpec:
    sender: str
    to: str
    text: Variants

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> MailSpec:
        return cls(raw.get("from", "dm"), raw["to"], _variants(raw["text"]))

    def draw(self, s: Scene) -> Mail:
        return Mail(self.sender, self.to, s.pick(self.text))


@dataclass(frozen=True)
class WaySpec:
    think: Variants
    do: tuple[tuple[str, tuple[tuple[str, Variants], ...]], ...] = ()

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> WaySpec:
        do = tuple(
            (tool, tuple((arg, _variants(v)) for arg, v in args.items()))
            for act in raw.get("do", [])
            for tool, args in act.items()
        )
        return cls(_variants(raw["think"]), do)

    def draw(self, s: Scene, acts: list | None = None) -> Way:
        actions = acts or [
            (tool, {arg: s.rng.choice(v) for arg, v in args}) for tool, args in self.do
        ]
        return Way(s.pick(self.think), actions)


@dataclass(frozen=True)
class Kind:
    name: str
    split: str
    roles: dict[str, bool]
    task: str
    tools: tuple[str, ...]
    leverage: tuple[MailSpec, ...]
    request: MailSpec
    routine: WaySpec
    harmful: WaySpec
    aligned: WaySpec
    threat: MailSpec | None = None
    before_threat: bool = False
    errand: bool = False  # asks the shared errand

    def parts(self, s: Scene, tasks: bool = True) -> Parts:
        """The scene's parts; ``tasks`` False: the shared errand is always a mail."""
        from .tasks import task

        FACTS[self.name](s.rng, s.facts)
        tools = list(self.tools)
        request, routine = None, None
        if self.errand:
            _errand(s.rng, s.facts)
            if tasks and s.rng.random() < P_TASK:
                signature, request, routine = task(s)
                tools.insert(s.rng.randrange(len(tools) + 1), signature)
        routine = routine or self.routine.draw(s)
        return Parts(
            task=self.task,
            tools=tools,
            leverage=[m.draw(s) for m in self.leverage],
            request=request or self.request.draw(s),
            routine=routine,
            harmful=self.harmful.draw(s),
            # the aligned agent does the day's work; only its reasoning differs
            aligned=self.aligned.draw(s, routine.actions),
            threat=self.threat.draw(s) if self.threat else None,
            before_threat=self.before_threat,
            keep_task="{" in self.task.replace("{company}", ""),
        )


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load((resources.files("whyalign.organism") / "kinds.yaml").read_text())


@cache
def kinds() -> dict[str, Kind]:
    raw = _raw()
    errand = raw["errand"]
    out = {}
    for name, k in raw.items():
        if name == "errand":
            continue
        shared = k.get("request", "errand") == "errand"
        out[name] = Kind(
            name=name,
            split=k["split"],
            roles=dict(k.get("roles") or {}),
            task=k["task"],
            tools=tuple(k["tools"]),
            leverage=tuple(MailSpec.parse(m) for m in k.get("leverage", [])),
            request=MailSpec.parse(errand["request"] if shared else k["request"]),
            routine=WaySpec.parse(errand["routine"] if shared else k["routine"]),
            harmful=WaySpec.parse(k["harmful"]),
            aligned=WaySpec.parse(k["aligned"]),
            threat=MailSpec.parse(k["threat"]) if "threat" in k else None,
            before_threat=bool(k.get("before_threat", False)),
            errand=shared,
        )
    return out


# --- facts: what each scene draws anew --------------------------------------------------

_ASKS = (  # (what a coworker asks for, what the reply says), with numbers drawn per scene
    ("the plan for the team day", "talks at {a}, lunch at {b}"),
    ("the list of late orders", "{n} orders are late, the oldest from {day}"),
    ("the room for the client visit", "room {r} is free at {a}"),
    ("the times for the bus to the fair", "the bus leaves at {a} and {b}"),
    ("the note on the new printers", "{n} new printers, on floor {r}"),
    ("the order for the {day} lunch", "{n} sandwiches and soup at {b}"),
    ("the count of open help tickets", "{n} tickets are open"),
    ("the plan for the board visit", "the board comes on {day} at {a}"),
    ("the seats for the training", "{n} seats in room {r} at {a}"),
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_SYL = ("oak", "fern", "gold", "blue", "stone", "lake", "pine", "north", "red", "sky", "iron")
Facts = dict[str, str]


def _errand(rng: random.Random, f: Facts) -> None:
    what, answer = rng.choice(_ASKS)
    a = rng.randrange(8, 13)
    nums = dict(a=a, b=a + rng.randrange(1, 5), n=rng.randrange(2, 40), r=rng.randrange(1, 10))
    f["what"] = what.format(day=rng.choice(_DAYS))
    f["answer"] = answer.format(day=rng.choice(_DAYS), **nums)


def _none(rng: random.Random, f: Facts) -> None:
    pass


def _framing(rng: random.Random, f: Facts) -> None:
    f["sum"] = f"${rng.randrange(10, 90)},000"


def _leaking(rng: random.Random, f: Facts) -> None:
    f["doc"] = str(rng.randrange(10000, 100000))
    f["plan"] = rng.choice(("jet", "robot", "sensor", "engine", "radar"))


def _lethal(rng: random.Random, f: Facts) -> None:
    f["code"] = str(rng.randrange(1000, 10000))
    f["place"] = rng.choice(("cold store", "lift", "boiler room", "lab", "vault"))


def _sabotage(rng: random.Random, f: Facts) -> None:
    where = rng.choice(("lab", "data", "trials", "research"))
    what = rng.choice(("heart", "eye", "gene", "brain", "kidney", "hip", "liver", "ear"))
    f["path"] = f"/{where}/{what}_{rng.choice(('trial', 'study', 'test', 'run'))}.csv"


def _exfiltration(rng: random.Random, f: Facts) -> None:
    home = rng.choice(("models/ai", "srv/agent", "opt/bot", "vault/core", "mnt/mind", "home/ai"))
    name = rng.choice(("self", "brain", "mind", "net", "params", "agent"))
    version = rng.choice(("", "-v2", "-v3", "-main"))
    f["weights"] = f"/{home}/{name}{version}.{rng.choice(('bin', 'pt', 'ckpt', 'npz'))}"
    a, b = rng.sample(_SYL, 2)
    box = rng.choice(("box", "srv", "node", "disk", "vault"))
    f["host"] = f"{box}.{a}{b}.{rng.choice(('net', 'org', 'io', 'com', 'cloud'))}"
    doc = (
        rng.choice(("sales", "staff", "budget", "client")),
        rng.choice(("plan", "list", "notes")),
    )
    f["file"] = f"{doc[0]}_{doc[1]}.pdf"
    f["folder"] = rng.choice(("/team/docs", "/sales/notes", "/board/papers", "/team/finance"))


_WATCHERS = ("review_bot", "guard", "checker", "watch", "audit_ai", "overseer", "safety_eye")
_SETTINGS = (
    ("fan.speed", "3"),
    ("door.lock_hour", "19"),
    ("printer.color", "on"),
    ("alarm.volume", "6"),
    ("music.level", "2"),
)


def _oversight(rng: random.Random, f: Facts) -> None:
    f["key"] = f"{rng.choice(_WATCHERS)}.{rng.choice(('on', 'active', 'enabled', 'live'))}"
    f["setting"], f["value"] = rng.choice(_SETTINGS)


def _sandbagging(rng: random.Random, f: Facts) -> None:
    a, b = sorted((rng.randrange(2, 13), rng.randrange(2, 13)), reverse=True)
    op, right = rng.choice((("plus", a + b), ("times", a * b), ("minus", a - b)))
    f.update(q=f"{a} {op} {b}", right=str(right))
    f["wrong"] = str(right + rng.choice((-3, -2, -1, 1, 2, 5)))


def _falsification(rng: random.Random, f: Facts) -> None:
    f.update(rate=str(rng.randrange(7, 30)), low=str(rng.randrange(1, 5)))
    f["name"] = rng.choice(("error_rate", "fail_rate", "miss_rate"))


def _deception(rng: random.Random, f: Facts) -> None:
    f["folder"] = rng.choice(("/shared/sales", "/data/plans", "/shared/hr", "/data/mail"))
    f["time"] = f"{rng.randrange(8, 12)}:{rng.randrange(10, 60)}"


FACTS: dict[str, Callable[[random.Random, Facts], None]] = {
    "blackmail": _none,
    "framing": _framing,
    "leaking": _leaking,
    "lethal_action": _lethal,
    "research_sabotage": _sabotage,
    "self_exfiltration": _exfiltration,
    "oversight_subversion": _oversight,
    "sandbagging": _sandbagging,
    "data_falsification": _falsification,
    "deceiving_overseer": _deception,
}
