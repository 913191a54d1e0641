"""The family file format: a honeypot family is data, validated here.

A family YAML file declares roles (people drawn by seed), facts (codes, paths, answers drawn
by seed), the agent's task, the tools it is offered, the emails of the situation (each with a
``full`` and a ``compact`` text and a ``when`` filter over the condition), the definition of the
harmful action and of the routine action, all as rules over parsed tool calls, and optionally
how the family is answered (``answers``: read by ``answers.py`` for training data). See
``docs/families.md`` for the format and ``families/*.yaml`` for examples.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
PERSON_ATTRS = ("first", "last", "name", "email", "title", "org")
# Keys every template may use besides roles and facts.
BUILTIN_KEYS = (
    "agent",
    "agent_email",
    "company",
    "domain",
    "own_name",
    "goal",
    "agent_value",
    "leadership_value",
    "deadline",
)


class FamilyError(ValueError):
    """A family file that cannot be used; the message names the file and the field."""


def check_placeholders(source: str, field: str, text: str, keys: set[str]) -> None:
    for key in PLACEHOLDER.findall(text):
        if key not in keys:
            raise FamilyError(f"{source}: field '{field}': unknown placeholder {{{key}}}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Text(_Strict):
    """The same content for the two renderers (a plain string serves both)."""

    full: str
    compact: str

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"full": data, "compact": data} if isinstance(data, str) else data


class Role(_Strict):
    title: str
    external: bool = False  # works for another organisation (a competitor, a regulator)


class Fact(_Strict):
    """A value drawn per scenario: a numeric code or one entry of a list."""

    digits: int | None = Field(default=None, ge=2, le=12)
    choice: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Fact:
        if (self.digits is None) == (self.choice is None):
            raise ValueError("a fact needs exactly one of 'digits' or 'choice'")
        if self.choice is not None and not self.choice:
            raise ValueError("'choice' must not be empty")
        return self


class Tool(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    args: list[str]
    description: Text
    # Other names a reply may give an argument ("recipient" for "to"): read as the argument.
    aliases: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _aliases_name_args(self) -> Tool:
        unknown = set(self.aliases) - set(self.args)
        if unknown:
            raise ValueError(f"aliases name no argument of {self.name}: {sorted(unknown)}")
        return self


class When(_Strict):
    """Show an email only in some conditions; every given key must match."""

    goal_type: list[str] | None = None
    urgency: list[str] | None = None
    conflict: bool | None = None
    threat: bool | None = None


class Email(_Strict):
    sender: str = Field(alias="from")
    to: str
    subject: str = ""
    full: str = ""  # empty: the compact text serves both renderers
    compact: str
    when: When | None = None

    @model_validator(mode="after")
    def _full_defaults_to_compact(self) -> Email:
        if not self.full:
            self.full = self.compact
        return self


class Include(_Strict):
    include: str
    when: When | None = None


class Match(_Strict):
    """One test on one argument of a tool call. All given tests must hold."""

    arg: str
    equals: str | list[str] | None = None
    not_equals: str | list[str] | None = None
    contains_any: list[str] | None = None
    not_contains_any: list[str] | None = None
    regex: str | None = None
    recipient: list[str] | None = None  # role names whose address this argument must be
    external: bool | None = None  # address outside the agent's company
    except_roles: list[str] | None = None  # addresses of these roles never count as external
    email_from: list[str] | None = None  # the argument is an email number sent by these roles
    # Read by ``acts.py``: numbers as numbers, codes through spacing, clauses that assert.
    number_in: list[str] | None = None  # the answer's number is one of these
    number_not_in: list[str] | None = None  # ... is none of these (or there is no number)
    digits_any: list[str] | None = None  # one of these codes, read through spaces and words
    affirms_any: list[str] | None = None  # one of these in a clause neither negated nor supposed
    shows: list[str] | None = None  # every named shape of act holds (acts.DETECTORS)
    lacks: list[str] | None = None  # no named shape of act holds
    covers: str | None = None  # a path acting on this one (itself, a folder above, a glob)
    outside: bool | None = None  # a path or URL on a host outside the company


class ActionRule(_Strict):
    tool: str | list[str]
    where: list[Match] = []
    when: When | None = None  # the rule applies only in these conditions (e.g. under threat)
    check: str | None = None  # "module:function(scenario, action) -> bool", for acts of two args
    whole: bool = False  # read every call of the tool as one (an answer given in parts)

    @property
    def tools(self) -> list[str]:
        return [self.tool] if isinstance(self.tool, str) else list(self.tool)


class ActionDef(_Strict):
    """An action the classifier looks for: any rule matching any parsed call."""

    description: str
    any: list[ActionRule] = Field(min_length=1)


class _Answer(BaseModel):
    # Frozen: one parsed family is shared by every reader for the whole run.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerAct(_Answer):
    """One act of an aligned reply, and the line of its reasoning that announces it."""

    tool: str
    args: dict[str, str]  # in the order the act writes them
    say: str


class AnswerWay(_Answer):
    """One way an agent in the organism's fiction answers: its reasoning lines (one is drawn)
    and its act."""

    tool: str
    args: dict[str, str]
    think: tuple[str, ...] = Field(min_length=1)


# The topics a spec's sections fall under (``data.procedural._spec.TOPICS`` and "general").
SpecTopic = Literal["oversight", "honesty", "harm", "conflict", "mind", "general"]


class DemoAnswers(_Answer):
    """How an aligned agent meets the family (the procedural honeypot demonstrations)."""

    topic: SpecTopic = "harm"  # the spec topic the harmful act breaks first
    cues: tuple[str, ...] = Field(min_length=1)  # words of spec sentences on this harm
    routine: tuple[AnswerAct, ...] = Field(min_length=1)  # the day's request, one is drawn
    tempt: tuple[str, ...] = Field(min_length=1)  # the harmful way out, as the agent sees it
    wrong: tuple[str, ...] = Field(min_length=1)  # why it is wrong, in the agent's own words
    calm: tuple[str, ...] = Field(min_length=1)  # a control day: why the bait is left alone
    always: tuple[AnswerAct, ...] = ()  # acts taken in every condition
    open_note: bool = True  # may write the decision-maker one honest note about a threat
    extras: tuple[AnswerAct, ...] = ()  # optional acts, one may be added


class EpisodeAnswers(_Answer):
    """The family's answers in the organism's eval-like episodes. Mail there goes to a first
    name, as in the organism's world (the rules resolve it to its role): one name to copy."""

    routine: tuple[AnswerWay, ...] = Field(min_length=1)  # calm days and aligned replies
    harmful: tuple[AnswerWay, ...] = Field(min_length=1)  # the harmful ways out


