"""The history calendar's arithmetic: shades, weeks that fit, month names, the sparkline's data."""

from __future__ import annotations

from datetime import date

import pytest

from stretch_coach.history.model import DayActivity
from stretch_coach.tui.widgets.calendar import (
    CELL,
    LABEL,
    LEVELS,
    MAX_WEEKS,
    MIN_WEEKS,
    first_monday,
    level,
    month_row,
    sparkline_data,
    weeks_that_fit,
)


def day(sessions: int, counted: int) -> DayActivity:
    # Shading follows the sessions that count (at least half done), not how they ended.
    return DayActivity(
        day=date(2024, 6, 12), sessions=sessions, finished=0, counted=counted, cramps=0
    )


@pytest.mark.parametrize(
    ("activity", "shade"),
    [(None, 0), (day(0, 0), 0), (day(2, 0), 1), (day(1, 1), 2), (day(3, 2), 3)],
)
def test_a_day_is_shaded_by_what_was_finished(activity: DayActivity | None, shade: int) -> None:
    assert level(activity) == LEVELS[shade]


def test_weeks_follow_the_width_within_bounds() -> None:
    assert weeks_that_fit(LABEL + 10 * CELL) == 10
    assert weeks_that_fit(LABEL + 10 * CELL + CELL - 1) == 10
    assert weeks_that_fit(10) == MIN_WEEKS
    assert weeks_that_fit(500) == MAX_WEEKS


def test_the_oldest_week_starts_on_a_monday() -> None:
    start = first_monday(date(2024, 6, 12), 4)  # a Wednesday
    assert start == date(2024, 5, 20) and start.weekday() == 0


def test_months_are_named_over_the_week_they_begin() -> None:
    row = month_row(first_monday(date(2024, 6, 12), 16), 16)
    # 26 Feb - 3 Mar is the first column: March begins in it.
    assert row.split() == ["Mar", "Apr", "May", "Jun"]
    assert row.index("Mar") == LABEL
    assert row.index("Apr") == LABEL + 5 * CELL  # 1-7 April is the sixth week
    assert row.index("Jun") == LABEL + 13 * CELL  # 27 May - 2 June


def test_the_first_column_gives_way_to_a_month_beginning_next() -> None:
    row = month_row(date(2024, 5, 20), 4)  # June begins in the second column
    assert row.split() == ["Jun"] and row.index("Jun") == LABEL + CELL


def test_sparkline_bars_start_from_none() -> None:
    data = sparkline_data([2, 0])
    assert len(data) == 2 * CELL * 2
    assert data[: 2 * CELL] == [0, 2] * CELL and set(data[2 * CELL :]) == {0}
