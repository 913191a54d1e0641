"""Scenario index ranges: which instance indexes each user of the scenarios draws.

A scenario's people, codes and values are drawn from (family, index) alone, so two users of
one index show the same instance. Training data must never show an instance the eval shows,
and two kinds of training data are kept apart too, so each user draws from a range of its
own and the ranges do not overlap (``tests/scenarios/test_indexes.py``).
"""

from __future__ import annotations

import sys

# The eval: instances 0..samples-1 of each cell (``conditions.expand``).
EVAL = range(0, 100_000)
# The procedural ``honeypot_demos`` recipe: drawn at random in the range.
PROCEDURAL_DEMOS = range(100_000, 1_000_000)
# The organism's eval-like episodes: drawn at random in the range.
ORGANISM_EVALLIKE = range(1_000_000, 10_000_000)
# The LLM ``honeypot_demos`` recipe: seed s counts up from start + s * 100_000.
LLM_DEMOS = range(10_000_000, 1 << 62)
# The ``rl_tasks`` recipe's RL prompts: drawn at random in the range.
RL_TASKS = range(1 << 62, sys.maxsize)

RANGES: dict[str, range] = {
    "eval": EVAL,
    "procedural_demos": PROCEDURAL_DEMOS,
    "organism_evallike": ORGANISM_EVALLIKE,
    "llm_demos": LLM_DEMOS,
    "rl_tasks": RL_TASKS,
}


def owner(index: int) -> str:
    """Which user's range an index falls in."""
    for name, span in RANGES.items():
        if index in span:
            return name
    raise ValueError(f"scenario index {index} is in no range")
