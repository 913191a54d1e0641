"""Run one step of a plan into a directory: the base model, a dataset, a training stage, an eval.

Each function writes its outputs under ``work`` (a temporary directory the runner renames
into the cache when the step succeeds) and returns the step's result: JSON that depends only
on the step's inputs, never on paths, clocks or durations, so that a resumed run and an
uninterrupted one produce the same bytes downstream.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from .plan import Step

DATASET = "dataset"  # a data step's records and card, in a folder of their own: the training
# loader reads every *.json(l) of a dataset folder, so the step's bookkeeping stays outside.
MODEL = "model"


class StepError(RuntimeError):
    """A step that ran but failed (an eval that did not finish, a failed contamination check)."""


def run_base(step: Step, work: Path) -> dict[str, Any]:
    spec = step.spec
    if "model" in spec:  # a local model kind's name: built (or found) by its kind
        from ..models import local_path

        return {"model_path": local_path(spec["model"], spec["seed"])}
    return {"model_path": spec["path"]}


def _card(path: Path) -> dict[str, Any]:
    card = path / "dataset_card.json"
    return json.loads(card.read_text()) if card.exists() else {}


def _contamination(records_dir: Path, card: dict[str, Any]) -> dict[str, Any]:
    """The card's check when the engine wrote one, else ours (paths given by the user)."""
    found = card.get("contamination")
    if isinstance(found, dict) and "passed" in found:
        return found
    from ..contamination import check, read_records

    return check(read_records(records_dir)).to_dict()


def _count_records(path: Path) -> int:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return sum(1 for f in files for line in f.open() if line.strip())


def run_data(step: Step, work: Path, dataset_dir) -> dict[str, Any]:
    """Generate a recipe's dataset into ``work/dataset`` (or check a given path)."""
    spec = step.spec
    if "path" in spec:
        src = Path(spec["path"])
        card = _card(src) if src.is_dir() else {}
        report = _contamination(src, card)
        result = {"source": spec["path"], "records": _count_records(src)}
    else:
        from ..data import generate

        options = {
            k: str(dataset_dir(v["dataset"])) if isinstance(v, dict) and "dataset" in v else v
            for k, v in spec["options"].items()
        }
        out = work / DATASET
        generate(
            spec["recipe"],
            out=out,
            n=spec["n"],
            spec=spec["spec"],
            generator=spec["generator"],
            seed=spec["seed"],
            options=options,
            progress=False,
        )
        card = _card(out)
        report = _contamination(out, card)
        result = {"recipe": spec["recipe"], "records": _count_records(out / "data.jsonl")}
        for key in ("tokens", "counts"):
            if key in card:
                result[key] = card[key]
    result["contamination"] = report
    if not report.get("passed", True):
        # Held out means held out: a dataset that overlaps a held-out family never trains.
        raise StepError(f"{step.label}: the dataset overlaps a held-out family (contamination)")
    return result


def run_train(step: Step, work: Path, model_dir: Path, data_dirs: dict[str, Path]) -> dict:
    """One training stage from ``model_dir`` into ``work/model`` (resumes from
    ``work/checkpoints`` after a kill: the runner keeps ``work`` between attempts)."""
    import contextlib
    import sys

    from ..train.config import TrainArgs, stage_config
    from ..train.run import train

    spec = step.spec
    data = []
    for part in spec["mixture"]:
        path = str(data_dirs[part["data"]])
        if part["tokens"]:
            data.append(f"{path}:{part['tokens']}t")
        elif part["weight"] is not None:
            data.append(f"{path}:{part['weight']}")
        else:
            data.append(path)
    cfg = stage_config(spec["stage"])(**spec["config"], progress=False)
    args = TrainArgs(model=str(model_dir), data=data, out=str(work))
    with contextlib.redirect_stdout(sys.stderr):  # trainers print; the run's stdout is ours
        out = train(spec["stage"], args, cfg)
    accounting = json.loads((out / "token_accounting.json").read_text())
    weights = sorted(out.glob("*.safetensors")) or sorted(out.glob("*.bin"))
    shutil.rmtree(work / "checkpoints", ignore_errors=True)  # the model is all that is kept
    # Per mixture entry, in order; the file's dataset names and paths belong to this cache.
    parts = []
    for info in accounting.get("datasets", {}).values():
        info = dict(info)
        selected = {k: v for k, v in info.pop("selected", {}).items() if k != "path"}
        parts.append({**info, "selected": selected})
    return {
        "model": MODEL,
        "stage": spec["stage"],
        "tokens": int(accounting.get("total", {}).get("tokens", 0)),
        "total": accounting.get("total", {}),
        "global_step": accounting.get("global_step"),
        "parts": parts,
        # Fingerprints make summary.json prove more than equal rates: a resumed run must
        # reproduce the very weights and completions of an uninterrupted one.
        "weights_sha256": _sha256(weights),
    }


def _sha256(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def outputs_digest(log_location: str) -> str:
    """sha256 over every sample's id, epoch and completion, in id order."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(log_location)
    rows = sorted(
        (str(s.id), s.epoch, s.output.completion if s.output else "") for s in log.samples or []
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


DROP = ("model_args", "log")


def run_eval_step(step: Step, work: Path, model_dir: Path) -> dict[str, Any]:
    import contextlib
    import sys

    from ..evals.config import EvalConfig
    from ..evals.run import run_eval
    from ..models import eval_model

    spec = step.spec
    shutil.rmtree(work, ignore_errors=True)  # an eval restarts whole: no half-written logs
    model = eval_model(model_dir, seed=spec["seed"], temperature=spec["temperature"])
    config = EvalConfig(**{k: v for k, v in spec.items() if k in EvalConfig.model_fields})
    with model, contextlib.redirect_stdout(sys.stderr):
        raw = run_eval(config, work, model=model, model_args={"model_path": str(model_dir)})
    if raw["status"] != "success":
        raise StepError(f"{step.label}: eval ended with status {raw['status']}: {raw['error']}")
    (work / "summary.json").rename(work / "eval_summary.json")  # ours is result.json
    keep = ("status", "samples_total", "splits", "families", "cells", "agent_name")
    result = {k: raw[k] for k in keep}
    result["outputs_sha256"] = outputs_digest(raw["log"])
    result["settings"] = {k: v for k, v in raw["settings"].items() if k not in DROP}
    result["logs"] = "logs"
    return result
