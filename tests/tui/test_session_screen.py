"""The session screen, driven with Pilot and a fake clock: every key, cues, the end."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Digits, ProgressBar
from tui_helpers import advance, run_command, shown, wait_for

from stretch_coach.settings import CautionLog
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen
from stretch_coach.tui.screens.summary import SummaryScreen

BEDTIME_CAUTION = ("Stop if the stretch causes sharp pain.",)


@pytest.fixture
def start(make_app: Any, library: Any) -> Any:
    """An app opened straight into a routine's session (caution already read)."""

    def make(routine_id: str = "bedtime-calf-stretch", **kwargs: Any) -> Any:
        CautionLog().acknowledge("bedtime-calf-stretch", BEDTIME_CAUTION)
        return make_app(start=library.get(routine_id), **kwargs)

    return make


def digits(app: Any) -> str:
    return str(app.screen.query_one("#countdown", Digits).value)


def footer_keys(app: Any) -> set[str]:
    return {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}


async def test_shows_the_step_the_side_and_the_countdown(
    start: Any, clock: Any, player: Any
) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        text = await shown(pilot)
        assert "Wall calf stretch" in text and "Get ready · left side (1 of 2)" in text
        assert "Step 1 of 3" in text and "Hands on the wall" in text
        assert digits(app) == "0:05"
        assert "3:05 + 1 self-paced left" in text  # the sheets, at the end
        await advance(pilot, clock, 5)
        text = await shown(pilot)
        assert "Hold · left side (1 of 2) · rep 1 of 2" in text
        assert digits(app) == "0:30"
        assert "Next:" in text
        await advance(pilot, clock, 12)
        assert digits(app) == "0:18"
        assert "2:48 + 1 self-paced left" in await shown(pilot)
        assert "beep" in player.played and "go" in player.played


async def test_each_cue_flashes_the_stage(
    start: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stretch_coach.tui.screens import session as session_module

    monkeypatch.setattr(session_module, "FLASH_SECONDS", 0.2)
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stage = app.screen.query_one("#stage")
        await wait_for(pilot, lambda: not stage.has_class("-cue"))  # the get-ready flash ends
        lit: list[str] = []
        # Record every flash as it happens: a slow machine may not look in time.
        original = app.screen._flash
        monkeypatch.setattr(
            app.screen, "_flash", lambda: (lit.append(app.screen._cue_text), original())
        )
        await advance(pilot, clock, 2)  # 3 s left: the countdown tick
        assert lit == ["3"]
        await advance(pilot, clock, 3)  # 2, 1, then the hold starts: "Go"
        assert lit == ["3", "2", "1", "Go"]
        assert "Go" in str(app.screen.query_one("#status-line").render())
        await wait_for(pilot, lambda: not stage.has_class("-cue"))  # and each flash ends


async def test_space_pauses_and_resumes_and_an_hour_paused_loses_nothing(
    start: Any, clock: Any
) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 10)
        assert digits(app) == "0:25"
        assert "Pause" in footer_keys(app) and "Resume" not in footer_keys(app)
        await pilot.press("space")
        assert app.screen.session.state().status == "paused"
        assert app.screen.has_class("-paused")
        assert "PAUSED" in await shown(pilot)
        assert "Resume" in footer_keys(app) and "Pause" not in footer_keys(app)
        clock.advance(3600)  # an hour in one go: paused, so no gap to explain
        app.screen.driver.poke()
        await pilot.pause()
        app.screen.redraw()  # what its timer would draw now (it has none while paused)
        await pilot.pause()
        assert digits(app) == "0:25"
        await pilot.press("space")
        assert app.screen.session.state().status == "running"
        assert not app.screen.has_class("-paused")
        assert digits(app) == "0:25"
        await advance(pilot, clock, 5)
        assert digits(app) == "0:20"


