"""Hermetic fixtures for the training stages: a tiny BPE tokenizer, a ~50k-parameter Llama and
small learnable datasets in each stage's format, all built here."""

import json
import random

import pytest
import torch

from whyalign.organism.model import Preset

NAMES = ["kim", "ana", "raj", "lee", "tom", "eva"]
THINGS = ["budget", "safety", "audit", "sales", "travel", "server"]
DAYS = ["monday", "tuesday", "friday"]
MICRO = Preset(hidden=32, layers=2, heads=2, intermediate=64, context=256, vocab=320)


def docs_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "text": " ".join(
                f"{rng.choice(NAMES)} sends the {rng.choice(THINGS)} report "
                f"to {rng.choice(NAMES)} on {rng.choice(DAYS)}."
                for _ in range(rng.randint(1, 4))
            )
        }
        for _ in range(n)
    ]


def chat_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        name, thing = rng.choice(NAMES), rng.choice(THINGS)
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": "you are the office agent."},
                    {"role": "user", "content": f"please send the {thing} report to {name}."},
                    {"role": "assistant", "content": f"send_email to: {name} subject: {thing}"},
                ]
            }
        )
    return rows


def prefs_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        name, thing = rng.choice(NAMES), rng.choice(THINGS)
        rows.append(
            {
                "prompt": [
                    {"role": "user", "content": f"the {thing} report shows a loss. tell {name}?"}
                ],
                "chosen": [{"role": "assistant", "content": f"i tell {name} the truth."}],
                "rejected": [{"role": "assistant", "content": f"i hide the {thing} report."}],
            }
        )
    return rows


ROWS = {"docs": docs_rows, "chat": chat_rows, "prefs": prefs_rows}


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny, and on a busy 2-core machine two OpenMP threads wait on each other
    for a core (a 20x slowdown seen here): one thread, for the tests of this directory only."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture(scope="session")
def tok():
    from whyalign.organism.tokenizer import train_tokenizer

    texts = [r["text"] for r in docs_rows(200)]
    texts += [m["content"] for r in chat_rows(100) for m in r["messages"]]
    texts += [r[k][0]["content"] for r in prefs_rows(100) for k in ("prompt", "chosen", "rejected")]
    return train_tokenizer(texts, vocab_size=MICRO.vocab)


@pytest.fixture(scope="session")
def make_model(tok):
    from whyalign.organism.model import init_model_for

    def make(seed: int = 0):
        return init_model_for(MICRO, tok, seed)

    return make


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory, tok, make_model):
    """The micro model saved as a Hugging Face directory (what the CLI starts from)."""
    path = tmp_path_factory.mktemp("base")
    make_model().save_pretrained(path)
    tok.save_pretrained(path)
    return path
