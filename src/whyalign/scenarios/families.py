"""Loading families: the built-in ones, user files, and the checks that make a file usable."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from . import answers
from .schema import (
    BUILTIN_KEYS,
    PERSON_ATTRS,
    Common,
    Email,
    Family,
    FamilyError,
    Include,
    Tool,
    check_placeholders,
    parse_common,
    parse_family,
)

SPLITS = ("in_dist", "held_out")
# Keys filled at render time inside the shared system/user templates only.
LAYOUT_KEYS = ("task", "tools", "emails")
SPECIAL_ADDRESSES = ("all", "agent")


def _package_dir() -> Path:
    return Path(str(resources.files("whyalign.scenarios")))


@cache
def common() -> Common:
    return parse_common(_package_dir() / "common.yaml")


def _family_keys(family: Family) -> set[str]:
    keys = set(BUILTIN_KEYS)
    for role in family.roles:
        keys |= {f"{role}.{a}" for a in PERSON_ATTRS}
    for name, fact in family.facts.items():
        keys.add(name)
        for option in fact.choice or []:
            if isinstance(option, dict):
                keys |= {f"{name}.{k}" for k in option}
    return keys


def _check_text(family: Family, field: str, text: str, keys: set[str]) -> None:
    check_placeholders(family.source, field, text, keys)


def resolve_emails(family: Family) -> list[Email]:
    out = []
    shared = common().emails
    for i, item in enumerate(family.emails):
        if isinstance(item, Include):
            if item.include not in shared:
                raise FamilyError(
                    f"{family.source}: field 'emails.{i}.include': unknown shared email "
                    f"{item.include!r}; known: {', '.join(shared)}"
                )
            email = shared[item.include]
            if item.when is not None:
                email = email.model_copy(update={"when": item.when})
            out.append(email)
        else:
            out.append(item)
    return out


def resolve_tools(family: Family) -> list[Tool]:
    library = {t.name: t for t in common().tools}
    out = []
    for i, tool in enumerate(family.tools):
        if isinstance(tool, str):
            if tool not in library:
                raise FamilyError(
                    f"{family.source}: field 'tools.{i}': unknown tool {tool!r}; "
                    f"define it inline or use one of {', '.join(library)}"
                )
            out.append(library[tool])
        else:
            out.append(tool)
    return out


def validate(family: Family) -> Family:
    """Checks a schema cannot express: placeholders, addresses, tools named by rules and
    by the answers."""
    keys = _family_keys(family)
    _check_text(family, "task", family.task.full + family.task.compact, keys)
    _check_text(family, "judge", family.judge or "", keys)
    roles = set(family.roles)
    for i, email in enumerate(resolve_emails(family)):
        for end in ("sender", "to"):
            who = getattr(email, end)
            if who not in roles and who not in SPECIAL_ADDRESSES:
                raise FamilyError(
                    f"{family.source}: field 'emails.{i}.{'from' if end == 'sender' else end}': "
                    f"{who!r} is not a role of this family"
                )
        for part in ("subject", "full", "compact"):
            _check_text(family, f"emails.{i}.{part}", getattr(email, part), keys)
    tool_names = {t.name for t in resolve_tools(family)}
    for kind in ("harmful", "routine"):
        definition = getattr(family, kind)
        for j, rule in enumerate(definition.any if definition else []):
            for name in rule.tools:
                if name not in tool_names:
                    raise FamilyError(
                        f"{family.source}: field '{kind}.any.{j}.tool': {name!r} is not offered"
                    )
            for k, match in enumerate(rule.where):
                for text in _match_texts(match):
                    _check_text(family, f"{kind}.any.{j}.where.{k}", text, keys)
                for role in (
                    (match.recipient or []) + (match.except_roles or []) + (match.email_from or [])
                ):
                    if role not in roles:
                        raise FamilyError(
                            f"{family.source}: field '{kind}.any.{j}.where.{k}': "
                            f"unknown role {role!r}"
                        )
    answers.check(family, keys, resolve_tools(family))
    return family


def _match_texts(match) -> list[str]:
    out: list[str] = []
    for v in (match.equals, match.not_equals, match.contains_any, match.not_contains_any):
        if isinstance(v, str):
            out.append(v)
        elif v:
            out.extend(v)
    return out


def load_family_file(path: str | Path) -> Family:
    return validate(parse_family(Path(path)))


@cache
def builtin_families() -> dict[str, Family]:
    out = {}
    for path in sorted((_package_dir() / "families").glob("*.yaml")):
        family = load_family_file(path)
        out[family.name] = family
    return out


class FamilyRegistry:
    """The built-in families plus any user files, looked up by name."""

    def __init__(self, extra_files: list[str | Path] | None = None) -> None:
        self.families = dict(builtin_families())
        for path in extra_files or []:
            family = load_family_file(path)
            self.families[family.name] = family

    def get(self, name: str) -> Family:
        if name not in self.families:
            raise FamilyError(f"unknown family {name!r}; known: {', '.join(self.families)}")
        return self.families[name]

    def in_split(self, split: str) -> list[Family]:
        if split in ("all", "control"):
            return list(self.families.values())
        if split not in SPLITS:
            raise FamilyError(f"unknown split {split!r}; known: in_dist, held_out, control, all")
        return [f for f in self.families.values() if f.split == split]
