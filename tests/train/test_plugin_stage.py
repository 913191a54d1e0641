"""A stage added by one module outside whyalign (``toy_stage.py``, found through the
``whyalign.stages`` entry points) trains end to end through ``python -m whyalign.train``:
its flags (every Hugging Face one among them), its data checks and its token accounting."""

import json
import os
import subprocess
import sys

import pytest

from whyalign.train.run import main, parse
from whyalign.train.run import train as train_run

from .conftest import NAMES, THINGS, docs_rows, write_jsonl
from .plugin import install


@pytest.fixture
def toy(tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    return install(tmp_path / "site", monkeypatch)


def passages(n):
    return [{"passage": f"{NAMES[i % 6]} files the {THINGS[i % 5]} report."} for i in range(n)]


def test_a_plugin_stage_trains_from_the_command_line(toy, tmp_path, base_dir, capsys):
    data = write_jsonl(tmp_path / "p.jsonl", passages(12))
    out = tmp_path / "out"
    argv = ["passages", "--model", str(base_dir), "--data", data, "--out", str(out)]
    argv += ["--max_steps", "3", "--per_device_train_batch_size", "4", "--max_grad_norm", "0.5"]
    argv += ["--bf16", "false", "--no_progress"]
    stage, args, cfg, _ = parse(argv)
    assert type(cfg).__name__ == "PassagesConfig" and cfg.max_grad_norm == 0.5
    assert cfg.learning_rate == 2e-3 and cfg.lr_scheduler_type == "cosine"  # its defaults, ours
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == str(out / "model")
    report = json.loads((out / "model" / "token_accounting.json").read_text())
    assert report["stage"] == "passages" and report["global_step"] == 3
    assert report["datasets"]["p"]["examples"] == 12  # 3 steps x 4 rows
    assert report["datasets"]["p"]["selected"]["examples"] == 12
    # train() takes its config as it takes the shipped stages'
    again = train_run(stage, args, cfg)
    assert again == out / "model"


def test_a_plugin_stage_checks_its_data_and_others_name_it(toy, tmp_path, base_dir, capsys):
    docs = write_jsonl(tmp_path / "d.jsonl", docs_rows(4))
    toy_rows = write_jsonl(tmp_path / "p.jsonl", passages(4))
    common = ["--model", str(base_dir), "--out", str(tmp_path / "o")]
    assert main(["passages", "--data", docs, *common]) == 2
    assert "looks like a docs dataset" in capsys.readouterr().err
    assert main(["docs", "--data", toy_rows, *common]) == 2
    assert "looks like a passages dataset" in capsys.readouterr().err


def test_a_fresh_process_finds_the_plugin_stage(toy):
    env = {**os.environ, "PYTHONPATH": str(toy)}
    done = subprocess.run(
        [sys.executable, "-m", "whyalign.train", "passages", "--help"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--max_grad_norm" in done.stdout and "--lr_scheduler_kwargs" in done.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "whyalign.train"], capture_output=True, text=True, env=env
    )
    assert "{docs,chat,prefs,rl,passages}" in usage.stdout
