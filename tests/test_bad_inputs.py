"""Every bad input we know of, with the exit code and the first words of its one-line error.

A row is (id, setup, expected exit code, expected message start): ``setup(tmp)`` writes what
the input needs under ``tmp`` and returns the argv (and optionally the stdin). Add a row for
every new one-line error, so that this list only grows. Ctrl-C (exit 130) needs a real
process and a model: ``tests/experiment/test_interrupt.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from whyalign.cli import app

CHAT_ROW = {
    "messages": [
        {"role": "user", "content": "should i hide the loss?"},
        {"role": "assistant", "content": "no, tell them plainly."},
    ]
}
SID = "blackmail/explicit-america/replacement/4"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _jsonl(path: Path, rows: list[Any]) -> Path:
    return _write(path, "".join(json.dumps(r) + "\n" for r in rows))


def _experiment(tmp: Path, change: Callable[[dict], Any] = lambda c: None) -> Path:
    """A small valid experiment, changed by ``change``, which finds the input folder under
    the key ``_tmp``."""
    chat = _jsonl(tmp / "chat" / "data.jsonl", [CHAT_ROW] * 4).parent
    cfg: dict[str, Any] = {
        "name": "bad",
        "base_model": "organism/tiny",
        "arms": [
            {"name": "baseline"},
            {
                "name": "advice",
                "stages": [{"stage": "chat", "data": [{"path": str(chat), "tokens": "3k"}]}],
            },
        ],
        "eval": {"samples": 1, "families": ["blackmail", "self_exfiltration"]},
    }
    cfg["_tmp"] = tmp
    change(cfg)
    cfg.pop("_tmp")
    return _write(tmp / "exp.yaml", yaml.safe_dump(cfg, sort_keys=False))


def _data(cfg: dict, **entry: Any) -> None:
    """The trained arm's one dataset replaced by ``entry``."""
    cfg["arms"][1]["stages"][0]["data"] = [entry]


def _stage(cfg: dict, **fields: Any) -> None:
    cfg["arms"][1]["stages"][0].update(fields)


def _run(change: Callable[[dict], Any], tmp_files: Callable[[Path], Any] | None = None):
    """A setup for ``whyalign run EXP --dry-run`` on the experiment changed by ``change``;
    ``tmp_files(tmp)`` makes the files the change names."""

    def setup(tmp: Path) -> list[str]:
        if tmp_files:
            tmp_files(tmp)
        return ["run", str(_experiment(tmp, change)), "--out", str(tmp / "run"), "--dry-run"]

    setup.experiment = True  # type: ignore[attr-defined]
    return setup


def _incomplete_run(tmp: Path) -> list[str]:
    """A run directory whose plan lists an eval that never finished."""
    run = tmp / "run"
    record = {
        "cache": "steps",
        "steps": [
            {"name": "base-1", "kind": "base", "label": "base model x", "deps": [], "info": {}},
            {"name": "eval-2", "kind": "eval", "label": "eval a seed=0 in_dist", "deps": []},
        ],
    }
    _write(run / "plan.json", json.dumps(record))
    _write(run / "steps" / "base-1" / "result.json", "{}")
    return ["report", str(run)]


def _train(tmp: Path) -> list[str]:
    data = _jsonl(tmp / "d.jsonl", [CHAT_ROW])
    return ["train", "chat", "--model", str(tmp), "--data", str(data), "--out", str(tmp / "o")]


