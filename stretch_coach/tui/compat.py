"""The private Textual API the coach uses, all of it, in one place.

Each call here reaches into something Textual does not promise to keep, for
a reason given with it; ``tests/tui/test_compat.py`` checks every one against
the installed Textual, so an upgrade that changes them fails there, by name,
instead of somewhere in a screen. pyproject.toml keeps Textual to the major
version these were checked with.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.terminal_theme import TerminalTheme
    from textual.app import App
    from textual.binding import Binding
    from textual.dom import DOMNode
    from textual.driver import Driver
    from textual.strip import Strip
    from textual.widgets import _progress_bar

    #: The bar inside Textual's ProgressBar (private to Textual): the session's
    #: LineBar is one, drawn by the line API (the same CSS, component classes
    #: and percentage). Imported when first asked for (see ``__getattr__``).
    ProgressBarBar = _progress_bar.Bar


def __getattr__(name: str) -> Any:
    """``ProgressBarBar``, imported only when the session screen is.

    The library's first frame does not wait for Textual's progress bar module.
    """
    if name == "ProgressBarBar":
        from textual.widgets._progress_bar import Bar

        return Bar
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def own_bindings(node: DOMNode) -> list[tuple[str, Binding]]:
    """``(key, binding)`` for each of ``node``'s own bindings, in order.

    The command palette offers a screen's own commands; ``active_bindings``
    would add the app's and the focused widget's, which are not the screen's.
    """
    return list(node._bindings)


def on_app_thread(app: App[Any]) -> bool:
    """Whether the caller runs on ``app``'s own thread (where ``call_from_thread`` refuses)."""
    return threading.get_ident() == app._thread_id


def use_truecolor_theme(app: App[Any], theme: TerminalTheme) -> None:
    """Give ``app``'s ANSI-to-truecolor filter ``theme``'s colours.

    What Textual's theme watcher does when a theme is set; the coach sets its
    theme before any CSS is parsed, without the watcher, to save the first
    frame a second parse of the CSS.
    """
    app._refresh_truecolor_filter(theme)


class TerminalOutput:
    """The terminal stream Textual's writer thread writes to, made safe from a hang-up.

    Textual writes every frame from one thread; when the terminal is closed a
    write fails with EIO, that thread dies, and once its queue of 30 writes
    is full the app blocks for ever on the next frame (and never records how
    the session ended). Here a failed write sends the descriptor to the null
    device (so every later write, Textual's own on the way out included,
    goes nowhere quietly) and is otherwise forgotten: the app ends through
    its signal handler, as after any SIGHUP.

    Args:
        stream: the stream Textual chose (standard error).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        #: Whether a write failed (the terminal is gone).
        self.lost = False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                return self.stream.write(text)
            except (OSError, ValueError):
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self._lose()

    def _lose(self) -> None:
        from stretch_coach.outputs import silence

        self.lost = True
        silence(self.stream)

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def hangup_safe(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class``, writing through :class:`TerminalOutput` if it is Textual's Unix driver.

    Reaches into ``LinuxDriver._file``, the stream its writer thread is
    given when application mode starts. Any other driver (Windows, a
    headless test's) is returned as it is.
    """
    try:
        from textual.drivers.linux_driver import LinuxDriver
    except ImportError:  # pragma: no cover - Windows has no termios
        return driver_class
    if not issubclass(driver_class, LinuxDriver):
        return driver_class
    base: type[LinuxDriver] = driver_class

    class HangupSafeDriver(base):  # type: ignore[valid-type,misc]
        """Textual's Unix driver, whose output survives the terminal going away."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            stream: Any = self.__dict__["_file"]  # standard error, set by the base class
            self._file = TerminalOutput(stream)

    return HangupSafeDriver


def footer_key_label(widget: object) -> str | None:
    """What a footer shows for one key (``space Pause``), or ``None`` if ``widget`` is no key.

    The footer's key widget is private to Textual; the coach's footer measures
    each key to show only those that fit whole.
    """
    from textual.widgets._footer import FooterKey

    if not isinstance(widget, FooterKey):
        return None
    return (
        f"{widget.key_display} {widget.description}" if widget.description else widget.key_display
    )


def footer_ready(footer: object) -> bool:
    """Whether a Textual footer has its screen's bindings yet (before that, it shows nothing)."""
    return bool(getattr(footer, "_bindings_ready"))  # noqa: B009 - private, checked in test_compat


def blank_selection_button(strip: Strip) -> Strip:
    """A SelectionList line with its button's ``X`` blanked (the line of an option not chosen).

    SelectionList draws every option's button with an ``X``, chosen or not,
    told apart by colour alone: in a dim room, or without colour, every box
    reads as ticked. Its ``render_line`` puts the button first, as three
    segments (``▐``, ``X``, ``▌``); the middle one is blanked here, its style kept.
    """
    from rich.segment import Segment
    from textual.strip import Strip
    from textual.widgets._toggle_button import ToggleButton

    segments = list(strip)
    if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
        return strip
    inner = segments[1]
    segments[1] = Segment(" " * len(inner.text), inner.style, inner.control)
    return Strip(segments, strip.cell_length)
