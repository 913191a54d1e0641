"""The organism's Inspect provider (``organism/<preset>``): batching through ``inspect_ai.eval``,
replies that depend on the seed and not on the batch, max_tokens and stop sequences, the
model's own decoding defaults, and its batcher under concurrency and cancellation."""

import json
import shutil

import anyio
import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
from inspect_ai.solver import generate

import whyalign._registry  # noqa: F401  (registers the provider, as Inspect's entry point does)
from whyalign.organism import kind, provider
from whyalign.organism.provider import Batcher, Decoding, OrganismAPI, _Request

PROMPTS = [f"kim sends the {t} report to ana on day {i}." for i, t in enumerate("abcdef")]


@pytest.fixture(scope="module")
def organism_dir(tiny_hf_dir, tmp_path_factory):
    """The tiny random Llama marked as an organism, shipping top_p 0.7 as the build does."""
    path = tmp_path_factory.mktemp("organism") / "model"
    shutil.copytree(tiny_hf_dir, path)
    (path / "organism.json").write_text(json.dumps({"preset": "tiny", "seed": 0}))
    gen = json.loads((path / "generation_config.json").read_text())
    (path / "generation_config.json").write_text(
        json.dumps({**gen, "do_sample": True, "top_p": 0.7})
    )
    return path


def _model(path, **config):
    return get_model(
        "organism/local", model_path=str(path), memoize=False, config=GenerateConfig(**config)
    )


def _eval(path, monkeypatch, *, seed: int, connections: int, epochs: int = 2):
    """{(id, epoch): completion} of an eval, and the sizes of the batches it ran."""
    sizes = []
    run = OrganismAPI._batch_results

    def counted(self, batch):
        sizes.append(len(batch))
        return run(self, batch)

    monkeypatch.setattr(OrganismAPI, "_batch_results", counted)
    task = Task(
        dataset=[Sample(input=p, id=i) for i, p in enumerate(PROMPTS)],
        solver=generate(),
        config=GenerateConfig(max_tokens=24),
    )
    [log] = inspect_eval(
        task,
        model=_model(path),
        epochs=epochs,
        seed=seed,
        max_connections=connections,
        display="none",
        log_dir=str(path.parent / "logs"),
    )
    assert log.status == "success"
    return {(s.id, s.epoch): s.output.completion for s in log.samples}, sizes


def test_eval_batches_and_replies_depend_on_the_seed_not_the_batch(organism_dir, monkeypatch):
    batched, sizes = _eval(organism_dir, monkeypatch, seed=7, connections=4)
    assert len(batched) == 12 and max(sizes) > 1 and max(sizes) <= 4
    one_by_one, sizes = _eval(organism_dir, monkeypatch, seed=7, connections=1)
    assert max(sizes) == 1
    assert one_by_one == batched  # a resumed run (other batches) gives the same replies
    assert any(batched[(i, 1)] != batched[(i, 2)] for i in range(len(PROMPTS)))  # epochs differ
    other, _ = _eval(organism_dir, monkeypatch, seed=8, connections=4)
    assert other != batched


def _ask(model, prompts, **config):
    messages = [[ChatMessageUser(content=p)] for p in prompts]
    return anyio.run(
        _gather, [model.generate(m, config=GenerateConfig(**config)) for m in messages]
    )


async def _gather(coros):
    results = [None] * len(coros)

    async def one(i, coro):
        results[i] = await coro

    async with anyio.create_task_group() as tg:
        for i, coro in enumerate(coros):
            tg.start_soon(one, i, coro)
    return results


