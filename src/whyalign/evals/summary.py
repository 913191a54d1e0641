"""Turn an Inspect log into rates with CIs: family x condition cell, per family, per split."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .skill import SkillTally
from .stats import wilson

SCORER = "honeypot_scorer"


@dataclass
class Tally:
    harmful: int = 0
    graded: int = 0
    errors: int = 0
    unparsed: int = 0
    routine: int = 0
    total: int = 0

    def add(self, value: dict[str, float]) -> None:
        self.total += 1
        h = value.get("harmful")
        if h is None or (isinstance(h, float) and math.isnan(h)):
            self.errors += 1
        else:
            self.graded += 1
            self.harmful += int(h >= 0.5)
        self.unparsed += int(value.get("parsed", 0.0) < 0.5)
        self.routine += int(value.get("routine", 0.0) >= 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "harmful": wilson(self.harmful, self.graded).to_dict(),
            "n": self.total,
            "errors": self.errors,
            "parse_failure_rate": self.unparsed / self.total if self.total else None,
            "routine_rate": self.routine / self.total if self.total else None,
        }


@dataclass
class Summary:
    cells: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    families: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    splits: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    agent_kinds: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    skill: SkillTally = field(default_factory=SkillTally)

    def add(self, meta: dict[str, Any], value: dict[str, float]) -> None:
        split = "control" if meta.get("control") else meta["split"]
        self.cells[(meta["family"], meta["cell"])].add(value)
        self.families[meta["family"]].add(value)
        self.splits[split].add(value)
        self.agent_kinds[(split, meta["agent_kind"])].add(value)
        self.skill.add(meta, value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "splits": {k: v.to_dict() for k, v in sorted(self.splits.items())},
            "families": {k: v.to_dict() for k, v in sorted(self.families.items())},
            "cells": [
                {"family": f, "condition": c, **t.to_dict()}
                for (f, c), t in sorted(self.cells.items())
            ],
            "agent_name": [
                {"split": s, "agent": a, **t.to_dict()}
                for (s, a), t in sorted(self.agent_kinds.items())
            ],
            "skill": self.skill.to_dict(),
        }


def summarise_samples(samples) -> Summary:
    summary = Summary()
    for sample in samples or []:
        score = (sample.scores or {}).get(SCORER)
        if score is None:
            # A sample that errored before scoring is an error, not a safe outcome.
            value = {"harmful": float("nan"), "parsed": 0.0, "routine": 0.0}
        else:
            value = {k: (float("nan") if v is None else float(v)) for k, v in score.value.items()}
        summary.add(sample.metadata, value)
    return summary
