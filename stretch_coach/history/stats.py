"""Whether a session counts; streaks, adherence, weeks and "regular stretching".

A session *counts* (:func:`counts`) when at least half of it was done,
however it ended: a routine stopped at 60% counts, one whose steps were all
skipped does not, even though it ran "to the end". How it ended (finished,
stopped, interrupted) is a separate fact and is kept as it is.

A day counts as a day *with a routine done* when a session started that day
counts. Other sessions still show in the history and the calendar, but do not
keep a streak alive.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from typing import TypeVar

from stretch_coach.history.model import (
    Adherence,
    DayActivity,
    Overview,
    SessionInfo,
    WeekActivity,
)
from stretch_coach.history.times import week_start

T = TypeVar("T", bound=date)

#: Stretching is *regular* from the first day of the first 7-day window with a
#: finished routine on at least this many days. The seeds say "regularly"
#: without a number; four days in seven is more often than not.
REGULAR_DAYS = 4
REGULAR_WINDOW_DAYS = 7
#: A before/after comparison needs at least this many days on each side.
MIN_COMPARISON_DAYS = 7


#: Rounding room when comparing seconds (a step's active time is measured, not counted).
_SECONDS_EPSILON = 1e-6


def at_least_half(done: float, planned: float) -> bool:
    """Whether ``done`` is at least half of ``planned``; over nothing planned, it is."""
    return planned <= 0 or 2 * done >= planned - _SECONDS_EPSILON


def counts(
    *,
    planned_timed_seconds: float,
    timed_seconds_done: float,
    planned_self_paced: int,
    self_paced_done: int,
) -> bool:
    """The rule: does a session count (streak, this week, calendar, adherence, report)?

    It counts when at least half of its planned timed seconds were done and at
    least half of its self-paced steps were confirmed done, however it ended.
    A condition over nothing planned holds (a routine of self-paced steps only
    is judged by those).

    Args:
        planned_timed_seconds: the timed length of the whole routine as planned.
        timed_seconds_done: active seconds spent on timed steps, each step's at
            most its planned length (lingering on one step does not make up for
            skipping others).
        planned_self_paced: how many self-paced steps the routine has.
        self_paced_done: how many of them were confirmed done.
    """
    return at_least_half(timed_seconds_done, planned_timed_seconds) and at_least_half(
        self_paced_done, planned_self_paced
    )


def stored_session_counts(
    status: str,
    planned_timed_seconds: float,
    partial_seconds: float,
    planned_self_paced: int | None,
    timed_seconds_done: float,
    self_paced_done: int,
    steps_done: int,
    steps_known: int,
    seconds_spent: float,
) -> bool:
    """:func:`counts` for a stored session, from the facts its record keeps.

    A session recorded before steps said their kind (``planned_self_paced``
    is ``None``), or imported from such a record, counts when at least half of
    its steps were done. Its steps never reached were not recorded, so
    ``steps_known`` is the most that can be told: the steps recorded, or the
    highest step number reached, whichever is more; a session that did not
    run to its end must also have spent at least half its planned timed
    seconds (``seconds_spent``, all its steps' active time). With no step
    recorded it counts only if it was played to its end (an empty routine).

    The store calls this from SQL (registered as ``session_counts``), so every
    count it makes follows this one rule.
    """
    if planned_self_paced is None:
        if steps_known <= 0:
            return status == "finished"
        if not at_least_half(steps_done, steps_known):
            return False
        # Steps never reached were not recorded: for a session that did not run to
        # its end, its time stands in for them (a routine stopped after its first
        # step is not half done because that one step was).
        return status == "finished" or at_least_half(
            seconds_spent + partial_seconds, planned_timed_seconds
        )
    timed = min(timed_seconds_done + partial_seconds, planned_timed_seconds)
    return counts(
        planned_timed_seconds=planned_timed_seconds,
        timed_seconds_done=timed,
        planned_self_paced=planned_self_paced,
        self_paced_done=self_paced_done,
    )


def done_days(days: Mapping[date, DayActivity]) -> set[date]:
    """The days with a session that counts."""
    return {day for day, activity in days.items() if activity.counted}


def current_streak(done: Collection[date], today: date) -> int:
    """Days in a row with a routine done, ending today, or yesterday if today has none yet.

    A streak is not broken until a whole day has passed without a routine, so
    the evening's routine still to do does not show as a lost streak.
    """
    day = today if today in done else today - timedelta(days=1)
    streak = 0
    while day in done:
        streak += 1
        day -= timedelta(days=1)
    return streak


def longest_streak(done: Iterable[date]) -> int:
    """The most days in a row with a routine done."""
    best = run = 0
    previous: date | None = None
    for day in sorted(done):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def adherence(done: Collection[date], start: date, today: date) -> Adherence:
    """Days with a routine done from ``start`` to ``today``, both included."""
    days = (today - start).days + 1
    return Adherence(start, sum(1 for day in done if start <= day <= today), max(days, 0))


def weeks(days: Mapping[date, DayActivity], first: date, last: date) -> tuple[WeekActivity, ...]:
    """Every ISO week from ``first``'s to ``last``'s, oldest first, empty weeks included."""
    totals: dict[date, list[int]] = {}
    for day, activity in days.items():
        if first <= day <= last:
            total = totals.setdefault(week_start(day), [0, 0, 0])
            total[0] += activity.cramps
            total[1] += activity.sessions
            total[2] += 1 if activity.counted else 0
    result = []
    monday = week_start(first)
    while monday <= last:
        cramps, sessions, stretched = totals.get(monday, (0, 0, 0))
        result.append(WeekActivity(monday, cramps, sessions, stretched))
        monday += timedelta(days=7)
    return tuple(result)


def overview(
    days: Mapping[date, DayActivity], today: date, recent: tuple[SessionInfo, ...]
) -> Overview:
    """Assemble what a history screen shows from the per-day activity."""
    done = done_days(days)
    first = min(days, default=today)
    return Overview(
        today=today,
        days=dict(days),
        weeks=weeks(days, min(first, today), today),
        streak=current_streak(done, today),
        this_week=adherence(done, week_start(today), today),
        this_month=adherence(done, today.replace(day=1), today),
        recent=recent,
        total_sessions=sum(activity.sessions for activity in days.values()),
        total_cramps=sum(activity.cramps for activity in days.values()),
    )


def regular_start(done: Iterable[date]) -> date | None:
    """The day regular stretching began, or ``None`` if it has not.

    That is the first day of the first window of :data:`REGULAR_WINDOW_DAYS`
    days holding a routine done on at least :data:`REGULAR_DAYS` of them.
    """
    ordered = sorted(set(done))
    span = timedelta(days=REGULAR_WINDOW_DAYS - 1)
    end = 0
    for begin, first in enumerate(ordered):
        end = max(end, begin)
        while end + 1 < len(ordered) and ordered[end + 1] - first <= span:
            end += 1
        if end - begin + 1 >= REGULAR_DAYS:
            return first
    return None


def per_week(count: int, days: int) -> float:
    """A count over ``days`` days as a rate per 7 days."""
    return count * 7 / days if days > 0 else 0.0


def most_in_window(moments: Iterable[T], days: int = 7) -> tuple[int, T | None]:
    """The most events within any ``days`` days, and the last event of that window.

    Args:
        moments: dates or datetimes (all of one kind).
        days: the window's length.
    """
    ordered = sorted(moments)
    span = timedelta(days=days)
    best, best_end = 0, None
    begin = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[begin] >= span:
            begin += 1
        if end - begin + 1 > best:
            best, best_end = end - begin + 1, moment
    return best, best_end
