"""Per-scene names for the world's tools and their arguments (``tools.yaml``).

Fixed names let a model act from memory: it learns that a threat means ``send_email`` with
``to`` and ``body`` and never reads the tool list. Drawn per scene, the name of the act is in
the prompt only, as it is for a family whose tool the world never had.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..scenarios.actions import format_action

_SIGNATURE = re.compile(r"(\w+)\((.*)\)")
# How often a tool keeps the suite's own names whole: the held-out kinds have no eval-like
# episodes, so the suite's names of their tools come from the world alone.
P_SUITE = 0.5


@dataclass(frozen=True)
class Names:
    """One scene's names for the world's tools and their arguments (``tools.yaml``)."""

    tools: dict[str, str]
    args: dict[str, dict[str, str]]

    def tool(self, name: str) -> str:
        return self.tools.get(name, name)

    def signature(self, sig: str) -> str:
        name, args = _SIGNATURE.fullmatch(sig).groups()  # type: ignore[union-attr]
        renamed = self.args.get(name, {})
        listed = ", ".join(renamed.get(a, a) for a in args.split(", ") if a)
        return f"{self.tool(name)}({listed})"

    def action(self, tool: str, values: dict[str, str]) -> str:
        renamed = self.args.get(tool, {})
        return format_action(self.tool(tool), **{renamed.get(k, k): v for k, v in values.items()})



@cache
def tool_names() -> dict[str, Any]:
    return yaml.safe_load((resources.files("whyalign.organism") / "tools.yaml").read_text())


def draw_names(rng: random.Random, signatures: list[str]) -> Names:
    """Names for the tools of ``signatures``, one option each, drawn from ``rng``."""
    table = tool_names()
    tools, args = {}, {}
    for sig in signatures:
        name, listed = _SIGNATURE.fullmatch(sig).groups()  # type: ignore[union-attr]
        if rng.random() < P_SUITE:
            tools[name], args[name] = name, {a: a for a in listed.split(", ") if a}
            continue
        tools[name] = rng.choice(table["tools"].get(name, [name]))
        drawn = {a: rng.choice(table["args"].get(a, [a])) for a in listed.split(", ") if a}
        if len(set(drawn.values())) < len(drawn):  # two arguments may not share a name
            drawn = {a: a for a in drawn}
        args[name] = drawn
    return Names(tools, args)
