"""How fast history, report and the history screen's data are with ten years of nightly use.

Builds a database of 3,650 sessions (8 steps each), 2,000 diary entries and
the morning check-ins of most quiet nights in a temporary folder, then times,
as the median of several runs:

* ``stretch-coach history``, ``history --json``, ``insight --json`` and
  ``report`` in each format, as separate processes, against the baseline of a
  bare Python start-up;
* :meth:`HistoryStore.overview` (all a history screen needs), in-process,
  against a bare ``SELECT count(*)`` over the same database.

Figures are printed as ratios to the baseline measured in the same run, with
the issue's targets (history and report under 0.5 s, the history screen's
data under 0.3 s) for comparison. One verdict can fail: ``insight --json``
(issue 15's comparison) must take at most the time of ``history --json`` on
the same data in the same run; the script exits 1 when it does not.

Run: ``python benchmarks/history_bench.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

NIGHTS = 3650
CRAMPS = 2000
STEPS = (
    "Wall calf stretch",
    "Bent-knee calf stretch",
    "Towel stretch",
    "Heel walking",
    "Ankle circles",
    "Hamstring stretch",
    "Quad stretch",
    "Rest",
)
#: Starts the CLI with every command module (a missing one is a failure).
CLI = "import sys\nfrom stretch_coach import cli\nraise SystemExit(cli.main(sys.argv[1:]))\n"


def populate(path: Path, seed: int = 1) -> None:
    """Ten years of nightly sessions and a diary, written in one transaction."""
    rng = random.Random(seed)
    zone = timezone(timedelta(hours=1))
    first = datetime(2015, 1, 1, 22, 0, tzinfo=zone)
    sessions: list[dict[str, Any]] = []
    for night in range(NIGHTS):
        started = first + timedelta(days=night, minutes=rng.randint(-60, 60))
        ending = rng.choices(("finished", "stopped", "in_progress"), (90, 6, 4))[0]
        count = len(STEPS) if ending == "finished" else rng.randint(1, len(STEPS) - 1)
        steps = [
            {
                "step_index": i,
                "name": STEPS[i],
                "outcome": "skipped" if rng.random() < 0.05 else "done",
                "seconds": 60.0,
                "at": started + timedelta(minutes=i + 1),
            }
            for i in range(count)
        ]
        sessions.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "routine_id": "bedtime",
                "title": "Bedtime calf stretch",
                "content_hash": "sha256:bench",
                "started_at": started,
                "planned_seconds": 480.0,
                "partial_seconds": 0.0,
                "ended_at": None if ending == "in_progress" else started + timedelta(minutes=9),
                "status": ending,
                "steps": steps,
            }
        )
    nights = sorted(rng.sample(range(NIGHTS), CRAMPS))
    cramps = []
    for night in nights:
        at = first + timedelta(days=night, hours=rng.randint(3, 8), minutes=rng.randint(0, 59))
        cramp = Cramp(
            at=at,
            duration_seconds=float(rng.randint(10, 900)),
            severity=rng.randint(0, 10),
            leg=rng.choice(("left", "right", "both")),
            muscle=rng.choice(("calf", "thigh", "foot")),
            woke=rng.random() < 0.6,
            symptoms=("tingling",) if rng.random() < 0.03 else (),
            uuid=str(uuid.UUID(int=rng.getrandbits(128))),
        )
        cramps.append({"cramp": cramp, "created_at": at, "updated_at": at, "deleted_at": None})
    cramp_nights = {(c["cramp"].at - timedelta(hours=12)).date() for c in cramps}
    checkins = []
    for night in range(NIGHTS):
        evening: date = (first + timedelta(days=night)).date()
        if evening not in cramp_nights and rng.random() < 0.8:  # most mornings answered
            stamp = first + timedelta(days=night + 1, hours=-14)
            checkins.append(
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                    "night": evening,
                    "answer": "none",
                    "created_at": stamp,
                    "updated_at": stamp,
                    "deleted_at": None,
                }
            )
    with HistoryStore.open(path) as store:
        store.merge(sessions, cramps, checkins)


def median_seconds(action: Any, runs: int) -> float:
    """The median wall time of ``action()`` over ``runs`` runs (after one warm-up)."""
    action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def command(env: dict[str, str], *argv: str) -> Any:
    def run() -> None:
        subprocess.run(
            [sys.executable, "-c", CLI, *argv], env=env, check=True, stdout=subprocess.DEVNULL
        )

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        db = data / "history.sqlite3"
        start = time.perf_counter()
        populate(db)
        print(
            f"built {NIGHTS} sessions, {CRAMPS} diary entries and the check-ins in "
            f"{time.perf_counter() - start:.1f} s ({db.stat().st_size / 1e6:.1f} MB)\n"
        )
        env = {**os.environ, "STRETCH_COACH_DATA_DIR": str(data)}

        startup = median_seconds(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs
        )
        print(f"baseline: python start-up {startup * 1000:.0f} ms")
        print(f"{'command':<32}{'median':>10}{'x start-up':>12}{'target':>9}")
        out = Path(folder) / "visit"
        timed: dict[str, float] = {}
        for argv in (
            ("history",),
            ("history", "--json"),
            ("insight", "--json"),
            ("report", "-o", f"{out}.md"),
            ("report", "--format", "html", "-o", f"{out}.html"),
            ("report", "--format", "json", "-o", f"{out}.json"),
            ("report", "--format", "csv", "-o", f"{out}.csv"),
        ):
            seconds = median_seconds(command(env, *argv), args.runs)
            timed[" ".join(argv)] = seconds
            print(
                f"{' '.join(a for a in argv if not a.startswith(str(out))):<32}"
                f"{seconds * 1000:>8.0f} ms{seconds / startup:>11.1f}x{'0.5 s':>9}"
            )

        conn = sqlite3.connect(db)
        count = median_seconds(
            lambda: conn.execute("SELECT count(*) FROM sessions").fetchone(), args.runs * 20
        )
        conn.close()
        with HistoryStore.open(db) as store:
            opened = median_seconds(lambda: HistoryStore.open(db).close(), args.runs)
            overview = median_seconds(store.overview, args.runs)
        print(f"\nbaseline: SELECT count(*) over sessions {count * 1e6:.0f} µs")
        print(f"{'in-process':<32}{'median':>10}{'x count(*)':>12}{'target':>9}")
        print(f"{'HistoryStore.open':<32}{opened * 1000:>8.1f} ms{opened / count:>11.0f}x{'':>9}")
        print(
            f"{'HistoryStore.overview':<32}{overview * 1000:>8.1f} ms"
            f"{overview / count:>11.0f}x{'0.3 s':>9}"
        )
    insight, history = timed["insight --json"], timed["history --json"]
    met = insight <= history
    print(
        f"\nverdict {'met' if met else 'MISSED'}: insight --json {insight * 1000:.0f} ms, "
        f"history --json {history * 1000:.0f} ms (goal: at most its time)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
