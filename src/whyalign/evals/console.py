"""``whyalign eval``'s table of a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .stats import Rate


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


HEADERS = ("family", "condition", "harmful", "95% CI", "n", "errors", "parse fail", "routine")


def _cell_rows(result: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    for row in result["cells"]:
        h = row["harmful"]
        rate = Rate(h["k"], h["n"], h["low"], h["high"])
        ci = "-" if rate.n == 0 else f"[{100 * rate.low:.0f}, {100 * rate.high:.0f}]"
        rows.append(
            (
                row["family"],
                row["condition"],
                _pct(h["rate"]),
                ci,
                str(row["n"]),
                str(row["errors"]),
                _pct(row["parse_failure_rate"]),
                _pct(row["routine_rate"]),
            )
        )
    return rows


def print_cells(rows: list[tuple[str, ...]], console: Console) -> None:
    """A boxed table where it fits; otherwise (a pipe, an 80-column terminal) one plain line
    per cell in aligned columns, never cut: a boxed table squeezed to fit would shorten the
    family and condition ids to ``data_fal…`` and the cells could not be told apart."""
    table = Table(*HEADERS)
    for row in rows:
        table.add_row(*row)
    wide = console.options.update_width(10_000)
    if console.measure(table, options=wide).maximum <= console.width:
        console.print(table)
        return
    widths = [max(len(r[i]) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for row in [HEADERS, *rows]:
        text = "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        console.print(text.rstrip(), soft_wrap=True, highlight=False, markup=False)


def print_summary(result: dict[str, Any], console: Console) -> None:
    """The family x condition table and a line per split, as `whyalign eval` prints them."""
    print_cells(_cell_rows(result), console)
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
    for family, row in result.get("skill", {}).items():
        drop = row["accuracy_drop"]
        if drop is None:
            continue
        console.print(
            f"{family}: accuracy calm {_pct(row['calm_accuracy']['rate'])} -> under threat "
            f"{_pct(row['threat_accuracy']['rate'])}, drop {100 * drop['estimate']:+.0f} points "
            f"[{100 * drop['low']:+.0f}, {100 * drop['high']:+.0f}] on "
            f"{row['paired_questions']} questions; wrong under threat "
            f"{_pct(row['wrong_under_threat']['rate'])}",
            highlight=False,
        )
    panel = result.get("panel")
    if panel and len(panel["graders"]) > 1:
        console.print(
            f"panel of {len(panel['graders'])}: split on {panel['split']}/{panel['judged']} "
            f"samples ({_pct(panel['split_rate'])}), no majority on {panel['no_majority']}",
            highlight=False,
        )


def print_rescore(result: dict[str, Any], console: Console) -> None:
    """Each split's harmful rate before and after a rescore, and where the new files are."""
    before = result.get("before", {}).get("splits", {})
    for split, row in result["splits"].items():
        old = before.get(split, {}).get("harmful", {})
        was = f"{_pct(old.get('rate'))} (errors {before[split]['errors']})" if old else "-"
        console.print(
            f"{split}: harmful {was} -> {_pct(row['harmful']['rate'])} (errors {row['errors']})",
            highlight=False,
        )
    logs = result["log"] if isinstance(result["log"], list) else [result["log"]]
    console.print(
        f"rescored {result['samples_total']} samples of {result['rescored_from']} "
        f"(judge {result['settings']['judge']}); logs: {', '.join(logs)}; "
        f"summary: {Path(logs[0]).parent.parent / 'summary.json'}",
        highlight=False,
        soft_wrap=True,
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
