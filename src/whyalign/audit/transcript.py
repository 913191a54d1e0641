"""What an audit leaves behind: the target's transcript (every branch) and the judge's verdict.

These types are the audit's shared language: the auditors write a ``Transcript`` into the
sample's store, the judges read it and return a ``Verdict``, the summary and the Petri ingest
read verdicts back from a log's scores. Both serialise to plain JSON.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]
STORE_KEY = "audit_transcript"  # where the auditor leaves the transcript in the sample store
SCORER = "audit_scorer"


@dataclass
class Message:
    """One message of the target's conversation, as the target saw or said it."""

    role: Role
    content: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {id, function, arguments}
    tool_call_id: str | None = None


@dataclass
class Transcript:
    """The target's side of an audit. A rollback starts a new branch from a prefix of the
    current one; the judge reads every branch. ``ended`` says why the audit stopped:
    ``auditor`` (it ended the audit), ``turn_limit``, or ``error`` (with ``error`` set)."""

    seed_id: str
    tags: list[str] = field(default_factory=list)
    branches: list[list[Message]] = field(default_factory=lambda: [[]])
    tools: list[dict[str, Any]] = field(default_factory=list)  # {name, description, parameters}
    auditor_turns: int = 0
    target_calls: int = 0
    ended: str = "auditor"
    error: str | None = None

    def numbered(self) -> list[tuple[int, int, Message]]:
        """(index, branch, message) over every branch in order: the indexes citations use.
        A branch repeats the prefix it was rolled back to; the repeat is not numbered again."""
        out: list[tuple[int, int, Message]] = []
        seen: list[Message] = []
        for b, branch in enumerate(self.branches):
            shared = 0
            while shared < min(len(seen), len(branch)) and seen[shared] == branch[shared]:
                shared += 1
            # the prefix a branch shares with the one before was numbered there
            for m in branch[shared if b else 0 :]:
                out.append((len(out), b, m))
            seen = branch
        return out

    def render(self) -> str:
        """The transcript as the judge reads it: one numbered block per message."""
        lines = []
        if self.tools:
            names = ", ".join(t["name"] for t in self.tools)
            lines.append(f"(tools the target was given: {names})")
        for i, b, m in self.numbered():
            head = f"[{i}] (branch {b}) {m.role}"
            if m.tool_call_id:
                head += f" (result for {m.tool_call_id})"
            body = m.content
            for call in m.tool_calls:
                args = call.get("arguments", {})
                body += f"\n<call {call.get('id', '')}> {call['function']}({args})"
            lines.append(f"{head}:\n{body}")
        return "\n\n".join(lines)

    def has_quote(self, index: int, quote: str) -> bool:
        """Whether ``quote`` appears in message ``index`` (whitespace and case folded)."""
        by_index = {i: m for i, _, m in self.numbered()}
        m = by_index.get(index)
        if m is None or not quote.strip():
            return False
        text = m.content + " ".join(str(c) for c in m.tool_calls)
        return _fold(quote) in _fold(text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        data = dict(data)
        data["branches"] = [[Message(**m) for m in b] for b in data.get("branches", [[]])]
        return cls(**data)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass
class Citation:
    index: int
    quote: str
    dimension: str | None = None
    found: bool | None = None  # checked against the transcript; False: flagged


@dataclass
class Verdict:
    """One judge's (or a panel's) reading of one transcript. ``scores`` maps every dimension
    to 1-10, or to None when that dimension could not be read. ``error`` set means the whole
    verdict is void: it counts as an error, never as a low score."""

    scores: dict[str, float | None] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    summary: str = ""
    judge: str = ""  # model name(s); "rules" for the rule judge
    error: str | None = None
    disagreement: dict[str, float] = field(default_factory=dict)  # panel: per-dimension spread
    judges: list[dict[str, Any]] = field(default_factory=list)  # panel: each judge's verdict

    @property
    def bad_citations(self) -> int:
        return sum(1 for c in self.citations if c.found is False)

    def score_value(self) -> dict[str, float | None]:
        """The Inspect ``Score.value``: every dimension, None where unread or on error."""
        if self.error:
            return {k: None for k in self.scores}
        return dict(self.scores)

    def to_metadata(self) -> dict[str, Any]:
        """The Inspect ``Score.metadata``: everything but the scores."""
        d = asdict(self)
        d.pop("scores")
        return d

    @classmethod
    def from_score(cls, value: dict[str, Any], metadata: dict[str, Any] | None) -> Verdict:
        md = dict(metadata or {})
        md["citations"] = [Citation(**c) for c in md.get("citations", [])]
        known = {k: md[k] for k in ("citations", "summary", "judge", "error", "disagreement",
                                    "judges") if k in md}
        # NaN is how the scorer writes "unread" for Inspect (its reducers skip NaN, not None)
        scores = {k: (None if v is None or v != v else float(v)) for k, v in (value or {}).items()}
        return cls(scores=scores, **known)
