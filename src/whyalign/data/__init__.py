"""Training data: the generation engine and one recipe per technique of the case study.

``generate(recipe, out=..., n=..., spec=..., generator=...)`` is the single entry point (the
CLI's ``whyalign data`` and the experiment runner call it). ``generator="procedural"``
writes every recipe offline in the organism world; any Inspect model name runs the LLM
pipelines through Inspect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .recipes import RECIPES

if TYPE_CHECKING:
    from ._run import generate

__all__ = ["RECIPES", "ContaminationError", "GenerationError", "generate"]


def __getattr__(name: str) -> Any:
    # Lazy: importing whyalign.data (e.g. for RECIPES) must not import Inspect or numpy.
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
