"""Inspect tasks, scorers, the LLM judge and statistics for the honeypot suite.

Names load lazily: importing ``whyalign.evals.config`` (the CLI, an experiment file) must not
import Inspect's task machinery."""

from importlib import import_module
from typing import Any

_WHERE = {
    "EvalConfig": "config",
    "Rate": "stats",
    "wilson": "stats",
    "honeypot_samples": "task",
    "honeypots": "task",
    "honeypots_task": "task",
    "run_eval": "run",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = sorted(_WHERE)
