"""Fixtures for the experiment tests: a private cache with the tiny organism, small datasets
in each stage's format, and a micro experiment file (two arms, one seed)."""

import json
import random

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
