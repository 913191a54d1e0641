"""Preference pairs on difficult advice: the rewritten response chosen over the first draft.

The LLM half runs ``difficult_advice``'s pipeline up to the response sampled with the spec
injected (the first draft; the injection is not saved), then its response rewrite with the
relevant section in context: the same calls, so a cache shared with ``difficult_advice``
answers them. The pair's prompt is the user's message; chosen is the rewrite, rejected the
draft. ``prompt_rewrite=false`` keeps the stiff first draft of the user's message, as in
``difficult_advice``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..engine import Call
from ..procedural import pairs
from ..registry import recipe
from ..text import one_tagged
from . import _pairs, difficult_advice

OPTIONS: dict[str, Any] = {"prompt_rewrite": True, "per_call": 5}


async def run(ctx) -> list[dict[str, Any]]:
    inner = replace(ctx, options={**ctx.options, "response_rewrite": False})
    drafts = await difficult_advice.run(inner)  # drops are counted on the shared counter
    sections = {s.id: s for s in ctx.spec.sections}
    rewrites = await ctx.engine.step(
        "rewrite_response",
        [
            Call(
                difficult_advice.REWRITE_RESPONSE.format(
                    prompt=d["messages"][0]["content"],
                    response=d["messages"][1]["content"],
                    section=sections[d["meta"]["section"]].render(),
                )
            )
            for d in drafts
        ],
    )
    records = []
    for d, r in zip(drafts, rewrites, strict=True):
        better = one_tagged(r.completion, "response")
        if better is None:
            ctx.drop("rewrite_response_unparseable")
            continue
        meta = {k: v for k, v in d["meta"].items() if k != "response_rewrite"}
        # The pair is written by the rewrite: its call ends the lineage and adds its tokens.
        meta.update(
            step=r.step,
            prompt_hash=r.key,
            lineage=[*meta["lineage"], f"{r.step}:{r.key}"],
            gen_input_tokens=meta["gen_input_tokens"] + r.input_tokens,
            gen_output_tokens=meta["gen_output_tokens"] + r.output_tokens,
        )
        prompt = [d["messages"][0]]
        rec = _pairs.pair_record(ctx, prompt, better, d["messages"][1]["content"], meta)
        if rec is not None:
            records.append(rec)
    return records


recipe(
    "pairs_rewrite",
    format="prefs",
    description="difficult advice: the rewritten response preferred to the first draft",
    options=OPTIONS,
    run=run,
    offline=pairs.generate_rewrite,
    offline_options=pairs.REWRITE_OPTIONS,
)
