"""How late do cues fire? The engine's deadline scheduling against the asyncio floor.

Run from a checkout (``.venv/bin/python benchmarks/engine_lateness.py``):

1. Real clock, under load: a routine of at least 60 s and 100 cues (75 s,
   110 cues; ``--quick``: one block, 38 s and 55 cues, enough that p99 is
   not the max) played by :class:`~stretch_coach.engine.driver.AsyncDriver`
   while two busy-loop processes keep the CPUs busy. At the same time, each
   in its own process, the same cue offsets are played by bare asyncio
   sleeping to each offset (the floor this machine allows an asyncio program
   in this very run) and by a naive loop, the way a first attempt would
   (``sleep(1)``, count a tick, fire what the count says is due). Lateness is
   measured the same way for all: the time since the start when the cue
   fired, minus its planned offset. The cues sit at offsets that are *not*
   whole seconds after any segment start (holds of 4.3 s with their 3-2-1
   countdowns at 1.3, 2.3 and 3.3 s, prepares of 4.7 and 1.7 s, paced reps of
   0.55 s), so a scheduler that only wakes at segment ends or once a second
   is caught.
2. Fake clock, 60 minutes: every wake-up is 0-5 ms late (a busy machine).
   The engine schedules by deadlines on one clock, so its lateness stays
   bounded by one wake-up's; the naive loop adds each tick's delay to the
   next, so its lateness grows with the length of the routine.

The verdict (exit status 1 when missed), for the engine in the same run:
p99 <= 10 ms and max <= 20 ms; p99 at most 5 ms and max at most 10 ms above
the asyncio floor's; never early by more than 1 ms.

``--self-test`` shows the verdict can fail: on one asyncio loop, beside the
floor, it plays a short routine with the real engine (which must pass) and
with two deliberately coarse schedulers built here, without touching the
engine (which must both fail): a driver that polls once a second, and a
session whose wake-ups ignore the next cue's deadline (as if the line
``due = min(due, ...cues[...].at)`` were gone from ``next_deadline``). They
are judged against the floor only, so a busy machine cannot decide.
It exits 0 when the verdict tells them apart, 1 otherwise.
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
from stretch_coach.engine.clock import Clock, FakeClock, MonotonicClock
from stretch_coach.engine.driver import AsyncDriver
from stretch_coach.engine.session import WAKE_INTERVAL, Session
from stretch_coach.routine.library import Library, timeline_of
from stretch_coach.timeline import Timeline

#: One block of routine, 37.5 s with 55 cues, none of them a whole
#: number of seconds after its segment's start unless it is at the start: a
#: prepare of 4.7 s (countdown at 1.7, 2.7, 3.7 s), holds of 4.3 s (countdown
#: at 1.3, 2.3, 3.3 s), a 0.5 s rest, a prepare of 1.7 s, then paced reps of
#: 0.55 s.
BLOCK = """\
  - name: Calf hold {n}
    hold: 4.3s
    reps: 2
    rest: 0.5s
    prepare: 4.7s
  - name: Heel raises {n}
    reps: 40
    tempo: 0.55s
    prepare: 1.7s
"""
#: The short routine of the self-test: 4.3 s, cues at 0, 1.3, 2.3, 3.3, 4.3 s
#: and a 1.7 s prepare before it.
SELF_TEST_STEPS = """\
  - name: Calf hold
    hold: 4.3s
    prepare: 1.7s
