"""A daily reminder of what the programs you follow ask: ``remind`` and ``notify``.

``stretch-coach remind --at 21:30 [--days mon,tue,...]`` installs, on Linux
with a systemd user instance, a user timer that runs ``stretch-coach notify``
at that time; ``notify`` shows a desktop notification (through
``notify-send``, where it exists) when a session is still due, and does
nothing otherwise. Elsewhere, ``remind`` prints the crontab line to add.
``remind --off`` removes the timer; ``remind --print`` shows what would be
installed without installing anything.

The unit files and the crontab line are made by pure functions
(:func:`service_unit`, :func:`timer_unit`, :func:`crontab_line`), so they can
be checked without a systemd (the test machines have none).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stretch_coach.errors import UserError

#: The units' names, in the user's systemd folder.
UNIT_NAME = "stretch-coach-remind"
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SYSTEMD_DAYS = {d: d.capitalize() for d in DAYS}
_CRON_DAYS = {d: str((i + 1) % 7) for i, d in enumerate(DAYS)}  # cron: 0 is Sunday
_AT_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class When:
    """A time of day and the days of the week."""

    hour: int
    minute: int
    days: tuple[str, ...] = DAYS  #: in week order, from :data:`DAYS`

    @property
    def every_day(self) -> bool:
        return set(self.days) == set(DAYS)


def parse_when(at: str, days: str | None = None) -> When:
    """``--at HH:MM`` and ``--days mon,tue,...`` (default every day).

    Raises:
        UserError: a time or a day this cannot read.
    """
    found = _AT_RE.match(at.strip())
    if found is None:
        raise UserError(f"--at {at!r}: give a time of day such as 21:30 (24-hour clock)")
    chosen: set[str] = set(DAYS)
    if days is not None:
        chosen = set()
        for word in days.split(","):
            day = word.strip().lower()[:3]
            if day not in DAYS:
                raise UserError(
                    f"--days {days!r}: {word.strip()!r} is not a day; give days such as mon,tue,"
                    "fri (mon tue wed thu fri sat sun)"
                )
            chosen.add(day)
    return When(int(found.group(1)), int(found.group(2)), tuple(d for d in DAYS if d in chosen))


def command_line(program: str, data_dir: str | None, libraries: Sequence[str]) -> list[str]:
    """The command the reminder runs: ``stretch-coach notify`` with the same data and library."""
    argv = [program]
    if data_dir:
        argv += ["--data-dir", data_dir]
    for folder in libraries:
        argv += ["--library", folder]
    return [*argv, "notify"]


def _systemd_word(word: str) -> str:
    """One word of an ``ExecStart=`` line: quoted, with ``%`` and ``\\`` escaped for systemd."""
    text = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{text}"' if re.search(r"[\s\"'\\;$]", word) or not word else text


def service_unit(argv: Sequence[str]) -> str:
    """The user service that runs ``argv`` once."""
    return (
        "[Unit]\n"
        "Description=stretch-coach: remind me of the routine due today\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={' '.join(_systemd_word(w) for w in argv)}\n"
    )


def on_calendar(when: When) -> str:
    """systemd's ``OnCalendar=`` for ``when``: ``Mon,Fri *-*-* 21:30:00``."""
    days = "" if when.every_day else ",".join(_SYSTEMD_DAYS[d] for d in when.days) + " "
    return f"{days}*-*-* {when.hour:02d}:{when.minute:02d}:00"


def timer_unit(when: When) -> str:
    """The user timer that starts the service at ``when``."""
    return (
        "[Unit]\n"
        "Description=stretch-coach: a daily reminder of the routine due\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={on_calendar(when)}\n"
        f"Unit={UNIT_NAME}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def crontab_line(when: When, argv: Sequence[str]) -> str:
    """The crontab line for ``when`` (``%`` escaped: cron makes it a newline)."""
    import shlex

    days = "*" if when.every_day else ",".join(_CRON_DAYS[d] for d in when.days)
    command = " ".join(shlex.quote(w) for w in argv).replace("%", "\\%")
    return f"{when.minute} {when.hour} * * {days} {command}"


def unit_dir() -> Path:
    """The user's systemd unit folder (``$XDG_CONFIG_HOME/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "systemd" / "user"


def has_systemd_user() -> bool:
    """Whether a systemd user instance runs here (Linux, ``systemctl``, its private socket)."""
    if not sys.platform.startswith("linux") or shutil.which("systemctl") is None:
        return False
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    return bool(runtime) and (Path(runtime) / "systemd" / "private").exists()


Runner = Callable[[list[str]], None]


def _systemctl(args: list[str]) -> None:
    done = subprocess.run(
        ["systemctl", "--user", *args], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise UserError(
            f"systemctl --user {' '.join(args)} failed" + (f": {detail[-1]}" if detail else "")
        )


def install(when: When, argv: Sequence[str], *, run: Runner = _systemctl) -> list[Path]:
    """Write the units, reload systemd and start the timer; the files written."""
    folder = unit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    service = folder / f"{UNIT_NAME}.service"
    timer = folder / f"{UNIT_NAME}.timer"
    service.write_text(service_unit(argv), encoding="utf-8")
    timer.write_text(timer_unit(when), encoding="utf-8")
    run(["daemon-reload"])
    run(["enable", "--now", f"{UNIT_NAME}.timer"])
    return [service, timer]


def remove(*, run: Runner = _systemctl) -> list[Path]:
    """Stop the timer and remove the units; the files removed (none if there were none)."""
    folder = unit_dir()
    files = [folder / f"{UNIT_NAME}.timer", folder / f"{UNIT_NAME}.service"]
    present = [f for f in files if f.exists()]
    if not present:
        return []
    run(["disable", "--now", f"{UNIT_NAME}.timer"])
    for path in present:
        path.unlink()
    run(["daemon-reload"])
    return present


# -- notify -----------------------------------------------------------------------------------


def message(items: Sequence[object]) -> str | None:
    """What to say for the programs with a session left today (``None``: nothing is due)."""
    lines = []
    for item in items:
        left = getattr(item, "left_today", 0)
        if getattr(item, "status", "") != "active" or not left:
            continue
        routine = getattr(item, "routine_title", None) or getattr(item, "routine", "")
        sessions = f"{left} session{'s' if left != 1 else ''}"
        lines.append(f"{getattr(item, 'title', '')}: {routine}, {sessions} to do today")
    return "\n".join(lines) if lines else None


def notify(text: str, *, run: Callable[[list[str]], object] | None = None) -> bool:
    """Show ``text`` as a desktop notification where ``notify-send`` exists; whether it did."""
    program = shutil.which("notify-send")
    if program is None:
        return False
    # Notification servers may read the body as markup: the titles are data.
    body = html.escape(text, quote=False)
    argv = [program, "--app-name=stretch-coach", "Time to stretch", body]
    if run is not None:
        run(argv)
        return True
    try:
        subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return True
