"""One token-budget grammar for experiment files and data specs."""

import pytest

from whyalign.budget import has_unit, parse_tokens
from whyalign.experiment.config import Dataset
from whyalign.train.data import parse_spec


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (50000, 50_000),
        ("50000", 50_000),
        ("50k", 50_000),
        ("50 K", 50_000),
        ("1.5M", 1_500_000),
        ("2b", 2_000_000_000),
        ("2g", 2_000_000_000),
        ("5000t", 5000),
        ("5000tok", 5000),
        ("5000 tokens", 5000),
        ("4.35k", 4350),  # exact: not 4349 from 4.35 * 1000 in floating point
    ],
)
def test_one_grammar_for_experiments_and_data_specs(text, tokens):
    assert parse_tokens(text) == tokens
    assert Dataset(path="a.jsonl", tokens=text).tokens == tokens
    if isinstance(text, str) and has_unit(text):
        assert parse_spec(f"a.jsonl:{text}").token_budget == tokens


@pytest.mark.parametrize("bad", ["lots", "-5k", "0", "0k", "1e3", "5kk", True, 0, -3])
def test_what_is_not_a_budget(bad):
    with pytest.raises(ValueError):
        parse_tokens(bad)


def test_a_data_spec_needs_the_unit_a_bare_number_is_a_weight():
    assert not has_unit("2") and has_unit("2t") and has_unit("2k")
    assert parse_spec("a.jsonl:2").weight == 2.0 and parse_spec("a.jsonl:2").token_budget is None
    assert parse_spec("a.jsonl:2t").token_budget == 2 and parse_spec("a.jsonl:2t").weight == 1.0
