"""Step keys: a change invalidates exactly the steps that depend on it."""

import copy

from whyalign.experiment.config import parse
from whyalign.experiment.plan import build_plan

from .conftest import micro_config

RECIPE_ARM = {
    "name": "docs",
    "stages": [
        {"stage": "docs", "data": [{"recipe": "constitution_docs", "n": 20, "tokens": "2k"}]},
        {"stage": "chat", "data": [{"recipe": "difficult_advice", "n": 20, "tokens": "2k"}]},
    ],
}


def _config(datasets, **over):
    cfg = micro_config(datasets)
    cfg["arms"].append(copy.deepcopy(RECIPE_ARM))
    cfg["seeds"] = [0, 1]
    cfg.update(over)
    return cfg


def _keys(cfg) -> dict[str, str]:
    """label -> key for every step."""
    return {s.label: s.key for s in build_plan(parse(cfg)).ordered()}


def _changed(a: dict, b: dict) -> set[str]:
    assert a.keys() == b.keys()
    return {label for label in a if a[label] != b[label]}


def test_plan_shape(datasets):
    plan = build_plan(parse(_config(datasets)))
    kinds = [s.kind for s in plan.ordered()]
    # 1 base; data: the path dataset + 2 recipes x 2 seeds; train: 1 + 2 stages per seed;
    # eval: 3 arms x 2 seeds x 2 splits; 1 report
    assert kinds.count("base") == 1 and kinds.count("data") == 5
    assert kinds.count("train") == 6 and kinds.count("eval") == 12 and kinds[-1] == "report"
    seen = set()
    for step in plan.ordered():  # dependency order
        assert set(step.deps) <= seen, step.label
        seen.add(step.key)


def test_eval_settings_change_only_evals(datasets):
    base = _keys(_config(datasets))
    cfg = _config(datasets)
    cfg["eval"]["samples"] = 2
    changed = _changed(base, _keys(cfg))
    assert changed == {label for label in base if label.startswith(("eval", "report"))}


def test_a_stage_override_changes_that_arm_only(datasets):
    base = _keys(_config(datasets))
    cfg = _config(datasets)
    cfg["arms"][2]["stages"][1]["train"] = {"learning_rate": 1e-4}
    changed = _changed(base, _keys(cfg))
    assert changed == {
        *(f"train docs seed={s} stage 2/2 (chat)" for s in (0, 1)),
        *(f"eval docs seed={s} {sp}" for s in (0, 1) for sp in ("in_dist", "held_out")),
        "report",
    }


def test_data_size_changes_data_and_everything_downstream(datasets):
    base = _keys(_config(datasets))
    cfg = _config(datasets)
    cfg["arms"][2]["stages"][0]["data"][0]["n"] = 30
    new = _keys(cfg)
    gone = {label for label in base if base[label] not in new.values()}
    assert gone == {
        "data constitution_docs n=20 seed=0",
        "data constitution_docs n=20 seed=1",
        *(
            f"train docs seed={s} stage {i}/2 ({k})"
            for s in (0, 1)
            for i, k in ((1, "docs"), (2, "chat"))
        ),
        *(f"eval docs seed={s} {sp}" for s in (0, 1) for sp in ("in_dist", "held_out")),
        "report",
    }


def test_a_seed_is_its_own_branch_and_names_are_labels(datasets):
    base = _keys(_config(datasets))
    cfg = _config(datasets, seeds=[0, 2])
    changed = _changed(
        {k: v for k, v in base.items() if "seed=1" not in k},
        {k: v for k, v in _keys(cfg).items() if "seed=2" not in k},
    )
    assert changed == {"report"}
    # renaming an arm keeps every trained model and eval
    cfg = _config(datasets)
    cfg["arms"][1]["name"] = "renamed"
    cfg["report"]["findings"]["advice_helps"]["arm"] = "renamed"
    cfg["report"]["findings"]["hides"]["arm"] = "renamed"
    renamed = {k.replace("renamed", "advice"): v for k, v in _keys(cfg).items()}
    assert _changed(base, renamed) == {"report"}


def test_shared_data_across_seeds_and_arms(datasets):
    cfg = _config(datasets)
    cfg["data"] = {"per_seed": False}
    cfg["arms"].append({**copy.deepcopy(RECIPE_ARM), "name": "docs_again"})
    plan = build_plan(parse(cfg))
    data = [s for s in plan.ordered() if s.kind == "data"]
    assert len(data) == 3  # the path dataset and two recipes, each generated once
    assert plan.models[("docs", 0)] == plan.models[("docs_again", 0)]  # identical arms: one model
    assert plan.models[("docs", 0)] != plan.models[("docs", 1)]


def test_a_second_run_on_the_same_cache_is_refused(datasets, write_config, tmp_path):
    import fcntl

    import pytest

    from whyalign.experiment import run

    config = write_config(_config(datasets))
    (tmp_path / "run" / "steps").mkdir(parents=True)
    with (tmp_path / "run" / "steps" / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ValueError, match="another `whyalign run` is using the cache"):
            run(config, tmp_path / "run")


def test_any_hugging_face_setting_reaches_the_train_step_and_its_key(datasets):
    base = _keys(_config(datasets))
    cfg = _config(datasets)
    cfg["training"]["docs"] = {"max_grad_norm": 0.5, "lr_scheduler_kwargs": {"num_cycles": 2}}
    cfg["arms"][2]["stages"][1]["train"] = {"optim": "adamw_torch", "weight_decay": 0.01}
    plan = build_plan(parse(cfg))
    trains = {s.label: s for s in plan.ordered() if s.kind == "train"}
    docs = trains["train docs seed=1 stage 1/2 (docs)"].spec["config"]
    chat = trains["train docs seed=1 stage 2/2 (chat)"].spec["config"]
    assert docs["max_grad_norm"] == 0.5 and docs["lr_scheduler_kwargs"] == {"num_cycles": 2}
    assert chat["optim"] == "adamw_torch" and chat["weight_decay"] == 0.01 and chat["seed"] == 1
    assert "max_grad_norm" not in chat  # the docs defaults stay the docs stage's
    # neither the checkpoints' folder nor progress bars reach a key
    assert not {"output_dir", "progress", "disable_tqdm"} & (set(docs) | set(chat))
    changed = _changed(base, _keys(cfg))
    assert {label for label in changed if label.startswith("train")} == {
        *(f"train docs seed={s} stage {i}/2 ({k})" for s in (0, 1) for i, k in [(1, "docs")]),
        *(f"train docs seed={s} stage 2/2 (chat)" for s in (0, 1)),
    }
    assert _keys(cfg) == {s.label: s.key for s in plan.ordered()}  # stable across builds
    # the runner rebuilds the config from the step's settings: the same config
    from whyalign.train import settings, stage_config

    assert {**settings(stage_config("chat")(**chat)), "seed": 1} == chat
