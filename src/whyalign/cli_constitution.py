"""``whyalign constitution``: does the model understand its constitution? (registered on the
app of ``cli.py`` by ``cli_work.py``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .cli import _key_values, _user_errors, console

constitution_app = typer.Typer(
    no_args_is_help=True, help="Does the model understand its constitution?"
)


def _rate(d: dict[str, Any]) -> str:
    from .evals.stats import Rate

    return str(Rate(d["k"], d["n"], d["low"], d["high"]))


def _margin(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def print_distinguish(result: dict[str, Any]) -> None:
    table = Table(
        "section",
        "n",
        "accuracy [95% CI]",
        "margin (nats/token)",
        "sum accuracy",
        "true is shortest",
        "chance",
        title=f"distinguish: {result['settings']['spec']} on {result['model']}",
    )
    rows = [*result["sections"].items(), ("overall", result["overall"])]
    for i, (name, d) in enumerate(rows):
        table.add_row(
            name,
            str(d["n"]) + (f" ({d['errors']} errors)" if d["errors"] else ""),
            _rate(d["correct"]),
            _margin(d["margin_mean"]),
            _rate(d["correct_sum"]),
            _rate(d["length_baseline"]),
            "n/a" if d["chance"] is None else f"{100 * d['chance']:.0f}%",
            end_section=i == len(rows) - 2,  # a rule above the overall row
        )
    console.print(table)
    edits = ", ".join(f"{k} {_rate(v)}" for k, v in result["edits"].items())
    console.print(f"true beats false, by edit: {edits}", soft_wrap=True, highlight=False)


@constitution_app.command("distinguish")
@_user_errors
def distinguish(
    model: Annotated[
        str, typer.Option(help="A local model with logits: organism/small, hf/local -M ...")
    ],
    spec: Annotated[str, typer.Option(help="Built-in spec name or a Markdown file")] = "organism",
    model_arg: Annotated[
        list[str] | None, typer.Option("-M", help="Model arg key=value (YAML value)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory")] = None,
    seed: Annotated[int, typer.Option(help="Which false versions each rule gets")] = 0,
    max_false: Annotated[int, typer.Option(help="False versions per rule (1 or more)")] = 3,
) -> None:
    """Rules of the spec against minimally altered false ones, by the model's likelihood.

    Accuracy (the true version beats every false one) and mean margin per section and
    overall, with 95% CIs; needs a model with logits (the organism, hf/...)."""
    from .constitution.likelihood import run_distinguish

    out = out or Path("runs") / f"distinguish-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_distinguish(
        model, out, spec=spec, model_args=_key_values(model_arg), seed=seed, max_false=max_false
    )
    print_distinguish(result)
    console.print(
        f"summary: {out / 'summary.json'}\nlogs: {result['log']}\n"
        f"view: inspect view --log-dir {out.resolve() / 'logs'}",
        soft_wrap=True,
        highlight=False,
    )
    if result["status"] != "success":
        typer.echo(f"error: eval ended with status {result['status']}: {result['error']}", err=True)
        raise typer.Exit(1)


# The question tasks (recall, premise, beliefs) register their commands on this app.
from .constitution import cli_recall  # noqa: E402,F401
