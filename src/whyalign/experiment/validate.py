"""The whole experiment checked before its first step runs (and by ``--dry-run``): what the
file's schema cannot see, because it needs the registries or the disk.

A mistake found here costs a second; found by the step that reads it, it costs every step
that ran before. Each check raises a one-line ``ValueError`` naming the field, as
``arms[1].stages[0].data[0].path: ...``; the runner prefixes the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Dataset, Experiment

# Training fields that transformers takes without complaint at values that train nothing (0
# epochs) or the wrong way (a negative learning rate). max_steps: the stage config's own check.
POSITIVE = ("num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps")
NON_NEGATIVE = ("learning_rate", "warmup_steps", "warmup_ratio", "weight_decay")


def check(exp: Experiment) -> None:
    """Every dataset, stage budget and eval setting of ``exp``; a ``ValueError`` at the first
    that cannot run."""
    _check_base(exp.base_model)
    seen: set[tuple[str, str]] = set()  # (path, stage): a dataset shared by arms is read once
    for a, arm in enumerate(exp.arms):
        for s, stage in enumerate(arm.stages):
            where = f"arms[{a}].stages[{s}]"
            _check_training(exp, stage.stage, stage.train, where)
            for d, ds in enumerate(stage.data):
                _check_dataset(exp, ds, stage.stage, f"{where}.data[{d}]", seen)
            if all(ds.weight == 0 and ds.tokens is None for ds in stage.data):
                raise ValueError(f"{where}.data: every dataset has weight 0 (nothing to train)")
    _check_eval(exp)


def _check_base(model: str) -> None:
    from ..models import kind_of_name

    if kind_of_name(model) is not None:
        return  # a kind's name: planning asks the kind, which refuses an unknown preset
    path = Path(model).expanduser()
    if path.is_dir() and not any((p / "config.json").exists() for p in (path, path / "model")):
        raise ValueError(
            f"base_model {model!r}: a directory without a model (no config.json in it or "
            "in its model/ folder)"
        )


def _check_training(exp: Experiment, stage: str, overrides: dict[str, Any], where: str) -> None:
    merged = {**exp.training.get(stage), **overrides}
    for name in POSITIVE + NON_NEGATIVE:
        value = merged.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        if value < 0 or (value == 0 and name in POSITIVE):
            need = "positive" if name in POSITIVE else "0 or more"
            raise ValueError(f"{where}.train: {name} must be {need}, got {value}")


def _check_dataset(
    exp: Experiment, ds: Dataset, stage: str, where: str, seen: set[tuple[str, str]]
) -> None:
    if ds.path is not None:
        path = str(Path(ds.path).expanduser().resolve())
        if (path, stage) in seen:
            return
        try:
            _check_rows(path, stage)
        except (ValueError, FileNotFoundError) as err:
            raise ValueError(f"{where}.path: {err}") from None
        seen.add((path, stage))
        return
    _check_recipe(exp, ds, where, stage)


def _check_rows(path: str, stage: str) -> None:
    """Every row of a given dataset in the stage's format: the check training makes when it
    loads the data (``train.data.load_part``), made before anything runs."""
    from ..train.data import read_rows
    from ..train.registry import get

    if not Path(path).exists():
        raise FileNotFoundError(f"{path} not found")
    spec = get(stage)
    rows = [spec.normalize(row, where) for where, row in read_rows(path)]
    if not rows:
        raise ValueError(f"{path}: empty dataset (no rows)")
    if spec.check is not None:
        spec.check(rows, path)


def _check_recipe(exp: Experiment, ds: Dataset, where: str, stage: str | None) -> None:
    """A recipe that exists, has the half its generator needs, writes the stage's format and
    knows every option given; nested datasets (an option naming a recipe) likewise."""
    from ..data import get_recipe
    from ..data.recipes import COMMON_OPTIONS, resolve_options
    from ..data.registry import FORMATS
    from ..spec import load_spec
    from ..train.registry import get

    try:
        rec = get_recipe(str(ds.recipe))
    except ValueError as err:
        raise ValueError(f"{where}.recipe: {err}") from None
    generator = ds.generator or exp.data.generator
    procedural = generator == "procedural"
    if procedural and rec.offline is None:
        raise ValueError(f"{where}: recipe {rec.name} has no offline generator; name a model")
    if not procedural and rec.run is None:
        raise ValueError(f"{where}: recipe {rec.name} has no LLM half; use 'procedural'")
    if stage is not None:
        fields, needs = FORMATS.get(rec.format, ()), get(stage).columns
        if not set(needs) <= set(fields):
            raise ValueError(
                f"{where}.recipe: {rec.name} writes {rec.format} records ({', '.join(fields)}); "
                f"the {stage} stage reads {', '.join(needs)}"
            )
    try:
        load_spec(ds.spec or exp.data.spec)
    except (ValueError, FileNotFoundError) as err:
        raise ValueError(f"{where}.spec: {err}") from None
    shared = {**COMMON_OPTIONS, **rec.options}
    own = set(rec.offline_options) if procedural else set()
    unknown = sorted(set(ds.options) - set(shared) - own)
    if unknown:
        known = ", ".join(sorted({*shared, *own}))
        raise ValueError(
            f"{where}.options: recipe {rec.name} has no option {', '.join(unknown)}; known: {known}"
        )
    try:
        resolve_options(rec, {k: v for k, v in ds.options.items() if k in shared})
    except ValueError as err:
        raise ValueError(f"{where}.options: {err}") from None
    for inner_where, inner in ds.nested(where):
        _check_recipe(exp, inner, inner_where, None)


def _check_eval(exp: Experiment) -> None:
    from ..scenarios.families import FamilyRegistry
    from .plan import eval_samples

    ev = exp.eval
    try:
        registry = FamilyRegistry(ev.family_files or None)
        for name in ev.families or []:
            registry.get(name)
    except (ValueError, FileNotFoundError) as err:
        raise ValueError(f"eval: {err}") from None
    for split in ev.splits:
        if eval_samples(exp, split) == 0:
            chosen = ", ".join(ev.families or []) or "every family"
            raise ValueError(
                f"eval: no scenarios on split {split!r} for families {chosen} "
                "(each family belongs to one split)"
            )
