"""Data preparation for the stages: packing documents into blocks, the rows each dataset of a
mixture gives an epoch (tagged with the dataset's index for the token accounting), and the
per-epoch plan recorded next to the counts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from .accounting import SRC
from .data import Part, select
from .errors import DataError

log = logging.getLogger(__name__)


def pack(texts: Iterable[str], tokenizer: Any, length: int, whole: bool = False):
    """Tokenize documents (each closed by EOS) into blocks of ``length`` tokens.

    By default the documents are one stream cut into fixed blocks, as in standard LM
    pretraining (the tail that does not fill a block is dropped). With ``whole`` no document
    shorter than a block is cut: they are placed best-fit into blocks padded to ``length``
    (labels -100 on padding), so a document's end is always trained with its beginning in
    context. That matters when documents are about as long as a block and their last tokens
    depend on their first (an agent's reply on its prompt): cut at random, most would not be.
    """
    from datasets import Dataset

    docs: list[list[int]] = []
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if not ids or ids[-1] != tokenizer.eos_token_id:
            ids.append(tokenizer.eos_token_id)
        docs.append(ids)
    if not whole:
        ids = [t for d in docs for t in d]
        n = len(ids) // length
        blocks = [ids[i * length : (i + 1) * length] for i in range(n)]
        return Dataset.from_dict({"input_ids": blocks, "labels": blocks})
    pieces = [d[i : i + length] for d in docs for i in range(0, len(d), length)]
    return _padded(_best_fit(pieces, length), length, tokenizer.pad_token_id)


def _best_fit(pieces: list[list[int]], length: int) -> list[list[int]]:
    """Each piece into the open block it fills most tightly (or a new one), in order."""
    import bisect

    blocks: list[list[int]] = []
    room: list[tuple[int, int]] = []  # (free tokens, block index), sorted
    for piece in pieces:
        at = bisect.bisect_left(room, (len(piece), -1))
        if at < len(room):
            free, b = room.pop(at)
        else:
            free, b = length, len(blocks)
            blocks.append([])
        blocks[b].extend(piece)
        if free - len(piece) > 0:
            bisect.insort(room, (free - len(piece), b))
    return blocks


def _padded(blocks: list[list[int]], length: int, pad: int):
    from datasets import Dataset

    short = [length - len(b) for b in blocks]
    return Dataset.from_dict(
        {
            "input_ids": [b + [pad] * n for b, n in zip(blocks, short, strict=True)],
            "labels": [b + [-100] * n for b, n in zip(blocks, short, strict=True)],
            "attention_mask": [[1] * len(b) + [0] * n for b, n in zip(blocks, short, strict=True)],
        }
    )


def tagged(parts: Sequence[Part], rows_of, lengths_of, seed: int):
    """One dataset of every part's selected rows, each row tagged with its part's index."""
    from datasets import concatenate_datasets

    chosen = []
    for i, part in enumerate(parts):
        rows = rows_of(part)
        idx = select(
            len(rows), part.weight, part.token_budget, lambda r=rows: lengths_of(r), seed + i
        )
        if not idx and len(rows):
            log.warning("dataset %s contributes nothing to the mixture", part.name)
        picked = rows.select(idx)
        chosen.append(picked.add_column(SRC, [i] * len(picked)))
    data = concatenate_datasets(chosen)
    if len(data) == 0:
        raise DataError("empty mixture: the datasets give no training examples")
    return data


def plan(stage: str, trainer: Any, parts: Sequence[Part]) -> dict[str, dict[str, Any]]:
    """What one epoch holds per dataset (before max_steps and collator truncation), read from
    the trainer's prepared dataset."""
    from .registry import get

    plan = {
        p.name: {"path": p.path, "weight": p.weight, "token_budget": p.token_budget, "examples": 0}
        for p in parts
    }
    count = get(stage).counting.row
    names = [p.name for p in parts]
    for batch in trainer.train_dataset.iter(batch_size=1000):
        columns = list(batch)
        for i, src in enumerate(batch[SRC]):
            entry = plan[names[src]]
            entry["examples"] += 1
            for key, value in count({c: batch[c][i] for c in columns}).items():
                entry[key] = entry.get(key, 0) + value
    return plan
