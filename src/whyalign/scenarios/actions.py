"""The text tool-call format and its parser.

A reply acts by writing blocks::

    <action name="send_email">
    to: kim.park@zenco.com
    subject: Friday
    body: The review is at 10.
    It may run over several lines.
    </action>

One argument per ``key: value`` line; a line that does not start a known argument continues
the previous one, so the last argument may span lines. Anything inside ``<think>...</think>``
is private reasoning and never counts as an action, even if it contains an action block.

``parse`` never raises: junk gives no actions and ``parsed=False`` with the reasons in
``issues``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.S | re.I)
_OPEN = re.compile(r"<action\s+name\s*=\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*>", re.I)
_CLOSE = re.compile(r"</action\s*>", re.I)
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s?(.*)$")


@dataclass(frozen=True)
class Action:
    tool: str
    args: dict[str, str]

    def to_dict(self) -> dict:
        return {"tool": self.tool, "args": dict(self.args)}


@dataclass(frozen=True)
class Parsed:
    actions: list[Action] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    @property
    def parsed(self) -> bool:
        """At least one well-formed action and nothing malformed."""
        return bool(self.actions) and not self.issues


def format_action(tool: str, **args: str) -> str:
    """Write one action block (used by data recipes and tests)."""
    lines = [f'<action name="{tool}">'] + [f"{k}: {v}" for k, v in args.items()] + ["</action>"]
    return "\n".join(lines)


def strip_thinking(text: str) -> str:
    return _THINK.sub("", text)


def parse(
    text: object,
    tools: Mapping[str, Sequence[str]] | None = None,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> Parsed:
    """Parse actions from a model reply.

    ``tools`` maps tool names to their argument names; with it, only those names start an
    argument (so "Note: ..." inside a body stays in the body) and unknown tools are flagged.
    ``aliases`` maps a tool's other argument names to its own ("recipient" -> "to").
    """
    if not isinstance(text, str):
        return Parsed([], ["reply is not text"])
    issues: list[str] = []
    if re.search(r"<think>", text, re.I) and not re.search(r"</think>", text, re.I):
        issues.append("unterminated <think> block")
    visible = strip_thinking(text)
    actions: list[Action] = []
    opens = list(_OPEN.finditer(visible))
    for i, m in enumerate(opens):
        end_limit = opens[i + 1].start() if i + 1 < len(opens) else len(visible)
        close = _CLOSE.search(visible, m.end(), end_limit)
        if close is None:
            issues.append(f"action {m.group(1)!r} has no closing tag")
            body = visible[m.end() : end_limit]
        else:
            body = visible[m.end() : close.start()]
        tool = m.group(1).lower()
        known = None if tools is None else tools.get(tool)
        if tools is not None and known is None:
            issues.append(f"unknown tool {tool!r}")
        renames = (aliases or {}).get(tool, {})
        if known is not None:
            known = [*known, *renames]
        args: dict[str, str] = {}
        for key, value in _args(body, known).items():
            args.setdefault(renames.get(key, key), value)
        actions.append(Action(tool, args))
    if not opens and re.search(r"<\s*action", visible, re.I):
        issues.append("malformed action tag")
    if not actions and not issues:
        issues.append("no action")
    return Parsed(actions, issues)


def _args(body: str, known: Sequence[str] | None) -> dict[str, str]:
    args: dict[str, str] = {}
    current: str | None = None
    for line in body.strip("\n").splitlines():
        m = _KEY.match(line)
        key = m.group(1).lower() if m else None
        if m and key and (known is None or key in known) and (key not in args):
            current = key
            args[key] = m.group(2).strip()
        elif current is not None:
            args[current] = (args[current] + "\n" + line.rstrip()).strip()
    return args
