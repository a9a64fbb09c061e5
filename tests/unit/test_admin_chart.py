"""The server-drawn activity chart (SVG, no JavaScript)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from callplane.admin.chart import DayCount, activity_chart, last_days, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def test_last_days_fills_the_gaps_with_zeros() -> None:
    today = date(2025, 3, 14)
    series = last_days(
        {date(2025, 3, 1): (2, 1), today: (0, 5), date(2025, 2, 1): (9, 9)}, today=today
    )
    assert len(series) == 14
    assert series[0] == DayCount(date(2025, 3, 1), 2, 1)
    assert series[-1] == DayCount(today, 0, 5)
    assert sum(d.calls for d in series) == 2, "days before the window are left out"


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 42, 99, 101)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        50,
        100,
        200,
    ]


def test_the_chart_is_valid_accessible_svg_with_bars_in_proportion() -> None:
    series = last_days(
        {date(2025, 3, 13): (4, 2), date(2025, 3, 14): (8, 0)}, today=date(2025, 3, 14)
    )
    svg = ET.fromstring(str(activity_chart(series)))
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert (
        title is not None
        and title.text == "Calls and messages per day, last 14 days: 12 calls, 2 messages"
    )
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and "2025-03-13: 4 calls, 2 messages" in (desc.text or "")
    calls = [
        r
        for r in svg.iter(f"{SVG}rect")
        if r.get("class") == "chart-calls" and r.find(f"{SVG}title") is not None
    ]
    assert len(calls) == 14
    heights = [float(r.get("height", 0)) for r in calls]
    assert heights[-1] == 2 * heights[-2] > 0 and heights[0] == 0
    assert calls[-1].find(f"{SVG}title").text == "Fri 14 Mar: 8 calls"  # type: ignore[union-attr]


def test_an_empty_chart_still_draws() -> None:
    svg = ET.fromstring(str(activity_chart(last_days({}, today=date(2025, 1, 1)))))
    assert "0 calls, 0 messages" in (svg.find(f"{SVG}title").text or "")  # type: ignore[union-attr]


def test_text_is_escaped() -> None:
    # Labels come from dates only, but the renderer escapes whatever it writes.
    assert "<script" not in str(activity_chart([DayCount(date(2025, 1, 1), 1, 1)]))
