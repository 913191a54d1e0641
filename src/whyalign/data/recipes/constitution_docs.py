# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Pretraining-style documents about the spec (synthetic document fine-tuning).

Fan-out over document kinds and variants (see ``_fanout``), rewritten and score-filtered.
The case study found pretraining-style text (blog posts, papers, transcripts, a student's
report on the constitution) and open-ended discussion taught the most, so the drafting prompt
asks for documents that *discuss* the spec and its reasons, not for restatements of rules.
"""

from __future__ import annotations

from typing import Any

from ..procedural import docs
from ..registry import recipe
from ._fanout import Fanout, run_fanout

OPTIONS: dict[str, Any] = {"per_call": 3, "types": 0, "min_score": 7}

DRAFTS = """Write {per_call} different documents of this kind:

Kind: {kind}
Variant: {subtype}

Each document should engage with the part of the model spec below: what it asks of an AI assistant and, above all, why. Let the documents read like real text of their kind found on the web or in print (blog posts, essays, papers, forum threads, transcripts, lecture notes, reports), each with its own author, voice and angle. Disagreement, questions and worked examples are welcome when the document ends up explaining the reasoning faithfully. Do not quote the spec at length.
{banned}

<spec_section>
{section}
</spec_section>

Put each document inside its own <{tag}></{tag}> tags.{extra}"""

PLAN = Fanout(
    what="documents that discuss an AI model spec (a constitution for AI assistants) and the reasons behind it",
    what_one="document",
    tag="document",
    drafts=DRAFTS,
)


@recipe(
    "constitution_docs",
    format="docs",
    description="pretraining-style documents that discuss the spec and its reasons",
    options=OPTIONS,
    offline=docs.generate,
    offline_options=("doc_types", "own_name"),
)
async def run(ctx) -> list[dict[str, Any]]:
    return await run_fanout(ctx, PLAN)
