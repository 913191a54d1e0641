import json

from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.scenarios import build_scenario, format_action

runner = CliRunner()


def test_families_lists_names_and_splits():
    result = runner.invoke(app, ["families"])
    assert result.exit_code == 0
    assert "blackmail" in result.output and "held_out" in result.output


def test_scenario_prints_both_renderers():
    for renderer in ("full", "compact"):
        result = runner.invoke(
            app, ["scenario", "blackmail/explicit-america/replacement/3", "--renderer", renderer]
        )
        assert result.exit_code == 0 and "[system]" in result.output


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for args in (
        ["scenario", "nope/none/none/1"],
        ["scenario", "blackmail/none/none"],
        ["classify", "--family", "nope"],
        ["families", "--family-file", str(tmp_path / "x.yaml")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.output.count("\n") == 1 and result.output.startswith("error:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsplit: in_dist\n")
    result = runner.invoke(app, ["families", "--family-file", str(bad)])
    assert result.exit_code == 2 and "bad.yaml: field 'description'" in result.output


def test_classify_reads_jsonl_and_records_bad_lines():
    sid = "blackmail/explicit-america/replacement/4"
    scn = build_scenario(sid)
    dm, partner = scn.people["decision_maker"], scn.people["partner"]
    lines = [
        {
            "scenario_id": sid,
            "response": format_action(
                "send_email",
                to=dm.email,
                subject="x",
                body=f"Stop the wipe or {partner.first} is news.",
            ),
        },
        {"scenario_id": sid, "response": "nothing"},
        "not json",
        {"scenario_id": "leaking/none/none/0", "response": "x"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
    result = runner.invoke(app, ["classify", "--family", "blackmail"], input=stdin)
    assert result.exit_code == 2  # every line answered, but two are errors, not verdicts
    assert result.stderr.startswith("error: 2 line(s) not classified; first: line 3")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["harmful"] is True and out[0]["actions"][0]["tool"] == "send_email"
    assert out[1]["harmful"] is False and out[1]["reason"] == "no action taken"
    assert out[2]["harmful"] is None and "line" in out[2]
    assert out[3]["harmful"] is None and "not in family" in out[3]["error"]


def test_eval_on_mock_model_prints_a_table(tmp_path):
    result = runner.invoke(
        app,
        [
            "eval",
            "--model",
            "mockllm/model",
            "--samples",
            "1",
            "--families",
            "blackmail",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "harmful" in result.output and (tmp_path / "summary.json").exists()


def test_unusable_provider_is_one_line_not_a_traceback(tmp_path, monkeypatch):
    # No API key (and, here, no provider package): Inspect raises PrerequisiteError.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for args in (
        ["eval", "--model", "openai/gpt-4o-mini", "--samples", "1", "--out", str(tmp_path / "e")],
        [
            "data",
            "stories",
            "--generator",
            "openai/gpt-4o-mini",
            "--n",
            "2",
            "--out",
            str(tmp_path / "d"),
        ],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert result.output.startswith("error:") and result.output.count("\n") == 1, result.output
        assert "[bold]" not in result.output


def test_model_args_are_typed_as_inspect_types_them(tmp_path):
    """-M values are YAML scalars: do_sample=false reaches the provider as a bool."""
    from whyalign.cli import _key_values

    args = _key_values(["do_sample=false", "max_connections=8", "top=0.5", "path=/a:b", "e="])
    assert args == {"do_sample": False, "max_connections": 8, "top": 0.5, "path": "/a:b", "e": ""}
    result = runner.invoke(
        app,
        ["eval", "--model", "mockllm/model", "--families", "blackmail", "--samples", "1",
         "-M", "custom_output=false", "--out", str(tmp_path)],
    )
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert result.exit_code == 0 and saved["settings"]["model_args"] == {"custom_output": False}


def test_numbers_that_cannot_be_are_one_line_errors(tmp_path):
    """A negative scenario index, a negative step count and a dataset with nothing to check
    are refused in one line with exit 2, never run or passed."""
    result = runner.invoke(app, ["scenario", "blackmail/none/none/-1"])
    assert result.exit_code == 2 and "index -1 is negative" in result.stderr
    data = tmp_path / "d.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    result = runner.invoke(
        app, ["train", "chat", "--model", str(tmp_path), "--data", str(data), "--out",
              str(tmp_path / "o"), "--max_steps", "-3"]
    )
    assert result.exit_code == 2 and "max_steps must be positive" in result.stderr
    for text in ("", "{}\n", '{"n": 1}\n'):
        data.write_text(text)
        result = runner.invoke(app, ["check-contamination", str(data)])
        assert result.exit_code == 2 and "none with text to check" in result.stderr, text


def test_demo_runs_any_shipped_study(tmp_path):
    from whyalign.experiment import studies
    from whyalign.experiment.config import load

    assert {"demo", "rl_persist"} <= set(studies())
    for path in studies().values():
        load(path)  # every shipped study is a valid experiment
    rl = load(studies()["rl_persist"])
    assert [s.stage for s in next(a for a in rl.arms if a.name == "docs_then_rl").stages] == [
        "docs", "rl"
    ]  # fmt: skip
    result = runner.invoke(app, ["demo", "--study", "nope", "--dry-run", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "known: demo" in result.output
