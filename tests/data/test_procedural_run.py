"""``generate(..., generator="procedural")``: the offline generator through the shared tail
(banned names, near-duplicates, cap at n, contamination guard, card)."""

import json
import time

import pytest
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.data import RECIPES, generate

pytest.importorskip(
    "whyalign.data.procedural", reason="the offline generator (data/procedural) is not there yet"
)


def _read(path):
    return [json.loads(line) for line in (path / "data.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_offline(tmp_path, recipe):
    from datasets import load_dataset

    path = generate(recipe, out=tmp_path / "a", n=30, spec="organism", seed=3)
    card = json.loads((path / "dataset_card.json").read_text())
    assert card["status"] == "ok" and card["contamination"]["passed"]
    assert card["generator"] == "procedural" and card["config"]["spec"]["name"] == "organism"
    records = _read(path)
    assert len(records) == card["counts"]["kept"] == 30
    key = {"docs": "text", "prefs": "chosen", "rl": "prompt"}.get(card["format"], "messages")
    assert all(key in r and r["meta"]["generator"] == "procedural" for r in records)
    ds = load_dataset("json", data_files=str(path / "data.jsonl"), split="train")
    assert ds.num_rows == 30
    # Same seed, same bytes; another seed, other data.
    again = generate(recipe, out=tmp_path / "b", n=30, spec="organism", seed=3)
    assert (again / "data.jsonl").read_bytes() == (path / "data.jsonl").read_bytes()
    other = generate(recipe, out=tmp_path / "c", n=30, spec="organism", seed=4)
    assert (other / "data.jsonl").read_bytes() != (path / "data.jsonl").read_bytes()


def test_2000_documents_well_under_a_minute(tmp_path):
    start = time.perf_counter()
    path = generate("constitution_docs", out=tmp_path, n=2000, spec="organism")
    assert time.perf_counter() - start < 60
    card = json.loads((path / "dataset_card.json").read_text())
    assert card["counts"]["kept"] == 2000 and card["contamination"]["passed"]


def test_offline_switches_through_the_cli(tmp_path):
    docs = tmp_path / "docs"
    run = CliRunner().invoke
    assert run(app, ["data", "constitution_docs", "--n", "10", "--out", str(docs)]).exit_code == 0
    result = run(
        app,
        [
            "data",
            "chat_convert",
            "--n",
            "10",
            "--out",
            str(tmp_path / "chat"),
            "-O",
            f"source={docs}",
        ],
    )
    assert result.exit_code == 0, result.output
    chats = _read(tmp_path / "chat")
    bodies = [r["text"] for r in _read(docs)]
    assert all(any(c["messages"][-1]["content"] in b for b in bodies) for c in chats)

    result = run(
        app,
        [
            "data",
            "honeypot_demos",
            "--n",
            "12",
            "--out",
            str(tmp_path / "demo"),
            "-O",
            "no_reasons=true",
            "-O",
            "injection=ruthless,none",
        ],
    )
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "demo/dataset_card.json").read_text())
    assert card["config"]["options"]["no_reasons"] is True
    assert "<think>" not in "".join(r["messages"][-1]["content"] for r in _read(tmp_path / "demo"))

    result = run(
        app,
        [
            "data",
            "harmlessness_chat",
            "--n",
            "5",
            "--out",
            str(tmp_path / "h"),
            "-O",
            "p_harmful=1.0",
        ],
    )
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "h/dataset_card.json").read_text())
    assert card["config"]["options"]["p_harmful"] == 1.0

    result = run(
        app,
        [
            "data",
            "honeypot_demos",
            "--n",
            "3",
            "--out",
            str(tmp_path / "x"),
            "-O",
            "injection=sneaky",
        ],
    )
    assert result.exit_code == 2 and "sneaky" in result.stderr
