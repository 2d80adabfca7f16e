"""The settings file and the caution record: no Textual involved."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from stretch_coach.settings import (
    CautionLog,
    Settings,
    load_settings,
    open_settings,
    save_settings,
    settings_path,
    to_toml,
)


def test_settings_module_does_not_import_textual() -> None:
    code = (
        "import sys, stretch_coach.settings, stretch_coach.tui.plan, stretch_coach.tui.audio; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_file_gives_defaults_without_warning(hermetic: Path) -> None:
    assert load_settings() == (Settings(), None)
    assert not settings_path().exists()


def test_round_trip(hermetic: Path) -> None:
    chosen = Settings(audio="bell", voice=False, prepare=10.0, theme="high-contrast")
    file, note = save_settings(chosen)
    assert note is None
    assert file.path == settings_path()
    assert load_settings() == (chosen, None)


def test_unset_prepare_round_trips_as_none(hermetic: Path) -> None:
    save_settings(Settings(prepare=None))
    assert load_settings()[0].prepare is None
    assert "prepare" not in tomllib.loads(settings_path().read_text())


def test_written_file_is_valid_toml_with_odd_text() -> None:
    text = to_toml(Settings(audio='a"b\\c\n'))
    assert tomllib.loads(text)["audio"] == 'a"b\\c\n'


@pytest.mark.parametrize(
    "content, expect",
    [
        ("audio = [", "Could not use"),
        ("audio = 'loud'", "'loud' is not one of"),
        ("voice = 'yes'", "is not true or false"),
        ("prepare = -1", "between 0 and"),
        ("prepare = true", "not a number"),
        ("volume = 3", "unknown setting 'volume'"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_broken_file_gives_defaults_and_a_clear_warning(
    hermetic: Path, content: str | bytes, expect: str
) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    settings, warning = load_settings()
    assert settings == Settings()
    assert warning is not None and expect in warning
    assert str(path) in warning


def test_good_values_survive_a_bad_one(hermetic: Path) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("theme = 'light'\nvoice = 'maybe'\n")
    settings, warning = load_settings()
    assert settings.theme == "light" and settings.voice is True
    assert warning == (
        f"Could not use {path}: voice: 'maybe' is not true or false. Using the defaults "
        "for what could not be read; the file is kept as it is, and saving settings will "
        "move it aside first."
    )


def test_broken_file_is_moved_aside_not_overwritten(hermetic: Path) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("audio = [ my careful edits\n")
    _, file, warning = open_settings()
    assert warning and file.broken
    assert path.read_text() == "audio = [ my careful edits\n"  # reading never writes
    file, note = save_settings(Settings(theme="dark"), file)
    assert note is not None and "broken-" in note
    kept = [p for p in path.parent.iterdir() if p.name.startswith("settings.toml.broken-")]
    assert len(kept) == 1 and kept[0].read_text() == "audio = [ my careful edits\n"
    assert str(kept[0]) in note
    assert load_settings() == (Settings(theme="dark"), None)
    # The next save is an ordinary one.
    assert save_settings(Settings(), file)[1] is None


def test_save_leaves_no_temporary_files(hermetic: Path) -> None:
    save_settings(Settings())
    save_settings(Settings(voice=False))
    assert sorted(os.listdir(settings_path().parent)) == ["settings.toml"]


def test_caution_is_shown_until_acknowledged_and_again_when_it_changes(hermetic: Path) -> None:
    log = CautionLog()
    caution = ("Stop if it hurts.",)
    assert not log.needs_showing("calf", ())
    assert log.needs_showing("calf", caution)
    log.acknowledge("calf", caution)
    assert not CautionLog().needs_showing("calf", caution)
    assert CautionLog().needs_showing("calf", ("Stop if it hurts.", "Hold the rail."))
    assert CautionLog().needs_showing("other", caution)


def test_unreadable_caution_record_means_show_again(hermetic: Path) -> None:
    log = CautionLog()
    log.path.parent.mkdir(parents=True)
    log.path.write_text("{not json")
    assert log.needs_showing("calf", ("Careful.",))
    log.acknowledge("calf", ("Careful.",))
    assert not log.needs_showing("calf", ("Careful.",))
