"""Streaks, adherence, weeks and when stretching became regular."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stretch_coach.history import stats
from stretch_coach.history.model import DayActivity

D = date(2024, 5, 15)  # a Wednesday


def days_back(*backs: int) -> set[date]:
    return {D - timedelta(days=b) for b in backs}


def test_streak_counts_up_to_today() -> None:
    assert stats.current_streak(days_back(0, 1, 2, 4), D) == 3


def test_streak_still_holds_until_todays_routine_is_done() -> None:
    assert stats.current_streak(days_back(1, 2), D) == 2


def test_streak_is_broken_by_a_whole_day_without_a_routine() -> None:
    assert stats.current_streak(days_back(2, 3), D) == 0
    assert stats.current_streak(set(), D) == 0


def test_longest_streak() -> None:
    assert stats.longest_streak(days_back(0, 1, 5, 6, 7, 8, 20)) == 4
    assert stats.longest_streak([]) == 0


def test_adherence_counts_days_so_far_of_the_period() -> None:
    result = stats.adherence(days_back(0, 2, 3, 10), date(2024, 5, 13), D)
    assert (result.days_done, result.days) == (2, 3)
    assert result.ratio == 2 / 3


def test_weeks_include_empty_weeks_between() -> None:
    days = {
        date(2024, 4, 29): DayActivity(
            date(2024, 4, 29), sessions=2, finished=1, counted=1, cramps=1
        ),
        date(2024, 5, 14): DayActivity(date(2024, 5, 14), cramps=2),
    }
    weeks = stats.weeks(days, date(2024, 4, 29), D)
    assert [(w.start, w.cramps, w.sessions, w.days_stretched) for w in weeks] == [
        (date(2024, 4, 29), 1, 2, 1),
        (date(2024, 5, 6), 0, 0, 0),
        (date(2024, 5, 13), 2, 0, 0),
    ]


def test_regular_stretching_begins_with_four_days_in_seven() -> None:
    start = date(2024, 5, 1)
    scattered = {start, start + timedelta(days=5), start + timedelta(days=12)}
    assert stats.regular_start(scattered) is None
    regular = scattered | {start + timedelta(days=n) for n in (14, 16, 17)}
    # 12, 14, 16, 17 fall within 7 days: regular from day 12.
    assert stats.regular_start(regular) == start + timedelta(days=12)


def test_regular_window_is_seven_days_not_eight() -> None:
    start = date(2024, 5, 1)
    assert stats.regular_start({start + timedelta(days=n) for n in (0, 2, 4, 7)}) is None
    assert stats.regular_start({start + timedelta(days=n) for n in (0, 2, 4, 6)}) == start


def test_most_in_window_finds_the_busiest_seven_days() -> None:
    t = datetime(2024, 5, 1, 3, 0)
    moments = [
        t,
        t + timedelta(days=1),
        t + timedelta(days=6, hours=23),
        t + timedelta(days=7),
        t + timedelta(days=30),
    ]
    assert stats.most_in_window(moments) == (3, t + timedelta(days=6, hours=23))
    assert stats.most_in_window([]) == (0, None)


def test_per_week() -> None:
    assert stats.per_week(3, 14) == 1.5
    assert stats.per_week(3, 0) == 0.0