"""
BUSY_PROCESSES = 2
#: Absolute targets for the engine, in seconds.
TARGETS = {"p99": 0.010, "max": 0.020, "early": 0.001}
#: How far above the same run's asyncio floor the engine may be, in seconds.
OVER_FLOOR = {"p99": 0.005, "max": 0.010}
#: Cues the real-clock run needs at least, so that p99 is not the max: with
#: :func:`percentile`'s nearest rank, 52 is the fewest for which p99 is not
#: the last value.
MIN_CUES = {"quick": 52, "full": 100}


def _routine(steps: str) -> Timeline:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text("title: Benchmark\nsteps:\n" + steps, encoding="utf-8")
        return timeline_of(Library.from_paths([path]).find(str(path)))


def _timeline(blocks: int) -> Timeline:
    return _routine("".join(BLOCK.format(n=n) for n in range(1, blocks + 1)))


def make_timeline(seconds: float, cues: int = 0) -> Timeline:
    """A routine of at least ``seconds`` and ``cues`` cues, built from :data:`BLOCK`."""
    one = _timeline(1)
    return _timeline(max(math.ceil(seconds / one.total), math.ceil(cues / len(one.cues)), 1))


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


def verdict(
    engine: dict[str, float], floor: dict[str, float], absolute: bool = True
) -> list[tuple[str, bool]]:
    """Each check of the engine's figures against the targets and the same run's floor.

    ``absolute=False`` leaves out the absolute targets, which a loaded
    machine can miss for the floor itself (the self-test judges the
    scheduler, not the machine).
    """
    absolute_checks = [
        (f"p99 <= {TARGETS['p99'] * 1000:.0f} ms", engine["p99"] <= TARGETS["p99"]),
        (f"max <= {TARGETS['max'] * 1000:.0f} ms", engine["max"] <= TARGETS["max"]),
    ]
    return [
        *(absolute_checks if absolute else []),
        (
            f"p99 <= floor + {OVER_FLOOR['p99'] * 1000:.0f} ms",
            engine["p99"] <= floor["p99"] + OVER_FLOOR["p99"],
        ),
        (
            f"max <= floor + {OVER_FLOOR['max'] * 1000:.0f} ms",
            engine["max"] <= floor["max"] + OVER_FLOOR["max"],
        ),
        (
            f"never early by more than {TARGETS['early'] * 1000:.0f} ms",
            engine["earliest"] >= -TARGETS["early"],
        ),
    ]


def met(checks: list[tuple[str, bool]]) -> bool:
    return all(ok for _, ok in checks)


def verdict_line(checks: list[tuple[str, bool]]) -> str:
    return "; ".join(f"{text}: {'met' if ok else 'MISSED'}" for text, ok in checks)


# -- real clock -----------------------------------------------------------------------


class NoCueDeadline(Session):
    """A broken scheduler, for the self-test: wake-ups ignore the next cue's deadline.

    As if ``due = min(due, self.timeline.cues[self._cue_i].at)`` were gone from
    :meth:`Session.next_deadline`: the driver wakes at the segment's end or
    after :data:`WAKE_INTERVAL`, whichever is first. Built from the session's
    public reading so the engine itself is never edited.
    """

    def next_deadline(self) -> float | None:
        if super().next_deadline() is None:
            return None
        remaining = self.state().segment_remaining
        assert remaining is not None
        wake = min(WAKE_INTERVAL, self.gap_threshold / 2)
        return self.clock.now() + min(remaining, wake)


class PollingDriver(AsyncDriver):
    """A broken scheduler, for the self-test: update once a second, whatever is due."""

    async def run(self) -> None:
        session = self.session
        while not session.ended:
            session.update()
            if session.ended:
                break
            await asyncio.sleep(1.0)


#: The schedulers the self-test plays: (session class, driver class), and
#: whether the verdict must pass.
SCHEDULERS: dict[str, tuple[type[Session], type[AsyncDriver], bool]] = {
    "engine (AsyncDriver)": (Session, AsyncDriver, True),
    "broken: no cue deadline": (NoCueDeadline, AsyncDriver, False),
    "broken: polls once a second": (Session, PollingDriver, False),
}


async def play_engine(
    timeline: Timeline,
    session_class: type[Session] = Session,
    driver_class: type[AsyncDriver] = AsyncDriver,
    clock: Clock | None = None,
) -> list[float]:
    """Play ``timeline`` on the real clock; each cue's lateness (measured position - plan)."""
    clock = clock or MonotonicClock()
    lateness: list[float] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.CueFired):
            lateness.append(event.t - event.cue.at)

    session = session_class(timeline, clock, listeners=[listen])
    driver = driver_class(session, clock)
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


