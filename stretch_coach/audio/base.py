"""One player protocol for cue sounds and speech, its base class, and the player of nothing.

Every player returns at once from every call: sound is played elsewhere (a
background thread, an external program), so the timeline never waits for it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stretch_coach.audio.voice import Voice
    from stretch_coach.routine.model import Sound

#: A one-line message for the user.
OnProblem = Callable[[str], None]


class Player(Protocol):
    """What a session needs of a player; every call returns without waiting."""

    @property
    def name(self) -> str:
        """Which backend plays (for messages and the settings' test)."""
        ...

    def play(self, sound: Sound) -> None:
        """Start playing ``sound``."""
        ...

    def say(self, text: str) -> None:
        """Queue ``text`` to be spoken."""
        ...

    def stop(self) -> None:
        """Silence whatever is playing or queued."""
        ...

    def close(self) -> None:
        """Release the player's resources."""
        ...


class BasePlayer(ABC):
    """A :class:`Player` that speaks through a :class:`~stretch_coach.audio.voice.Voice`, if any.

    The players here derive from it; anything else with :class:`Player`'s
    shape (a session's :class:`~stretch_coach.audio.session_player.SessionPlayer`,
    a test's recorder) is a player too.
    """

    _voice: Voice | None = None

    @property
    def voice(self) -> Voice | None:
        """Speaks for :meth:`say`; ``None`` when this player cannot speak."""
        return self._voice

    @voice.setter
    def voice(self, voice: Voice | None) -> None:
        self._voice = voice

    @property
    @abstractmethod
    def name(self) -> str:
        """A short description for the user, e.g. ``"playsound3 (aplay)"``."""

    @abstractmethod
    def play(self, sound: Sound) -> None:
        """Start playing ``sound`` and return at once; a silent sound does nothing.

        Raises:
            UnknownSoundError: ``sound`` is neither shipped, silent, nor a file.
        """

    def say(self, text: str) -> None:
        """Speak ``text`` through the voice, if there is one; returns at once."""
        if self.voice is not None:
            self.voice.say(text)

    def prerender(self, texts: Iterable[str]) -> None:
        """Let the voice, if any, render ``texts`` ahead of time (in the background)."""
        if self.voice is not None:
            self.voice.prerender(texts)

    @property
    def busy(self) -> bool:
        """Whether a sound or a phrase is playing or waiting (a runner waits for it at the end)."""
        return self.voice is not None and self.voice.busy

    def follow(self) -> None:
        """Mark the next :meth:`play` as due at the same instant as the last: after it, not over it.

        Players that cannot tell when a sound ends ignore this.
        """
        return

    def stop(self) -> None:
        """Silence whatever is playing now (pausing or stopping a session calls this)."""
        if self.voice is not None:
            self.voice.stop()

    def close(self) -> None:
        """Stop and release everything; the player does nothing afterwards."""
        if self.voice is not None:
            self.voice.close()


class NullPlayer(BasePlayer):
    """Plays nothing: ``--audio none``, or no player could be made (its name says why)."""

    def __init__(self, name: str = "none") -> None:
        self._name = name

    @property
    def name(self) -> str:
        """``"none"``, or why there is no sound (``"unavailable"``)."""
        return self._name

    def play(self, sound: Sound) -> None:
        """Do nothing."""
