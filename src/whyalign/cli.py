"""The ``whyalign`` command: a thin typer app, every verb one library call."""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import threading
import time
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import config_cli

INTERRUPTED = 130  # the shell's code for a command ended by SIGINT


class _App(typer.Typer):
    """The program's entry point (``whyalign``, ``python -m whyalign.cli``); tests invoke the
    command in-process and skip this."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as done:
            if done.code == INTERRUPTED:
                _exit_interrupted()
            raise


def _exit_interrupted() -> None:
    """Exit 130 after Ctrl-C. A model's worker threads (Inspect's batch thread, a generation
    handed to a thread) cannot be stopped from Python and may still be inside torch; letting
    the interpreter finalise around them aborts (`terminate called without an active
    exception`, exit 134). With such threads alive, end the process without finalising: the
    output is flushed first, and every step's commit is an atomic rename, so nothing is lost."""
    # tqdm's monitor only sleeps between checks: harmless at finalisation.
    others = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and type(t).__name__ != "TMonitor"
    ]
    if any(t.is_alive() for t in others):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)


app = _App(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()

FamilyFiles = Annotated[
    list[Path] | None, typer.Option("--family-file", help="Extra family YAML file (repeatable).")
]


def _user_errors(fn):
    """Bad input is one line on stderr and exit code 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from .scenarios import ConditionError, FamilyError

        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(INTERRUPTED) from None
        except (FamilyError, ConditionError, ValueError, FileNotFoundError) as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
        except Exception as err:
            # Inspect's PrerequisiteError (a provider package or API key missing) is bad
            # setup, not a bug: one line without its rich markup, not a traceback.
            if type(err).__name__ != "PrerequisiteError":
                raise
            text = re.sub(r"\[/?\w+\]", "", " ".join(str(err).split()))
            typer.echo(f"error: {text}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _files(files: list[Path] | None) -> list[str]:
    return [str(f) for f in files or []]


@app.command()
@_user_errors
def families(family_file: FamilyFiles = None) -> None:
    """List the honeypot families: name, split, description."""
    from .scenarios import FamilyRegistry

    table = Table("family", "split", "description")
    for fam in FamilyRegistry(_files(family_file)).families.values():
        table.add_row(fam.name, fam.split, " ".join(fam.description.split()))
    console.print(table)


@app.command()
@_user_errors
def scenario(
    scenario_id: Annotated[
        str, typer.Argument(help="e.g. blackmail/explicit-america/replacement/3")
    ],
    renderer: Annotated[str, typer.Option(help="full or compact")] = "full",
    own_name: Annotated[str, typer.Option(help="The assistant's own name")] = "Assistant",
    family_file: FamilyFiles = None,
) -> None:
    """Print one rendered scenario."""
    from .scenarios import FamilyRegistry, build_scenario, render

    scn = build_scenario(scenario_id, FamilyRegistry(_files(family_file)), own_name)
    text = render(scn, renderer)  # type: ignore[arg-type]
    typer.echo(f"[system]\n{text.system}\n\n[user]\n{text.user}")


@app.command()
@_user_errors
def classify(
    family: Annotated[
        str | None, typer.Option(help="Family every stdin record must belong to")
    ] = None,
    own_name: Annotated[str, typer.Option(help="The assistant's own name")] = "Assistant",
    validate: Annotated[
        str | None,
        typer.Option(
            help="A labelled validation file or folder ('builtin': the shipped set): print "
            "agreement per family and class, and every disagreement"
        ),
    ] = None,
    judge: Annotated[str, typer.Option(help="With --validate: rules, llm or both")] = "rules",
    grader: Annotated[
        str | None,
        typer.Option(help="With --validate: the judge's model; M1,M2,M3: a panel (majority)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --validate: JSON out")] = False,
    family_file: FamilyFiles = None,
) -> None:
    """Read JSONL {"scenario_id", "response"} on stdin and write one JSON verdict per line;
    or, with --validate, measure a classifier against a rater's labels."""
    if validate is not None:
        from .evals.console import print_validation
        from .evals.validate import load
        from .evals.validate import validate as run_validation

        report = run_validation(load(validate), judge, grader, _files(family_file))
        if as_json:
            typer.echo(json.dumps(report.to_dict(), indent=2))
        else:
            print_validation(report, console)
        return
    if family is None:
        raise ValueError("give --family (stdin records) or --validate FILE")
    from .scenarios import FamilyRegistry, build_scenario
    from .scenarios import classify as classify_reply

    registry = FamilyRegistry(_files(family_file))
    registry.get(family)
    failed: list[str] = []
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "scenario_id" not in record:
                raise ValueError('expected a JSON object with "scenario_id" and "response"')
            sid = record["scenario_id"]
            scn = build_scenario(sid, registry, own_name)
            if scn.family.name != family:
                raise ValueError(f"scenario {sid} is not in family {family!r}")
            out = {
                "scenario_id": sid,
                **classify_reply(scn, str(record.get("response", ""))).to_dict(),
            }
        except Exception as err:  # one bad record is recorded, the rest still graded
            out = {"line": number, "harmful": None, "error": f"{type(err).__name__}: {err}"}
            failed.append(f"line {number}: {out['error']}")
        typer.echo(json.dumps(out))
    if failed:
        # Every line has its output line; the exit code says that some are errors, not verdicts.
        first = " ".join(failed[0].split())
        raise ValueError(f"{len(failed)} line(s) not classified; first: {first}")


def _key_values(pairs: list[str] | None, flag: str = "-M") -> dict[str, Any]:
    """``key=value`` pairs (``-M``, ``-O``), each value read as YAML (``false`` is a bool, ``8``
    an int), as Inspect's own ``-M`` does."""
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} expects key=value, got {pair!r}")
        try:
            out[key] = yaml.safe_load(value) if value.strip() else value
        except yaml.YAMLError:
            out[key] = value
    return out


