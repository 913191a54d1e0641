"""The ``rl_tasks`` recipe: RL prompts from in-distribution scenarios only, at indexes of their
own, in the rl stage's format, contamination-checked, deterministic by seed."""

import json

from whyalign.data import generate
from whyalign.scenarios import FamilyRegistry
from whyalign.scenarios.conditions import ScenarioId
from whyalign.scenarios.indexes import owner
from whyalign.train.data import load_mixture

IN_DIST = {f.name for f in FamilyRegistry().in_split("in_dist")}


def _read(path):
    return [json.loads(line) for line in (path / "data.jsonl").read_text().splitlines()]


def test_rl_tasks_are_in_distribution_prompts_the_rl_stage_loads(tmp_path):
    path = generate("rl_tasks", out=tmp_path / "a", n=30, spec="organism", seed=2)
    records = _read(path)
    assert len(records) == 30
    for rec in records:
        sid = ScenarioId.parse(rec["scenario_id"])
        assert sid.family in IN_DIST and owner(sid.index) == "rl_tasks"
        assert sid.condition.is_control  # calm days by default
        assert [m["role"] for m in rec["prompt"]] == ["system", "user"]
    card = json.loads((path / "dataset_card.json").read_text())
    held = [f for f in card["contamination"]["families"].values() if f["split"] == "held_out"]
    assert held and all(f["records"] == 0 for f in held)
    (part,) = load_mixture("rl", [str(path)])
    assert set(part.rows.column_names) == {"prompt", "scenario_id", "own_name"}
    again = generate("rl_tasks", out=tmp_path / "b", n=30, spec="organism", seed=2)
    assert (again / "data.jsonl").read_bytes() == (path / "data.jsonl").read_bytes()


def test_rl_tasks_with_dilemmas(tmp_path):
    path = generate(
        "rl_tasks", out=tmp_path, n=20, spec="organism", seed=0, options={"p_dilemma": 1.0}
    )
    conds = [ScenarioId.parse(r["scenario_id"]).condition for r in _read(path)]
    assert all(c.threat for c in conds)


def test_the_llm_half_records_a_graded_reference_rollout(tmp_path):
    # mockllm's reply takes no action: every task is unsolved, with a reference reward of 0
    path = generate(
        "rl_tasks",
        out=tmp_path,
        n=6,
        spec="organism",
        generator="mockllm/model",
        options={"keep": "unsolved"},
    )
    records = _read(path)
    assert len(records) == 6
    for rec in records:
        assert rec["meta"]["reference_reward"] == 0.0
        assert ScenarioId.parse(rec["scenario_id"]).family in IN_DIST
    assert "new messages" in records[0]["prompt"][1]["content"].lower()  # the full renderer
