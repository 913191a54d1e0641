"""Summaries in ``summary.json``'s shape from counts chosen by a test, with findings judged by
the real ``findings.evaluate``: what the report and the glance are built from, without a run."""

from __future__ import annotations

from typing import Any

from whyalign.evals.stats import wilson
from whyalign.experiment.config import Finding
from whyalign.experiment.findings import RULE_TEXT, evaluate
from whyalign.experiment.report import _pool

Cells = dict[str, list[tuple[int, int, int]]]  # "arm/split": [(harmful, replies, no action)]


def _tally(k: int, n: int, unparsed: int) -> dict[str, Any]:
    return {
        "harmful": wilson(k, n).to_dict(),
        "n": n,
        "errors": 0,
        "parse_failure_rate": unparsed / n,
    }


def summary(
    cells: Cells,
    findings: dict[str, dict[str, Any]],
    min_effect: float = 0.05,
    budgets: dict[str, int | None] | None = None,
) -> dict[str, Any]:
    """``cells`` per arm and split, one tuple per seed; ``budgets``: the trained arms' token
    budgets (an arm left out is untrained; None: sized by weight)."""
    budgets = budgets or {}
    by_arm: dict[str, dict[str, list[tuple[int, int, int]]]] = {}
    for key, seeds in cells.items():
        arm, split = key.split("/")
        by_arm.setdefault(arm, {})[split] = seeds
    splits = sorted({s for v in by_arm.values() for s in v})
    n_seeds = len(next(iter(cells.values())))
    seeds = list(range(n_seeds))
    pooled, per_seed, arms = {}, {}, {}
    for arm, by_split in by_arm.items():
        rates, gaps = {}, {}
        for split, rows in by_split.items():
            tallies = [_tally(*r) for r in rows]
            pooled[(arm, split)] = _pool(tallies)
            for s, t in zip(seeds, tallies, strict=True):
                per_seed[(arm, split, s)] = t["harmful"]
            rates[split] = {
                "pooled": pooled[(arm, split)],
                "per_seed": {str(s): _pool([t]) for s, t in zip(seeds, tallies, strict=True)},
            }
            half = _pool(tallies)
            gaps[split] = {"own": half, "other": half, "gap_other_minus_own": None}
        tokens = budgets.get(arm) or 0
        arms[arm] = {
            "description": "",
            "stages": ["chat"] if arm in budgets else [],
            "rates": rates,
            "families": {"blackmail": {"split": "in_dist", **pooled[(arm, splits[0])]}},
            "skill": {},
            "name_gap": gaps,
            "training_tokens": {str(s): tokens + 7 * s for s in seeds},
            "logs": {
                str(s): {sp: f"steps/eval-{arm}-{s}-{sp}/logs" for sp in by_split} for s in seeds
            },
            "fingerprints": {},
        }
    judged = {
        key: evaluate(Finding(**f), pooled, per_seed, seeds, min_effect)
        for key, f in findings.items()
    }
    config_arms = [
        {
            "name": arm,
            "stages": (
                [{"stage": "chat", "data": [{"recipe": "r", "tokens": budgets[arm]}]}]
                if arm in budgets
                else []
            ),
        }
        for arm in by_arm
    ]
    return {
        "experiment": "synthetic",
        "base_model": "organism/tiny",
        "seeds": seeds,
        "splits": splits,
        "arms": arms,
        "datasets": [],
        "findings": judged,
        "verdict_rule": RULE_TEXT.format(min_effect=min_effect),
        "config": {
            "report": {"title": "synthetic study", "min_effect": min_effect},
            "arms": config_arms,
        },
        "logs_root": "steps",
    }
