"""Validate a folder of 1,000 generated routines; compare with yaml.safe_load of the same files.

Target (issue 2): the whole folder validated in under 2 s on the project's
machines. Printed as absolute figures and as a ratio to ``yaml.safe_load`` of
the same files, measured in the same run, so the figure means the same on a
slow or busy machine.

    python benchmarks/validate_library.py [--count 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

from stretch_coach.routine.library import Library

STEP_SHAPES = [
    (
        "  - name: Wall calf stretch {i}\n"
        "    instructions: Hands on the wall, one foot back, lean forward.\n"
        "    hold: 30s\n    reps: 2\n    rest: 10s\n    sides: [left, right]\n"
    ),
    "  - name: Heel raises {i}\n    reps: 10\n    tempo: 3s\n    sets: 2\n    set_rest: 20s\n",
    (
        "  - name: Easy cycling {i}\n    duration: 5m\n"
        "    prompts:\n      - at: 1m\n        say: Keep it easy\n"
    ),
    "  - name: Heel walking {i}\n    reps: 20\n",
    "  - rest: 30s\n",
    "  - name: Loosen your sheets {i}\n    instructions: Keep the covers loose over your feet.\n",
]


def make_routine(rng: random.Random, n: int) -> str:
    lines = [
        f"title: Generated routine {n}\n",
        "summary: A generated routine for the benchmark.\n",
        "tags: [bedtime, calf]\n",
        "caution:\n  - Stop if the stretch causes sharp pain.\n",
        "defaults:\n  prepare: 5s\n  switch: 5s\n",
        "steps:\n",
    ]
    while sum(part.count("\n") for part in lines) < rng.randint(30, 60):
        lines.append(rng.choice(STEP_SHAPES).format(i=len(lines)))
    return "".join(lines)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = 0
        for n in range(args.count):
            text = make_routine(rng, n)
            lines += text.count("\n")
            (folder / f"routine-{n:04d}.yaml").write_text(text, encoding="utf-8")
        files = sorted(folder.glob("*.yaml"))

        def baseline() -> None:
            for path in files:
                yaml.safe_load(path.read_text(encoding="utf-8"))

        def ours() -> None:
            library = Library.from_paths([folder])
            assert all(e.valid for e in library.entries), "generated routines must be valid"

        base = min(timed(baseline) for _ in range(args.repeat))
        mine = min(timed(ours) for _ in range(args.repeat))
    print(f"files: {args.count}, lines: {lines} ({lines / args.count:.0f} per file)")
    print(f"yaml.safe_load of the files:        {base:.3f} s")
    print(
        f"stretch-coach validate (full):      {mine:.3f} s  "
        f"(target < 2 s: {'ok' if mine < 2 else 'MISSED'})"
    )
    print(f"ratio validate / yaml.safe_load:    {mine / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
