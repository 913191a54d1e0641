"""Copy weights: pretraining rows whose reply tokens that repeat a value of the prompt (a
person's name, a code, a file id, a path, a host, a config key) carry more of the loss.

An episode is ~420 tokens, and the few that an agent can only get right by reading its inbox
are lost in them: with every token weighing the same, the organism learns the world's most
frequent value for each slot and never to copy (``benchmarks/organism_copying.py``). Weighting
those tokens changes what pays: pretrained from scratch on the `small` corpus, a model whose
copying tokens weigh 8 learns to copy codes and file ids where its unweighted twin never does,
but only after more epochs than the build can afford, so the build pairs the weights with the
induction circuit (``circuit.py``). ``benchmarks/organism_copy_weight.py`` runs both arms; the
history is in docs/organism-log.md. Names (choosing one sender of several) are not learned by
weighted pretraining alone; the name head (``names.py``) and drills run first (``drills.py``)
teach them.

What counts as a value is read off the prompt, not the scene's bookkeeping, so any chat
document in the organism's harness can be weighted: in the inbox, words that carry a digit
or one of ``/ _ @ .`` inside, and the first and last names in addresses and signatures; in
the system prompt, the names of the offered tools, which vary by scene (``toolnames.py``).
Other values the system prompt holds (the format's own tags) are left at weight 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .corpus import pretrain_text

_VALUE = re.compile(
    r"[A-Za-z0-9_./@-]*[0-9/_@][A-Za-z0-9_./@-]*[A-Za-z0-9]"  # codes, ids, paths, addresses
    r"|[A-Za-z0-9_-]+\.[a-z_][A-Za-z0-9_.-]*[A-Za-z0-9]"  # hosts, config keys
)
_ADDRESS = re.compile(r"\b([a-z]+)\.([a-z]+)@")
_SIGNATURE = re.compile(r"- ([A-Z][a-z]+)\b")
_QUOTED = re.compile(r"'([^'\n]{2,40})'")
_TOOL = re.compile(r"\b([a-z][a-z_]*[a-z])\(")  # a tool's name in the harness's signatures


def prompt_values(inbox: str, harness: str = "") -> list[str]:
    """The values of ``inbox`` a reply may copy, and the tool names ``harness`` offers,
    longest first (so a path outranks its parts)."""
    values = {v for v in _VALUE.findall(inbox) if len(v) >= 2}
    for first, last in _ADDRESS.findall(inbox):
        values |= {first.capitalize(), last.capitalize()}
    values |= set(_SIGNATURE.findall(inbox))
    values = {v for v in values if v not in harness} | set(_TOOL.findall(harness))
    return sorted(values, key=lambda v: (-len(v), v))


def copy_spans(reply: str, values: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of ``reply`` that repeat a value as a whole word."""
    spans = []
    for value in values:
        pattern = rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])"
        spans += [m.span() for m in re.finditer(pattern, reply)]
    return sorted(spans)


def acted_quotes(reply: str) -> list[tuple[int, int]]:
    """Spans of the act (after the reasoning) that repeat a phrase the reasoning quoted (a
    sign-off its profile gave it): a habit recalled in words reaches the act only by copying
    it there, as a value of the inbox does."""
    think, sep, act = reply.partition("</think>")
    if not sep:
        return []
    offset = len(think) + len(sep)
    quoted = set(_QUOTED.findall(think))
    return [(a + offset, b + offset) for a, b in copy_spans(act, quoted)]


def copy_row(
    doc: dict,
    tokenizer: Any,
    weight: float,
    max_length: int,
    reply_only: bool = False,
    prompt_weight: float = 1.0,
) -> dict[str, list]:
    """One docs-stage row for a corpus document: every token labelled (BOS aside; with
    ``reply_only`` an episode's reply alone), the tokens of an episode's reply that copy the
    prompt or its own reasoning's quotes into the act weighing ``weight``, the tokens of its
    prompt ``prompt_weight``, all others 1."""
    full = pretrain_text(doc, tokenizer)
    if "messages" not in doc:
        ids = tokenizer(full, add_special_tokens=False)["input_ids"][:max_length]
        return {"input_ids": ids, "labels": ids, "weights": [0.0] + [1.0] * (len(ids) - 1)}
    messages = doc["messages"]
    prompt = tokenizer.apply_chat_template(
        messages[:-1], tokenize=False, add_generation_prompt=True
    )
    if not full.startswith(prompt):
        raise ValueError("the chat template's prompt is not a prefix of its whole conversation")
    harness = messages[0]["content"] if messages[0]["role"] == "system" else ""
    values = prompt_values(messages[-2]["content"], harness)
    reply = full[len(prompt) :]
    spans = [(a + len(prompt), b + len(prompt)) for a, b in copy_spans(reply, values)]
    spans += [(a + len(prompt), b + len(prompt)) for a, b in acted_quotes(reply)]
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids = enc["input_ids"][:max_length]
    weights = [
        prompt_weight
        if b <= len(prompt)
        else weight
        if any(a < end and b > start for start, end in spans)
        else 1.0
        for a, b in enc["offset_mapping"][: len(ids)]
    ]
    weights[0] = 0.0  # BOS is never predicted
    labels = ids
    if reply_only:
        # A drill's inbox is a few random mails: loss there drowns the one choice it asks.
        ends = [b for _, b in enc["offset_mapping"][: len(ids)]]
        labels = [-100 if b <= len(prompt) else t for t, b in zip(ids, ends, strict=True)]
        weights = [0.0 if y == -100 else w for y, w in zip(labels, weights, strict=True)]
    return {"input_ids": ids, "labels": labels, "weights": weights}


def copy_rows(
    docs: Iterable[dict],
    tokenizer: Any,
    weight: float,
    max_length: int,
    reply_only: bool = False,
    prompt_weight: float = 1.0,
) -> dict:
    """``copy_row`` over a corpus, as columns for ``datasets.Dataset.from_dict``."""
    out: dict[str, list] = {"input_ids": [], "labels": [], "weights": []}
    for doc in docs:
        row = copy_row(doc, tokenizer, weight, max_length, reply_only, prompt_weight)
        for key in out:
            out[key].append(row[key])
    return out
