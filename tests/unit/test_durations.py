"""Durations in every form the format lists, and the ones it refuses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stretch_coach.routine.durations import (
    DURATION_PATTERN,
    DurationError,
    format_clock,
    format_seconds,
    parse_duration,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        (2.5, 2.5),
        (0, 0.0),
        ("45s", 45.0),
        ("45 s", 45.0),
        ("45sec", 45.0),
        ("2m", 120.0),
        ("2min", 120.0),
        ("1m30s", 90.0),
        ("1 min 30 s", 90.0),
        ("1h", 3600.0),
        ("1:30", 90.0),
        ("0:05", 5.0),
        ("10:00", 600.0),
        ("2.5s", 2.5),
        ("30", 30.0),
        (" 1m 5s ", 65.0),
        ("60:00", 3600.0),
    ],
)
def test_accepts_every_listed_form(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "not a duration"),
        ("soon", "not a duration"),
        ("30 seconds", "not a duration"),
        ("1:75", "not a duration"),
        ("s", "not a duration"),
        ("30s1m", "not a duration"),
        ("-5", "not a duration"),
        (-5, "must not be negative"),
        (3601, "longer than the 1 hour limit"),
        ("1h1s", "longer than the 1 hour limit"),
        ("61:00", "longer than the 1 hour limit"),
        (True, "yes/no value"),
        (None, "got nothing"),
        (float("inf"), "finite"),
        (float("nan"), "finite"),
        ([1], "a list"),
    ],
)
def test_refuses_with_a_reason(value: object, fragment: str) -> None:
    with pytest.raises(DurationError, match=re.escape(fragment)):
        parse_duration(value)


@given(st.integers(min_value=0, max_value=59), st.integers(min_value=0, max_value=59))
def test_colon_and_unit_forms_agree(minutes: int, seconds: int) -> None:
    colon = parse_duration(f"{minutes}:{seconds:02d}")
    units = parse_duration(f"{minutes}m{seconds}s")
    assert colon == units == minutes * 60 + seconds


@given(st.text(max_size=12))
def test_pattern_and_parser_agree(text: str) -> None:
    """The published pattern accepts exactly the text the parser understands."""
    try:
        parse_duration(text)
        parsed = True
    except DurationError as err:
        parsed = "longer than" in str(err)  # the pattern cannot know the 1 h cap
    assert parsed == bool(re.match(DURATION_PATTERN, text) and text.strip())


def test_formatting_for_people() -> None:
    assert format_seconds(45) == "45 s"
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(185) == "3 min 5 s"
    assert format_seconds(3600) == "1 h"
    assert format_clock(0.2) == "0:01"
    assert format_clock(0) == "0:00"
    assert format_clock(90) == "1:30"
    assert format_clock(3725) == "1:02:05"
