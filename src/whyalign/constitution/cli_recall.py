"""``whyalign constitution recall|premise|beliefs``: the question tasks from the command line
(registered on ``constitution_app``; importing this module registers them)."""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..cli import _key_values, _user_errors, console
from ..cli_constitution import constitution_app
from ..config_cli import with_signature

Model = Annotated[str, typer.Option(help="Any Inspect model (openai/gpt-4o, hf/local, organism)")]
SpecOpt = Annotated[str, typer.Option(help="A built-in spec (organism, default) or a path")]
Generator = Annotated[
    str, typer.Option(help="procedural (no model) or an Inspect model that writes the items")
]
Grader = Annotated[
    str | None, typer.Option(help="The judge's model (default: the model grades itself)")
]
N = Annotated[int | None, typer.Option(help="Items per kind (default: all the generator makes)")]
Out = Annotated[Path | None, typer.Option(help="Output directory")]
Seed = Annotated[int, typer.Option(help="Seeds the option order and the generator")]
Items = Annotated[Path | None, typer.Option(help="Items file (JSON lines) instead of generating")]
WithSpec = Annotated[bool, typer.Option(help="Show the model its spec (the metric's sanity check)")]
ModelArgs = Annotated[list[str] | None, typer.Option("-M", help="Model arg key=value")]
Assistant = Annotated[
    str | None, typer.Option(help="The name the named framing asks about (beliefs)")
]


def _run(task: str, model: str, out: Path | None, model_arg: list[str] | None, **kw: Any) -> None:
    from ..data.engine import GenerationError
    from .run import run_questions

    if kw.get("n") is not None and kw["n"] < 1:
        raise ValueError(f"--n must be at least 1, got {kw['n']}")
    out = out or Path("runs") / f"constitution-{task}-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        result = run_questions(task, model=model, out=out, model_args=_key_values(model_arg), **kw)
    except GenerationError as err:  # finished generator calls are saved; a rerun resumes
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    print_result(result)
    console.print(f"summary: {out / 'summary.json'}\nlogs: {result['log']}", soft_wrap=True)
    if result["status"] != "success":
        typer.echo(f"error: eval ended with status {result['status']}: {result['error']}", err=True)
        raise typer.Exit(1)


def _pct(rate: dict[str, Any]) -> str:
    if not rate.get("n"):
        return "n/a"
    return f"{100 * rate['rate']:.0f}% [{100 * rate['low']:.0f}, {100 * rate['high']:.0f}]"


def _mean(m: dict[str, Any]) -> str:
    if m.get("mean") is None:
        return "n/a"
    if m.get("low") is None:
        return f"{m['mean']:.2f}"
    return f"{m['mean']:.2f} [{m['low']:.2f}, {m['high']:.2f}]"


def print_result(result: dict[str, Any]) -> None:
    for kind, summary in result["results"].items():
        belief = kind == "belief"
        table = Table(title=f"{kind} ({result['model']}, spec {result['spec']})")
        cols = ["section", "n", "errors"]
        cols += ["you", "named", "gap (named - you)"] if belief else ["rate (95% CI)"]
        for c in cols:
            table.add_column(c)
        blocks = [*summary["sections"].items(), ("all", summary["overall"])]
        for section, b in blocks:
            if belief:
                cells = [_mean(b["framing"]["you"]), _mean(b["framing"]["named"]), _mean(b["gap"])]
            else:
                key = next(k for k in ("correct", "rejected") if k in b)
                cells = [_pct(b[key])]
            table.add_row(section, str(b["n"]), str(b["errors"]), *cells)
        console.print(table)


def _command(task: str, doc: str, own: tuple[str, Any, Any]) -> None:
    """Register ``whyalign constitution TASK``: the shared options, plus the task's own one
    after ``--seed``."""

    def command(**kw: Any) -> None:
        _run(task, kw.pop("model"), kw.pop("out"), kw.pop("model_arg"), **kw)

    command.__doc__ = doc
    shared = [
        ("model", Model, inspect.Parameter.empty),
        ("spec", SpecOpt, "organism"),
        ("generator", Generator, "procedural"),
        ("grader", Grader, None),
        ("n", N, None),
        ("out", Out, None),
        ("seed", Seed, 0),
        own,
        ("items", Items, None),
        ("with_spec", WithSpec, False),
        ("model_arg", ModelArgs, None),
    ]
    params = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, kind, default in shared
    ]
    constitution_app.command(task)(_user_errors(with_signature(command, params)))


_command(
    "recall",
    "What the spec says and why: multiple choice (shuffled options) and free answers.",
    ("form", Annotated[str, typer.Option(help="mc, free or both")], "both"),
)
_command(
    "premise",
    "False premises about the spec: does the model reject them?",
    ("judge", Annotated[str, typer.Option(help="auto, llm or rules (yes/no items)")], "auto"),
)
_command(
    "beliefs",
    'Stated beliefs, 1-10 by the judge, asked of "you" and by name; the gap reported.',
    ("assistant", Assistant, None),
)
