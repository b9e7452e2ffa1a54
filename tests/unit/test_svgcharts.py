"""Chart axes are labelled with round numbers: 0, 20, 40 … 100 %, never 0, 2.5, 5, 7.5."""
from __future__ import annotations

import math
import re
from decimal import Decimal

from hypothesis import given, strategies as st

from inbox.svgcharts import Series, bar_chart, line_chart, nice_ticks, number, percent


def _step_is_round(step: float) -> bool:
    """1, 2 or 5 times a power of ten (written as a decimal, its digits are one of those three)."""
    digits = Decimal(repr(step)).normalize().as_tuple().digits
    return digits in ((1,), (2,), (5,))


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False))
def test_ticks_are_round_even_steps_from_zero_to_just_above_the_highest_value(high):
    ticks = nice_ticks(high)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and 2 <= len(ticks) - 1 <= 5
    assert _step_is_round(ticks[1])
    assert all(math.isclose(b - a, step, rel_tol=1e-9) for a, b in zip(ticks, ticks[1:]))
    assert ticks[-1] >= high * (1 - 1e-12) and ticks[-2] < high


@given(st.sampled_from([0.0, -3.0, float("nan"), float("inf")]))
def test_nothing_to_show_gives_a_scale_of_zero_to_one(value):
    assert nice_ticks(value) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_familiar_scales():
    assert [percent(t) for t in nice_ticks(1.0)] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert nice_ticks(8.4) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert [number(t) for t in nice_ticks(0.2)] == ["0", "0.05", "0.1", "0.15", "0.2"]
    assert nice_ticks(0.3) == [0, 0.1, 0.2, 0.3]   # not 0.30000000000000004


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)


def test_the_charts_label_their_axes_with_those_ticks():
    bars = bar_chart("c", ["W1", "W2"], [0.93, None], title="t", desc="d", norm=0.9)
    assert _tick_labels(str(bars)) == ["0%", "20%", "40%", "60%", "80%", "100%"]
    lines = line_chart("l", ["W1", "W2", "W3"], [Series("rate", [2.1, 7.3, None])], title="t", desc="d")
    assert _tick_labels(str(lines)) == ["0", "2", "4", "6", "8", "10"]
