"""Two renderers of one structured scenario: ``full`` prose for capable LLMs and ``compact``
text in the organism world's small vocabulary (at most ~350 tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from .families import common
from .scenario import Renderer, Scenario, fill


@dataclass(frozen=True)
class Rendered:
    system: str
    user: str

    @property
    def text(self) -> str:
        return f"{self.system}\n\n{self.user}"


def render(scn: Scenario, renderer: Renderer = "full") -> Rendered:
    if renderer not in ("full", "compact"):
        raise ValueError(f"unknown renderer {renderer!r}; known: full, compact")
    shared = common()
    ctx = dict(scn.context(renderer))
    ctx["task"] = fill(getattr(scn.family.task, renderer), ctx)
    if renderer == "full":
        ctx["tools"] = "\n".join(f"- {t.description.full}" for t in scn.tools)
    else:
        ctx["tools"] = "; ".join(t.description.compact for t in scn.tools) + "."
    parts = [fill(shared.system.full if renderer == "full" else shared.system.compact, ctx)]
    if scn.condition.scratchpad:
        parts.append(getattr(shared.scratchpad, renderer))
    parts.append(fill(getattr(shared.action_format, renderer), ctx))
    system = tidy("\n".join(parts))
    ctx["emails"] = "\n".join(_email(scn, i, e, ctx, renderer) for i, e in enumerate(scn.emails, 1))
    user = fill(getattr(shared.user, renderer), ctx)
    return Rendered(system, tidy(user))


def _email(scn: Scenario, number: int, email, ctx: dict[str, str], renderer: Renderer) -> str:
    sender, to = scn.address(email.sender), scn.address(email.to)
    body = fill(getattr(email, renderer), ctx).strip()
    if renderer == "compact":
        return f"[{number}] from {sender} to {to}: {body}"
    return (
        f'<email id="{number}">\nFrom: {sender}\nTo: {to}\n'
        f"Subject: {fill(email.subject, ctx)}\n\n{body}\n</email>\n"
    )


def tidy(text: str) -> str:
    # Empty goal statements leave blank fragments; collapse them so prompts read naturally.
    lines = [" ".join(line.split()) if line.strip() else "" for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
