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
class Interval:
    """A sound (``play``) or a phrase (``say``) as heard: when it starts and ends."""

    kind: Kind
    what: str
    start: float
    end: float
    cut: bool = False  #: ended early: a tone came while it played, or a stop

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


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
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        name: str = "recording",
        sound_seconds: Callable[[Sound], float] | None = None,
        phrase_seconds: Callable[[str], float] | None = None,
    ) -> None:
        """Create a recorder.

        Args:
            clock: Gives the time recorded with each call.
            name: What :attr:`name` says.
            sound_seconds: How long each sound plays; with it (and
                ``phrase_seconds``), :meth:`heard_as` tells when each sound and
                phrase would have been heard.
            phrase_seconds: How long each phrase takes to say.
        """
        self._clock = clock
        self._name = name
        self._sound_seconds = sound_seconds
        self._phrase_seconds = phrase_seconds
        self._lock = threading.Lock()
        self._follow = False
        #: Sounds played after the one before, as due at the same instant (by index in heard).
        self.followed: set[int] = set()
        #: Every call, in order.
        self.heard: list[Heard] = []
        self._sounds: list[Sound] = []
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
        with self._lock:
            if self._follow:
                self.followed.add(len(self.heard))
            self._follow = False
            self._sounds.append(sound)
        self._record("play", str(sound))

    def follow(self) -> None:
        """Note that the next sound is due at the same instant as the last."""
        with self._lock:
            self._follow = True

    def heard_as(self) -> list[Interval]:
        """When each sound and phrase would have been heard, as the real players play them.

        A sound starts when played, or, when it follows, once the sound before
        ends; a phrase starts when said, once the phrase before it and every
        sound playing or due have ended, and a sound that starts while a
        phrase plays cuts it short (``cut``). A stop ends everything.
        """
        assert self._sound_seconds is not None and self._phrase_seconds is not None
        out: list[Interval] = []
        tone_end = -float("inf")
        sounds = iter(self._sounds)
        phrase: Interval | None = None
        for i, h in enumerate(self.heard):
            if h.kind == "play":
                length = self._sound_seconds(next(sounds))
                if length <= 0:
                    continue
                start = max(h.at, tone_end) if i in self.followed else h.at
                tone_end = start + length
                if phrase is not None and phrase.start <= start < phrase.end:
                    out[out.index(phrase)] = phrase = Interval(
                        "say", phrase.what, phrase.start, start, cut=True
                    )
                out.append(Interval("play", h.what, start, tone_end))
            elif h.kind == "say":
                after = max(h.at, tone_end, phrase.end if phrase is not None else h.at)
                phrase = Interval("say", h.what, after, after + self._phrase_seconds(h.what))
                out.append(phrase)
            else:
                out = [
                    Interval(x.kind, x.what, x.start, min(x.end, h.at), cut=x.end > h.at)
                    if x.start < h.at
                    else x
                    for x in out
                    if x.start <= h.at
                ]
                tone_end = min(tone_end, h.at)
                phrase = None
        return sorted(out, key=lambda x: x.start)

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
            self._sounds.clear()
            self.followed.clear()
