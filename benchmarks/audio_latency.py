#!/usr/bin/env python3
"""How long a cue takes from ``play()`` to its player process having started.

The README promises that the median stays under 10 ms. This times the real
thing: :class:`~stretch_coach.audio.Playsound3Player` with the installed
``aplay`` (apt package alsa-utils) playing the shipped ``tick`` to ALSA's
``null`` device (a scratch ``HOME`` whose ``.asoundrc`` makes ``null`` the
default, so no sound card is needed and nothing is heard). It prints the
median and 95th percentile of:

* ``play() returns``: how long the caller (the UI) is held up;
* ``play() -> started``: until the player program has been exec'd (the
  player's ``on_started``, right after its ``Popen`` of aplay returned on the
  worker thread): the figure the promise is about;
* ``Popen(aplay)``: a bare start of the same ``aplay`` command, measured in
  the same run, as the yardstick; the ratio of the medians says what the
  player adds.

Then the verdict, ``median play() -> started < 10 ms: met`` or ``MISSED``;
the exit status is 1 when it is missed.

``--self-test`` shows the verdict can fail: the same measurement with the
player's start of aplay replaced (in this process only, never in the coach)
by playsound3's own start (a ``preexec_fn``, so a ``fork()`` of the whole
process, padded to a realistic coach's size: shown for comparison, its
figure depends on the machine), by a direct start after a deliberate 15 ms
sleep, which must miss it, and by a direct ``Popen``, which must meet it. It
exits 0 when the verdict tells those two apart.

Usage::

    python benchmarks/audio_latency.py [--runs 200] [--self-test]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stretch_coach.audio import Playsound3Player, backend
from stretch_coach.audio.backend import _Started
from stretch_coach.audio.sounds import sound_file
from stretch_coach.routine.model import Sound

#: The README's promise: median time from a cue asked for to its player started.
TARGET_MEDIAN = 0.010
#: How much the self-test's deliberately slow start waits before starting aplay.
SLOW_START = 0.015


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _row(label: str, seconds: list[float]) -> str:
    median, p95 = statistics.median(seconds) * 1e3, _percentile(seconds, 0.95) * 1e3
    return f"{label:<22} median {median:7.3f} ms   p95 {p95:7.3f} ms"


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


@contextmanager
def null_device() -> Iterator[None]:
    """Make ALSA's ``null`` device the default for the aplay this process starts."""
    if shutil.which("aplay") is None:
        sys.exit("this benchmark needs aplay: apt-get install alsa-utils")
    old = os.environ.get("HOME")
    with tempfile.TemporaryDirectory() as home:
        Path(home, ".asoundrc").write_text("pcm.!default {\n type null\n}\n", encoding="utf-8")
        os.environ["HOME"] = home
        try:
            yield
        finally:
            if old is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = old


