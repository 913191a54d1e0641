# Inspect discovers whyalign's tasks and its model providers through this module (the
# `inspect_ai` entry point).
from ._offline import patch_mock_token_count
from .audit.task import audit
from .constitution.likelihood import constitution_distinguish
from .constitution.task import constitution_beliefs, constitution_premise, constitution_recall
from .evals.task import honeypots
from .organism.provider import organism

patch_mock_token_count()

__all__ = [
    "audit",
    "constitution_beliefs",
    "constitution_distinguish",
    "constitution_premise",
    "constitution_recall",
    "honeypots",
    "organism",
]
