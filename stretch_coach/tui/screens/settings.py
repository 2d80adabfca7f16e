"""Settings: audio backend, voice, a test sound, prepare time and theme.

Every change applies at once and is saved at once (atomically). When the
settings file could not be read at start, a banner says so, and the first save
moves that file aside instead of overwriting it (the app says where).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Select, Static, Switch

from stretch_coach.audio.base import Player
from stretch_coach.settings import AUDIO_CHOICES, Settings
from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.themes import THEME_LABELS

#: Makes a player for the test sound: ``(choice, on_problem, ring) -> Player``.
MakePlayer = Callable[[str, Callable[[str], None], Callable[[], None] | None], Player]

AUDIO_LABELS = {
    "auto": "Automatic (a sound player, else the terminal bell)",
    "playsound3": "Sound player only (playsound3)",
    "bell": "Terminal bell",
    "none": "None (cues on screen only)",
}
PREPARE_CHOICES: tuple[float, ...] = (0, 3, 5, 10, 15, 20, 30)
#: How long the test waits to see a player start (a first play probes the backends).
TEST_LISTEN_SECONDS = 5.0


def prepare_options(current: float | None) -> list[tuple[str, Any]]:
    """The prepare choices, with the current value among them even if unusual."""
    values = sorted({*PREPARE_CHOICES, *([current] if current is not None else [])})
    options: list[tuple[str, Any]] = [("Each routine's own", "routine")]
    options += [
        (f"{v:g} s before every timed step" if v else "None (start at once)", v) for v in values
    ]
    return options


class SettingsScreen(Screen[None]):
    """The settings form: each change is posted to the app as :class:`Changed`.

    Args:
        settings: the saved settings (the form never shows the command line's).
        path: where they are saved.
        warning: why the settings file could not be used, if it could not.
        make_player: makes a player for the test sound.
    """

    CSS_PATH = SCREENS_CSS

    class Changed(Message):
        """The person changed a setting: apply ``settings`` and save them."""

        def __init__(self, settings: Settings, form: SettingsScreen) -> None:
            super().__init__()
            self.settings = settings
            self.form = form

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("t", "test_sound", "Test sound"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        path: Path,
        warning: str | None = None,
        make_player: MakePlayer,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.path = path
        self.warning = warning
        self.make_player = make_player

    def compose(self) -> ComposeResult:
        settings = self.settings
        yield Header()
        with VerticalScroll(id="settings-form"):
            if self.warning:
                # It quotes the settings file: text, never markup.
                yield Static(self.warning, id="settings-warning", markup=False)
            yield Label("Audio", classes="setting-label")
            yield Select(
                [(AUDIO_LABELS[c], c) for c in AUDIO_CHOICES],
                value=settings.audio,
                allow_blank=False,
                compact=True,
                id="audio",
            )
            with Horizontal(classes="setting-row"):
                yield Button("Play a test sound", id="test-sound", compact=True)
                yield Static(id="test-result", markup=False)  # a player's error, as it said it
            with Horizontal(classes="setting-row"):
                yield Switch(value=settings.voice, id="voice")
                yield Label("Voice: speak step names and prompts", classes="switch-label")
            yield Label("Get-ready time", classes="setting-label")
            yield Select(
                prepare_options(settings.prepare),
                value="routine" if settings.prepare is None else settings.prepare,
                allow_blank=False,
                compact=True,
                id="prepare",
            )
            yield Label("Theme", classes="setting-label")
            yield Select(
                [(label, name) for name, label in THEME_LABELS.items()],
                value=settings.theme,
                allow_blank=False,
                compact=True,
                id="theme",
            )
            yield Static(
                Content.styled(f"Saved in {self.path}", "dim"),
                id="settings-path",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.title = "stretch-coach"
        self.sub_title = "Settings"
        self.query_one("#audio", Select).focus()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        settings = self.settings
        value = event.value
        if event.select.id == "audio" and value != settings.audio:
            self._change(replace(settings, audio=str(value)))
        elif event.select.id == "theme" and value != settings.theme:
            self._change(replace(settings, theme=str(value)))
        elif event.select.id == "prepare":
            prepare = None if value == "routine" else float(value)  # type: ignore[arg-type]
            if prepare != settings.prepare:
                self._change(replace(settings, prepare=prepare))

    @on(Switch.Changed, "#voice")
    def _voice_changed(self, event: Switch.Changed) -> None:
        if event.value != self.settings.voice:
            self._change(replace(self.settings, voice=event.value))

    def _change(self, settings: Settings) -> None:
        self.settings = settings
        self.post_message(self.Changed(settings, self))

    def warning_resolved(self) -> None:
        """The settings were saved: the broken file's warning no longer applies."""
        self.warning = None
        self.query("#settings-warning").remove()

    @on(Button.Pressed, "#test-sound")
    def _test_pressed(self) -> None:
        self.action_test_sound()

    def action_test_sound(self) -> None:
        self.query_one("#test-result", Static).update("Playing…")
        self._test_sound(self.settings.audio)

    @work(thread=True, exclusive=True, group="test-sound")
    def _test_sound(self, choice: str) -> None:
        """Make a player for ``choice``, play a chime, and report what really happened."""
        from stretch_coach.routine.model import Sound

        problems: list[str] = []
        rang = threading.Event()

        def on_problem(text: str) -> None:
            problems.append(text)

        def ring() -> None:
            rang.set()
            self.app.call_from_thread(self.app.bell)

        player = self.make_player(choice, on_problem, ring)
        try:
            started = _play_and_watch(player, Sound("chime"), problems, rang)
            if not started and getattr(player, "switched", False):
                # The sound player failed and the bell took over: try the bell too.
                started = _play_and_watch(player, Sound("chime"), [], rang)
        finally:
            player.close()
        self.app.call_from_thread(
            self._report, _test_report(choice, player, started, problems, rang.is_set())
        )

    def _report(self, text: str) -> None:
        self.query_one("#test-result", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)


def _play_and_watch(
    player: Any, sound: Any, problems: list[str], rang: threading.Event
) -> bool | None:
    """Play ``sound`` and watch until a program is seen running, the bell rings, or a problem.

    Returns:
        True when a player program was seen running (or the bell rang), False
        when a problem was reported, None when neither could be seen in time
        (a player that does not say how many sounds it has playing).
    """
    if getattr(player, "name", "") == "none":
        return False
    player.play(sound)
    deadline = time.monotonic() + TEST_LISTEN_SECONDS
    while time.monotonic() < deadline:
        active = getattr(player, "active", player)  # a fallback pair plays through one of two
        if rang.is_set() or getattr(active, "live_count", 0) > 0:
            return True
        if problems:
            return False
        time.sleep(0.01)
    return False if problems else None


def _test_report(
    choice: str, player: Any, started: bool | None, problems: list[str], rang: bool
) -> str:
    """What the test sound did, without claiming more than is known."""
    if choice == "none":
        return "Audio is set to none: nothing was played."
    if rang:
        note = f" ({problems[-1]})" if problems else ""
        return f"Rang the terminal bell{note}. Whether you hear it depends on your terminal."
    if started:
        return f"A player ran: {player.name} played the chime."
    if problems:
        return f"No sound: {problems[-1]}"
    if started is None and getattr(player, "name", "") not in ("none", "unavailable"):
        return f"Sent the chime to {player.name}, but could not see a player start."
    return "No sound: no player ran."
