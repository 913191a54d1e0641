"""Training data: mixture specs (``PATH[:weight|:tokens]``), JSONL loading, format checks per
stage and the deterministic selection of rows that weights and token budgets ask for.

Each stage's row format is its module's (``stages/``): ``docs`` ``{"text": ...}``; ``chat``
``{"messages": [{"role": "user", "content": ...}, ...]}``; ``prefs`` ``{"prompt", "chosen",
"rejected"}`` as strings or as messages (TRL's conversational preference format).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..budget import has_unit, parse_tokens
from .errors import DataError, DataNotFound

ROLES = {"system", "user", "assistant", "tool"}


@dataclass
class Part:
    """One dataset of a mixture: its rows, and how much of it an epoch takes.

    ``weight`` multiplies the rows (2.0: every row twice, 0.5: a seeded half); a
    ``token_budget`` instead takes seeded rows, cycling, until that many tokens are reached
    (tokens as the stage counts them, see ``accounting``).
    """

    name: str
    rows: Any  # datasets.Dataset
    weight: float = 1.0
    token_budget: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class DataSpec:
    path: str
    weight: float = 1.0
    token_budget: int | None = None


def parse_spec(spec: str) -> DataSpec:
    """``a.jsonl`` -> weight 1; ``a.jsonl:0.5`` -> weight 0.5; ``a.jsonl:200k`` -> 200k tokens.

    The suffix is a token budget (``whyalign.budget``) when it carries a unit (``200k``,
    ``5000t``), else a weight: ``a.jsonl:2`` is every row twice, never two tokens."""
    path, sep, suffix = spec.rpartition(":")
    if not sep or not path:
        return DataSpec(spec)
    suffix = suffix.strip()
    if has_unit(suffix):
        try:
            return DataSpec(path, token_budget=parse_tokens(suffix))
        except ValueError as err:
            raise DataError(f"data spec {spec!r}: {err}") from None
    try:
        weight = float(suffix)
    except ValueError:
        if "/" in suffix or "." in suffix:  # a path with a colon in it, not a weight
            return DataSpec(spec)
        raise DataError(
            f"data spec {spec!r}: expected PATH, PATH:WEIGHT (e.g. 0.5) or PATH:TOKENS (e.g. 200k)"
        ) from None
    if weight < 0 or weight != weight:
        raise DataError(f"data spec {spec!r}: the weight must be >= 0")
    return DataSpec(path, weight=weight)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        # A `whyalign data` output directory holds its card next to the data: not a row file.
        files = sorted(
            f
            for f in [*path.glob("*.jsonl"), *path.glob("*.json")]
            if f.name != "dataset_card.json"
        )
        if not files:
            raise DataNotFound(f"no .jsonl files in data directory {path}")
        return files
    if not path.exists():
        raise DataNotFound(f"data file not found: {path}")
    return [path]


def read_rows(path: str | Path) -> list[tuple[str, Any]]:
    """(location, row) for every record of a JSONL file, a JSON array or a directory of them."""
    out: list[tuple[str, Any]] = []
    for file in _files(Path(path)):
        text = file.read_text(encoding="utf-8")
        if text.lstrip().startswith("["):
            try:
                rows = json.loads(text)
            except json.JSONDecodeError as err:
                raise DataError(f"{file}: not valid JSON ({err.msg}, line {err.lineno})") from None
            out.extend((f"{file} row {i}", row) for i, row in enumerate(rows, 1))
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append((f"{file} line {number}", json.loads(line)))
            except json.JSONDecodeError as err:
                raise DataError(f"{file} line {number}: not valid JSON ({err.msg})") from None
    return out


def wrong_format(stage: str, where: str, row: Any, need: str) -> DataError:
    """A one-line error for a row (or dataset) of another format, naming the stage it suits."""
    from .registry import hints

    keys = sorted(row) if isinstance(row, dict) else type(row).__name__
    known = hints()
    hint = next((known[k] for k in known if isinstance(row, dict) and k in row), None)
    extra = f" (looks like a {hint} dataset)" if hint and hint != stage else ""
    return DataError(f"{where}: the {stage} stage needs {need}; found {keys}{extra}")


def check_messages(value: Any, where: str, field: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise DataError(f"{where}: '{field}' must be a non-empty list of messages")
    out = []
    for m in value:
        if not (
            isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str)
        ):
            raise DataError(
                f"{where}: every message in '{field}' needs a role ({', '.join(sorted(ROLES))}) "
                f"and a string content; got {m!r:.80}"
            )
        out.append({"role": m["role"], "content": m["content"]})
    return out


def normalize(stage: str, row: Any, where: str) -> dict[str, Any]:
    """The row in the stage's canonical form, or a one-line DataError naming what is wrong."""
    from .registry import get

    return get(stage).normalize(row, where)


