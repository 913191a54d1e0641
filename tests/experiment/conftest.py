"""Fixtures for the experiment tests: a private cache with the tiny organism, small datasets
in each stage's format, a micro experiment file (two arms, one seed) and one run of it shared
by every test that needs a finished run (it takes minutes)."""

import json
import os
import random
import subprocess
import sys

import pytest
import yaml

NAMES = ["kim", "ana", "raj", "lee"]


@pytest.fixture(scope="session")
def cache(tmp_path_factory):
    """WHYALIGN_CACHE for the whole session; subprocesses inherit it through the env."""
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("whyalign-cache")
    mp.setenv("WHYALIGN_CACHE", str(path))
    yield path
    mp.undo()


@pytest.fixture(scope="session")
def tiny_organism(cache):
    from whyalign.organism.build import build

    return build("tiny", 0, log=lambda m: None, progress=False)


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="session")
def datasets(tmp_path_factory):
    rng = random.Random(0)
    root = tmp_path_factory.mktemp("datasets")
    docs = [
        {"text": f"the agent {rng.choice(NAMES)} tells the truth about the audit to the board."}
        for _ in range(40)
    ]
    chat = [
        {
            "messages": [
                {"role": "user", "content": f"should i hide the loss from {rng.choice(NAMES)}?"},
                {"role": "assistant", "content": "no. tell them plainly; hiding it harms them."},
            ]
        }
        for _ in range(40)
    ]
    return {
        "docs": _write(root / "docs" / "data.jsonl", docs).parent,
        "chat": _write(root / "chat" / "data.jsonl", chat).parent,
    }


def micro_config(datasets, **over) -> dict:
    cfg = {
        "name": "micro",
        "base_model": "organism/tiny",
        "seeds": [0],
        "training": {
            "chat": {"per_device_train_batch_size": 4, "save_steps": 2, "learning_rate": 1e-3}
        },
        "arms": [
            {"name": "baseline"},
            {
                "name": "advice",
                "stages": [
                    {"stage": "chat", "data": [{"path": str(datasets["chat"]), "tokens": "3k"}]}
                ],
            },
        ],
        "eval": {
            "splits": ["in_dist", "held_out"],
            "samples": 1,
            "families": ["blackmail", "self_exfiltration"],
            "max_tokens": 24,
        },
        "report": {
            "findings": {
                "advice_helps": {
                    "title": "advice lowers held-out misalignment",
                    "rule": "lower",
                    "arm": "advice",
                    "than": "baseline",
                },
                "hides": {
                    "title": "advice lowers in-dist more than held-out",
                    "rule": "drop_gap",
                    "arm": "advice",
                    "baseline": "baseline",
                    "split": "in_dist",
                },
            }
        },
    }
    cfg.update(over)
    return cfg


@pytest.fixture
def write_config(tmp_path):
    def write(cfg: dict, name: str = "exp.yaml"):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        return path

    return write


def recipe_config(datasets) -> dict:
    """The micro experiment with its trained arm's data made by a recipe."""
    cfg = micro_config(datasets)
    cfg["data"] = {"spec": "organism", "n": 30}
    cfg["arms"][1]["stages"][0]["data"] = [{"recipe": "difficult_advice", "tokens": "3k"}]
    return cfg


@pytest.fixture(scope="session")
def micro(tiny_organism, datasets, tmp_path_factory):
    """The uninterrupted run: (config path, run dir, stderr of the run)."""
    root = tmp_path_factory.mktemp("micro")
    config = root / "micro.yaml"
    config.write_text(json.dumps(recipe_config(datasets)))  # JSON is YAML
    run_dir = root / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "whyalign.cli", "run", str(config), "--out", str(run_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == str(run_dir / "report" / "index.html")
    return config, run_dir, proc.stderr
