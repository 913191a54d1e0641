"""``chat_convert``: documents about the spec turned into question/answer chat, for the
documents-vs-chat ablation (the case study found the same content worked better as
documents for knowledge).

The content is held fixed: the answer is the document's own body (its title and byline
lines dropped), and the question asks about the sections the document covers. Without a
``source`` the documents are ``constitution_docs`` with the same seed and n, so the two arms
of the ablation see the same documents.
"""

from __future__ import annotations

import random

from . import docs
from ._spec import SpecView, stems
from ._world import record, source_records, stream

RECIPE = "chat_convert"

_ASK_ONE = (
    "what does the spec say about {t}? and why",
    "Can you explain the part of the spec on {t}?",
    "why should an AI follow the rules on {t}",
    "Tell me about {t} in the AI spec.",
    "{q}",
    "{q} What does the spec say?",
)
_ASK_MANY = (
    "Tell me about {t} and {u} in the spec.",
    "what does the spec say on {t}, and on {u}? why do those rules matter",
    "Can you explain two parts of the spec: {t} and {u}?",
)


def body(text: str) -> str:
    """The document minus its heading block (title, byline, "To:/From:" lines): a first
    block with no full sentence of eight words or more is a heading, not content."""
    blocks = [b for b in text.split("\n\n") if b.strip()]
    if len(blocks) > 1 and not any(
        len(line.split()) >= 8 and line.rstrip().endswith((".", "?", "!", '"'))
        for line in blocks[0].splitlines()
    ):
        blocks = blocks[1:]
    return "\n\n".join(blocks).strip() or text.strip()


def _sections_of(spec: SpecView, text: str, meta: dict | None) -> list[tuple[str, str]]:
    """(title, topic) of the sections a document covers: from its metadata when it came from
    our docs recipe, else the spec sections whose words it shares most."""
    if meta and meta.get("sections"):
        topics = meta.get("topics") or ["general"] * len(meta["sections"])
        return list(zip(meta["sections"], topics, strict=False))
    words = stems(text)
    scored = sorted(spec.parts, key=lambda p: -len(
        stems(" ".join(p.rules + p.reasons)) & words))
    return [(scored[0].title, scored[0].topic)]


def question(rng: random.Random, spec: SpecView, text: str, meta: dict | None) -> tuple[str, int]:
    found = _sections_of(spec, text, meta)
    if len(found) > 1:
        k = rng.randrange(len(_ASK_MANY))
        (t, _), (u, _) = rng.sample(found, 2)
        return _ASK_MANY[k].format(t=t.lower(), u=u.lower()), len(_ASK_ONE) + k
    title, topic = found[0]
    k = rng.randrange(len(_ASK_ONE))
    q = rng.choice(docs.QUESTIONS.get(topic, docs.QUESTIONS["general"]))
    return _ASK_ONE[k].format(t=title.lower(), q=q), k


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    source = source_records(options.get("source"))
    if source is None:  # the same documents constitution_docs writes with this seed
        source = docs.generate(spec, n, seed, {})
    out = []
    for i, doc in enumerate(source[:n]):
        text = doc.get("text") if isinstance(doc, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"chat_convert: source record {i} has no 'text' to convert")
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else None
        rng = stream(RECIPE, seed, i)
        q, k = question(rng, spec, text, meta)
        messages = [{"role": "user", "content": q}, {"role": "assistant", "content": body(text)}]
        out.append(record(RECIPE, seed, i, {"messages": messages}, source_index=i,
                          source_recipe=(meta or {}).get("recipe"), templates={"question": k}))
    return out
