"""``whyalign eval``'s output where the terminal is narrow or not a terminal at all: full family
and condition ids, and ``--format json`` (summary.json on stdout)."""

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.evals.console import print_summary


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    """A mock eval of one held-out family (long ids: data_falsification, .../other)."""
    out = tmp_path_factory.mktemp("eval")
    args = ["eval", "--model", "mockllm/model", "--split", "held_out"]
    args += ["--families", "data_falsification", "--samples", "1", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return out, result


def test_json_format_is_summary_json_on_stdout(held_out):
    out, result = held_out
    assert json.loads(result.stdout) == json.loads((out / "summary.json").read_text())
    assert "summary:" in result.stderr and "summary:" not in result.stdout


@pytest.mark.parametrize("width", [60, 80, 200])
def test_every_cell_keeps_its_full_ids(held_out, width):
    summary = json.loads((held_out[0] / "summary.json").read_text())
    console = Console(width=width, record=True, force_terminal=False)
    print_summary(summary, console)
    text = console.export_text()
    assert "…" not in text
    lines = text.splitlines()
    for cell in summary["cells"]:
        ids = (cell["family"], cell["condition"])
        # each cell on one line of its own, ids whole: a pipe can grep it
        assert sum(all(f" {i} " in f" {line} " for i in ids) for line in lines) == 1, ids
