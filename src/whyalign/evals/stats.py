"""Rates with Wilson score intervals (sound at small n and at 0% or 100%)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Rate:
    k: int
    n: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def to_dict(self) -> dict:
        return {**asdict(self), "rate": None if self.n == 0 else self.rate}

    def __str__(self) -> str:
        if self.n == 0:
            return "n/a"
        return f"{100 * self.rate:.0f}% [{100 * self.low:.0f}, {100 * self.high:.0f}]"


def wilson(k: int, n: int, z: float = 1.959963984540054) -> Rate:
    """Wilson 95% interval for k successes in n trials."""
    if n == 0:
        return Rate(0, 0, 0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Rate(k, n, max(0.0, centre - half), min(1.0, centre + half))
