"""How late do cues fire? The engine's deadline scheduling against a naive tick counter.

Run from a checkout (``.venv/bin/python benchmarks/engine_lateness.py``):

1. Real clock, under load: a routine of at least 60 s (``--quick``: about
   10 s) played by :class:`~stretch_coach.engine.driver.AsyncDriver` while two
   busy-loop processes keep the CPUs busy. At the same time, each in its own
   process, the same cue offsets are played by a naive loop, the way a first
   attempt would (``sleep(1)``, count a tick, fire what the count says is
   due), and by bare asyncio sleeping to each offset (the floor this machine
   allows an asyncio program). Lateness is measured the same way for all: the
   time since the start when the cue fired, minus its planned offset.
2. Fake clock, 60 minutes: every wake-up is 0-5 ms late (a busy machine).
   The engine schedules by deadlines on one clock, so its lateness stays
   bounded by one wake-up's; the naive loop adds each tick's delay to the
   next, so its lateness grows with the length of the routine.

Targets for the engine: p99 <= 10 ms, max <= 20 ms, never early by more than 1 ms.
This prints figures; it is not a test and always exits 0 unless it breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stretch_coach.engine import events as ev
from stretch_coach.engine.clock import FakeClock, MonotonicClock
from stretch_coach.engine.driver import AsyncDriver
from stretch_coach.engine.session import Session
from stretch_coach.routine.library import Library
from stretch_coach.timeline import Timeline, timeline_for

#: One block of routine, about 12 s with 16 cues: holds with 3-2-1 countdowns,
#: a rest, and quick paced reps at offsets that are not whole seconds.
BLOCK = """\
  - name: Calf hold {n}
    hold: 4s
    reps: 2
    rest: 0.5s
    prepare: 1s
  - name: Heel raises {n}
    reps: 5
    tempo: 0.55s
    prepare: 0
"""
BUSY_PROCESSES = 2
TARGETS = {"p99": 0.010, "max": 0.020, "early": 0.001}


def _timeline(blocks: int) -> Timeline:
    steps = "".join(BLOCK.format(n=n) for n in range(1, blocks + 1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text("title: Benchmark\nsteps:\n" + steps, encoding="utf-8")
        return timeline_for(Library.from_paths([path]).find(str(path)))


def make_timeline(seconds: float) -> Timeline:
    """A routine of at least ``seconds``, built from :data:`BLOCK`."""
    return _timeline(math.ceil(seconds / _timeline(1).total))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(lateness: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(lateness, 0.50),
        "p99": percentile(lateness, 0.99),
        "max": max(lateness),
        "earliest": min(lateness),
    }


# -- real clock -----------------------------------------------------------------------


async def play_engine(timeline: Timeline) -> list[float]:
    """Play ``timeline`` on the real clock; each cue's lateness (measured position - plan)."""
    clock = MonotonicClock()
    lateness: list[float] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.CueFired):
            lateness.append(event.t - event.cue.at)

    session = Session(timeline, clock, listeners=[listen])
    driver = AsyncDriver(session, clock)
    session.start()
    await driver.run()
    return lateness


def naive_worker(offsets: list[float]) -> list[float]:
    """The naive loop: ``sleep(1)``, count a tick, fire what the tick count says is due."""
    lateness: list[float] = []
    start = time.monotonic()
    tick = 0
    i = 0
    while True:
        while i < len(offsets) and offsets[i] <= tick:
            lateness.append((time.monotonic() - start) - offsets[i])
            i += 1
        if i == len(offsets):
            return lateness
        time.sleep(1.0)
        tick += 1  # "a second has passed": the assumption that drifts


def floor_worker(offsets: list[float]) -> list[float]:
    """The floor: bare asyncio sleeping to each offset from one start, no engine at all."""

    async def run() -> list[float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        lateness = []
        for at in offsets:
            await asyncio.sleep(max(start + at - loop.time(), 0.0))
            lateness.append(loop.time() - start - at)
        return lateness

    return asyncio.run(run())


WORKERS = {"naive": naive_worker, "floor": floor_worker}


def worker(name: str) -> None:
    """Run a comparison loop in this process: offsets in on stdin, lateness out on stdout."""
    offsets: list[float] = json.loads(sys.stdin.readline())
    print(json.dumps(WORKERS[name](offsets)), flush=True)


def busy_loops(count: int, own_session: bool) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=own_session)
        for _ in range(count)
    ]


