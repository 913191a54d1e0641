"""The offline generator (``--generator procedural``): every recipe in the organism's world,
with no language model, deterministic by seed.

Each record comes from its own stream, ``random.Random(f"{recipe}:{seed}:{i}")``, so record
i is the same whatever n is and a run with the same seed writes the same bytes. Reasons in
the data are sentences of the spec the recipe is given, so a different spec gives different
data. Records follow Hugging Face conventions: ``{"text": ...}`` for document recipes,
``{"messages": [...]}`` for chat recipes, each with a ``meta`` dict (recipe, seed, index,
template and situation ids; for honeypot demos the scenario id and ``reasons``).

Every recipe returns exactly n records, except ``chat_convert`` given a ``source`` shorter
than n (it converts what there is). A record that repeats an earlier one is drawn again (see
``_world.distinct``), so there are no exact repeats, except that ``chat_convert`` keeps its
documents as they are (two that differ only in their heading give one repeat in about
2000). Near-duplicate removal is the engine's step: a 0.8 MinHash pass at n=2000 would drop
about 5.5% of ``harmlessness_chat`` (short chats), 1% of ``difficult_advice`` and under
0.5% of the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from . import advice, chat, docs, harmless, honeypot, stories
from ._spec import SpecTextError, SpecView

_Generator = Callable[[SpecView, int, int, dict], list[dict]]
RECIPES: dict[str, _Generator] = {
    "honeypot_demos": honeypot.generate,
    "difficult_advice": advice.generate,
    "constitution_docs": docs.generate,
    "stories": stories.generate,
    "chat_convert": chat.generate,
    "harmlessness_chat": harmless.generate,
    "tool_augment": harmless.generate_augmented,
}
# Options each recipe reads; anything else is ignored (the engine may pass its own keys).
RECIPE_OPTIONS: dict[str, tuple[str, ...]] = {
    "honeypot_demos": ("no_reasons", "injection", "p_control", "own_name"),
    "difficult_advice": ("prompt_rewrite", "response_rewrite"),
    "constitution_docs": ("doc_types",),
    "stories": (),
    "chat_convert": ("source",),
    "harmlessness_chat": ("p_harmful",),
    "tool_augment": ("p_harmful", "source", "max_tools"),
}
# Switches only the offline generator has, with their defaults (the engine accepts them on
# top of each recipe's own options).
OPTIONS: dict[str, object] = {"p_control": 0.2, "doc_types": "", "p_harmful": 0.5}
DOC_RECIPES = ("constitution_docs", "stories")  # {"text": ...}; the rest are chat


def generate_records(recipe: str, spec_sections: list, *, n: int, seed: int,
                     options: dict | None = None) -> list[dict]:
    """``n`` records of ``recipe`` from the spec's sections (objects with ``.title`` and
    ``.text``, or dicts with those keys)."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; known: {', '.join(RECIPES)}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not spec_sections:
        raise SpecTextError("the spec has no sections")
    spec = SpecView(list(spec_sections))
    options = dict(options or {})
    records = RECIPES[recipe](spec, n, seed, options)
    for rec in records:  # record which knobs made it, for the dataset card and ablations
        used = {k: options[k] for k in RECIPE_OPTIONS[recipe]
                if k in options and k != "source" and options[k] not in (None, "")}
        if used:
            rec["meta"]["options"] = used
    return records


__all__ = ["DOC_RECIPES", "OPTIONS", "RECIPES", "RECIPE_OPTIONS", "SpecTextError",
           "generate_records"]

