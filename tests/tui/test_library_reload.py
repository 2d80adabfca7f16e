"""The coach's library follows its folders: a routine changed, added or removed shows
without a restart (a look every few seconds while the library is in view, and
whenever it comes back into view)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from tui_helpers import wait_for

from stretch_coach.tui import app as app_module
from stretch_coach.tui.screens.dialogs import HelpScreen
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen

NEW = "title: Ankle circles\nsteps:\n  - {name: Circles, hold: 10}\n"


def titles(app: Any) -> list[str]:
    screen = app.screen_stack[0]
    assert isinstance(screen, LibraryScreen)
    return [row.title for row in screen.rows]


async def watching(pilot: Any) -> None:
    """Wait until the app watches the library it was given (made on a thread after the
    first frame): a change before that is part of what it read."""
    app = pilot.app
    await wait_for(pilot, lambda: app._watch is not None)


def preview(app: Any) -> str:
    return " ".join(str(w.render()) for w in app.screen_stack[0].query("#preview Static"))


@pytest.fixture
def often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.05)


@pytest.fixture
def never(monkeypatch: pytest.MonkeyPatch) -> None:
    """No look by the clock: only coming back into view looks."""
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 3600.0)


async def test_a_changed_added_and_removed_routine_show_while_the_library_is_open(
    make_app: Any, library_dir: Path, often: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await watching(pilot)
        assert titles(app) == [
            "Bedtime calf stretch",
            "broken.yaml",
            "Easy cool-down",
            "Heel walking",
        ]
        first = app.library
        await pilot.pause(0.3)  # several looks, nothing changed: nothing read again
        assert app.library is first

        path = library_dir / "heel-walking.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("Heel walking", "Heel walk, slowly"),
            encoding="utf-8",
        )
        await wait_for(pilot, lambda: "Heel walk, slowly" in titles(app), what=lambda: titles(app))

        (library_dir / "ankles.yaml").write_text(NEW, encoding="utf-8")
        await wait_for(pilot, lambda: "Ankle circles" in titles(app), what=lambda: titles(app))

        (library_dir / "pack").mkdir()
        (library_dir / "pack" / "toes.yaml").write_text(
            NEW.replace("Ankle circles", "Toe curls"), encoding="utf-8"
        )
        await wait_for(pilot, lambda: "Toe curls" in titles(app), what=lambda: titles(app))

        (library_dir / "broken.yaml").unlink()
        await wait_for(pilot, lambda: "broken.yaml" not in titles(app), what=lambda: titles(app))
        assert titles(app) == [
            "Ankle circles",
            "Bedtime calf stretch",
            "Easy cool-down",
            "Heel walk, slowly",
            "Toe curls",
        ]
        # The entries follow too: the new routine starts.
        entry = app.library.get("ankles")
        assert entry is not None and entry.valid


async def test_a_changed_caution_shows_in_the_preview(
    make_app: Any, library_dir: Path, often: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await watching(pilot)
        assert "Stop if the stretch causes sharp pain." in preview(app)
        path = library_dir / "bedtime-calf-stretch.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "Stop if the stretch causes sharp pain.", "Stop at once if it hurts."
            ),
            encoding="utf-8",
        )
        await wait_for(pilot, lambda: "Stop at once if it hurts." in preview(app))
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one("#preview-caution", Static).display


async def test_coming_back_to_the_library_looks_again(
    make_app: Any, library_dir: Path, never: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await watching(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        (library_dir / "ankles.yaml").write_text(NEW, encoding="utf-8")
        await pilot.pause(0.2)
        assert "Ankle circles" not in titles(app)  # not in view: not looked at
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Ankle circles" in titles(app), what=lambda: titles(app))


async def test_nothing_is_read_again_during_a_session(
    make_app: Any, library_dir: Path, often: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await watching(pilot)
        await pilot.press("down", "down", "enter")  # the cool-down: no caution
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        first = app.library
        (library_dir / "ankles.yaml").write_text(NEW, encoding="utf-8")
        await pilot.pause(0.3)
        assert app.library is first
        assert isinstance(app.screen, SessionScreen)
