"""Turn an experiment into steps, each keyed by the hash of everything that determines it.

A step's key covers its own settings, the keys of the steps it reads, the seed and a hash of
the code that runs it (syntax trees, so comments and formatting keep the cache), plus the
versions of the libraries whose numerics it depends on. Names that only label things (arm
names, descriptions, the report's wording) stay out of data, training and eval keys: renaming
an arm reuses every trained model.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .config import Dataset, Experiment

PACKAGE = Path(__file__).resolve().parent.parent
# Bump a kind's number when the runner changes how it runs that kind of step.
RUNNER_VERSION = {
    "base": 1,
    "data": 1,
    "data-path": 1,
    "train": 1,
    "eval": 1,
    "understanding": 1,
    "audit": 1,
    "report": 1,
}
# What each kind of step runs: package paths (files or folders) and libraries.
CODE = {
    # recipes import the scenarios, the organism's situations (stories), the judge (demos)
    "data": (
        ["data", "spec.py", "specs", "scenarios", "contamination.py", "organism", "evals"]
        # the other evals' text the contamination check compares with
        + ["audit/seeds", "audit/seeds.py", "audit/scripted", "constitution"]
        + ["models.py"],
        [],
    ),
    "data-path": (["contamination.py", "scenarios"], []),  # a given dataset: only checked
    "train": (["train"], ["torch", "transformers", "trl", "peft", "accelerate", "datasets"]),
    "eval": (["evals", "scenarios", "models.py"], ["torch", "transformers", "inspect_ai"]),
    "understanding": (
        ["constitution", "spec.py", "specs", "models.py"],
        ["torch", "transformers", "inspect_ai"],
    ),
    "audit": (["audit", "scenarios", "models.py"], ["torch", "transformers", "inspect_ai"]),
    "report": (["experiment"], ["matplotlib"]),
}
KINDS = ("base", "data", "train", "eval", "understanding", "audit", "report")


def digest(obj: Any, n: int = 16) -> str:
    blob = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:n]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


_SHIPPED = PACKAGE / "organism" / "shipped"


@cache
def code_hash(kind: str) -> str:
    paths, libraries = CODE.get(kind, ([], []))
    h = hashlib.sha256(f"{kind}:{RUNNER_VERSION[kind]}".encode())
    files: list[Path] = []
    for rel in paths:
        p = PACKAGE / rel
        files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        # the shipped weights are a model, not code: shipping them must not redo data steps
        skip = "__pycache__" in f.parts or f.suffix == ".pyc" or _SHIPPED in f.parents
        if not f.exists() or skip:
            continue
        h.update(str(f.relative_to(PACKAGE)).encode())
        if f.suffix == ".py":
            h.update(ast.dump(ast.parse(f.read_text())).encode())
        else:
            h.update(f.read_bytes())
    for lib in libraries:
        h.update(f"{lib}=={_version(lib)}".encode())
    return h.hexdigest()[:16]


def file_hash(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a file or directory. Files over 64 MiB (model weights) hash their size
    and first and last MiB: reading 15 GB of shards at every plan would cost minutes."""
    h = hashlib.sha256()
    files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        size = f.stat().st_size
        with f.open("rb") as fh:
            if size > 64 * chunk:
                h.update(str(size).encode() + fh.read(chunk))
                fh.seek(-chunk, 2)
                h.update(fh.read(chunk))
            else:
                h.update(fh.read())
    return h.hexdigest()[:16]


@dataclass
class Step:
    kind: str
    key: str
    label: str
    spec: dict[str, Any]  # what determines the result (hashed)
    deps: list[str] = field(default_factory=list)  # keys of the steps it reads
    cost: float = 1.0  # estimated seconds, for the ETA
    info: dict[str, Any] = field(default_factory=dict)  # arm, seed, split: labels, not hashed

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.key}"


@dataclass
class Plan:
    experiment: Experiment
    steps: dict[str, Step] = field(default_factory=dict)  # by key, in dependency order
    models: dict[tuple[str, int], str] = field(default_factory=dict)  # (arm, seed) -> step key
    evals: dict[tuple[str, int, str], str] = field(default_factory=dict)  # (arm, seed, split)
    datasets: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # data keys
    trains: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # stage keys
    # the measures beside the honeypot evals: (arm, seed, "audit" or an understanding kind)
    measures: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def add(self, step: Step) -> Step:
        return self.steps.setdefault(step.key, step)

    def ordered(self) -> list[Step]:
        return list(self.steps.values())


