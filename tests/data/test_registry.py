"""The recipe registry: the built-ins come from it, and a recipe added by one new module (an
installed plug-in, found through the ``whyalign.recipes`` entry point) runs end to end:
offline through ``generate``, through the LLM half on ``mockllm/model``, and as a dataset
of an experiment."""

import json
import sys
import textwrap

import pytest

from whyalign.data import RECIPES, generate, get_recipe, recipe, recipe_names, registry
from whyalign.data.recipes import COMMON_OPTIONS

from .fake import FakeLLM

# The whole plug-in: one module. (The dist-info next to it is what installing a package
# with ``[project.entry-points."whyalign.recipes"] poems = "poems_plugin"`` writes.)
PLUGIN = '''
"""Short poems about the spec, from outside whyalign."""

import random

from whyalign.data import recipe
from whyalign.data.engine import Call


def write_poems(spec, n, seed, options):
    lines = int(options.get("lines", 2))
    out = []
    for i in range(n):
        rng = random.Random(f"poems:{seed}:{i}")
        topic = rng.choice(spec.topics())
        verses = [spec.reason(rng, topic) for _ in range(lines)]
        out.append({"text": f"Poem {i} on {topic}.\\n" + "\\n".join(verses),
                    "meta": {"index": i, "topic": topic}})
    return out


def drop_every_fourth(records, options):
    kept = [r for r in records if r["meta"]["index"] % 4 != 3]
    return kept, {"fourth": len(records) - len(kept)}


@recipe("poems", format="docs", options={"lines": 2}, offline=write_poems,
        offline_options=("lines",), offline_filter=drop_every_fourth)
async def run(ctx):
    calls = [
        Call(f"Write a poem of {ctx.options['lines']} lines on this part of the spec:\\n"
             f"{ctx.spec.sections[i % len(ctx.spec.sections)].render()}", sample=i)
        for i in range(ctx.target)
    ]
    return [{"text": r.completion, "meta": ctx.engine.provenance(r)}
            for r in await ctx.engine.step("poem", calls)]
'''


def _install(root, name, module_text, entry=None):
    """``module_text`` as ``root/<name>.py`` and a dist-info naming it as a recipe plug-in."""
    (root / f"{name}.py").write_text(textwrap.dedent(module_text))
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[whyalign.recipes]\n{entry or name} = {name}\n")


@pytest.fixture
def isolated(monkeypatch):
    """A copy of the registry for one test: recipes it adds are gone afterwards."""
    registry.discover()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_FAILED", {})
    added = set(sys.modules)
    yield registry
    for name in set(sys.modules) - added:
        if name.endswith("_plugin"):
            del sys.modules[name]


