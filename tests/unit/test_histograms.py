"""Percentiles from counts in two resolutions over blocks of days are exactly metrics.percentile of the values."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings, strategies as st

from inbox import histograms, metrics
from inbox.histograms import Interval


@given(st.integers(0, 10**7))
def test_a_value_lies_in_its_range_and_ranges_follow_each_other(value):
    b = histograms.bucket(value)
    low, high = histograms.bucket_bounds(b)
    assert low <= value <= high
    assert histograms.bucket_bounds(b + 1)[0] == high + 1
    assert high - low + 1 <= max(1, low // 8)       # at most an eighth of its values wide


@given(st.integers(730_000, 740_000), st.integers(0, 800))
def test_a_range_of_days_is_covered_exactly_by_few_blocks(first, length):
    last = first + length
    days = []
    for block in histograms.cover(first, last):
        level, index = block >> 24, block & histograms.INDEX_MASK
        span = histograms.SPANS[level]
        days += range(index * span, (index + 1) * span)
        assert block in histograms.blocks_of(index * span)
    assert days == list(range(first, last + 1))
    assert len(histograms.cover(first, last)) <= 2 * 3 * 4 + 1 + length // 256


def _percentile(values: list[int], running: list[int], now: int, p: float):
    """histograms' way: coarse intervals of the settled values and of the running keys' 64-minute bins."""
    settled = Counter(histograms.bucket(v) for v in values)
    bins = Counter(k // 64 for k in running)
    intervals = [Interval(*histograms.bucket_bounds(b), n, ("s", b)) for b, n in settled.items()]
    intervals += [Interval(now - 64 * b - 63, now - 64 * b, n, ("r", b)) for b, n in bins.items()]
    n = len(values) + len(running)
    lo, hi, k = histograms.ranks(n, p)
    picked = []
    for rank in (lo, hi):
        below, tags = histograms.candidates(intervals, rank)
        fine = Counter(v for v in values if ("s", histograms.bucket(v)) in tags)
        fine.update(now - key for key in running if ("r", key // 64) in tags)
        picked.append(histograms.pick(below, rank, fine.items()))
    return histograms.interpolate(*picked, lo, hi, k)


@settings(max_examples=200)
@given(values=st.lists(st.integers(0, 5000), max_size=40), running=st.lists(st.integers(0, 6000), max_size=15),
       p=st.sampled_from((.5, .9)))
def test_a_percentile_from_coarse_and_fine_counts_is_the_percentile_of_the_values(values, running, p):
    now = 6000
    if not values and not running:
        return
    assert _percentile(values, running, now, p) == metrics.percentile(values + [now - k for k in running], p)
