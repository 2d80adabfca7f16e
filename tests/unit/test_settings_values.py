"""Settings: each bad value gives its default plus a notice; bad files are kept, never lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stretch_coach import settings as st
from stretch_coach.settings import (
    CautionLog,
    Settings,
    SettingsFile,
    caution_hash,
    load_settings,
    open_settings,
    save_settings,
    settings_from_mapping,
    to_toml,
)


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "settings.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _tail(path: Path) -> str:
    return (
        ". Using the defaults for what could not be read; the file is kept as it is, "
        "and saving settings will move it aside first."
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('audio = "loud"', "audio: 'loud' is not one of auto, playsound3, bell, none"),
        ('theme = "pink"', "theme: 'pink' is not one of bedtime, dark, light, high-contrast"),
        ('voice = "yes"', "voice: 'yes' is not true or false"),
        ("voice = 1", "voice: 1 is not true or false"),
        ("prepare = true", "prepare: True is not a number of seconds"),
        ('prepare = "5"', "prepare: '5' is not a number of seconds"),
        ("prepare = -1", "prepare: -1 is not between 0 and 3600 seconds"),
        ("prepare = 3600.5", "prepare: 3600.5 is not between 0 and 3600 seconds"),
        ("prepare = nan", "prepare: nan is not between 0 and 3600 seconds"),
        ("prepare = inf", "prepare: inf is not between 0 and 3600 seconds"),
        ("prepare = [1, 2]", "prepare: a list is not a number of seconds"),
        ("prepare = {a = 1}", "prepare: a table is not a number of seconds"),
        ("volume = 3", "unknown setting 'volume' (known: audio, prepare, theme, voice)"),
    ],
)
def test_each_bad_value_gives_its_default_and_a_notice(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = _write(tmp_path, line + '\ntheme = "dark"\n' if "theme" not in line else line + "\n")
    settings, file, warning = open_settings(path)
    expected_theme = "bedtime" if "theme" in line else "dark"
    assert settings == Settings(theme=expected_theme)
    assert file == SettingsFile(path, broken=True)
    assert warning == f"Could not use {path}: {problem}{_tail(path)}"


def test_good_values_are_kept_beside_bad_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, 'audio = "bell"\nvoice = false\nprepare = 7\ntheme = "nope"\n')
    settings, warning = load_settings(path)
    assert settings == Settings(audio="bell", voice=False, prepare=7.0, theme="bedtime")
    assert isinstance(settings.prepare, float)
    assert warning is not None and "theme: 'nope' is not one of" in warning


def test_two_problems_are_joined_in_one_line(tmp_path: Path) -> None:
    settings, problems = settings_from_mapping({"audio": 3, "colour": "red"})
    assert settings == Settings()
    assert problems == [
        "audio: 3 is not one of auto, playsound3, bell, none",
        "unknown setting 'colour' (known: audio, prepare, theme, voice)",
    ]
    path = _write(tmp_path, 'audio = 3\ncolour = "red"\n')
    _, warning = load_settings(path)
    assert warning == f"Could not use {path}: {'; '.join(problems)}{_tail(path)}"


def test_a_long_value_is_quoted_short() -> None:
    _, problems = settings_from_mapping({"audio": "x" * 100})
    assert problems == [f"audio: '{'x' * 38}… is not one of auto, playsound3, bell, none"]
    _, problems = settings_from_mapping({"prepare": 10**60})
    assert problems == ["prepare: a number that long is not between 0 and 3600 seconds"]


def test_boundaries_of_prepare_are_accepted() -> None:
    assert settings_from_mapping({"prepare": 0}) == (Settings(prepare=0.0), [])
    assert settings_from_mapping({"prepare": 3600}) == (Settings(prepare=3600.0), [])


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"audio = \xff\n", "it is not UTF-8 text"),
        (b"prepare = " + b"9" * 5000 + b"\n", "it holds a number too long to read"),
    ],
)
def test_unreadable_files_give_the_defaults_and_say_why(
    tmp_path: Path, content: bytes, what: str
) -> None:
    path = _write(tmp_path, content)
    settings, file, warning = open_settings(path)
    assert settings == Settings()
    assert file.broken
    assert warning == f"Could not use {path}: {what}{_tail(path)}"


def test_a_toml_syntax_error_names_where(tmp_path: Path) -> None:
    path = _write(tmp_path, 'audio = "bell"\nvoice = \n')
    settings, warning = load_settings(path)
    assert settings == Settings()
    assert warning is not None
    assert warning.startswith(f"Could not use {path}: Invalid value (at line 2, column 9).")


def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = _write(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    settings, warning = load_settings(path)
    assert settings == Settings()
    assert warning == f"Could not use {path}: it is nested too deeply to read{_tail(path)}"


def test_too_big_a_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st, "MAX_SETTINGS_BYTES", 1 << 20)
    path = _write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    settings, file, warning = open_settings(path)
    assert (settings, file.broken) == (Settings(), True)
    assert warning == f"Could not use {path}: it is larger than 1 MiB{_tail(path)}"


def test_a_folder_in_its_place_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.mkdir()
    settings, file, warning = open_settings(path)
    assert (settings, file.broken) == (Settings(), True)
    assert warning == f"Could not use {path}: it is a folder{_tail(path)}"


def test_a_missing_file_is_the_defaults_without_a_word(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    assert open_settings(path) == (Settings(), SettingsFile(path), None)


def test_saving_after_a_bad_load_moves_the_old_file_aside(tmp_path: Path) -> None:
    path = _write(tmp_path, 'audio = "loud"\n# my notes\n')
    settings, file, _ = open_settings(path)
    new_file, note = save_settings(replace_audio(settings), file)
    assert new_file == SettingsFile(path, broken=False)
    asides = sorted(tmp_path.glob("settings.toml.broken-*"))
    assert len(asides) == 1
    assert asides[0].read_text(encoding="utf-8") == 'audio = "loud"\n# my notes\n'
    assert note == f"Your old settings file could not be read; it is kept as {asides[0]}"
    assert load_settings(path) == (Settings(audio="bell"), None)
    assert os.stat(path).st_mode & 0o777 == 0o600


def replace_audio(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, audio="bell")


def test_saving_a_good_file_says_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setattr(st.paths, "config_dir", lambda: tmp_path / "cfg" / "stretch-coach")
    file, note = save_settings(Settings(prepare=2.5, theme="light"))
    assert note is None
    assert file.path == tmp_path / "cfg" / "stretch-coach" / "settings.toml"
    assert load_settings() == (Settings(prepare=2.5, theme="light"), None)


def test_to_toml_is_exact_and_round_trips() -> None:
    assert to_toml(Settings(audio="none", voice=False, prepare=1.5, theme="high-contrast")) == (
        "# stretch-coach settings; the coach rewrites this file when you change settings.\n"
        'audio = "none"  # auto | playsound3 | bell | none\n'
        "voice = false\n"
        "prepare = 1.5  # seconds before every timed step\n"
        'theme = "high-contrast"  # bedtime | dark | light | high-contrast\n'
    )
    assert "# prepare = 5  # seconds before every timed step; unset" in to_toml(Settings())


def test_atomic_write_leaves_no_temporary_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(st.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        st.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_caution_log_remembers_and_notices_a_change(tmp_path: Path) -> None:
    log = CautionLog(tmp_path / "data" / "cautions.json")
    assert log.needs_showing("neck", []) is False
    assert log.needs_showing("neck", ["Go gently."]) is True
    log.acknowledge("neck", ["Go gently."])
    assert log.needs_showing("neck", ["Go gently."]) is False
    assert log.needs_showing("neck", ["Go gently.", "Stop if dizzy."]) is True
    assert log.path.read_text(encoding="utf-8") == (
        '{\n "neck": "' + caution_hash(["Go gently."]) + '"\n}\n'
    )
    assert caution_hash(["a", "b"]) == caution_hash(["a\nb"])
    assert len(caution_hash(["a"])) == 16


@pytest.mark.parametrize("content", ["[1, 2]", "{not json", '{"neck": 3, "hips": "abc"}'])
def test_caution_log_shrugs_off_a_bad_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "cautions.json"
    path.write_text(content, encoding="utf-8")
    log = CautionLog(path)
    assert log.needs_showing("neck", ["x"]) is True
    assert log._read() == ({"hips": "abc"} if "hips" in content else {})


def test_caution_log_on_a_read_only_disk_fails_quietly(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    log = CautionLog(blocker / "sub" / "cautions.json")
    log.acknowledge("neck", ["x"])  # cannot create a folder under a file: no exception
    assert log.needs_showing("neck", ["x"]) is True