def real_clock(seconds: float, own_session: bool) -> tuple[Timeline, dict[str, dict[str, float]]]:
    """Engine, naive loop and asyncio floor, all at once under the same load."""
    timeline = make_timeline(seconds)
    offsets = [cue.at for cue in timeline.cues]
    busy = busy_loops(BUSY_PROCESSES, own_session)
    others = {
        name: subprocess.Popen(
            [sys.executable, __file__, "--worker", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in WORKERS
    }
    results: dict[str, dict[str, float]] = {}
    try:
        time.sleep(0.5)  # let the busy loops get going
        for proc in others.values():
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(offsets) + "\n")
            proc.stdin.flush()
        results["engine"] = summary(asyncio.run(play_engine(timeline)))
        for name, proc in others.items():
            out, _ = proc.communicate(timeout=seconds + 60)
            results[name] = summary(json.loads(out))
    finally:
        children: list[subprocess.Popen[Any]] = [*busy, *others.values()]
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return timeline, results


# -- fake clock -------------------------------------------------------------------------


def fake_hour(
    jitter: float = 0.005, seed: int = 1
) -> tuple[Timeline, list[tuple[float, float]], list[tuple[float, float]]]:
    """(offset, lateness) of each cue over 60 minutes, engine and naive, wake-ups 0..jitter late."""
    timeline = make_timeline(3600)
    rng = random.Random(seed)
    clock = FakeClock()
    engine: list[tuple[float, float]] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.CueFired):
            engine.append((event.cue.at, event.t - event.cue.at))

    session = Session(timeline, clock, listeners=[listen])
    session.start()
    while not session.ended:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline + rng.uniform(0.0, jitter))
        session.update()

    rng = random.Random(seed)
    naive: list[tuple[float, float]] = []
    now = 0.0
    tick = 0
    offsets = [cue.at for cue in timeline.cues]
    i = 0
    while True:
        while i < len(offsets) and offsets[i] <= tick:
            naive.append((offsets[i], now - offsets[i]))
            i += 1
        if i == len(offsets):
            break
        now += 1.0 + rng.uniform(0.0, jitter)  # sleep(1) wakes a little late, every time
        tick += 1
    return timeline, engine, naive


def window_max(points: list[tuple[float, float]], start: float, end: float) -> float:
    return max(late for at, late in points if start <= at < end)


# -- report ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a 10 s real-clock routine instead of 60 s"
    )
    parser.add_argument(
        "--same-session",
        action="store_true",
        help="start the busy loops in this process's session (harsher: on Linux with "
        "autogroup scheduling they then compete with the engine as one group)",
    )
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return

    seconds = 10.0 if args.quick else 60.0
    timeline, results = real_clock(seconds, own_session=not args.same_session)
    where = "this session" if args.same_session else "their own session, as other programs are"
    print(
        f"Real clock: a {timeline.total:.1f} s routine, {len(timeline.cues)} cues, "
        f"{BUSY_PROCESSES} busy-loop processes in {where}, {os.cpu_count()} CPUs"
    )
    print(f"{'':26}{'p50':>12}{'p99':>12}{'max':>12}{'earliest':>12}")
    rows = (
        ("engine (AsyncDriver)", "engine"),
        ("asyncio.sleep floor", "floor"),
        ("naive 1 s tick loop", "naive"),
    )
    for label, key in rows:
        figures = results[key]
        print(
            f"{label:26}"
            + "".join(f"{ms(figures[k]):>12}" for k in ("p50", "p99", "max", "earliest"))
        )
    engine, naive = results["engine"], results["naive"]
    ratios = {
        k: naive[k] / engine[k] if engine[k] > 0 else float("inf") for k in ("p50", "p99", "max")
    }
    print(f"{'naive / engine':26}" + "".join(f"{ratios[k]:>11.0f}x" for k in ("p50", "p99", "max")))
    checks = [
        (f"p99 <= {TARGETS['p99'] * 1000:.0f} ms", engine["p99"] <= TARGETS["p99"]),
        (f"max <= {TARGETS['max'] * 1000:.0f} ms", engine["max"] <= TARGETS["max"]),
        (
            f"never early by more than {TARGETS['early'] * 1000:.0f} ms",
            engine["earliest"] >= -TARGETS["early"],
        ),
    ]
    print(
        "Engine targets: "
        + "; ".join(f"{text}: {'met' if ok else 'MISSED'}" for text, ok in checks)
    )

    hour, engine_points, naive_points = fake_hour()
    print()
    print(
        f"Fake clock: a {hour.total / 60:.0f} min routine, {len(hour.cues)} cues, "
        "every wake-up 0-5 ms late"
    )
    print(f"{'':26}{'first 10 min':>14}{'last 10 min':>14}{'growth':>10}")
    for name, points in (
        ("engine max lateness", engine_points),
        ("naive max lateness", naive_points),
    ):
        first = window_max(points, 0, 600)
        last = window_max(points, hour.total - 600, hour.total + 1)
        growth = last / first if first > 0 else float("inf")
        print(f"{name:26}{ms(first):>14}{ms(last):>14}{growth:>9.1f}x")


if __name__ == "__main__":
    main()
