"""The library drawn from its index at start; the library itself read on a thread
after the first frame."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList
from tui_helpers import shown, wait_for

from stretch_coach.catalog import LibraryIndex, Listed, listing
from stretch_coach.routine.library import Library
from stretch_coach.settings import CautionLog
from stretch_coach.tui.app import CoachApp
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen

TITLES = ["Bedtime calf stretch", "broken.yaml", "Easy cool-down", "Heel walking"]


class HeldIndex(LibraryIndex):
    """An index whose library is read only when the test lets it (the worker waits here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.loading = threading.Event()

    def load(self) -> Library:
        self.loading.set()
        assert self.release.wait(10), "the test never let the library be read"
        return super().load()


@pytest.fixture
def folders(library_dir: Path) -> list[tuple[Path, str]]:
    return [(library_dir, "library")]


@pytest.fixture
def index(folders: list[tuple[Path, str]]) -> Iterator[HeldIndex]:
    """The test library's index, written by a full load as a previous start would have."""
    assert LibraryIndex(folders).write(Library.from_folders(folders), None)
    held = HeldIndex(folders)
    yield held
    held.release.set()  # never leave the worker waiting


@pytest.fixture
def coach(clock: Any, player: Any) -> Callable[..., CoachApp]:
    def make(library: Library | None, **kwargs: Any) -> CoachApp:
        return CoachApp(
            library,
            clock=clock,
            player_factory=lambda choice, on_problem, ring: player,
            cautions=CautionLog(),
            **kwargs,
        )

    return make


def titles(app: Any) -> list[str]:
    return [row.title for row in app.screen.shown]


async def library_read(pilot: Any, index: HeldIndex) -> None:
    """Let the library be read, and wait until the app has it."""
    app = pilot.app
    await wait_for(pilot, index.loading.is_set, what=lambda: "the library was never asked for")
    index.release.set()
    await app.workers.wait_for_complete()
    await pilot.pause()  # the library's arrival is a message to the app
    assert app.library is not None


async def test_the_list_comes_from_the_index_then_the_preview_from_the_library(
    index: HeldIndex, coach: Callable[..., CoachApp]
) -> None:
    listed = index.read(None)
    assert listed is not None
    app = coach(None, listed=listed, index=index)
    async with app.run_test(size=(100, 30)) as pilot:
        text = await shown(pilot)
        assert app.library is None and isinstance(app.screen, LibraryScreen)
        assert titles(app) == TITLES
        options = app.screen.query_one("#routines", OptionList)
        first, broken = (str(options.get_option_at_index(i).prompt) for i in (0, 1))
        assert "3:05 + self-paced" in first and "bedtime · calf" in first
        assert (
            "line 4: steps[1].hodl: unknown key; did you mean 'hold'?" in broken
        )  # as the loader said
        assert "Loading…" in text and "Lengthen both calves" not in text
        assert app.screen.check_action("start", ()) is True  # Enter says Start already
        await library_read(pilot, index)
        text = await shown(pilot)
        assert "Loading…" not in text
        assert "Lengthen both calves" in text and "3 min 5 s, plus 1 self-paced step" in text
        assert titles(app) == TITLES
        await pilot.press("down")
        assert "This file is not a valid routine" in await shown(pilot)


async def test_enter_before_the_library_is_read_starts_the_routine_once_it_is(
    index: HeldIndex, coach: Callable[..., CoachApp]
) -> None:
    app = coach(None, listed=index.read(None), index=index)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, LibraryScreen) and app.library is None
        await library_read(pilot, index)
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.entry.title == "Easy cool-down"


async def test_a_stale_index_is_put_right_by_the_library_and_rewritten(
    library_dir: Path, folders: list[tuple[Path, str]], coach: Callable[..., CoachApp]
) -> None:
    # A cue sound missing from a sub-folder makes the routine invalid; adding
    # it changes neither the routine file nor its folder, so the index cannot
    # see it: the list is right only once the library has been read.
    sounds = library_dir / "sounds"
    sounds.mkdir()
    (library_dir / "chimes.yaml").write_text(
        "title: Chimes\ncues: {finish: sounds/bell.wav}\nsteps: [{name: Stand, hold: 20}]\n"
    )
    assert LibraryIndex(folders).write(Library.from_folders(folders), None)
    (sounds / "bell.wav").write_bytes(b"RIFF")
    index = HeldIndex(folders)
    listed = index.read(None)
    assert listed is not None and not listed[2].valid  # stale
    app = coach(None, listed=listed, index=index)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("down", "down", "down")  # Easy cool-down, below the stale row
            assert "(invalid)" in await shown(pilot)
            await library_read(pilot, index)
            text = await shown(pilot)
            assert "(invalid)" in text  # broken.yaml still is...
            assert "Chimes" in text and "0:25" in text  # ...Chimes no longer
            assert app.screen.highlighted_row().title == "Easy cool-down"
    finally:
        index.release.set()
    fresh = LibraryIndex(folders).read(None)
    assert fresh == listing(Library.from_folders(folders)) and fresh[2].valid


async def test_a_library_read_at_start_is_kept_in_the_index_for_the_next(
    folders: list[tuple[Path, str]], coach: Callable[..., CoachApp]
) -> None:
    index = LibraryIndex(folders)
    assert index.read(None) is None
    library = index.load()
    app = coach(library, index=index)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: LibraryIndex(folders).read(None) is not None)
        await app.workers.wait_for_complete()
    assert LibraryIndex(folders).read(None) == listing(library)


async def test_without_an_index_nothing_is_written(make_app: Any, hermetic: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert not (hermetic / "cache").exists()


def test_a_coach_needs_a_library_or_an_index() -> None:
    with pytest.raises(ValueError):
        CoachApp(None)


def test_listed_rows_are_what_the_list_needs(library: Library) -> None:
    rows = listing(library)
    assert all(isinstance(row, Listed) for row in rows)
    assert [row.title for row in rows] == TITLES
