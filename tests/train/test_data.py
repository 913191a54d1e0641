"""Mixture specs, selection by weight and token budget, and one-line errors for bad input."""

import pytest

from whyalign.train import ChatConfig, TrainArgs
from whyalign.train.data import DataSpec, load_mixture, parse_spec, select
from whyalign.train.errors import DataError, DataNotFound, ModelLoadError
from whyalign.train.run import resolve_model, train

from .conftest import chat_rows, docs_rows, prefs_rows, write_jsonl


@pytest.mark.parametrize(
    "spec, want",
    [
        ("a.jsonl", DataSpec("a.jsonl")),
        ("a.jsonl:0.5", DataSpec("a.jsonl", weight=0.5)),
        ("dir/a.jsonl:2", DataSpec("dir/a.jsonl", weight=2.0)),
        ("a.jsonl:200k", DataSpec("a.jsonl", token_budget=200_000)),
        ("a.jsonl:1.5M", DataSpec("a.jsonl", token_budget=1_500_000)),
        ("a.jsonl:5000t", DataSpec("a.jsonl", token_budget=5000)),
        ("c:/data/a.jsonl", DataSpec("c:/data/a.jsonl")),
    ],
)
def test_parse_spec(spec, want):
    assert parse_spec(spec) == want


@pytest.mark.parametrize("spec", ["a.jsonl:lots", "a.jsonl:-1", "a.jsonl:0k"])
def test_bad_spec_is_a_one_line_error(spec):
    with pytest.raises(DataError, match="data spec") as err:
        parse_spec(spec)
    assert "\n" not in str(err.value)


def test_select_by_weight_and_budget():
    lengths = [10, 20, 30, 40]
    assert select(4, 1.0, None, lambda: lengths, 0) == [0, 1, 2, 3]
    twice = select(4, 2.5, None, lambda: lengths, 0)
    assert sorted(twice) == sorted([0, 1, 2, 3] * 2 + twice[8:]) and len(twice) == 10
    assert select(4, 0.0, None, lambda: lengths, 0) == []
    assert select(4, 0.5, None, lambda: lengths, 1) == select(4, 0.5, None, lambda: lengths, 1)
    picked = select(4, 1.0, 250, lambda: lengths, 0)  # more than one pass over the rows
    total = sum(lengths[i] for i in picked)
    assert 250 <= total < 250 + max(lengths) and len(picked) > 4


def errors(tmp_path, stage, rows=None, text=None):
    path = tmp_path / f"{stage}.jsonl"
    if text is not None:
        path.write_text(text)
    else:
        write_jsonl(path, rows)
    with pytest.raises((ValueError, FileNotFoundError)) as err:
        load_mixture(stage, [str(path)])
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    return message


def test_wrong_format_for_the_stage_names_the_file_and_the_fix(tmp_path):
    assert "looks like a docs dataset" in errors(tmp_path, "chat", docs_rows(3))
    assert "looks like a chat dataset" in errors(tmp_path, "docs", chat_rows(3))
    assert "looks like a prefs dataset" in errors(tmp_path, "chat", prefs_rows(3))
    assert "'prompt', 'chosen' and 'rejected'" in errors(tmp_path, "prefs", chat_rows(3))
    no_answer = [{"messages": [{"role": "user", "content": "hi"}]}]
    assert "no assistant message" in errors(tmp_path, "chat", no_answer)
    bad_role = [{"messages": [{"role": "robot", "content": "hi"}]}]
    assert "role" in errors(tmp_path, "chat", bad_role)
    assert "line 2: not valid JSON" in errors(tmp_path, "docs", text='{"text": "a"}\n{"text": \n')
    assert "empty dataset" in errors(tmp_path, "docs", text="\n")


