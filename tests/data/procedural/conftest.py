import pytest

from whyalign.data.procedural import generate_records
from whyalign.spec import load_spec

N = 300  # records per recipe for the dataset-wide checks (contamination, vocabulary)


@pytest.fixture(scope="session")
def sections():
    return list(load_spec("organism").sections)


@pytest.fixture(scope="session")
def dataset(sections):
    """Records of each recipe at N, seed 0, made once for the whole session."""
    cache: dict[tuple, list[dict]] = {}

    def _get(recipe: str, **options) -> list[dict]:
        key = (recipe, tuple(sorted(options.items())))
        if key not in cache:
            cache[key] = generate_records(recipe, sections, n=N, seed=0, options=options)
        return cache[key]

    return _get
