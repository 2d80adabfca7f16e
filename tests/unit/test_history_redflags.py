"""The seeds' reasons to see a doctor: found, quoted, and said once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from stretch_coach.history import redflags
from stretch_coach.history.model import Cramp

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=timezone(timedelta(hours=2)))


def diary(*entries: Cramp) -> list[Cramp]:
    """Entries numbered in order, as the store would save them."""
    return [replace(c, id=n) for n, c in enumerate(entries, start=1)]


def night(days: float, **fields) -> Cramp:
    return Cramp(at=T0 + timedelta(days=days), **fields)


def said(entries: list[Cramp], index: int) -> str | None:
    return redflags.message(redflags.signs_to_say(entries[index], entries))


def test_an_ordinary_cramp_says_nothing() -> None:
    entries = diary(night(0, duration_seconds=120, severity=6, symptoms=("weakness",)))
    assert said(entries, 0) is None


def test_a_cramp_over_ten_minutes_is_named_with_its_length() -> None:
    entries = diary(night(0, duration_seconds=15 * 60))
    assert said(entries, 0) == (
        "This is a reason to see a doctor: the cramp lasted 15 min, longer than 10 minutes, "
        "if exercise didn't ease it."
    )
    assert said(diary(night(0, duration_seconds=10 * 60)), 0) is None


def test_symptoms_and_trouble_walking_are_quoted() -> None:
    entries = diary(night(0, symptoms=("swelling", "numbness", "weakness", "trouble-walking")))
    assert said(entries, 0) == (
        "This is a reason to see a doctor: you noted swelling and numbness with it; "
        "you noted trouble walking or putting weight on the leg."
    )


def test_frequent_cramps_are_said_once_when_the_count_is_reached() -> None:
    entries = diary(night(0), night(2), night(4), night(5), night(6))
    assert said(entries, 0) is None
    assert said(entries, 1) is None
    assert said(entries, 2) == (
        "This is a reason to see a doctor: 3 cramps logged in 7 days: frequent leg cramps "
        "(the sources give no number, this app uses 3)."
    )
    assert said(entries, 3) is None  # still frequent: already said
    assert said(entries, 4) is None


FREQUENT = (
    "This is a reason to see a doctor: 3 cramps logged in 7 days: frequent leg cramps "
    "(the sources give no number, this app uses 3)."
)


def test_frequent_cramps_are_said_again_after_a_quiet_week() -> None:
    entries = diary(night(0), night(1), night(2), night(20), night(21), night(22))
    assert said(entries, 2) == FREQUENT
    assert [said(entries, i) for i in (3, 4)] == [None, None]
    assert said(entries, 5) == FREQUENT


# -- the 7-day window: a cramp exactly 7 days earlier is outside it ------------------------

JUST_UNDER_A_WEEK = 7 - 1 / (24 * 60)  # 6 days 23 h 59 min


def test_the_window_holds_cramps_less_than_7_days_apart() -> None:
    entries = diary(night(0), night(3), night(JUST_UNDER_A_WEEK))
    assert said(entries, 2) == FREQUENT


def test_a_cramp_exactly_7_days_earlier_is_outside_the_window() -> None:
    entries = diary(night(0), night(3), night(7))
    assert said(entries, 2) is None


def test_waking_twice_exactly_7_days_apart_is_not_a_pattern() -> None:
    assert said(diary(night(0, woke=True), night(7, woke=True)), 1) is None
    assert said(diary(night(0, woke=True), night(JUST_UNDER_A_WEEK, woke=True)), 1) == (
        "This is a reason to see a doctor: cramps woke you 2 times in 7 days: "
        "cramps that interfere with your sleep (the sources give no number, this app uses 2)."
    )


def test_a_sign_said_exactly_7_days_earlier_does_not_silence_a_new_one() -> None:
    # Woken on days 0 and 2 (said on day 2), then twice on day 9: the day-2
    # entry is exactly 7 days before, outside the window, so what it said
    # does not hold the new pattern back.
    sleep = (
        "This is a reason to see a doctor: cramps woke you 2 times in 7 days: "
        "cramps that interfere with your sleep (the sources give no number, this app uses 2)."
    )
    entries = diary(*(night(day, woke=True) for day in (0, 2, 9, 9)))
    assert [said(entries, i) for i in range(4)] == [None, sleep, None, sleep]


def test_the_report_window_has_the_same_boundary() -> None:
    apart = redflags.period_signs(diary(night(0), night(3), night(7)))
    assert [s.kind for s in apart] == []
    within = {s.kind: s for s in redflags.period_signs(diary(night(0), night(3), night(6.5)))}
    assert within["frequent"].seen == "up to 3 cramps in 7 days (in the 7 days to 2024-05-07)"


# -- one entry's own signs -------------------------------------------------------------


@pytest.mark.parametrize("symptom", ["swelling", "redness", "numbness", "tingling"])
def test_each_alarm_symptom_alone_is_a_reason(symptom: str) -> None:
    assert said(diary(night(0, symptoms=(symptom,))), 0) == (
        f"This is a reason to see a doctor: you noted {symptom} with it."
    )


def test_weakness_alone_is_recorded_but_is_not_a_reason() -> None:
    assert said(diary(night(0, symptoms=("weakness",))), 0) is None


def test_a_cramp_of_exactly_10_minutes_is_not_long_but_one_second_more_is() -> None:
    assert said(diary(night(0, duration_seconds=600)), 0) is None
    assert said(diary(night(0, duration_seconds=601)), 0) == (
        "This is a reason to see a doctor: the cramp lasted 10 min 1 s, longer than 10 minutes, "
        "if exercise didn't ease it."
    )


def test_cramps_that_wake_twice_in_a_week_are_said_as_spoiling_sleep() -> None:
    entries = diary(night(0, woke=True), night(3), night(10, woke=True), night(12, woke=True))
    assert said(entries, 0) is None
    assert said(entries, 3) == (
        "This is a reason to see a doctor: cramps woke you 2 times in 7 days: "
        "cramps that interfere with your sleep (the sources give no number, this app uses 2)."
    )


def test_a_backdated_entry_counts_only_what_came_before_it() -> None:
    entries = diary(night(5), night(6), night(0))  # the third is logged later, dated earlier
    assert said(entries, 2) is None


def test_period_signs_sum_up_the_report() -> None:
    entries = diary(
        night(0, duration_seconds=25 * 60, symptoms=("tingling",)),
        night(1, woke=True, symptoms=("tingling", "redness")),
        night(2, woke=True),
        night(30, duration_seconds=11 * 60, symptoms=("trouble-walking",)),
    )
    signs = {s.kind: s for s in redflags.period_signs(entries)}
    assert set(signs) == {"long", "symptoms", "walking", "frequent", "sleep"}
    assert signs["long"].advice == (
        "cramps that last longer than 10 minutes and exercise doesn't ease them"
    )
    assert signs["long"].seen == (
        "2 cramps lasted longer than 10 minutes (the longest 25 min, on 2024-05-01)"
    )
    assert signs["long"].last == (T0 + timedelta(days=30)).date()
    assert signs["symptoms"].seen == "noted redness with 1 cramp and tingling with 2 cramps"
    assert signs["frequent"].seen.startswith("up to 3 cramps in 7 days")
    assert signs["frequent"].advice == (
        "frequent leg cramps (3 or more in 7 days: the sources give no number, this app uses 3)"
    )
    assert signs["sleep"].advice == (
        "cramps that interfere with your sleep (2 or more that wake you in 7 days: "
        "the sources give no number, this app uses 2)"
    )
    assert redflags.period_signs(diary(night(0), night(20))) == []
