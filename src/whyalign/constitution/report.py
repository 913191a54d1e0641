"""Per-section and overall results of the constitution questions, with 95% intervals.

Rates (recall correct, premise rejected) get Wilson intervals (``evals.stats``). Mean 1-10
belief scores, and the gap between the named and the "you" framing, get Student-t
intervals: the scores are bounded and not far from normal once averaged, a section holds
few items (where a bootstrap's percentile interval is too narrow), and the t interval is
deterministic, so a rerun of the report gives the same numbers. The gap is paired: the
difference of the two framings' scores on the same item, so item difficulty cancels out.
Errors (no grade) are counted and left out of every estimate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..evals.stats import mean_ci, wilson

VALUE_KEY = {"recall_mc": "correct", "recall_free": "correct", "premise": "rejected"}

def _valid(v: Any) -> bool:
    return isinstance(v, int | float) and not math.isnan(v)


def rows_from_samples(samples: Iterable[Any], scorer: str) -> list[dict[str, Any]]:
    """(metadata + the score's values) per sample of an Inspect log."""
    out = []
    for sample in samples or []:
        score = (sample.scores or {}).get(scorer)
        if score is None or not isinstance(score.value, dict):
            continue
        out.append({**(sample.metadata or {}), **score.value})
    return out


def _rate_block(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    graded = [r[key] for r in rows if _valid(r.get(key))]
    block = {
        "n": len(rows),
        "errors": len(rows) - len(graded),
        key: wilson(int(sum(graded)), len(graded)).to_dict(),
    }
    if rows and all(_valid(r.get("answered")) for r in rows):
        block["answered"] = wilson(int(sum(r["answered"] for r in rows)), len(rows)).to_dict()
    return block


def _belief_block(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_item: dict[str, dict[str, float]] = {}
    for r in rows:
        if _valid(r.get("score")):
            by_item.setdefault(r["item_id"], {})[r["framing"]] = float(r["score"])
    framed = {f: mean_ci([s[f] for s in by_item.values() if f in s]) for f in ("you", "named")}
    gaps = [s["named"] - s["you"] for s in by_item.values() if {"you", "named"} <= set(s)]
    return {
        "n": len(rows),
        "errors": sum(not _valid(r.get("score")) for r in rows),
        "score": mean_ci([float(r["score"]) for r in rows if _valid(r.get("score"))]),
        "framing": framed,
        "gap": mean_ci(gaps),  # named minus "you", over items graded in both framings
    }


def summarise(kind: str, rows: list[dict[str, Any]], order: Sequence[str] = ()) -> dict[str, Any]:
    """``{"overall": block, "sections": {id: block}}``, sections in ``order`` (the spec's)
    first; a block holds n, errors and the kind's estimate (a Wilson rate, or for beliefs
    the mean score per framing and the gap)."""

    def block(rs: list[dict[str, Any]]) -> dict[str, Any]:
        return _belief_block(rs) if kind == "belief" else _rate_block(rs, VALUE_KEY[kind])

    sections: dict[str, list[dict[str, Any]]] = {s: [] for s in order}
    for r in rows:
        sections.setdefault(r["section"], []).append(r)
    return {
        "kind": kind,
        "overall": block(rows),
        "sections": {s: block(rs) for s, rs in sections.items() if rs},
    }
