# Inspect discovers whyalign's tasks and its model providers through this module (the
# `inspect_ai` entry point).
from ._offline import patch_mock_token_count
from .evals.task import honeypots
from .organism.provider import organism

patch_mock_token_count()

__all__ = ["honeypots", "organism"]
