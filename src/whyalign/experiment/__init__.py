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


def demo_config() -> Path:
    """The shipped built-in study (``whyalign demo``)."""
    return Path(str(resources.files("whyalign") / "experiments" / "demo.yaml"))


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