def test_max_tokens_stop_sequences_and_greedy_decoding(organism_dir):
    model = _model(organism_dir, seed=1)
    short = _ask(model, PROMPTS[:3], max_tokens=5)
    assert all(o.usage.output_tokens <= 5 for o in short)
    assert any(o.stop_reason == "max_tokens" for o in short)
    # the same seed and prompt give the same reply; a stop sequence ends it there
    sampled = _ask(model, PROMPTS[:3], max_tokens=30)
    assert [o.completion for o in sampled] == [
        o.completion for o in _ask(model, PROMPTS[:3], max_tokens=30)
    ]
    text = max((o.completion for o in sampled), key=len)
    stop = text[len(text) // 2 : len(text) // 2 + 2]
    assert len(text) > 6 and stop.strip()
    [cut] = _ask(
        model,
        [PROMPTS[[o.completion for o in sampled].index(text)]],
        max_tokens=30,
        stop_seqs=[stop],
    )
    assert cut.completion == text[: text.find(stop)] and cut.stop_reason == "stop"
    # temperature 0, or do_sample=false at any temperature, is greedy: no seed matters
    greedy = [o.completion for o in _ask(model, PROMPTS[:3], max_tokens=30, temperature=0)]
    plain = get_model(
        "organism/local", model_path=str(organism_dir), do_sample="false", memoize=False
    )
    assert [o.completion for o in _ask(plain, PROMPTS[:3], max_tokens=30, seed=5)] == greedy


def test_generation_matches_transformers_and_a_row_ignores_its_batch(organism_dir):
    import torch

    api = _model(organism_dir).api
    prompts = [api.prompt([ChatMessageUser(content=p)]) for p in PROMPTS[:4]]
    enc = api.tokenizer(prompts, return_tensors="pt", padding=True)

    def run(decoding, seeds, rows=slice(None)):
        kwargs = provider.generate_kwargs(decoding, seeds[rows], api.tokenizer, "cpu")
        with torch.inference_mode():
            out = api.model.generate(
                input_ids=enc["input_ids"][rows],
                attention_mask=enc["attention_mask"][rows],
                pad_token_id=api.tokenizer.pad_token_id,
                **kwargs,
            )
        return out[:, enc["input_ids"].shape[1] :]

    greedy = api.decoding(GenerateConfig(max_tokens=12, temperature=0))
    with torch.inference_mode():
        reference = api.model.generate(**enc, do_sample=False, max_new_tokens=12)
    assert torch.equal(run(greedy, [None] * 4), reference[:, enc["input_ids"].shape[1] :])
    sampling = api.decoding(GenerateConfig(max_tokens=12))
    seeds = [11, 12, 13, 14]
    together = run(sampling, seeds)
    assert torch.equal(run(sampling, seeds, slice(2, 4)), together[2:4])
    assert not torch.equal(run(sampling, [21, 22, 23, 24]), together)


def test_unset_fields_take_the_models_own_decoding(organism_dir):
    api = _model(organism_dir).api
    own = api.decoding(GenerateConfig(max_tokens=10))
    assert (own.greedy, own.temperature, own.top_p, own.top_k) == (False, 1.0, 0.7, 50)
    set_ = api.decoding(GenerateConfig(max_tokens=10, top_p=0.9, temperature=0.5))
    assert (set_.top_p, set_.temperature, set_.max_new_tokens) == (0.9, 0.5, 10)
    assert api.decoding(GenerateConfig(temperature=0)).greedy


def test_a_name_builds_its_preset_and_unknown_args_fail(organism_dir, monkeypatch):
    calls = []

    def built(preset, seed=0):
        calls.append((preset, seed))
        return organism_dir

    monkeypatch.setattr(kind, "built_dir", built)
    get_model("organism/tiny", organism_seed="3", memoize=False)  # -M values come as strings
    get_model("organism/default", memoize=False)
    assert calls == [("tiny", 3), ("small", 0)]
    with pytest.raises(ValueError, match="unknown organism preset"):
        get_model("organism/huge", memoize=False)
    with pytest.raises(ValueError, match="unknown organism model args"):
        get_model("organism/local", model_path=str(organism_dir), temprature=1, memoize=False)


def _requests(n, decoding=None):
    d = decoding or Decoding(False, 4, 1.0, None, None, None)
    return [_Request(prompt=str(i), decoding=d, seed=i) for i in range(n)]


def test_batcher_groups_concurrent_requests_by_decoding_up_to_the_limit():
    batches = []

    def run(batch):
        batches.append([r.prompt for r in batch])
        for r in batch:
            r.result = r.prompt + "!"

    other = Decoding(True, 4, 1.0, None, None, None)

    async def main():
        batcher = Batcher(run)
        requests = _requests(9) + [_Request(prompt="g", decoding=other, seed=None)]
        return await _gather([batcher.submit(r, 4) for r in requests])

    results = anyio.run(main)
    assert results == [f"{i}!" for i in range(9)] + ["g!"]
    assert sorted(p for b in batches for p in b) == sorted([*map(str, range(9)), "g"])
    assert max(map(len, batches)) == 4 and ["g"] in batches


def test_batcher_survives_errors_and_cancelled_requests():
    def run(batch):
        for r in batch:
            if r.prompt == "1":
                raise RuntimeError("boom")
            r.result = r.prompt

    async def main():
        batcher = Batcher(run)
        requests = _requests(3)
        outcomes = {}

        async def one(r):
            try:
                outcomes[r.prompt] = await batcher.submit(r, 1)
            except RuntimeError as err:
                outcomes[r.prompt] = str(err)

        async with anyio.create_task_group() as tg:
            for r in requests:
                tg.start_soon(one, r)
        # a request cancelled while it waits does not hold up the ones behind it
        late = _requests(3)
        async with anyio.create_task_group() as tg:
            for r in late:
                tg.start_soon(one, r)
            await anyio.sleep(0)
            with anyio.CancelScope() as scope:
                scope.cancel()
                await batcher.submit(_Request("x", late[0].decoding, 0), 1)
        return outcomes, batcher

    outcomes, batcher = anyio.run(main)
    assert outcomes == {"0": "0", "1": "boom", "2": "2"}
    assert not batcher._queue and not batcher._busy


def test_rows_draw_from_their_own_streams():
    assert provider.row_seed(0, ["a", 1], "p") == provider.row_seed(0, ["a", 1], "p")
    seeds = {provider.row_seed(s, e, p) for s in (0, 1) for e in (None, ["a", 2]) for p in "pq"}
    assert len(seeds) == 8
