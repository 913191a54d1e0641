"""The ``whyalign`` command: a thin typer app, every verb one library call."""

from __future__ import annotations

import contextlib
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


organism_app = typer.Typer(no_args_is_help=True, help="The built-in model organism.")
app.add_typer(organism_app, name="organism")
Preset = Annotated[str, typer.Option(help="tiny (tests), small (default), base (GPU)")]


def _seed(seed: int) -> None:
    if seed < 0:  # numpy's and transformers' seeding refuse it, minutes into a build
        raise ValueError(f"--seed must be 0 or more, got {seed}")


@organism_app.command("build")
@_user_errors
def organism_build(preset: Preset = "small", seed: int = 0) -> None:
    """Build the organism (cached; resumes after a kill) and print its model directory."""
    from .organism.build import build

    _seed(seed)
    path = build(preset, seed, log=lambda m: typer.echo(m, err=True))
    typer.echo(str(path))


@organism_app.command("path")
@_user_errors
def organism_path(preset: Preset = "small", seed: int = 0) -> None:
    """Print the organism's model directory (exit 1 if it is not built yet)."""
    from .organism.build import is_built, model_dir

    _seed(seed)
    typer.echo(str(model_dir(preset, seed)))
    if not is_built(preset, seed):
        typer.echo("not built yet: run `whyalign organism build`", err=True)
        raise typer.Exit(1)


@app.command(
    "train",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
@_user_errors
def train(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(help="A registered stage: docs, chat, prefs, ...")] = "",
) -> None:
    """Train a stage: STAGE --model M --data D[:weight] ... --out DIR [--lora] [--config F.yaml].

    Same flags as `python -m whyalign.train`; `whyalign train STAGE --help` lists them all.
    Prints the output model directory.
    """
    from .train.run import USAGE, parse
    from .train.run import train as train_run

    if stage in ("", "-h", "--help"):
        typer.echo(USAGE, err=not stage)
        raise typer.Exit(0 if stage else 2)
    name, args, cfg, model_args = parse([stage, *ctx.args])
    with contextlib.redirect_stdout(sys.stderr):  # stdout: only the model path
        path = train_run(name, args, cfg, model_args)
    typer.echo(str(path))


@app.command("check-contamination")
@_user_errors
def check_contamination(
    dataset: Annotated[Path, typer.Argument(help="A JSONL file or a directory of them")],
    family_file: FamilyFiles = None,
) -> None:
    """N-gram overlap between a dataset and each family; fails on any held-out overlap."""
    from .contamination import check, read_records

    report = check(read_records(dataset), _files(family_file))
    if report.texts == 0:
        # Nothing was compared: a pass here would certify a dataset nobody read.
        raise ValueError(
            f"{dataset}: {report.records} records and none with text to check "
            "(text, messages, prompt/chosen/rejected)"
        )
    table = Table("family", "split", "shared 8-grams", "records", "example")
    for f in report.families:
        table.add_row(
            f.family,
            f.split,
            str(f.shared_ngrams),
            str(f.records),
            f.examples[0] if f.examples else "",
        )
    console.print(table)
    console.print(
        f"{report.records} records: {'PASS' if report.passed else 'FAIL (held-out overlap)'}"
    )
    if not report.passed:
        raise typer.Exit(1)


RunOut = Annotated[Path | None, typer.Option("--out", help="Run directory (default runs/NAME)")]
CacheDir = Annotated[
    Path | None, typer.Option("--cache", help="Step cache shared by runs (default RUN_DIR/steps)")
]


def _run_experiment(config: Path, out: Path | None, cache: Path | None, dry: bool) -> None:
    from .experiment import dry_run, run

    if dry:
        rows = dry_run(config, out, cache)
        for step, cached in rows:
            status = "cached" if cached else f"to run (~{step.cost:.0f}s)"
            typer.echo(f"{step.name:<24} {status:<16} {step.label}")
        todo = [s for s, cached in rows if not cached]
        typer.echo(
            f"{len(rows)} steps: {len(rows) - len(todo)} cached, {len(todo)} to run "
            f"(estimate {sum(s.cost for s in todo) / 60:.1f} min)"
        )
        return
    try:
        run_dir = run(config, out, cache)
    except KeyboardInterrupt:
        typer.echo("interrupted: rerun to resume", err=True)
        raise typer.Exit(INTERRUPTED) from None
    typer.echo(str(run_dir / "report" / "index.html"))


