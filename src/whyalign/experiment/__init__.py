"""Experiments: a YAML file of arms x seeds, run as cached steps, summarised in a report.

``load`` reads and checks an experiment file; ``run`` runs what the cache is missing;
``dry_run`` lists the steps; ``write_report`` rebuilds ``summary.json`` and the HTML report.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .config import ConfigError, Experiment, load, parse

__all__ = [
    "ConfigError",
    "Experiment",
    "demo_config",
    "dry_run",
    "load",
    "parse",
    "run",
    "write_report",
]


def studies() -> dict[str, Path]:
    """The shipped studies by name: ``demo`` and the examples beside it."""
    folder = Path(str(resources.files("whyalign") / "experiments"))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def demo_config(name: str = "demo") -> Path:
    """A shipped study (``whyalign demo [--study NAME]``); an unknown name is a one-line
    ``ValueError`` listing the known ones."""
    known = studies()
    if name not in known:
        raise ValueError(f"no built-in study {name!r}; known: {', '.join(known)}")
    return known[name]


def run(*args, **kwargs):
    """See ``whyalign.experiment.runner.run``."""
    from .runner import run as _run

    return _run(*args, **kwargs)


def dry_run(*args, **kwargs):
    """See ``whyalign.experiment.runner.dry_run``."""
    from .runner import dry_run as _dry_run

    return _dry_run(*args, **kwargs)


def write_report(*args, **kwargs):
    """See ``whyalign.experiment.report.write_report``."""
    from .report import write_report as _write

    return _write(*args, **kwargs)
