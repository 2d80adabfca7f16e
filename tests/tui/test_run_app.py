"""run_app: bad routines fail before any screen opens; good ones open the coach as asked."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

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


def args(library_dir: Path, **extra: Any) -> argparse.Namespace:
    return argparse.Namespace(library=[str(library_dir)], **extra)


def test_unknown_routine_is_a_user_error_before_the_app(library_dir: Path, opened: list[Any]) -> None:
    with pytest.raises(UserError, match="no routine 'bedtime-calf'"):
        app_module.run_app(args(library_dir), "bedtime-calf")
    assert not opened


def test_invalid_routine_is_a_routine_error_before_the_app(library_dir: Path, opened: list[Any]) -> None:
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
    assert "heel-walking" in app.library.ids()


def test_a_routine_opens_its_session_with_command_line_overrides(library_dir: Path, opened: list[Any]) -> None:
    assert app_module.run_app(args(library_dir, audio="bell", no_voice=True), "heel-walking") == 0
    (app,) = opened
    assert app.start_entry.id == "heel-walking"
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
