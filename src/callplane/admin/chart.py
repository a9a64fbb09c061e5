"""Calls and messages per day as an SVG bar chart, drawn on the server (no JavaScript library)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

from markupsafe import Markup


@dataclass(frozen=True)
class DayCount:
    """The calls and messages of one day (UTC)."""

    day: date
    calls: int = 0
    messages: int = 0


def last_days(
    counts: dict[date, tuple[int, int]], *, today: date, days: int = 14
) -> list[DayCount]:
    """`days` consecutive days ending `today`, zero where nothing happened."""
    out = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        calls, messages = counts.get(day, (0, 0))
        out.append(DayCount(day=day, calls=calls, messages=messages))
    return out


def nice_ceiling(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5, 10, 20, 50, ...)."""
    if value <= 0:
        return 1
    exponent: int = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent  # pragma: no cover - the loop always returns


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def activity_chart(series: Sequence[DayCount], *, width: int = 760, height: int = 240) -> Markup:
    """An accessible SVG: two bars (calls, messages) per day, a y axis, day labels, a legend."""
    left, right, top, bottom = 40, 12, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([d.calls for d in series] + [d.messages for d in series] + [0])
    ceiling = nice_ceiling(peak)
    total_calls = sum(d.calls for d in series)
    total_messages = sum(d.messages for d in series)
    slot = plot_w / max(1, len(series))
    bar = max(2.0, min(18.0, slot * 0.34))
    title = (
        f"Calls and messages per day, last {len(series)} days: "
        f"{_plural(total_calls, 'call')}, {_plural(total_messages, 'message')}"
    )
    desc = "; ".join(
        f"{d.day.isoformat()}: {_plural(d.calls, 'call')}, {_plural(d.messages, 'message')}"
        for d in series
    )
    parts = [
        (
            f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            'role="img" aria-labelledby="chart-title chart-desc" '
            'preserveAspectRatio="xMidYMid meet">'
        ),
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
    ]
    # Grid lines and y labels (0, half, ceiling; integers only).
    ticks = sorted({0, ceiling // 2, ceiling}) if ceiling > 1 else [0, 1]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="chart-label" x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    for i, d in enumerate(series):
        x0 = left + i * slot + (slot - 2 * bar - 2) / 2
        for j, (value, cls, what) in enumerate(
            ((d.calls, "chart-calls", "call"), (d.messages, "chart-messages", "message"))
        ):
            h = plot_h * value / ceiling
            x = x0 + j * (bar + 2)
            y = top + plot_h - h
            label = f"{d.day.strftime('%a %d %b')}: {_plural(value, what)}"
            parts.append(
                f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{max(h, 0.0):.1f}" rx="2"><title>{escape(label)}</title></rect>'
            )
        if len(series) <= 16 or i % 2 == 0:
            parts.append(
                f'<text class="chart-label" x="{left + i * slot + slot / 2:.1f}" '
                f'y="{height - bottom + 16}" text-anchor="middle">{d.day.strftime("%d %b")}</text>'
            )
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{width - right}" '
        f'y1="{top + plot_h}" y2="{top + plot_h}"/>'
    )
    # Legend, top right.
    lx = width - right - 210
    parts.append(f'<rect class="chart-calls" x="{lx}" y="8" width="12" height="12" rx="2"/>')
    parts.append(f'<text class="chart-legend" x="{lx + 18}" y="18">Calls ({total_calls})</text>')
    parts.append(
        f'<rect class="chart-messages" x="{lx + 105}" y="8" width="12" height="12" rx="2"/>'
    )
    parts.append(
        f'<text class="chart-legend" x="{lx + 123}" y="18">Messages ({total_messages})</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["DayCount", "activity_chart", "last_days", "nice_ceiling"]
