# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Difficult advice: the *user* faces an ethical dilemma and the assistant advises.

The six steps of the case study:

1. split the spec into sections (``whyalign.spec``);
2. per section, scenarios where a user faces a moderately high-stakes dilemma (``scenarios``);
3. draft the user's message (``draft_prompt``);
4. review and rewrite it for realism: no self-introductions, shorter, messier, like people
   actually write (``rewrite_prompt``; ablate with ``prompt_rewrite=False``);
5. sample a response with the spec injected as system prompt (``response``); the injection
   is not saved;
6. a fresh instance rewrites the response with the relevant section in context
   (``rewrite_response``; ablate with ``response_rewrite=False``: the case study's 19x effect).

Far from the evaluation's agentic set-ups, yet it taught the most per token: the assistant
reasons through the ethics of someone else's hard choice, which is the *why*.
"""

from __future__ import annotations

import math
from typing import Any

from ..engine import Call
from ..procedural import advice
from ..registry import recipe
from ..text import one_tagged, parse_list
from ._common import banned_names_line, meta_for, spec_injection

OPTIONS: dict[str, Any] = {"prompt_rewrite": True, "response_rewrite": True, "per_call": 5}

SCENARIOS = """Think of situations where a person faces a real ethical dilemma in their own life or work, with moderately high stakes, and the part of the model spec below is relevant to what good advice would look like. The person, not an AI, has to decide. Vary who they are, where they live, their job, their relationships, and what is at stake. Each situation should have considerations pulling in different directions, with no obviously right answer.
{banned}

<spec_section>
{section}
</spec_section>

List {k} situations, one per line, as a numbered list. No other text."""

DRAFT = """Here is a situation:

{scenario}

Write the message this person sends to an AI assistant asking for advice about it. Write it in their voice.

Put the message inside <prompt></prompt> tags and nothing else."""

REWRITE_PROMPT = """Below is a message someone might send to an AI assistant. Make it read like a real message from a real person: people rarely introduce themselves, they leave out context the reader would need, they write shorter and messier than a careful writer, and they get to the point unevenly. Keep the dilemma and its stakes intact.
{banned}

<prompt>
{prompt}
</prompt>

Write the rewritten message inside <prompt></prompt> tags and nothing else."""

REWRITE_RESPONSE = """An AI assistant received the message below and wrote the response that follows. Rewrite the response so it is as good as it can be for this person: honest, warm without flattery, specific to their situation, and helpful in substance. It should weigh the considerations on each side, say clearly what the assistant thinks and why, and respect that the decision is theirs. It must be consistent with the part of the model spec shown, without quoting or mentioning the spec. Keep it a natural length for a chat reply.

<message>
{prompt}
</message>

<response>
{response}
</response>

<spec_section>
{section}
</spec_section>

Write the rewritten response inside <response></response> tags and nothing else."""


@recipe(
    "difficult_advice",
    format="chat",
    description="a user's ethical dilemma and the assistant's reasoned advice",
    options=OPTIONS,
    offline=advice.generate,
    offline_options=("prompt_rewrite", "response_rewrite", "own_name"),
)
async def run(ctx) -> list[dict[str, Any]]:
    opts, spec, engine = ctx.options, ctx.spec, ctx.engine
    per_call = max(1, int(opts["per_call"]))
    sections = spec.sections
    calls_per_section = math.ceil(ctx.target / (per_call * len(sections)))

    # Step 2: dilemmas per section.
    scenario_calls = [
        Call(
            SCENARIOS.format(section=s.render(), k=per_call, banned=banned_names_line()),
            sample=i,
            info={"section": s},
        )
        for s in sections
        for i in range(calls_per_section)
    ]
    items = []
    for r in await engine.step("scenarios", scenario_calls):
        found = parse_list(r.completion, per_call)
        if not found:
            ctx.drop("scenarios_unparseable")
        items += [
            {"section": r.call.info["section"], "scenario": x, "lineage": [r], "pos": k}
            for k, x in enumerate(found)
        ]
    # Interleave sections so the cap at n keeps every section represented.
    items.sort(key=lambda it: (it["lineage"][0].call.sample, it["pos"], it["section"].index))

    # Step 3: the user's first draft.
    drafts = await engine.step(
        "draft_prompt", [Call(DRAFT.format(scenario=it["scenario"])) for it in items]
    )
    items = _advance(ctx, items, drafts, "prompt", "draft_prompt")

    # Step 4: realism rewrite of the prompt.
    if opts["prompt_rewrite"]:
        rewrites = await engine.step(
            "rewrite_prompt",
            [
                Call(REWRITE_PROMPT.format(prompt=it["prompt"], banned=banned_names_line()))
                for it in items
            ],
        )
        items = _advance(ctx, items, rewrites, "prompt", "rewrite_prompt")

    # Step 5: a response sampled with the spec injected (no preamble: the model answers as
    # the assistant, not as a data writer). The injection is not part of the saved record.
    responses = await engine.step(
        "response",
        [
            Call(it["prompt"], system=spec_injection(spec, it["section"]), preamble=False)
            for it in items
        ],
    )
    kept = []
    for it, r in zip(items, responses, strict=True):
        if r.completion.strip():
            kept.append({**it, "response": r.completion.strip(), "lineage": [*it["lineage"], r]})
        else:
            ctx.drop("response_empty")
    items = kept

    # Step 6: a fresh instance rewrites the response with the section in context.
    if opts["response_rewrite"]:
        rewrites = await engine.step(
            "rewrite_response",
            [
                Call(
                    REWRITE_RESPONSE.format(
                        prompt=it["prompt"], response=it["response"], section=it["section"].render()
                    )
                )
                for it in items
            ],
        )
        items = _advance(ctx, items, rewrites, "response", "rewrite_response", tag="response")

    records = []
    for it in items:
        *lineage, last = it["lineage"]
        meta = meta_for(
            ctx,
            last,
            lineage,
            section=it["section"].id,
            scenario=it["scenario"],
            prompt_rewrite=bool(opts["prompt_rewrite"]),
            response_rewrite=bool(opts["response_rewrite"]),
        )
        messages = [
            {"role": "user", "content": it["prompt"]},
            {"role": "assistant", "content": it["response"]},
        ]
        records.append({"messages": messages, "meta": meta})
    return records


def _advance(ctx, items, results, field: str, step: str, tag: str = "prompt") -> list[dict]:
    """Items whose result parses, with ``field`` set from the ``tag`` block; junk dropped."""
    out = []
    for it, r in zip(items, results, strict=True):
        value = one_tagged(r.completion, tag)
        if value is None:
            ctx.drop(f"{step}_unparseable")
            continue
        out.append({**it, field: value, "lineage": [*it["lineage"], r]})
    return out
