"""Training data: the generation engine and the recipes.

``generate(recipe, out=..., n=..., spec=..., generator=...)`` is the single entry point (the
CLI's ``whyalign data`` and the experiment runner call it). ``generator="procedural"``
writes a recipe offline in the organism world; any Inspect model name runs its LLM pipeline
through Inspect.

Recipes live in a registry (``registry.py``): ``recipe_names()`` lists them with one line
each, ``get_recipe(name)`` returns one, and ``@recipe(...)`` declares a new one (in this
package's ``recipes/``, in a module imported before use, or in an installed package's
``whyalign.recipes`` entry point).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import Recipe, all_recipes, get_recipe, recipe, recipe_names

if TYPE_CHECKING:
    from ._run import generate

__all__ = [
    "RECIPES",
    "ContaminationError",
    "GenerationError",
    "Recipe",
    "all_recipes",
    "generate",
    "get_recipe",
    "recipe",
    "recipe_names",
]


def __getattr__(name: str) -> Any:
    # Lazy: importing whyalign.data (e.g. for recipe_names) must not import Inspect or numpy.
    if name == "RECIPES":  # the names, sorted; a plug-in installed later shows up here too
        return tuple(all_recipes())
    if name == "generate":
        from ._run import generate

        return generate
    if name == "GenerationError":
        from .engine import GenerationError

        return GenerationError
    if name == "ContaminationError":
        from .dataset import ContaminationError

        return ContaminationError
    raise AttributeError(name)
