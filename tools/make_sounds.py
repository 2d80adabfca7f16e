#!/usr/bin/env python3
"""Generate the cue sounds that ship with stretch-coach.

The sounds are made from code with the standard library only, so anyone can
rebuild them and get the same bytes: no timestamps, no randomness, no
dependencies. They are meant for a dim bedroom: soft attacks and releases
(every file starts and ends at zero amplitude, so no clicks), a moderate peak
of about -12 dBFS, and plain sines with a few harmonics.

Usage::

    python tools/make_sounds.py            # (re)write sounds/*.wav
    python tools/make_sounds.py --check    # exit 1 if the committed files differ
    python tools/make_sounds.py --out DIR  # write somewhere else
"""

from __future__ import annotations

import argparse
import io
import math
import struct
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

#: Sample rate of every shipped sound, in Hz.
RATE = 44_100
#: Peak level of every shipped sound, in dB relative to full scale.
PEAK_DBFS = -12.0
#: Where the committed sounds live.
SOUNDS_DIR = Path(__file__).resolve().parent.parent / "sounds"

#: A partial: (frequency multiple of the fundamental, relative amplitude).
Partial = tuple[float, float]


def _seconds(n: int) -> float:
    return n / RATE


def _frames(seconds: float) -> int:
    return round(seconds * RATE)


def _ramp(x: float) -> float:
    """A raised-cosine ramp from 0 (x <= 0) to 1 (x >= 1): smooth at both ends."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    return 0.5 - 0.5 * math.cos(math.pi * x)


def note(
    freq: float | Callable[[float], float],
    duration: float,
    *,
    partials: Sequence[Partial] = ((1.0, 1.0),),
    attack: float = 0.01,
    release: float = 0.03,
    decay: float | None = None,
) -> list[float]:
    """Synthesise one note.

    Args:
        freq: Fundamental in Hz, or a function of time (s) giving it, for a glide.
        duration: Length in seconds.
        partials: (multiple, amplitude) pairs; higher partials decay faster
            when ``decay`` is given, as a struck bell's do.
        attack: Raised-cosine fade-in, in seconds.
        release: Raised-cosine fade-out at the end, in seconds.
        decay: Time constant of an exponential decay, in seconds, or ``None``
            for a flat sustain.

    Returns:
        Samples in [-1, 1] (before normalising), starting and ending at 0.
    """
    n = _frames(duration)
    out = [0.0] * n
    phase = 0.0
    for i in range(n):
        t = _seconds(i)
        f = freq(t) if callable(freq) else freq
        value = 0.0
        for multiple, amplitude in partials:
            level = amplitude
            if decay is not None:
                level *= math.exp(-t * multiple / decay)
            value += level * math.sin(multiple * phase)
        # The last frame is exactly zero: the release ramp reaches 0 at n - 1.
        envelope = _ramp(t / attack) * _ramp((n - 1 - i) / (release * RATE))
        out[i] = value * envelope
        phase += 2.0 * math.pi * f / RATE
    return out


def mix(length: float, *placed: tuple[float, list[float]]) -> list[float]:
    """Add notes together, each starting at its offset in seconds."""
    out = [0.0] * _frames(length)
    for offset, samples in placed:
        start = _frames(offset)
        for i, value in enumerate(samples):
            if start + i < len(out):
                out[start + i] += value
    return out


def normalise(samples: list[float], peak_dbfs: float = PEAK_DBFS) -> list[int]:
    """Scale to the given peak and quantise to 16-bit integers."""
    peak = max(abs(s) for s in samples)
    gain = 10.0 ** (peak_dbfs / 20.0) / peak
    return [round(s * gain * 32767) for s in samples]


def to_wav(samples: list[int]) -> bytes:
    """Encode 16-bit mono PCM samples as a WAV file (no metadata, so reproducible)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


# A soft, slightly hollow timbre: a fundamental with a little octave and twelfth.
_SOFT: tuple[Partial, ...] = ((1.0, 1.0), (2.0, 0.12), (3.0, 0.04))
# A bell: the same plus a faint inharmonic shimmer, all decaying.
_BELL: tuple[Partial, ...] = ((1.0, 1.0), (2.0, 0.3), (3.0, 0.08), (4.2, 0.04))


def tick() -> list[float]:
    """~60 ms: a short woody tap for countdowns and paced reps."""
    return note(
        1250.0, 0.06, partials=((1.0, 1.0), (2.0, 0.2)), attack=0.003, release=0.02, decay=0.025
    )


def tock() -> list[float]:
    """~90 ms: a lower, rounder knock for paced repetitions, unlike the countdown's tick.

    A fifth and more below the tick, with a slower decay and no bright octave,
    so a listener tells "next rep" from "3, 2, 1" without looking.
    """
    return note(
        520.0, 0.09, partials=((1.0, 1.0), (1.5, 0.1)), attack=0.004, release=0.03, decay=0.045
    )


def beep() -> list[float]:
    """~150 ms: a plain, steady beep ("get ready")."""
    return note(880.0, 0.15, partials=_SOFT, attack=0.012, release=0.045)


def go() -> list[float]:
    """~250 ms: a tone gliding up a fifth, then held ("go")."""

    def glide(t: float) -> float:
        return 660.0 * 1.5 ** _ramp(t / 0.08)

    return note(glide, 0.25, partials=_SOFT, attack=0.01, release=0.07, decay=0.6)


def chime() -> list[float]:
    """~600 ms: a soft struck bell with a gentle decay ("done")."""
    return note(784.0, 0.6, partials=_BELL, attack=0.005, release=0.06, decay=0.22)


def switch() -> list[float]:
    """~300 ms: two tones falling a fourth, ding-dong ("change sides")."""
    high = note(784.0, 0.15, partials=_SOFT, attack=0.008, release=0.04, decay=0.3)
    low = note(587.33, 0.15, partials=_SOFT, attack=0.008, release=0.04, decay=0.3)
    return mix(0.3, (0.0, high), (0.15, low))


def finish() -> list[float]:
    """~1.2 s: C-E-G rising, each note left to ring ("routine finished")."""
    length = 1.2
    notes = []
    for i, freq in enumerate((523.25, 659.25, 783.99)):
        offset = 0.25 * i
        notes.append(
            (
                offset,
                note(freq, length - offset, partials=_BELL, attack=0.01, release=0.15, decay=0.35),
            )
        )
    return mix(length, *notes)


#: Every shipped sound, by name, in the order of ``SHIPPED_SOUNDS``.
SOUNDS: dict[str, Callable[[], list[float]]] = {
    "beep": beep,
    "tick": tick,
    "tock": tock,
    "go": go,
    "chime": chime,
    "switch": switch,
    "finish": finish,
}


def render_all() -> dict[str, bytes]:
    """Every shipped sound's WAV bytes, by file name."""
    return {f"{name}.wav": to_wav(normalise(make())) for name, make in SOUNDS.items()}


def write_all(out_dir: Path) -> list[Path]:
    """Write every shipped sound into ``out_dir`` (created if needed).

    Returns:
        The paths written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, data in render_all().items():
        path = out_dir / filename
        path.write_bytes(data)
        written.append(path)
    return written


def stale_files(sounds_dir: Path) -> list[str]:
    """Names of the sounds whose file in ``sounds_dir`` is missing or differs."""
    stale = []
    for filename, data in render_all().items():
        path = sounds_dir / filename
        if not path.is_file() or path.read_bytes() != data:
            stale.append(filename)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the files differ from what this script makes",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=SOUNDS_DIR,
        help="folder to write to or check (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.out)
        for filename in stale:
            print(f"{args.out / filename}: differs from tools/make_sounds.py", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
