"""Token budgets: one grammar for an experiment's ``tokens:`` and a ``--data PATH:TOKENS`` spec.

A budget is a whole number with an optional unit: ``50000``, ``"50k"``, ``"1.5M"``, ``"2b"``
(or ``"2g"``), ``"5000t"`` (``t``, ``tok`` and ``tokens`` mean single tokens), case-insensitive,
space allowed before the unit. Decimals scale exactly: ``"4.35k"`` is 4350.

In a data spec the suffix after the last ``:`` is either a budget or a weight (``a.jsonl:2``:
every row twice), so there a budget must carry its unit (``a.jsonl:2000t``); a bare number is
a weight. ``has_unit`` tells the two apart.
"""

from __future__ import annotations

import re
from decimal import Decimal

_TOKENS = re.compile(r"^(\d+(?:\.\d+)?)\s*(k|m|b|g|t|tok|tokens)?$", re.IGNORECASE)
_SCALE = {"": 1, "t": 1, "tok": 1, "tokens": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9}
EXAMPLES = "50000, '50k', '1.5M' or '5000t'"


def has_unit(text: str) -> bool:
    """Whether ``text`` is a budget written with its unit (what a data spec's suffix needs)."""
    m = _TOKENS.match(text.strip())
    return bool(m and m.group(2))


def parse_tokens(value: int | str) -> int:
    """``50000``, ``"50k"``, ``"1.5M"``, ``"5000t"`` -> a positive number of tokens."""
    if isinstance(value, bool):
        raise ValueError(f"expected a token count such as {EXAMPLES}")
    if isinstance(value, int):
        tokens = value
    else:
        m = _TOKENS.match(str(value).strip())
        if not m:
            raise ValueError(f"expected a token count such as {EXAMPLES}, got {value!r}")
        tokens = int(Decimal(m.group(1)) * _SCALE[(m.group(2) or "").lower()])
    if tokens <= 0:
        raise ValueError("a token budget must be positive")
    return tokens
