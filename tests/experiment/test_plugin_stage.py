"""A stage added by one module outside whyalign (``tests/train/toy_stage.py``, through the
``whyalign.stages`` entry points) is a stage of an experiment file with no other change: it
validates, plans, trains with its own settings and is evaluated."""

import json

from whyalign.experiment import run
from whyalign.experiment.config import load
from whyalign.experiment.plan import build_plan

from ..train.plugin import install
from .conftest import micro_config


def test_an_experiment_trains_a_plugin_stage(tiny_organism, datasets, tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    install(tmp_path / "site", monkeypatch)
    data = tmp_path / "passages.jsonl"
    lines = [f"the agent reads mail {i} and tells the board the truth." for i in range(24)]
    data.write_text("".join(json.dumps({"passage": p}) + "\n" for p in lines))
    cfg = micro_config(datasets)
    cfg["training"] = {"passages": {"per_device_train_batch_size": 4, "max_grad_norm": 0.5}}
    cfg["arms"] = [
        {
            "name": "passages",
            "stages": [
                {
                    "stage": "passages",
                    "data": [{"path": str(data), "tokens": "600"}],
                    "train": {"max_steps": 3, "save_steps": 2},
                }
            ],
        }
    ]
    cfg["eval"] = {"splits": ["in_dist"], "samples": 1, "families": ["blackmail"], "max_tokens": 8}
    cfg["report"] = {}
    config = tmp_path / "exp.yaml"
    config.write_text(json.dumps(cfg))
    run_dir = run(config, out=tmp_path / "run", cache=tmp_path / "cache")
    summary = json.loads((run_dir / "summary.json").read_text())
    arm = summary["arms"]["passages"]
    assert arm["training_tokens"]["0"] > 0
    assert arm["rates"]["in_dist"]["pooled"]["samples"] == 8
    [train] = [p for p in (tmp_path / "cache").glob("train-*")]
    result = json.loads((train / "result.json").read_text())
    assert result["stage"] == "passages" and result["global_step"] == 3
    [step] = [s for s in build_plan(load(config)).ordered() if s.kind == "train"]
    assert train.name == step.name  # the step that ran is the one planned with these settings
    assert step.spec["config"]["max_grad_norm"] == 0.5 and step.spec["config"]["max_steps"] == 3
