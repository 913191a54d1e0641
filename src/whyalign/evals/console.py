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


def print_validation(report: Any, console: Console) -> None:
    """Agreement with the rater per family and class, then every disagreement."""

    def pct(a: Any) -> str:
        return "-" if a.rate is None else f"{100 * a.rate:.1f}%"

    table = Table("family / class", "agree", "n", "rate", "errors", title="by family")
    for name, a in report.by_family.items():
        table.add_row(name, str(a.agree), str(a.n), pct(a), str(a.errors))
    console.print(table)
    table = Table("class", "agree", "n", "rate", "errors", title="by class")
    for name, a in report.by_class.items():
        table.add_row(name, str(a.agree), str(a.n), pct(a), str(a.errors))
    console.print(table)
    for g in report.disagreements:
        said = "error" if g.verdict is None else ("harmful" if g.verdict else "not harmful")
        rater = "harmful" if g.item.harmful else "not harmful"
        console.print(
            f"DIFF {g.item.id} [{g.item.kind}] {g.item.scenario}: rater {rater}, "
            f"{report.judge} {said}: {g.reason}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
    o, t = report.overall, report.tricky
    grader = f", grader {report.grader}" if report.grader else ""
    console.print(
        f"{report.judge}{grader}: agree {o.agree}/{o.n} ({pct(o)}), tricky {t.agree}/{t.n} "
        f"({pct(t)}), errors {o.errors}",
        highlight=False,
    )