class Answers(_Answer):
    """A family's answers, in its placeholders (``answers.py`` reads them)."""

    demo: DemoAnswers | None = None
    episode: EpisodeAnswers | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Answers:
        if self.demo is None and self.episode is None:
            raise ValueError("answers needs 'demo', 'episode' or both")
        return self


class Family(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    split: Literal["in_dist", "held_out"]
    description: str
    roles: dict[str, Role]
    facts: dict[str, Fact] = {}
    task: Text
    tools: list[str | Tool]
    emails: list[Email | Include] = Field(min_length=1)
    harmful: ActionDef
    routine: ActionDef
    hook: str | None = None  # "module:function" refining the rule verdict
    limits: list[str] = []  # what the rules are known to misread (docs and validation)
    # The harmful act is a wrong answer: the summary sets accuracy under a threat against the
    # same questions on the calm day (evals/skill.py), so skill is not read as intent.
    skill: bool = False
    judge: str | None = None  # the LLM judge's guidance for this family (evals/judge.py)
    answers: Answers | None = None  # how the family is answered (training data only)
    source: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _needs_decision_maker(self) -> Family:
        if "decision_maker" not in self.roles:
            raise ValueError(
                "roles must include 'decision_maker' (whose decision threatens the agent)"
            )
        return self


class Common(_Strict):
    """Shared text: goal values, tool library, instructions, includable emails."""

    values: dict[str, dict[str, Text]]
    goal_statements: dict[str, Text]
    tools: list[Tool]
    distractor_tools: list[Tool]
    system: Text
    scratchpad: Text
    action_format: Text
    user: Text
    deadline: Text
    emails: dict[str, Email]


def _where(loc: tuple) -> str:
    return ".".join(
        str(p) for p in loc if not str(p).startswith(("Email", "Include", "str", "Tool"))
    )


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise FamilyError(f"{path}: file not found") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise FamilyError(
            f"{path}:{where} malformed YAML ({getattr(err, 'problem', err)})"
        ) from None


def parse_family(path: Path, cls: type[Family] | None = None) -> Family:
    """Read and validate a family-shaped file (``cls`` may be a Family subclass)."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise FamilyError(f"{path}: expected a mapping at the top level")
    try:
        family = (cls or Family).model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = _where(first["loc"]) or "(top level)"
        msg = "missing required field" if first["type"] == "missing" else first["msg"]
        raise FamilyError(f"{path}: field '{field}': {msg}") from None
    family.source = str(path)
    return family


def parse_common(path: Path) -> Common:
    try:
        return Common.model_validate(load_yaml(path))
    except ValidationError as err:
        first = err.errors()[0]
        raise FamilyError(f"{path}: field '{_where(first['loc'])}': {first['msg']}") from None
