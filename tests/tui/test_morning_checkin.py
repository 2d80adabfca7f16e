"""Issue 15, section 1: at the day's first start the coach asks "Any cramps last night?"
on the library (once a day, only while last night is unknown); ``n`` records a quiet night."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tui_helpers import library_loaded

from stretch_coach.catalog import LibraryIndex
from stretch_coach.history.store import HistoryStore
from stretch_coach.settings import CautionLog, MorningAsk
from stretch_coach.tui.app import CoachApp
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.widgets.checkin import CheckIn

MORNING = datetime(2026, 11, 13, 8, 0, tzinfo=UTC)
LAST_NIGHT = date(2026, 11, 12)


def _app(
    library_dir: Path, clock: Any, player: Any, asked: MorningAsk, now: datetime = MORNING
) -> CoachApp:
    return CoachApp(
        None,
        listed=(),
        index=LibraryIndex([(library_dir, "library")]),
        clock=clock,
        player_factory=lambda choice, on_problem, ring: player,
        cautions=CautionLog(),
        now=lambda: now,
        morning=asked,
    )


async def _started(app: CoachApp, pilot: Any) -> LibraryScreen:
    await library_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def test_asked_once_a_day_and_n_records_a_quiet_night(
    library_dir: Path, clock: Any, player: Any, tmp_path: Path
) -> None:
    asked = MorningAsk(tmp_path / "asked.json")
    app = _app(library_dir, clock, player, asked)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _started(app, pilot)
        (check_in,) = screen.query(CheckIn)
        assert "Any cramps last night?" in str(check_in.render())
        assert screen.focused is not check_in  # the list keeps the keys
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Recorded: no cramps last night." in str(check_in.render())
    with HistoryStore.open() as store:
        assert store.checked_in_nights() == [LAST_NIGHT]
    assert asked.path.read_text() == '{"last_asked": "2026-11-13"}\n'

    with HistoryStore.open() as store:
        store.undo_check_in(LAST_NIGHT)  # unknown again, but already asked today
    again = _app(library_dir, clock, player, asked)
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await _started(again, pilot)
        assert not screen.query(CheckIn)


async def test_not_asked_when_last_night_is_known(
    library_dir: Path, clock: Any, player: Any, tmp_path: Path
) -> None:
    with HistoryStore.open() as store:
        store.check_in(LAST_NIGHT)
    asked = MorningAsk(tmp_path / "asked.json")
    app = _app(library_dir, clock, player, asked)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _started(app, pilot)
        assert not screen.query(CheckIn)
    assert not asked.path.exists()


async def test_after_midnight_the_night_under_way_is_not_asked_about(
    library_dir: Path, clock: Any, player: Any, tmp_path: Path
) -> None:
    # 00:30 on the 14th: the night of the 13th is still under way (tonight);
    # "last night" is the 12th's, known here, so there is nothing to ask.
    with HistoryStore.open() as store:
        store.check_in(LAST_NIGHT)
    asked = MorningAsk(tmp_path / "asked.json")
    after_midnight = datetime(2026, 11, 14, 0, 30, tzinfo=UTC)
    app = _app(library_dir, clock, player, asked, now=after_midnight)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _started(app, pilot)
        assert not screen.query(CheckIn)
    with HistoryStore.open() as store:
        assert store.checked_in_nights() == [LAST_NIGHT]


async def test_a_damaged_asked_file_never_stops_the_coach(
    library_dir: Path, clock: Any, player: Any, tmp_path: Path
) -> None:
    path = tmp_path / "asked.json"
    path.write_bytes(b'{"last_asked": \xff[[[')
    app = _app(library_dir, clock, player, MorningAsk(path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _started(app, pilot)
        assert len(screen.query(CheckIn)) == 1  # read as "not asked today"
    assert path.read_text() == '{"last_asked": "2026-11-13"}\n'
