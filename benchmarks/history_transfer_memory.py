"""Peak memory of ``stretch-coach import`` and ``export`` beside the file's size.

Issue 11: a 100 MB import peaked at 573 MB and the export of the same history
at 938 MB. Both now stream a record at a time; the goal is a peak under 1.5x
the file's size. Each command runs in a process of its own (the installed
entry point's code, through ``python -m stretch_coach``), and its peak
resident memory is read from the kernel when it ends (``wait4``), so the
figure is what the person's machine would see, Python itself included.

    python benchmarks/history_transfer_memory.py [--megabytes 100] [--keep DIR]

Prints the file's size, each peak and its ratio to the size, and a verdict;
exits 1 if a ratio misses the goal.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

GOAL = 1.5


def write_export(path: Path, megabytes: float) -> tuple[int, int]:
    """An export file of about ``megabytes``: nights of sessions and a cramp every third night."""
    target = megabytes * 1_000_000
    start = datetime(1990, 1, 1, 21, 0, tzinfo=UTC)
    sessions = cramps = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{\n  "format": "stretch-coach-history",\n  "version": 1,\n'
            '  "exported_at": "2024-01-01T00:00:00+00:00",\n'
            '  "exported_by": "benchmark",\n  "sessions": ['
        )
        # Sessions every 2 hours and cramps every 3 from 1990 stay in the past up to 250 MB.
        moment = start
        while out.tell() < target * 0.85:
            steps = [
                {
                    "seq": n + 1,
                    "step_index": n,
                    "name": f"Wall calf stretch {n}",
                    "outcome": "done",
                    "seconds": 30.0,
                    "at": (moment + timedelta(seconds=30 * (n + 1))).isoformat(),
                }
                for n in range(6)
            ]
            record = {
                "uuid": str(uuid.uuid4()),
                "routine_id": "bedtime-calf-stretch",
                "title": "Bedtime calf stretch",
                "content_hash": "sha256:" + "0" * 64,
                "started_at": moment.isoformat(),
                "ended_at": (moment + timedelta(minutes=4)).isoformat(),
                "planned_seconds": 240.0,
                "partial_seconds": 0.0,
                "status": "finished",
                "steps": steps,
            }
            text = json.dumps(record, indent=2).replace("\n", "\n    ")
            out.write(("\n    " if sessions == 0 else ",\n    ") + text)
            sessions += 1
            moment += timedelta(hours=2)
        out.write('\n  ],\n  "cramps": [')
        moment = start
        while out.tell() < target:
            stamp = moment.isoformat(timespec="microseconds")
            record = {
                "uuid": str(uuid.uuid4()),
                "at": moment.isoformat(),
                "duration_seconds": 90.0,
                "severity": 5,
                "leg": "left",
                "muscle": "calf",
                "woke": True,
                "symptoms": ["numbness"],
                "note": "woke at night, walked it off",
                "created_at": stamp,
                "updated_at": stamp,
                "deleted_at": None,
            }
            text = json.dumps(record, indent=2).replace("\n", "\n    ")
            out.write(("\n    " if cramps == 0 else ",\n    ") + text)
            cramps += 1
            moment += timedelta(hours=3)
        out.write("\n  ]\n}\n")
    return sessions, cramps


def peak_of(argv: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """Run ``stretch-coach ARGV``; its peak resident bytes, seconds taken and output."""
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "stretch_coach", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"stretch-coach {' '.join(argv)} failed:\n{output}")
    return usage.ru_maxrss * 1024, time.perf_counter() - began, output.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0, help="import file size")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "history-export.json"
        sessions, cramps = write_export(source, args.megabytes)
        size = source.stat().st_size
        env = {
            **os.environ,
            "STRETCH_COACH_DATA_DIR": str(folder / "data"),
            "STRETCH_COACH_CONFIG_DIR": str(folder / "config"),
            "STRETCH_COACH_CACHE_DIR": str(folder / "cache"),
        }
        print(f"file: {size / 1e6:.1f} MB ({sessions} sessions, {cramps} diary entries)")
        base, _, _ = peak_of(["--version"], env)
        print(f"python and stretch-coach at rest: {base / 1e6:.0f} MB")

        verdicts = []
        imported, seconds, output = peak_of(["import", str(source)], env)
        print(output)
        verdicts.append(("import", imported, size, seconds))
        again = folder / "again.json"
        exported, seconds, output = peak_of(["export", str(again)], env)
        print(output)
        verdicts.append(("export", exported, again.stat().st_size, seconds))

    missed = False
    for name, peak, file_size, seconds in verdicts:
        ratio = peak / file_size
        ok = ratio < GOAL
        missed |= not ok
        print(
            f"{name}: peak {peak / 1e6:.0f} MB for a {file_size / 1e6:.1f} MB file = "
            f"{ratio:.2f}x the file's size (goal: under {GOAL}x) in {seconds:.1f} s: "
            f"{'met' if ok else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