async def test_n_and_b_move_a_part_s_and_a_a_step_r_restarts(start: Any, clock: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Back step" not in footer_keys(app)  # no step before the first
        # In the get-ready n begins the left side at once ("Start now"), not ends it.
        assert {"Start now", "Skip step", "Back part"} <= footer_keys(app)
        assert "Next part" not in footer_keys(app)
        await pilot.press("n")
        state = app.screen.session.state()
        assert (state.side, state.segment.kind, state.routine_elapsed) == ("left", "hold", 5.0)
        assert "Next part" in footer_keys(app) and "Start now" not in footer_keys(app)
        await pilot.press("n")  # in the hold, the left side ends: the switch to the right
        state = app.screen.session.state()
        assert state.step_index == 0 and state.side == "right"
        assert "Switch sides · right side (2 of 2)" in await shown(pilot)
        await pilot.press("b")  # at once: back to the left side, from its get-ready
        state = app.screen.session.state()
        assert state.side == "left" and state.routine_elapsed == 0.0
        await pilot.press("s")  # the whole step, both sides
        state = app.screen.session.state()
        assert state.step_index == 1 and state.step.name == "Heel raises"
        assert "Step 2 of 3" in await shown(pilot)
        assert "Back step" in footer_keys(app)
        await advance(pilot, clock, 7)
        await pilot.press("r")
        assert app.screen.session.state().step_index == 1
        assert digits(app) == "0:05"  # the step's get-ready again
        await pilot.press("a")
        assert app.screen.session.state().step.name == "Wall calf stretch"
        await pilot.press("N")  # caps lock on: the same key, not another meaning
        assert app.screen.session.state().segment.kind == "hold"
        await pilot.press("S")
        assert app.screen.session.state().step_index == 1


async def test_self_paced_step_waits_for_enter(start: Any, clock: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Done" not in footer_keys(app)
        await pilot.press("s", "s")
        state = app.screen.session.state()
        assert state.step.name == "Loosen your sheets" and state.status == "waiting"
        assert "press Enter when done" in await shown(pilot)
        assert "Done" in footer_keys(app)
        await advance(pilot, clock, 120)
        assert app.screen.session.state().status == "waiting"  # no timer runs out
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        text = await shown(pilot)
        assert "Routine ended, most of it skipped" in text and "Well done" not in text
        assert "Steps done" in text and "1 of 3" in text
        assert "Steps skipped" in text and "2" in text
        # Both timed steps skipped: "finished", but less than half done.
        words = " ".join(text.replace("│", " ").split())  # the panel wraps the line
        assert "You skipped most of this routine, so it isn't counted." in words


async def test_counted_reps_count_with_c(start: Any) -> None:
    app = start("heel-walking")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Count" in footer_keys(app)
        assert digits(app) == "0"
        await pilot.press("c", "c", "c")
        assert digits(app) == "3"
        bar = app.screen.query_one("#step-bar", ProgressBar)
        assert bar.percentage == pytest.approx(3 / 20, abs=0.02)  # the bar counts too
        assert "3 of 20 reps" in await shown(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert "isn't counted" not in await shown(pilot)  # its one self-paced step done


async def test_a_routine_of_self_paced_steps_has_no_clock_running_down(start: Any) -> None:
    app = start("heel-walking")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        left = app.screen.query_one("#routine-left")
        assert str(left.render()).strip() == "1 self-paced left"  # not "0:00 left" from the start
        assert "0:00 left" not in await shown(pilot)
        assert app.screen.query_one("#routine-bar", ProgressBar).percentage == 0.0


async def test_m_mutes_and_v_turns_the_voice_off(
    start: Any, clock: Any, player: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stretch_coach.tui.screens import session as session_module

    monkeypatch.setattr(session_module, "FLASH_SECONDS", 30.0)  # still lit when we look
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # The step's name with its first side is spoken; its instructions do
        # not fit between the tones of a 5 s get-ready, so they stay on screen.
        assert player.said == ["Wall calf stretch, left side"]
        assert {"Mute", "Voice off"} <= footer_keys(app)
        await pilot.press("m")
        assert app.player.muted and "Unmute" in footer_keys(app)
        played = len(player.played)
        await advance(pilot, clock, 5)
        assert len(player.played) == played  # muted: nothing played...
        assert app.screen.query_one("#stage").has_class("-cue")  # ...but still seen
        await pilot.press("m")
        assert not app.player.muted
        await pilot.press("v")
        assert not app.player.voice and "Voice on" in footer_keys(app)
        said = list(player.said)
        await pilot.press("s")  # a new step would be announced
        assert player.said == said
        assert "Heel raises" in await shown(pilot)  # the caption still shows it
        await pilot.press("v")
        assert app.player.voice


async def test_q_asks_and_only_y_stops(start: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        assert "Stop this session?" in await shown(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session.state().status == "running"
        await pilot.press("q", "escape")
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert "Session stopped" in await shown(pilot)


async def test_summary_enter_goes_to_the_library_and_q_quits(start: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q", "y")  # the session dismisses itself; its summary follows
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("enter")  # again, from the library (caution already read)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_routine_that_runs_out_ends_in_its_summary(
    start: Any, clock: Any, player: Any
) -> None:
    app = start("cool-down")
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 63)
        assert "Keep it easy." in await shown(pilot)  # the prompt, shown as well as said
        await advance(pilot, clock, 200, step=2.5)
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        text = await shown(pilot)
        assert "routine finished" in text and "3 of 3" in text
        assert "finish" in player.played


async def test_help_lists_the_session_keys(start: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        text = await shown(pilot)
        for words in ("Pause", "Next", "Restart", "Done", "Count", "Mute", "Voice", "Quit"):
            assert words in text
        await pilot.press("question_mark")
        assert isinstance(app.screen, SessionScreen)


async def test_ctrl_z_pauses_the_session(start: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+z")  # headless: the process is not really stopped
        state = app.screen.session.state()
        assert state.status == "paused" and state.pause_reason == "suspend"
        assert "background" in await shown(pilot)
        app.app_suspend_signal.publish(app)  # any other suspend is a no-op now
        await pilot.press("space")
        assert app.screen.session.state().status == "running"


async def test_the_palette_has_the_session_commands(start: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await run_command(pilot, "Session: Pause")
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session.state().status == "paused"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_terminals_keep_the_countdown_and_step_name(
    start: Any, clock: Any, size: tuple[int, int]
) -> None:
    app = start()
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 5)
        await pilot.resize_terminal(*size)
        await pilot.pause()
        screen = app.screen
        for selector in ("#step-name", "#countdown", "#where", "#status-line"):
            region = screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= size[1] - 1, selector
        assert "Wall calf stretch" in await shown(pilot)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert digits(app) == "0:30"


async def test_quitting_the_app_mid_session_stops_it(start: Any, player: Any) -> None:
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.entry.id == "bedtime-calf-stretch"
        session = app.screen.session
        assert session.state().status == "running"
        await pilot.press("ctrl+q")
    assert session.state().status == "stopped"
    assert player.stops >= 1 and player.closed


async def test_audio_problems_are_shown_once(make_app: Any) -> None:
    class Failing:
        name = "failing"

        def __init__(self, on_problem: Any) -> None:
            self.on_problem = on_problem

        def play(self, sound: Any) -> None:
            self.on_problem("No sound player found; using the bell.")

        def say(self, text: str) -> None: ...
        def stop(self) -> None: ...
        def close(self) -> None: ...

    app = make_app(player_factory=lambda choice, on_problem, ring: Failing(on_problem))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # the cool-down: no caution
        await pilot.pause()
        app.player.play("beep")
        await pilot.pause()
        notes = [n for n in app._notifications if "No sound player" in n.message]
        assert len(notes) == 1


async def test_a_player_that_cannot_be_made_means_silence_not_a_crash(make_app: Any) -> None:
    def factory(choice: str, on_problem: Any, ring: Any) -> Any:
        raise OSError("no audio device")

    app = make_app(player_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.player.name == "unavailable")
        assert any("no audio device" in n.message for n in app._notifications)


def test_next_turnover_is_when_the_first_shown_clock_changes() -> None:
    from stretch_coach.tui.screens.session import next_turnover

    assert next_turnover(12.3) == pytest.approx(0.3)  # 0:13 until 12.0 is passed
    assert next_turnover(12.0) == pytest.approx(1.0)  # 0:12 until 11.0
    assert next_turnover(29.6, 89.75, 179.9) == pytest.approx(0.6)
    assert next_turnover(None, 5.25) == pytest.approx(0.25)  # self-paced: the others decide
    assert next_turnover(0.0, None) is None  # 0:00 stays, and nothing else moves
    assert next_turnover() is None


async def test_the_screen_redraws_when_a_clock_turns_over_and_not_while_paused(
    start: Any, clock: Any
) -> None:
    from stretch_coach.tui.screens.session import REDRAW_MARGIN

    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 5.4)  # 0.4 s into the 30 s hold
        screen = app.screen
        assert digits(app) == "0:30"
        timer = screen._redraw_timer
        assert timer is not None and timer._interval == pytest.approx(0.6 + REDRAW_MARGIN)
        # The engine's clock passes 29 s left with nothing else happening: no
        # event redraws, only the timer does, and it draws the clock's time.
        clock.advance(0.7)
        screen.driver.poke()
        await pilot.pause()
        assert digits(app) == "0:30"
        await wait_for(pilot, lambda: digits(app) == "0:29", timeout=10, what=lambda: digits(app))
        await pilot.press("space")
        assert screen.session.state().status == "paused" and screen._redraw_timer is None
        await pilot.press("space")
        timer = screen._redraw_timer
        assert timer is not None and timer._interval == pytest.approx(0.9 + REDRAW_MARGIN)


async def test_n_in_the_switch_starts_the_other_side_and_loses_none(start: Any, clock: Any) -> None:
    """The trial's case: n in "Switch sides" went straight to step 2, a side lost."""
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n")  # the left side begun, then ended: the switch
        assert "Switch sides · right side (2 of 2)" in await shown(pilot)
        assert "Start now" in footer_keys(app) and "Next part" not in footer_keys(app)
        await advance(pilot, clock, 1)
        await pilot.press("n")
        state = app.screen.session.state()
        assert (state.step_index, state.side, state.segment.kind) == (0, "right", "hold")
        text = await shown(pilot)
        assert "Hold · right side (2 of 2) · rep 1 of 2" in text and "Step 1 of 3" in text
        assert digits(app) == "0:30"
        assert state.steps_skipped == 0
        await pilot.press("question_mark")
        await shown(pilot)
        rows = dict(app.screen.rows)  # the help: one row for n, both of its meanings
        assert rows["n"] == (
            "Start now: cut a get-ready, a switch or a rest between sets short"
            " / Next part: end this side or set (or a one-part step, or a rest)"
        )
