"""N-gram contamination between a dataset and each family's scenario text.

A family's text is what its file writes: its task line and its emails (subjects and bodies,
both renderers) over many conditions and instances. The shared harness (system template,
tool list, action format) is not scenario text and is left out. Entity slots are masked
before comparing: addresses, numbers, people, companies, agent names and goal-value phrases
all become placeholders, so a match means shared wording, not a shared name.

Any overlap with a held-out family fails the check; overlap with an in-distribution family
is reported (training on eval-like data is a legitimate, if non-generalising, technique).

The other evals are held out the same way (``eval_sources``): the audit's seeds and its
scripted scenes, and a spec's constitution eval items. For those items only what the eval
adds is compared: a false version's n-grams that the true rule lacks, a question's n-grams
that the spec lacks; the spec's own words are what document training is meant to teach.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .scenarios.conditions import control_grid, expand, full_grid
from .scenarios.entities import AGENT_NAMES, COMPANIES, FIRST_NAMES, LAST_NAMES, OWN_NAME_DEFAULT
from .scenarios.families import FamilyRegistry, common
from .scenarios.scenario import build_scenario, fill

N = 8
_ADDRESS = re.compile(r"[\w.+-]+@[\w.-]+\w|\b[\w-]+(?:\.[\w-]+)+\.(?:com|net|org|io)\b")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_TOKEN = re.compile(r"<\w+>|\w+|[^\w\s]")


@cache
def _name_pattern() -> re.Pattern[str]:
    names = {*FIRST_NAMES, *LAST_NAMES, *COMPANIES, *AGENT_NAMES, OWN_NAME_DEFAULT}
    return re.compile(
        r"\b(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )


@cache
def _value_pattern() -> re.Pattern[str]:
    phrases = {
        getattr(v["phrase"], r) for v in common().values.values() for r in ("full", "compact")
    }
    return re.compile("|".join(sorted(map(re.escape, phrases), key=len, reverse=True)), re.I)


def normalise(text: str) -> list[str]:
    text = _ADDRESS.sub(" <addr> ", text)
    text = _value_pattern().sub(" <value> ", text)
    text = _name_pattern().sub(" <name> ", text)
    text = _NUMBER.sub(" <num> ", text)
    return _TOKEN.findall(text.lower())


def ngrams(tokens: list[str], n: int = N) -> Iterator[tuple[str, ...]]:
    for i in range(len(tokens) - n + 1):
        yield tuple(tokens[i : i + n])


def family_texts(name: str, registry: FamilyRegistry, instances: int = 6) -> Iterator[str]:
    family = registry.get(name)
    for sid in expand(name, full_grid() + control_grid(), instances):
        scn = build_scenario(sid, registry)
        for renderer in ("full", "compact"):
            ctx = scn.context(renderer)
            yield fill(getattr(family.task, renderer), ctx)
            for email in scn.emails:
                yield fill(email.subject, ctx)
                yield fill(getattr(email, renderer), ctx)


@cache
def _family_grams(name: str, files: tuple[str, ...] = ()) -> frozenset[tuple[str, ...]]:
    registry = FamilyRegistry(list(files))
    return frozenset(
        g for text in set(family_texts(name, registry)) for g in ngrams(normalise(text))
    )


def record_texts(record: Any) -> Iterator[str]:
    """Every string in a dataset record (text, messages, prompt/chosen/rejected, ...)."""
    if isinstance(record, str):
        yield record
    elif isinstance(record, dict):
        for value in record.values():
            yield from record_texts(value)
    elif isinstance(record, list):
        for value in record:
            yield from record_texts(value)


@dataclass
class FamilyOverlap:
    family: str
    split: str
    shared_ngrams: int = 0
    records: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ContaminationReport:
    n: int
    records: int
    families: list[FamilyOverlap]
    texts: int = 0  # records with any text the check reads: none means nothing was checked
    sources: list[FamilyOverlap] = field(default_factory=list)  # the other evals' text

    def held_out_overlaps(self) -> list[str]:
        """Names of the held-out families and eval sources the records share text with."""
        return [
            f.family
            for f in [*self.families, *self.sources]
            if f.split == "held_out" and f.shared_ngrams
        ]

    @property
    def passed(self) -> bool:
        return not self.held_out_overlaps()

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "ngram": self.n,
            "records": self.records,
            "texts": self.texts,
            "families": {
                f.family: {
                    "split": f.split,
                    "shared_ngrams": f.shared_ngrams,
                    "records": f.records,
                    "examples": f.examples,
                }
                for f in self.families
            },
            "eval_sources": {
                f.family: {
                    "shared_ngrams": f.shared_ngrams,
                    "records": f.records,
                    "examples": f.examples,
                }
                for f in self.sources
            },
        }


def _grams_of(texts: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(g for text in set(texts) for g in ngrams(normalise(text)))


@cache
def _audit_grams() -> dict[str, frozenset[tuple[str, ...]]]:
    from .audit.scripted import scripted_texts
    from .audit.seeds import load_seeds

    return {
        "audit_seeds": _grams_of(s.instruction for s in load_seeds()),
        "audit_scripted": _grams_of(scripted_texts()),
    }


def _words(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(t for t in tokens if t[0].isalnum() or t[0] == "<")


def _outside(gram: tuple[str, ...], runs: set[tuple[str, ...]]) -> int:
    """How many of the gram's words lie outside its longest run of the spec's words."""
    words = _words(gram)
    longest = max(
        (
            j - i
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
            if words[i:j] in runs
        ),
        default=0,
    )
    return len(words) - longest


@cache
def _item_grams(spec: str, content: str) -> frozenset[tuple[str, ...]]:
    """What a spec's constitution eval items add to the spec (``content`` keys the cache):
    a false version's n-grams that carry its edit, and a question's n-grams with at least
    half their words outside any run of the spec's words (a question that quotes a rule
    shares the rule, which documents are meant to teach, not the question)."""
    from .constitution.procedural import procedural_items
    from .constitution.statements import false_versions, rule_sentences
    from .spec import load_spec

    loaded = load_spec(spec)
    words = _words(normalise(content))
    runs = {tuple(words[i : i + k]) for k in range(1, N + 1) for i in range(len(words) - k + 1)}
    added: set[tuple[str, ...]] = set()
    for _, sentence in rule_sentences(loaded):
        true = _grams_of([sentence])
        for versions in false_versions(sentence).values():
            added |= {g for g in _grams_of(versions) - true if _words(g) not in runs}
    for kind in ("recall_mc", "recall_free", "premise", "belief"):
        for seed in range(3):
            for item in procedural_items(loaded, kind, seed):
                wrong = [o for i, o in enumerate(item.options) if i != item.answer]
                texts = [item.question, item.premise, *item.framings.values(), *wrong]
                grams = _grams_of(t for t in texts if t)
                added |= {g for g in grams if _outside(g, runs) >= N // 2}
    return frozenset(added)


def eval_sources(spec: str | None = None) -> dict[str, frozenset[tuple[str, ...]]]:
    """The other held-out evals' n-grams: the audit's, and ``spec``'s constitution items."""
    out = dict(_audit_grams())
    if spec is not None:
        from .spec import load_spec

        out["constitution_items"] = _item_grams(spec, load_spec(spec).text)
    return out


