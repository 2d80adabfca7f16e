"""``run --plain`` in a real terminal (a pseudo-terminal): keys, the live line, signals, modes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shlex
import shutil
import struct
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROUTINE = """\
title: Night
defaults:
  prepare: 2s
steps:
  - name: Wall calf stretch
    hold: 30s
    sides: [left, right]
  - name: Loosen your sheets
"""


class Terminal:
    """A child process on a pseudo-terminal, and what it wrote."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, self.slave = os.openpty()
        # A sensible size, so the live line is not cut to a fallback width.
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.modes_before = termios.tcgetattr(self.slave)
        self.pid = os.fork()
        if self.pid == 0:  # the child: its own session, with the terminal as its controlling one
            try:
                os.setsid()
                fcntl.ioctl(self.slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(self.slave, fd)
                os.close(self.master)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output = b""
        self.status: int | None = None

    def expect(self, text: str, timeout: float = 10.0) -> str:
        """Read until ``text`` has been written (after what was already matched);
        return all so far."""
        wanted = text.encode()
        deadline = time.monotonic() + timeout
        while wanted not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} did not come; got {self.output.decode(errors='replace')!r}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                assert chunk, (
                    f"output ended before {text!r}: {self.output.decode(errors='replace')!r}"
                )
                self.output += chunk
        return self.output.decode(errors="replace")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Keep draining, so the child never blocks on a full terminal.
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                with contextlib.suppress(OSError):
                    self.output += os.read(self.master, 4096)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return os.waitstatus_to_exitcode(status)
        raise AssertionError(f"still running: {self.output.decode(errors='replace')!r}")

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def routine(write: Callable[..., Path]) -> Path:
    return write("night.yaml", ROUTINE)


@pytest.fixture
def env(child_env: dict[str, str]) -> dict[str, str]:
    env = dict(child_env, TERM="xterm")
    env.pop("COLUMNS", None)  # the width comes from the terminal
    return env


@pytest.fixture
def terminal(routine: Path, env: dict[str, str], cli_argv: list[str]) -> Iterator[Terminal]:
    term = Terminal([*cli_argv, "run", str(routine), "--plain", "--audio", "none"], env)
    yield term
    term.close()


def _lflag(modes: list) -> int:
    return modes[3] & (termios.ECHO | termios.ICANON)


def test_space_pauses_q_quits_and_the_live_line_is_redrawn_in_place(terminal: Terminal) -> None:
    # The keys, wrapped between keys to the terminal's 100 columns (it cut "back" in two).
    terminal.expect(
        "Keys: space pause/resume · n next part (in a pause: start now) · s skip step · b back a"
        " part ·\r\n  a back a step · r restart · Enter done · c count a rep · q quit\r\n"
    )
    terminal.expect("Get ready: Wall calf stretch, left side, 2 s")
    # The live line: rewritten in place with a carriage return and clear-to-end.
    terminal.expect("\r  Get ready 0:02 · step 1/2")
    terminal.expect("\x1b[K")
    # Keys are read one at a time, without echo, while it plays.
    assert _lflag(termios.tcgetattr(terminal.slave)) == 0
    terminal.expect("\x1b[KHold 30 s\r\n")  # the phase line, not the live line's "next:"
    terminal.send(" ")
    terminal.expect("Paused — press space to continue")
    terminal.expect("\r  Paused · Hold ")
    terminal.send("q")
    terminal.expect("Stopped after")
    assert terminal.wait() == 0
    # The terminal is as it was: line editing and echo are back.
    assert termios.tcgetattr(terminal.slave) == terminal.modes_before


def test_enter_finishes_a_self_paced_step_and_s_skips(terminal: Terminal) -> None:
    terminal.expect("Get ready: Wall calf stretch")
    terminal.send("S")  # caps lock on: still the skip
    terminal.expect("Skipping Wall calf stretch")
    terminal.expect("Loosen your sheets — press Enter when done")
    terminal.expect("your own pace · step 2/2")
    terminal.send("\r")
    terminal.expect("Finished: ")
    assert terminal.wait() == 0


def test_ctrl_c_exits_130_without_a_traceback_and_restores_the_terminal(terminal: Terminal) -> None:
    terminal.expect("Get ready: Wall calf stretch")
    terminal.send("\x03")  # the terminal turns it into SIGINT
    assert terminal.wait() == 130
    assert "Traceback" not in terminal.output.decode(errors="replace")
    assert termios.tcgetattr(terminal.slave) == terminal.modes_before


def test_ctrl_z_without_job_control_pauses_and_keeps_the_keys_working(terminal: Terminal) -> None:
    # This child leads its own session, so the system will not stop it (an
    # orphaned process group): it pauses, stays in control, and says so.
    terminal.expect("\x1b[KHold 30 s\r\n")
    terminal.send("\x1a")
    terminal.expect("Paused while the coach was in the background")
    terminal.expect("Paused — press space to continue")
    terminal.send(" ")
    terminal.expect("Resumed")
    terminal.send("q")
    assert terminal.wait() == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for job control")
def test_ctrl_z_in_a_shell_really_suspends_and_fg_comes_back_paused(
    routine: Path, env: dict[str, str], cli_argv: list[str]
) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    shell_env = dict(env, PS1="$ ", HISTFILE="/dev/null")
    term = Terminal([bash, "--norc", "--noprofile", "-i"], shell_env)
    try:
        term.expect("$ ")
        command = " ".join(shlex.quote(part) for part in cli_argv)
        term.send(f"{command} run {shlex.quote(str(routine))} --plain --audio none\r")
        term.expect("Get ready: Wall calf stretch")
        term.send("\x1a")
        term.expect("Paused while the coach was in the background")
        term.expect("Stopped")  # bash's job report: the process really is stopped
        term.send("fg\r")
        term.expect("Paused — press space to continue")
        term.send(" ")
        term.expect("Resumed")
        term.send("q")
        term.expect("Stopped after")
        term.send("exit\r")
        assert term.wait() == 0
    finally:
        term.close()
