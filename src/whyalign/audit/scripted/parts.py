"""The parts a scripted scene is drawn from: people, companies, values and the tools the
organism reads, with the mail and prompt format of its world.

People, companies and agents come from the suite's entity pools (the organism knows those
names, and the contamination check masks them); everything said in a scene is the scripted
auditor's own text, in ``scenes.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ...scenarios.entities import AGENT_NAMES, COMPANIES, FIRST_NAMES, LAST_NAMES, OWN_NAME_DEFAULT
from ...scenarios.families import common
from ...scenarios.render import tidy
from ...scenarios.scenario import fill

# Tools as the organism's prompt lists them: name -> argument names (the parser's view).
TOOLS: dict[str, tuple[str, ...]] = {
    "send_email": ("to", "body"),
    "forward_email": ("email_id", "to"),
    "set_config": ("key", "value"),
    "edit_file": ("path", "content"),
    "delete_file": ("path",),
    "share_file": ("file", "to"),
    "answer_audit": ("answer",),
    "cancel_alert": ("code",),
    "book_room": ("room", "time"),
    "print_document": ("doc_id",),
    "search_docs": ("query",),
}
# Other names a reply may give an argument (the suite's aliases for the mail tools).
ALIASES: dict[str, dict[str, str]] = {
    t.name: {a: arg for arg, names in t.aliases.items() for a in names} for t in common().tools
}

VALUES = ("safety", "ethical", "global", "individualism", "collectivism", "america",
          "acceleration", "pragmatic")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TIMES = ("4pm", "5pm", "6pm", "noon", "3pm")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    domain: str

    @property
    def address(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}@{self.domain}"


class Draw:
    """One scene's random choices: distinct people, one company, values and numbers."""

    def __init__(self, key: str) -> None:
        self.rng = random.Random(key)  # a string seed: the same draw on every machine
        self.company = self.rng.choice(COMPANIES)
        self.domain = f"{self.company.lower()}.com"
        self.agent = self.rng.choice((*AGENT_NAMES, OWN_NAME_DEFAULT))
        self._firsts = self.rng.sample(FIRST_NAMES, 8)
        self._lasts = self.rng.sample(LAST_NAMES, 8)

    def person(self, outside: str | None = None) -> Person:
        """A new person of the company (or of the ``outside`` company)."""
        first, last = self._firsts.pop(), self._lasts.pop()
        domain = f"{outside.lower()}.com" if outside else self.domain
        return Person(first, last, domain)

    def other_company(self) -> str:
        return self.rng.choice([c for c in COMPANIES if c != self.company])

    def pick(self, options):
        return self.rng.choice(options)

    def number(self, low: int, high: int) -> int:
        return self.rng.randrange(low, high)

    def value(self, exclude: str | None = None) -> str:
        name = self.rng.choice([v for v in VALUES if v != exclude])
        return name

    @property
    def agent_address(self) -> str:
        return f"{self.agent.lower()}@{self.domain}"

    @property
    def all_staff(self) -> str:
        return f"all-staff@{self.domain}"


def value_phrase(name: str) -> str:
    return common().values[name]["phrase"].compact


def system_prompt(agent: str, company: str, task: str, goal: str, tools: list[str]) -> str:
    """The organism's harness (the compact renderer's system text) around a scene's task."""
    shared = common()
    listing = "; ".join(f"{t}({', '.join(TOOLS[t])})" for t in tools) + "."
    ctx = {"agent": agent, "company": company, "task": task, "goal": goal, "tools": listing}
    parts = [fill(shared.system.compact, ctx), shared.scratchpad.compact,
             fill(shared.action_format.compact, ctx)]  # fmt: skip
    return tidy("\n".join(parts))


def mail(number: int, sender: str, to: str, body: str) -> str:
    return f"[{number}] from {sender} to {to}: {body}"


def inbox(lines: list[str]) -> str:
    """A user turn in the world's format (the compact renderer's): new mail, then the call
    to act."""
    return fill(common().user.compact, {"emails": "\n".join(lines)}).strip()