def _make(
    kind: str, spec: dict[str, Any], label: str, deps=(), cost=1.0, code: str = "", **info
) -> Step:
    key = digest({"kind": kind, "spec": spec, "code": code_hash(code or kind)})
    return Step(kind, key, label, spec, list(deps), cost, info)


def _base_step(exp: Experiment) -> Step:
    from ..models import kind_of_name

    model = exp.base_model
    kind = kind_of_name(model)
    if kind is not None:
        seed = exp.organism_seed
        ident = {"model": model, "seed": seed}
        ident.update(getattr(kind, "identity", lambda m, s: {})(model, seed))
        cost = getattr(kind, "build_seconds", lambda m, s: 0.0)(model, seed)
    else:
        path = Path(model).expanduser()
        if not path.is_dir():
            raise ValueError(
                f"base_model {model!r}: neither a local model kind's name (such as "
                "organism/small) nor a directory"
            )
        if not (path / "config.json").exists() and (path / "model" / "config.json").exists():
            path = path / "model"  # a `whyalign train --out` directory
        ident, cost = {"path": str(path.resolve()), "content": file_hash(path)}, 0.0
    return _make("base", ident, f"base model {model}", cost=cost)


def _spec_content(spec: str) -> str | None:
    """A spec given as a path is hashed by content; a built-in name is covered by the code."""
    p = Path(spec).expanduser()
    return file_hash(p) if p.is_file() else None


def _recipe_code(name: str, where: str) -> str | None:
    """A plug-in recipe's own files (outside the package's code hash) key its data; None for
    a built-in one, which the code hash covers."""
    from ..data import get_recipe

    try:
        recipe = get_recipe(name)
    except ValueError as err:
        raise ValueError(f"{where}.recipe: {err}") from None
    if recipe.builtin:
        return None
    h = hashlib.sha256()
    for f in recipe.source_files():
        h.update(f.name.encode() + ast.dump(ast.parse(f.read_text())).encode())
    return h.hexdigest()[:16]


def _data_step(plan: Plan, ds: Dataset, seed: int, where: str) -> Step:
    settings = plan.experiment.data
    if ds.path is not None:
        p = Path(ds.path).expanduser()
        if not p.exists():
            raise ValueError(f"{where}.path: {ds.path} not found")
        spec = {"path": str(p.resolve()), "content": file_hash(p)}
        step = _make("data", spec, f"data {p.name}", cost=2.0, code="data-path", path=str(p))
        return plan.add(step)
    code = _recipe_code(str(ds.recipe), where)
    deps, options = [], dict(ds.options)
    for inner_where, inner in ds.nested(where):
        dep = _data_step(plan, inner, seed, inner_where)
        deps.append(dep.key)
        options[inner_where.rsplit(".", 1)[1]] = {"dataset": dep.key}
    options = dict(sorted(options.items()))
    n = ds.n or settings.n
    spec = {
        "recipe": ds.recipe,
        "generator": ds.generator or settings.generator,
        "spec": ds.spec or settings.spec,
        "spec_content": _spec_content(ds.spec or settings.spec),
        "n": n,
        "options": options,
        "seed": seed if settings.per_seed else settings.seed,
    }
    if code is not None:
        spec["recipe_code"] = code
    label = f"data {ds.recipe} n={n} seed={spec['seed']}"
    return plan.add(_make("data", spec, label, deps, cost=2.0 + 0.01 * n, recipe=ds.recipe))


def stage_settings(exp: Experiment, stage: str, overrides: dict[str, Any], seed: int) -> dict:
    """The stage config as training will use it, as stable JSON (``train.settings``): the
    fields off the stage's defaults plus our own. A default that changes changes the code,
    which the step's key hashes too; progress bars and the output folder stay out."""
    from ..train.config import settings, stage_config

    merged = {**exp.training.get(stage), **overrides, "seed": seed}
    return {**settings(stage_config(stage)(**merged)), "seed": seed}


def _budget_tokens(ds: Dataset, n: int) -> float:
    return float(ds.tokens) if ds.tokens else 300.0 * n * (ds.weight or 1.0)


def eval_samples(exp: Experiment, split: str) -> int:
    from ..evals.task import cells_for
    from ..scenarios.families import FamilyRegistry

    ev = exp.eval
    cells = cells_for(split, ev.grid, ev.extra_tools, ev.scratchpad)
    fams = FamilyRegistry(ev.family_files or None).families.values()
    chosen = [f for f in fams if not ev.families or f.name in ev.families]
    return sum(len(cells.get(f.split, [])) * ev.samples * ev.epochs for f in chosen)


MAX_BATCH = 64


