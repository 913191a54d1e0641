"""Bad input to a training run: one-line errors the CLI prints as ``error: ...`` (exit 2)."""

from __future__ import annotations


class DataError(ValueError):
    """A dataset of the wrong format for its stage, a bad mixture spec or an empty mixture."""


class DataNotFound(FileNotFoundError):
    """A data path that does not exist."""

    def __str__(self) -> str:  # FileNotFoundError's default adds errno noise
        return str(self.args[0]) if self.args else "data file not found"


class ModelLoadError(ValueError):
    """A starting model (or its tokenizer) that does not load."""
