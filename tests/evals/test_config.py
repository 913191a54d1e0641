"""``EvalConfig`` is the one source of eval settings: a field added to it appears as a flag of
``whyalign eval``, a ``-T`` parameter of the Inspect task, a key of an experiment's ``eval:``
block and a setting in ``summary.json``, with no other edit."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from whyalign.evals.config import EvalConfig, make_config
from whyalign.experiment.config import parse

PROBE = textwrap.dedent(
    """
    import json, sys
    from pydantic import Field
    import whyalign.evals.config as config

    class Probed(config.EvalConfig):
        probe_knob: int = Field(7, description="A knob no code knows about")

    config.EvalConfig = Probed  # before anything derives from it

    import inspect
    from typer.testing import CliRunner
    from whyalign.cli import app
    from whyalign.evals.task import honeypots
    from whyalign.experiment.config import Experiment

    out = {}
    runner = CliRunner()
    out["help"] = runner.invoke(app, ["eval", "--help"]).output
    out["task_params"] = list(inspect.signature(honeypots).parameters)
    out["schema"] = json.dumps(Experiment.model_json_schema())
    result = runner.invoke(app, [
        "eval", "--model", "mockllm/model", "--families", "blackmail", "--samples", "1",
        "--probe-knob", "9", "--out", sys.argv[1],
    ])
    out["exit"] = result.exit_code
    out["output"] = result.output[-1500:] + repr(result.exception)
    print(json.dumps(out))
    """
)


def test_a_new_field_reaches_every_surface(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "eval")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", "TERM": "dumb"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "--probe-knob" in out["help"] and "A knob no code knows about" in out["help"]
    assert "probe_knob" in out["task_params"]
    assert '"probe_knob"' in out["schema"]
    assert out["exit"] == 0, out["output"]
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert summary["settings"]["probe_knob"] == 9


def test_every_field_is_recorded_in_the_summary_settings(tmp_path):
    from inspect_ai.model import ModelOutput, get_model

    from whyalign.evals.run import run_eval

    model = get_model(
        "mockllm/model",
        custom_outputs=lambda *a: ModelOutput.from_content("mockllm/model", "no action"),
        memoize=False,
    )
    config = EvalConfig(families=["blackmail"], samples=1, top_p=0.5, scratchpad=False, epochs=2)
    result = run_eval(config, tmp_path, model=model)
    assert set(EvalConfig.model_fields) <= set(result["settings"])
    assert result["settings"]["scratchpad"] is False and result["settings"]["epochs"] == 2
    assert result["samples_total"] == 16  # 8 cells x 1 sample x 2 epochs


def test_experiments_set_top_p_scratchpad_and_epochs():
    exp = parse(
        {
            "base_model": "organism/tiny",
            "arms": [{"name": "baseline"}],
            "eval": {"top_p": 0.9, "scratchpad": False, "epochs": 3, "families": "blackmail"},
        }
    )
    assert (exp.eval.top_p, exp.eval.scratchpad, exp.eval.epochs) == (0.9, False, 3)
    assert exp.eval.families == ["blackmail"]


def test_bad_settings_are_one_line_errors():
    with pytest.raises(ValueError, match=r"^eval setting top_p: .*less than or equal to 1"):
        make_config(top_p=1.5)
    with pytest.raises(ValueError, match=r"^eval setting bogus: unknown setting$"):
        make_config(bogus=1)


def test_list_fields_read_comma_strings_and_the_task_takes_them():
    from whyalign.evals.task import honeypots

    assert EvalConfig(families="blackmail, leaking").families == ["blackmail", "leaking"]
    assert EvalConfig(families="").families is None
    task = honeypots(families="blackmail", samples=1, scratchpad=False)
    assert {s.metadata["family"] for s in task.dataset} == {"blackmail"}
    assert all("noscratch" in s.id for s in task.dataset)