@pytest.fixture
def poems(isolated, tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    _install(root, "poems_plugin", PLUGIN)
    monkeypatch.syspath_prepend(str(root))
    assert "poems" not in recipe_names()
    registry.discover(refresh=True)
    return root


def _records(path):
    return [json.loads(line) for line in (path / "data.jsonl").read_text().splitlines()]


def test_the_built_in_tables_come_from_the_registry():
    names = recipe_names()
    assert tuple(names) == RECIPES and len(RECIPES) == 11
    for name, line in names.items():
        rec = get_recipe(name)
        assert rec.builtin and rec.run is not None and rec.offline is not None
        assert line and "\n" not in line
        assert not set(rec.options) & set(COMMON_OPTIONS), name
    assert {n for n in RECIPES if get_recipe(n).format == "docs"} == {
        "constitution_docs",
        "stories",
    }
    assert get_recipe("honeypot_demos").offline_filter is not None
    with pytest.raises(ValueError, match="unknown recipe 'poems'; known: chat_convert"):
        get_recipe("poems")


def test_listing_recipes_imports_neither_inspect_nor_numpy():
    import subprocess

    code = (
        "import sys; from whyalign.data import recipe_names; assert len(recipe_names()) >= 7;"
        "print(sorted(m for m in ('inspect_ai', 'numpy', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_plugin_recipe_offline_end_to_end(poems, tmp_path):
    assert recipe_names()["poems"] == "Short poems about the spec, from outside whyalign."
    rec = get_recipe("poems")
    assert not rec.builtin and rec.source_files() == [poems / "poems_plugin.py"]
    path = generate("poems", out=tmp_path / "p", n=12, spec="organism", options={"lines": "3"})
    card = json.loads((path / "dataset_card.json").read_text())
    assert card["status"] == "ok" and card["contamination"]["passed"]
    assert card["format"] == "docs" and card["config"]["options"]["lines"] == 3
    # The recipe's own filter ran (and cleaning asked for more to still reach n).
    assert card["counts"]["kept"] == 12 and card["counts"]["dropped"]["fourth"] >= 3
    records = _records(path)
    assert len(records) == 12 and all(r["meta"]["index"] % 4 != 3 for r in records)
    assert all(r["text"].count("\n") == 3 for r in records)
    assert {r["meta"]["recipe"] for r in records} == {"poems"}
    assert records[0]["meta"]["options"] == {"lines": 3}
    again = generate("poems", out=tmp_path / "q", n=12, spec="organism", options={"lines": "3"})
    assert (again / "data.jsonl").read_bytes() == (path / "data.jsonl").read_bytes()


def test_a_plugin_recipe_through_mockllm(poems, tmp_path):
    llm = FakeLLM()
    path = generate("poems", out=tmp_path / "llm", n=6, generator=llm.model)
    card = json.loads((path / "dataset_card.json").read_text())
    assert card["status"] == "ok" and card["generator"] == "mockllm/model"
    assert card["steps"]["poem"]["calls"] == 9  # n x the default oversampling
    records = _records(path)
    assert len(records) == 6 and all(r["meta"]["step"] == "poem" for r in records)
    assert all("<model_spec>" in system for system, _ in llm.calls)  # the default preamble
    assert all("a poem of 2 lines" in user for _, user in llm.calls)


def test_a_plugin_recipe_as_a_dataset_of_an_experiment(poems, tmp_path):
    from whyalign.experiment.config import parse
    from whyalign.experiment.plan import build_plan
    from whyalign.experiment.steps import run_data

    cfg = {
        "base_model": "organism/tiny",
        "data": {"spec": "organism", "n": 10},
        "arms": [
            {"name": "base"},
            {"name": "poems", "stages": [{"stage": "docs", "data": [{"recipe": "poems"}]}]},
        ],
    }
    [step] = [s for s in build_plan(parse(cfg)).ordered() if s.kind == "data"]
    assert step.spec["recipe"] == "poems" and step.spec["recipe_code"]
    result = run_data(step, tmp_path / "work", dataset_dir=None)
    assert result["recipe"] == "poems" and result["records"] == 10
    assert result["contamination"]["passed"]

    # The plug-in's code keys its data: an edit to it is a new dataset.
    plugin = poems / "poems_plugin.py"
    plugin.write_text(plugin.read_text().replace('"lines": 2', '"lines": 4'))
    [edited] = [s for s in build_plan(parse(cfg)).ordered() if s.kind == "data"]
    assert edited.key != step.key

    cfg["arms"][1]["stages"][0]["data"] = [{"recipe": "sonnets"}]
    with pytest.raises(ValueError, match=r"arms\[1\].stages\[0\].data\[0\].recipe: unknown recipe"):
        build_plan(parse(cfg))


def test_a_broken_plugin_warns_and_leaves_the_rest(isolated, tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    _install(root, "broken_plugin", "raise ImportError('no such helper')\n", entry="odes")
    monkeypatch.syspath_prepend(str(root))
    with pytest.warns(UserWarning, match="odes"):
        registry.discover(refresh=True)
    assert set(RECIPES) <= set(recipe_names())
    with pytest.raises(ValueError, match="failed to load: broken_plugin: ImportError"):
        get_recipe("odes")


def test_declarations_are_checked(isolated, tmp_path):
    with pytest.raises(ValueError, match="format 'poem'"):
        recipe("odes", format="poem")
    with pytest.raises(ValueError, match="recipe name"):
        recipe("two words", format="docs")
    with pytest.raises(ValueError, match="declared twice"):
        recipe("stories", format="docs")

    @recipe("llm_only", format="chat", description="no offline half")
    async def run(ctx):
        return [{"text": "a document in a chat recipe", "meta": {}}]

    assert recipe_names()["llm_only"] == "no offline half"
    with pytest.raises(ValueError, match="no offline generator"):
        generate("llm_only", out=tmp_path / "a", n=1)
    with pytest.raises(ValueError, match=r"record 0 lacks messages \(format chat\)"):
        generate("llm_only", out=tmp_path / "b", n=1, generator=FakeLLM().model)
    # Declaring it again from the same module (a re-import) replaces it.
    recipe("llm_only", format="chat", run=run)
    assert get_recipe("llm_only").description == ""
