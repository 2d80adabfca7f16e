"""Waiting for the app itself, never for the clock.

Textual's ``Pilot.press`` sends its keys one after another with only a guess
in between (it waits while the process *looks* busy, by comparing CPU time
with wall time). On a loaded machine the guess comes back at once, so a key
reaches the app before the one in front of it has had its effect: "q" after
"/" goes to the list, not the filter; "y" after "q" reaches the session, not
the question the "q" asks; "12m" after "d" goes to the library, not the
diary form. :func:`settled` waits until the app has handled everything sent
to it and drawn the result, by looking at the app's own queues; the
``tui/conftest.py`` fixture makes every ``pilot.press`` wait for it before
each key and after the last.

What a thread works out (a diary write, the history's reading) is not a
message yet while the thread runs: wait for its result with
:func:`tui_helpers.wait_for`.
"""

from __future__ import annotations

import time
from typing import Any

#: How many checks in a row must find the app quiet (a timer may fire between two).
QUIET_CHECKS = 2


def busy(app: Any) -> str | None:
    """What the app has still to do before its screen shows what it was sent, or ``None``.

    Every message pump (the app, every screen in the stack and all their
    widgets) must have an empty queue and no callback due, the screen in
    front and its widgets must be mounted, and its layout and paint must be
    done.
    """
    try:
        front = app.screen
    except Exception:  # no screen (yet, or any more)
        return "no screen"
    if not front.is_mounted:
        return f"{type(front).__name__} is not mounted yet"
    if (
        front._layout_required
        or front._scroll_required
        or front._repaint_required
        or front._recompose_required
        or front._dirty_widgets
        or front._callbacks
    ):
        return f"{type(front).__name__} has a layout, a paint or an after-refresh callback to do"
    pumps = [app]
    for screen in app.screen_stack:
        pumps.extend(screen.walk_children(with_self=True))
    for pump in pumps:
        if pump is not app and pump.screen is front and not pump.is_mounted:
            return f"{pump!r} is not mounted yet"
        if pump._message_queue.qsize() or pump._next_callbacks:
            return f"{pump!r} has messages to handle"
    return None


async def settled(pilot: Any, timeout: float = 20.0) -> None:
    """Let the app run until it has handled every message sent to it and drawn the result.

    Returns at once once the app is exiting (or has failed: the test then
    sees the app's exception). A thread's work is not waited for (see the
    module's docstring).

    Raises:
        AssertionError: the app is still busy after ``timeout`` seconds (saying with what).
    """
    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < QUIET_CHECKS:
        if app._exit or app._exception is not None or not app.is_running:
            return
        # The pause waits until the app and the screen in front have handled
        # what was in their queues (a message being handled when we look
        # leaves no trace in a queue), then draws that screen if its update
        # timer has not yet.
        await pilot.pause(0.005)
        doing = None if app._exit else busy(app)
        quiet = quiet + 1 if doing is None else 0
        assert time.monotonic() < deadline, f"the app is still busy: {doing}"


async def press_in_turn(pilot: Any, press: Any, *keys: str) -> None:
    """Press ``keys`` with ``press`` (Textual's own), each once the app has caught up."""
    for key in keys:
        await settled(pilot)
        await press(pilot, key)
    await settled(pilot)
