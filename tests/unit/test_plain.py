"""The plain runner: its lines, and ``stretch-coach run --plain`` as a process
without a terminal."""

from __future__ import annotations

import errno
import inspect
import io
import json
import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.plain import PlainView, phase_line, status_line
from stretch_coach.routine.library import Library
from stretch_coach.settings import Settings
from stretch_coach.timeline import Timeline, timeline_for

#: The session's default gap threshold, which the plain runner keeps.
GAP_THRESHOLD: float = inspect.signature(Session).parameters["gap_threshold"].default

#: About 4.3 s with no prepare: every timed kind, a manual step, a silent cue.
SHORT = """\
title: Short one
caution:
  - Stop if it hurts.
defaults:
  prepare: 0
cues:
  rep: none
steps:
  - name: Calf stretch
    instructions: Lean on the wall.
    hold: 0.5s
    reps: 2
    rest: 0.3s
    sides: [left, right]
    switch: 0.3s
  - name: Loosen your sheets
  - name: Heel raises
    reps: 3
    tempo: 0.3s
  - name: March
    duration: 0.5s
"""


# -- lines ------------------------------------------------------------------------------


def test_the_example_reads_as_one_line_per_phase(
    make_timeline: Callable[..., Timeline], example_yaml: str, play: Callable[..., None]
) -> None:
    timeline = make_timeline(example_yaml)
    clock = FakeClock()
    session = Session(timeline, clock)
    out = io.StringIO()
    session.add_listener(PlainView(session, out, live=False, terminal_keys=True))
    play(session, clock)
    assert out.getvalue().splitlines() == [
        "Get ready: Wall calf stretch, left side, 5 s",
        "  Hands on the wall, one foot back, heel down, lean forward.",
        "Hold 30 s (1/2)",
        "Rest 10 s",
        "Hold 30 s (2/2)",
        "Switch sides: right, 5 s",
        "Hold 30 s (1/2)",
        "Rest 10 s",
        "Hold 30 s (2/2)",
        "Get ready: Heel raises, 5 s",
        "Heel raises: 10 reps, 3 s each",
        "Loosen your sheets — press Enter when done",
        "  Keep the covers loose over your feet.",
        "Finished: 3:05 of 3:05",
    ]
    assert "\r" not in out.getvalue()


