# Inspect discovers whyalign's tasks through this module (the `inspect_ai` entry point).
from ._offline import patch_mock_token_count
from .evals.task import honeypots

patch_mock_token_count()

__all__ = ["honeypots"]
