import math

import pytest

from catalog.stats import percentile


@pytest.mark.parametrize(
    "values, fraction, expected",
    [
        ([5.0], 0.95, 5.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),                          # unsorted input
        (list(range(1, 101)), 0.95, 95),                      # 95 of 100 samples are ≤ 95
        (list(range(1, 101)), 0.99, 99),
        (list(range(1, 21)), 0.95, 19),                       # ceil(0.95 · 20) = 19th
        (list(range(1, 11)), 0.5, 5),                         # nearest rank, not the 5.5 median
        ([1.0, 2.0], 0.0, 1.0),
        ([1.0, 2.0], 1.0, 2.0),
    ],
)
def test_nearest_rank(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_a_percentile_is_one_of_the_samples():
    values = [0.3, 17.2, 4.4, 9.9, 1.1, 2.5, 8.0]
    assert all(percentile(values, f / 100) in values for f in range(0, 101))


def test_no_samples_is_nan_and_bad_fractions_are_refused():
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1.0], 95)
