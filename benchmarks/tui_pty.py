"""Run a terminal program in a pseudo-terminal and watch what it draws: for the TUI benchmarks.

The program gets a real terminal of a fixed size (so Textual draws exactly as
it would for a person), its output is read continuously on a thread (so it
never blocks on a full pipe), and escape sequences are stripped so the text
on screen can be searched.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07"
)


def coach_command(*args: str) -> list[str]:
    """The installed ``stretch-coach`` (``pip install -e .``), with ``run ARGS`` if any.

    There is no fallback: a coach that does not open is a failure the
    benchmark must show, not work around.
    """
    script = Path(sys.executable).parent / "stretch-coach"
    if not script.exists():
        sys.exit(f"{script} is not installed: pip install -e . first")
    return [str(script), *(["run", *args] if args else [])]


def compile_package() -> None:
    """Compile stretch_coach's bytecode, as pip does when it installs a package.

    Textual has its bytecode from its install; an editable checkout only
    writes it on first import, and never under PYTHONDONTWRITEBYTECODE, so
    without this the coach would be timed compiling itself.
    """
    import compileall

    import stretch_coach

    compileall.compile_dir(Path(stretch_coach.__file__).parent, quiet=1)


class Terminal:
    """A program running in a pseudo-terminal of ``size`` (columns, rows)."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], size: tuple[int, int] = (80, 24)
    ) -> None:
        self.argv = list(argv)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = {**os.environ, **env, "TERM": "xterm-256color"}
        full_env.pop("COLUMNS", None)
        full_env.pop("LINES", None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.text = b""
        self._lock = threading.Lock()
        self._seen = threading.Condition(self._lock)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._seen:
                self.text += ANSI.sub(b"", chunk)
                self._seen.notify_all()

    def send(self, keys: str) -> int:
        """Type ``keys``; returns how much had been drawn before, for
        :meth:`wait_for`'s ``after``."""
        with self._lock:
            drawn = len(self.text)
        os.write(self.master, keys.encode())
        return drawn

    def wait_for(self, marker: str, timeout: float = 30.0, after: int = 0) -> float:
        """Seconds from the start until ``marker`` was drawn (after the first ``after`` bytes)."""
        needle = marker.encode()
        deadline = time.monotonic() + timeout
        with self._seen:
            while self.text.find(needle, after) < 0:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    tail = self.text[-400:].decode(errors="replace")
                    raise RuntimeError(f"{marker!r} never appeared on {self.argv}: ...{tail}")
                self._seen.wait(min(left, 0.05))
        return time.perf_counter() - self.started

    def wait_for_drawing(self, timeout: float = 30.0) -> float:
        """Seconds from the start until anything but blanks was drawn.

        For a program whose screen has no fixed words to wait for (termdown
        draws the time in ASCII art).
        """
        deadline = time.monotonic() + timeout
        with self._seen:
            while not self.text.strip():
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise RuntimeError(f"{self.argv} drew nothing")
                self._seen.wait(min(left, 0.05))
        return time.perf_counter() - self.started

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self.master)


def proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used by ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_peak_rss_mb(pid: int) -> float:
    """Peak resident memory of ``pid`` in MiB (VmHWM, Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")
