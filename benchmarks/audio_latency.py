#!/usr/bin/env python3
"""How long a cue takes from ``play()`` to its player process having started.

Prints the median and 95th percentile of:

* ``play() returns``: how long the caller (the UI) is held up;
* ``play() -> started``: until the player program has been exec'd (playsound3's
  ``Popen`` returned on the worker thread);
* ``Popen(['true'])``: a bare process start, measured in the same run, as the
  yardstick; the ratio of the medians says what the player adds.

By default ``aplay`` is a stand-in (``true`` under that name, first on PATH),
so the figures do not depend on a sound card: the program's own start-up is
not part of "started" either way, since Popen returns once exec succeeds.
``--real`` uses the installed aplay with ALSA's null device instead.

Usage::

    python benchmarks/audio_latency.py [--runs 200] [--real]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from stretch_coach.audio import Playsound3Player
from stretch_coach.audio.testing import wait_until
from stretch_coach.routine.model import Sound


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _row(label: str, seconds: list[float]) -> str:
    median, p95 = statistics.median(seconds) * 1e3, _percentile(seconds, 0.95) * 1e3
    return f"{label:<22} median {median:7.3f} ms   p95 {p95:7.3f} ms"


def _set_up(scratch: Path, real: bool) -> None:
    """Point PATH (or HOME, for ALSA's config) at what the run should use."""
    if real:
        if shutil.which("aplay") is None:
            sys.exit("--real needs aplay (apt install alsa-utils)")
        (scratch / ".asoundrc").write_text("pcm.!default {\n type null\n}\n")
        os.environ["HOME"] = str(scratch)
        return
    true = shutil.which("true")
    assert true is not None
    (scratch / "aplay").symlink_to(true)
    os.environ["PATH"] = f"{scratch}{os.pathsep}{os.environ['PATH']}"


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="cues to play (default 200)")
    parser.add_argument("--real", action="store_true", help="the real aplay, null device")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        _set_up(Path(scratch), args.real)
        problems: list[str] = []
        started_at: list[float] = []
        started = threading.Event()

        def on_started(label: str) -> None:
            started_at.append(time.perf_counter())
            started.set()

        player = Playsound3Player(problems.append, ["alsa"], on_started=on_started)
        if not player.ready.wait(10) or problems:
            sys.exit(f"the player did not start: {problems}")
        tick = Sound("tick")
        returned, latency, bare = [], [], []
        for _ in range(args.runs):
            started.clear()
            begin = time.perf_counter()
            player.play(tick)
            returned.append(time.perf_counter() - begin)
            if not started.wait(5):
                sys.exit(f"a cue did not start: {problems}")
            latency.append(started_at[-1] - begin)
            if not wait_until(lambda: player.live_count == 0):
                sys.exit("a cue did not end")

            begin = time.perf_counter()
            process = subprocess.Popen(["true"])
            bare.append(time.perf_counter() - begin)
            process.wait(timeout=5)
        player.close()

    print(f"{args.runs} cues, aplay {'(real, null device)' if args.real else '(stand-in: true)'}")
    print(_row("play() returns", returned))
    print(_row("play() -> started", latency))
    print(_row("Popen(['true'])", bare))
    ratio = statistics.median(latency) / statistics.median(bare)
    print(f"ratio play()->started / Popen(['true']): {ratio:.2f}x (medians)")
    if problems:
        print(f"problems: {problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
