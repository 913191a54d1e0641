"""``whyalign run EXPERIMENT.yaml``: run the steps a plan is missing, in dependency order.

Cache layout (``RUN_DIR/steps`` unless ``--cache`` names a shared one)::

    <kind>-<key>/result.json   the step's result (deterministic JSON)
                 step.json     what determined it (label, spec, deps)
                 timing.json   how long it took (kept out of every result)
                 .done         written last, before the directory moves into place
    .work/<kind>-<key>/        a step in progress; training resumes from its checkpoints

A step runs in ``.work/<name>`` and becomes ``<name>`` by one rename once complete, so after a
``kill -9`` at any moment a step is either whole or absent (or resumable in ``.work``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from . import steps as run_steps
from .config import ConfigError, Experiment, load
from .plan import Plan, Step, build_plan

PLAN_FILE = "plan.json"
CONFIG_FILE = "experiment.yaml"


class IncompleteRun(ValueError):
    """A run directory whose steps are not all finished: nothing to report yet."""


class Store:
    """Finished steps under ``root``; steps in progress under ``root/.work``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def final(self, step: Step | str) -> Path:
        return self.root / (step if isinstance(step, str) else step.name)

    def work(self, step: Step) -> Path:
        return self.root / ".work" / step.name

    def done(self, step: Step) -> bool:
        path = self.final(step)
        if not (path / ".done").exists():
            return False
        if step.kind == "base":  # the organism lives in its own cache, which may be cleared
            return Path(self.result(step)["model_path"]).exists()
        return True

    def result(self, step: Step | str) -> dict[str, Any]:
        path = self.final(step) / "result.json"
        if not path.exists():
            name = step if isinstance(step, str) else step.name
            raise IncompleteRun(f"{self.root}: step {name} has not finished; rerun `whyalign run`")
        return json.loads(path.read_text())

    def commit(self, step: Step, work: Path, result: dict[str, Any], seconds: float) -> None:
        work.mkdir(parents=True, exist_ok=True)
        _write_json(work / "result.json", result)
        _write_json(
            work / "step.json",
            {"kind": step.kind, "label": step.label, "spec": step.spec, "deps": step.deps},
        )
        _write_json(work / "timing.json", {"seconds": round(seconds, 2)})
        (work / ".done").write_text("")
        final = self.final(step)
        if final.exists():  # a leftover without its marker (never committed)
            shutil.rmtree(final)
        os.replace(work, final)


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _fmt(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Eta:
    """Remaining time from the plan's estimates, corrected per kind of step by how long the
    finished ones of that kind really took (the estimates are rough; the ratios settle fast)."""

    def __init__(self, pending: list[Step]) -> None:
        self.left = {s.key: s for s in pending}
        self.spent: dict[str, list[float]] = {}

    def finish(self, step: Step, seconds: float) -> None:
        self.left.pop(step.key, None)
        est, real = self.spent.setdefault(step.kind, [0.0, 0.0])
        self.spent[step.kind] = [est + step.cost, real + seconds]

    def remaining(self) -> float:
        total = 0.0
        for s in self.left.values():
            est, real = self.spent.get(s.kind, [0.0, 0.0])
            total += s.cost * (real / est if est > 0 else 1.0)
        return total


def _progress(console: Console, steps: int):
    """A live bar on a terminal; nothing otherwise (the per-step lines carry the ETA)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ETA {task.fields[eta]}"),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )


@contextlib.contextmanager
def _quiet(log_file: Path):
    """Trainer and loader chatter goes to the step's log file, not the run's console."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        with (
            log_file.open("a") as fh,
            contextlib.redirect_stdout(fh),
            contextlib.redirect_stderr(fh),
        ):
            yield
    finally:
        hf_logging.set_verbosity(level)


