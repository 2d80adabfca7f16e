#!/usr/bin/env python3
"""Time from the command to the first frame of the routine library, against a minimal Textual app.

Both programs run in an 80x24 pseudo-terminal, alternately, ``--runs`` times
each; a run ends when the first routine's title has been drawn. The
yardstick is the smallest useful Textual app: an ``OptionList`` of the same
titles. The figure that matters is the ratio of the medians (the issue asks
for at most 1.3), measured in one run on one machine.

Usage::

    python benchmarks/tui_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_pty import Terminal, coach_command

MINIMAL_APP = """
import sys
from textual.app import App
from textual.widgets import OptionList

class Minimal(App):
    def compose(self):
        yield OptionList(*sys.argv[1:])

Minimal().run()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--limit", type=float, default=1.3, help="largest acceptable ratio")
    args = parser.parse_args()

    from stretch_coach.routine.library import default_library

    with tempfile.TemporaryDirectory() as home:
        env = {
            "STRETCH_COACH_CONFIG_DIR": f"{home}/config",
            "STRETCH_COACH_DATA_DIR": f"{home}/data",
            "STRETCH_COACH_CACHE_DIR": f"{home}/cache",
        }
        import os

        os.environ.update(env)
        titles = [e.title for e in default_library().entries]
        marker = titles[0]
        coach = coach_command()
        minimal = [sys.executable, "-c", MINIMAL_APP, *titles]
        times: dict[str, list[float]] = {"coach": [], "minimal": []}
        for _ in range(args.runs):
            for name, argv in (("minimal", minimal), ("coach", coach)):
                term = Terminal(argv, env)
                try:
                    times[name].append(term.wait_for(marker))
                finally:
                    term.stop()
    coach_median = statistics.median(times["coach"])
    minimal_median = statistics.median(times["minimal"])
    ratio = coach_median / minimal_median
    print(f"command: {' '.join(coach[:2])}{' ...' if len(coach) > 2 else ''}")
    print(f"routines in the library: {len(titles)}")
    print(f"minimal Textual app (OptionList): median {minimal_median * 1000:.0f} ms  "
          f"(min {min(times['minimal']) * 1000:.0f})")
    print(f"stretch-coach library:            median {coach_median * 1000:.0f} ms  "
          f"(min {min(times['coach']) * 1000:.0f})")
    verdict = "ok" if ratio <= args.limit else "TOO SLOW"
    print(f"ratio {ratio:.2f} (limit {args.limit}): {verdict}")
    return 0 if ratio <= args.limit else 1


if __name__ == "__main__":
    raise SystemExit(main())
