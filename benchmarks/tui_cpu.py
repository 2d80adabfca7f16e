#!/usr/bin/env python3
"""CPU and memory of the coach while a hold counts down.

Runs the coach in an 80x24 pseudo-terminal on a routine of one 2-minute hold
(no get-ready, no caution, audio off), waits until the hold is on screen, then
measures the process's CPU time over ``--seconds`` (default 30) and its peak
resident memory. The issue's limits: at most 3% of one core on average, and
under 100 MB.

Usage::

    python benchmarks/tui_cpu.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_pty import Terminal, coach_command, proc_cpu_seconds, proc_peak_rss_mb

ROUTINE = """\
title: CPU benchmark hold
steps:
  - name: Long calf hold
    instructions: Hold the stretch and breathe slowly.
    prepare: 0
    hold: 2m
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cpu-limit", type=float, default=3.0, help="percent of one core")
    parser.add_argument("--memory-limit", type=float, default=100.0, help="MiB")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        routine = Path(home) / "cpu-hold.yaml"
        routine.write_text(ROUTINE)
        config = Path(home) / "config"
        config.mkdir()
        (config / "settings.toml").write_text('audio = "none"\nvoice = false\n')
        env = {
            "STRETCH_COACH_CONFIG_DIR": str(config),
            "STRETCH_COACH_DATA_DIR": f"{home}/data",
            "STRETCH_COACH_CACHE_DIR": f"{home}/cache",
        }
        argv = coach_command(str(routine))
        term = Terminal(argv, env)
        try:
            term.wait_for("Long calf hold")
            time.sleep(1.0)  # past the start-up work
            pid = term.process.pid
            cpu0, t0 = proc_cpu_seconds(pid), time.monotonic()
            time.sleep(args.seconds)
            cpu1, t1 = proc_cpu_seconds(pid), time.monotonic()
            peak = proc_peak_rss_mb(pid)
            still_counting = term.process.poll() is None
        finally:
            term.stop()
    percent = 100 * (cpu1 - cpu0) / (t1 - t0)
    print(f"command: {' '.join(argv[:2])}{' ...' if len(argv) > 2 else ''}")
    print(
        f"CPU while a hold counts down: {percent:.2f}% of one core over {t1 - t0:.0f} s "
        f"(limit {args.cpu_limit}%)"
    )
    print(f"peak memory (VmHWM): {peak:.1f} MiB (limit {args.memory_limit:.0f} MiB)")
    ok = still_counting and percent <= args.cpu_limit and peak < args.memory_limit
    print("ok" if ok else "OVER THE LIMIT" if still_counting else "the coach exited early")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