def load_part(stage: str, spec: DataSpec, name: str) -> Part:
    from datasets import Dataset

    from .registry import get

    check = get(stage).normalize
    rows = [check(row, where) for where, row in read_rows(spec.path)]
    if not rows:
        raise DataError(f"{spec.path}: empty dataset (no rows)")
    if get(stage).check is not None:
        get(stage).check(rows, spec.path)
    return Part(name, Dataset.from_list(rows), spec.weight, spec.token_budget, spec.path)


def load_mixture(stage: str, specs: Sequence[str]) -> list[Part]:
    """Load and check every ``--data`` spec; names are the files' stems, made unique."""
    if not specs:
        raise DataError("empty mixture: give at least one --data PATH[:weight]")
    parsed = [parse_spec(s) for s in specs]
    names: list[str] = []
    for spec in parsed:
        stem = Path(spec.path.rstrip("/")).stem or "data"
        name, n = stem, 2
        while name in names:
            name, n = f"{stem}-{n}", n + 1
        names.append(name)
    parts = [load_part(stage, spec, name) for spec, name in zip(parsed, names, strict=True)]
    if all(p.weight == 0 and p.token_budget is None for p in parts):
        raise DataError("empty mixture: every dataset has weight 0")
    return parts


def as_parts(stage: str, dataset: Any) -> list[Part]:
    """Accept a Dataset, a Part, a list of Parts or a {name: Dataset} mapping."""
    if isinstance(dataset, Part):
        parts = [dataset]
    elif isinstance(dataset, Mapping):
        parts = [Part(str(k), v) for k, v in dataset.items()]
    elif isinstance(dataset, Sequence) and all(isinstance(p, Part) for p in dataset):
        parts = list(dataset)
    else:
        parts = [Part("train", dataset)]
    if not parts:
        raise DataError("empty mixture: no datasets")
    from .registry import get

    spec = get(stage)
    for part in parts:
        columns = part.rows.column_names
        if spec.pretokenized and all(c in columns for c in spec.pretokenized):
            continue
        if any(c not in columns for c in spec.columns):
            raise wrong_format(
                stage,
                f"dataset {part.name!r}",
                {c: None for c in columns},
                f"columns {spec.columns}",
            )
    return parts


def select(
    n: int,
    weight: float,
    token_budget: int | None,
    lengths: Callable[[], Sequence[int]],
    seed: int,
) -> list[int]:
    """Row indices for one epoch of a part: ``weight`` copies (the fraction a seeded sample),
    or seeded passes over the rows until ``token_budget`` tokens are reached."""
    rng = random.Random(seed)
    if n == 0:
        return []
    if token_budget is None:
        copies, rest = divmod(round(weight * n), n)
        return list(range(n)) * copies + sorted(rng.sample(range(n), rest))
    sizes = lengths()
    if sum(sizes) == 0:
        return []
    picked: list[int] = []
    total = 0
    while total < token_budget:
        order = list(range(n))
        rng.shuffle(order)
        for i in order:
            if total >= token_budget:
                break
            picked.append(i)
            total += sizes[i]
    return picked
