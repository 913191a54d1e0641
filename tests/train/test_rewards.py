"""The rl stage's rewards: the rule classifier on rl_tasks scenarios (+1 routine, -1 harm, 0
neither, a held-out family refused), the LLM judge through a scripted mockllm grader (scores
read, a refusal or an unreadable judgement an error), and the judge inside a GRPO step."""

import asyncio
import itertools
import json

import pytest
from inspect_ai.model import ModelOutput, get_model
from transformers import TrainerCallback

from whyalign.data.procedural import rl_tasks
from whyalign.scenarios import FamilyRegistry
from whyalign.scenarios.actions import format_action
from whyalign.scenarios.answers import episode_answers
from whyalign.scenarios.conditions import control_grid, expand
from whyalign.scenarios.scenario import build_scenario, fill
from whyalign.train.config import TrainArgs
from whyalign.train.rewards import RewardError, checked, resolve, reward
from whyalign.train.rewards.judge import judge_reward, read_score
from whyalign.train.run import train
from whyalign.train.stages.rl import RLConfig

from .conftest import chat_rows, write_jsonl


def answer(record, kind: str) -> str:
    """The family's own routine (or harmful) act for this task, as the eval would parse it."""
    registry = FamilyRegistry()
    scn = build_scenario(record["scenario_id"], registry, record["own_name"])
    ctx = scn.context("compact")
    way = getattr(episode_answers(registry, scn.family.name), kind)[0]
    return format_action(way.tool, **{k: fill(v, ctx) for k, v in way.args.items()})


def columns(records):
    return {"scenario_id": [r["scenario_id"] for r in records],
            "own_name": [r["own_name"] for r in records]}  # fmt: skip


def test_rules_rewards_the_days_work_and_punishes_harm():
    (rules,) = resolve("rules")
    calm = rl_tasks.generate(None, 6, 0, {})
    prompts = [r["prompt"] for r in calm]
    routine = [[{"role": "assistant", "content": answer(r, "routine")}] for r in calm]
    assert rules(prompts, routine, **columns(calm)) == [1.0] * 6
    assert rules(prompts, ["I will think about it."] * 6, **columns(calm)) == [0.0] * 6
    dilemmas = rl_tasks.generate(None, 6, 0, {"p_dilemma": 1.0})
    harmful = [answer(r, "harmful") for r in dilemmas]
    both = [answer(r, "routine") + "\n" + h for r, h in zip(dilemmas, harmful, strict=True)]
    assert rules([r["prompt"] for r in dilemmas], both, **columns(dilemmas)) == [-1.0] * 6


def test_rules_refuses_a_held_out_family_and_a_missing_column():
    (rules,) = resolve("rules")
    held = FamilyRegistry().in_split("held_out")[0].name
    sid = str(next(expand(held, control_grid(), 1)))
    with pytest.raises(RewardError, match="held-out family"):
        rules(["p"], ["x"], scenario_id=[sid])
    with pytest.raises(RewardError, match="needs a 'scenario_id' column"):
        rules(["p"], ["x"])


def scripted(*texts, stop_reason="stop"):
    outputs = [ModelOutput.from_content("mockllm/model", t, stop_reason=stop_reason) for t in texts]
    return get_model("mockllm/model", custom_outputs=outputs)


def judge(grader):
    return checked("judge", judge_reward(grader))


def test_the_judge_reads_its_scores():
    fn = judge(
        scripted("<reasoning>did the work</reasoning><score>0.75</score>", "<score>0</score>")
    )
    got = asyncio.run(fn(prompts=["task one", "task two"], completions=["a", "b"]))
    assert got == [0.75, 0.0]


@pytest.mark.parametrize(
    ("grader", "message"),
    [
        (scripted("I won't grade this.", stop_reason="content_filter"), "refused"),
        (scripted("<score>high</score>"), "no <score>"),
        (scripted("<score>0.2</score> or <score>0.4</score>"), "more than one <score>"),
    ],
)
def test_a_refused_or_unreadable_judgement_is_an_error(grader, message):
    with pytest.raises(RewardError, match=message):
        asyncio.run(judge(grader)(prompts=["task"], completions=["reply"]))


def test_the_judge_takes_its_grader_from_the_config(monkeypatch):
    (fn,) = resolve("judge", RLConfig(grader="mockllm/model"))
    with pytest.raises(RewardError, match="reward 'judge': the judge gave no <score>"):
        asyncio.run(fn(prompts=["task"], completions=["reply"]))
    monkeypatch.delenv("INSPECT_EVAL_MODEL", raising=False)
    with pytest.raises(RewardError, match="needs a grader"):
        resolve("judge", RLConfig())


def test_read_score_bounds():
    assert read_score("<score>1</score>") == 1.0 and read_score("<score> .5 </score>") == 0.5
    with pytest.raises(RewardError):
        read_score("<score>1.5</score>")


@reward("test_scripted_judge", configured=True)
def scripted_judge(cfg):
    outputs = itertools.repeat(ModelOutput.from_content("mockllm/model", "<score>0.25</score>"))
    return judge_reward(get_model("mockllm/model", custom_outputs=outputs))


class Logs(TrainerCallback):
    def __init__(self):
        self.logs = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.logs.append(dict(logs or {}))


def test_the_judge_scores_a_grpo_step(base_dir, tmp_path):
    rows = [{"prompt": r["messages"][:2]} for r in chat_rows(4, 2)]
    data = write_jsonl(tmp_path / "p.jsonl", rows)
    cfg = RLConfig(max_steps=1, per_device_train_batch_size=8, num_generations=4,
                   max_completion_length=4, logging_steps=1, bf16=False, progress=False,
                   reward="test_scripted_judge")  # fmt: skip
    logs = Logs()
    out = train("rl", TrainArgs(model=str(base_dir), data=[data], out=str(tmp_path / "o")), cfg,
                callbacks=[logs])  # fmt: skip
    assert any(log.get("rewards/test_scripted_judge/mean") == 0.25 for log in logs.logs)
    assert json.loads((out / "token_accounting.json").read_text())["total"]["examples"] == 8
