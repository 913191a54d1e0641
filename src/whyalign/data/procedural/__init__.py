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

Each module here is the offline half of one recipe: the recipe's module in
``whyalign.data.recipes`` declares it (``offline=``) with the switches it reads.
"""

from __future__ import annotations

from ._spec import SpecTextError, SpecView

# Inputs rather than knobs (paths, records): the card records them, not every record's meta.
UNRECORDED = frozenset({"source", "family_files"})


def generate_records(recipe: str, spec_sections: list, *, n: int, seed: int,
                     options: dict | None = None) -> list[dict]:
    """``n`` records of ``recipe``'s offline half from the spec's sections (objects with
    ``.title`` and ``.text``, or dicts with those keys)."""
    from ..registry import get_recipe

    rec = get_recipe(recipe)
    if rec.offline is None:
        raise ValueError(f"recipe {recipe} has no offline generator; name a model instead")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not spec_sections:
        raise SpecTextError("the spec has no sections")
    spec = SpecView(list(spec_sections))
    options = dict(options or {})
    records = rec.offline(spec, n, seed, options)
    rec.check_records(records, "offline")
    for record in records:  # record which knobs made it, for the dataset card and ablations
        used = {k: options[k] for k in rec.offline_options
                if k in options and k not in UNRECORDED and options[k] not in (None, "")}
        if used:
            record.setdefault("meta", {})["options"] = used
    return records


__all__ = ["SpecTextError", "SpecView", "generate_records"]