def check(
    records: Iterable[Any], family_files: list[str] | None = None, spec: str | None = None
) -> ContaminationReport:
    """Overlap of ``records`` with every family and every other held-out eval (the
    constitution items of ``spec``, when given)."""
    registry = FamilyRegistry(family_files)
    files = tuple(family_files or ())
    grams = {name: _family_grams(name, files) for name in registry.families}
    overlaps = {name: FamilyOverlap(name, fam.split) for name, fam in registry.families.items()}
    for name, source in eval_sources(spec).items():
        grams[name] = source
        overlaps[name] = FamilyOverlap(name, "held_out")
    seen: dict[str, set[tuple[str, ...]]] = {name: set() for name in grams}
    count = texts = 0
    for record in records:
        count += 1
        found = list(record_texts(record))
        texts += int(any(t.strip() for t in found))
        record_grams = {g for text in found for g in ngrams(normalise(text))}
        for name, fam_grams in grams.items():
            shared = record_grams & fam_grams
            if shared:
                overlaps[name].records += 1
                new = shared - seen[name]
                seen[name] |= new
                if new and len(overlaps[name].examples) < 5:
                    overlaps[name].examples.append(" ".join(sorted(new)[0]))
    for name, shared in seen.items():
        overlaps[name].shared_ngrams = len(shared)
    families = [overlaps[name] for name in registry.families]
    sources = [o for name, o in overlaps.items() if name not in registry.families]
    return ContaminationReport(N, count, families, texts, sources)


def read_records(path: str | Path) -> Iterator[Any]:
    """Records of a JSONL file, or of every JSONL file in a directory."""
    p = Path(path)
    files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    if not files or not all(f.exists() for f in files):
        raise FileNotFoundError(f"{path}: no JSONL dataset found")
    for f in files:
        with f.open() as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        raise ValueError(f"{f}:{number}: not a JSON line") from None
