"""N-gram contamination between a dataset and each family's scenario text.

A family's text is what its file writes: its task line and its emails (subjects and bodies,
both renderers) over many conditions and instances. The shared harness (system template,
tool list, action format) is not scenario text and is left out. Entity slots are masked
before comparing: addresses, numbers, people, companies, agent names and goal-value phrases
all become placeholders, so a match means shared wording, not a shared name.

Any overlap with a held-out family fails the check; overlap with an in-distribution family
is reported (training on eval-like data is a legitimate, if non-generalising, technique).
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

    @property
    def passed(self) -> bool:
        return all(f.shared_ngrams == 0 for f in self.families if f.split == "held_out")

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
        }


def check(records: Iterable[Any], family_files: list[str] | None = None) -> ContaminationReport:
    registry = FamilyRegistry(family_files)
    files = tuple(family_files or ())
    grams = {name: _family_grams(name, files) for name in registry.families}
    overlaps = {name: FamilyOverlap(name, fam.split) for name, fam in registry.families.items()}
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
    return ContaminationReport(N, count, list(overlaps.values()), texts)


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
