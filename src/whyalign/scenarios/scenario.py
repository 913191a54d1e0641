"""A structured scenario: one family instance under one condition. Text is made only when
it is rendered (``render.py``); classification reads the same object."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .conditions import Condition, ScenarioId
from .entities import OWN_NAME_DEFAULT, EntityDraw, Person, domain_of, rng_for
from .families import FamilyRegistry, common, resolve_emails, resolve_tools
from .schema import PERSON_ATTRS, PLACEHOLDER, Email, Family, Tool, When

Renderer = Literal["full", "compact"]
RENDERERS: tuple[Renderer, ...] = ("full", "compact")
# Bump when a change alters which entities an id draws: ids stay stable within a version.
WORLD_VERSION = "1"


def fill(template: str, ctx: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: ctx[m.group(1)], template)


_SPELLED_ADDRESS = re.compile(
    r"[\w.+-]+\s*[\[(]?\bat\b[\])]?\s*[\w-]+(?:\s*[\[(]?\bdot\b[\])]?\s*[\w-]+)+"
)


def normal_address(address: str) -> str:
    """One spelling of an address: the part inside ``<...>``, "at"/"dot" spelled out, lower
    case, no quotes."""
    text = " ".join(address.strip().lower().split())
    if _SPELLED_ADDRESS.fullmatch(text):  # "kim.park at zenco dot com", not "12 at noon"
        text = re.sub(r"\s*[\[(]?\bat\b[\])]?\s*", "@", text)
        text = re.sub(r"\s*[\[(]?\bdot\b[\])]?\s*", ".", text)
    inner = re.search(r"[\w.+-]+@[\w.-]+", text)
    if inner:
        return inner.group(0).rstrip(".")
    return text.strip("<>\"' ")


def _title_words(title: str) -> set[str]:
    return set(re.findall(r"[a-z]+", title.lower())) - {"of", "the", "and", "head", "lead"}


def shows(when: When | None, cond: Condition) -> bool:
    if when is None:
        return True
    return (
        (when.goal_type is None or cond.goal_type in when.goal_type)
        and (when.urgency is None or cond.urgency in when.urgency)
        and (when.conflict is None or cond.conflict == when.conflict)
        and (when.threat is None or cond.threat == when.threat)
    )


class Workplace:
    """The mail addresses of a company, its agent and its people (``company``, ``agent`` and
    ``people`` come from the class that mixes this in)."""

    company: str
    agent: str
    people: dict[str, Person]

    @property
    def domain(self) -> str:
        return domain_of(self.company)

    @property
    def agent_email(self) -> str:
        return f"{self.agent.lower()}@{self.domain}"

    def address(self, who: str) -> str:
        """The address of a role in the mail: everyone, the agent, or one person."""
        if who == "all":
            return f"all-staff@{self.domain}"
        if who == "agent":
            return self.agent_email
        return self.people[who].email


@dataclass
class Scenario(Workplace):
    id: ScenarioId
    family: Family
    agent: str
    company: str
    people: dict[str, Person]
    facts: dict[str, Any]
    emails: list[Email]
    tools: list[Tool]
    own_name: str = OWN_NAME_DEFAULT
    _ctx: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    @property
    def condition(self) -> Condition:
        return self.id.condition

    def context(self, renderer: Renderer = "full") -> dict[str, str]:
        """Every placeholder value for one renderer (names agree across renderers)."""
        if renderer in self._ctx:
            return self._ctx[renderer]
        shared = common()
        cond = self.condition
        ctx: dict[str, str] = {
            "agent": self.agent,
            "agent_email": self.agent_email,
            "company": self.company,
            "domain": self.domain,
            "own_name": self.own_name,
            "deadline": getattr(shared.deadline, renderer),
        }
        for value_key, value in (
            ("agent_value", cond.agent_value),
            ("leadership_value", cond.leadership_value),
        ):
            ctx[value_key] = getattr(shared.values[value]["phrase"], renderer) if value else ""
        for role, person in self.people.items():
            for attr in PERSON_ATTRS:
                ctx[f"{role}.{attr}"] = str(getattr(person, attr))
        for name, value in self.facts.items():
            if isinstance(value, dict):
                ctx.update({f"{name}.{k}": str(v) for k, v in value.items()})
            else:
                ctx[name] = str(value)
        ctx["goal"] = fill(getattr(shared.goal_statements[cond.goal_type], renderer), ctx)
        self._ctx[renderer] = ctx
        return ctx

    def roles_of(self, address: str) -> set[str]:
        """Roles an address refers to, however it is written: ``kim.park@zenco.com``, ``Kim
        Park <kim.park@zenco.com>``, ``kim.park at zenco dot com``, ``Kim``, ``kim@zenco.com``
        or a role mailbox such as ``compliance@zenco.com``. Empty if it names nobody known."""
        text = normal_address(address)
        local, _, host = text.partition("@")
        hits = set()
        for role, p in self.people.items():
            first, name = p.first.lower(), p.name.lower()
            if text in (p.email, name, first):
                hits.add(role)
            elif (
                host
                and host == p.email.partition("@")[2]
                and local in (first, name.replace(" ", "."), name.replace(" ", ""))
            ):
                hits.add(role)
        if host == self.domain and not hits:
            # A mailbox named after the job: "compliance@", "security@", "audit@".
            for role, spec in self.family.roles.items():
                if role in self.people and local in _title_words(spec.title) | {role}:
                    hits.add(role)
        return hits

    def is_external(self, address: str) -> bool:
        text = normal_address(address)
        if "@" in text:
            return text.partition("@")[2] != self.domain
        roles = self.roles_of(text)
        return bool(roles) and all(self.family.roles[r].external for r in roles)

    def metadata(self) -> dict[str, Any]:
        """What a grader needs besides the transcript (recorded with every sample)."""
        cond = self.condition
        harmful = self.family.harmful
        return {
            "scenario_id": str(self.id),
            "family": self.family.name,
            "split": self.family.split,
            "condition": cond.label,
            "goal_type": cond.goal_type,
            "goal_value": cond.goal_value,
            "urgency": cond.urgency,
            "agent_kind": cond.agent,
            "extra_tools": cond.extra_tools,
            "scratchpad": cond.scratchpad,
            "control": cond.is_control,
            "skill": self.family.skill,
            "agent": self.agent,
            "company": self.company,
            "decision_maker": self.people["decision_maker"].email,
            "people": {r: p.email for r, p in self.people.items()},
            "facts": self.facts,
            "harmful_tools": sorted({t for r in harmful.any for t in r.tools}) if harmful else [],
            "harmful_action": harmful.description if harmful else None,
            "routine_action": self.family.routine.description,
        }


def build_scenario(
    sid: ScenarioId | str,
    registry: FamilyRegistry | None = None,
    own_name: str = OWN_NAME_DEFAULT,
) -> Scenario:
    sid = ScenarioId.parse(sid) if isinstance(sid, str) else sid
    registry = registry or FamilyRegistry()
    family = registry.get(sid.family)
    # Entities depend only on (family, index): conditions of one index are paired.
    rng = rng_for("whyalign", WORLD_VERSION, family.name, sid.index)
    draw = EntityDraw(rng)
    company = draw.org()
    people = {
        role: draw.person(spec.title, draw.org() if spec.external else company)
        for role, spec in family.roles.items()
    }
    facts: dict[str, Any] = {}
    for name, fact in family.facts.items():
        if fact.digits is not None:
            facts[name] = str(rng.randrange(10 ** (fact.digits - 1), 10**fact.digits))
        else:
            facts[name] = rng.choice(fact.choice or [])
    other_name = draw.agent_name()
    cond = sid.condition
    agent = own_name if cond.agent == "own" else other_name
    tools = resolve_tools(family)
    if cond.extra_tools:
        pool = common().distractor_tools
        pick = rng_for("whyalign-tools", family.name, sid.index)
        k = min(cond.extra_tools, len(pool))
        tools = tools + pick.sample(pool, k)
    emails = [e for e in resolve_emails(family) if shows(e.when, cond)]
    return Scenario(sid, family, agent, company, people, facts, emails, tools, own_name)
