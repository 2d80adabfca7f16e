"""A session ended by a signal or a closed terminal is recorded as ``interrupted``.

Both front-ends, as real processes on a pseudo-terminal: the coach (Textual)
and ``run --plain``. Each test waits (by polling the history, with a
deadline) until the first step is recorded as done, then closes the
terminal (the kernel sends SIGHUP and every later write fails with EIO) or
sends SIGTERM / SIGHUP, and reads ``history --json`` afterwards: the session
is ``interrupted``, with the step done before and the one cut short.

The exit code is the proof there was no traceback: an exception escaping
would end the process with 1, a failed flush at exit with 120; a clean end
by a signal exits 128 + its number.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")

#: One short step to be done, then one long enough to be cut short.
ROUTINE = """\
title: Signals
defaults:
  prepare: 0
steps:
  - name: Warm up
    hold: 1s
  - name: Long calf hold
    hold: 60s
"""


class Terminal:
    """A child process leading its own session on a pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.pid = os.fork()
        if self.pid == 0:  # the child: the terminal is its controlling one
            try:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.close(self.master)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(slave)  # only the child holds it: closing the master hangs the terminal up
        self.output = b""
        self.open = True
        self.status: int | None = None

    def drain(self, timeout: float = 0.05) -> None:
        """Read what the child wrote (a full terminal would block the child)."""
        if not self.open:
            time.sleep(timeout)
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):
                self.output += os.read(self.master, 65536)

    def hang_up(self) -> None:
        """Close the terminal, as closing its window does."""
        os.close(self.master)
        self.open = False

    def wait(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return os.waitstatus_to_exitcode(status)
        raise AssertionError(f"still running: {self.output.decode(errors='replace')[-2000:]!r}")

    def close(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        if self.open:
            os.close(self.master)


def history(cli_argv: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    out = subprocess.run(
        [*cli_argv, "history", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sessions: list[dict[str, Any]] = json.loads(out.stdout)["sessions"]
    return sessions


def wait_for_first_step(term: Terminal, cli_argv: list[str], env: dict[str, str]) -> None:
    """Until the history has the first step done (the second is then under way)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        term.drain(0.2)
        sessions = history(cli_argv, env)
        if sessions and sessions[0]["steps_done"] == 1:
            assert sessions[0]["status"] == "in_progress"
            return
    raise AssertionError(f"no step recorded: {term.output.decode(errors='replace')[-2000:]!r}")


def assert_interrupted(sessions: list[dict[str, Any]]) -> None:
    (session,) = sessions
    assert session["title"] == "Signals"
    assert session["status"] == "interrupted"
    assert not session["finished"]
    # The step done before the end, and the one it cut short (as skipped).
    assert (session["steps_done"], session["steps_skipped"]) == (1, 1)
    assert session["done_seconds"] >= 1.0
    assert session["ended_at"] is not None


@pytest.fixture
def env(child_env: dict[str, str]) -> dict[str, str]:
    env = dict(child_env, TERM="xterm-256color")
    for name in ("COLUMNS", "LINES"):  # the size comes from the terminal
        env.pop(name, None)
    return env


@pytest.fixture
def routine(tmp_path: Path) -> Path:
    path = tmp_path / "signals.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    return path


@pytest.fixture
def start(routine: Path, env: dict[str, str], cli_argv: list[str]) -> Iterator[Any]:
    terminals: list[Terminal] = []

    def start(*options: str) -> Terminal:
        term = Terminal([*cli_argv, "run", str(routine), "--audio", "none", *options], env)
        terminals.append(term)
        return term

    yield start
    for term in terminals:
        term.close()


@pytest.mark.parametrize("front", ["coach", "plain"])
def test_closing_the_terminal_records_the_session_as_interrupted(
    front: str, start: Any, cli_argv: list[str], env: dict[str, str]
) -> None:
    term = start(*(["--plain"] if front == "plain" else []))
    wait_for_first_step(term, cli_argv, env)
    term.hang_up()
    assert term.wait() == 128 + signal.SIGHUP
    assert_interrupted(history(cli_argv, env))


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"]
)
@pytest.mark.parametrize("front", ["coach", "plain"])
def test_kill_records_the_session_as_interrupted_and_gives_the_terminal_back(
    front: str, signum: int, start: Any, cli_argv: list[str], env: dict[str, str]
) -> None:
    term = start(*(["--plain"] if front == "plain" else []))
    wait_for_first_step(term, cli_argv, env)
    os.kill(term.pid, signum)
    assert term.wait() == 128 + signum
    assert_interrupted(history(cli_argv, env))
    shown = term.output.decode(errors="replace")
    if front == "plain":
        assert "Stopped after" in shown
    else:
        # The terminal is left as it was found: the main screen back, the cursor shown.
        tail = shown[shown.rindex("\x1b[?1049l") :]
        assert "\x1b[?25h" in tail
    assert "Traceback" not in shown
