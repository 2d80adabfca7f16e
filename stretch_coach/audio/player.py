"""Players for cue sounds: a sound program (playsound3), the terminal bell, or nothing.

:func:`make_player` chooses one for ``--audio`` (or the settings). Every
player's :meth:`~stretch_coach.audio.base.Player.play` returns at once.
Problems reach the user through the ``on_problem`` callback, at most once per
player, as one line of text; it may be called from a background thread, so a
UI must hand the message over to its own thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Final

from stretch_coach.audio.backend import NO_PLAYER, Playsound3Player, available_backends
from stretch_coach.audio.base import BasePlayer, NullPlayer, OnProblem
from stretch_coach.audio.voice import Voice
from stretch_coach.routine.model import Sound

logger = logging.getLogger(__name__)

#: The values of ``--audio``.
AUDIO_CHOICES: Final = ("auto", "playsound3", "bell", "none")
#: What :class:`FallbackPlayer` adds to a problem when it switches to the bell.
USING_BELL: Final = "using the terminal bell"


class TerminalBell:
    """Rings the terminal bell: on the controlling terminal, else on stderr if a tty.

    Writing to ``/dev/tty`` reaches the user even when stdout and stderr are
    redirected; without a terminal the bell does nothing.
    """

    def __init__(self) -> None:
        """Create a bell; the terminal is opened on the first ring."""
        self._fd: int | None = None
        self._opened = False

    def __call__(self) -> None:
        """Ring once; never raises and never blocks."""
        if not self._opened:
            self._opened = True
            flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
            try:
                self._fd = os.open("/dev/tty", flags)
            except OSError:
                self._fd = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.write(self._fd, b"\a")
                return
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if sys.stderr.isatty():
                sys.stderr.write("\a")
                sys.stderr.flush()

    def close(self) -> None:
        """Close the terminal if it was opened."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class BellPlayer(BasePlayer):
    """Rings a bell for every audible cue, at most once per ``min_interval``.

    The rate limit keeps a 3-2-1 countdown from becoming a bell storm. The UI
    shows a visual flash on every cue whatever the player, so this one only
    rings.
    """

    def __init__(
        self,
        ring: Callable[[], None] | None = None,
        *,
        min_interval: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create a bell player.

        Args:
            ring: Rings once (the TUI passes ``app.bell``); by default a
                :class:`TerminalBell`.
            min_interval: Seconds that must pass between two rings.
            clock: Monotonic time in seconds (injectable for tests).
        """
        self._own_bell: TerminalBell | None = None
        if ring is None:
            ring = self._own_bell = TerminalBell()
        self._ring = ring
        self._min_interval = min_interval
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """``"bell"``."""
        return "bell"

    def play(self, sound: Sound) -> None:
        """Ring, unless the sound is silent or the last ring was too recent."""
        if sound.silent:
            return
        now = self._clock()
        with self._lock:
            if self._last is not None and now - self._last < self._min_interval:
                return
            self._last = now
        try:
            self._ring()
        except Exception:  # a bell must never break a session
            logger.exception("the bell failed to ring")

    def close(self) -> None:
        """Close the terminal, if this player opened it."""
        super().close()
        if self._own_bell is not None:
            self._own_bell.close()


class FallbackPlayer(BasePlayer):
    """Plays through a primary player until it reports a problem, then through a fallback.

    The problem is passed on to ``on_problem`` once, with a note on what
    happens instead, and the session goes on with the fallback.
    """

    def __init__(
        self,
        make_primary: Callable[[OnProblem], BasePlayer],
        fallback: BasePlayer,
        on_problem: OnProblem,
        *,
        instead: str = USING_BELL,
    ) -> None:
        """Create the pair.

        Args:
            make_primary: Builds the primary player, given the callback through
                which it must report its problem.
            fallback: Plays once the primary has failed.
            on_problem: Told once, when the primary fails.
            instead: Appended to the primary's message, after ``"; "``.
        """
        self._on_problem = on_problem
        self._instead = instead
        self._switched = False
        self._lock = threading.Lock()
        self.fallback = fallback
        self.primary = make_primary(self._primary_failed)

    def _primary_failed(self, message: str) -> None:
        with self._lock:
            if self._switched:
                return
            self._switched = True
        try:
            self._on_problem(f"{message}; {self._instead}")
        except Exception:
            logger.exception("on_problem raised")

    @property
    def switched(self) -> bool:
        """Whether the fallback has taken over."""
        return self._switched

    @property
    def active(self) -> BasePlayer:
        """The player in use now."""
        return self.fallback if self._switched else self.primary

    @property
    def name(self) -> str:
        """The name of the player in use now."""
        return self.active.name

    @property
    def voice(self) -> Voice | None:
        """The voice of the player in use now (set: the primary's)."""
        return self.active.voice

    @voice.setter
    def voice(self, voice: Voice | None) -> None:
        self.primary.voice = voice

    @property
    def busy(self) -> bool:
        """Whether the player in use now has something playing or waiting."""
        return self.active.busy

    def follow(self) -> None:
        """Pass on to the player in use now."""
        self.active.follow()

    def play(self, sound: Sound) -> None:
        """Play through the player in use now."""
        self.active.play(sound)

    def stop(self) -> None:
        """Stop both players."""
        self.primary.stop()
        self.fallback.stop()

    def close(self) -> None:
        """Close both players."""
        self.primary.close()
        self.fallback.close()


def make_player(
    choice: str,
    on_problem: OnProblem,
    ring: Callable[[], None] | None = None,
    *,
    voice: bool = True,
) -> BasePlayer:
    """The player for ``--audio CHOICE``.

    Args:
        choice: ``auto`` (playsound3 when a program it can use is installed,
            else the bell), ``playsound3`` (the same, but being without one is
            worth a message), ``bell`` or ``none``.
        on_problem: Told once, with one line, when sound is not what was asked
            for (no player, or a player that fails); may be called from a
            background thread.
        ring: Rings the bell (the TUI passes ``app.bell``); by default the
            terminal's.
        voice: Whether to speak when a speech engine exists.

    Returns:
        The player; close it when the session ends.

    Raises:
        ValueError: ``choice`` is not one of :data:`AUDIO_CHOICES`.
    """
    if choice not in AUDIO_CHOICES:
        raise ValueError(f"unknown audio choice {choice!r}: expected {', '.join(AUDIO_CHOICES)}")
    if choice == "none":
        return NullPlayer()
    bell = BellPlayer(ring)
    if choice == "bell":
        return bell
    backends = available_backends()
    if not backends:
        on_problem(f"{NO_PLAYER}; {USING_BELL}")
        return bell

    def make_primary(report: OnProblem) -> BasePlayer:
        primary = Playsound3Player(report, backends)
        if voice:
            primary.voice = Voice(primary.start_file)
        return primary

    return FallbackPlayer(make_primary, bell, on_problem)
