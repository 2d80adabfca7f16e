"""The private Textual API the coach uses, all of it, in one place.

Each call here reaches into something Textual does not promise to keep, for
a reason given with it; ``tests/tui/test_compat.py`` checks every one against
the installed Textual, so an upgrade that changes them fails there, by name,
instead of somewhere in a screen. pyproject.toml keeps Textual to the major
version these were checked with.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.terminal_theme import TerminalTheme
    from textual.app import App
    from textual.binding import Binding
    from textual.dom import DOMNode


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
