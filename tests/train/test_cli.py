"""``python -m whyalign.train`` and ``whyalign train``: flags and YAML, stage chaining, errors."""

import json
import subprocess
import sys

import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.train.run import main, parse

from .conftest import chat_rows, docs_rows, write_jsonl

runner = CliRunner()


def test_flags_and_yaml_build_the_stage_config(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"model": "m", "learning_rate": 0.01, "lora": True}))
    stage, args, cfg, _ = parse(
        ["chat", "--config", str(config), "--data", "a.jsonl", "--data", "b.jsonl:2"]
        + ["--out", "o", "--learning_rate", "0.02", "--lora_targets", "q_proj", "v_proj"]
    )
    assert stage == "chat" and args.model == "m" and args.data == ["a.jsonl", "b.jsonl:2"]
    assert cfg.learning_rate == 0.02 and cfg.lora and cfg.lora_targets == ["q_proj", "v_proj"]
    assert type(cfg).__name__ == "ChatConfig" and cfg.train_sampling_strategy == "group_by_length"


def test_docs_then_chat_from_the_command_line(tmp_path, base_dir, capsys):
    docs = [write_jsonl(tmp_path / f"d{i}.jsonl", docs_rows(20, i)) for i in range(2)]
    config = tmp_path / "docs.yaml"
    config.write_text(
        yaml.safe_dump(
            {"model": str(base_dir), "max_length": 48, "per_device_train_batch_size": 4}
            | {"bf16": False, "max_steps": 3, "progress": False, "save_steps": 2}
        )
    )
    out = tmp_path / "docs-out"
    rc = main(["docs", "--config", str(config), "--data", docs[0], "--data", docs[1] + ":2"])
    assert rc == 2 and "no output directory" in capsys.readouterr().err
    rc = main(["docs", "--config", str(config), "--data", *docs, "--out", str(out)])
    assert rc == 0 and capsys.readouterr().out.strip() == str(out / "model")
    report = json.loads((out / "model" / "token_accounting.json").read_text())
    assert set(report["datasets"]) == {"d0", "d1"} and report["total"]["examples"] == 12
    # the next stage starts from the previous one's output directory, through `whyalign train`
    chat = write_jsonl(tmp_path / "c.jsonl", chat_rows(8))
    result = runner.invoke(
        app,
        ["train", "chat", "--model", str(out), "--data", chat, "--out", str(tmp_path / "chat")]
        + ["--max_steps", "2", "--per_device_train_batch_size", "4", "--bf16", "false"]
        + ["--no_progress"],
    )
    assert result.exit_code == 0, result.output
    path = str(tmp_path / "chat" / "model")
    assert result.stdout.strip() == path, (result.stdout, result.stderr)  # logs go to stderr
    AutoModelForCausalLM.from_pretrained(path)
    assert AutoTokenizer.from_pretrained(path).chat_template


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, base_dir):
    docs = write_jsonl(tmp_path / "d.jsonl", docs_rows(3))
    common = ["--model", str(base_dir), "--out", str(tmp_path / "o")]
    for args, words in [
        (["train", "chat", "--data", docs, *common], "looks like a docs dataset"),
        (["train", "docs", "--data", str(tmp_path / "x.jsonl"), *common], "not found"),
        (["train", "docs", *common], "empty mixture"),
        (["train", "dpo", "--data", docs, *common], "must be a stage"),
        (["train", "docs", "--data", docs, "--model", str(tmp_path), "--out", "o"], "could not"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith("error:"), args
        assert words in result.output, (args, result.output)


def test_shipped_accelerate_configs():
    done = subprocess.run(
        [sys.executable, "-m", "whyalign.train", "configs"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    paths = done.stdout.split()
    kinds = {yaml.safe_load(open(p))["distributed_type"] for p in paths}
    assert kinds == {"MULTI_GPU", "FSDP", "DEEPSPEED"}
    fsdp = next(yaml.safe_load(open(p)) for p in paths if p.endswith("fsdp2.yaml"))
    assert fsdp["fsdp_config"]["fsdp_version"] == 2