def execute(step: Step, plan: Plan, store: Store, run_dir: Path) -> dict[str, Any]:
    if step.kind == "report":  # written into the run directory, not the cache
        from .report import write_report

        write_report(run_dir)
        return {"report": "report/index.html"}
    work = store.work(step)
    work.mkdir(parents=True, exist_ok=True)
    if step.kind == "base":
        return run_steps.run_base(step, work)
    if step.kind == "data":

        def data_dir(key: str) -> Path:
            return store.final(plan.steps[key]) / run_steps.DATASET

        return run_steps.run_data(step, work, data_dir)
    if step.kind == "train":
        return run_steps.run_train(
            step, work, model_path(plan, store, step.spec["input"]), data_dirs(plan, store, step)
        )
    if step.kind == "eval":
        return run_steps.run_eval_step(step, work, model_path(plan, store, step.spec["model"]))
    if step.kind in ("understanding", "audit"):
        from . import measures

        run = {"understanding": measures.run_understanding_step, "audit": measures.run_audit_step}
        return run[step.kind](step, work, model_path(plan, store, step.spec["model"]))
    raise ValueError(f"unknown step kind {step.kind!r}")


def model_path(plan: Plan, store: Store, key: str) -> Path:
    step = plan.steps[key]
    if step.kind == "base":
        return Path(store.result(step)["model_path"])
    return store.final(step) / run_steps.MODEL


def data_dirs(plan: Plan, store: Store, step: Step) -> dict[str, Path]:
    out = {}
    for part in step.spec["mixture"]:
        data = plan.steps[part["data"]]
        source = data.spec.get("path")
        out[part["data"]] = Path(source) if source else store.final(data) / run_steps.DATASET
    return out


def plan_record(plan: Plan, store: Store, run_dir: Path) -> dict[str, Any]:
    """What ``whyalign report`` needs to rebuild the report without re-planning (so a later
    code change, which changes keys, still finds this run's steps)."""
    root = store.root.resolve()
    inside = root.is_relative_to(run_dir.resolve())
    return {
        "cache": str(root.relative_to(run_dir.resolve())) if inside else str(root),
        "experiment": plan.experiment.model_dump(mode="json"),
        "steps": [
            {"name": s.name, "kind": s.kind, "label": s.label, "deps": s.deps, "info": s.info}
            for s in plan.ordered()
        ],
        "models": [[a, s, k] for (a, s), k in plan.models.items()],
        "evals": [[a, s, sp, k] for (a, s, sp), k in plan.evals.items()],
        "measures": [[a, s, m, k] for (a, s, m), k in plan.measures.items()],
        "datasets": [[a, s, ks] for (a, s), ks in plan.datasets.items()],
        "trains": [[a, s, ks] for (a, s), ks in plan.trains.items()],
    }


def prepare(config: str | Path, out: Path | None, cache: Path | None):
    """The experiment checked whole (``validate``) and planned, before any step runs."""
    from .validate import check

    exp: Experiment = load(config)
    run_dir = Path(out) if out else Path("runs") / exp.name
    try:
        check(exp)
        plan = build_plan(exp)
    except ConfigError:
        raise
    except (ValueError, FileNotFoundError) as err:
        raise ConfigError(f"{config}: {err}") from None
    store = Store(Path(cache) if cache else run_dir / "steps")
    return exp, run_dir, plan, store


def dry_run(config: str | Path, out: Path | None = None, cache: Path | None = None) -> list:
    """(step, cached) for every step of the plan, in the order a run takes them."""
    _, run_dir, plan, store = prepare(config, out, cache)
    rows = []
    for step in plan.ordered():
        cached = _report_done(run_dir, step) if step.kind == "report" else store.done(step)
        rows.append((step, cached))
    return rows


def missing_steps(run_dir: Path) -> list[str]:
    """The labels of the recorded plan's steps (but the report) that have no result in
    the cache: what ``whyalign report`` would need first."""
    path = Path(run_dir) / PLAN_FILE
    if not path.exists():
        raise FileNotFoundError(f"{run_dir}: no {PLAN_FILE}; is this a `whyalign run` directory?")
    record = json.loads(path.read_text())
    cache = Path(record.get("cache", "steps"))
    store = Store(cache if cache.is_absolute() else Path(run_dir) / cache)
    return [
        s["label"]
        for s in record["steps"]
        if s["kind"] != "report" and not (store.final(s["name"]) / "result.json").exists()
    ]


def _report_done(run_dir: Path, step: Step) -> bool:
    marker = run_dir / "report" / ".done"
    return marker.exists() and marker.read_text().strip() == step.key