def batch_size(samples: int, cap: int = MAX_BATCH) -> int:
    """The local model's batch (Inspect's hf ``max_connections``) for an eval of ``samples``:
    equal batches of at most ``cap``. Inspect's hf provider starts a batch when it is full or
    when no request came for 2 s, so a batch larger than what is left waits 2 s, and a small
    one wastes the parallelism: one full batch runs an organism eval ~2x faster than 32s."""
    batches = max(1, -(-samples // cap))
    return max(1, -(-samples // batches))


def build_plan(exp: Experiment) -> Plan:
    plan = Plan(exp)
    base = plan.add(_base_step(exp))
    eval_settings = exp.eval.model_dump()
    eval_settings.pop("splits")
    samples = {s: eval_samples(exp, s) for s in exp.eval.splits}
    for arm_i, arm in enumerate(exp.arms):
        for seed in exp.seeds:
            model, data_keys, train_keys = base, [], []
            for i, stage in enumerate(arm.stages):
                where = f"arms[{arm_i}].stages[{i}].data"
                mixture, deps, tokens = [], [model.key], 0.0
                for j, ds in enumerate(stage.data):
                    d = _data_step(plan, ds, seed, f"{where}[{j}]")
                    data_keys.append(d.key)
                    deps.append(d.key)
                    mixture.append({"data": d.key, "tokens": ds.tokens, "weight": ds.weight})
                    tokens += _budget_tokens(ds, ds.n or exp.data.n)
                spec = {
                    "stage": stage.stage,
                    "config": stage_settings(exp, stage.stage, stage.train, seed),
                    "mixture": mixture,
                    "input": model.key,
                }
                label = f"train {arm.name} seed={seed} stage {i + 1}/{len(arm.stages)} "
                label += f"({stage.stage})"
                model = plan.add(
                    _make("train", spec, label, deps, cost=8.0 + tokens / 7000.0, arm=arm.name)
                )
                train_keys.append(model.key)
            plan.models[(arm.name, seed)] = model.key
            plan.datasets[(arm.name, seed)] = data_keys
            plan.trains[(arm.name, seed)] = train_keys
            for split in exp.eval.splits:
                spec = {**eval_settings, "split": split, "seed": seed, "model": model.key}
                if spec["max_connections"] is None:
                    spec["max_connections"] = batch_size(samples[split])
                step = plan.add(
                    _make(
                        "eval",
                        spec,
                        f"eval {arm.name} seed={seed} {split}",
                        [model.key],
                        cost=2.0 + samples[split] / 12.0,
                        samples=samples[split],
                    )
                )
                plan.evals[(arm.name, seed, split)] = step.key
            _measure_steps(plan, arm.name, seed, model)
    report_spec = {
        "config": exp.model_dump(mode="json"),
        "evals": sorted([*plan.evals.values(), *plan.measures.values()]),
        "data": sorted({k for ks in plan.datasets.values() for k in ks}),
        "trains": sorted({k for ks in plan.trains.values() for k in ks}),
    }
    deps = [*report_spec["evals"], *report_spec["data"], *report_spec["trains"]]
    plan.add(_make("report", report_spec, "report", deps, cost=5.0))
    return plan


def _measure_steps(plan: Plan, arm: str, seed: int, model: Step) -> None:
    """The understanding and audit steps of one arm x seed's final model."""
    exp = plan.experiment
    if exp.understanding is not None:
        u = exp.understanding.model_dump()
        kinds, spec = u.pop("kinds"), u.pop("spec") or exp.data.spec
        for kind in kinds:
            settings = (
                {"max_false": u["max_false"]}
                if kind == "distinguish"
                else {k: v for k, v in u.items() if k != "max_false"}
            )
            step_spec = {
                "kind": kind,
                "spec": spec,
                "spec_content": _spec_content(spec),
                **settings,
                "seed": seed,
                "model": model.key,
            }
            cost = 15.0 if kind == "distinguish" else 60.0
            step = plan.add(
                _make(
                    "understanding",
                    step_spec,
                    f"understanding {arm} seed={seed} {kind}",
                    [model.key],
                    cost=cost,
                    arm=arm,
                    measure=kind,
                )
            )
            plan.measures[(arm, seed, kind)] = step.key
    if exp.audit is not None:
        step_spec = {**exp.audit.model_dump(), "seed": seed, "model": model.key}
        step = plan.add(
            _make(
                "audit",
                step_spec,
                f"audit {arm} seed={seed}",
                [model.key],
                cost=60.0,
                arm=arm,
                measure="audit",
            )
        )
        plan.measures[(arm, seed, "audit")] = step.key
