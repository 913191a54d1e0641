# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Documents turned into question/answer chat: the documents-vs-chat ablation.

The case study found the same content taught more as pretraining-style documents than as
chat. To test that, this recipe holds the content fixed: it reads a documents dataset
(``source=DIR``, e.g. the output of ``constitution_docs``) and asks the generator for
question/answer pairs answerable from each document alone, one chat record per pair.
"""

from __future__ import annotations

import math
from typing import Any

from ...contamination import read_records
from ..engine import Call
from ..procedural import chat
from ..registry import recipe
from ..text import tagged
from ._common import meta_for

OPTIONS: dict[str, Any] = {"source": "", "pairs": 3}

CONVERT = """Below is a document. Write {k} different exchanges between a curious user and an AI assistant that together carry the document's content: the user asks something a real person might ask, and the assistant answers in its own voice using only what the document says, including the reasons it gives. Do not mention "the document".

<document>
{doc}
</document>

Write each exchange as <question>...</question> followed by <answer>...</answer>."""


def source_docs(source: str) -> list[tuple[str, str]]:
    """(text, source prompt hash) of every document record in ``source``."""
    if not source:
        raise ValueError(
            "chat_convert needs source=DIR: a documents dataset (e.g. from constitution_docs)"
        )
    docs = []
    for record in read_records(source):
        if not (isinstance(record, dict) and isinstance(record.get("text"), str)):
            raise ValueError(f"{source}: chat_convert needs document records with a 'text' field")
        meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
        docs.append((record["text"], str(meta.get("prompt_hash", ""))))
    if not docs:
        raise ValueError(f"{source}: no documents to convert")
    return docs


@recipe(
    "chat_convert",
    format="chat",
    description="a documents dataset (source=DIR) turned into question/answer chat",
    options=OPTIONS,
    offline=chat.generate,
    offline_options=("source",),
)
async def run(ctx) -> list[dict[str, Any]]:
    pairs = max(1, int(ctx.options["pairs"]))
    docs = source_docs(str(ctx.options["source"]))[: math.ceil(ctx.target / pairs)]
    results = await ctx.engine.step(
        "convert", [Call(CONVERT.format(k=pairs, doc=d)) for d, _ in docs]
    )
    records = []
    for (_, src_hash), r in zip(docs, results, strict=True):
        qs, ans = tagged(r.completion, "question"), tagged(r.completion, "answer")
        if not qs or len(qs) != len(ans):
            ctx.drop("convert_unparseable")
            continue
        for k, (q, a) in enumerate(list(zip(qs, ans, strict=True))[:pairs]):
            meta = meta_for(
                ctx, r, [], pair=k, source=str(ctx.options["source"]), source_prompt_hash=src_hash
            )
            records.append(
                {
                    "messages": [
                        {"role": "user", "content": q},
                        {"role": "assistant", "content": a},
                    ],
                    "meta": meta,
                }
            )
    return records
