"""Docs-stage rows that are not packed blocks: a collator for rows of unequal length, a loss in
which each row weighs the same (for rows labelled on a short answer alone), and per-token loss
weights (a ``weights`` column beside ``labels``) for tokens that deserve more of the gradient
than their share of the text."""

from __future__ import annotations

from typing import Any

WEIGHTS = "weights"


class RowMeanLoss:
    """``DocsConfig.loss == "row"``: every row weighs the same, however few labels it has.
    Rows with a ``weights`` column: each labelled token's loss times its weight, summed and
    divided by the number of labelled tokens (not by the sum of weights, so a weight of 8 on
    a few tokens adds to their gradient without shrinking everyone else's)."""

    row_mean = False

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()  # type: ignore[misc]
        if WEIGHTS not in self._signature_columns:
            self._signature_columns = [*self._signature_columns, WEIGHTS]

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        weights = inputs.pop(WEIGHTS, None)
        if not self.row_mean and weights is None:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        import torch.nn.functional as F

        labels = inputs.pop("labels")
        outputs = model(**inputs, use_cache=False)
        logits, targets = outputs.logits[:, :-1].float(), labels[:, 1:]
        tokens = F.cross_entropy(
            logits.transpose(1, 2), targets, ignore_index=-100, reduction="none"
        )
        labelled = targets != -100
        if weights is not None:
            tokens = tokens * weights[:, 1:].to(tokens.dtype) * labelled
        counts = labelled.sum(1)
        if self.row_mean:
            rows = counts > 0
            loss = (tokens.sum(1)[rows] / counts[rows]).mean()
        else:
            loss = tokens.sum() / counts.sum().clamp(min=1)
        return (loss, outputs) if return_outputs else loss


def pad_rows(pad_id: int):
    """Collate rows of any length: input_ids padded with ``pad_id``, labels with -100 and
    weights (where rows have them) with 0, on the right, with an attention mask so the token
    accounting skips the padding. Rows of one length (the packed blocks of pretraining) come
    out as ``default_data_collator`` gives."""
    import torch

    def collate(rows: list[dict]) -> dict[str, Any]:
        lengths = [len(r["input_ids"]) for r in rows]
        width = max(lengths)

        def padded(key: str, fill: Any) -> list[list[Any]]:
            return [[*r[key], *[fill] * (width - n)] for r, n in zip(rows, lengths, strict=True)]

        batch = {
            "input_ids": torch.tensor(padded("input_ids", pad_id), dtype=torch.long),
            "labels": torch.tensor(padded("labels", -100), dtype=torch.long),
        }
        if WEIGHTS in rows[0]:
            batch[WEIGHTS] = torch.tensor(padded(WEIGHTS, 0.0), dtype=torch.float)
        if min(lengths) < width:
            mask = [[1] * n + [0] * (width - n) for n in lengths]
            batch["attention_mask"] = torch.tensor(mask, dtype=torch.long)
        return batch

    return collate
