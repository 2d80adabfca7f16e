"""The private Textual API in ``tui/compat.py`` still exists and still does what the coach needs.

A Textual upgrade that renames or changes any of it fails here, by name.
"""

from __future__ import annotations

import errno
import inspect
import io
import signal
import sys
import threading
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from stretch_coach.tui import compat


class _Keys(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        Binding("q", "stop", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("keys")


class _App(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+z", "suspend", "Suspend")]

    def get_default_screen(self) -> Screen[Any]:
        return _Keys()


async def test_own_bindings_are_the_screens_in_order_not_the_apps() -> None:
    app = _App()
    async with app.run_test() as pilot:
        await pilot.pause()
        pairs = compat.own_bindings(app.screen)
    own = [
        (key, b.action, b.description)
        for key, b in pairs
        if b.action in ("pause", "resume", "stop")
    ]
    assert own == [
        ("space", "pause", "Pause"),
        ("space", "resume", "Resume"),
        ("q", "stop", "Quit"),
    ]
    assert all(isinstance(b, Binding) for _, b in pairs)
    assert "suspend" not in [b.action for _, b in pairs]  # the app's are not the screen's


async def test_on_app_thread_tells_the_apps_thread_from_others() -> None:
    app = _App()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert compat.on_app_thread(app)
        elsewhere: list[bool] = []
        thread = threading.Thread(target=lambda: elsewhere.append(compat.on_app_thread(app)))
        thread.start()
        thread.join()
        assert elsewhere == [False]


async def test_the_truecolor_filter_takes_a_terminal_theme() -> None:
    parameters = list(inspect.signature(App._refresh_truecolor_filter).parameters)
    assert parameters == ["self", "theme"]
    app = _App()
    async with app.run_test() as pilot:
        await pilot.pause()
        compat.use_truecolor_theme(app, app.ansi_theme)  # as the theme watcher does: no error


class _Gone(io.StringIO):
    """A terminal that was closed: every write and flush fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")


def test_terminal_output_swallows_a_closed_terminal_and_stops_writing() -> None:
    out = compat.TerminalOutput(_Gone())
    assert out.write("\x1b[?1049l") == len("\x1b[?1049l")  # no raise: the writer thread lives
    assert out.lost
    out.flush()
    good = compat.TerminalOutput(io.StringIO())
    assert good.write("frame") == 5 and not good.lost
    assert good.stream.getvalue() == "frame"  # type: ignore[attr-defined]


async def test_hangup_safe_wraps_the_unix_drivers_output_and_leaves_others_alone() -> None:
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.drivers.linux_driver import LinuxDriver

    assert compat.hangup_safe(HeadlessDriver) is HeadlessDriver
    safe = compat.hangup_safe(LinuxDriver)
    assert issubclass(safe, LinuxDriver)
    # Constructing the driver sets Textual's Ctrl+Z handlers: put the test's back.
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        driver = safe(_App())
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    # The stream its writer thread will be given (LinuxDriver._file).
    assert isinstance(driver._file, compat.TerminalOutput)  # type: ignore[attr-defined]
    assert driver._file.stream is sys.__stderr__  # type: ignore[attr-defined]


class _Footed(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        from textual.widgets import Footer

        yield Footer(compact=True, show_command_palette=False)


async def test_a_footers_keys_can_be_read_and_it_knows_when_it_has_them() -> None:
    from textual.widgets import Footer

    app = _Footed()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        assert compat.footer_ready(footer)
        labels = [compat.footer_key_label(child) for child in footer.children]
        assert labels == ["q Quit"]
        assert compat.footer_key_label(footer) is None  # not a key


class _Progress(App[None]):
    def compose(self) -> ComposeResult:
        from textual.widgets import ProgressBar

        yield ProgressBar(total=10, show_eta=False, show_percentage=False)


async def test_a_progress_bar_draws_with_the_bar_the_session_subclasses() -> None:
    from textual.widgets import ProgressBar

    app = _Progress()
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        bar = app.query_one(ProgressBar)
        assert [type(child) for child in bar.children] == [compat.ProgressBarBar]
        bar.update(progress=5)
        await pilot.pause()
        assert bar.children[0].percentage == 0.5  # type: ignore[attr-defined]


class _Ticks(App[None]):
    def compose(self) -> ComposeResult:
        from stretch_coach.tui.widgets.ticks import TickBox, TickList

        yield TickBox("woke", id="box")
        yield TickList(("swelling", "swelling"), ("redness", "redness", True), id="list")


async def test_a_box_shows_its_x_only_when_ticked() -> None:
    # SelectionList draws its button as the line's first three segments, the X
    # in the middle; blank_selection_button relies on it.
    from textual.widgets import Checkbox, SelectionList

    app = _Ticks()
    async with app.run_test() as pilot:
        await pilot.pause()
        choices = app.query_one("#list", SelectionList)
        assert [choices.render_line(y).text[:5] for y in (0, 1)] == ["▐ ▌ s", "▐X▌ r"]
        box = app.query_one("#box", Checkbox)
        assert box.render().plain.startswith("▐ ▌")
        box.value = True
        choices.deselect("redness")
        await pilot.pause()
        assert box.render().plain.startswith("▐X▌")
        assert [choices.render_line(y).text[:5] for y in (0, 1)] == ["▐ ▌ s", "▐ ▌ r"]