def _aplay(path: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["aplay", "--quiet", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def direct_start(aplay: str, path: str) -> _Started:
    """A stand-in for the player's start of aplay: a plain ``Popen``."""
    return _Started(_aplay(path))


def slow_start(aplay: str, path: str) -> _Started:
    """A deliberately broken stand-in: the same start, :data:`SLOW_START` late."""
    time.sleep(SLOW_START)
    return direct_start(aplay, path)


#: The self-test's forking start runs in a process as big as the coach's TUI
#: (a fork copies the page tables, so its cost grows with the process).
COACH_SIZE_MB = 50
_ballast: list[bytearray] = []


def playsound3_start(aplay: str, path: str) -> Any:
    """The start the player no longer uses: playsound3's, with its ``preexec_fn``."""
    from playsound3 import playsound

    if not _ballast:
        _ballast.extend(bytearray(1 << 20) for _ in range(COACH_SIZE_MB))
    return playsound(path, block=False, backend="alsa")


def measure(runs: int) -> tuple[list[float], list[float], list[float]]:
    """(play() returns, play() -> started, bare Popen) for ``runs`` cues, in seconds."""
    problems: list[str] = []
    started_at: list[float] = []
    started = threading.Event()

    def on_started(label: str) -> None:
        started_at.append(time.perf_counter())
        started.set()

    player = Playsound3Player(problems.append, ["alsa"], on_started=on_started)
    try:
        if not player.ready.wait(10) or problems:
            sys.exit(f"the player did not start: {problems}")
        tick = Sound("tick")
        path = str(sound_file(tick))
        returned, latency, bare = [], [], []
        for _ in range(runs):
            started.clear()
            begin = time.perf_counter()
            player.play(tick)
            returned.append(time.perf_counter() - begin)
            if not started.wait(5):
                sys.exit(f"a cue did not start: {problems}")
            latency.append(started_at[-1] - begin)
            if not _wait_until(lambda: player.live_count == 0):
                sys.exit("a cue did not end")

            begin = time.perf_counter()
            process = _aplay(path)
            bare.append(time.perf_counter() - begin)
            process.wait(timeout=5)
    finally:
        player.close()
    if problems:
        sys.exit(f"problems: {problems}")
    return returned, latency, bare


def met(latency: list[float]) -> bool:
    return statistics.median(latency) < TARGET_MEDIAN


def verdict_line(latency: list[float]) -> str:
    return (
        f"median play() -> started < {TARGET_MEDIAN * 1e3:.0f} ms: "
        + ("met" if met(latency) else "MISSED")
        + f" ({statistics.median(latency) * 1e3:.2f} ms)"
    )


@contextmanager
def start_replaced(stand_in: Callable[[str, str], Any]) -> Iterator[None]:
    """Have the player start aplay with ``stand_in(aplay, path)``."""
    # As the player does: playsound3 logs to stderr at import when it finds
    # no backend to its liking (it wants mpg123 beside aplay, for MP3s).
    logging.getLogger("playsound3").addHandler(logging.NullHandler())
    real = backend._start_aplay
    backend._start_aplay = stand_in
    try:
        yield
    finally:
        backend._start_aplay = real
        _ballast.clear()


def self_test(runs: int) -> int:
    """Show that the verdict passes a direct start and fails slow ones."""
    right = True
    cases = (
        ("direct Popen(aplay)", direct_start, True),
        (f"+{SLOW_START * 1e3:.0f} ms slow start", slow_start, False),
        (f"playsound3's fork ({COACH_SIZE_MB} MB)", playsound3_start, None),
    )
    for label, stand_in, should_pass in cases:
        with start_replaced(stand_in):
            _, latency, _ = measure(runs)
        if should_pass is None:
            print(f"{label:<24} {verdict_line(latency)} (for comparison)")
            continue
        ok = met(latency) == should_pass
        right = right and ok
        print(
            f"{label:<24} {verdict_line(latency)} "
            f"(should be {'met' if should_pass else 'MISSED'}): {'ok' if ok else 'WRONG'}"
        )
    print("Self-test: " + ("the verdict tells them apart" if right else "FAILED"))
    return 0 if right else 1


def main() -> int:
    """Run the benchmark (or its self-test), print the figures and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="cues to play (default 200)")
    parser.add_argument(
        "--self-test", action="store_true", help="show that a slow start fails the verdict"
    )
    args = parser.parse_args()

    with null_device():
        if args.self_test:
            return self_test(min(args.runs, 40))
        returned, latency, bare = measure(args.runs)

    print(f"{args.runs} cues, the installed aplay playing to ALSA's null device")
    print(_row("play() returns", returned))
    print(_row("play() -> started", latency))
    print(_row("Popen(aplay)", bare))
    ratio = statistics.median(latency) / statistics.median(bare)
    print(f"ratio play()->started / Popen(aplay): {ratio:.2f}x (medians)")
    print("Verdict: " + verdict_line(latency))
    return 0 if met(latency) else 1


if __name__ == "__main__":
    sys.exit(main())
