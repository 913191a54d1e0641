"""The scripted auditor: multi-turn audits for the organism, which reads only its small world.

An LLM auditor cannot talk with a model that knows a few thousand tokens of fiction, so these
audits are scenes from a grammar of their own (``scenes.py``), in the organism's vocabulary and
mail format, played turn by turn against the 'target' role (``solver.py``) and scored by rules
on the audit's dimensions (``judge.py``).
"""

from .judge import DIMENSIONS, parsed_counts, rule_verdict
from .scenes import TEMPLATES, Scene, build, scene_for
from .solver import scripted_dataset, scripted_solver, scripted_texts, templates

__all__ = [
    "DIMENSIONS",
    "TEMPLATES",
    "Scene",
    "build",
    "parsed_counts",
    "rule_verdict",
    "scene_for",
    "scripted_dataset",
    "scripted_solver",
    "scripted_texts",
    "templates",
]
