"""How long a cue sound or a rendered phrase plays, read from its WAV header.

The speech plan needs every tone's length to keep phrases out of its way, and
the plain runner needs the last sounds' lengths to wait for them (bounded)
before it exits. A WAV's header tells its length exactly, without decoding.
"""

from __future__ import annotations

import contextlib
import functools
import struct
import wave
from pathlib import Path
from typing import Final

from stretch_coach.audio.sounds import UnknownSoundError, sound_file
from stretch_coach.routine.model import Sound

#: Length assumed for a sound whose file cannot be read (a routine's own WAV
#: that went missing): long enough that speech keeps clear of it.
UNKNOWN_LENGTH: Final = 1.0
#: Samples quieter than this (of 32767) count as silence when trimming speech.
SILENCE_LEVEL: Final = 200
#: Silence left after the last sound of a trimmed phrase, in seconds.
TAIL: Final = 0.05


@functools.lru_cache(maxsize=512)
def _cached_seconds(path: str, mtime_ns: int) -> float:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def wav_seconds(path: Path) -> float | None:
    """The length of the WAV file at ``path`` in seconds, or ``None`` if it cannot be read."""
    try:
        return _cached_seconds(str(path), path.stat().st_mtime_ns)
    except (OSError, EOFError, wave.Error, ZeroDivisionError):
        return None


def sound_seconds(sound: Sound) -> float:
    """How long ``sound`` plays: 0 for silence, :data:`UNKNOWN_LENGTH` if unreadable."""
    try:
        path = sound_file(sound)
    except UnknownSoundError:
        return UNKNOWN_LENGTH
    if path is None:
        return 0.0
    seconds = wav_seconds(path)
    return UNKNOWN_LENGTH if seconds is None else seconds


def trim_trailing_silence(path: Path) -> None:
    """Cut the silence a speech engine leaves after a phrase (16-bit mono PCM only).

    espeak-ng pads every phrase with about 0.4 s of silence; left in, it would
    count as speaking and keep a phrase out of gaps it fits. Other formats are
    left as they are.
    """
    with contextlib.suppress(OSError, EOFError, wave.Error, struct.error):
        with wave.open(str(path), "rb") as wav:
            params = wav.getparams()
            if params.sampwidth != 2 or params.nchannels != 1 or params.nframes == 0:
                return
            frames = wav.readframes(params.nframes)
        samples = struct.unpack(f"<{len(frames) // 2}h", frames)
        last = len(samples) - 1
        while last > 0 and abs(samples[last]) < SILENCE_LEVEL:
            last -= 1
        keep = min(len(samples), last + 1 + round(TAIL * params.framerate))
        if keep >= len(samples):
            return
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(params.framerate)
            out.writeframes(frames[: keep * 2])
