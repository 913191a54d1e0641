"""The ``whyalign`` verbs that build things: the organism, training, data, experiments and
specs (registered on the app of ``cli.py``, which imports this module)."""

from __future__ import annotations

import contextlib
import json
import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .cli import INTERRUPTED, FamilyFiles, _files, _key_values, _user_errors, app, console

organism_app = typer.Typer(no_args_is_help=True, help="The built-in model organism.")
app.add_typer(organism_app, name="organism")
Preset = Annotated[str, typer.Option(help="tiny (tests), small (default), base (GPU)")]


def _seed(seed: int) -> None:
    if seed < 0:  # numpy's and transformers' seeding refuse it, minutes into a build
        raise ValueError(f"--seed must be 0 or more, got {seed}")


@organism_app.command("build")
@_user_errors
def organism_build(
    preset: Preset = "small",
    seed: int = 0,
    from_scratch: Annotated[
        bool,
        typer.Option(
            "--from-scratch",
            help="Train it here even when the shipped weights are this build's "
            "(a copy installed from them is replaced)",
        ),
    ] = False,
) -> None:
    """Build the organism (cached; resumes after a kill) and print its model directory. The
    shipped weights of this build are installed instead of training, unless --from-scratch."""
    from .organism.build import build

    _seed(seed)
    path = build(preset, seed, log=lambda m: typer.echo(m, err=True), shipped=not from_scratch)
    typer.echo(str(path))


@organism_app.command("path")
@_user_errors
def organism_path(preset: Preset = "small", seed: int = 0) -> None:
    """Print the organism's model directory, installing the shipped weights there when they
    are this build's (exit 1 if it is neither built nor shipped)."""
    from .organism import shipped
    from .organism.build import build_dir, is_built, model_dir

    _seed(seed)
    if not is_built(preset, seed):
        shipped.install(preset, seed, build_dir(preset, seed), partial(typer.echo, err=True))
    typer.echo(str(model_dir(preset, seed)))
    if not is_built(preset, seed):
        typer.echo("not built yet: run `whyalign organism build`", err=True)
        raise typer.Exit(1)
    if shipped.installed(build_dir(preset, seed)):
        typer.echo("(the shipped weights, not trained here)", err=True)


@organism_app.command("ship")
@_user_errors
def organism_ship(preset: Preset = "small", seed: int = 0) -> None:
    """Copy the built organism into the package as its shipped weights (every file but
    pickles, with a manifest of the build key, each file's sha256 and the build's machine)
    and print the folder."""
    from .organism import shipped
    from .organism.build import is_built, model_dir

    _seed(seed)
    if not is_built(preset, seed):
        raise ValueError(
            f"{preset} seed {seed} is not built with this code: run "
            f"`whyalign organism build --preset {preset} --seed {seed} --from-scratch`"
        )
    dest = shipped.ship(model_dir(preset, seed), preset, seed)
    size = sum(f.stat().st_size for f in dest.iterdir()) / 2**20
    typer.echo(f"shipped {preset} seed {seed} ({size:.1f} MiB)", err=True)
    typer.echo(str(dest))


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
    spec: Annotated[
        str | None,
        typer.Option(help="Also check the constitution eval items of this spec (name or path)"),
    ] = None,
) -> None:
    """N-gram overlap between a dataset and each family and each other held-out eval (the
    audit's seeds and scenes, a spec's constitution items); fails on any held-out overlap."""
    from .contamination import check, read_records

    report = check(read_records(dataset), _files(family_file), spec=spec)
    if report.texts == 0:
        # Nothing was compared: a pass here would certify a dataset nobody read.
        raise ValueError(
            f"{dataset}: {report.records} records and none with text to check "
            "(text, messages, prompt/chosen/rejected)"
        )
    table = Table("family", "split", "shared 8-grams", "records", "example")
    for f in [*report.families, *report.sources]:
        table.add_row(
            f.family,
            f.split if f in report.families else "eval",
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
    out: Annotated[
        Path | None, typer.Option("--out", help="Run directory (default: runs/STUDY)")
    ] = None,
    cache: CacheDir = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List steps, run nothing")] = False,
    study: Annotated[
        str, typer.Option(help="A shipped study: demo, or an example beside it (rl_persist)")
    ] = "demo",
) -> None:
    """The built-in study on the small organism: every arm of the case study, 3 seeds."""
    from .experiment import demo_config

    _run_experiment(demo_config(study), out or Path("runs") / study, cache, dry_run)


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


from .cli_constitution import constitution_app  # noqa: E402

app.add_typer(constitution_app, name="constitution")
