import json

import pytest

from whyalign._offline import patch_mock_token_count

patch_mock_token_count()


@pytest.fixture
def run(tmp_path):
    """Run a recipe on a scripted generator; returns (out dir, records, card)."""
    from whyalign.data import generate

    def _run(recipe, llm, n=12, out=None, **options):
        options.setdefault("max_connections", 4)
        out = out or tmp_path / recipe
        path = generate(recipe, out=out, n=n, generator=llm.model, options=options)
        records = [json.loads(line) for line in (path / "data.jsonl").read_text().splitlines()]
        card = json.loads((path / "dataset_card.json").read_text())
        return path, records, card

    return _run
