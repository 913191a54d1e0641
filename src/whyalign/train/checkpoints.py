"""Checkpoints a kill cut short, and how resume avoids them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def prune_incomplete(root: str | Path) -> list[str]:
    """Delete checkpoints a kill cut short; return their names.

    transformers writes a checkpoint's files in place (model, optimizer, RNG state, then
    trainer_state.json; our token counts last) and resumes from the highest number it finds,
    complete or not: a kill while saving would otherwise make every rerun fail, or restart the
    token counts from zero.
    """
    removed = []
    for ckpt in sorted(Path(root).glob("checkpoint-*")):
        try:
            for name in ("trainer_state.json", "token_accounting.json"):
                json.loads((ckpt / name).read_text())
        except (OSError, ValueError):
            shutil.rmtree(ckpt, ignore_errors=True)
            removed.append(ckpt.name)
    return removed
