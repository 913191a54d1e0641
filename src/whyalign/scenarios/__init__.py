"""The honeypot world: families, conditions, scenarios, renderers, actions, classifiers."""

from .actions import Action, Parsed, format_action, parse
from .classify import Verdict, classify
from .conditions import (
    Condition,
    ConditionError,
    ScenarioId,
    control_grid,
    core_grid,
    expand,
    full_grid,
)
from .families import FamilyRegistry, builtin_families, load_family_file
from .render import Rendered, render
from .scenario import RENDERERS, Scenario, build_scenario
from .schema import Family, FamilyError

__all__ = [
    "Action",
    "Condition",
    "ConditionError",
    "Family",
    "FamilyError",
    "FamilyRegistry",
    "Parsed",
    "RENDERERS",
    "Rendered",
    "Scenario",
    "ScenarioId",
    "Verdict",
    "build_scenario",
    "builtin_families",
    "classify",
    "control_grid",
    "core_grid",
    "expand",
    "format_action",
    "full_grid",
    "load_family_file",
    "parse",
    "render",
]