def test_phase_lines_for_the_other_kinds(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(
        """\
        title: K
        steps:
          - name: Easy cycling
            duration: 5m
          - name: Heel walking
            reps: 20
            sides: [left, right]
          - rest: 30s
          - name: Breathe
            rest: 20s
          - name: Bend
            hold: 10s
            sets: 2
            set_rest: 15s
            prepare: 0
        """
    )
    lines = [phase_line(s, timeline, terminal=True) for s in timeline.segments]
    assert lines == [
        "Get ready: Easy cycling, 5 s",
        "Easy cycling: 5 min",
        "Heel walking, left side: 20 reps at your own pace — "
        "press c to count each, Enter when done",
        "Heel walking, right side: 20 reps at your own pace — "
        "press c to count each, Enter when done",
        "Rest 30 s",
        "Breathe: 20 s",
        "Hold 10 s (set 1/2)",
        "Rest 15 s before set 2/2",
        "Hold 10 s (set 2/2)",
    ]
    manual = make_timeline("title: M\nsteps:\n  - name: Loosen your sheets\n")
    assert phase_line(manual.segments[0], manual, terminal=False) == (
        "Loosen your sheets — send an empty line when done"
    )


def test_a_hold_without_prepare_still_names_its_step(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(
        "title: H\nsteps:\n  - name: Calf stretch\n    hold: 5s\n    prepare: 0\n"
        "    sides: [left, right]\n"
    )
    clock = FakeClock()
    session = Session(timeline, clock)
    out = io.StringIO()
    session.add_listener(PlainView(session, out, live=False, terminal_keys=True))
    play(session, clock)
    assert out.getvalue().splitlines()[:2] == ["Calf stretch, left side", "Hold 5 s"]


def test_the_live_line(make_timeline: Callable[..., Timeline], example_yaml: str) -> None:
    timeline = make_timeline(example_yaml)
    clock = FakeClock()
    session = Session(timeline, clock)
    session.start()
    for _ in range(31):
        clock.advance(0.4)  # small steps: one jump of 12.4 s would be a gap
        session.update()
    assert (
        status_line(session.state())
        == "  Hold 0:23 · step 1/3 · 2:53 + 1 self-paced left · next: Rest 10 s"
    )
    session.pause()
    assert status_line(session.state()).startswith("  Paused · Hold 0:23")


def test_the_live_line_is_only_rewritten_when_it_changes(
    make_timeline: Callable[..., Timeline], example_yaml: str
) -> None:
    timeline = make_timeline(example_yaml)
    clock = FakeClock()
    session = Session(timeline, clock)
    out = io.StringIO()
    view = PlainView(session, out, live=True, terminal_keys=True)
    session.add_listener(view)
    session.start()
    before = out.getvalue()
    view.redraw()
    view.redraw()
    assert out.getvalue() == before
    clock.advance(1.0)
    view.redraw()
    assert (
        out.getvalue()[len(before) :]
        == "\r  Get ready 0:04 · step 1/3 · 3:04 + 1 self-paced left · next: Hold 30 s\x1b[K"
    )
    view.line("Paused")
    assert out.getvalue().endswith(
        "\r\x1b[KPaused\n"
        "\r  Get ready 0:04 · step 1/3 · 3:04 + 1 self-paced left · next: Hold 30 s\x1b[K"
    )


# -- the command, without a terminal ------------------------------------------------------


@pytest.fixture
def short(write: Callable[..., Path]) -> Path:
    return write("short.yaml", SHORT)


@pytest.fixture
def run_plain(
    cli_argv: list[str], child_env: dict[str, str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``stretch-coach run ARGS`` to its end (stdin: the given text, else nothing)."""

    def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli_argv, "run", *args],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=child_env,
            timeout=30,
            check=False,
        )

    return run


def test_without_a_terminal_it_writes_plain_lines_and_a_cue_log(
    tmp_path: Path, short: Path, run_plain: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    log = tmp_path / "cues.jsonl"
    result = run_plain([str(short), "--plain", "--audio", "none", "--cue-log", str(log)])
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    assert result.stdout.splitlines() == [
        "Short one — 4.3 s, plus 1 self-paced step",
        "Caution: Stop if it hurts.",
        (
            "Input is not a terminal: reading commands from it, one a line (empty line: done, "
            "p: pause/resume, n or next: next part (in a pause: start now), s or skip: skip "
            "step, b or back: back a part, a or previous: back a step, r: restart, c: count a "
            "rep, q: quit). "
            "When it ends, self-paced steps are skipped."
        ),
        "Calf stretch, left side",
        "Hold 0.5 s (1/2)",
        "  Lean on the wall.",
        "Rest 0.3 s",
        "Hold 0.5 s (2/2)",
        "Switch sides: right, 0.3 s",
        "Hold 0.5 s (1/2)",
        "Rest 0.3 s",
        "Hold 0.5 s (2/2)",
        "Loosen your sheets — send an empty line when done",
        "No input left: skipping Loosen your sheets",
        "Heel raises: 3 reps, 0.3 s each",
        "March: 0.5 s",
        # Its one self-paced step skipped: less than half of those, so not counted.
        "Finished: 0:04 of 0:05; less than half of it was done, so it isn't counted",
    ]
    assert result.stderr == ""
    # The log has every cue of the plan, once, in order, none early.
    timeline = timeline_for(Library.from_paths([short]).find(str(short)))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(timeline.cues)
    for record, cue in zip(records, timeline.cues, strict=False):
        planned = cue.to_json()
        assert [record[k] for k in ("event", "step", "name", "side", "rep", "set", "sound")] == [
            planned[k] for k in ("event", "step", "name", "side", "rep", "set", "sound")
        ]
        assert record["at"] == round(cue.at, 4)
        assert record["t"] >= record["at"] - 0.0001
    # On time: half the cues within 50 ms, and none anywhere near the second a
    # tick-counting loop could be late. A loaded machine may hold one cue up
    # now and then; it cannot shift the median.
    lateness = [record["t"] - record["at"] for record in records]
    assert statistics.median(lateness) < 0.05
    assert max(lateness) < 0.5
    assert any(r["sound"] == "none" for r in records)  # silent cues are logged too


def test_an_enter_piped_in_early_is_kept_for_the_self_paced_step(
    short: Path, run_plain: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    result = run_plain([str(short), "--plain", "--audio", "none"], stdin="\n")
    assert result.returncode == 0, result.stderr
    assert "No input left" not in result.stdout
    assert result.stdout.splitlines()[-1] == "Finished: 0:04 of 0:05"


def test_piped_commands_skip_and_quit(
    short: Path, run_plain: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    result = run_plain([str(short), "--plain", "--audio", "none"], stdin="s\nwhat\nq\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        "Unknown command 'what': use a word or a letter (next n, skip s, back b, previous a,"
        " restart r, pause p, count c, quit q) or an empty line for done"
    ) in lines
    assert lines[-1].startswith("Stopped after")


def test_bad_input_exits_2(
    tmp_path: Path, short: Path, run_plain: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    result = run_plain(["no-such-routine", "--plain"])
    assert result.returncode == 2
    assert "no routine 'no-such-routine'" in result.stderr and "Traceback" not in result.stderr
    result = run_plain([str(short), "--plain", "--cue-log", str(tmp_path / "missing" / "x.jsonl")])
    assert result.returncode == 2
    assert result.stderr.startswith("stretch-coach: --cue-log") and "Traceback" not in result.stderr
    result = run_plain([str(short), "--plain", "--audio", "loud"])
    assert result.returncode == 2


@pytest.fixture
def start_plain(
    cli_argv: list[str], child_env: dict[str, str]
) -> Callable[..., subprocess.Popen[str]]:
    """Start ``stretch-coach run FILE --plain --audio none --cue-log LOG`` with piped stdio."""

    def start(path: Path, log: Path, stdin: int = subprocess.PIPE) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*cli_argv, "run", str(path), "--plain", "--audio", "none", "--cue-log", str(log)],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env,
        )

    return start


def read_until(proc: subprocess.Popen[str], prefix: str) -> None:
    """Read the child's lines until one starts with ``prefix``."""
    assert proc.stdout is not None
    while not proc.stdout.readline().startswith(prefix):
        assert proc.poll() is None, "the child ended first"


def test_ctrl_c_stops_at_once_with_130_and_no_traceback(
    tmp_path: Path, write: Callable[..., Path], start_plain: Callable[..., subprocess.Popen[str]]
) -> None:
    path = write("long.yaml", "title: Long\nsteps:\n  - name: Hold\n    hold: 60s\n")
    log = tmp_path / "cues.jsonl"
    proc = start_plain(path, log, stdin=subprocess.DEVNULL)
    read_until(proc, "Get ready")  # under way
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert time.monotonic() - began < 2.0
    assert "Traceback" not in err
    assert out.splitlines()[-1].startswith("Stopped after")
    # The log kept what fired before the interrupt.
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["event"] == "prepare"


def test_a_stopped_process_pauses_instead_of_skipping(
    tmp_path: Path, write: Callable[..., Path], start_plain: Callable[..., subprocess.Popen[str]]
) -> None:
    # SIGSTOP for longer than the gap threshold, as a sleeping laptop would:
    # the session pauses as of the stop, and a "p" resumes it.
    path = write(
        "hold.yaml",
        """\
        title: Gap
        steps:
          - name: Calf stretch
            hold: 3s
            prepare: 0
        """,
    )
    log = tmp_path / "cues.jsonl"
    proc = start_plain(path, log)
    assert proc.stdout is not None and proc.stdin is not None
    read_until(proc, "Hold 3 s")
    proc.send_signal(signal.SIGSTOP)
    # The point of the test: real time passes while it is stopped, a full
    # second more than the 3 s gap threshold (and the 3 s hold leaves the
    # same margin for the signal to arrive on a loaded machine).
    time.sleep(GAP_THRESHOLD + 1.0)
    proc.send_signal(signal.SIGCONT)
    line = proc.stdout.readline()
    assert line.startswith("Paused: the coach lost track of time (did the computer sleep?) — ")
    proc.stdin.write("p\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "Resumed\n"
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == "Finished: 0:03 of 0:03"
    end = next(json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if '"end"' in x)
    # Measured on the plan's axis: the 4 s stop is not counted.
    assert 0 <= end["t"] - end["at"] < 1.0


# -- an output that goes away -------------------------------------------------------


class GoneAfter(io.StringIO):
    """An output that takes ``good`` writes, then fails as a closed terminal does (EIO)."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good
        self.failed = 0

    def write(self, text: str) -> int:
        if self.good <= 0:
            self.failed += 1
            raise OSError(errno.EIO, "Input/output error")
        self.good -= 1
        return super().write(text)


def test_a_lost_output_never_raises_and_the_listeners_after_it_hear_everything(
    make_timeline: Callable[..., Timeline], example_yaml: str, play: Callable[..., None]
) -> None:
    timeline = make_timeline(example_yaml)
    clock = FakeClock()
    session = Session(timeline, clock)
    out = GoneAfter(2)
    lost: list[OSError | ValueError] = []
    view = PlainView(session, out, live=True, terminal_keys=True, on_lost=lost.append)
    heard: list[str] = []
    session.add_listener(view)
    session.add_listener(lambda event: heard.append(type(event).__name__))
    play(session, clock)
    # The first line and the live line under it; then the instructions' line fails.
    assert out.getvalue() == (
        "Get ready: Wall calf stretch, left side, 5 s\n"
        "\r  Get ready 0:05 · step 1/3 · 3:05 + 1 self-paced left · next: Hold 30 s\x1b[K"
    )
    assert [getattr(err, "errno", None) for err in lost] == [errno.EIO]  # told once
    assert out.failed == 1  # and never tried again
    assert view.lost is lost[0]
    assert heard[-1] == "Ended" and heard.count("StepEnded") == 3


def _runner_session(write: Callable[..., Path], text: str) -> Any:
    from stretch_coach import coach
    from stretch_coach.engine.clock import MonotonicClock

    entry = Library.from_paths([write("gone.yaml", text).parent]).find("gone")
    timeline = coach.session_timeline(entry, None)
    player = coach.session_player(Settings(audio="none", voice=False), lambda m: None)
    return coach.prepare_session(entry, timeline, clock=MonotonicClock(), player=player)


def _sessions() -> list[Any]:
    from stretch_coach.history.store import HistoryStore

    with HistoryStore.open() as store:
        return list(store.sessions())


def test_the_runner_ends_a_session_whose_output_is_gone_as_interrupted(
    write: Callable[..., Path],
) -> None:
    from stretch_coach.plain import PlainRunner

    prepared = _runner_session(
        write, "title: Gone\nsteps:\n  - name: Calf\n    hold: 60s\n    prepare: 0\n"
    )
    err = io.StringIO()
    with open(os.devnull, "rb") as stdin:
        runner = PlainRunner(out=GoneAfter(1), err=err, stdin_fd=stdin.fileno())
        began = time.monotonic()
        code = runner.run(prepared)
    # A pipe's reader that went away (not a terminal): the SIGPIPE exit, at once.
    assert code == 128 + signal.SIGPIPE
    assert time.monotonic() - began < 5
    assert "Traceback" not in err.getvalue()
    (session,) = _sessions()
    assert (session.status, session.steps_done, session.steps_skipped) == ("interrupted", 0, 1)


def test_a_session_that_finished_keeps_its_end_when_the_output_goes_after(
    write: Callable[..., Path],
) -> None:
    from stretch_coach.plain import PlainRunner

    prepared = _runner_session(
        write, "title: Gone\nsteps:\n  - name: Calf\n    hold: 0.2s\n    prepare: 0\n"
    )
    # Header (2 lines), the hold's two lines (name, "Hold"), then "Finished" fails.
    with open(os.devnull, "rb") as stdin:
        runner = PlainRunner(out=GoneAfter(4), err=io.StringIO(), stdin_fd=stdin.fileno())
        assert runner.run(prepared) == 0
    (session,) = _sessions()
    assert (session.status, session.steps_done) == ("finished", 1)
