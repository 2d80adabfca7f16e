"""Clocks: the one monotonic source of time, a fake one for tests, and a pausable view.

The engine never counts ticks or sleeps to measure time. It reads a clock,
works out where on the plan it is, and asks to be woken at the next deadline.
Tests swap :class:`MonotonicClock` for :class:`FakeClock` and move time by hand.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of monotonic time in seconds."""

    def now(self) -> float:
        """Seconds on a clock that never goes backwards (the origin is arbitrary)."""
        ...


class MonotonicClock:
    """The real clock: :func:`time.monotonic`, which wall-clock changes do not move."""

    def now(self) -> float:
        """Seconds since an arbitrary point, never decreasing."""
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to, for deterministic tests.

    Args:
        start: the time it shows at first.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._t = float(start)

    def now(self) -> float:
        """The time it was last set or advanced to."""
        return self._t

    def advance(self, dt: float) -> None:
        """Move time forward by ``dt`` seconds.

        Raises:
            ValueError: if ``dt`` is negative (a monotonic clock cannot go back).
        """
        if dt < 0:
            raise ValueError("a monotonic clock cannot go backwards")
        self._t += dt

    def set(self, t: float) -> None:
        """Move time forward to ``t``.

        Raises:
            ValueError: if ``t`` is earlier than the current time.
        """
        if t < self._t:
            raise ValueError("a monotonic clock cannot go backwards")
        self._t = float(t)


class PausableClock:
    """Active time: a clock's time minus the time spent paused.

    While paused, :meth:`active` stands still; after :meth:`resume` it carries
    on from exactly where it stopped.

    Args:
        clock: the underlying monotonic clock.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._paused_total = 0.0
        self._paused_since: float | None = None
        # A retroactive pause may not reach back before the last resume, or
        # active time would run backwards.
        self._floor = clock.now()

    @property
    def paused(self) -> bool:
        """Whether active time is standing still."""
        return self._paused_since is not None

    def active(self) -> float:
        """Active seconds: the clock's time minus every pause so far."""
        now = self._paused_since if self._paused_since is not None else self.clock.now()
        return now - self._paused_total

    def pause(self) -> None:
        """Stop active time now (does nothing if already paused)."""
        self.pause_at(self.clock.now())

    def pause_at(self, t: float) -> None:
        """Stop active time as if paused at the earlier clock time ``t``.

        Used when a gap is found after the fact (the process was stopped, the
        computer slept): active time is cut back to the moment the gap began.
        ``t`` is clamped to lie between the last resume and now.
        """
        if self._paused_since is not None:
            return
        self._paused_since = min(max(t, self._floor), self.clock.now())

    def resume(self) -> None:
        """Let active time run again from where it stopped (does nothing if running)."""
        if self._paused_since is None:
            return
        now = self.clock.now()
        self._paused_total += now - self._paused_since
        self._paused_since = None
        self._floor = now
