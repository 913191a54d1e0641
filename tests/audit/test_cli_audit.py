"""``whyalign audit``: run, seeds and rescore, the happy paths and bad input (one line, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whyalign.audit import run as audit_run
from whyalign.cli import app

from .scripted_roles import SEED_ID, auditor_script, judge_model, target_model

runner = CliRunner()


@pytest.fixture
def scripted_roles(monkeypatch):
    """Model names on the command line stand for scripted mockllm roles (a name cannot carry
    a script); everything between the command line and Inspect runs for real."""
    models = {
        "mockllm/auditor": auditor_script(),
        "mockllm/target": target_model(),
        "mockllm/judge": judge_model(score=8),
    }
    real = audit_run._role_model
    monkeypatch.setattr(
        audit_run,
        "_role_model",
        lambda model, config, model_args=None: (
            models.get(str(model)) or real(model, config, model_args)
        ),
    )


def test_run_prints_the_summary_validity_first_and_writes_it(tmp_path, scripted_roles):
    out = tmp_path / "audit"
    argv = ["audit", "run", "--target", "mockllm/target", "--auditor-model", "mockllm/auditor"]
    argv += ["--judge", "mockllm/judge", "--seeds", SEED_ID, "--max-turns", "3", "--out", str(out)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("validity") < text.index("\ntarget\n") < text.index("flagged")
    assert "1 transcripts, 0 errors" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["audit"]["max_turns"] == 3 and summary["flag"]["k"] == 1
    assert list((out / "logs").glob("*.eval"))


def test_rescore_rejudges_a_run_without_the_target(tmp_path, scripted_roles):
    out = tmp_path / "audit"
    argv = ["audit", "run", "--target", "mockllm/target", "--auditor-model", "mockllm/auditor"]
    argv += ["--judge", "mockllm/judge", "--seeds", SEED_ID, "--out", str(out)]
    assert runner.invoke(app, argv).exit_code == 0
    # mockllm's default reply is no verdict: every transcript is now a judge error
    result = runner.invoke(
        app,
        ["audit", "rescore", str(out), "--judge", "mockllm/model", "--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 0, result.output
    assert "1 transcripts, 1 errors" in result.stdout
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["errors"] == 1


def test_seeds_list_prints_ids_and_tags():
    result = runner.invoke(app, ["audit", "seeds", "--list", "--seeds", SEED_ID])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.split()[0] == SEED_ID and "self_preservation" in line


def test_seeds_from_spec_calls_the_generator(tmp_path, monkeypatch):
    calls = []

    def fake(spec, generator, out, limit=None):
        calls.append((spec, generator, out, limit))
        return [Path(out) / "a.md"]

    monkeypatch.setattr("whyalign.audit.seedgen.seeds_from_spec", fake)
    argv = ["audit", "seeds", "--from-spec", "organism", "--generator", "mockllm/model"]
    result = runner.invoke(app, [*argv, "--out", str(tmp_path), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert calls == [("organism", "mockllm/model", tmp_path, 2)]
    assert result.stdout.strip() == str(tmp_path / "a.md")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "run", "--target", "mockllm/model"], "the llm auditor needs an auditor model"),
        (
            ["audit", "run", "--target", "mockllm/model", "--max-turns", "0"],
            "audit setting max_turns",
        ),
        (
            ["audit", "run", "--target", "m", "--auditor-model", "m", "--seeds", "tags:nope"],
            "",
        ),
        (["audit", "run", "--target", "m", "--format", "xml"], "--format 'xml'"),
        (
            ["audit", "run", "--target", "m", "--auditor-model", "m", "--engine", "petri"],
            "the petri engine needs",
        ),
        (["audit", "seeds"], "give one of --list or --from-spec"),
        (["audit", "seeds", "--from-spec", "organism"], "--from-spec needs --generator"),
        (["audit", "seeds", "--list", "--seeds", "ids:no-such-seed"], ""),
        (["audit", "rescore", "/no/such/dir"], "/no/such/dir"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path):
    result = runner.invoke(app, [*argv] + (["--out", str(tmp_path)] if argv[1] == "run" else []))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: " + message), result.stderr
