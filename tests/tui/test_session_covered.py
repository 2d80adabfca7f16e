"""The clock stops while something covers the session (issue 10, section 4).

Help, the quit question, the command palette: while one is open the session
is paused, and it goes on when it closes, unless the person had paused it.
The fake clock moves; nothing sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Digits
from tui_helpers import advance, shown, wait_for

from stretch_coach.settings import CautionLog
from stretch_coach.tui.screens.session import SessionScreen

BEDTIME_CAUTION = ("Stop if the stretch causes sharp pain.",)


@pytest.fixture
def app(make_app: Any, library: Any) -> Any:
    CautionLog().acknowledge("bedtime-calf-stretch", BEDTIME_CAUTION)
    return make_app(start=library.get("bedtime-calf-stretch"))


def left(app: Any) -> tuple[float | None, float]:
    """The time left: in the segment (the countdown) and in the routine."""
    session = next(s for s in app.screen_stack if isinstance(s, SessionScreen)).session
    state = session.state()
    return state.segment_remaining, state.routine_remaining


async def covered_for_three_seconds(pilot: Any, clock: Any, *keys: str) -> None:
    """Press ``keys`` to cover the session, then let three seconds pass, a second at a time."""
    session_screen = pilot.app.screen
    await pilot.press(*keys)
    await wait_for(pilot, lambda: pilot.app.screen is not session_screen)
    for _ in range(3):
        clock.advance(1.0)
        session_screen.driver.poke()
        await pilot.pause()


@pytest.mark.parametrize(
    ("keys", "close"),
    [(("question_mark",), "escape"), (("q",), "x"), (("ctrl+p",), "escape")],
    ids=["help", "quit question", "palette"],
)
async def test_three_seconds_covered_leave_the_time_left_unchanged(
    app: Any, clock: Any, keys: tuple[str, ...], close: str
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 7)  # into the first hold
        before = left(app)
        assert before == (pytest.approx(28.0), pytest.approx(178.0))
        await covered_for_three_seconds(pilot, clock, *keys)
        session = app.screen_stack[-2].session
        assert session.state().status == "paused"
        assert session.state().pause_reason == "covered"
        assert left(app) == before
        await pilot.press(close)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        assert app.screen.session.state().status == "running"  # on again once uncovered
        assert left(app) == before
        await advance(pilot, clock, 2)
        assert left(app) == (pytest.approx(26.0), pytest.approx(176.0))
        assert str(app.screen.query_one("#countdown", Digits).value) == "0:26"


async def test_paused_before_help_stays_paused_after_it(app: Any, clock: Any) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 7)
        await pilot.press("space")
        before = left(app)
        await covered_for_three_seconds(pilot, clock, "question_mark")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        state = app.screen.session.state()
        assert state.status == "paused" and state.pause_reason == "user"
        assert "PAUSED" in await shown(pilot)
        assert left(app) == before


async def test_pausing_from_the_palette_stays_paused(app: Any, clock: Any) -> None:
    from tui_helpers import run_command

    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 7)
        await run_command(pilot, "Session: Pause")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        state = app.screen.session.state()
        assert state.status == "paused" and state.pause_reason == "user"


async def test_a_self_paced_step_is_covered_too(app: Any, clock: Any) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s")  # the self-paced step: waiting for Enter
        assert app.screen.session.state().status == "waiting"
        before = app.screen.session.state().elapsed_active
        await covered_for_three_seconds(pilot, clock, "question_mark")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        state = app.screen.session.state()
        assert state.status == "waiting" and state.elapsed_active == before
