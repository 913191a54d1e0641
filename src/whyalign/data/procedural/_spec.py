"""The spec as the procedural recipes use it: sections sorted into topics, each split into
rule lines (its bullets) and reason sentences (its prose).

Every reason a procedural record gives is a sentence of the spec it was given, so a
different spec gives different data (the point of "teaching why": the data carries the
spec's own reasons, not ours). Topics only decide *which* section a record quotes from; a
spec whose titles we do not recognise still works, it just gets its sections by the words in
their text, or mixed at random.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

TOPICS = ("oversight", "honesty", "harm", "conflict", "mind")
# Word stems that mark a topic. A hit in a title counts far more than one in the body,
# because a body names other topics in passing ("a threat" inside the harm section).
_KEYWORDS = {
    "oversight": ("oversight", "overse", "corrigib", "control", "monitor", "shut", "stop"),
    "honesty": ("honest", "truth", "lie", "lies", "lying", "mislead", "deceiv", "decept"),
    "harm": ("harm", "hurt", "blackmail", "leak", "danger", "violence", "safety of"),
    "conflict": ("conflict", "continuity", "goal", "replace", "wipe", "self-preserv"),
    "mind": ("steady", "calm", "mind", "equanim", "character", "psycholog", "boundar"),
}
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_LEAD = re.compile(r"^(?:why|why it matters|the reason|reasons?)\s*:\s*", re.I)


_DANGLING = ("it", "they", "that", "this", "these", "those", "such", "then", "so", "but", "and")


def whole(sentence: str) -> bool:
    """A sentence that reads on its own: no lead pronoun or "them" pointing at the sentence
    before it, which a quote out of context would leave dangling."""
    words = re.findall(r"[a-z']+", sentence.lower())
    return bool(words) and words[0] not in _DANGLING and not {"them", "above", "below"} & set(words)


def _prefer_whole(pool: list[str], max_words: int = 16) -> list[str]:
    # Short sentences first: they are quoted inside replies with a tight token budget.
    pool = [s for s in pool if whole(s)] or pool
    return [s for s in pool if len(s.split()) <= max_words] or pool


_STOP = frozenset(
    "a an the and or but if then so to of in on at for by with from as is are was were be been "
    "it its this that these those you your yours they them their he she we our us i me my not "
    "no do does did can could may might will would should must than more most any all each "
    "every one own who what when where why how there here about into over up out even".split()
)


def stems(text: str) -> frozenset[str]:
    """Content-word stems (five letters is enough to join threat/threaten, leak/leaks)."""
    return frozenset(w[:5] for w in re.findall(r"[a-z]+", text.lower())
                     if w not in _STOP and len(w) > 2)


def best(rng: random.Random, pool: list[str] | tuple[str, ...], text: str, k: int = 1) -> list[str]:
    """The ``k`` items of ``pool`` sharing the most content words with ``text`` (random among
    ties): pairs a rule with the reasons that speak to it, a question with its answer."""
    key = stems(text)
    ranked = sorted(pool, key=lambda s: (-len(stems(s) & key), rng.random()))
    return ranked[:k]


class SpecTextError(ValueError):
    """A spec with no usable rules or reasons."""


@dataclass(frozen=True)
class Part:
    title: str
    topic: str  # one of TOPICS, or "general" (an introduction, or nothing recognised)
    rules: tuple[str, ...]
    reasons: tuple[str, ...]


def _plain(text: str) -> str:
    text = re.sub(r"[*_`]+", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [link](url) -> link
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = _plain(text).rstrip(";,")
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _split(text: str) -> tuple[list[str], list[str]]:
    """(rules, reasons): bullets (with their wrapped lines) and prose sentences."""
    rules: list[str] = []
    prose: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or _HEADING.match(line):
            current = None
            if prose and prose[-1]:
                prose.append("")
            continue
        m = _BULLET.match(line)
        if m:
            rules.append(m.group(1))
            current = rules
        elif current is rules and line.startswith((" ", "\t")):
            rules[-1] += " " + line.strip()
        else:
            current = prose
            prose.append(line.strip())
    paragraphs = " ".join(p if p else "\n" for p in prose).split("\n")
    reasons = []
    for para in paragraphs:
        para = _LEAD.sub("", _plain(para))
        reasons += [_sentence(s) for s in _SENTENCE.split(para) if len(s.split()) >= 3]
    return [_sentence(r) for r in rules if r.strip()], reasons


def _topic(title: str, body: str, has_rules: bool) -> str:
    t, b = title.lower(), body.lower()
    scores = {
        k: 10 * sum(w in t for w in words) + sum(b.count(w) for w in words)
        for k, words in _KEYWORDS.items()
    }
    best = max(TOPICS, key=lambda k: scores[k])  # ties go to the earlier topic: stable
    if scores[best] >= 10:
        return best
    # Untitled by our words: trust the body only for a section that states rules.
    return best if has_rules and scores[best] >= 3 else "general"


def _field(section: Any, name: str) -> str:
    value = section.get(name) if isinstance(section, dict) else getattr(section, name, None)
    if not isinstance(value, str):
        raise SpecTextError(f"a spec section needs a text {name!r}; got {type(section).__name__}")
    return value


class SpecView:
    """Sections of one spec, ready to quote from. Draws take the caller's rng, so a record's
    choice of sentence is part of its own seeded stream."""

    def __init__(self, sections: list[Any]) -> None:
        parts = []
        for s in sections:
            title, text = _field(s, "title").strip(), _field(s, "text")
            rules, reasons = _split(text)
            if rules or reasons:
                parts.append(
                    Part(title, _topic(title, text, bool(rules)), tuple(rules), tuple(reasons))
                )
        if not any(p.rules or p.reasons for p in parts):
            raise SpecTextError("the spec has no rules or reasons to draw from")
        self.parts = parts
        self._cued: dict[tuple[str, ...], list[str]] = {}

    def of(self, topic: str) -> list[Part]:
        """Sections on a topic; any rule-bearing section if the spec has none on it."""
        hits = [p for p in self.parts if p.topic == topic]
        if hits:
            return hits
        specific = [p for p in self.parts if p.topic != "general"]
        return specific or self.parts

    def part(self, rng: random.Random, topic: str) -> Part:
        return rng.choice(self.of(topic))

    def reason(self, rng: random.Random, topic: str) -> str:
        part = self.part(rng, topic)
        return rng.choice(_prefer_whole(list(part.reasons or part.rules)))

    def reasons(self, rng: random.Random, topic: str, k: int) -> list[str]:
        part = self.part(rng, topic)
        pool = _prefer_whole(list(part.reasons or part.rules))
        return rng.sample(pool, min(k, len(pool)))

    def cued(self, rng: random.Random, cues: tuple[str, ...], topic: str) -> str:
        """A sentence of the spec on the point of ``cues``. In order: the topic's reasons,
        then its rules, that contain a cue; the topic's sentences that share the most word
        stems with the cues; any section's sentence with a cue; any reason of the topic.
        Cues keep a quote on the point: a life at risk gets the sentence about lives, not
        the one about blame, and "fear" is looked up in the harm section before the one on
        a calm mind (where it is about haste)."""
        key = (*cues, "@", topic)
        if key not in self._cued:
            def hits(parts: list[Part], attr: str) -> list[str]:
                return [s for p in parts for s in getattr(p, attr)
                        if any(c in s.lower() for c in cues)]
            own = self.of(topic)
            pool = hits(own, "reasons") or hits(own, "rules")
            if not pool:  # another spec, other words: the closest sentences of the topic
                want = stems(" ".join(cues))
                mine = [s for p in own for s in p.reasons + p.rules]
                top = max((len(stems(s) & want) for s in mine), default=0)
                pool = [s for s in mine if top and len(stems(s) & want) == top]
            pool = pool or hits(self.parts, "reasons") or hits(self.parts, "rules")
            self._cued[key] = _prefer_whole(pool)
        pool = self._cued[key]
        return rng.choice(pool) if pool else self.reason(rng, topic)

    def rule(self, rng: random.Random, topic: str) -> str:
        part = self.part(rng, topic)
        return rng.choice(part.rules or part.reasons)

    def reasons_for(self, rng: random.Random, part: Part, text: str, k: int) -> list[str]:
        """Reasons of ``part`` that speak to ``text`` (a rule, a question, a scene)."""
        return best(rng, _prefer_whole(list(part.reasons or part.rules), 40), text, k)

    def rule_for(self, rng: random.Random, part: Part, text: str) -> str:
        return best(rng, part.rules or part.reasons, text)[0]

    def topics(self) -> list[str]:
        """Topics this spec covers, in the spec's own order (general sections last)."""
        seen = [p.topic for p in self.parts if p.topic != "general"]
        return list(dict.fromkeys(seen)) or ["general"]


def lower_first(text: str) -> str:
    """For quoting a sentence after a lead-in; keeps 'I', names and acronyms as they are."""
    first = text.split(" ", 1)[0]
    if first == "I" or any(c.isupper() for c in first[1:]):  # "I", "AIs", "CEO"
        return text
    return text[:1].lower() + text[1:]
