#!/usr/bin/env python3
"""How long the history screen takes to open with ten years of nightly use.

Builds the same database as ``history_bench.py`` (3,650 sessions, 2,000 diary
entries), starts the coach in an 80x24 pseudo-terminal and times, as the
median of several runs, from typing ``h`` in the library to the history's
figures drawn on the terminal. The baseline, measured in the same run in the
same program, is typing ``?`` for the help screen: the cost of opening any
screen at all.

The issue's target is an absolute 0.3 s; the ratio says how much of that is
the history's own. Not a pass/fail test.

Run: ``python benchmarks/tui_history.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history_bench import CRAMPS, NIGHTS, populate
from tui_pty import Terminal, coach_command, compile_package

ESCAPE_SETTLE = 0.3  # a lone Escape is told from a key sequence by a short wait


def open_screen(term: Terminal, key: str, marker: str, back: str) -> float:
    """Seconds from typing ``key`` to ``marker`` drawn; then go back and wait for the library."""
    drawn = term.send(key)
    start = time.perf_counter() - term.started
    seconds = term.wait_for(marker, after=drawn) - start
    drawn = term.send("\x1b")
    term.wait_for(back, after=drawn)
    time.sleep(ESCAPE_SETTLE)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each (default 9)")
    args = parser.parse_args()

    compile_package()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        populate(data / "history.sqlite3")
        env = {
            "STRETCH_COACH_DATA_DIR": str(data),
            "STRETCH_COACH_CONFIG_DIR": f"{folder}/config",
            "STRETCH_COACH_CACHE_DIR": f"{folder}/cache",
        }
        term = Terminal(coach_command(), env, size=(80, 24))
        try:
            term.wait_for("Filter")
            time.sleep(1.0)  # the library settles (the sound check runs after its first frame)
            first = open_screen(term, "h", "sessions recorded", "Filter")
            help_times, history_times = [], []
            for _ in range(args.runs):
                help_times.append(open_screen(term, "?", "Keys: library", "Filter"))
                history_times.append(open_screen(term, "h", "sessions recorded", "Filter"))
        finally:
            term.stop()
    base, seconds = statistics.median(help_times), statistics.median(history_times)
    print(f"history: {NIGHTS} sessions, {CRAMPS} diary entries; 80x24 pseudo-terminal")
    print(f"baseline: the help screen                 median {base * 1000:6.1f} ms")
    print(f"history screen, first opening                    {first * 1000:6.1f} ms")
    print(
        f"history screen, opened again              median {seconds * 1000:6.1f} ms "
        f"(max {max(history_times) * 1000:.1f})"
    )
    worst = max(first, seconds)
    print(
        f"ratio {seconds / base:.1f}x the baseline; target: under 300 ms "
        f"({'ok' if worst < 0.3 else 'TOO SLOW'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
