"""The coach's "Today" entry: a followed program with a session due is listed first,
and Enter starts its stage (its routine with the changes), recorded with the program."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from textual.widgets import OptionList
from tui_helpers import library_loaded, wait_for

from stretch_coach.catalog import LibraryIndex
from stretch_coach.history.store import HistoryStore
from stretch_coach.settings import CautionLog
from stretch_coach.tui.app import CoachApp
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen

PROGRAM = """
title: Cool-down, longer
program:
  stages:
    - weeks: 1
      routine: cool-down
    - weeks: 2
      routine: cool-down
      change:
        Easy walking: {duration: 3m}
"""

#: The 12th of November 2026, in the evening: week 2 of a program started on the 2nd.
EVENING = datetime(2026, 11, 12, 21, 0, tzinfo=UTC)


def _app(library_dir: Path, clock: Any, player: Any) -> CoachApp:
    folders = [(library_dir, "library")]
    index = LibraryIndex(folders)
    return CoachApp(
        None,
        listed=(),
        index=index,
        clock=clock,
        player_factory=lambda choice, on_problem, ring: player,
        cautions=CautionLog(),
        now=lambda: EVENING,
    )


async def test_a_program_due_today_is_listed_first_and_enter_starts_its_stage(
    library_dir: Path, clock: Any, player: Any
) -> None:
    (library_dir / "longer.yaml").write_text(PROGRAM, encoding="utf-8")
    with HistoryStore.open() as store:
        store.follow("longer", date(2026, 11, 2))
    app = _app(library_dir, clock, player)
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        first = screen.shown[0]
        assert first.title == "Today: Cool-down, longer"
        assert first.tags == ("week 2 of 3", "1 session due")
        assert screen.query_one("#routines", OptionList).highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        while not isinstance(app.screen, SessionScreen):
            await pilot.press("enter")  # past the caution, if there is one
            await pilot.pause()
        entry = app.screen.entry
        assert entry.program is not None
        assert (entry.program.program_id, entry.program.week, entry.program.stage) == (
            "longer",
            2,
            2,
        )
        walking = [p.step for p in entry.plan if p.step.name == "Easy walking"]
        assert walking and all(step.duration == 180.0 for step in walking)


async def test_nothing_followed_means_no_today_entry(
    library_dir: Path, clock: Any, player: Any
) -> None:
    (library_dir / "longer.yaml").write_text(PROGRAM, encoding="utf-8")
    app = _app(library_dir, clock, player)
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert not any(row.title.startswith("Today") for row in app.screen.shown)


async def test_the_library_says_which_tonight_is_in_a_personal_trial(
    library_dir: Path, clock: Any, player: Any
) -> None:
    from stretch_coach.history.trial import assignment

    with HistoryStore.open() as store:
        store.start_trial(7, date(2026, 11, 11), 28)  # the 12th is its second night
    app = _app(library_dir, clock, player)
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        routines = app.screen.query_one("#routines", OptionList)
        assert assignment(7, 2)[1] == "routine"
        assert str(routines.border_subtitle) == "Trial night 2 of 28: routine"
        # The trial stopped while the coach is open: back at the library, the line goes.
        with HistoryStore.open() as store:
            [trial] = store.trials()
            store.stop_trial(trial, date(2026, 11, 12))
        screen = app.screen
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.screen is not screen, what=lambda: "no help")
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: str(routines.border_subtitle) == "",
            what=lambda: f"still {str(routines.border_subtitle)!r}",
        )


async def test_coming_back_to_the_library_works_out_today_again(
    library_dir: Path, clock: Any, player: Any
) -> None:
    (library_dir / "longer.yaml").write_text(PROGRAM, encoding="utf-8")
    with HistoryStore.open() as store:
        store.follow("longer", date(2026, 11, 2))
    app = _app(library_dir, clock, player)
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.shown[0].title == "Today: Cool-down, longer"
        # What is due changes while another screen covers the library (a
        # session played, here the program given up), and no routine file does.
        with HistoryStore.open() as store:
            store.unfollow("longer")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.screen is not screen, what=lambda: "no help")
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: not any(row.title.startswith("Today") for row in screen.shown),
            what=lambda: f"still {screen.shown[0].title!r}",
        )
