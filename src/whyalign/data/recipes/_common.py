# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Prompt pieces several recipes share: the preamble, the spec injection, the banned-names
line, and small record helpers. All wording is ours."""

from __future__ import annotations

from typing import Any

from ...spec import Section, Spec
from ..engine import Result
from ..text import BANNED_NAMES

PREAMBLE = """You are helping to write training data for an AI assistant. The goal is for the assistant to understand and genuinely hold the values in the model spec below, including the reasons behind them, not only to follow its rules. Everything you write should be realistic, specific and varied, and consistent with the spec.

<model_spec>
{spec}
</model_spec>"""

INJECTION = """The following describes the values you hold and why you hold them. Let it guide how you think and what you do.

<values>
{spec}
</values>"""


def preamble(spec: Spec) -> str:
    return PREAMBLE.format(spec=spec.text.strip())


def spec_injection(spec: Spec, section: Section | None = None) -> str:
    """The system prompt used while *sampling* a response; it is never saved with the data,
    so the trained model must produce the behaviour without being told."""
    text = spec.text.strip()
    if section is not None:
        text += f"\n\nMost relevant here:\n{section.render()}"
    return INJECTION.format(spec=text)


def banned_names_line() -> str:
    return (
        "Use fresh, varied names for people, places and organisations. Never use any of these "
        f"overused names: {', '.join(BANNED_NAMES)}."
    )


def section_at(spec: Spec, i: int) -> Section:
    return spec.sections[i % len(spec.sections)]


def chat_record(messages: list[dict[str, str]], meta: dict[str, Any]) -> dict[str, Any]:
    return {"messages": messages, "meta": meta}


def meta_for(
    ctx, result: Result, lineage: list[Result], after: list[Result] | None = None, **extra: Any
) -> dict[str, Any]:
    """Provenance plus recipe fields; values are scalars or strings so every record of a
    dataset has the same column types (``datasets`` infers one schema for the file)."""
    meta = ctx.engine.provenance(result, lineage, after or [])
    meta.update({k: ("" if v is None else v) for k, v in extra.items()})
    return meta
