import pytest

from whyalign.evals.stats import wilson


def test_wilson_known_values():
    r = wilson(8, 10)
    assert r.rate == 0.8
    assert r.low == pytest.approx(0.4902, abs=1e-4) and r.high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_edges_stay_in_range():
    zero, full = wilson(0, 20), wilson(20, 20)
    assert zero.low == 0.0 and 0.1 < zero.high < 0.2
    assert full.high == 1.0 and 0.8 < full.low < 0.9
    assert wilson(0, 0).n == 0 and str(wilson(0, 0)) == "n/a"
    with pytest.raises(ValueError):
        wilson(3, 2)
