"""Percentiles of whole numbers over any range of days, from counts kept in two resolutions: pure Python.

The service measures' medians and 90th percentiles (inbox.metrics.percentile) need the values at two ranks of a
period's tickets. Counted per block of days (blocks of 1, 4, 16, 64 and 256 days, aligned, so that any range of
days is a few dozen blocks: `cover`) and per value, in a coarse resolution (`bucket`: exact below 16, then eight
ranges per doubling) and a fine one (the value itself), a rank is found in the coarse counts, and only the fine
counts of the one or two ranges that may hold it are read (`candidates`, then `pick`). Each family of values is
given as intervals of values with their counts; intervals of different families may overlap (an open question's
running wait counts in bins of the minute its wait began, which turn into intervals of values only at reading).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Hashable, NamedTuple

SPANS = (1, 4, 16, 64, 256)   # days per block, one level each
_LEVEL_SHIFT = 24             # a block's id: its level above its index (days since 0001-01-01 / span)
INDEX_MASK = (1 << _LEVEL_SHIFT) - 1
EXACT_BELOW = 16
SUB_BITS = 3                  # 2**3 = 8 ranges per doubling: a range is at most 1/8 of its values wide


def block_id(level: int, index: int) -> int:
    return (level << _LEVEL_SHIFT) | index


def blocks_of(day: int) -> list[int]:
    """The blocks (ids) a day (a date's ordinal) counts in, one per level."""
    return [block_id(level, day // span) for level, span in enumerate(SPANS)]


def cover(first: int, last: int) -> list[int]:
    """The fewest aligned blocks (ids) whose days are exactly first..last (ordinals, inclusive): the largest block
    that starts at the next uncovered day and ends within the range, again and again."""
    blocks = []
    day = first
    while day <= last:
        for level in range(len(SPANS) - 1, -1, -1):
            span = SPANS[level]
            if day % span == 0 and day + span - 1 <= last:
                break
        blocks.append(block_id(level, day // span))
        day += span
    return blocks


def bucket(value: int) -> int:
    """The coarse range a value >= 0 falls in: itself below EXACT_BELOW, then 2**SUB_BITS ranges per doubling."""
    if value < EXACT_BELOW:
        return value
    octave = value.bit_length() - 1
    shift = octave - SUB_BITS
    return EXACT_BELOW + ((octave - EXACT_BELOW.bit_length() + 1) << SUB_BITS) + ((value >> shift) - (1 << SUB_BITS))


def bucket_bounds(b: int) -> tuple[int, int]:
    """The smallest and largest value of coarse range b (bucket's inverse)."""
    if b < EXACT_BELOW:
        return b, b
    octave, sub = divmod(b - EXACT_BELOW, 1 << SUB_BITS)
    shift = octave + EXACT_BELOW.bit_length() - 1 - SUB_BITS
    low = ((1 << SUB_BITS) + sub) << shift
    return low, low + (1 << shift) - 1


class Interval(NamedTuple):
    """Some of a period's values: `count` of them, each within low..high; `tag` names where their fine counts are."""

    low: int
    high: int
    count: int
    tag: Hashable


def candidates(intervals: Sequence[Interval], rank: int) -> tuple[int, list[Hashable]]:
    """Where the value at `rank` (0-based, in ascending order) may be: (how many values lie below every
    candidate interval, the candidates' tags). The value is at least the lowest `low` where the intervals starting
    at or below it hold more than `rank` values, and at most the lowest `high` where those ending at or below it
    do; the intervals overlapping that span are the candidates, those ending before it count as below."""
    live = [i for i in intervals if i.count > 0]
    least = _first_reaching(sorted((i.low, i.count) for i in live), rank)
    most = _first_reaching(sorted((i.high, i.count) for i in live), rank)
    below = sum(i.count for i in live if i.high < least)
    return below, [i.tag for i in live if i.high >= least and i.low <= most]


def _first_reaching(points: list[tuple[int, int]], rank: int) -> int:
    total = 0
    for at, count in points:
        total += count
        if total > rank:
            return at
    raise ValueError(f"rank {rank} beyond the {total} values counted")


def pick(below: int, rank: int, fine: Iterable[tuple[int, int]]) -> int:
    """The value at `rank` from the candidates' fine counts ((value, count) pairs) and the count below them."""
    left = rank - below
    for value, count in sorted(fine):
        if left < count:
            return value
        left -= count
    raise ValueError("the fine counts hold fewer values than the coarse ones")


def ranks(n: int, p: float) -> tuple[int, int, float]:
    """The two ranks metrics.percentile interpolates between for p over n values, and the weight of the upper."""
    k = (n - 1) * p
    return math.floor(k), math.ceil(k), k


def interpolate(low: int, high: int, lo: int, hi: int, k: float) -> float:
    """metrics.percentile's last step, with the same arithmetic (so the same float)."""
    return float(low) if lo == hi else low + (high - low) * (k - lo)
