import json

import pytest
from typer.testing import CliRunner

from whyalign.cli import app

from .fake import FakeLLM


@pytest.fixture
def scripted(monkeypatch):
    """Route the CLI's generator name to a scripted mock model."""
    holder = {}

    def resolve(generator, model_args, seed=0):
        holder["model_args"] = model_args
        return holder["llm"].model

    monkeypatch.setattr("whyalign.data._run.resolve_generator", resolve)
    return holder


def test_data_cli_writes_a_dataset_trainable_as_a_directory(tmp_path, scripted):
    from whyalign.train.data import read_rows

    scripted["llm"] = FakeLLM()
    out = tmp_path / "advice"
    result = CliRunner().invoke(
        app,
        [
            "data",
            "difficult_advice",
            "--generator",
            "mockllm/model",
            "--n",
            "5",
            "--out",
            str(out),
            "-O",
            "response_rewrite=false",
            "-O",
            "per_call=2",
            "-M",
            "base_url=http://x",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out)
    card = json.loads((out / "dataset_card.json").read_text())
    assert card["config"]["options"]["per_call"] == 2
    assert card["config"]["options"]["response_rewrite"] is False
    assert card["config"]["options"]["prompt_rewrite"] is True
    assert scripted["model_args"] == {"base_url": "http://x"}
    rows = read_rows(out)  # the card next to the data is not a row file
    assert len(rows) == 5 and all("messages" in row for _, row in rows)


def test_dead_endpoint_is_one_line_exit_1_and_resumable(tmp_path, scripted):
    scripted["llm"] = FakeLLM(fail_after=3)
    args = ["data", "stories", "--generator", "mockllm/model", "--n", "4", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "resume" in result.stderr
    assert json.loads((tmp_path / "dataset_card.json").read_text())["status"] == "incomplete"
    scripted["llm"] = FakeLLM()
    assert CliRunner().invoke(app, args).exit_code == 0
    assert len(scripted["llm"].calls) > 0 and (tmp_path / "data.jsonl").exists()


def test_junk_generator_output_is_a_clear_failure(tmp_path):
    # The plain mock answers every prompt with the same sentence: nothing parses.
    result = CliRunner().invoke(
        app,
        [
            "data",
            "constitution_docs",
            "--generator",
            "mockllm/model",
            "--n",
            "3",
            "--out",
            str(tmp_path),
            "-O",
            "max_connections=2",
        ],
    )
    assert result.exit_code == 1 and "no records survived" in result.stderr
    assert "types_unparseable" in result.stderr
    assert not (tmp_path / "data.jsonl").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["data", "nope"], "unknown recipe"),
        (["data", "stories", "-O", "no_reasons=true"], "has no option no_reasons"),
        (["data", "stories", "--spec", "/no/such/spec.md"], "not found"),
        (["data", "stories", "-O", "min_score=high"], "expects a number"),
        (["data", "stories", "-O", "novalue"], "key=value"),
    ],
)
def test_bad_input_is_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(
        app, [*args, "--out", str(tmp_path), "--generator", "mockllm/model"]
    )
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1
