"""Small fixtures shared by the test layers: routines from YAML text, and the worked example."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.routine.library import Library
from stretch_coach.timeline import Timeline, timeline_for

#: The format page's worked example (185 s timed, plus 1 self-paced step).
EXAMPLE_ROUTINE = """\
title: Bedtime calf stretch
summary: Lengthen both calves before sleep to ease night cramps.
tags: [bedtime, calf]
source: NHS guidance on leg cramps
caution:
  - Stop if the stretch causes sharp pain.
defaults:
  prepare: 5s
steps:
  - name: Wall calf stretch
    instructions: Hands on the wall, one foot back, heel down, lean forward.
    hold: 30s
    reps: 2
    rest: 10s
    sides: [left, right]
  - name: Heel raises
    reps: 10
    tempo: 3s
  - name: Loosen your sheets
    instructions: Keep the covers loose over your feet.
"""


@pytest.fixture
def example_yaml() -> str:
    """The format page's worked example, as YAML text."""
    return EXAMPLE_ROUTINE


@pytest.fixture
def make_timeline(tmp_path: Path) -> Callable[..., Timeline]:
    """Build the timeline of a routine given as YAML text.

    ``others`` maps file names to the text of routines written beside it (for
    includes). Texts are dedented.
    """

    def make(text: str, others: dict[str, str] | None = None) -> Timeline:
        folder = tmp_path / "routines"
        folder.mkdir(exist_ok=True)
        for name, other in (others or {}).items():
            (folder / name).write_text(textwrap.dedent(other), encoding="utf-8")
        path = folder / "routine.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return timeline_for(Library.from_paths([folder]).find(str(path)))

    return make


def _play(
    session: Session,
    clock: FakeClock,
    *,
    late: float = 0.0,
    on_wait: Callable[[Session], None] = Session.done,
) -> None:
    if session.status == "ready":
        session.start()
    while not session.ended:
        deadline = session.next_deadline()
        if deadline is None:
            assert session.status == "waiting"
            on_wait(session)
            continue
        clock.set(deadline + late)
        session.update()


@pytest.fixture
def play() -> Callable[..., None]:
    """Play a session on a fake clock to its end, waking at each deadline (``late`` after it).

    Untimed steps end at once (or as ``on_wait(session)`` decides).
    """
    return _play


#: The core's coverage floor, in percent, for a run of the whole suite or of
#: tests/unit (what .ci/run traces). Issue 16 asks for 95 or more. Measured
#: 2026-12-02 on a fresh clone: tests/unit covers 95.10% of the core (517 of
#: 10,542 statements missed), two runs one line apart. New core code comes
#: with its tests: the slack is about ten lines.
CORE_COVERAGE_FLOOR = 95.0


def pytest_configure(config: pytest.Config) -> None:
    """Fail the run under the core's coverage floor: the whole suite, or tests/unit alone.

    A run of some files, or with ``-k``, ``-m`` or ``--lf``, covers only part
    of the core by design: it prints the table but does not fail on it.
    """
    # The whole suite, or its core half (tests/unit: what .ci/run traces).
    core = [Path(arg).resolve() for arg in config.args] == [
        Path(__file__).resolve().parent / "unit"
    ]
    whole = (
        (config.args_source == pytest.Config.ArgsSource.TESTPATHS or core)
        and not config.option.keyword
        and not config.option.markexpr
        and not getattr(config.option, "lf", False)
    )
    cov = config.pluginmanager.getplugin("_cov")  # pytest-cov's plugin, when --cov is on
    if whole and cov is not None and getattr(cov, "options", None) is not None:
        cov.options.cov_fail_under = CORE_COVERAGE_FLOOR


#: In CI (``.ci/run`` sets it) a test whose system tool is missing fails instead of skipping.
REQUIRE_TOOLS = os.environ.get("STRETCH_COACH_REQUIRE_TOOLS") == "1"


def _require(available: bool, what: str) -> None:
    if available:
        return
    if REQUIRE_TOOLS:
        pytest.fail(f"{what} is required (STRETCH_COACH_REQUIRE_TOOLS=1) but not installed")
    pytest.skip(f"{what} is not installed")


@pytest.fixture
def require() -> Callable[[bool, str], None]:
    """``require(available, what)``: skip without a system tool, or fail in CI.

    For tools ``.ci/run`` installs (tmux, aplay, espeak-ng, tzdata): with
    ``STRETCH_COACH_REQUIRE_TOOLS=1`` a missing one is a failure, so a test
    cannot pass by not running.
    """
    return _require


@pytest.fixture
def cli_argv() -> list[str]:
    """How to start ``stretch-coach`` in a child process."""
    return [sys.executable, "-m", "stretch_coach"]


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a hermetic child process: its own config, data and cache."""
    env = dict(os.environ)
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"STRETCH_COACH_{var}_DIR"] = str(tmp_path / "home" / var.lower())
    env.pop("STRETCH_COACH_LIBRARY", None)
    return env