def run(
    config: str | Path,
    out: Path | None = None,
    cache: Path | None = None,
    console: Console | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Path:
    """Run every missing step; returns the run directory (with summary.json and report/)."""
    # Bound to the real stderr now: steps redirect sys.stderr into their log files.
    console = console or Console(file=sys.stderr)
    exp, run_dir, plan, store = prepare(config, out, cache)
    run_dir.mkdir(parents=True, exist_ok=True)
    with _locked(store.root):
        return _run(config, exp, run_dir, plan, store, console, on_step)


# Steps whose work folder a rerun resumes from: training checkpoints, a generator's finished
# calls. Any other step restarts whole.
RESUMABLE = ("train", "data")


def _discard(step: Step, store: Store) -> None:
    """An interrupted step leaves the cache as a kill would, minus what cannot resume: the
    half-written folder of a step that restarts whole goes."""
    import signal
    import threading

    if step.kind in RESUMABLE:
        return
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # 2nd Ctrl-C
    try:
        shutil.rmtree(store.work(step), ignore_errors=True)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _glance(summary: dict[str, Any], width: int) -> str:
    """The report's one-screen summary, as the run's last words."""
    from .glance import glance_text

    return glance_text(summary, width=min(max(width, 60), 100))


@contextlib.contextmanager
def _locked(root: Path):
    """One run at a time per cache: two would train the same step into the same work dir.
    The OS drops the lock with its process, so a killed run never leaves it stale."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"another `whyalign run` is using the cache {root}") from None
        yield


def _run(config, exp, run_dir: Path, plan: Plan, store: Store, console, on_step) -> Path:
    if Path(config).resolve() != (run_dir / CONFIG_FILE).resolve():
        shutil.copyfile(config, run_dir / CONFIG_FILE)
    _write_json(run_dir / PLAN_FILE, plan_record(plan, store, run_dir))
    ordered = plan.ordered()
    pending = [
        s
        for s in ordered
        if not (_report_done(run_dir, s) if s.kind == "report" else store.done(s))
    ]
    console.print(
        f"[bold]{exp.name}[/]: {len(ordered)} steps, {len(ordered) - len(pending)} cached, "
        f"{len(pending)} to run (estimate {_fmt(sum(s.cost for s in pending))}); "
        f"cache {store.root}"
    )
    eta = Eta(pending)
    timings: dict[str, Any] = {}
    start = time.perf_counter()
    logs = run_dir / "logs"
    logs.mkdir(exist_ok=True)
    with _progress(console, len(pending)) as progress:
        bar = progress.add_task("", total=len(pending), eta=_fmt(eta.remaining()))
        for i, step in enumerate(pending, 1):
            progress.update(bar, description=step.label)
            console.print(f"[{i}/{len(pending)}] {step.label} (ETA {_fmt(eta.remaining())})")
            t0 = time.perf_counter()
            log_file = logs / f"{step.name}.log"
            try:
                with _quiet(log_file):
                    result = execute(step, plan, store, run_dir)
            except KeyboardInterrupt:
                _discard(step, store)
                raise
            except BaseException:
                console.print(f"[red]failed[/]: {step.label}; its output: {log_file}")
                raise
            seconds = time.perf_counter() - t0
            if step.kind == "report":
                (run_dir / "report" / ".done").write_text(step.key)
            else:
                store.commit(step, store.work(step), result, seconds)
            eta.finish(step, seconds)
            timings[step.name] = {"label": step.label, "seconds": round(seconds, 2)}
            console.print(f"      done in {_fmt(seconds)}")
            progress.update(bar, advance=1, eta=_fmt(eta.remaining()))
            if on_step:
                on_step(step)
    total = time.perf_counter() - start
    with contextlib.suppress(OSError):  # left only if empty: no step is in progress
        (store.root / ".work").rmdir()
    # Timings are not results: they live apart from summary.json, which must not change
    # between a resumed and an uninterrupted run.
    path = run_dir / "timings.json"
    earlier = json.loads(path.read_text()).get("steps", {}) if path.exists() else {}
    _write_json(path, {"last_run_seconds": round(total, 2), "steps": {**earlier, **timings}})
    summary = json.loads((run_dir / "summary.json").read_text())
    console.print(_glance(summary, console.width), highlight=False, markup=False)
    console.print(
        f"done in {_fmt(total)}: {run_dir / 'summary.json'}, {run_dir / 'report' / 'index.html'}"
    )
    return run_dir
