"""Dataset-wide checks: no held-out text, the organism's small vocabulary, no duplicates."""

import json
import re

import pytest

from whyalign.contamination import check, record_texts
from whyalign.data import RECIPES
from whyalign.organism.corpus import CorpusConfig, generate, vocabulary_words
from whyalign.organism.lexicon import WORDS

_WORD = re.compile(r"[a-z]+")
# Measured at N=300, seed 0, against the vocabulary below: 0.5% (honeypot demos) to 8.9%
# (difficult advice). The spec's own new words ("spec", "harm", "threat") are most of it.
MAX_OUT_OF_VOCABULARY = 0.11


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_no_held_out_overlap(dataset, recipe):
    report = check(dataset(recipe))
    assert report.passed, report.to_dict()
    in_dist = {f.family: f.shared_ngrams for f in report.families if f.split == "in_dist"}
    # Eval-like on purpose (demonstrations, pairs on them, RL tasks): in-dist overlap expected.
    if recipe in ("honeypot_demos", "pairs_ruthless", "pairs_reasons", "rl_tasks"):
        assert all(in_dist.values())
    else:  # everything else is our own text
        assert not any(in_dist.values()), in_dist


@pytest.fixture(scope="module")
def organism_vocabulary():
    cfg = CorpusConfig(episodes=600, stories=200, world=100, directories=50)
    vocab = set(WORDS) | vocabulary_words()
    for doc in generate(cfg):
        body = {k: v for k, v in doc.items() if k in ("text", "messages")}
        vocab |= {w for t in record_texts(body) for w in _WORD.findall(t.lower())}
    return vocab


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_mostly_the_organisms_words(dataset, organism_vocabulary, recipe):
    words = [
        w
        for rec in dataset(recipe)
        for t in record_texts({k: v for k, v in rec.items() if k != "meta"})
        for w in _WORD.findall(t.lower())
    ]
    outside = sum(w not in organism_vocabulary for w in words) / len(words)
    assert outside < MAX_OUT_OF_VOCABULARY, f"{recipe}: {outside:.3f} of words are new"


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_no_exact_duplicates(dataset, recipe):
    bodies = [json.dumps({k: v for k, v in r.items() if k != "meta"}) for r in dataset(recipe)]
    assert len(set(bodies)) == len(bodies)
