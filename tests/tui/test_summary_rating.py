"""At the summary: an optional effort and pain rating (digits), and the repetitions
counted with ``c``, kept with the session."""

from __future__ import annotations

import sqlite3
from typing import Any

from tui_helpers import wait_for

from stretch_coach.history.db import default_path
from stretch_coach.tui.screens.session import SessionScreen
from stretch_coach.tui.screens.summary import SummaryScreen
from stretch_coach.tui.widgets.rating import Rating


def _row() -> tuple[Any, ...]:
    conn = sqlite3.connect(default_path())
    try:
        return tuple(
            conn.execute("SELECT status, effort, pain, reps_counted FROM sessions").fetchone()
        )
    finally:
        conn.close()


async def _to_summary(pilot: Any) -> SummaryScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen), what=lambda: "no session")
    await pilot.press("c", "c", "c", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), what=lambda: "no summary")
    screen = app.screen
    assert isinstance(screen, SummaryScreen)
    return screen


async def test_digits_rate_effort_then_pain_and_both_are_kept(recorded_app: Any) -> None:
    app = recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await _to_summary(pilot)
        rating = summary.query_one(Rating)
        await pilot.press("7", "1")
        assert (rating.values, rating.pending) == ([7, None], "1")  # 1 may become 10
        await pilot.press("0")
        assert rating.values == [7, 10]
        await pilot.press("5")  # both given: a further digit changes nothing
        assert rating.values == [7, 10]
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: _row()[1:3] == (7, 10), what=lambda: str(_row()))
    assert _row() == ("finished", 7, 10, 3)


async def test_backspace_corrects_and_a_lone_one_is_one_on_leaving(recorded_app: Any) -> None:
    app = recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await _to_summary(pilot)
        rating = summary.query_one(Rating)
        await pilot.press("4", "backspace", "2", "1")
        assert (rating.values, rating.pending) == ([2, None], "1")
        await pilot.press("enter")  # back to the library: the 1 is taken
        assert rating.values == [2, 1]
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: _row()[1:3] == (2, 1), what=lambda: str(_row()))


async def test_not_answering_keeps_no_rating(recorded_app: Any) -> None:
    app = recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_summary(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
    for recorder in app.recorders:
        recorder.close()
    assert _row() == ("finished", None, None, 3)
