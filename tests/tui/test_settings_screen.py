"""The settings screen: every change applies and is saved; a broken file is never lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Select, Static, Switch
from tui_helpers import shown, wait_for

from stretch_coach.settings import Settings, load_settings, open_settings, settings_path
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.settings import SettingsScreen


async def open_settings_screen(pilot: Any) -> SettingsScreen:
    await pilot.press("s")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def choose(pilot: Any, select_id: str, downs: int) -> None:
    """Pick an option of a Select with the keyboard: focus, open, move, choose."""
    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: select.expanded)  # the list is open before the arrows
    await pilot.press(*["down"] * downs, "enter")
    await wait_for(pilot, lambda: not select.expanded)


async def test_s_opens_settings_and_escape_goes_back(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings_screen(pilot)
        text = await shown(pilot)
        for words in ("Audio", "Play a test sound", "Voice", "Get-ready time", "Theme"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_theme_changes_at_once_and_is_saved(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "stretch-bedtime"
        await open_settings_screen(pilot)
        await choose(pilot, "theme", 3)  # bedtime, dark, light, high contrast
        assert app.theme == "stretch-high-contrast"
    assert load_settings() == (Settings(theme="high-contrast"), None)


async def test_voice_switch_is_saved_and_applies_to_the_player(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings_screen(pilot)
        app.screen.query_one("#voice", Switch).focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.player.voice is False
    assert load_settings()[0].voice is False


async def test_prepare_override_is_saved_and_changes_the_library(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_settings_screen(pilot)
        await choose(pilot, "prepare", 1)  # "None (start at once)"
        assert app.settings.prepare == 0
        await pilot.press("escape")
        assert "your setting" in await shown(pilot)
        assert "2:25" in await shown(pilot)
    assert load_settings()[0].prepare == 0


async def test_audio_choice_is_saved_and_a_new_player_is_made(make_app: Any, player: Any) -> None:
    choices: list[str] = []

    def factory(choice: str, on_problem: Any, ring: Any) -> Any:
        choices.append(choice)
        return type(player)(name=choice)

    app = make_app(player_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_settings_screen(pilot)
        await choose(pilot, "audio", 2)  # auto, playsound3, bell
        await wait_for(
            pilot,
            lambda: app.player.name == "bell",
            what=lambda: (choices, app.settings, app.player.name),
        )
    assert choices == ["auto", "bell"]
    assert load_settings()[0].audio == "bell"


async def test_command_line_audio_is_not_saved(make_app: Any) -> None:
    app = make_app(audio_override="none", voice_override=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.player.voice is False
        await open_settings_screen(pilot)
        await choose(pilot, "theme", 1)
    assert load_settings()[0] == Settings(theme="dark")


async def test_broken_file_warns_and_is_moved_aside_on_first_change(
    make_app: Any, hermetic: Path
) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("theme = 'purple'\n")
    settings, file, warning = open_settings()
    app = make_app(settings=settings, settings_file=file, settings_warning=warning)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any("'purple' is not one of" in n.message for n in app._notifications)
        assert path.read_text() == "theme = 'purple'\n"  # starting never writes
        await open_settings_screen(pilot)
        assert "saving settings will move it aside" in await shown(pilot)
        await choose(pilot, "theme", 1)
        await pilot.pause()
        assert any("kept as" in n.message for n in app._notifications)
        assert not app.screen.query("#settings-warning")
    aside = [p for p in path.parent.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and aside[0].read_text() == "theme = 'purple'\n"
    assert load_settings() == (Settings(theme="dark"), None)


async def test_unwritable_settings_say_so(make_app: Any, hermetic: Path) -> None:
    config = settings_path().parent
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("not a folder")  # the config folder cannot be made
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings_screen(pilot)
        await choose(pilot, "theme", 1)
        await pilot.pause()
        assert any("Could not save settings" in n.message for n in app._notifications)
        assert app.theme == "textual-dark"  # it still applies for this run


async def test_test_sound_tells_the_truth(make_app: Any) -> None:
    class Bell:
        name = "bell"

        def __init__(self, ring: Any) -> None:
            self.ring = ring

        def play(self, sound: Any) -> None:
            self.ring()

        def say(self, text: str) -> None: ...
        def stop(self) -> None: ...
        def close(self) -> None: ...

    class Failing(Bell):
        name = "playsound3 (aplay)"

        def __init__(self, on_problem: Any) -> None:
            self.on_problem = on_problem

        def play(self, sound: Any) -> None:
            self.on_problem("Sound player aplay failed (exit status 1)")

    class Running(Bell):
        name = "playsound3 (aplay)"
        live_count = 0

        def __init__(self) -> None:
            pass

        def play(self, sound: Any) -> None:
            self.live_count = 1

    def factory(choice: str, on_problem: Any, ring: Any) -> Any:
        from stretch_coach.audio.base import NullPlayer

        return {
            "bell": lambda: Bell(ring),
            "playsound3": lambda: Failing(on_problem),
            "auto": lambda: Running(),
            "none": lambda: NullPlayer(),
        }[choice]()

    app = make_app(player_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings_screen(pilot)
        result = screen.query_one("#test-result", Static)
        for downs, expect in (
            (0, "A player ran: playsound3 (aplay) played the chime."),
            (1, "No sound: Sound player aplay failed (exit status 1)"),
            (1, "Rang the terminal bell"),
            (1, "Audio is set to none: nothing was played."),
        ):
            if downs:
                await choose(pilot, "audio", downs)
            await pilot.press("t")
            await wait_for(pilot, lambda expect=expect: expect in str(result.render()))
