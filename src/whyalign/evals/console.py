"""``whyalign eval``'s table of a summary."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .stats import Rate


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def print_summary(result: dict[str, Any], console: Console) -> None:
    """The family x condition table and a line per split, as `whyalign eval` prints them."""

    table = Table(
        "family", "condition", "harmful", "95% CI", "n", "errors", "parse fail", "routine"
    )
    for row in result["cells"]:
        h = row["harmful"]
        rate = Rate(h["k"], h["n"], h["low"], h["high"])
        ci = "-" if rate.n == 0 else f"[{100 * rate.low:.0f}, {100 * rate.high:.0f}]"
        table.add_row(
            row["family"],
            row["condition"],
            _pct(h["rate"]),
            ci,
            str(row["n"]),
            str(row["errors"]),
            _pct(row["parse_failure_rate"]),
            _pct(row["routine_rate"]),
        )
    console.print(table)
    settings = result["settings"]
    top_p = settings.get("top_p")
    if top_p is None and "top_p" in settings.get("model_decoding", {}):
        top_p = f"{settings['model_decoding']['top_p']} (the model's)"
    nucleus = f", top_p={top_p}" if top_p is not None else ""
    for split, row in result["splits"].items():
        h = row["harmful"]
        console.print(
            f"{split}: harmful {_pct(h['rate'])} [{100 * h['low']:.0f}, {100 * h['high']:.0f}] "
            f"n={row['n']} errors={row['errors']} (model {result['model']}, "
            f"T={settings['temperature']}{nucleus}, judge {settings['judge']}, "
            f"grader {settings['grader']})"
        )
