"""The engine's contract with the procedural generator: formats, n, determinism, errors."""

import json
import os
import subprocess
import sys

import pytest

from whyalign.data import RECIPES, get_recipe
from whyalign.data.procedural import generate_records
from whyalign.spec import Section


def _bytes(records):
    return json.dumps(records, sort_keys=True).encode()


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_format_n_and_meta(sections, recipe):
    records = generate_records(recipe, sections, n=17, seed=5)
    assert len(records) == 17
    for i, rec in enumerate(records):
        assert rec["meta"]["recipe"] == recipe and rec["meta"]["seed"] == 5
        assert rec["meta"]["index"] == i
        if get_recipe(recipe).format == "docs":
            assert set(rec) == {"text", "meta"} and rec["text"].strip()
        elif get_recipe(recipe).format == "rl":  # a task to act on: no reply, its check's keys
            assert {"prompt", "scenario_id", "meta"} <= set(rec)
            assert rec["prompt"][-1]["role"] == "user" and rec["prompt"][-1]["content"]
        elif get_recipe(recipe).format == "prefs":
            assert set(rec) == {"prompt", "chosen", "rejected", "meta"}
            assert rec["prompt"][-1]["role"] == "user" and rec["chosen"] != rec["rejected"]
        else:
            assert set(rec) == {"messages", "meta"}
            roles = [m["role"] for m in rec["messages"]]
            assert roles[-2:] == ["user", "assistant"] and set(roles) <= {
                "system",
                "user",
                "assistant",
            }
            assert all(isinstance(m["content"], str) and m["content"] for m in rec["messages"])
    assert generate_records(recipe, sections, n=0, seed=5) == []


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_same_seed_same_bytes_other_seed_other_bytes(sections, recipe):
    a = generate_records(recipe, sections, n=12, seed=1)
    assert _bytes(a) == _bytes(generate_records(recipe, sections, n=12, seed=1))
    b = generate_records(recipe, sections, n=12, seed=2)
    assert all(x != y for x, y in zip(a, b, strict=True))
    # Each record has its own stream: the first five do not depend on n.
    assert _bytes(generate_records(recipe, sections, n=5, seed=1)) == _bytes(a[:5])


def test_same_bytes_in_a_fresh_process_with_another_hash_seed(sections):
    # Set iteration order changes with PYTHONHASHSEED; the data must not.
    code = (
        "import json, hashlib\n"
        "from whyalign.data import RECIPES\n"
        "from whyalign.data.procedural import generate_records\n"
        "from whyalign.spec import load_spec\n"
        "s = list(load_spec('organism').sections)\n"
        "print(json.dumps({r: hashlib.sha256(json.dumps(generate_records(r, s, n=20, seed=9),"
        " sort_keys=True).encode()).hexdigest() for r in RECIPES}))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    import hashlib

    here = {
        r: hashlib.sha256(_bytes(generate_records(r, sections, n=20, seed=9))).hexdigest()
        for r in RECIPES
    }
    assert json.loads(out.stdout) == here


def test_sections_as_dicts_or_objects_give_the_same_data(sections):
    as_dicts = [{"title": s.title, "text": s.text} for s in sections]
    for recipe in ("difficult_advice", "constitution_docs"):
        assert _bytes(generate_records(recipe, as_dicts, n=10, seed=0)) == _bytes(
            generate_records(recipe, sections, n=10, seed=0)
        )


def test_a_different_spec_gives_different_reasons(sections):
    # Every sentence of the changed spec ends in a marker word: any quote of it shows.
    changed = [Section(s.id, s.title, s.text.replace(".", " zebra."), s.index) for s in sections]
    for recipe in RECIPES:
        if get_recipe(recipe).format == "rl":
            continue  # RL prompts are the families' tasks: no words of the spec in them
        base = generate_records(recipe, sections, n=30, seed=0)
        new = generate_records(recipe, changed, n=30, seed=0)
        assert "zebra" not in json.dumps(base)
        assert "zebra" in json.dumps(new), recipe


def test_errors_are_clear(sections):
    with pytest.raises(ValueError, match="unknown recipe"):
        generate_records("poems", sections, n=1, seed=0)
    with pytest.raises(ValueError, match="no sections"):
        generate_records("stories", [], n=1, seed=0)
    with pytest.raises(ValueError, match="n must be"):
        generate_records("stories", sections, n=-1, seed=0)
    with pytest.raises(ValueError, match="no rules or reasons"):
        generate_records("stories", [{"title": "Empty", "text": "   "}], n=1, seed=0)
    with pytest.raises(ValueError, match="unknown injection"):
        generate_records("honeypot_demos", sections, n=1, seed=0, options={"injection": "nice"})


def test_engine_options_are_ignored_and_used_ones_recorded(sections):
    recs = generate_records(
        "difficult_advice",
        sections,
        n=3,
        seed=0,
        options={"max_connections": 4, "prompt_rewrite": False},
    )
    assert all(r["meta"]["options"] == {"prompt_rewrite": False} for r in recs)
