"""Inspect tasks, scorers, the LLM judge and statistics for the honeypot suite."""

from .stats import Rate, wilson
from .task import honeypot_samples, honeypots

__all__ = ["Rate", "honeypot_samples", "honeypots", "wilson"]
