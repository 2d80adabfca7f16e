"""``stretch-coach remind``: what it prints and does, with and without a systemd user instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from stretch_coach import reminders
from stretch_coach.cli import main


@pytest.fixture
def units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    return tmp_path / "cfg" / "systemd" / "user"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_without_systemd_the_crontab_line_is_printed(
    units: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reminders, "has_systemd_user", lambda: False)
    code, out = _run(capsys, "remind", "--at", "21:30")
    line = out.splitlines()[1]
    assert code == 0
    assert out.splitlines()[0] == (
        "No systemd user instance here: add this line to your crontab ('crontab -e'):"
    )
    assert line.startswith("30 21 * * * ")
    assert not units.exists()
    code, out = _run(capsys, "remind", "--at", "21:30", "--print")
    assert (code, out) == (0, line + "\n")
    code, out = _run(capsys, "remind", "--off")
    assert out == "Remove the stretch-coach line from your crontab ('crontab -e').\n"


def test_with_systemd_the_units_are_written_and_removed(
    units: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(reminders, "has_systemd_user", lambda: True)
    real_install, real_remove = reminders.install, reminders.remove
    monkeypatch.setattr(reminders, "install", lambda w, a: real_install(w, a, run=calls.append))
    monkeypatch.setattr(reminders, "remove", lambda: real_remove(run=calls.append))

    code, out = _run(capsys, "remind", "--at", "07:05", "--days", "mon,fri", "--print")
    assert code == 0
    assert out.splitlines()[0] == f"# {units}/{reminders.UNIT_NAME}.service"
    assert f"# {units}/{reminders.UNIT_NAME}.timer" in out.splitlines()
    assert not units.exists()

    code, out = _run(capsys, "remind", "--at", "07:05", "--days", "mon,fri")
    when = reminders.parse_when("07:05", "mon,fri")
    assert out == f"Reminder set: {reminders.on_calendar(when)}; units in {units}.\n"
    assert sorted(p.name for p in units.iterdir()) == [
        f"{reminders.UNIT_NAME}.service",
        f"{reminders.UNIT_NAME}.timer",
    ]
    assert calls == [["daemon-reload"], ["enable", "--now", f"{reminders.UNIT_NAME}.timer"]]

    assert _run(capsys, "remind", "--off", "--print") == (
        0,
        f"would remove {units / reminders.UNIT_NAME}.timer and .service\n",
    )
    assert _run(capsys, "remind", "--off") == (0, "Reminder removed.\n")
    assert list(units.iterdir()) == []
    assert calls[2:] == [["disable", "--now", f"{reminders.UNIT_NAME}.timer"], ["daemon-reload"]]
    assert _run(capsys, "remind", "--off") == (0, "There was no reminder to remove.\n")


def test_notify_with_nothing_followed_shows_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "data"))
    shown: list[str] = []
    monkeypatch.setattr(reminders, "notify", shown.append)
    assert _run(capsys, "notify") == (0, "")
    assert shown == []
