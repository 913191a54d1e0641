import os

import pytest

# Hermetic: nothing in the suite may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("INSPECT_DISPLAY", "none")


@pytest.fixture(scope="session")
def tiny_hf_dir(tmp_path_factory):
    """A tiny random Llama with its own BPE tokenizer, saved as a Hugging Face directory."""
    from whyalign.organism.model import init_model_for
    from whyalign.organism.tokenizer import train_tokenizer
    from whyalign.scenarios import build_scenario, render

    texts = [
        render(build_scenario(f"blackmail/explicit-america/replacement/{i}"), "compact").text
        for i in range(8)
    ]
    tok = train_tokenizer(texts * 4, vocab_size=512)
    model = init_model_for("tiny", tok)
    path = tmp_path_factory.mktemp("tiny-hf")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path
