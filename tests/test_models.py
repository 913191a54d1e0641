"""Local model kinds (``whyalign.models``): the organism's names and directories, a kind
registered through the ``whyalign.models`` entry points, the renderer and trainer callbacks
a kind supplies, and the trainer callback that holds the organism's structured heads."""

import json
import shutil
from pathlib import Path

import pytest
import torch

from whyalign import models
from whyalign.organism import kind


@pytest.fixture
def built(monkeypatch, tmp_path):
    """The organism's builds as a stub: (preset, seed) -> a directory, with the calls kept."""
    calls = []

    def built_dir(preset, seed=0):
        calls.append((preset, seed))
        path = tmp_path / f"{preset}-{seed}"
        path.mkdir(exist_ok=True)
        (path / "organism.json").write_text(json.dumps({"preset": preset, "seed": seed}))
        return path

    monkeypatch.setattr(kind, "built_dir", built_dir)
    return calls


def test_local_path_builds_a_kinds_names_and_passes_on_others(built, tmp_path):
    assert models.local_path("organism/tiny", 2) == str(tmp_path / "tiny-2")
    assert models.local_path("organism") == str(tmp_path / "small-0")
    assert built == [("tiny", 2), ("small", 0)]
    for other in ("openai/gpt-4o", "hf/local", "organisms/x", str(tmp_path)):
        assert models.local_path(other) is None
    with pytest.raises(ValueError, match="unknown organism preset"):
        models.local_path("organism/huge")


def test_default_renderer_is_compact_for_the_organism_and_what_is_trained_from_it(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    trained = tmp_path / "trained"
    trained.mkdir()
    (trained / "organism.json").write_text(json.dumps({"preset": "small"}))
    assert models.default_renderer("organism/small", {}) == "compact"
    assert models.default_renderer("organism", {}) == "compact"
    assert models.default_renderer("hf/local", {"model_path": str(trained)}) == "compact"
    assert models.default_renderer("hf/local", {"model_path": str(plain)}) == "full"
    assert models.default_renderer("openai/gpt-4o", {}) == "full"


def test_resolve_model_and_inspect_names(built, tmp_path):
    name, args = models.resolve_model("organism/tiny", {"organism_seed": "1", "device": "cpu"})
    assert name == "organism/tiny"
    assert args == {"model_path": str(tmp_path / "tiny-1"), "device": "cpu"}
    assert models.resolve_model("organism", {})[0] == "organism/default"
    assert models.resolve_model("openai/gpt-4o", {"a": 1}) == ("openai/gpt-4o", {"a": 1})
    assert models.inspect_name("organism") == "organism/default"
    assert models.inspect_name("hf/local") == "hf/local"


def test_eval_model_picks_the_kinds_provider(tiny_hf_dir, tmp_path):
    from whyalign.organism.provider import OrganismAPI

    organism = tmp_path / "organism"
    shutil.copytree(tiny_hf_dir, organism)
    (organism / "organism.json").write_text(json.dumps({"preset": "tiny"}))
    model = models.eval_model(organism, seed=3, temperature=0)
    assert isinstance(model.api, OrganismAPI) and str(model) == "organism/local"
    assert model.config.seed == 3 and model.api.model_dir == organism
    assert models.eval_model(organism, seed=3, temperature=0) is not model  # never memoized
    hf = models.eval_model(tiny_hf_dir, seed=3, temperature=0)
    assert str(hf) == "hf/local" and hf.api.do_sample is False
    assert models.eval_model(tiny_hf_dir, seed=3, temperature=1).api.do_sample is True


class _Kind:
    prefix = "toy"
    renderer = "compact"
    eval_name = "hf/local"

    def path(self, model, seed=0):
        return Path("/toys") / model.partition("/")[2]

    def owns(self, model_dir):
        return Path(model_dir, "toy.txt").exists()

    def train_callbacks(self, model, model_dir):
        return ["toy-callback"]


def test_a_kind_registered_by_entry_point_serves_its_names_and_dirs(monkeypatch, tmp_path):
    from importlib import metadata

    class EntryPoint:
        name, value = "toy", "tests.test_models:_Kind"

        def load(self):
            return _Kind()

    monkeypatch.setattr(
        metadata,
        "entry_points",
        lambda group: [EntryPoint()] if group == models.ENTRY_POINTS else [],
    )
    models.kinds.cache_clear()
    try:
        assert [k.prefix for k in models.kinds()] == ["organism", "toy"]
        assert models.local_path("toy/one") == "/toys/one"
        (tmp_path / "toy.txt").write_text("")
        assert models.default_renderer("hf/local", {"model_path": str(tmp_path)}) == "compact"
        assert models.train_callbacks(None, tmp_path) == ["toy-callback"]
    finally:
        models.kinds.cache_clear()


def _small_organism(path: Path) -> Path:
    from whyalign.organism.model import init_model

    init_model("small", 64, seed=0, name_ids=[5, 6, 7], bos_token_id=1).save_pretrained(path)
    (path / "organism.json").write_text(json.dumps({"preset": "small", "seed": 0}))
    return path


def _train(path: Path, out: Path, hold: bool) -> tuple[dict, dict]:
    """(weights before, after) of a few optimizer steps on ``path``'s model, under the
    callbacks its kind supplies or none."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

    model = AutoModelForCausalLM.from_pretrained(path)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(8, 64, (16, 24), generator=gen).tolist()
    data = Dataset.from_dict({"input_ids": ids, "labels": ids})
    callbacks = models.train_callbacks(model, path) if hold else []
    args = TrainingArguments(
        output_dir=str(out),
        max_steps=3,
        per_device_train_batch_size=4,
        learning_rate=1e-2,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        disable_tqdm=True,
        use_cpu=True,
    )
    Trainer(model=model, args=args, train_dataset=data, callbacks=callbacks).train()
    return before, model.state_dict()


def test_the_organisms_callback_holds_its_heads_through_training(tmp_path):
    from transformers import TrainerCallback

    path = _small_organism(tmp_path / "small")
    [callback] = models.train_callbacks(torch.nn.Linear(1, 1), path)
    assert isinstance(callback, TrainerCallback)
    assert models.train_callbacks(None, tmp_path) == []  # no organism.json: no callbacks

    held = "model.layers.0.self_attn.o_proj.weight"  # the circuit holds layer 0's output
    free = "model.layers.2.self_attn.q_proj.weight"
    before, after = _train(path, tmp_path / "held", hold=True)
    assert torch.equal(before[held], after[held]) and not torch.equal(before[free], after[free])
    before, after = _train(path, tmp_path / "free", hold=False)
    assert not torch.equal(before[held], after[held])