@app.command("run")
@_user_errors
def run_(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file")],
    out: RunOut = None,
    cache: CacheDir = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List steps, run nothing")] = False,
) -> None:
    """Run an experiment: every arm x seed trained and evaluated (cached steps), then the report."""
    _run_experiment(experiment, out, cache, dry_run)


@app.command()
@_user_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Run directory")] = Path("runs/demo"),
    cache: CacheDir = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List steps, run nothing")] = False,
) -> None:
    """The built-in study on the small organism: every arm of the case study, 3 seeds."""
    from .experiment import demo_config

    _run_experiment(demo_config(), out, cache, dry_run)


@app.command()
@_user_errors
def report(run_dir: Annotated[Path, typer.Argument(help="A `whyalign run` directory")]) -> None:
    """Rebuild RUN_DIR/summary.json and RUN_DIR/report/index.html from a finished run."""
    from .experiment import write_report
    from .experiment.runner import missing_steps

    missing = missing_steps(run_dir)
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ValueError(
            f"{run_dir}: the run is incomplete, {len(missing)} step(s) not finished "
            f"({', '.join(missing[:3])}{more}); rerun `whyalign run` to finish it"
        )
    typer.echo(str(write_report(run_dir)))


def _recipe_list() -> str:
    from .data import recipe_names

    return "Recipes: " + "; ".join(f"{k} ({v})" if v else k for k, v in recipe_names().items())


@app.command("data", epilog=_recipe_list())
@_user_errors
def data_(
    recipe: Annotated[str, typer.Argument(help="Which recipe (see below)")],
    out: Annotated[Path, typer.Option(help="Output dataset directory")],
    n: Annotated[int, typer.Option(help="Records to write")] = 100,
    spec: Annotated[str, typer.Option(help="Built-in spec name or a Markdown file")] = "default",
    generator: Annotated[
        str, typer.Option(help="'procedural' (offline) or any Inspect model")
    ] = "procedural",
    seed: int = 0,
    model_arg: Annotated[
        list[str] | None, typer.Option("-M", help="Generator model arg key=value")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "-O",
            help="Recipe or engine option key=value, e.g. -O no_reasons=true, "
            "-O injection=conglomerate,ruthless, -O source=DIR",
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Progress on stderr")] = False,
) -> None:
    """Generate a training dataset: OUT/data.jsonl + OUT/dataset_card.json. Prints OUT."""
    from .data import ContaminationError, GenerationError, generate

    options: dict[str, Any] = _key_values(option, "-O")
    if model_arg:
        options["model_args"] = _key_values(model_arg, "-M")
    try:
        path = generate(
            recipe,
            out=out,
            n=n,
            spec=spec,
            generator=generator,
            seed=seed,
            options=options,
            progress=progress,
        )
    except (GenerationError, ContaminationError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    card = json.loads((path / "dataset_card.json").read_text())
    typer.echo(
        f"{card['counts']['kept']} records, ~{card['tokens']['est_tokens']} tokens, "
        f"contamination {'PASS' if card['contamination']['passed'] else 'FAIL'}",
        err=True,
    )
    typer.echo(str(path))


spec_app = typer.Typer(no_args_is_help=True, help="Model specs (constitutions).")
app.add_typer(spec_app, name="spec")


@spec_app.command("sections")
@_user_errors
def spec_sections(
    spec: Annotated[str, typer.Argument(help="Built-in spec name or a Markdown file")],
) -> None:
    """Show how a spec is split into sections."""
    from .spec import load_spec

    loaded = load_spec(spec)
    typer.echo(f"{loaded.title}: {len(loaded.sections)} sections ({loaded.path})")
    for s in loaded.sections:
        typer.echo(f"{s.index:>3}  {s.id:<40} {len(s.text.split()):>5} words  {s.title}")


if __name__ == "__main__":
    app()
