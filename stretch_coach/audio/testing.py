"""A player that records what it is asked to do, for the tests of other modules."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from stretch_coach.audio.base import BasePlayer
from stretch_coach.routine.model import Sound


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds have passed.

    For tests that wait on the players' background threads: a deadline, not a
    guess at how long something takes.

    Returns:
        Whether the condition became true in time.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


#: What a :class:`Heard` entry records.
Kind = Literal["play", "say", "stop"]


@dataclass(frozen=True)
class Heard:
    """One call to a :class:`RecordingPlayer`."""

    at: float  #: the clock's time when the call was made
    kind: Kind
    what: str  #: the sound (name, or path as written), the text said, or ``""`` for stop


class RecordingPlayer(BasePlayer):
    """Records every call with the time it came, and plays nothing.

    Pass the engine's fake clock to assert on timing; by default the
    monotonic clock is used. Silent sounds are recorded too (as ``"none"``),
    so a test can tell "the cue fired, silently" from "no cue".
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, name: str = "recording"
    ) -> None:
        """Create a recorder.

        Args:
            clock: Gives the time recorded with each call.
            name: What :attr:`name` says.
        """
        self._clock = clock
        self._name = name
        self._lock = threading.Lock()
        #: Every call, in order.
        self.heard: list[Heard] = []
        #: Texts passed to :meth:`prerender`.
        self.prerendered: list[str] = []
        self.closed = False

    @property
    def name(self) -> str:
        """``"recording"``, unless given another name."""
        return self._name

    def _record(self, kind: Kind, what: str) -> None:
        with self._lock:
            self.heard.append(Heard(self._clock(), kind, what))

    def play(self, sound: Sound) -> None:
        """Record the sound."""
        self._record("play", str(sound))

    def say(self, text: str) -> None:
        """Record the text."""
        self._record("say", text)

    def prerender(self, texts: Iterable[str]) -> None:
        """Remember the texts."""
        with self._lock:
            self.prerendered.extend(texts)

    def stop(self) -> None:
        """Record the stop."""
        self._record("stop", "")

    def close(self) -> None:
        """Note that the player was closed."""
        self.closed = True

    @property
    def sounds(self) -> list[str]:
        """The audible sounds played, in order (silent ones left out)."""
        return [h.what for h in self.heard if h.kind == "play" and h.what != "none"]

    @property
    def played(self) -> list[str]:
        """Every sound played, in order, silent ones too (as ``"none"``)."""
        return [h.what for h in self.heard if h.kind == "play"]

    @property
    def stops(self) -> int:
        """How many times the player was told to stop."""
        return sum(1 for h in self.heard if h.kind == "stop")

    @property
    def said(self) -> list[str]:
        """The texts said, in order."""
        return [h.what for h in self.heard if h.kind == "say"]

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self.heard.clear()
            self.prerendered.clear()
