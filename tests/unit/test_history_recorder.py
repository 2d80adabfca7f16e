"""Sessions recorded as they play: the recorder on a fake clock, and the real runner."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.history.recorder import HistoryRecorder, RoutineRecord
from stretch_coach.history.store import HistoryStore
from stretch_coach.timeline import Timeline

THREE_STEPS = """\
title: Three
steps:
  - {name: Calf, hold: 10, prepare: 0}
  - {name: Walk, reps: 5}
  - {name: Raises, reps: 3, tempo: 2, prepare: 0}
"""


def test_a_played_session_is_recorded_step_by_step(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    timeline = make_timeline(THREE_STEPS)
    db = tmp_path / "history.sqlite3"
    recorder = HistoryRecorder(
        RoutineRecord("three", "Three", "sha256:x", timeline.total),
        open_store=lambda: HistoryStore.open(db),
    )
    clock = FakeClock()
    session = Session(timeline, clock, listeners=[recorder])

    def wait(seconds: int) -> None:  # as a driver would: small steps, never a gap
        for _ in range(seconds):
            clock.advance(1)
            session.update()

    session.start()
    wait(4)
    session.next_step()  # leave the hold early: skipped
    wait(7)
    session.done()  # the counted reps: done
    wait(6)  # the paced reps run out: finished
    assert session.status == "finished"
    recorder.close()
    with HistoryStore.open(db) as store:
        (info,) = store.sessions()
        steps = store.session_steps(info.id)
    assert (info.routine_id, info.status, info.steps_done, info.steps_skipped) == (
        "three",
        "finished",
        2,
        1,
    )
    assert info.planned_seconds == timeline.total == 16
    assert [(s.step_index, s.name, s.outcome, round(s.seconds)) for s in steps] == [
        (0, "Calf", "skipped", 4),
        (1, "Walk", "done", 7),
        (2, "Raises", "done", 6),
    ]


def test_the_recorder_reads_the_wall_clock_it_is_given(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    from datetime import datetime, timedelta, timezone

    timeline = make_timeline(THREE_STEPS)
    db = tmp_path / "history.sqlite3"
    wall = [datetime(2024, 6, 12, 23, 59, 50, tzinfo=timezone(timedelta(hours=2)))]
    recorder = HistoryRecorder(
        RoutineRecord("three", "Three", "sha256:x", timeline.total),
        open_store=lambda: HistoryStore.open(db),
        now=lambda: wall[0],
    )
    clock = FakeClock()
    session = Session(timeline, clock, listeners=[recorder])
    session.start()
    for _ in range(20):  # across midnight on the wall clock given, not the machine's
        clock.advance(1)
        wall[0] += timedelta(seconds=1)
        session.update()
        if session.status == "waiting":  # the counted reps: done at once
            session.done()
        if session.status == "finished":
            break
    recorder.close()
    with HistoryStore.open(db) as store:
        (info,) = store.sessions()
        steps = store.session_steps(info.id)
    assert info.started_at.isoformat() == "2024-06-12T23:59:50+02:00"
    assert [s.at.isoformat() for s in steps] == [
        "2024-06-13T00:00:00+02:00",
        "2024-06-13T00:00:00+02:00",
        "2024-06-13T00:00:06+02:00",
    ]
    assert info.ended_at is not None and info.ended_at.isoformat() == "2024-06-13T00:00:06+02:00"


def test_closing_an_unended_session_marks_it_interrupted(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    timeline = make_timeline(THREE_STEPS)
    recorder = HistoryRecorder(
        RoutineRecord("three", "Three", "", 16), open_store=lambda: HistoryStore.open(db)
    )
    session = Session(timeline, FakeClock(), listeners=[recorder])
    session.start()
    recorder.close()
    with HistoryStore.open(db) as store:
        assert store.sessions()[0].status == "interrupted"


def test_a_history_that_cannot_open_is_said_once_and_the_session_goes_on(
    make_timeline: Callable[..., Timeline],
) -> None:
    notices: list[str] = []

    def broken() -> HistoryStore:
        raise OSError("disk full")

    recorder = HistoryRecorder(
        RoutineRecord("three", "Three", "", 16), on_notice=notices.append, open_store=broken
    )
    clock = FakeClock()
    session = Session(make_timeline(THREE_STEPS), clock, listeners=[recorder])
    session.start()
    session.next_step()
    session.next_step()
    session.stop()
    started = time.monotonic()
    assert recorder.wait(60) is False  # nothing will be written: no waiting for it
    assert time.monotonic() - started < 30
    recorder.close()
    assert notices == ["This session is not being recorded in your history: disk full"]
    assert session.status == "stopped"


def test_wait_returns_once_the_ending_is_written(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    release = threading.Event()

    def slow_store() -> HistoryStore:
        release.wait(10)  # the writer is held up until the test lets it go
        return HistoryStore.open(db)

    recorder = HistoryRecorder(RoutineRecord("three", "Three", "", 16), open_store=slow_store)
    assert recorder.wait(0) is False  # nothing started: nothing to wait for
    session = Session(make_timeline(THREE_STEPS), FakeClock(), listeners=[recorder])
    session.start()
    session.stop()
    assert recorder.wait(0.01) is False  # held up: not written yet
    release.set()
    assert recorder.wait(10) is True
    with HistoryStore.open(db) as store:
        assert store.sessions()[0].status == "stopped"


def history(cli_argv: list[str], env: dict[str, str]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [*cli_argv, "history", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=True,
    )
    return json.loads(proc.stdout)["sessions"]


def test_the_plain_runner_records_finished_and_interrupted_sessions(
    tmp_path: Path, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    short = tmp_path / "short.yaml"
    short.write_text(
        "title: Short\nsteps:\n  - {name: Calf, hold: 0.2, prepare: 0}\n", encoding="utf-8"
    )
    done = subprocess.run(
        [*cli_argv, "run", str(short), "--plain", "--audio", "none"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=child_env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    long = tmp_path / "long.yaml"
    long.write_text(
        "title: Long\nsteps:\n  - {name: Hold, hold: 60, prepare: 0}\n", encoding="utf-8"
    )
    proc = subprocess.Popen(
        [*cli_argv, "run", str(long), "--plain", "--audio", "none"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env,
    )
    assert proc.stdout is not None
    while not proc.stdout.readline().startswith("Hold"):
        assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=10)
    assert proc.returncode == 130
    sessions = history(cli_argv, child_env)
    assert [(s["routine_id"], s["status"]) for s in sessions] == [
        ("long", "interrupted"),
        ("short", "finished"),
    ]


def test_kill_9_mid_session_keeps_what_was_recorded(
    tmp_path: Path, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    path = tmp_path / "steps.yaml"
    path.write_text(
        "title: Steps\nsteps:\n  - {name: One, hold: 0.3, prepare: 0}\n"
        "  - {name: Two, hold: 0.3, prepare: 0}\n"
        "  - {name: Three, hold: 60, prepare: 0}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [*cli_argv, "run", str(path), "--plain", "--audio", "none"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env,
    )
    assert proc.stdout is not None
    db = Path(child_env["STRETCH_COACH_DATA_DIR"]) / "history.sqlite3"
    # Wait, by the runner's own output, until the third step is under way,
    # then until its two finished steps are in the database.
    while not proc.stdout.readline().startswith("Three"):
        assert proc.poll() is None
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM session_steps").fetchone()[0]
        if rows >= 2 or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    (session,) = history(cli_argv, child_env)
    assert session["status"] == "in_progress"
    assert (session["steps_done"], session["steps_skipped"]) == (2, 0)
    assert session["done_seconds"] == pytest.approx(0.6, abs=0.1)