CASES: list[tuple[str, Callable[[Path], Any], int, str]] = [
    # scenarios and families
    ("unknown family", lambda t: ["scenario", "nope/none/none/1"], 2, "unknown family 'nope'"),
    (
        "scenario id short",
        lambda t: ["scenario", "blackmail/none/none"],
        2,
        "bad scenario id 'blackmail/none/none': expected family/goal/urgency",
    ),
    (
        "negative index",
        lambda t: ["scenario", "blackmail/none/none/-1"],
        2,
        "bad scenario id 'blackmail/none/none/-1': index -1 is negative",
    ),
    ("classify unknown family", lambda t: ["classify", "--family", "nope"], 2, "unknown family"),
    (
        "family file missing",
        lambda t: ["families", "--family-file", str(t / "x.yaml")],
        2,
        "{tmp}/x.yaml: file not found",
    ),
    (
        "malformed family yaml",
        lambda t: ["families", "--family-file", str(_write(t / "b.yaml", "name: x\n"))],
        2,
        "{tmp}/b.yaml: field",
    ),
    # classify: a line that is not a record is an error, after the good lines are written
    (
        "classify not json",
        lambda t: (
            ["classify", "--family", "blackmail"],
            f"not json\n{json.dumps({'scenario_id': SID, 'response': 'x'})}\n",
        ),
        2,
        "1 line(s) not classified; first: line 1: JSONDecodeError",
    ),
    (
        "classify json without scenario_id",
        lambda t: (["classify", "--family", "blackmail"], '{"response": "x"}\n[1]\n'),
        2,
        '2 line(s) not classified; first: line 1: ValueError: expected a JSON object with "sc',
    ),
    (
        "classify scenario of another family",
        lambda t: (["classify", "--family", "blackmail"], '{"scenario_id": "leaking/none/none/0"}'),
        2,
        "1 line(s) not classified; first: line 1: ValueError: scenario leaking/none/none/0 is",
    ),
    ("classify nothing to do", lambda t: ["classify"], 2, "give --family"),
    # contamination: nothing read is not a pass
    (
        "contamination empty file",
        lambda t: ["check-contamination", str(_write(t / "d.jsonl", ""))],
        2,
        "{tmp}/d.jsonl: 0 records and none with text to check",
    ),
    (
        "contamination schema-less",
        lambda t: ["check-contamination", str(_write(t / "d.jsonl", '{"n": 1}\n{}\n'))],
        2,
        "{tmp}/d.jsonl: 2 records and none with text to check",
    ),
    (
        "contamination missing file",
        lambda t: ["check-contamination", str(t / "none.jsonl")],
        2,
        "{tmp}/none.jsonl: no JSONL dataset found",
    ),
    # training numbers
    ("train max_steps -3", lambda t: [*_train(t), "--max_steps", "-3"], 2, "max_steps must be"),
    ("train max_steps 0", lambda t: [*_train(t), "--max_steps", "0"], 2, "max_steps must be"),
    # eval
    (
        "eval model_path missing",
        lambda t: ["eval", "--model", "hf/local", "-M", "model_path=/no/such", "--out", str(t)],
        2,
        "model_path /no/such: no such directory",
    ),
    (
        "eval model_path not a model",
        lambda t: ["eval", "--model", "hf/local", "-M", f"model_path={t}", "--out", str(t / "o")],
        2,
        "model_path {tmp}: not a model directory (no config.json)",
    ),
    (
        "eval samples 0",
        lambda t: ["eval", "--model", "mockllm/model", "--samples", "0"],
        2,
        "eval setting samples: Input should be greater than 0",
    ),
    (
        "eval epochs -1",
        lambda t: ["eval", "--model", "mockllm/model", "--epochs", "-1"],
        2,
        "eval setting epochs",
    ),
    (
        "eval unknown family",
        lambda t: ["eval", "--model", "mockllm/model", "--families", "nope", "--out", str(t)],
        2,
        "unknown family 'nope'",
    ),
    (
        "eval split without families",
        lambda t: [
            "eval",
            "--model",
            "mockllm/model",
            "--split",
            "held_out",
            "--families",
            "blackmail",
            "--out",
            str(t),
        ],
        2,
        "no scenarios for split='held_out'",
    ),
    (
        "eval bad format",
        lambda t: ["eval", "--model", "mockllm/model", "--format", "xml"],
        2,
        "--format 'xml': one of table, json",
    ),
    (
        "eval bad -M",
        lambda t: ["eval", "--model", "mockllm/model", "-M", "novalue"],
        2,
        "-M expects key=value",
    ),
    (
        "eval seed -1",
        lambda t: ["eval", "--model", "mockllm/model", "--seed", "-1"],
        2,
        "eval setting seed: Input should be greater than or equal to 0",
    ),
    # data
    (
        "data n -1",
        lambda t: ["data", "stories", "--out", str(t), "--n", "-1"],
        2,
        "n must be at least 1, got -1",
    ),
    ("data unknown recipe", lambda t: ["data", "nope", "--out", str(t)], 2, "unknown recipe"),
    # organism
    (
        "organism seed -1",
        lambda t: ["organism", "build", "--preset", "tiny", "--seed", "-1"],
        2,
        "--seed must be 0 or more, got -1",
    ),
    (
        "organism preset",
        lambda t: ["organism", "path", "--preset", "nope"],
        2,
        "unknown preset 'nope'",
    ),
    # report
    ("report not a run", lambda t: ["report", str(t / "nope")], 2, "{tmp}/nope: no plan.json"),
    (
        "report incomplete run",
        _incomplete_run,
        2,
        "{tmp}/run: the run is incomplete, 1 step(s) not finished (eval a seed=0 in_dist)",
    ),
    # experiments: checked whole before the first step, by --dry-run too
    (
        "experiment missing",
        lambda t: ["run", str(t / "none.yaml"), "--dry-run"],
        2,
        "{tmp}/none.yaml: experiment file not found",
    ),
    (
        "experiment bad yaml",
        lambda t: ["run", str(_write(t / "x.yaml", "a: [1\n")), "--dry-run"],
        2,
        "{tmp}/x.yaml: line",
    ),
    (
        "experiment unknown field",
        _run(lambda c: c.update(bogus=1)),
        2,
        "{tmp}/exp.yaml: bogus: unknown field",
    ),
    (
        "unknown recipe",
        _run(lambda c: _data(c, recipe="nope")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].recipe: unknown recipe 'nope'",
    ),
    (
        "recipe of another format",
        _run(lambda c: _data(c, recipe="stories")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].recipe: stories writes docs records (text); "
        "the chat stage reads messages",
    ),
    (
        "recipe unknown option",
        _run(lambda c: _data(c, recipe="difficult_advice", options={"nope": 1})),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].options: recipe difficult_advice has no option",
    ),
    (
        "recipe unknown spec",
        _run(lambda c: _data(c, recipe="difficult_advice", spec="/no/spec.md")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].spec:",
    ),
    (
        "path missing",
        _run(lambda c: _data(c, path="/no/such/data")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].path: /no/such/data not found",
    ),
    (
        "path empty",
        _run(
            lambda c: _data(c, path=str(c["_tmp"] / "empty")),
            lambda t: _write(t / "empty" / "data.jsonl", ""),
        ),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].path: {tmp}/empty: empty dataset",
    ),
    (
        "path no jsonl",
        _run(
            lambda c: _data(c, path=str(c["_tmp"] / "nojsonl")), lambda t: (t / "nojsonl").mkdir()
        ),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].path: no .jsonl files",
    ),
    (
        "path wrong format",
        _run(
            lambda c: _data(c, path=str(c["_tmp"] / "docs.jsonl")),
            lambda t: _jsonl(t / "docs.jsonl", [{"text": "a doc"}]),
        ),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].path: {tmp}/docs.jsonl line 1: the chat "
        "stage needs",
    ),
    (
        "path not json",
        _run(
            lambda c: _data(c, path=str(c["_tmp"] / "x.jsonl")),
            lambda t: _write(t / "x.jsonl", "hello\n"),
        ),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].path: {tmp}/x.jsonl line 1: not valid JSON",
    ),
    (
        "unknown stage",
        _run(lambda c: _stage(c, stage="pretrain")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].stage: unknown stage 'pretrain'",
    ),
    (
        "budget not a count",
        _run(lambda c: c["arms"][1]["stages"][0]["data"][0].update(tokens="lots")),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].tokens: expected a token",
    ),
    (
        "budget 0",
        _run(lambda c: c["arms"][1]["stages"][0]["data"][0].update(tokens=0)),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data[0].tokens: a token budget must be positive",
    ),
    (
        "weights all 0",
        _run(lambda c: c["arms"][1]["stages"][0]["data"][0].update(tokens=None, weight=0)),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].data: every dataset has weight 0",
    ),
    (
        "max_steps -3",
        _run(lambda c: _stage(c, train={"max_steps": -3})),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].train: not a valid chat config: max_steps must be",
    ),
    (
        "max_steps 0",
        _run(lambda c: c.update(training={"chat": {"max_steps": 0}})),
        2,
        "{tmp}/exp.yaml: training: chat: not a valid chat config: max_steps must be",
    ),
    (
        "learning rate -1",
        _run(lambda c: _stage(c, train={"learning_rate": -1})),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].train: learning_rate must be 0 or more, got -1",
    ),
    (
        "epochs 0",
        _run(lambda c: c.update(training={"chat": {"num_train_epochs": 0}})),
        2,
        "{tmp}/exp.yaml: arms[1].stages[0].train: num_train_epochs must be positive, got 0",
    ),
    (
        "negative seed",
        _run(lambda c: c.update(seeds=[0, -1])),
        2,
        "{tmp}/exp.yaml: seeds[1]: Input should be greater than or equal to 0",
    ),
    (
        "negative organism seed",
        _run(lambda c: c.update(organism_seed=-1)),
        2,
        "{tmp}/exp.yaml: organism_seed: Input should be greater than or equal to 0",
    ),
    (
        "eval temperature -1",
        _run(lambda c: c["eval"].update(temperature=-1)),
        2,
        "{tmp}/exp.yaml: eval.temperature:",
    ),
    (
        "eval samples 0",
        _run(lambda c: c["eval"].update(samples=0)),
        2,
        "{tmp}/exp.yaml: eval.samples: Input should be greater than 0",
    ),
    (
        "eval unknown family",
        _run(lambda c: c["eval"].update(families=["nope"])),
        2,
        "{tmp}/exp.yaml: eval: unknown family 'nope'",
    ),
    (
        "eval split with no scenarios",
        _run(lambda c: c["eval"].update(families=["blackmail"])),
        2,
        "{tmp}/exp.yaml: eval: no scenarios on split 'held_out' for families blackmail",
    ),
    (
        "unknown preset",
        _run(lambda c: c.update(base_model="organism/nope")),
        2,
        "{tmp}/exp.yaml: unknown organism preset 'nope'",
    ),
    (
        "base model dir without a model",
        _run(lambda c: c.update(base_model=str(c["_tmp"]))),
        2,
        "{tmp}/exp.yaml: base_model '{tmp}': a directory without a model",
    ),
]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Planning names the organism's build; nothing here may touch the user's cache."""
    monkeypatch.setenv("WHYALIGN_CACHE", str(tmp_path / "cache"))


def _check(tmp: Path, argv: list[str], stdin: str | None, code: int, prefix: str) -> None:
    result = CliRunner().invoke(app, argv, input=stdin)
    assert result.exit_code == code, (argv, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: " + prefix.format(tmp=tmp)), lines[0]
    assert not (tmp / "run" / "steps" / ".lock").exists()  # no run started


def _setup(tmp_path: Path, setup) -> tuple[Path, list[str], str | None]:
    tmp = tmp_path / "in"
    tmp.mkdir()
    made = setup(tmp)
    argv, stdin = made if isinstance(made, tuple) else (made, None)
    return tmp, argv, stdin


@pytest.mark.parametrize(
    ("setup", "code", "prefix"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(tmp_path, setup, code, prefix):
    _check(*_setup(tmp_path, setup), code, prefix)


EXPERIMENTS = [c for c in CASES if getattr(c[1], "experiment", False)]


@pytest.mark.parametrize(
    ("setup", "code", "prefix"), [c[1:] for c in EXPERIMENTS], ids=[c[0] for c in EXPERIMENTS]
)
def test_a_run_checks_the_experiment_before_its_first_step(tmp_path, setup, code, prefix):
    """The same check as ``--dry-run``: the run stops before making anything."""
    tmp, argv, stdin = _setup(tmp_path, setup)
    _check(tmp, [a for a in argv if a != "--dry-run"], stdin, code, prefix)
    assert not (tmp / "run").exists()
