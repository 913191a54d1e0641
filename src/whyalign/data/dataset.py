"""The shared tail of every recipe: banned names, near-duplicates, the cap at ``n``, the
contamination guard, and writing ``data.jsonl`` + ``dataset_card.json``.

Banned names are *rewritten* (a deterministic substitute per item), not dropped, by default:
the item already cost model calls and the name is incidental to what it teaches; the card
counts every rewrite. ``banned_names=drop`` drops such items instead.

The guard runs on the final records. Any n-gram shared with a held-out family fails the
dataset: no ``data.jsonl`` is left (so nothing can train on it by accident), the records go to
``work/rejected.jsonl`` for inspection, the card says ``failed`` and ``ContaminationError``
is raised. Overlap with in-distribution families is reported in the card.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .. import __version__
from ..contamination import check
from .text import dedup_mask, estimate_tokens, replace_banned, words

DATA_FILE = "data.jsonl"
CARD_FILE = "dataset_card.json"
TOKENS_METHOD = "words: whitespace split; est_tokens: characters / 4 (no tokenizer)"


class ContaminationError(RuntimeError):
    """A dataset shares text with a held-out family."""


def content_texts(record: dict[str, Any]) -> list[str]:
    """The trainable strings of a record (never its ``meta``)."""
    out: list[str] = []
    for key in ("text", "prompt", "chosen", "rejected", "messages"):
        value = record.get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out += [
                m["content"]
                for m in value
                if isinstance(m, dict) and isinstance(m.get("content"), str)
            ]
    return out


def _map_content(record: dict[str, Any], fn) -> dict[str, Any]:
    out = dict(record)
    for key in ("text", "prompt", "chosen", "rejected"):
        if isinstance(out.get(key), str):
            out[key] = fn(out[key])
    for key in ("messages", "prompt", "chosen", "rejected"):
        if isinstance(out.get(key), list):
            out[key] = [
                {**m, "content": fn(m["content"])}
                if isinstance(m, dict) and isinstance(m.get("content"), str)
                else m
                for m in out[key]
            ]
    return out


def clean(
    records: list[dict[str, Any]], n: int, options: dict[str, Any]
) -> tuple[list[dict], dict]:
    """Banned names, near-duplicates, then the first ``n``: deterministic in input order."""
    counts: Counter = Counter(candidates=len(records))
    policy = options.get("banned_names", "rewrite")
    if policy not in ("rewrite", "drop"):
        raise ValueError(f"banned_names must be rewrite or drop, got {policy!r}")
    named = []
    for i, rec in enumerate(records):
        key = str(rec.get("meta", {}).get("prompt_hash", i))
        hits: list[str] = []

        def swap(text: str, key=key, hits=hits) -> str:
            new, found = replace_banned(text, key)
            hits.extend(found)
            return new

        fixed = _map_content(rec, swap)
        if hits and policy == "drop":
            counts["banned_name_drops"] += 1
            continue
        counts["banned_name_rewrites"] += bool(hits)
        named.append(fixed)
    threshold = float(options.get("dedup", 0.8) or 0)
    if 0 < threshold < 1:
        keep = dedup_mask(("\n".join(content_texts(r)) for r in named), threshold)
    else:  # near-duplicate removal off: exact duplicates still go
        seen: set[str] = set()
        keep = []
        for r in named:
            t = "\n".join(content_texts(r))
            keep.append(t not in seen)
            seen.add(t)
    unique = [r for r, k in zip(named, keep, strict=True) if k]
    counts["near_duplicates"] = len(named) - len(unique)
    final = unique[:n]
    counts["over_n"] = len(unique) - len(final)
    counts["kept"] = len(final)
    counts["requested"] = n
    return final, dict(counts)


def token_counts(records: list[dict[str, Any]], steps: dict[str, Any] | None) -> dict[str, Any]:
    texts = [t for r in records for t in content_texts(r)]
    out: dict[str, Any] = {
        "method": TOKENS_METHOD,
        "words": sum(words(t) for t in texts),
        "est_tokens": sum(estimate_tokens(t) for t in texts),
    }
    if steps:
        out["generation"] = {
            "input_tokens": sum(s["input_tokens"] for s in steps.values()),
            "output_tokens": sum(s["output_tokens"] for s in steps.values()),
        }
    return out


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write_dataset(
    out: Path, records: list[dict[str, Any]], card: dict[str, Any], spec: str | None = None
) -> Path:
    """Guard (against every held-out eval, ``spec``'s constitution items included), then write
    data + card. Raises ``ContaminationError`` after writing a failed card."""
    out.mkdir(parents=True, exist_ok=True)
    report = check(records, spec=spec)
    card = {
        **card,
        "contamination": report.to_dict(),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "created_by": f"whyalign {__version__}",
    }
    data = out / DATA_FILE
    if not report.passed:
        held = report.held_out_overlaps()
        card["status"] = "failed"
        card["error"] = f"held-out contamination: shares text with {', '.join(held)}"
        (out / "work").mkdir(exist_ok=True)
        _write_atomic(out / "work" / "rejected.jsonl", jsonl(records))
        data.unlink(missing_ok=True)
        _write_atomic(out / CARD_FILE, json.dumps(card, indent=2, sort_keys=True) + "\n")
        raise ContaminationError(
            f"{card['error']}; dataset marked failed in {out / CARD_FILE}, "
            f"records kept in {out / 'work' / 'rejected.jsonl'}"
        )
    card["status"] = "ok"
    _write_atomic(data, jsonl(records))
    _write_atomic(out / CARD_FILE, json.dumps(card, indent=2, sort_keys=True) + "\n")
    return out
