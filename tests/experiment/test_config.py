"""The experiment file: what loads, and one-line errors that name the file and the field."""

import pytest
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.experiment import ConfigError, demo_config, load

from .conftest import micro_config

DATA = {"docs": "/nonexistent/docs", "chat": "/nonexistent/chat"}


def _error(write_config, cfg) -> str:
    path = write_config(cfg)
    with pytest.raises(ConfigError) as err:
        load(path)
    msg = str(err.value)
    assert msg.startswith(str(path) + ": ") and "\n" not in msg
    return msg.removeprefix(str(path) + ": ")


def test_micro_config_loads(write_config):
    exp = load(write_config(micro_config(DATA)))
    assert [a.name for a in exp.arms] == ["baseline", "advice"]
    assert exp.arms[1].stages[0].data[0].tokens == 3000
    assert exp.report.findings["advice_helps"].arm == ["advice"]


def test_the_shipped_demo_loads():
    exp = load(demo_config())
    assert len(exp.seeds) >= 3 and exp.base_model == "organism/small"
    assert {"baseline", "combination"} <= {a.name for a in exp.arms}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(bogus=1), "bogus: unknown field"),
        (lambda c: c.pop("base_model"), "base_model: required field missing"),
        (lambda c: c["eval"].update(splits=["nope"]), "eval.splits[0]: Input should be"),
        (lambda c: c["eval"].update(samples=0), "eval.samples: Input should be greater than 0"),
        (
            lambda c: c["arms"][1]["stages"][0]["data"][0].update(tokens="lots"),
            "arms[1].stages[0].data[0].tokens: expected a token count",
        ),
        (
            lambda c: c["arms"][1]["stages"][0]["data"][0].update(recipe="stories"),
            "arms[1].stages[0].data[0]: give exactly one of 'recipe'",
        ),
        (
            lambda c: c["arms"][1]["stages"][0].update(stage="pretrain"),
            "arms[1].stages[0].stage: unknown stage 'pretrain'; known: docs, chat, prefs",
        ),
        (
            lambda c: c["arms"][1]["stages"][0].update(train={"lr_scheduler_type": "cosin"}),
            "arms[1].stages[0].train: not a valid chat config: cosin is not a valid SchedulerType",
        ),
        (
            lambda c: c["arms"][1]["stages"][0].update(train={"loss": "row"}),
            "arms[1].stages[0].train: unknown training field(s) loss",  # a docs field
        ),
        (
            lambda c: c["training"].update(sft={"learning_rate": 1e-3}),
            "training: unknown stage 'sft'",
        ),
        (
            lambda c: c["arms"][1]["stages"][0].update(train={"learning_rat": 1}),
            "arms[1].stages[0].train: unknown training field(s) learning_rat",
        ),
        (
            lambda c: c["training"]["chat"].update(seed=3),
            "training: chat: 'seed' comes from the experiment's seeds",
        ),
        (lambda c: c["arms"].append({"name": "advice"}), "arm names must be unique"),
        (lambda c: c["arms"].append({"name": "bad name"}), "arms[2].name: arm names are"),
        (lambda c: c.update(seeds=[1, 1]), "seeds: seeds must be distinct"),
        (
            lambda c: c["report"]["findings"]["advice_helps"].update(than="nobody"),
            "report.findings.advice_helps: no arm named 'nobody'",
        ),
        (
            lambda c: c["report"]["findings"]["hides"].pop("baseline"),
            "report.findings.hides: rule 'drop_gap' needs 'baseline'",
        ),
        (
            lambda c: c["eval"].update(splits=["in_dist"]),
            "report.findings.advice_helps: 'held_out' is not measured (eval.splits, audit, "
            "or understanding.kinds)",
        ),
    ],
)
def test_errors_name_the_field(write_config, change, expected):
    cfg = micro_config(DATA)
    change(cfg)
    assert _error(write_config, cfg).startswith(expected)


def test_not_a_mapping_and_bad_yaml(tmp_path):
    for text, expected in (("- a\n- b\n", "must be a YAML mapping"), ("a: [1\n", "invalid YAML")):
        path = tmp_path / "x.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError, match=expected):
            load(path)
    with pytest.raises(ConfigError, match="experiment file not found"):
        load(tmp_path / "missing.yaml")


def test_cli_bad_config_is_one_line_and_exit_2(write_config):
    cfg = micro_config(DATA)
    cfg["eval"]["temperature"] = -1
    path = write_config(cfg)
    for args in (["run", str(path)], ["run", str(path), "--dry-run"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert result.output.count("\n") == 1
        assert result.output.startswith(f"error: {path}: eval.temperature:")
