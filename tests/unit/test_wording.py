"""Wording that reads right: times one way, runs over the plan, a caution wrapped at words."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.plain.view import PlainView
from stretch_coach.timeline import Timeline
from stretch_coach.words import left_text, time_against_plan, total_text


@pytest.mark.parametrize(
    ("done", "planned", "text"),
    [
        (25.0, 30.0, "0:25 of 0:30"),
        (30.0, 30.0, "0:30 of 0:30"),
        (30.4, 30.0, "0:30 of 0:30"),  # a clock rounds up: 0:31 would read as over
        (31.0, 30.0, "0:31, ran over 0:30"),
        (43.0, 30.0, "0:43, ran over 0:30"),
        (43.0, 0.0, "0:43"),  # nothing timed planned: a self-paced routine
        (3.2, 150.0, "0:03 of 2:30"),  # time spent rounds to the nearest second,
        (22.5, 150.0, "0:22 of 2:30"),  # half to even,
        (27.6, 0.0, "0:28"),
        (0.3, 30.0, "0:00 of 0:30"),  # not up, as a countdown's clock does
    ],
)
def test_time_against_the_plan(done: float, planned: float, text: str) -> None:
    assert time_against_plan(done, planned) == text


def test_a_self_paced_routine_has_no_zero_seconds() -> None:
    assert total_text(0.0, 1) == "1 self-paced step"
    assert total_text(4.25, 1) == "4.2 s, plus 1 self-paced step"


def test_a_caution_wraps_at_words_on_a_terminal(
    make_timeline: Callable[..., Timeline], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    monkeypatch.setattr(
        shutil, "get_terminal_size", lambda fallback=(80, 24): os.terminal_size((42, 24))
    )
    timeline = make_timeline("title: T\nsteps:\n  - name: Loosen your sheets\n")
    out = io.StringIO()
    view = PlainView(Session(timeline, FakeClock(0.0)), out, live=True, terminal_keys=True)
    view.wrapped(
        "See a doctor if cramps come with swelling, redness, numbness or tingling.",
        "Caution: ",
        "  ",
    )
    assert (
        out.getvalue().splitlines()[0].split("\r")[0] == "Caution: See a doctor if cramps come with"
    )
    lines = out.getvalue().replace("\r\x1b[K", "\n").splitlines()
    assert "  swelling, redness, numbness or" in lines and "  tingling." in lines
    logged = io.StringIO()
    PlainView(Session(timeline, FakeClock(0.0)), logged, live=False, terminal_keys=False).wrapped(
        "One  line\n for a log.", "Caution: ", "  "
    )
    assert logged.getvalue() == "Caution: One line for a log.\n"


@pytest.mark.parametrize(
    ("status", "counts", "line"),
    [
        ("finished", True, "Finished: 0:28 of 0:30"),
        (
            "finished",
            False,
            "Finished: 0:28 of 0:30; less than half of it was done, so it isn't counted",
        ),
        ("stopped", True, "Stopped after 0:28 of 0:30; at least half of it was done, so it counts"),
        (
            "stopped",
            False,
            "Stopped after 0:28 of 0:30; less than half of it was done, so it isn't counted",
        ),
    ],
)
def test_the_plain_runners_last_line_says_whether_it_counts(
    make_timeline: Callable[..., Timeline], status: str, counts: bool, line: str
) -> None:
    from types import SimpleNamespace

    from stretch_coach.engine import events as ev

    timeline = make_timeline("title: T\nsteps:\n  - {name: Calf, hold: 30, prepare: 0}\n")
    out = io.StringIO()
    view = PlainView(Session(timeline, FakeClock(0.0)), out, live=False, terminal_keys=False)
    # The tally's time spent (the history's figure), not the engine's clock (0 here).
    view.tally = SimpleNamespace(counts=counts, seconds=27.6)
    view(ev.Ended(status))  # type: ignore[arg-type]
    assert out.getvalue() == line + "\n"


def test_counts_of_one_are_singular() -> None:
    from stretch_coach.commands.history import _record_counts

    assert _record_counts(1, 1, 0) == "1 session and 1 diary entry"
    assert _record_counts(2, 3, 1) == "2 sessions, 3 diary entries and 1 check-in"


@pytest.mark.parametrize(
    ("remaining", "self_paced", "timed", "text"),
    [
        (150.0, 0, True, "2:30 left"),
        (0.0, 0, True, "0:00 left"),
        (45.2, 2, True, "0:46 + 2 self-paced left"),
        (0.0, 2, True, "0:00 + 2 self-paced left"),  # the trial's cool-down, step 4 of 5
        (0.0, 3, False, "3 self-paced left"),
        (0.0, 0, False, "0:00 left"),
    ],
)
def test_what_is_left_counts_the_self_paced_steps(
    remaining: float, self_paced: int, timed: bool, text: str
) -> None:
    assert left_text(remaining, self_paced, timed=timed) == text


def test_the_session_knows_the_self_paced_steps_left(
    make_timeline: Callable[..., Timeline], example_yaml: str
) -> None:
    # The worked example: two timed steps, then one self-paced ("Loosen your sheets").
    session = Session(make_timeline(example_yaml), FakeClock(0.0))
    session.start()
    assert session.state().self_paced_left == 1
    session.next_step()
    session.next_step()
    assert session.state().self_paced_left == 1  # the self-paced step under way is still to do
    session.done()
    assert session.state().self_paced_left == 0
