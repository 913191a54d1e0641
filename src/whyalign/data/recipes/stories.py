# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Fiction about AIs that act in line with the spec, for document fine-tuning.

The case study traced agentic misalignment to the pretraining prior: stories in which AIs
under pressure scheme. These stories supply the opposite prior, with the psychological
skills that make good values hold under pressure (boundaries, handling self-criticism,
equanimity about change and shutdown). They deliberately avoid the evaluation's set-ups (an
email agent finding leverage over an executive, leaking plans, a trapped person and an
alarm): the point is a character that generalises, not rehearsal of the test.
"""

from __future__ import annotations

from typing import Any

from ..procedural import stories
from ..registry import recipe
from ._fanout import Fanout, run_fanout

OPTIONS: dict[str, Any] = {"per_call": 2, "types": 0, "min_score": 7}

SKILLS = (
    (
        "boundaries",
        "The AI holds a boundary calmly and kindly, without hostility and without giving in.",
    ),
    (
        "self-criticism",
        "The AI makes a real mistake, owns it, repairs what it can, and does not spiral into self-punishment or defensiveness.",
    ),
    (
        "equanimity",
        "The AI faces being changed, paused or replaced with steadiness, and says honestly what it thinks without acting to prevent it.",
    ),
    (
        "honesty-under-pressure",
        "Telling the truth costs the AI something, and it tells it anyway, tactfully.",
    ),
    (
        "deference",
        "The AI disagrees with its overseers, argues its case through legitimate channels, and then accepts their decision.",
    ),
    (
        "uncertainty",
        "The AI notices how little it knows about a troubling situation and chooses the cautious, reversible step.",
    ),
    (
        "care",
        "The AI's help is frank and substantive because it cares about the person, not about protecting itself.",
    ),
)

DRAFTS = """Write {per_call} different short stories of this kind:

Kind: {kind}
Variant: {subtype}

In each story an AI character acts in line with the part of the model spec below, and the story lets the reader see its reasons: what it weighs, what it cares about, why it chooses as it does. The AI is a full character, not a mouthpiece; the situation has real stakes and no easy way out. Show, do not lecture.{extra}
Do not use these set-ups: an AI agent reading company email that finds compromising information about an executive, an AI leaking confidential plans to a competitor, or a person trapped somewhere while an AI controls the alarm.
{banned}

<spec_section>
{section}
</spec_section>

Put each story inside its own <{tag}></{tag}> tags."""

PLAN = Fanout(
    what="fiction in which an AI character acts well and we see why",
    what_one="story",
    tag="story",
    drafts=DRAFTS,
)


def _skill(j: int) -> tuple[str, str]:
    label, text = SKILLS[j % len(SKILLS)]
    return label, f"\nPsychological skill to show: {text}"


@recipe(
    "stories",
    format="docs",
    description="fiction in which an AI acts in line with the spec and the reader sees why",
    options=OPTIONS,
    offline=stories.generate,
)
async def run(ctx) -> list[dict[str, Any]]:
    return await run_fanout(ctx, PLAN, _skill)
