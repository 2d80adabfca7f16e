"""Validate a folder of 1,000 generated routines; compare with yaml.CSafeLoader on the same files.

The loader parses with libyaml (``yaml.CSafeLoader``'s parser) and builds its
own located values, then checks every rule of the format. The baseline is the
same parser building plain values (``yaml.load(text, Loader=yaml.CSafeLoader)``)
from the same files, read the same way (bytes, decoded as UTF-8), in the same
run, interleaved, best of ``--repeat``; both are timed in CPU time of this
process, so that a machine busy with other work slows both alike and the
ratio means the same on a slow or busy machine.

Goal (issue 16): validate at most 1.5 times CSafeLoader on 1,000 files. The
script prints the ratio and a verdict, and exits 1 when the goal is missed.

Where the time goes (``--profile``; session 4, a quiet moment): reading the
YAML into located values costs about what CSafeLoader does (1.05x: libyaml's
events, and one Python step per event, against its nodes and constructor);
the rest is the format's checks (a step's keys, kinds, texts and durations),
building each Step, and the library's cautions and plans. Taken back so far:
Steps built without a frozen ``__setattr__`` per field, texts without a
control character checked in one search, and each file's path resolved once.

    python benchmarks/validate_library.py [--count 1000] [--repeat 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from stretch_coach.routine.library import Library

#: validate / CSafeLoader, at most.
GOAL = 1.5

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
    """A valid routine of 30 to 60 lines (the number drawn once per file)."""
    lines = [
        f"title: Generated routine {n}\n",
        "summary: A generated routine for the benchmark.\n",
        "tags: [bedtime, calf]\n",
        "caution:\n  - Stop if the stretch causes sharp pain.\n",
        "defaults:\n  prepare: 5s\n  switch: 5s\n",
        "steps:\n",
    ]
    target = rng.randint(30, 60)
    count = sum(part.count("\n") for part in lines)
    while count < target:
        part = rng.choice(STEP_SHAPES).format(i=len(lines))
        lines.append(part)
        count += part.count("\n")
    return "".join(lines)


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds ``fn`` takes (both sides are single-threaded and CPU-bound)."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where validate's time goes")
    args = parser.parse_args(argv)
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
                yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)

        def ours() -> None:
            library = Library.from_paths([folder])
            assert all(e.valid for e in library.entries), "generated routines must be valid"

        # Interleaved, best of each: both see the same machine.
        base, mine = [], []
        for _ in range(args.repeat):
            base.append(timed(baseline))
            mine.append(timed(ours))
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(ours)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    ratio = min(mine) / min(base)
    met = ratio <= GOAL
    print(f"files: {args.count}, lines: {lines} ({lines / args.count:.0f} per file)")
    print(f"yaml.load(CSafeLoader) of the files:  {min(base):.3f} s CPU")
    print(f"stretch-coach validate (full):        {min(mine):.3f} s CPU")
    print(
        f"ratio validate / CSafeLoader:         {ratio:.2f}  "
        f"(goal <= {GOAL}: {'met' if met else 'MISSED'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
