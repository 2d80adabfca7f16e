"""Where a cue :class:`~stretch_coach.routine.model.Sound` is on disk."""

from __future__ import annotations

import functools
from pathlib import Path

from stretch_coach.resources import bundled_sounds_dir
from stretch_coach.routine.model import SHIPPED_SOUNDS, Sound


class UnknownSoundError(ValueError):
    """A sound that is neither shipped, ``none``, nor a resolved routine file."""


@functools.cache
def _shipped_dir() -> Path:
    # Looked up once: play() runs on the caller's thread and must stay cheap.
    return bundled_sounds_dir()


def is_shipped(sound: Sound) -> bool:
    """Whether ``sound`` is one of the sounds that ship with stretch-coach."""
    return sound.path is None and sound.name in SHIPPED_SOUNDS


def shipped_sound_file(name: str) -> Path:
    """The file of a shipped sound.

    Args:
        name: One of :data:`~stretch_coach.routine.model.SHIPPED_SOUNDS`.

    Raises:
        UnknownSoundError: ``name`` is not a shipped sound.
    """
    if name not in SHIPPED_SOUNDS:
        raise UnknownSoundError(
            f"unknown sound {name!r}: expected one of {', '.join(SHIPPED_SOUNDS)}"
        )
    return _shipped_dir() / f"{name}.wav"


def sound_file(sound: Sound) -> Path | None:
    """The WAV file to play for ``sound``, or ``None`` for silence.

    Args:
        sound: A shipped sound by name, ``none``, or a routine's own ``.wav``
            (whose :attr:`~stretch_coach.routine.model.Sound.path` the loader
            has resolved).

    Returns:
        The file's path, or ``None`` when the sound is silent. The file is not
        checked for existence here; players do that off the caller's thread.

    Raises:
        UnknownSoundError: The name is not shipped and no path was resolved.
    """
    if sound.silent:
        return None
    if sound.path is not None:
        return sound.path
    return shipped_sound_file(sound.name)
