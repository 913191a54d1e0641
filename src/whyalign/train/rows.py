"""Docs-stage rows that are not packed blocks: a collator for rows of unequal length and a
loss in which each row weighs the same (for rows labelled on a short answer alone)."""

from __future__ import annotations

from typing import Any


class RowMeanLoss:
    """``DocsConfig.loss == "row"``: every row weighs the same, however few labels it has."""

    row_mean = False

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if not self.row_mean:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        import torch.nn.functional as F

        labels = inputs.pop("labels")
        outputs = model(**inputs, use_cache=False)
        logits, targets = outputs.logits[:, :-1].float(), labels[:, 1:]
        tokens = F.cross_entropy(
            logits.transpose(1, 2), targets, ignore_index=-100, reduction="none"
        )
        counts = (targets != -100).sum(1)
        rows = counts > 0
        loss = (tokens.sum(1)[rows] / counts[rows]).mean()
        return (loss, outputs) if return_outputs else loss


def pad_rows(pad_id: int):
    """Collate rows of any length: input_ids padded with ``pad_id``, labels with -100, on the
    right, with an attention mask so the token accounting skips the padding. Rows of one
    length (the packed blocks of pretraining) come out as ``default_data_collator`` gives."""
    import torch

    def collate(rows: list[dict]) -> dict[str, Any]:
        lengths = [len(r["input_ids"]) for r in rows]
        width = max(lengths)
        batch = {
            "input_ids": [
                [*r["input_ids"], *[pad_id] * (width - n)]
                for r, n in zip(rows, lengths, strict=True)
            ],
            "labels": [
                [*r["labels"], *[-100] * (width - n)] for r, n in zip(rows, lengths, strict=True)
            ],
        }
        if min(lengths) < width:
            batch["attention_mask"] = [[1] * n + [0] * (width - n) for n in lengths]
        return {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}

    return collate