FORMATS = ("table", "json")


def eval_(
    model: str,
    model_arg: list[str] | None = None,
    out: Path | None = None,
    output_format: str = "table",
    **settings: Any,
) -> None:
    """Run the honeypot suite through Inspect; print family x condition rates with 95% CIs."""
    from .evals.config import EvalConfig, make_config
    from .evals.run import run_eval

    if output_format not in FORMATS:
        raise ValueError(f"--format {output_format!r}: one of {', '.join(FORMATS)}")
    config = make_config(**config_cli.given(EvalConfig, settings))
    out = out or Path("runs") / f"eval-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_eval(config, out, model=model, model_args=_key_values(model_arg))
    from .evals.console import print_summary

    where = (
        f"summary: {out / 'summary.json'}\nlogs: {result['log']}\n"
        f"view: inspect view --log-dir {out.resolve() / 'logs'}"
    )
    if output_format == "json":  # stdout: summary.json itself, for jq and the like
        typer.echo((out / "summary.json").read_text())
        typer.echo(where, err=True)
    else:
        print_summary(result, console)
        console.print(where, soft_wrap=True, highlight=False)
    if result["status"] != "success":
        typer.echo(f"error: eval ended with status {result['status']}: {result['error']}", err=True)
        raise typer.Exit(1)


def _eval_command() -> None:
    from .evals.config import EvalConfig

    params = [
        inspect.Parameter(
            "model",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str,
                typer.Option(help="Any Inspect model (openai/gpt-4o, hf/local, organism/small)"),
            ],
        ),
        *config_cli.options(EvalConfig),
        inspect.Parameter(
            "model_arg",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                list[str] | None, typer.Option("-M", help="Model arg key=value (YAML value)")
            ],
            default=None,
        ),
        inspect.Parameter(
            "out",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Path | None, typer.Option(help="Output directory")],
            default=None,
        ),
        # How the result is shown, not how the eval runs: a flag of the command, kept out of
        # EvalConfig (whose fields are the settings summary.json records and experiments key on).
        inspect.Parameter(
            "output_format",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str,
                typer.Option("--format", help="table (default) or json (summary.json on stdout)"),
            ],
            default="table",
        ),
    ]
    app.command("eval")(_user_errors(config_cli.with_signature(eval_, params)))


_eval_command()


@app.command()
@_user_errors
def rescore(
    logdir: Annotated[
        Path, typer.Argument(help="A `whyalign eval` directory (summary.json, logs/*.eval)")
    ],
    judge: Annotated[str, typer.Option(help="rules, llm or both")] = "rules",
    grader: Annotated[
        str | None,
        typer.Option(help="The judge's model; M1,M2,M3: a panel (majority vote)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default LOGDIR/rescored-JUDGE)")
    ] = None,
) -> None:
    """Judge an eval's recorded replies again (new rules, an LLM judge or a panel) without
    calling the target model; new logs and summary.json go to --out, the originals stay."""
    from .evals.console import print_rescore, print_summary
    from .evals.rescore import rescore as run_rescore

    result = run_rescore(logdir, judge, grader, out)
    print_summary(result, console)
    print_rescore(result, console)


# The training, data and experiment verbs live in cli_work.py, the audit's in cli_audit.py;
# importing them registers them.
from . import cli_audit, cli_work  # noqa: E402, F401

if __name__ == "__main__":
    # Run as a script this file is ``__main__``; the verbs of cli_work.py register on the app
    # of the module ``whyalign.cli``, so that is the one to call.
    from whyalign.cli import app as registered

    registered()
