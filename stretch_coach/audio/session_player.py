"""The player a session plays through: chosen once, muted or voiceless at will mid-session.

The players themselves (``stretch_coach.audio.player``) are imported lazily:
a build without them still runs, silently, and says so once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stretch_coach.audio.base import NullPlayer, Player

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stretch_coach.routine.model import Sound


def make_player(
    choice: str,
    on_problem: Callable[[str], None],
    ring: Callable[[], None] | None = None,
    *,
    voice: bool = True,
) -> Player:
    """The player for an audio choice, or a :class:`NullPlayer` that says why.

    May block briefly while it looks for a backend: call it from a thread.

    Args:
        choice: one of the audio choices (``none`` plays nothing).
        on_problem: told once, with one line, when sound is not what was asked for.
        ring: rings the bell (default: the terminal's).
        voice: make a voice, where a speech engine exists (without one,
            nothing can be spoken later in the session either).
    """
    if choice == "none":
        return NullPlayer()
    try:
        from stretch_coach.audio import player as players
    except ImportError:
        on_problem("Sound is not available in this installation; cues are shown on screen only.")
        return NullPlayer("unavailable")
    made: Player = players.make_player(choice, on_problem=on_problem, ring=ring, voice=voice)
    return made


class SessionPlayer:
    """A player the user can mute, and whose voice they can turn off, mid-session.

    The engine's audio link plays through this; muting here keeps the engine
    unaware of it (the visual cues carry on).

    Args:
        inner: the real player (swapped when settings change the backend).
        muted: start muted.
        voice: speak step names and prompts.
    """

    def __init__(self, inner: Player, *, muted: bool = False, voice: bool = True) -> None:
        self.inner = inner
        self.muted = muted
        self.voice = voice

    @property
    def name(self) -> str:
        """The name of the player in use (what the settings' test reports)."""
        return self.inner.name

    def play(self, sound: Sound) -> None:
        if not self.muted:
            self.inner.play(sound)

    def say(self, text: str) -> None:
        if not self.muted and self.voice:
            self.inner.say(text)

    def prerender(self, texts: Iterable[str]) -> None:
        """Let the voice render lines ahead of time, where the player has one."""
        prerender = getattr(self.inner, "prerender", None)
        if prerender is not None:
            prerender(texts)

    @property
    def busy(self) -> bool:
        """Whether the player has a sound or a phrase playing or waiting."""
        return bool(getattr(self.inner, "busy", False))

    def follow(self) -> None:
        """The next sound is due at the same instant as the last: after it, not over it."""
        follow = getattr(self.inner, "follow", None)
        if follow is not None:
            follow()

    def hush(self) -> None:
        """Silence the voice only (what it still had to say is stale); tones play on."""
        stop = getattr(getattr(self.inner, "voice", None), "stop", None)
        if callable(stop):
            stop()

    def stop(self) -> None:
        self.inner.stop()

    def close(self) -> None:
        self.inner.close()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.inner.stop()

    def set_voice(self, voice: bool) -> None:
        self.voice = voice
