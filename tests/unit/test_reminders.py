"""``remind`` and ``notify``: the unit files, the crontab line, and what is said.

No systemd user instance or D-Bus exists on the test machines: the units are
checked as written, and installing runs a recording stand-in for systemctl.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stretch_coach import reminders
from stretch_coach.agenda import Due
from stretch_coach.cli import main
from stretch_coach.errors import UserError

ARGV = ["/opt/stretch coach/bin/stretch-coach", "--data-dir", "/home/ann/100%", "notify"]


def test_when_is_read_from_at_and_days() -> None:
    assert reminders.parse_when("21:30") == reminders.When(21, 30, reminders.DAYS)
    assert reminders.parse_when("7:05", "fri, Mon") == reminders.When(7, 5, ("mon", "fri"))
    for bad in ("24:00", "21:60", "9pm", ""):
        with pytest.raises(UserError, match="--at"):
            reminders.parse_when(bad)
    with pytest.raises(UserError, match="'funday' is not a day"):
        reminders.parse_when("21:30", "mon,funday")


def test_the_units_run_notify_at_the_time_on_the_days() -> None:
    when = reminders.parse_when("21:30", "mon,tue,fri")
    assert reminders.timer_unit(when) == (
        "[Unit]\n"
        "Description=stretch-coach: a daily reminder of the routine due\n"
        "\n"
        "[Timer]\n"
        "OnCalendar=Mon,Tue,Fri *-*-* 21:30:00\n"
        "Unit=stretch-coach-remind.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    assert reminders.on_calendar(reminders.parse_when("06:05")) == "*-*-* 06:05:00"
    service = reminders.service_unit(ARGV)
    assert "Type=oneshot\n" in service
    # Words with spaces are quoted; % is systemd's specifier sign, so it is doubled.
    assert (
        'ExecStart="/opt/stretch coach/bin/stretch-coach" --data-dir /home/ann/100%% notify\n'
        in service
    )


def test_the_crontab_line() -> None:
    when = reminders.parse_when("21:30", "sun,mon")
    assert reminders.crontab_line(when, ARGV) == (
        "30 21 * * 1,0 '/opt/stretch coach/bin/stretch-coach' --data-dir /home/ann/100\\% notify"
    )
    assert reminders.crontab_line(reminders.parse_when("6:00"), ["sc", "notify"]) == (
        "0 6 * * * sc notify"
    )


def test_install_and_remove_write_and_delete_the_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    calls: list[list[str]] = []
    files = reminders.install(reminders.parse_when("21:30"), ARGV, run=calls.append)
    folder = tmp_path / "config" / "systemd" / "user"
    assert files == [folder / "stretch-coach-remind.service", folder / "stretch-coach-remind.timer"]
    assert "OnCalendar=*-*-* 21:30:00" in files[1].read_text(encoding="utf-8")
    assert calls == [["daemon-reload"], ["enable", "--now", "stretch-coach-remind.timer"]]
    calls.clear()
    assert reminders.remove(run=calls.append) == [files[1], files[0]]
    assert not any(f.exists() for f in files)
    assert calls == [["disable", "--now", "stretch-coach-remind.timer"], ["daemon-reload"]]
    assert reminders.remove(run=calls.append) == []


def test_remind_print_shows_what_it_would_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(reminders, "has_systemd_user", lambda: False)
    assert main(["remind", "--at", "21:30", "--days", "mon", "--print"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("30 21 * * 1 ") and line.endswith(" notify")
    monkeypatch.setattr(reminders, "has_systemd_user", lambda: True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["remind", "--at", "21:30", "--print"]) == 0
    out = capsys.readouterr().out
    assert f"# {tmp_path}/systemd/user/stretch-coach-remind.timer" in out
    assert "OnCalendar=*-*-* 21:30:00" in out and "ExecStart=" in out
    assert not (tmp_path / "systemd").exists()  # printed, not installed


def _due(status: str, due: int, done: int) -> Due:
    from datetime import date

    return Due(
        program="p",
        title="Wall <b>stretch</b>",
        start=date(2026, 11, 2),
        week=2,
        weeks=4,
        stage=2,
        routine="wall",
        routine_title="Wall calf stretch",
        changes="",
        changes_json={},
        total_seconds=150.0,
        untimed_steps=0,
        due_today=due,
        done_today=done,
        due_this_week=7,
        done_this_week=1,
        status=status,  # type: ignore[arg-type]
    )


def test_notify_says_what_is_left_and_nothing_when_nothing_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert reminders.message([_due("active", 1, 1), _due("upcoming", 0, 0)]) is None
    text = reminders.message([_due("active", 2, 1)])
    assert text == "Wall <b>stretch</b>: Wall calf stretch, 1 session to do today"
    sent: list[list[str]] = []
    monkeypatch.setattr(reminders.shutil, "which", lambda name: "/usr/bin/notify-send")
    assert reminders.notify(text, run=sent.append)
    assert (
        sent[0][-1] == "Wall &lt;b&gt;stretch&lt;/b&gt;: Wall calf stretch, 1 session to do today"
    )
    monkeypatch.setattr(reminders.shutil, "which", lambda name: None)
    assert not reminders.notify(text, run=sent.append) and len(sent) == 1
