"""Fixtures for the Textual tests: hermetic folders, a test library, a fake clock,
a quiet player."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stretch_coach.audio.testing import RecordingPlayer

ROUTINES = Path(__file__).parent / "routines"


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config, data and cache at a temporary folder; no user library from env."""
    home = tmp_path / "home"
    for var, sub in (
        ("STRETCH_COACH_CONFIG_DIR", "config"),
        ("STRETCH_COACH_DATA_DIR", "data"),
        ("STRETCH_COACH_CACHE_DIR", "cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("STRETCH_COACH_LIBRARY", raising=False)
    return home


@pytest.fixture(autouse=True)
def keys_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``pilot.press`` waits for the app to catch up before each key and after the last.

    Textual's own press only guesses when the app is done with a key, and
    guesses wrong on a loaded machine (see ``waits.py``): the keys of one
    ``press`` then reach the app as a burst, and the first key of a test can
    arrive before the first screen is mounted. Snapshot tests' ``press=`` and
    ``run_before`` go through here too.
    """
    from textual.pilot import Pilot
    from waits import press_in_turn

    textual_press = Pilot.press

    async def press(self: Pilot[Any], *keys: str) -> None:
        await press_in_turn(self, textual_press, *keys)

    monkeypatch.setattr(Pilot, "press", press)


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """A copy of the test routines (a folder the tests may add files to)."""
    folder = tmp_path / "routines"
    shutil.copytree(ROUTINES, folder)
    return folder


@pytest.fixture
def library(library_dir: Path) -> Any:
    """Only the test routines: no bundled ones, so the screens are the same on every tree."""
    from stretch_coach.routine.library import Library

    return Library.from_folders([(library_dir, "library")])


@pytest.fixture
def player() -> RecordingPlayer:
    return RecordingPlayer(name="recorder")


@pytest.fixture
def clock() -> Any:
    from stretch_coach.engine.clock import FakeClock

    return FakeClock(1000.0)


@pytest.fixture
def make_app(library: Any, clock: Any, player: RecordingPlayer) -> Iterator[Callable[..., Any]]:
    """Build a CoachApp on the test library, the fake clock and the recording player."""
    from stretch_coach.settings import CautionLog
    from stretch_coach.tui.app import CoachApp

    def make(**kwargs: Any) -> CoachApp:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("player_factory", lambda choice, on_problem, ring: player)
        kwargs.setdefault("cautions", CautionLog())
        return CoachApp(library, **kwargs)

    yield make


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC+2 wherever the tests run: days are counted in local time."""
    from history_helpers import POSIX_ZONE

    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", POSIX_ZONE)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def recorded_app(make_app: Any, library: Any) -> Any:
    """An app straight into heel walking (one self-paced step), its sessions
    recorded in the history."""

    def make(now: Any = None) -> Any:
        """``now``: one wall clock for the app and its recorder (default: the real one)."""
        clock = {"now": now} if now is not None else {}
        return make_app(start=library.get("heel-walking"), record=True, **clock)

    return make
