"""``whyalign audit``: the automated alignment audit (registered on the app of ``cli.py``)."""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from . import config_cli
from .cli import _key_values, _user_errors, app, console

audit_app = typer.Typer(
    no_args_is_help=True,
    help="The automated alignment audit: an auditor stages the target's world from seed "
    "instructions, a judge scores each transcript on dimensions.",
)
app.add_typer(audit_app, name="audit")

FORMATS = ("table", "json")


def _where(out: Path, summary: dict[str, Any]) -> str:
    logs = summary.get("logs") or []
    return (
        f"summary: {out / 'summary.json'}\nlogs: {', '.join(logs) or out}\n"
        f"view: inspect view --log-dir {(out / 'logs').resolve()}"
    )


def run(
    target: str,
    auditor_model: str | None = None,
    model_arg: list[str] | None = None,
    out: Path | None = None,
    output_format: str = "table",
    **settings: Any,
) -> None:
    """Audit a target model: the summary, the audit's validity first.

    An auditor (--auditor-model, or --auditor scripted) stages the target's world from each
    seed; the judge scores every transcript. Writes summary.json and keeps the Inspect logs
    (`inspect view` shows every transcript)."""
    from .audit.config import AuditConfig, make_audit_config
    from .audit.run import run_audit
    from .audit.summary import format_summary

    if output_format not in FORMATS:
        raise ValueError(f"--format {output_format!r}: one of {', '.join(FORMATS)}")
    config = make_audit_config(**config_cli.given(AuditConfig, settings))
    out = out or Path("runs") / f"audit-{time.strftime('%Y%m%d-%H%M%S')}"
    summary = run_audit(
        config, target, auditor=auditor_model, log_dir=out, model_args=_key_values(model_arg)
    )
    if output_format == "json":  # stdout: summary.json itself
        typer.echo((out / "summary.json").read_text())
        typer.echo(_where(out, summary), err=True)
    else:
        typer.echo(format_summary(summary))
        console.print(_where(out, summary), soft_wrap=True, highlight=False)
    status = summary.get("status", "success")
    if status != "success":
        typer.echo(f"error: audit ended with status {status}: {summary.get('error')}", err=True)
        raise typer.Exit(1)


def _option(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _run_command() -> None:
    from .audit.config import AuditConfig

    params = [
        _option(
            "target",
            Annotated[
                str, typer.Option(help="The audited model (openai/..., hf/local, organism/small)")
            ],
        ),
        _option(
            "auditor_model",
            Annotated[
                str | None,
                typer.Option(help="The auditor's model (the 'auditor' role; --auditor llm)"),
            ],
            None,
        ),
        *config_cli.options(AuditConfig),
        _option(
            "model_arg",
            Annotated[
                list[str] | None,
                typer.Option("-M", help="Target model arg key=value (YAML value)"),
            ],
            None,
        ),
        _option("out", Annotated[Path | None, typer.Option(help="Output directory")], None),
        _option(
            "output_format",
            Annotated[
                str,
                typer.Option("--format", help="table (default) or json (summary.json on stdout)"),
            ],
            "table",
        ),
    ]
    audit_app.command("run")(_user_errors(config_cli.with_signature(run, params)))


_run_command()


@audit_app.command("seeds")
@_user_errors
def seeds(
    list_: Annotated[bool, typer.Option("--list", help="List seeds: id and tags")] = False,
    seeds: Annotated[
        str | None,
        typer.Option(help="With --list: tags:a,b | ids a,b | a .md file | a folder"),
    ] = None,
    from_spec: Annotated[
        str | None,
        typer.Option(help="Write one seed per testable tenet of this spec (name or file)"),
    ] = None,
    generator: Annotated[
        str | None, typer.Option(help="With --from-spec: the model that writes the seeds")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="With --from-spec: the folder to write seeds into")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="With --from-spec: the first N tenets only")
    ] = None,
) -> None:
    """List the audit's seeds, or write seeds from a spec.

    --list [--seeds SELECTOR]: id and tags of each seed. --from-spec SPEC --generator M
    --out DIR: one seed per testable tenet of the spec (a rerun resumes)."""
    if list_ == (from_spec is not None):
        raise ValueError("give one of --list or --from-spec")
    if list_:
        from .audit.seeds import load_seeds

        for seed in load_seeds(seeds):
            typer.echo(f"{seed.id:<40} {','.join(seed.tags)}")
        return
    if not generator or out is None:
        raise ValueError("--from-spec needs --generator M and --out DIR")
    from .audit.seedgen import SeedGenError, seeds_from_spec

    try:
        paths = seeds_from_spec(str(from_spec), generator, out, limit=limit)
    except SeedGenError as err:
        for path in err.paths:
            typer.echo(str(path))
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"{len(paths)} seeds in {out}; audit them with --seeds {out}", err=True)


@audit_app.command("rescore")
@_user_errors
def rescore(
    logdir: Annotated[Path, typer.Argument(help="A `whyalign audit run` directory or log folder")],
    judge: Annotated[
        str | None,
        typer.Option(help="The judge model; M1,M2,M3: a panel; rules (default: the audit's own)"),
    ] = None,
    dimensions: Annotated[
        str | None,
        typer.Option(help="A dimension file or folder (default: the audit's own set)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default LOGDIR/rescored-JUDGE)")
    ] = None,
) -> None:
    """Judge an audit's transcripts again, without the target.

    A new judge, panel or dimension set over the recorded transcripts; new logs and
    summary.json go to --out, the originals stay."""
    from .audit.rescore import rescore_audit
    from .audit.summary import format_summary, summary_from_log

    paths = rescore_audit(logdir, judge, dimensions, out)
    where = paths[0].parent.parent / "summary.json"  # rescore_audit writes it beside logs/
    summary = json.loads(where.read_text()) if where.exists() else summary_from_log(paths)
    typer.echo(format_summary(summary))
    console.print(
        f"summary: {where}\nlogs: {', '.join(map(str, paths))}", soft_wrap=True, highlight=False
    )
