"""Exact token accounting: the tokens of every batch a trainer actually trains on, per dataset.

Each row carries the index of its dataset in a ``_src`` column; the collator turns it into a
tensor and the trainer's ``compute_loss`` pops it and adds the batch's counts, on device, to a
per-dataset table. The table is summed over processes at each checkpoint and saved in it, so a
resumed run continues the count and the final file equals an uninterrupted run's.

What "tokens" means is each stage's (``registry.Counting``), always after truncation and never
padding: ``docs`` the packed blocks trained on (``examples`` = blocks); ``chat`` the whole
conversations' ``tokens`` and the ``assistant_tokens`` with loss; ``prefs`` ``prompt_tokens +
chosen_tokens + rejected_tokens`` = ``tokens`` (the prompt once, although DPO runs it with
both completions).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

SRC = "_src"
FILE = "token_accounting.json"
log = logging.getLogger(__name__)


class WithSources:
    """Wrap a collator: drop ``_src`` from the rows, return it as a tensor in the batch."""

    def __init__(self, collator: Any) -> None:
        self.collator = collator

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        src = [int(ex[SRC]) for ex in examples]
        batch = self.collator([{k: v for k, v in ex.items() if k != SRC} for ex in examples])
        batch[SRC] = torch.tensor(src, dtype=torch.long)
        return batch


class TokenCounting:
    """Mixin put in front of a transformers/TRL trainer class (see ``stages``)."""

    _stage: str
    _fields: tuple[str, ...]
    _counts: Any  # a collated batch -> its [rows, fields] counts
    _names: list[str]
    _local: Any = None  # counts since the last sync, on device
    _total: list[list[int]]

    def setup_counting(self, stage: str, names: list[str]) -> None:
        import torch

        from .registry import get

        counting = get(stage).counting
        self._stage, self._names = stage, names
        self._fields, self._counts = counting.fields, counting.batch
        shape = (len(names), len(self._fields))
        self._local = torch.zeros(shape, dtype=torch.long, device=self.args.device)
        self._total = [[0] * shape[1] for _ in names]
        self.data_collator = WithSources(self.data_collator)

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        if SRC not in self._signature_columns:
            self._signature_columns = [*self._signature_columns, SRC]

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        src = inputs.pop(SRC, None)
        if src is not None and model.training:
            counts = self._counts(inputs)
            self._local.index_add_(0, src.to(counts.device), counts.to(self._local.device))
        return super().compute_loss(
            model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
        )

    def sync_counts(self) -> None:
        """Add every process's counts since the last sync to the total (all ranks call it)."""
        summed = self.accelerator.reduce(self._local, reduction="sum").cpu().tolist()
        self._total = [
            [a + b for a, b in zip(t, s, strict=True)]
            for t, s in zip(self._total, summed, strict=True)
        ]
        self._local.zero_()

    def accounting(self) -> dict[str, Any]:
        fields = self._fields
        per = {
            n: dict(zip(fields, row, strict=True))
            for n, row in zip(self._names, self._total, strict=True)
        }
        total = {f: sum(p[f] for p in per.values()) for f in fields}
        return {
            "stage": self._stage,
            "global_step": self.state.global_step,
            "datasets": per,
            "total": total,
        }

    def load_counts(self, checkpoint: str | Path) -> None:
        path = Path(checkpoint) / FILE
        if not path.exists():
            log.warning("%s has no %s: counts restart from zero", checkpoint, FILE)
            return
        saved = json.loads(path.read_text())["datasets"]
        fields = self._fields
        self._total = [[saved.get(n, {}).get(f, 0) for f in fields] for n in self._names]

    def _save_checkpoint(self, model, trial) -> None:
        from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

        self.sync_counts()
        super()._save_checkpoint(model, trial)
        if self.args.should_save:
            folder = Path(self._get_output_dir(trial=trial))
            folder = folder / f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
            (folder / FILE).write_text(json.dumps(self.accounting(), indent=2))


def write(path: Path, accounting: dict[str, Any], plan: dict[str, Any]) -> None:
    """The final file: trained counts per dataset plus what the mixture selected per epoch."""
    for name, info in plan.items():
        accounting["datasets"].setdefault(name, {}).update({"selected": info})
    path.write_text(json.dumps(accounting, indent=2))
