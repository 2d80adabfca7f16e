"""``stretch-coach run ROUTINE --plain``: the coach as plain lines of text.

For screen readers, logs, simple terminals and anyone who would rather listen
than look. One line per phase ("Get ready: Wall calf stretch, left side,
5 s", "Hold 30 s (1/2)", "Rest 10 s"...), the step's instructions once, and,
only when standard output is a terminal, a live countdown redrawn in place on
one line. When it is not a terminal there is no redraw noise at all.

Input: when standard input is a terminal, single keys (cbreak mode, restored
on every way out): space pause/resume, n next part (ends a side or a set; in
a get-ready, a switch or a rest between sets, starts it now), s skip the
step, b back a part, a back a step, r restart, Enter done, c or + count a rep,
q quit; caps lock changes none of them. Otherwise standard input is read as
commands, one a line (an empty line is Enter); an Enter that arrives before a self-paced
step is kept for it, and once the input ends self-paced steps are skipped,
since nobody is left to say they are done.

Ctrl+C stops at once (exit 130), and so do SIGTERM (143) and SIGHUP (129, the
terminal was closed): the session is recorded as ``interrupted`` with the
steps done so far. Output that fails (a closed terminal, a pipe whose reader
left) ends the session the same way, never with a traceback. Ctrl+Z pauses
the session and then really suspends; after ``fg`` the session stays paused
until you press space.

Nothing here imports Textual. The session runs on the same
:class:`~stretch_coach.engine.driver.AsyncDriver` as the TUI, on an asyncio
loop that also reads the keys and handles the signals, so there are no
threads and no locks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from stretch_coach.coach import PreparedSession
from stretch_coach.engine.driver import AsyncDriver
from stretch_coach.engine.hearing import (
    MOMENT,
    can_speak,
    drain,
    prepare_speech,
    ready,
    sounds_after_end,
    voice_notice,
)
from stretch_coach.engine.session import Session
from stretch_coach.errors import EXIT_INTERRUPTED
from stretch_coach.outputs import silence
from stretch_coach.plain.keys import KeyInput
from stretch_coach.plain.view import PlainView, isatty
from stretch_coach.words import PAUSE_REASONS, total_text

#: How often the live countdown line is recomputed (it is only rewritten when it changes).
REDRAW_INTERVAL = 0.1


# -- the runner ---------------------------------------------------------------------


class PlainRunner:
    """Plays a prepared session in plain text on an asyncio loop.

    Args:
        out: standard output (lines, and the live line when it is a terminal).
        err: where notices about audio and the history go.
        stdin_fd: the file descriptor commands are read from.
    """

    def __init__(self, *, out: TextIO, err: TextIO, stdin_fd: int) -> None:
        self.out = out
        self.err = err
        self.fd = stdin_fd
        self.keys_from_terminal = isatty(stdin_fd)
        self.exit_code = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.report_problems_shown: set[str] = set()
        self._prepared: PreparedSession | None = None
        self._view: PlainView | None = None
        self._keys: KeyInput | None = None
        self._voice_wanted = True

    @property
    def prepared(self) -> PreparedSession:
        """The session being played (set by :meth:`run`)."""
        assert self._prepared is not None, "run() sets the session"
        return self._prepared

    @property
    def session(self) -> Session:
        return self.prepared.session

    @property
    def view(self) -> PlainView:
        assert self._view is not None, "run() makes the view"
        return self._view

    @property
    def keys(self) -> KeyInput:
        assert self._keys is not None, "run() starts reading the keys"
        return self._keys

    # -- running --------------------------------------------------------------------

    def run(self, prepared: PreparedSession, *, voice_wanted: bool = True) -> int:
        """Play ``prepared`` (from :mod:`stretch_coach.coach`); return the exit code.

        The exit code is 0, or 130 after Ctrl+C. The player is closed and the
        recorder finished on every way out. ``voice_wanted``: the settings ask
        for a voice (if none can speak, the header says so).
        """
        self._voice_wanted = voice_wanted
        self._prepared = prepared
        self._view = PlainView(
            prepared.session,
            self.out,
            live=isatty(self.out),
            terminal_keys=self.keys_from_terminal,
            on_lost=self._output_lost,
        )
        self._keys = keys = KeyInput(prepared.session, self._view, self.fd)
        try:
            return asyncio.run(self._main())
        finally:
            # Each in its own try: whatever fails on the way out, the
            # recorder still writes the session's end.
            try:
                keys.restore_terminal()
                prepared.player.close()
            finally:
                prepared.close()

    async def _main(self) -> int:
        self._loop = loop = asyncio.get_running_loop()
        session = self.session
        player = self.prepared.player.inner
        timeline = self.prepared.timeline
        # Phrases rendered and measured first, then planned between the tones.
        speech = (
            await prepare_speech(player, timeline)
            if self.prepared.player.voice and can_speak(player)
            else None
        )
        session.set_speech(speech)
        await ready(player)  # the first cue is not lost behind the player's start-up
        self.view.tally = self.prepared.tally
        session.add_listener(self.view)
        session.add_listener(self.keys.on_event)
        driver = AsyncDriver(session, session.clock)
        handled = self._install_signals(loop)
        redraw: asyncio.Task[None] | None = None
        try:
            self._header()
            if notice := voice_notice(player, wanted=self._voice_wanted):
                self.view.line(notice)
            self.keys.start(loop)
            session.start()
            if self.view.live:
                redraw = loop.create_task(self._redraw_loop())
            await driver.run()
            if session.status == "finished":
                # The end chime, the finish and "Well done" play to their end
                # (at most their length and a moment) before the program exits.
                await drain(player, sounds_after_end(timeline, speech) + MOMENT)
        finally:
            if redraw is not None:
                redraw.cancel()
            self.keys.stop(loop)
            for signum in handled:
                loop.remove_signal_handler(signum)
            self.view.close()
        return self.exit_code

    def _header(self) -> None:
        timeline = self.prepared.timeline
        length = total_text(timeline.total, timeline.untimed_steps)
        self.view.line(f"{self.prepared.title} — {length}")
        for line in self.prepared.caution:
            self.view.wrapped(line, "Caution: ", "  ")
        if self.keys_from_terminal:
            # Wrapped between keys on a terminal (it cut "back" in two at 100 columns).
            self.view.listing(
                "Keys: ",
                [
                    "space pause/resume",
                    "n next part (in a pause: start now)",
                    "s skip step",
                    "b back a part",
                    "a back a step",
                    "r restart",
                    "Enter done",
                    "c count a rep",
                    "q quit",
                ],
            )
        else:
            self.view.line(
                "Input is not a terminal: reading commands from it, one a line "
                "(empty line: done, p: pause/resume, n or next: next part (in a pause: "
                "start now), s or skip: "
                "skip step, b or back: back a part, a or previous: back a step, "
                "r: restart, c: count a rep, q: quit). When it ends, self-paced steps are skipped."
            )

    async def _redraw_loop(self) -> None:
        # Only redraws: the session's own clock decides what the line says.
        while True:
            self.view.redraw()
            await asyncio.sleep(REDRAW_INTERVAL)

    # -- sound problems and the bell ---------------------------------------------------

    def report_problem(self, message: str) -> None:
        """Say a sound or history problem once, on standard error; safe from any thread."""
        # May be called from a player's thread: hop onto the loop to print.
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._show_problem, message)
        else:
            self._show_problem(message)

    def _show_problem(self, message: str) -> None:
        if message in self.report_problems_shown:
            return
        self.report_problems_shown.add(message)
        if self._view is not None:
            self.view.close()
        try:
            self.err.write(f"stretch-coach: {message}\n")
            self.err.flush()
        except (OSError, ValueError):  # standard error is gone too: nobody to tell
            silence(self.err)
        if self._view is not None:
            self.view.redraw()

    def ring(self) -> None:
        """The terminal bell, for the bell player."""
        # Straight to the descriptor, one byte, so it cannot split an escape
        # sequence the loop is writing; never into a file or a pipe.
        for stream in (self.out, self.err):
            if isatty(stream):
                with contextlib.suppress(OSError):
                    os.write(stream.fileno(), b"\a")
                return

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
        handlers: dict[int, Callable[[], None]] = {
            signal.SIGINT: lambda: self._stop_on_signal(EXIT_INTERRUPTED),
            signal.SIGTERM: lambda: self._stop_on_signal(128 + signal.SIGTERM),
            signal.SIGHUP: lambda: self._stop_on_signal(128 + signal.SIGHUP),
            signal.SIGTSTP: self._on_suspend,
            signal.SIGCONT: self._on_continue,
        }
        for signum, handler in handlers.items():
            loop.add_signal_handler(signum, handler)
        return list(handlers)

    def _stop_on_signal(self, exit_code: int) -> None:
        """End the session now, recorded as ``interrupted`` (Ctrl+C, SIGTERM, SIGHUP)."""
        self.exit_code = exit_code
        if self.prepared.recorder is not None:
            self.prepared.recorder.interrupted()
        self.session.stop()

    def _output_lost(self, err: OSError | ValueError) -> None:
        """Standard output failed: the terminal was closed, or the pipe's reader left.

        Nobody can follow the session any more, so it ends as if by the
        signal such an end brings (SIGHUP for a terminal, SIGPIPE for a
        pipe), recorded as ``interrupted`` with the steps done so far. A
        session already over keeps its ending and its exit code.
        """
        if self._prepared is None or self.session.ended:
            return
        code = 128 + (signal.SIGHUP if self.view.live else signal.SIGPIPE)
        loop = self._loop
        if loop is not None and loop.is_running():
            # Not from inside the view's own write: once the events being
            # delivered now have reached every listener.
            loop.call_soon(self._stop_unless_ended, code)
        else:
            self._stop_unless_ended(code)

    def _stop_unless_ended(self, exit_code: int) -> None:
        if not self.session.ended:
            self._stop_on_signal(exit_code)

    def _on_suspend(self) -> None:
        loop = self._loop
        assert loop is not None
        self.session.pause("suspend")
        self.view.close()
        self.keys.restore_terminal()
        # Suspend for real: the default action of SIGTSTP stops the process
        # right here. The kill returns once we are continued, or at once when
        # the system refuses to stop us (an orphaned process group, e.g. a
        # shell without job control): either way we are back, still paused.
        loop.remove_signal_handler(signal.SIGTSTP)
        try:
            os.kill(os.getpid(), signal.SIGTSTP)
        finally:
            loop.add_signal_handler(signal.SIGTSTP, self._on_suspend)
        self.keys.enter_cbreak()
        self.view.invalidate()
        if self.session.status == "paused":
            self.view.line(f"{PAUSE_REASONS['user']} — {self.view.resume_hint}")

    def _on_continue(self) -> None:
        # Also after a stop we did not ask for (kill -STOP): a shell may have
        # reset the terminal and drawn over the live line.
        self.keys.enter_cbreak()
        self.view.invalidate()
        self.session.update()  # notice the gap before drawing a countdown that skipped it
        self.view.redraw()


def run_plain(args: argparse.Namespace) -> int:
    """The ``run --plain`` command: find the routine, play it, return the exit code.

    The saved settings apply (audio, voice, get-ready), under the command
    line's ``--audio`` and ``--no-voice``.

    Raises:
        UserError: for a routine that cannot be found or played, or a cue log
            that cannot be written.
    """
    from stretch_coach import agenda, coach
    from stretch_coach.engine.clock import MonotonicClock
    from stretch_coach.routine.library import default_library
    from stretch_coach.settings import load_settings

    saved, warning = load_settings()
    settings = coach.effective(saved, coach.Overrides.from_args(args))
    found = agenda.playable(default_library(args.library), args.routine)
    entry = found.entry
    timeline = coach.session_timeline(entry, settings.prepare, args.routine)
    cue_log = coach.open_cue_log(args.cue_log, args.library or [])
    runner = PlainRunner(
        out=sys.stdout,
        err=sys.stderr,
        stdin_fd=sys.stdin.fileno() if sys.stdin is not None else -1,
    )
    if warning:
        runner.report_problem(warning)
    if found.note:
        print(found.note, file=sys.stdout)
    try:
        player = coach.session_player(settings, runner.report_problem, runner.ring)
        prepared = coach.prepare_session(
            entry,
            timeline,
            clock=MonotonicClock(),
            player=player,
            cue_log=cue_log,
            on_audio_problem=runner.report_problem,
            on_history_problem=runner.report_problem,
        )
        return runner.run(prepared, voice_wanted=settings.voice and settings.audio != "none")
    finally:
        if cue_log is not None:
            cue_log.close()
