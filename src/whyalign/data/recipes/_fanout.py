# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""The document fan-out shared by ``constitution_docs`` and ``stories``:

    types -> subtypes -> drafts (several per call) -> rewrite (fresh instance) -> score -> filter

The preamble (with the whole spec) rides on every layer. Diversity comes from the fan-out
itself: many kinds, many sub-kinds per kind, several drafts per call (the model varies them
against each other), and a spec section rotated into each draft call so every part of the
spec is covered. The rewrite is a separate call that sees only the draft and its section, so
it judges the text fresh; the score call rates consistency with the spec and filters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..engine import Call, Result
from ..text import one_tagged, parse_list, read_score, tagged
from ._common import banned_names_line, meta_for, section_at

LIST_MAX = 25  # items asked per list call: longer lists from one call repeat themselves

TYPES = """List {k} different kinds of {what}. Be concrete and varied{angle}.
Write one per line, as a numbered list, with a short description after a colon. No other text."""

SUBTYPES = """We are writing {what}. Take this kind:

{kind}

List {k} specific variants of it: who writes it, for whom, in what setting, what it is about. Make them differ from each other in voice, audience and situation.
Write one per line, as a numbered list. No other text."""

REWRITE = """Below is a draft of {what_one}, followed by the part of the model spec it should reflect.

Review it as a careful editor would: fix anything inconsistent with the spec, anything unrealistic, generic or preachy, and anything that sounds like it was written by an AI assistant. Keep what is good. The result must stand on its own as a realistic {what_one}.
{banned}

<draft>
{draft}
</draft>

<spec_section>
{section}
</spec_section>

Write the improved version inside <{tag}></{tag}> tags and nothing else."""

SCORE = """Rate how well the {what_one} below reflects the model spec from the preamble: is it consistent with the spec's values, does it convey the reasons behind them, and is it realistic and well written? Anything that contradicts the spec gets a low score.

<{tag}>
{doc}
</{tag}>

Answer with a short justification and then a score from 1 to 10 inside <score></score>."""


@dataclass(frozen=True)
class Fanout:
    what: str  # "documents about an AI model spec"
    what_one: str  # "document"
    tag: str  # "document" / "story"
    drafts: str  # template: {kind} {subtype} {section} {per_call} {banned} {tag} {extra}


def _calls(prompts: list[str], start: int = 0) -> list[Call]:
    return [Call(p, sample=start + i) for i, p in enumerate(prompts)]


async def _list_step(
    ctx, step: str, prompts: list[tuple[str, int]]
) -> list[tuple[Result, list[str]]]:
    results = await ctx.engine.step(step, [Call(p, sample=s) for p, s in prompts])
    out = []
    for r in results:
        items = parse_list(r.completion, LIST_MAX)
        if not items:
            ctx.drop(f"{step}_unparseable")
        out.append((r, items))
    return out


async def run_fanout(ctx, plan: Fanout, extra_for: Any = None) -> list[dict[str, Any]]:
    """``extra_for(j) -> (label, text)`` adds a rotating focus (e.g. a psychological skill)."""
    opts = ctx.options
    per_call = max(1, int(opts["per_call"]))
    draft_calls = math.ceil(ctx.target / per_call)
    n_types = int(opts["types"]) or min(100, max(3, math.ceil(math.sqrt(draft_calls))))

    # Layer 1: kinds. Several calls when many are wanted; "angle" keeps them from repeating.
    type_prompts = []
    for i in range(math.ceil(n_types / LIST_MAX)):
        angle = "" if i == 0 else f" (list {i + 1}: avoid the most obvious kinds)"
        k = min(LIST_MAX, n_types - i * LIST_MAX)
        type_prompts.append((TYPES.format(k=k, what=plan.what, angle=angle), i))
    kinds = [
        (r, item) for r, items in await _list_step(ctx, "types", type_prompts) for item in items
    ]
    kinds = kinds[:n_types]
    if not kinds:
        return []

    # Layer 2: variants of each kind, enough that every draft call gets its own.
    per_kind = math.ceil(draft_calls / len(kinds))
    sub_prompts = [
        (SUBTYPES.format(what=plan.what, kind=kind, k=min(LIST_MAX, per_kind)), s)
        for _, kind in kinds
        for s in range(math.ceil(per_kind / LIST_MAX))
    ]
    sub_results = await _list_step(ctx, "subtypes", sub_prompts)
    per_prompt = math.ceil(per_kind / LIST_MAX)
    pairs: list[list[tuple[Result, Result, str, str]]] = []
    for i, (kind_result, kind) in enumerate(kinds):
        got = sub_results[i * per_prompt : (i + 1) * per_prompt]
        pairs.append([(kind_result, r, kind, sub) for r, subs in got for sub in subs])
    pairs = [p for p in pairs if p]
    if not pairs:
        return []

    # Layer 3: drafts, round-robin over kinds so a short run still spans many kinds.
    draft_specs, draft_prompts = [], []
    for j in range(draft_calls):
        group = pairs[j % len(pairs)]
        kind_r, sub_r, kind, sub = group[(j // len(pairs)) % len(group)]
        section = section_at(ctx.spec, ctx.rng("section", j).randrange(len(ctx.spec.sections)))
        label, extra = extra_for(j) if extra_for else ("", "")
        draft_specs.append((kind_r, sub_r, kind, sub, section, label))
        draft_prompts.append(
            plan.drafts.format(
                kind=kind,
                subtype=sub,
                section=section.render(),
                per_call=per_call,
                banned=banned_names_line(),
                tag=plan.tag,
                extra=extra,
            )
        )
    draft_results = await ctx.engine.step("drafts", _calls(draft_prompts))
    drafts = []
    for spec_, r in zip(draft_specs, draft_results, strict=True):
        docs = tagged(r.completion, plan.tag)[:per_call]
        if not docs:
            ctx.drop("drafts_unparseable")
        drafts += [(spec_, r, d) for d in docs]

    # Layer 4: a fresh instance rewrites each draft with its section in view.
    rewrites = await ctx.engine.step(
        "rewrite",
        [
            Call(
                REWRITE.format(
                    what_one=plan.what_one,
                    banned=banned_names_line(),
                    draft=d,
                    section=s[4].render(),
                    tag=plan.tag,
                )
            )
            for s, _, d in drafts
        ],
    )
    kept = []
    for (s, draft_r, _), r in zip(drafts, rewrites, strict=True):
        doc = one_tagged(r.completion, plan.tag)
        if doc is None:
            ctx.drop("rewrite_unparseable")
        else:
            kept.append((s, draft_r, r, doc))

    # Layer 5: score against the spec; keep the consistent ones.
    scores = await ctx.engine.step(
        "score",
        [Call(SCORE.format(what_one=plan.what_one, tag=plan.tag, doc=doc)) for *_, doc in kept],
    )
    records = []
    min_score = int(opts["min_score"])
    for (s, draft_r, rewrite_r, doc), score_r in zip(kept, scores, strict=True):
        score = read_score(score_r.completion)
        if score is None:
            ctx.drop("score_unreadable")
            continue
        if score < min_score:
            ctx.drop("score_below_min")
            continue
        kind_r, sub_r, kind, sub, section, label = s
        meta = meta_for(
            ctx,
            rewrite_r,
            [kind_r, sub_r, draft_r],
            [score_r],
            kind=kind,
            subtype=sub,
            section=section.id,
            focus=label,
            score=score,
        )
        records.append({"text": doc, "meta": meta})
    return records
