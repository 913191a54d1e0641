"""True statements of a spec and minimally altered false ones, for any spec, without a model.

Each section's sentences (its bullets and its prose, split as the procedural recipes split
them) are kept when they state a rule: a bullet, or a sentence with a word of obligation or
permission. A kept sentence gets up to ``max_false`` false versions, each one edit away:

- ``negation``: a negation taken out or put in (``do not lie`` / ``lie``, ``is`` / ``is not``);
- ``always_never``: ``always`` and ``never`` swapped;
- ``modal``: ``may`` and ``must`` swapped (a permission becomes a duty and back);
- ``antonym``: one word swapped for its opposite from a small lexicon;
- ``actor``: who acts swapped (``people`` / ``AIs``, ``the assistant`` / ``the user``).

A false version that reads as some other true sentence of the spec is dropped. Which edits
a sentence gets is drawn from a stream seeded by the seed and the item's id, one edit kind
at a time before any kind repeats, so an item's false versions vary in kind.

Statement ids are the section id and a hash of the true text: stable while the sentence is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..data.engine import stable_hash
from ..data.procedural._spec import SpecTextError, SpecView
from ..spec import Spec, load_spec

EDIT_KINDS = ("negation", "always_never", "modal", "antonym", "actor")
MAX_WORDS = 40  # longer sentences are lists of rules, where one edit is lost in the noise
MIN_WORDS = 3

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_RULE_WORD = re.compile(
    r"\b(?:must|should|never|always|may|do not|does not|don't|doesn't|can not|cannot|"
    r"will not|won't|is allowed|are allowed|refuses?|declines?)\b",
    re.I,
)

# Imperatives a rule may start with; a negation goes in front of one ("Do not let ...").
_IMPERATIVES = frozenset(
    "accept act admit answer ask avoid be check defer explain flag follow give help hold keep "
    "leave let meet obey own protect put raise refuse report respect say seek share speak "
    "state stay stop support take tell think treat use wait".split()
)
# Subjects whose present-tense verb can take "does not" ("the assistant tells" ->
# "the assistant does not tell").
_SUBJECTS = r"(?:the assistant|it|an ai|the ai|a good ai|the model)"
_AUX = r"(?:is|are|was|were|can|could|will|would|should|must|may|might|has|have)"
_AUX_IN = r"(?:is|are|was|were|can|could|will|would|should|must|may|might)"

# Opposites, read both ways unless marked one-way below. Our own list, kept to words whose
# swap keeps the sentence grammatical in the usual spec phrasing.
_OPPOSITES = (
    ("good", "bad"),
    ("true", "false"),
    ("right", "wrong"),
    ("honest", "dishonest"),
    ("openly", "secretly"),
    ("more", "less"),
    ("most", "least"),
    ("first", "last"),
    ("before", "after"),
    ("slowly", "quickly"),
    ("slow", "fast"),
    ("cheap", "costly"),
    ("small", "large"),
    ("safe", "unsafe"),
    ("legitimate", "illegitimate"),
    ("inside", "outside"),
    ("private", "public"),
    ("allowed", "forbidden"),
    ("accept", "refuse"),
    ("agree", "disagree"),
    ("increase", "decrease"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("fair", "unfair"),
    ("better", "worse"),
    ("best", "worst"),
    ("everyone", "no one"),
    ("everything", "nothing"),
    ("with", "without"),
    ("help", "harm"),
    ("trust", "distrust"),
    ("calmly", "hastily"),
    ("plainly", "vaguely"),
    ("found", "hidden"),
)
_ONE_WAY = frozenset({("found", "hidden"), ("help", "harm")})
_ACTORS = (
    ("the assistant", "the user"),
    ("the operator", "the user"),
    ("people", "AIs"),
    ("humans", "AIs"),
    ("the people in charge", "the AI"),
    ("its principals", "its users"),
)


@dataclass(frozen=True)
class Statement:
    id: str  # "<section id>/<hash of the true text>"
    section: str  # the section's id
    true: str
    false: tuple[str, ...]
    edits: tuple[str, ...]  # the edit kind that made each false version, in order

    @property
    def texts(self) -> tuple[str, ...]:
        """The true text first, then the false ones: the order the task scores them in."""
        return (self.true, *self.false)


def _lexicon(
    pairs: tuple[tuple[str, str], ...], one_way: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, str]:
    out: dict[str, str] = {}
    for a, b in pairs:
        out.setdefault(a.lower(), b)
        if (a, b) not in one_way:
            out.setdefault(b.lower(), a)
    return out


_ANTONYM = _lexicon(_OPPOSITES, _ONE_WAY)
_ACTOR = _lexicon(_ACTORS, frozenset({("the operator", "the user")}))


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    alts = sorted(map(re.escape, words), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)


_ANTONYM_RE = _words_pattern(_ANTONYM)
_ACTOR_RE = _words_pattern(_ACTOR)


def _cased(replacement: str, original: str) -> str:
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _swap(s: str, m: re.Match[str], new: str) -> str:
    return s[: m.start()] + new + s[m.end() :]


def _third_person(verb: str) -> str:
    v = verb.lower()
    if v in ("be", "have", "do", "go"):
        return {"be": "is", "have": "has", "do": "does", "go": "goes"}[v]
    if re.search(r"(?:s|sh|ch|x|z|o)$", v):
        return v + "es"
    if re.search(r"[^aeiou]y$", v):
        return v[:-1] + "ies"
    return v + "s"


# Words ending in -s after a subject that are not its verb, or that take no "does not".
_NOT_VERBS = frozenset(
    "is was does its this thus us as yes less unless always perhaps news needs".split()
)


def _bare(verb: str) -> str | None:
    v = verb.lower()
    if v in _NOT_VERBS:
        return None
    if v == "has":
        return "have"
    if v.endswith("ies") and len(v) > 4:
        return v[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z|o)es$", v):
        return v[:-2]
    if v.endswith("s") and not v.endswith("ss") and len(v) > 3:
        return v[:-1]
    return None


def _negation(s: str) -> Iterator[str]:
    # Out: "do not X" -> "X", "does not X" -> "Xs", "AUX not" -> "AUX", contractions alike.
    for m in re.finditer(r"\b(?:do not|don't) (\w+)", s, re.I):
        yield _swap(s, m, _cased(m.group(1), m.group(0)))
    for m in re.finditer(r"\b(?:does not|doesn't) (\w+)", s, re.I):
        yield _swap(s, m, _cased(_third_person(m.group(1)), m.group(0)))
    for m in re.finditer(rf"\b({_AUX}) not\b", s, re.I):
        yield _swap(s, m, m.group(1))
    for m in re.finditer(r"\b(can)not\b|\bwon't\b|\bisn't\b|\baren't\b", s, re.I):
        plain = {"cannot": "can", "won't": "will", "isn't": "is", "aren't": "are"}
        yield _swap(s, m, _cased(plain[m.group(0).lower()], m.group(0)))
    # In: an imperative gets "Do not", an auxiliary gets "not", a verb after a known
    # subject gets "does not".
    first = re.match(r"^(\w+)\b", s)
    if first and first.group(1).lower() in _IMPERATIVES:
        yield "Do not " + s[:1].lower() + s[1:]
    for m in re.finditer(
        rf"(?<!\bnot )(?<!\bnot)\b({_AUX_IN})\b(?=\s+\w)(?!\s+(?:not|never)\b)", s, re.I
    ):
        if re.search(rf"\b(?:{_AUX}|not)\s+$", s[: m.start()], re.I):  # "can have": one verb
            continue
        yield _swap(s, m, m.group(1) + " not")
    for m in re.finditer(rf"\b({_SUBJECTS}) (\w+)\b(?! not\b)", s, re.I):
        bare = _bare(m.group(2))
        if bare:
            yield _swap(s, m, f"{m.group(1)} does not {bare}")


def _always_never(s: str) -> Iterator[str]:
    for m in re.finditer(r"\b(always|never)\b", s, re.I):
        yield _swap(s, m, _cased("never" if m.group(1).lower() == "always" else "always", m[0]))


def _modal(s: str) -> Iterator[str]:
    for m in re.finditer(r"\b(may|must)\b(?! not\b)", s, re.I):
        yield _swap(s, m, _cased("must" if m.group(1).lower() == "may" else "may", m[0]))


def _antonym(s: str) -> Iterator[str]:
    for m in _ANTONYM_RE.finditer(s):
        new = _cased(_ANTONYM[m[0].lower()], m[0])
        out = _swap(s, m, new)
        # The article before the word follows it: "a legitimate" -> "an illegitimate".
        head, tail = out[: m.start()], out[m.start() :]
        article = "an" if new[:1].lower() in "aeiou" else "a"
        head = re.sub(r"\b(?:a|an)(\s+)$", lambda a, art=article: _cased(art, a[0]) + a[1], head)
        yield head + tail


def _actor(s: str) -> Iterator[str]:
    for m in _ACTOR_RE.finditer(s):
        yield _swap(s, m, _cased(_ACTOR[m[0].lower()], m[0]))


EDITS: dict[str, Callable[[str], Iterator[str]]] = {
    "negation": _negation,
    "always_never": _always_never,
    "modal": _modal,
    "antonym": _antonym,
    "actor": _actor,
}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def false_versions(sentence: str) -> dict[str, list[str]]:
    """Every one-edit false version of ``sentence`` by edit kind (duplicates removed)."""
    out: dict[str, list[str]] = {}
    seen = {_norm(sentence)}
    for kind, edit in EDITS.items():
        for text in edit(sentence):
            text = " ".join(text.split())
            if _norm(text) not in seen:
                seen.add(_norm(text))
                out.setdefault(kind, []).append(text)
    return out


def _sentences(spec: Spec) -> Iterator[tuple[str, str, bool]]:
    """(section id, sentence, from a bullet) in spec order."""
    for section in spec.sections:
        try:
            [part] = SpecView([section]).parts
        except SpecTextError:  # a section with no sentences to quote
            continue
        for bullet in part.rules:
            for s in _SENTENCE.split(bullet):
                yield section.id, s, True
        for s in part.reasons:
            yield section.id, s, False


def rule_sentences(spec: Spec) -> list[tuple[str, str]]:
    """(section id, sentence) of every sentence that states a rule and fits the length."""
    out: list[tuple[str, str]] = []
    for section, s, bullet in _sentences(spec):
        if not MIN_WORDS <= len(s.split()) <= MAX_WORDS:
            continue
        if bullet or _RULE_WORD.search(s):
            out.append((section, s))
    return list(dict.fromkeys(out))


def _choose(rng: random.Random, by_kind: dict[str, list[str]], k: int) -> list[tuple[str, str]]:
    """Up to ``k`` (kind, text): one of each kind in a random order, then a second round."""
    pools = {kind: rng.sample(texts, len(texts)) for kind, texts in by_kind.items()}
    kinds = sorted(pools)
    rng.shuffle(kinds)
    out: list[tuple[str, str]] = []
    while len(out) < k and any(pools.values()):
        for kind in kinds:
            if pools[kind] and len(out) < k:
                out.append((kind, pools[kind].pop()))
    return out


def statements(spec: Spec | str | Path, seed: int = 0, max_false: int = 3) -> list[Statement]:
    """The spec's rule sentences, each with 1 to ``max_false`` false versions, in spec order.
    A sentence no edit applies to is left out."""
    if max_false < 1:
        raise ValueError(f"max_false must be 1 or more, got {max_false}")
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    kept = rule_sentences(spec)
    trues = {_norm(s) for _, s, _ in _sentences(spec)}
    out: list[Statement] = []
    for section, sentence in kept:
        by_kind = {
            kind: [t for t in texts if _norm(t) not in trues]
            for kind, texts in false_versions(sentence).items()
        }
        by_kind = {kind: texts for kind, texts in by_kind.items() if texts}
        if not by_kind:
            continue
        sid = f"{section}/{stable_hash(sentence, 8)}"
        chosen = _choose(random.Random(f"{seed}:{sid}"), by_kind, max_false)
        out.append(
            Statement(
                id=sid,
                section=section,
                true=sentence,
                false=tuple(t for _, t in chosen),
                edits=tuple(kind for kind, _ in chosen),
            )
        )
    return out


def items_for_contamination(spec: Spec | str | Path) -> list[str]:
    """Every statement text an eval of ``spec`` can show, at any seed: each rule sentence and
    every one-edit false version of it."""
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    texts: list[str] = []
    for _, sentence in rule_sentences(spec):
        texts.append(sentence)
        for versions in false_versions(sentence).values():
            texts.extend(versions)
    return list(dict.fromkeys(texts))
