"""``today`` with five programs followed and ten years of history, and ``show`` of a
52-stage program, each beside ``stretch-coach list`` in the same run.

Builds, in a temporary folder, a library of one routine and six programs (five
of 4 stages, followed, and one of 52 stages), and a history of 3,650 nightly
sessions played from the five programs (8 steps each) with 2,000 diary
entries. Then times, as separate processes and the median of ``--runs``
runs, interleaved so that a busy machine slows all alike:

* ``stretch-coach list`` (the baseline);
* ``stretch-coach today --json``;
* ``stretch-coach show big --json`` (the 52-stage program).

Goal (issue 14): each at most 1.5 times ``list``. The script prints the
ratios and a verdict, and exits 1 when a goal is missed.

    python benchmarks/programs_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from stretch_coach.history.store import HistoryStore

#: today / list and show / list, at most.
GOAL = 1.5
NIGHTS = 3650
PROGRAMS = 5
CLI = "import sys\nfrom stretch_coach import cli\nraise SystemExit(cli.main(sys.argv[1:]))\n"

ROUTINE = """title: Calf work
steps:
  - {name: Wall calf stretch, hold: 30s, reps: 2, rest: 10s, sides: [left, right]}
  - {name: Heel raises, reps: 10, tempo: 3s, sets: 2}
  - {name: Easy walking, duration: 2m}
  - {name: Heel walking, reps: 20}
"""


def program(title: str, stages: int) -> str:
    lines = [f"title: {title}\n", "program:\n", "  schedule: 3 per week\n", "  stages:\n"]
    for i in range(stages):
        lines.append(
            f"    - weeks: 1\n      routine: calf\n      change:\n"
            f"        Wall calf stretch: {{hold: {20 + i % 40}s, reps: {1 + i % 3}}}\n"
            f"        Heel raises: {{reps: {8 + i % 10}}}\n"
        )
    return "".join(lines)


def build(folder: Path) -> tuple[Path, Path]:
    """The library and the data folder."""
    library = folder / "library"
    library.mkdir()
    (library / "calf.yaml").write_text(ROUTINE, encoding="utf-8")
    for n in range(PROGRAMS):
        (library / f"p{n}.yaml").write_text(program(f"Program {n}", 4), encoding="utf-8")
    (library / "big.yaml").write_text(program("Fifty-two stages", 52), encoding="utf-8")
    data = folder / "data"
    first = date.today() - timedelta(days=NIGHTS)
    zone = timezone(timedelta(hours=1))
    sessions = []
    for night in range(NIGHTS):
        day = first + timedelta(days=night)
        at = datetime(day.year, day.month, day.day, 21, 30, tzinfo=zone)
        sessions.append(
            {
                "uuid": str(uuid.uuid4()),
                "routine_id": "calf",
                "title": "Calf work",
                "content_hash": "",
                "started_at": at,
                "ended_at": at + timedelta(minutes=8),
                "planned_seconds": 400.0,
                "partial_seconds": 0.0,
                "status": "finished",
                "planned_self_paced": 0,
                "program": (f"p{night % PROGRAMS}", night // 7 + 1, 1),
                "steps": [
                    {
                        "step_index": i,
                        "name": f"Step {i}",
                        "outcome": "done",
                        "seconds": 50.0,
                        "at": at + timedelta(minutes=i),
                        "kind": "timed",
                        "planned_seconds": 50.0,
                    }
                    for i in range(8)
                ],
            }
        )
    from stretch_coach.history.model import Cramp

    cramps = []
    for n in range(2000):
        at = datetime.combine(first + timedelta(days=n * NIGHTS // 2000), datetime.min.time())
        at = at.replace(hour=3, tzinfo=zone)
        cramps.append(
            {
                "cramp": Cramp(at=at, severity=n % 11, uuid=str(uuid.uuid4())),
                "created_at": at,
                "updated_at": at,
                "deleted_at": None,
            }
        )
    with HistoryStore.open(data / "history.sqlite3") as store:
        store.merge(sessions, cramps)
        for n in range(PROGRAMS):
            store.follow(f"p{n}", date.today() - timedelta(days=10 + n))
    return library, data


def verdict(ratios: dict[str, float], goal: float = GOAL) -> tuple[bool, str]:
    """Whether every ratio meets the goal, and the line that says so."""
    missed = [f"{name} {ratio:.2f}x" for name, ratio in ratios.items() if ratio > goal]
    if missed:
        return False, f"FAIL: above {goal}x list: {', '.join(missed)}"
    return True, f"ok: every command within {goal}x list"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        library, data = build(Path(folder))
        env = {
            **os.environ,
            "STRETCH_COACH_DATA_DIR": str(data),
            "STRETCH_COACH_CONFIG_DIR": str(Path(folder) / "config"),
            "STRETCH_COACH_CACHE_DIR": str(Path(folder) / "cache"),
            "STRETCH_COACH_LIBRARY": str(library),
        }
        commands = {
            "list": ["list"],
            "today --json": ["today", "--json"],
            "show big --json": ["show", "big", "--json"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(args.runs + 1):
            for name, cli_args in commands.items():
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", CLI, *cli_args],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                if run:  # the first round warms the caches
                    times[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(values) for name, values in times.items()}
        base = medians["list"]
        print(f"{'command':<20}{'median':>10}{'x list':>9}")
        for name, seconds in medians.items():
            print(f"{name:<20}{seconds * 1000:>8.0f} ms{seconds / base:>8.2f}x")
        ok, line = verdict({n: s / base for n, s in medians.items() if n != "list"})
        print(line)
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
