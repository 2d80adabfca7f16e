"""Helpers shared by the Pilot tests."""

from __future__ import annotations

from typing import Any


async def shown(pilot: Any) -> str:
    """The screen as plain text, once the app has handled what it was sent and drawn it."""
    from waits import settled

    await settled(pilot)  # a pushed screen needs a layout and a paint: waited for, not guessed
    return screen_text(pilot.app)


def screen_text(app: Any) -> str:
    """The screen as plain text, line by line, as a terminal would show it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def advance(pilot: Any, clock: Any, seconds: float, step: float = 1.0) -> None:
    """Move the fake clock on, letting the engine's driver catch up at each step.

    Steps stay under the engine's gap threshold (3 s): a longer jump while
    running looks like a stopped process, and the engine pauses. After each
    step the screen redraws, as its timer would at the moment a shown clock
    turns over (that timer waits on the loop's real time, which a fake clock
    does not move).
    """
    step = min(step, 2.5)
    screen = pilot.app.screen
    left = seconds
    while left > 1e-9:
        dt = min(step, left)
        clock.advance(dt)
        left -= dt
        screen.driver.poke()
        await pilot.pause()  # the driver updates the session; its events are handled
        screen.redraw()
    await pilot.pause()


async def run_command(pilot: Any, text: str) -> None:
    """Open the command palette, type ``text`` and run the best match.

    The palette searches in a worker, restarted at each key: Enter goes once
    the search for the whole text has finished and a match is highlighted.
    """
    from textual.command import CommandInput, CommandList, CommandPalette
    from textual.worker import WorkerState

    await pilot.press("ctrl+p", *text)

    def found() -> bool:
        palette = pilot.app.screen
        if not isinstance(palette, CommandPalette):
            return False
        if palette.query_one(CommandInput).value != text:
            return False
        searching = any(
            worker.group == palette._GATHER_COMMANDS_GROUP
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in pilot.app.workers
        )
        found = palette.query_one(CommandList)
        return not searching and found.option_count > 0 and found.highlighted is not None

    await wait_for(pilot, found)
    await pilot.press("enter")
    await pilot.pause()


async def wait_for(pilot: Any, condition: Any, timeout: float = 20.0, what: Any = None) -> None:
    """Let the app run until ``condition()`` holds (for work done in threads)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting: {what() if what else ''}"
        await pilot.pause(0.02)


async def library_loaded(pilot: Any) -> None:
    """Let the app read its library and finish the work that follows (Today, the trial line)."""
    app = pilot.app
    await wait_for(pilot, lambda: app.library is not None, what=lambda: "no library")
    await app.workers.wait_for_complete()
    await pilot.pause()