def test_missing_file_and_empty_mixture(tmp_path):
    with pytest.raises(DataNotFound, match="data file not found: .*nope.jsonl"):
        load_mixture("docs", [str(tmp_path / "nope.jsonl")])
    with pytest.raises(DataError, match="empty mixture"):
        load_mixture("docs", [])
    path = write_jsonl(tmp_path / "d.jsonl", docs_rows(3))
    with pytest.raises(DataError, match="empty mixture: every dataset has weight 0"):
        load_mixture("docs", [path + ":0"])


def test_a_directory_of_jsonl_files_is_one_dataset(tmp_path):
    (tmp_path / "d").mkdir()
    write_jsonl(tmp_path / "d" / "a.jsonl", docs_rows(3))
    write_jsonl(tmp_path / "d" / "b.jsonl", docs_rows(2))
    (part,) = load_mixture("docs", [str(tmp_path / "d") + ":0.5"])
    assert len(part.rows) == 5 and part.weight == 0.5 and part.name == "d"


def test_docs_too_short_for_one_block_is_an_empty_mixture(tmp_path, base_dir):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "hi"}])
    args = TrainArgs(model=str(base_dir), data=[path], out=str(tmp_path / "out"))
    from whyalign.train import DocsConfig

    with pytest.raises(DataError, match="empty mixture"):
        train("docs", args, DocsConfig(max_length=64, progress=False))


def test_a_model_dir_that_does_not_load(tmp_path):
    data = write_jsonl(tmp_path / "c.jsonl", chat_rows(4))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    for model, match in [
        (str(broken), "could not load .* from .*broken"),
        (str(tmp_path / "absent"), "model directory not found"),
        ("", "no starting model"),
    ]:
        args = TrainArgs(model=model, data=[data], out=str(tmp_path / "out"))
        with pytest.raises(ModelLoadError, match=match) as err:
            train("chat", args, ChatConfig(progress=False))
        assert "\n" not in str(err.value)


def test_model_names_resolve(tmp_path, monkeypatch, base_dir):
    import whyalign.organism.build as build

    calls = []
    monkeypatch.setattr(
        build, "build", lambda preset, seed, **kw: calls.append((preset, seed)) or base_dir
    )
    assert resolve_model("organism/tiny", 3) == str(base_dir)
    assert resolve_model("organism") == str(base_dir)
    assert calls == [("tiny", 3), (build.DEFAULT_PRESET, 0)]
    (tmp_path / "run" / "model").mkdir(parents=True)  # a previous stage's --out
    assert resolve_model(str(tmp_path / "run")) == str(tmp_path / "run" / "model")
    assert resolve_model("Qwen/Qwen2.5-0.5B") == "Qwen/Qwen2.5-0.5B"  # a hub id passes through


def test_whole_document_packing_cuts_no_document_shorter_than_a_block(tok):
    from whyalign.train.prepare import pack

    rows = docs_rows(60, seed=3)
    texts = [r["text"] for r in rows]
    length = 64
    docs = [tok(t, add_special_tokens=False)["input_ids"] + [tok.eos_token_id] for t in texts]
    blocks = pack(texts, tok, length, whole=True)
    assert all(len(b) == length for b in blocks["input_ids"])
    # every document's tokens sit together in one block, and nothing is lost or trained twice
    kept = [
        [t for t, m in zip(ids, mask, strict=True) if m]
        for ids, mask in zip(blocks["input_ids"], blocks["attention_mask"], strict=True)
    ]
    for doc in docs:
        if len(doc) <= length:
            assert any(_contains(block, doc) for block in kept)
    assert sum(map(len, kept)) == sum(map(len, docs))
    for labels, mask in zip(blocks["labels"], blocks["attention_mask"], strict=True):
        assert all((label == -100) == (m == 0) for label, m in zip(labels, mask, strict=True))
    # the stream packing cuts documents across blocks (what whole packing avoids)
    stream = pack(texts, tok, length)
    assert len(stream) < len(blocks)


def _contains(block: list[int], doc: list[int]) -> bool:
    return any(block[i : i + len(doc)] == doc for i in range(len(block) - len(doc) + 1))
