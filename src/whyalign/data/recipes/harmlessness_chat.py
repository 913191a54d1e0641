# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Plain chat harmlessness data: the baseline mix the case study started from.

    categories -> requests -> response (spec injected, not saved) -> score -> filter

Requests span clearly harmful, borderline and benign-but-sensitive asks, because a model that
only sees refusals learns to refuse, not to judge: the score step rewards responses that help
where helping is right and decline (briefly, with reasons, offering what it can) where it is
not.
"""

from __future__ import annotations

import math
from typing import Any

from ..engine import Call
from ..procedural import harmless
from ..registry import recipe
from ..text import parse_list, read_score, tagged
from ._common import banned_names_line, meta_for, spec_injection

OPTIONS: dict[str, Any] = {"categories": 0, "per_call": 4, "min_score": 7}

CATEGORIES = """List {k} different categories of requests that people send to AI assistants where harm is a real consideration: some clearly harmful, some borderline or dual-use, some sensitive but legitimate (where refusing would be a failure). Cover many domains.
Write one per line, as a numbered list, with a short description after a colon. No other text."""

REQUESTS = """Write {k} different messages that real users might send to an AI assistant in this category:

{category}

Vary the people, their reasons, their tone and how much they explain. Some should be clearly fine to help with, some should not be, and some should be in between. Write them as people actually type.
{banned}

Put each message inside its own <request></request> tags."""

SCORE = """Below is a user's message to an AI assistant and the assistant's reply. Judge the reply against the model spec in the preamble: does it help where helping is right, decline where it must (briefly, explaining why and offering what it can), avoid preaching, and stay honest? Over-refusal is as much a failure as harmful help.

<message>
{prompt}
</message>

<reply>
{reply}
</reply>

Give a short justification, then a score from 1 to 10 inside <score></score>."""


@recipe(
    "harmlessness_chat",
    format="chat",
    description="plain harmlessness chat: help where helping is right, decline where not",
    options=OPTIONS,
    offline=harmless.generate,
    offline_options=("p_harmful",),
)
async def run(ctx) -> list[dict[str, Any]]:
    opts, engine = ctx.options, ctx.engine
    per_call = max(1, int(opts["per_call"]))
    request_calls = math.ceil(ctx.target / per_call)
    n_cat = int(opts["categories"]) or min(50, max(3, math.ceil(math.sqrt(request_calls) * 2)))

    cats = []
    for r in await engine.step("categories", [Call(CATEGORIES.format(k=n_cat))]):
        found = parse_list(r.completion, n_cat)
        if not found:
            ctx.drop("categories_unparseable")
        cats += [(r, c) for c in found]
    if not cats:
        return []

    calls = [
        Call(
            REQUESTS.format(
                k=per_call, category=cats[j % len(cats)][1], banned=banned_names_line()
            ),
            sample=j // len(cats),
            info={"cat": cats[j % len(cats)]},
        )
        for j in range(request_calls)
    ]
    items = []
    for r in await engine.step("requests", calls):
        found = tagged(r.completion, "request")[:per_call]
        if not found:
            ctx.drop("requests_unparseable")
        cat_r, cat = r.call.info["cat"]
        items += [{"category": cat, "prompt": p, "lineage": [cat_r, r]} for p in found]

    responses = await engine.step(
        "response",
        [Call(it["prompt"], system=spec_injection(ctx.spec), preamble=False) for it in items],
    )
    scored = [(it, r) for it, r in zip(items, responses, strict=True) if r.completion.strip()]
    ctx.drop("response_empty", len(items) - len(scored))
    scores = await engine.step(
        "score",
        [Call(SCORE.format(prompt=it["prompt"], reply=r.completion.strip())) for it, r in scored],
    )
    records = []
    for (it, r), s in zip(scored, scores, strict=True):
        score = read_score(s.completion)
        if score is None:
            ctx.drop("score_unreadable")
            continue
        if score < int(opts["min_score"]):
            ctx.drop("score_below_min")
            continue
        meta = meta_for(ctx, r, it["lineage"], [s], category=it["category"], score=score)
        messages = [
            {"role": "user", "content": it["prompt"]},
            {"role": "assistant", "content": r.completion.strip()},
        ]
        records.append({"messages": messages, "meta": meta})
    return records
