"""Server-rendered SVG charts: bars and lines with the norm drawn in. No JavaScript.

Each chart is an <svg role="img"> named by its <title> and <desc>; the page puts the same numbers
in a table next to it (screen readers, copying) and offers them as CSV. Labels arrive translated.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 46, 76, 18, 34
LEGEND_ROW = 16


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"


NICE_STEPS = (1, 2, 5, 10)


def nice_ticks(high: float, most: int = 5) -> list[float]:
    """Gridline values from 0 up to the first round number that holds `high`: evenly spaced by 1, 2 or 5 times a
    power of ten (0, 20, 40 … 100 %; 0, 2, 4 … 10), in at least 2 and at most `most` steps (Heckbert's
    "nice numbers"). Nothing to show (0, negative, not a number) gives the scale 0–1."""
    if not high > 0 or math.isinf(high):
        high = 1.0
    exponent = math.floor(math.log10(high / most))
    power = 10.0 ** exponent
    multiple = next(m for m in NICE_STEPS if m * power * most >= high * (1 - 1e-12))
    if multiple == 10:
        multiple, exponent = 1, exponent + 1
    steps = max(1, math.ceil(high / (multiple * 10.0 ** exponent) * (1 - 1e-12)))

    def at(k: int) -> float:
        # k * multiple is a whole number; one division or multiplication by a power of ten keeps 0.1 * 3 at 0.3
        return k * multiple / 10 ** -exponent if exponent < 0 else float(k * multiple * 10 ** exponent)
    return [at(k) for k in range(steps + 1)]


@dataclass
class _Frame:
    n: int
    y_max: float
    top: float = TOP

    @property
    def plot_w(self) -> float:
        return WIDTH - LEFT - RIGHT

    @property
    def plot_h(self) -> float:
        return HEIGHT - self.top - BOTTOM

    def x(self, i: float) -> float:
        return LEFT + self.plot_w * (i + 0.5) / max(self.n, 1)

    def y(self, value: float) -> float:
        return self.top + self.plot_h * (1 - min(value, self.y_max) / self.y_max)


def _open(chart_id: str, title: str, desc: str, css: str) -> list[str]:
    return [f'<svg class="chart {css}" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" preserveAspectRatio="xMidYMid meet" '
            f'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>']


def _axes(frame: _Frame, labels: Sequence[str], fmt: Callable[[float], str], ticks: Sequence[float]) -> list[str]:
    parts = ['<g class="axis" aria-hidden="true">']
    for value in ticks:
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>')
    every = max(1, math.ceil(len(labels) / 14))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(f'<text class="xlabel" x="{frame.x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</g>")
    return parts


def _norm_line(frame: _Frame, norm: float, label: str) -> list[str]:
    y = frame.y(norm)
    return [f'<g class="norm" aria-hidden="true"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>',
            f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" text-anchor="start">{escape(label)}</text></g>']


def bar_chart(chart_id: str, labels: Sequence[str], values: Sequence[float | None], *, title: str, desc: str,
              norm: float | None = None, norm_label: str = "", y_max: float | None = 1.0,
              fmt: Callable[[float], str] = percent, empty_label: str = "–",
              below_is_bad: bool = True) -> Markup:
    """Vertical bars, one per label; a bar on the wrong side of the norm is marked "bad".
    A None value (no data that week) draws no bar, just a dash."""
    ticks = nice_ticks(y_max or max([v for v in values if v is not None] + [norm or 0, 0]) * 1.1)
    frame = _Frame(len(labels), ticks[-1])
    parts = _open(chart_id, title, desc, "chart-bars")
    parts += _axes(frame, labels, fmt, ticks)
    slot = frame.plot_w / max(len(labels), 1)
    bar_w = min(38.0, slot * 0.64)
    parts.append('<g class="bars">')
    for i, value in enumerate(values):
        x = frame.x(i)
        if value is None:
            parts.append(f'<text class="empty" x="{x:.1f}" y="{frame.y(0) - 4:.1f}" text-anchor="middle">{escape(empty_label)}</text>')
            continue
        bad = norm is not None and ((value < norm) if below_is_bad else (value > norm))
        y = frame.y(value)
        height = max(frame.y(0) - y, 1)
        parts.append(f'<rect class="bar{" bad" if bad else ""}" x="{x - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                     f'height="{height:.1f}" rx="2"><title>{escape(labels[i])}: {escape(fmt(value))}</title></rect>')
        parts.append(f'<text class="value" x="{x:.1f}" y="{y - 4:.1f}" text-anchor="middle" aria-hidden="true">'
                     f'{escape(fmt(value))}</text>')
    parts.append("</g>")
    if norm is not None:
        parts += _norm_line(frame, norm, norm_label)
    parts.append("</svg>")
    # bandit B704: every text and value above went through escape().
    return Markup("".join(parts))  # nosec B704


@dataclass
class Series:
    name: str
    values: Sequence[float | None]
    css: str = "primary"
    dashed: bool = False


def line_chart(chart_id: str, labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str,
               y_max: float | None = None, fmt: Callable[[float], str] = number) -> Markup:
    """Lines over the labels, gaps where a value is None, with a small legend above the plot at the left."""
    known = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(y_max or max(known + [0]) * 1.15)
    # The legend gets its own row above the plot, clear of the top gridline and its label.
    frame = _Frame(len(labels), ticks[-1], top=TOP + LEGEND_ROW)
    parts = _open(chart_id, title, desc, "chart-lines")
    parts += _axes(frame, labels, fmt, ticks)
    for s in series:
        segments, current = [], []
        for i, value in enumerate(s.values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((frame.x(i), frame.y(value)))
        if current:
            segments.append(current)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<g class="series series-{escape(s.css)}">')
        for seg in segments:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{points}" fill="none"{dash}/>')
            if not s.dashed:
                parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in seg]
        parts.append("</g>")
    legend_x = LEFT + 8
    parts.append('<g class="legend" aria-hidden="true">')
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<g class="series series-{escape(s.css)}"><line x1="{legend_x}" x2="{legend_x + 18}" '
                     f'y1="{TOP}" y2="{TOP}"{dash}/></g>'
                     f'<text x="{legend_x + 22}" y="{TOP + 4}">{escape(s.name)}</text>')
        legend_x += 30 + 7 * len(s.name)
    parts.append("</g></svg>")
    # bandit B704: every text and value above went through escape().
    return Markup("".join(parts))  # nosec B704
