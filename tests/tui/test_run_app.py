"""run_app: bad routines fail before any screen opens; good ones open the coach as asked."""

from __future__ import annotations

import argparse
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.errors import UserError
from stretch_coach.routine.errors import RoutineError
from stretch_coach.settings import settings_path
from stretch_coach.tui import app as app_module


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the apps run_app would run, without running them."""
    apps: list[Any] = []

    def run(self: Any) -> int:
        apps.append(self)
        return 0

    monkeypatch.setattr(app_module.CoachApp, "run", run)
    return apps


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """Routines whose ids no bundled routine uses (run_app reads the bundled ones too)."""
    folder = tmp_path / "own"
    folder.mkdir()
    (folder / "tui-walk.yaml").write_text(
        "title: Heel walk\nsteps:\n  - name: Walk on your heels\n    reps: 20\n"
    )
    (folder / "tui-hold.yaml").write_text(
        "title: One hold\nsteps:\n  - name: Calf hold\n    hold: 20s\n"
    )
    (folder / "broken.yaml").write_text("title: Broken\nsteps:\n  - name: Calf\n    hodl: 30s\n")
    return folder


def args(library_dir: Path, **extra: Any) -> argparse.Namespace:
    return argparse.Namespace(library=[str(library_dir)], **extra)


def test_unknown_routine_is_a_user_error_before_the_app(
    library_dir: Path, opened: list[Any]
) -> None:
    with pytest.raises(UserError, match="no routine 'tui-wal'"):
        app_module.run_app(args(library_dir), "tui-wal")
    assert not opened


def test_invalid_routine_is_a_routine_error_before_the_app(
    library_dir: Path, opened: list[Any]
) -> None:
    with pytest.raises(RoutineError) as err:
        app_module.run_app(args(library_dir), str(library_dir / "broken.yaml"))
    assert "hodl" in str(err.value)
    assert not opened


def test_missing_library_folder_is_a_user_error(tmp_path: Path, opened: list[Any]) -> None:
    with pytest.raises(UserError, match="no such folder"):
        app_module.run_app(args(tmp_path / "nowhere"), None)
    assert not opened


def test_no_routine_opens_the_library(library_dir: Path, opened: list[Any]) -> None:
    assert app_module.run_app(args(library_dir), None) == 0
    (app,) = opened
    assert app.start_entry is None
    assert "tui-walk" in app.library.ids()


def test_the_next_start_lists_the_library_from_its_index(
    library_dir: Path, opened: list[Any]
) -> None:
    from stretch_coach.catalog import listing

    app_module.run_app(args(library_dir), None)
    (first,) = opened
    assert first.library is not None and first.listed == []  # nothing kept yet: read it all
    assert first.index.write(first.library, None)  # what the first start does after its first frame
    app_module.run_app(args(library_dir), None)
    second = opened[1]
    assert second.library is None  # read after the first frame
    assert second.listed == listing(first.library)
    assert "tui-walk" in [row.id for row in second.listed]
    app_module.run_app(args(library_dir), "tui-walk")  # a session needs the library itself
    assert opened[2].library is not None and opened[2].start_entry.id == "tui-walk"
    assert opened[2].index is None


def test_a_routine_opens_its_session_with_command_line_overrides(
    library_dir: Path, opened: list[Any]
) -> None:
    assert app_module.run_app(args(library_dir, audio="bell", no_voice=True), "tui-walk") == 0
    (app,) = opened
    assert app.start_entry.id == "tui-walk"
    assert app.audio_override == "bell" and app.voice_override is False
    assert app.settings.audio == "auto"  # the saved settings are untouched


def test_a_broken_settings_file_is_reported_not_fatal(library_dir: Path, opened: list[Any]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("theme = \n")
    app_module.run_app(args(library_dir), None)
    (app,) = opened
    assert app.settings_warning and "Could not use" in app.settings_warning
    assert app.settings_file.broken


def _play_and_stop(app: Any) -> None:
    from stretch_coach.engine.clock import FakeClock

    app.clock = FakeClock()
    prepared = app.prepare_session(app.start_entry)  # what starting a routine does
    session = prepared.session
    session.start()
    session.stop()


def test_sessions_are_recorded_in_the_history(library_dir: Path, opened: list[Any]) -> None:
    from stretch_coach.audio.testing import wait_until
    from stretch_coach.history.store import HistoryStore

    app_module.run_app(args(library_dir), "tui-hold")
    (app,) = opened
    _play_and_stop(app)
    with HistoryStore.open() as store:
        assert wait_until(lambda: len(store.sessions()) == 1)
        (info,) = store.sessions()
    assert info.routine_id == "tui-hold"


def test_cue_log_writes_every_cue(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(self: Any) -> int:  # play a session while the app "runs"
        _play_and_stop(self)
        return 0

    monkeypatch.setattr(app_module.CoachApp, "run", run)
    log = tmp_path / "cues.jsonl"
    app_module.run_app(args(library_dir, cue_log=str(log)), "tui-walk")
    # A counted-reps step announces its start with the manual cue (issue 10), and
    # the voice names it: the session is the app's own, with its speech plan...
    assert [json.loads(x)["event"] for x in log.read_text().splitlines()] == ["manual", "say"]
    app_module.run_app(args(library_dir, cue_log=str(log)), "tui-hold")
    assert '"prepare"' in log.read_text()  # ...a timed one has its get-ready cue


def test_unwritable_cue_log_is_a_user_error(
    library_dir: Path, opened: list[Any], tmp_path: Path
) -> None:
    with pytest.raises(UserError, match="--cue-log"):
        app_module.run_app(args(library_dir, cue_log=str(tmp_path / "no" / "such" / "x")), None)


# -- signals: SIGTERM, SIGHUP, SIGINT end the coach, the session recorded as interrupted --


def test_a_signal_while_the_app_runs_records_the_session_as_interrupted(
    library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stretch_coach.history.store import HistoryStore

    before = signal.getsignal(signal.SIGTERM)

    def run(self: Any) -> int:  # a session under way when the signal comes
        self.clock = FakeClock()
        prepared = self.prepare_session(self.start_entry)
        prepared.session.start()
        assert signal.getsignal(signal.SIGTERM) not in (before, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)  # handled on this thread, before kill returns
        assert self.ending_signal == signal.SIGTERM
        return 0

    monkeypatch.setattr(app_module.CoachApp, "run", run)
    assert app_module.run_app(args(library_dir), "tui-hold") == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before  # given back
    with HistoryStore.open() as store:  # run_app waited for the recorder
        ((info, status),) = [(s.routine_id, s.status) for s in store.sessions()]
    assert (info, status) == ("tui-hold", "interrupted")


async def test_end_by_signal_stops_the_session_and_exits_with_128_plus_the_signal(
    make_app: Any, library: Any
) -> None:
    from tui_helpers import wait_for

    from stretch_coach.history.store import HistoryStore
    from stretch_coach.tui.screens.session import SessionScreen

    app = make_app(start=library.get("tui-hold"), record=True)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        app.end_by_signal(signal.SIGHUP)
        await wait_for(pilot, lambda: not app.is_running, what="the app to exit")
    assert app.return_code == 128 + signal.SIGHUP
    (recorder,) = app.recorders
    recorder.close()  # what run_app does once the app has ended
    with HistoryStore.open() as store:
        ((status, skipped),) = [(s.status, s.steps_skipped) for s in store.sessions()]
    # Stopped by the screen as it closed: the step under way is recorded too.
    assert (status, skipped) == ("interrupted", 1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_for_settings_and_index_neither_block_nor_stop_the_coach(
    library_dir: Path, opened: list[Any]
) -> None:
    from stretch_coach.catalog import index_path

    for fifo in (settings_path(), index_path()):
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
    assert app_module.run_app(args(library_dir), None) == 0  # it would block in open()
    (app,) = opened
    assert app.settings_warning.startswith(
        f"Could not use {settings_path()}: it is a named pipe (FIFO), not a regular file."
    )
    assert app.settings_file.broken
    assert app.listed == [] and "tui-walk" in app.library.ids()  # a miss: the library was read


def test_a_signal_before_the_app_runs_ends_it_as_soon_as_it_starts(make_app: Any) -> None:
    import asyncio

    app = make_app()
    app.end_by_signal(signal.SIGTERM)  # no loop yet (run_app, before app.run): only noted
    assert app.ending_signal == signal.SIGTERM

    async def run() -> None:
        async with app.run_test() as pilot:
            await pilot.pause()

    asyncio.run(run())
    assert app.return_code == 128 + signal.SIGTERM
