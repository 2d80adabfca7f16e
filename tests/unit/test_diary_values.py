"""What each diary field accepts, and the one-line messages for what it does not."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from stretch_coach.history import diary, times
from stretch_coach.history.errors import EntryError

NOW = datetime(2024, 5, 2, 8, 0, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("45s", 45),
        ("2m", 120),
        ("1m30s", 90),
        ("1:30", 90),
        ("1 min 30 s", 90),
        ("2h", 7200),
        ("24h", 86400),
        (30, 30),
        (2.5, 2.5),
    ],
)
def test_durations_take_the_routine_forms_and_allow_cramps_over_an_hour(text, seconds) -> None:
    assert diary.parse_cramp_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "is not a duration; write it as 90s"),
        ("0", "must be longer than 0"),
        ("25h", "25 h is longer than 24 hours"),
        ("", "is not a duration"),
        (True, "expected a duration"),
    ],
)
def test_bad_durations_say_how_to_write_one(text, message) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        diary.parse_cramp_duration(text)
    assert caught.value.field == "duration"


@pytest.mark.parametrize("text", ["0", "7", "10", " 3 "])
def test_severity_from_0_to_10(text) -> None:
    assert diary.parse_severity(text) == int(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "11 is not from 0 to 10"),
        ("-1", "-1 is not from 0 to 10"),
        ("7.5", "not a whole number"),
        ("bad", "not a whole number"),
        (True, "whole number"),
    ],
)
def test_bad_severities(value, message) -> None:
    with pytest.raises(EntryError, match=message):
        diary.parse_severity(value)


def test_choices_and_symptoms() -> None:
    assert diary.parse_choice("leg", "Left", diary.LEGS) == "left"
    with pytest.raises(EntryError, match="'up' is not one of left, right, both"):
        diary.parse_choice("leg", "up", diary.LEGS)
    assert diary.parse_symptoms(["tingling", "swelling", "tingling"]) == ("swelling", "tingling")
    with pytest.raises(EntryError, match="symptom: 'itching' is not one of"):
        diary.parse_symptoms(["itching"])


def test_notes() -> None:
    assert diary.parse_note("  woke twice  ") == "woke twice"
    assert diary.parse_note("   ") is None
    with pytest.raises(EntryError, match="keep it under 2000"):
        diary.parse_note("x" * 2001)


def test_when_takes_iso_date_times_with_or_without_an_offset() -> None:
    assert times.parse_when("2024-05-01T02:30+02:00", current=NOW) == datetime(
        2024, 5, 1, 2, 30, tzinfo=timezone(timedelta(hours=2))
    )
    assert times.parse_when("2024-05-01 02:30Z", current=NOW).utcoffset() == timedelta(0)
    naive = times.parse_when("2024-05-01T02:30", current=NOW)
    assert naive.tzinfo is not None and (naive.hour, naive.minute) == (2, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "is not a date and time; write it as 2024-05-01T02:30"),
        ("2024-13-01T02:00", "is not a date and time"),
        ("2024-05-01", "has no time of day"),
        ("2024-06-01T02:00+02:00", "is in the future"),
        ("", "no date and time given"),
        ("0001-01-01T00:00", "before 1900|out of the range"),
        ("1899-12-31T23:00", "is before 1900; check the year"),
        ("9999-12-31T23:59+14:00", "in the future|out of the range"),
        ("9999-12-31T23:59-12:00", "out of the range of dates"),
    ],
)
def test_bad_whens(text, message) -> None:
    with pytest.raises(EntryError, match=message):
        times.parse_when(text, current=NOW)


def test_days() -> None:
    assert times.parse_day("2024-05-01", current=NOW.date()) == date(2024, 5, 1)
    with pytest.raises(EntryError, match="is not a date"):
        times.parse_day("May 1st", current=NOW.date())
    with pytest.raises(EntryError, match="in the future"):
        times.parse_day("2024-06-01", current=NOW.date())
    with pytest.raises(EntryError, match="is before 1900"):
        times.parse_day("0001-01-01", current=NOW.date())


@pytest.fixture
def new_york(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_time_without_offset_is_local_time_with_that_days_offset(new_york, require) -> None:
    require(time.tzname == ("EST", "EDT"), "tzdata (America/New_York)")
    winter = times.parse_when("2024-01-15T03:00")
    summer = times.parse_when("2024-07-15T03:00")
    assert times.stamp(winter) == ("2024-01-15T08:00:00+00:00", -300)
    assert times.stamp(summer) == ("2024-07-15T07:00:00+00:00", -240)
    assert times.local(*times.stamp(summer)).hour == 3


@pytest.mark.parametrize(
    ("leg", "muscle", "words"),
    [
        ("left", "calf", "left calf"),
        ("both", "foot", "both feet"),  # never "both foot"
        ("both", "calf", "both calves"),
        ("both", "thigh", "both thighs"),
        ("both", None, "both legs"),
        ("right", None, "right leg"),
        ("both", "other", "both legs (another muscle)"),
        ("left", "other", "left leg (another muscle)"),
        (None, "other", "another muscle"),
        (None, "foot", "foot"),
        (None, None, ""),
    ],
)
def test_where_a_cramp_was_reads_as_english(
    leg: str | None, muscle: str | None, words: str
) -> None:
    assert diary.where_text(leg, muscle) == words


def test_an_entry_for_both_feet_says_so() -> None:
    from stretch_coach.history.model import Cramp

    cramp = Cramp(at=NOW, duration_seconds=120, severity=6, leg="both", muscle="foot", id=3)
    assert diary.describe(cramp) == "#3 2024-05-02 08:00, both feet, 2 min, severity 6"
