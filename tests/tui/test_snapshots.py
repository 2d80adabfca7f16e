"""Snapshots of every screen (pytest-textual-snapshot), made deterministic.

Fixed terminal sizes, the fake clock (time moves only when a test moves it),
a recording player, no blinking cursor, no cue flash in flight, and a fixed
config path on the settings screen. Update with ``pytest --snapshot-update``
after a deliberate change, and look at the report before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import advance, wait_for

from stretch_coach.settings import CautionLog, Settings
from stretch_coach.tui.screens import session as session_screen
from stretch_coach.tui.screens.summary import SummaryScreen

BEDTIME_CAUTION = ("Stop if the stretch causes sharp pain.",)


@pytest.fixture
def library(library_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test routines under a relative folder name, so file names in the picture are stable."""
    from stretch_coach.routine.library import Library

    monkeypatch.chdir(library_dir.parent)
    return Library.from_folders([(Path(library_dir.name), "library")])


@pytest.fixture(autouse=True)
def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cue flash left lit when the picture is taken."""
    monkeypatch.setattr(session_screen, "FLASH_SECONDS", 0.001)


def no_blink(app: Any) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


def test_library(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 30))


def test_library_80x24_filtered_preview(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("slash", *"bed")
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_library_60x20_invalid_routine(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["down"], terminal_size=(60, 20))


def test_caution(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["enter"], terminal_size=(80, 24))


def _bedtime(make_app: Any, library: Any, **kwargs: Any) -> Any:
    CautionLog().acknowledge("bedtime-calf-stretch", BEDTIME_CAUTION)
    return make_app(start=library.get("bedtime-calf-stretch"), **kwargs)


def test_session_running(snap_compare: Any, make_app: Any, library: Any, clock: Any) -> None:
    async def run_before(pilot: Any) -> None:
        # The 5 s get-ready, then 12 s into the first 30 s hold: 0:18 left.
        await advance(pilot, clock, 17)

    assert snap_compare(_bedtime(make_app, library), terminal_size=(80, 24), run_before=run_before)


def test_session_paused(snap_compare: Any, make_app: Any, library: Any, clock: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await advance(pilot, clock, 8)
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(_bedtime(make_app, library), terminal_size=(80, 24), run_before=run_before)


def test_session_self_paced(snap_compare: Any, make_app: Any, library: Any) -> None:
    assert snap_compare(_bedtime(make_app, library), press=["s", "s"], terminal_size=(80, 24))


def test_session_counted_reps_60x20(snap_compare: Any, make_app: Any, library: Any) -> None:
    """Five reps counted, at 60x20.

    The footer does not fit 60 columns: the picture shows it cut after
    "?Help m" (Mute and Voice off are past the edge; ? lists every key).
    """
    app = make_app(start=library.get("heel-walking"))
    assert snap_compare(app, press=["c", "c", "c", "c", "c"], terminal_size=(60, 20))


def test_session_high_contrast(snap_compare: Any, make_app: Any, library: Any, clock: Any) -> None:
    async def run_before(pilot: Any) -> None:
        # The 5 s get-ready, then 25 s into the first hold (left side): 0:05 left.
        await advance(pilot, clock, 30)

    app = _bedtime(make_app, library, settings=Settings(theme="high-contrast"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_stop_question(snap_compare: Any, make_app: Any, library: Any) -> None:
    assert snap_compare(_bedtime(make_app, library), press=["q"], terminal_size=(80, 24))


def test_session_help(snap_compare: Any, make_app: Any, library: Any) -> None:
    assert snap_compare(
        _bedtime(make_app, library), press=["question_mark"], terminal_size=(80, 24)
    )


def test_summary(snap_compare: Any, make_app: Any, library: Any, clock: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await advance(pilot, clock, 40)
        await pilot.press("s", "q", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await pilot.pause()

    assert snap_compare(_bedtime(make_app, library), terminal_size=(80, 24), run_before=run_before)


def test_settings(snap_compare: Any, make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRETCH_COACH_CONFIG_DIR", "/home/you/.config/stretch-coach")
    app = make_app(settings_warning=None)
    assert snap_compare(app, press=["s"], terminal_size=(80, 24))


def test_settings_light_with_broken_file(
    snap_compare: Any, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRETCH_COACH_CONFIG_DIR", "/home/you/.config/stretch-coach")
    warning = (
        "Could not use /home/you/.config/stretch-coach/settings.toml: "
        "theme: 'purple' is not one of "
        "bedtime, dark, light, high-contrast. Using the defaults for what could not be read; "
        "the file is kept as it is, and saving settings will move it aside first."
    )

    async def run_before(pilot: Any) -> None:
        await pilot.press("s")
        await pilot.pause()
        pilot.app.clear_notifications()  # the same warning is on the screen itself
        await pilot.pause()

    app = make_app(settings=Settings(theme="light"), settings_warning=warning)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# -- history, diary and the check-in (local time fixed at UTC+2) -------------


def _history_app(make_app: Any) -> Any:
    from history_helpers import fixed_now, open_history, populate

    with open_history() as store:
        populate(store)
    return make_app(now=fixed_now)


async def _open_history(pilot: Any) -> None:
    await pilot.press("h")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.usefixtures("zone")
@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_history(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(_history_app(make_app), terminal_size=size, run_before=_open_history)


@pytest.mark.usefixtures("zone")
def test_history_empty(snap_compare: Any, make_app: Any) -> None:
    from history_helpers import fixed_now

    assert snap_compare(make_app(now=fixed_now), terminal_size=(80, 24), run_before=_open_history)


def _diary_form(*keys: str) -> Callable[[Any], Awaitable[None]]:
    """Open the diary form (cursor still), then press ``keys``."""

    async def run_before(pilot: Any) -> None:
        await pilot.press("d")
        no_blink(pilot.app)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.usefixtures("zone")
def test_diary_form(snap_compare: Any, make_app: Any) -> None:
    from history_helpers import fixed_now

    assert snap_compare(make_app(now=fixed_now), terminal_size=(80, 24), run_before=_diary_form())


@pytest.mark.usefixtures("zone")
def test_diary_form_problems_60x20(snap_compare: Any, make_app: Any) -> None:
    from history_helpers import fixed_now

    run_before = _diary_form("tab", *"soon", "tab", *"11", "ctrl+s")
    assert snap_compare(make_app(now=fixed_now), terminal_size=(60, 20), run_before=run_before)


@pytest.mark.usefixtures("zone")
def test_red_flag_notice(snap_compare: Any, make_app: Any) -> None:
    from history_helpers import fixed_now

    from stretch_coach.tui.screens.diary import RedFlagNotice

    async def run_before(pilot: Any) -> None:
        await pilot.press("d", "tab", *"12m", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RedFlagNotice))
        pilot.app.clear_notifications()  # the "Saved" toast
        await pilot.pause()

    assert snap_compare(make_app(now=fixed_now), terminal_size=(80, 24), run_before=run_before)


def test_summary_check_in(snap_compare: Any, recorded_app: Any) -> None:

    from stretch_coach.tui.widgets.checkin import CheckIn

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(pilot.app.screen.query(CheckIn)))
        await pilot.pause()

    assert snap_compare(recorded_app(), terminal_size=(80, 24), run_before=run_before)
