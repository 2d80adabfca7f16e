#!/usr/bin/env python3
"""Time from the command to the first frame of the routine library, against a minimal Textual app.

Three programs run in an 80x24 pseudo-terminal, in turn, ``--runs`` times
each; a run ends when the first routine's title has been drawn:

* the yardstick, the smallest useful Textual app: an ``OptionList`` of the
  same titles;
* the coach as it normally starts (*warm*): the library index an earlier
  start wrote is in the cache folder, so the list is drawn from it and the
  library is read after the first frame;
* the coach with no index (*cold*), as on its very first start or after a
  routine file changed: it reads the whole library before drawing (and writes
  the index afterwards, which the run does not wait for).

The figure that matters is the warm ratio of the medians (the issue asks for
at most 1.3), measured in one run on one machine; the cold one is shown so
that it can be watched too. Both programs start with their packages'
bytecode compiled, as installed packages have it.

Usage::

    python benchmarks/tui_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_pty import Terminal, coach_command, compile_package

MINIMAL_APP = """
import sys
from textual.app import App
from textual.widgets import OptionList

class Minimal(App):
    def compose(self):
        yield OptionList(*sys.argv[1:])

Minimal().run()
"""


def _first_frame(
    argv: list[str], env: dict[str, str], marker: str, until: Path | None = None
) -> float:
    """Seconds to ``marker``; with ``until``, the program is left running until that file exists."""
    term = Terminal(argv, env)
    try:
        seconds = term.wait_for(marker)
        deadline = time.monotonic() + 30
        while until is not None and not until.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{until} was never written")
            time.sleep(0.01)
        return seconds
    finally:
        term.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--limit", type=float, default=1.3, help="largest acceptable warm ratio")
    args = parser.parse_args()

    compile_package()  # both programs start with their bytecode, as installed ones do

    with tempfile.TemporaryDirectory() as home:
        env = {
            "STRETCH_COACH_CONFIG_DIR": f"{home}/config",
            "STRETCH_COACH_DATA_DIR": f"{home}/data",
            "STRETCH_COACH_CACHE_DIR": f"{home}/cache",
        }
        os.environ.update(env)
        from stretch_coach.catalog import index_path
        from stretch_coach.routine.library import default_library

        titles = [e.title for e in default_library().entries]
        marker = titles[0]
        coach = coach_command()
        minimal = [sys.executable, "-c", MINIMAL_APP, *titles]
        index = index_path()
        # A start that is left to finish writes the index for the warm runs.
        _first_frame(coach, env, marker, until=index)
        warm_index = index.read_bytes()
        times: dict[str, list[float]] = {"minimal": [], "warm": [], "cold": []}
        for _ in range(args.runs):
            times["minimal"].append(_first_frame(minimal, env, marker))
            index.write_bytes(warm_index)
            times["warm"].append(_first_frame(coach, env, marker))
            index.unlink(missing_ok=True)
            times["cold"].append(_first_frame(coach, env, marker))

    medians = {name: statistics.median(t) for name, t in times.items()}
    ratio = {name: medians[name] / medians["minimal"] for name in medians}
    print(f"command: {' '.join(coach[:2])}{' ...' if len(coach) > 2 else ''}")
    print(f"routines in the library: {len(titles)}")
    for name, label in (
        ("minimal", "minimal Textual app (OptionList)"),
        ("warm", "stretch-coach, library index warm"),
        ("cold", "stretch-coach, no library index "),
    ):
        print(
            f"{label}: median {medians[name] * 1000:4.0f} ms  (min {min(times[name]) * 1000:4.0f})"
            + (f"  ratio {ratio[name]:.2f}" if name != "minimal" else "")
        )
    verdict = "ok" if ratio["warm"] <= args.limit else "TOO SLOW"
    print(
        f"warm ratio {ratio['warm']:.2f} (limit {args.limit}): {verdict}; "
        f"cold ratio {ratio['cold']:.2f}"
    )
    return 0 if ratio["warm"] <= args.limit else 1


if __name__ == "__main__":
    raise SystemExit(main())
