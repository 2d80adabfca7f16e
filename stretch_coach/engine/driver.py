"""Drives a session on an asyncio loop: sleep to the next deadline, update, repeat.

This is the one scheduling loop of stretch-coach: the Textual app runs it in
an async worker on its own loop, and the plain runner runs it with
:func:`asyncio.run`. It never counts ticks; it asks the session when the next
thing is due and sleeps exactly until then.
"""

from __future__ import annotations

import asyncio

from stretch_coach.engine.clock import Clock
from stretch_coach.engine.events import Event
from stretch_coach.engine.session import Session


class AsyncDriver:
    """Keeps a session up to date until it ends.

    The driver listens to the session: any event (a command jumped, the user
    resumed, a segment began) wakes it to plan its sleep again, so callers
    need not remember to :meth:`poke` after a command. All calls must come
    from the loop's thread.

    Args:
        session: the session to drive.
        clock: the clock the session reads (deadlines are on this clock).
    """

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self._waiter: asyncio.Future[None] | None = None
        session.add_listener(self._on_event)

    def _on_event(self, event: Event) -> None:
        self.poke()

    def poke(self) -> None:
        """Wake the loop early: the schedule may have changed."""
        if self._waiter is not None:
            _wake(self._waiter)

    async def run(self) -> None:
        """Update the session at each deadline until it finishes or is stopped.

        Does not start the session: call :meth:`Session.start` before or while
        this runs (starting wakes the driver).
        """
        session = self.session
        while not session.ended:
            session.update()
            if session.ended:
                break
            deadline = session.next_deadline()
            await self._sleep(None if deadline is None else max(deadline - self.clock.now(), 0.0))

    async def _sleep(self, timeout: float | None) -> None:
        # A bare future and one timer: fewer trips round the loop than
        # wait_for(), and a poke() from any event ends the sleep at once.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        timer = None if timeout is None else loop.call_later(timeout, _wake, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