async def floor(offsets: list[float]) -> list[float]:
    """The floor: bare asyncio sleeping to each offset from one start, no engine at all."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    lateness = []
    for at in offsets:
        await asyncio.sleep(max(start + at - loop.time(), 0.0))
        lateness.append(loop.time() - start - at)
    return lateness


def floor_worker(offsets: list[float]) -> list[float]:
    """The floor in a process of its own."""
    return asyncio.run(floor(offsets))


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


def real_clock(
    seconds: float, cues: int, own_session: bool
) -> tuple[Timeline, dict[str, dict[str, float]]]:
    """Engine, naive loop and asyncio floor, all at once under the same load."""
    timeline = make_timeline(seconds, cues)
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
            out, _ = proc.communicate(timeout=timeline.total + 60)
            results[name] = summary(json.loads(out))
    finally:
        children: list[subprocess.Popen[Any]] = [*busy, *others.values()]
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return timeline, results


# -- self-test -------------------------------------------------------------------------


async def _self_test_run(timeline: Timeline) -> dict[str, list[float]]:
    offsets = [cue.at for cue in timeline.cues]
    # All on one loop from one start: the floor and the schedulers see the same delays.
    names = list(SCHEDULERS)
    results = await asyncio.gather(
        floor(offsets),
        *(play_engine(timeline, *SCHEDULERS[name][:2]) for name in names),
    )
    return dict(zip(["asyncio.sleep floor", *names], results, strict=True))


def self_test() -> int:
    """Show that the verdict passes the engine and fails two coarse schedulers."""
    timeline = _routine(SELF_TEST_STEPS)
    offsets = ", ".join(f"{cue.at:g}" for cue in timeline.cues)
    print(f"Self-test: a {timeline.total:g} s routine, cues at {offsets} s, no load")
    runs = asyncio.run(_self_test_run(timeline))
    floor_figures = summary(runs.pop("asyncio.sleep floor"))
    print(f"{'':30}{'p50':>12}{'p99':>12}{'max':>12}{'earliest':>12}")
    print(f"{'asyncio.sleep floor':30}" + "".join(f"{ms(floor_figures[k]):>12}" for k in COLUMNS))
    right = True
    for name, lateness in runs.items():
        figures = summary(lateness)
        print(f"{name:30}" + "".join(f"{ms(figures[k]):>12}" for k in COLUMNS))
        passed = met(verdict(figures, floor_figures, absolute=False))
        expected = SCHEDULERS[name][2]
        right = right and passed == expected and len(lateness) == len(timeline.cues)
        print(
            f"{'':30}verdict {'met' if passed else 'MISSED'} "
            f"(should be {'met' if expected else 'MISSED'}): "
            + ("ok" if passed == expected else "WRONG")
        )
    print("Self-test: " + ("the verdict tells them apart" if right else "FAILED"))
    return 0 if right else 1


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


COLUMNS = ("p50", "p99", "max", "earliest")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one block (about 38 s, 55 cues) instead of 75 s and 110 cues",
    )
    parser.add_argument(
        "--same-session",
        action="store_true",
        help="start the busy loops in this process's session (harsher: on Linux with "
        "autogroup scheduling they then compete with the engine as one group)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="show that the verdict fails deliberately coarse schedulers (about 6 s)",
    )
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    if args.self_test:
        return self_test()

    seconds, cues = (0.0, MIN_CUES["quick"]) if args.quick else (60.0, MIN_CUES["full"])
    timeline, results = real_clock(seconds, cues, own_session=not args.same_session)
    where = "this session" if args.same_session else "their own session, as other programs are"
    print(
        f"Real clock: a {timeline.total:.1f} s routine, {len(timeline.cues)} cues "
        f"(p99 is the {round(0.99 * (len(timeline.cues) - 1)) + 1}th), "
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
        print(f"{label:26}" + "".join(f"{ms(figures[k]):>12}" for k in COLUMNS))
    engine, naive, floor_figures = results["engine"], results["naive"], results["floor"]
    over = {k: engine[k] - floor_figures[k] for k in ("p50", "p99", "max")}
    print(f"{'engine - floor':26}" + "".join(f"{ms(over[k]):>12}" for k in ("p50", "p99", "max")))
    ratios = {
        k: naive[k] / engine[k] if engine[k] > 0 else float("inf") for k in ("p50", "p99", "max")
    }
    print(f"{'naive / engine':26}" + "".join(f"{ratios[k]:>11.0f}x" for k in ("p50", "p99", "max")))
    checks = verdict(engine, floor_figures)
    print("Engine verdict: " + verdict_line(checks))

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

    print()
    print("Verdict: " + ("met" if met(checks) else "MISSED"))
    return 0 if met(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
