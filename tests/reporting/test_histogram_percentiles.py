"""The percentiles read from counts per value are PostgreSQL's ``percentile_cont`` of the values
themselves, and the buckets round durations down by at most their width (property tests)."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from reporting.selectors import histogram_percentiles
from reporting.summaries import CLOCK_BUCKETS, bucket_of


def percentile_cont(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


values = st.lists(st.integers(min_value=0, max_value=5_000_000).map(float), min_size=1)
fractions = st.floats(min_value=0, max_value=1)


@given(values, fractions)
def test_counts_give_the_percentile_of_the_values(found, fraction):
    counts = sorted(Counter(found).items())
    [from_counts] = histogram_percentiles(counts, [fraction])
    assert abs(from_counts - percentile_cont(found, fraction)) <= 1e-6 * max(1.0, max(found))


def test_no_value_has_no_percentile():
    assert histogram_percentiles([], [0.5, 0.9]) == [None, None]


@given(st.floats(min_value=0, max_value=10 * 365 * 86_400, allow_nan=False))
def test_a_duration_is_rounded_down_by_less_than_its_bucket(seconds):
    bucket = bucket_of(seconds)
    width = next(w for limit, w in CLOCK_BUCKETS if limit is None or seconds < limit)
    assert bucket <= seconds < bucket + width
    assert bucket % width == 0
