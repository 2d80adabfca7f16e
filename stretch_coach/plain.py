"""``stretch-coach run ROUTINE --plain``: the coach as plain lines of text.

For screen readers, logs, simple terminals and anyone who would rather listen
than look. One line per phase ("Get ready: Wall calf stretch, left side,
5 s", "Hold 30 s (1/2)", "Rest 10 s"...), the step's instructions once, and,
only when standard output is a terminal, a live countdown redrawn in place on
one line. When it is not a terminal there is no redraw noise at all.

Input: when standard input is a terminal, single keys (cbreak mode, restored
on every way out): space pause/resume, n next, b back, r restart, Enter done,
c or + count a rep, q quit. Otherwise standard input is read as commands, one
a line (an empty line is Enter); an Enter that arrives before a self-paced
step is kept for it, and once the input ends self-paced steps are skipped,
since nobody is left to say they are done.

Ctrl+C stops at once (exit 130); Ctrl+Z pauses the session and then really
suspends; after ``fg`` the session stays paused until you press space.

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
import shutil
import signal
import sys
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from stretch_coach.audio.player import make_player
from stretch_coach.describe import untimed_text
from stretch_coach.engine import events as ev
from stretch_coach.engine.audio_link import AudioLink
from stretch_coach.engine.clock import MonotonicClock
from stretch_coach.engine.cue_log import CueLog
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
from stretch_coach.engine.session import Session, SessionState, side_phrase
from stretch_coach.errors import EXIT_INTERRUPTED, UserError
from stretch_coach.history.recorder import HistoryRecorder, Routine
from stretch_coach.routine.durations import format_clock, format_seconds
from stretch_coach.routine.model import StepKind
from stretch_coach.timeline import (
    ACTIVITY,
    COUNTED,
    HOLD,
    MANUAL,
    PREPARE,
    REP,
    REST,
    SET_REST,
    SWITCH,
    Segment,
    Timeline,
)

#: How often the live countdown line is recomputed (it is only rewritten when it changes).
REDRAW_INTERVAL = 0.1
CLEAR_LINE = "\r\x1b[K"


# -- words ------------------------------------------------------------------------


def _sets(seg: Segment) -> str:
    return f"set {seg.set}/{seg.sets}" if seg.sets > 1 else ""


def _with_side(name: str, seg: Segment) -> str:
    return f"{name}, {side_phrase(seg.side)}" if seg.side is not None else name


def phase_line(seg: Segment, timeline: Timeline, *, terminal: bool) -> str | None:
    """The line announcing a segment, or ``None`` for one that needs none.

    Args:
        seg: the segment that begins.
        timeline: its timeline (for the step).
        terminal: whether keys come from a terminal (changes the "when done" hint).
    """
    step = timeline.steps[seg.step].step
    duration = format_seconds(seg.duration or 0.0)
    sets = _sets(seg)
    if seg.kind == PREPARE:
        return f"Get ready: {_with_side(step.name, seg)}, {duration}"
    if seg.kind == HOLD:
        parts = [f"{seg.rep}/{seg.reps}"] if (seg.reps or 1) > 1 else []
        parts += [sets] if sets else []
        return f"Hold {duration}" + (f" ({', '.join(parts)})" if parts else "")
    if seg.kind == REST:
        if step.kind is StepKind.REST and step.name != "Rest":
            return f"{step.name}: {duration}"
        return f"Rest {duration}"
    if seg.kind == SET_REST:
        return f"Rest {duration} before set {seg.set}/{seg.sets}"
    if seg.kind == SWITCH:
        return f"Switch sides: {seg.side}, {duration}"
    sets_note = f" ({sets})" if sets else ""
    if seg.kind == REP:
        if seg.rep != 1:
            return None  # the countdown line shows later reps; a line each would be noise
        tempo = format_seconds(step.tempo or 0.0)
        return f"{_with_side(step.name, seg)}: {seg.reps} reps, {tempo} each{sets_note}"
    if seg.kind == ACTIVITY:
        return f"{_with_side(step.name, seg)}: {duration}{sets_note}"
    if seg.kind == COUNTED:
        hint = (
            "press c to count each, Enter when done"
            if terminal
            else "send c to count each, an empty line when done"
        )
        return f"{_with_side(step.name, seg)}: {seg.reps} reps at your own pace{sets_note} — {hint}"
    if seg.kind == MANUAL:
        hint = "press Enter when done" if terminal else "send an empty line when done"
        return f"{_with_side(step.name, seg)}{sets_note} — {hint}"
    return None


_SHORT = {
    PREPARE: "Get ready",
    HOLD: "Hold",
    REST: "Rest",
    SET_REST: "Rest",
    SWITCH: "Switch",
    ACTIVITY: "Go",
}


def status_line(state: SessionState) -> str:
    """The live countdown line (terminal only)."""
    seg = state.segment
    if seg is None or state.status == "ready":
        return ""
    where = f"step {state.step_index + 1}/{state.step_count}"
    left = f"{format_clock(state.routine_remaining)} left"
    nxt = f"next: {state.next_label}"
    if state.status == "waiting" or (state.status == "paused" and not seg.timed):
        now = f"{state.counted}/{state.reps} counted" if seg.kind == COUNTED else "your own pace"
    elif seg.kind == REP:
        now = f"Rep {seg.rep}/{seg.reps} {format_clock(state.segment_remaining or 0.0)}"
    else:
        now = f"{_SHORT.get(seg.kind, seg.kind)} {format_clock(state.segment_remaining or 0.0)}"
    if state.status == "paused":
        now = f"Paused · {now}"
    return f"  {now} · {where} · {left} · {nxt}"


def _whole(seconds: float) -> str:
    return format_seconds(float(round(seconds)))


# -- the view ---------------------------------------------------------------------


class PlainView:
    """A session listener that writes the session as lines, plus a live line on a terminal.

    Args:
        session: the session shown (read for the live line and the totals).
        out: where lines go.
        live: keep a countdown line redrawn in place (only for a terminal).
        terminal_keys: keys come from a terminal (changes the hints).
    """

    def __init__(self, session: Session, out: TextIO, *, live: bool, terminal_keys: bool) -> None:
        self.session = session
        self.out = out
        self.live = live
        self.terminal_keys = terminal_keys
        self._drawn = ""  # the live line now on screen
        self._instructions: str | None = None
        self._new_step = False

    @property
    def resume_hint(self) -> str:
        return "press space to continue" if self.terminal_keys else "send p to continue"

    def line(self, text: str) -> None:
        """Write a line of its own (above the live line, which is redrawn after)."""
        if self._drawn:
            self.out.write(CLEAR_LINE)
            self._drawn = ""
        self.out.write(text + "\n")
        self.out.flush()
        if self.live:
            self.redraw()

    def redraw(self) -> None:
        """Rewrite the live line if what it says has changed."""
        if not self.live:
            return
        text = status_line(self.session.state())
        width = shutil.get_terminal_size((80, 24)).columns - 1
        text = text[: max(width, 0)]
        if text != self._drawn:
            self.out.write("\r" + text + "\x1b[K")
            self.out.flush()
            self._drawn = text

    def invalidate(self) -> None:
        """Forget what is on screen (after a suspend, a shell may have drawn over it)."""
        if self.live:
            self._drawn = "\0"

    def close(self) -> None:
        """Take the live line off the screen."""
        if self._drawn:
            self.out.write(CLEAR_LINE)
            self.out.flush()
            self._drawn = ""

    def __call__(self, event: ev.Event) -> None:
        """Show one session event."""
        timeline = self.session.timeline
        if isinstance(event, ev.StepStarted):
            self._instructions = event.step.step.instructions
            self._new_step = True
        elif isinstance(event, ev.SegmentStarted):
            seg = event.segment
            if self._new_step and seg.kind == HOLD:
                # Without a prepare countdown, a hold's line would not name its step.
                self.line(_with_side(timeline.steps[seg.step].name, seg))
            self._new_step = False
            text = phase_line(seg, timeline, terminal=self.terminal_keys)
            if text is not None:
                self.line(text)
            if self._instructions:
                # Once per step, under its first line: one line each for logs and
                # screen readers; on a terminal, wrapped at words, not mid-word.
                text = " ".join(self._instructions.split())
                if self.live:
                    width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
                    text = textwrap.fill(text, width, initial_indent="  ", subsequent_indent="  ")
                else:
                    text = "  " + text
                self.line(text)
                self._instructions = None
        elif isinstance(event, ev.PromptDue):
            self.line(f"  “{event.prompt.say}”")
        elif isinstance(event, ev.RepCounted):
            self.line(f"  {event.count} of {event.reps}")
        elif isinstance(event, ev.Paused):
            if event.reason == "gap":
                self.line(
                    "Paused: the timer was held up (the computer slept or the program "
                    f"was stopped) — {self.resume_hint}"
                )
            elif event.reason == "suspend":
                self.line("Paused (suspended)")
            else:
                self.line(f"Paused — {self.resume_hint}")
        elif isinstance(event, ev.Resumed):
            self.line("Resumed")
        elif isinstance(event, ev.Ended):
            elapsed = _whole(self.session.state().elapsed_active)
            self.line(
                f"Finished: {elapsed}" if event.status == "finished" else f"Stopped after {elapsed}"
            )
            self.close()


# -- the runner ---------------------------------------------------------------------


class PlainRunner:
    """Plays a timeline in plain text on an asyncio loop.

    Args:
        timeline: what to play.
        title: the routine's title.
        caution: "stop if..." lines shown before the start.
        out: standard output (lines, and the live line when it is a terminal).
        err: where notices about audio go.
        stdin_fd: the file descriptor commands are read from.
        audio: the ``--audio`` choice.
        voice: speak step names and prompts.
        cue_log: a cue log to write, if any.
    """

    def __init__(
        self,
        timeline: Timeline,
        *,
        title: str,
        caution: tuple[str, ...] = (),
        out: TextIO,
        err: TextIO,
        stdin_fd: int,
        audio: str = "auto",
        voice: bool = True,
        cue_log: CueLog | None = None,
    ) -> None:
        self.timeline = timeline
        self.title = title
        self.caution = caution
        self.out = out
        self.err = err
        self.fd = stdin_fd
        self.audio = audio
        self.voice = voice
        self.cue_log = cue_log
        self.clock = MonotonicClock()
        self.session = Session(timeline, self.clock)
        self.keys_from_terminal = _isatty(stdin_fd)
        self.view = PlainView(
            self.session, out, live=_isatty(out), terminal_keys=self.keys_from_terminal
        )
        self.exit_code = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._saved_mode: list[Any] | None = None  # termios attributes to restore
        self._reading = False
        self._buffer = b""
        self._input_ended = False
        self._pending_done = 0
        self._problems_shown: set[str] = set()
        self.recorder: HistoryRecorder | None = None

    # -- running --------------------------------------------------------------------

    def run(self) -> int:
        """Play the routine; return the exit code (0, or 130 after Ctrl+C)."""
        try:
            return asyncio.run(self._main())
        finally:
            self._restore_terminal()

    async def _main(self) -> int:
        self._loop = loop = asyncio.get_running_loop()
        player = make_player(self.audio, self._problem, self._ring, voice=self.voice)
        session = self.session
        # Issue 10: phrases rendered and measured first, then planned between the tones.
        speech = (
            await prepare_speech(player, self.timeline)
            if self.voice and can_speak(player)
            else None
        )
        session.set_speech(speech)
        await ready(player)  # the first cue is not lost behind the player's start-up
        if self.cue_log is not None:
            session.add_listener(self.cue_log)  # first: the log must not depend on the others
        session.add_listener(self.view)
        session.add_listener(AudioLink(player, voice=self.voice, on_problem=self._problem))
        session.add_listener(self._on_event)
        if self.recorder is not None:
            session.add_listener(self.recorder)
        driver = AsyncDriver(session, self.clock)
        handled = self._install_signals(loop)
        redraw: asyncio.Task[None] | None = None
        try:
            self._header()
            if notice := voice_notice(player, wanted=self.voice and self.audio != "none"):
                self.view.line(notice)
            self._enter_cbreak()
            self._start_input(loop)
            session.start()
            if self.view.live:
                redraw = loop.create_task(self._redraw_loop())
            await driver.run()
            if session.status == "finished":
                # The end chime, the finish and "Well done" play to their end
                # (at most their length and a moment) before the program exits.
                await drain(player, sounds_after_end(self.timeline, speech) + MOMENT)
        finally:
            if redraw is not None:
                redraw.cancel()
            self._stop_input(loop)
            for signum in handled:
                loop.remove_signal_handler(signum)
            self._restore_terminal()
            self.view.close()
            player.close()
            if self.recorder is not None:
                self.recorder.close()
        return self.exit_code

    def _header(self) -> None:
        length = format_seconds(self.timeline.total)
        if untimed := untimed_text(self.timeline.untimed_steps):
            length += f" {untimed}"
        self.view.line(f"{self.title} — {length}")
        for line in self.caution:
            self.view.line(f"Caution: {line}")
        if self.keys_from_terminal:
            self.view.line(
                "Keys: space pause/resume · n next · b back · r restart · "
                "Enter done · c count a rep · q quit"
            )
        else:
            self.view.line(
                "Input is not a terminal: reading commands from it, one a line "
                "(empty line: done, p: pause/resume, n: next, b: back, r: restart, "
                "c: count a rep, q: quit). When it ends, self-paced steps are skipped."
            )

    async def _redraw_loop(self) -> None:
        # Only redraws: the session's own clock decides what the line says.
        while True:
            self.view.redraw()
            await asyncio.sleep(REDRAW_INTERVAL)

    # -- sound problems and the bell ---------------------------------------------------

    def _problem(self, message: str) -> None:
        # May be called from a player's thread: hop onto the loop to print.
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._show_problem, message)
        else:
            self._show_problem(message)

    def _show_problem(self, message: str) -> None:
        if message in self._problems_shown:
            return
        self._problems_shown.add(message)
        self.view.close()
        self.err.write(f"stretch-coach: {message}\n")
        self.err.flush()
        self.view.redraw()

    def _ring(self) -> None:
        # Straight to the descriptor, one byte, so it cannot split an escape
        # sequence the loop is writing; never into a file or a pipe.
        for stream in (self.out, self.err):
            if _isatty(stream):
                with contextlib.suppress(OSError):
                    os.write(stream.fileno(), b"\a")
                return

    # -- input ------------------------------------------------------------------------

    def _start_input(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            loop.add_reader(self.fd, self._on_readable)
            self._reading = True
        except (OSError, ValueError):
            # A regular file or /dev/null cannot be watched; it is all there
            # to read now, so read it to the end.
            self._read_all()

    def _stop_input(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._reading:
            loop.remove_reader(self.fd)
            self._reading = False

    def _read_all(self) -> None:
        while not self._input_ended and not self.session.ended:
            self._on_readable()

    def _on_readable(self) -> None:
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._end_of_input()
            return
        if self.keys_from_terminal:
            text = data.decode("utf-8", "ignore")
            if "\x1b" in text:
                return  # arrow and function keys: not ours, and their letters must not count
            for key in text:
                self._key(key)
            return
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            self._line(raw.decode("utf-8", "replace").rstrip("\r"))

    def _end_of_input(self) -> None:
        if self._reading and self._loop is not None:
            self._loop.remove_reader(self.fd)
            self._reading = False
        if self._input_ended:
            return
        self._input_ended = True
        if self._buffer:
            self._line(self._buffer.decode("utf-8", "replace"))
            self._buffer = b""
        if not self.keys_from_terminal:
            self._skip_if_untimed()

    def _key(self, key: str) -> None:
        commands: dict[str, Callable[[], None]] = {
            " ": self.session.toggle_pause,
            "p": self.session.toggle_pause,
            "n": self._next,
            "b": self._back,
            "r": self._restart,
            "\n": self.session.done,
            "\r": self.session.done,
            "c": self.session.count_rep,
            "+": self.session.count_rep,
            "q": self.session.stop,
        }
        command = commands.get(key.lower())  # caps lock on, at night, is no reason to ignore a key
        if command is not None:
            command()

    def _line(self, line: str) -> None:
        word = line.strip().lower()
        if word == "" and " " in line:
            word = "p"  # a line of spaces: the space bar
        if word in ("", "d", "done"):
            self._done_from_pipe()
            return
        aliases = {
            "pause": "p",
            "resume": "p",
            "space": "p",
            "next": "n",
            "back": "b",
            "restart": "r",
            "count": "c",
            "quit": "q",
            "stop": "q",
        }
        key = aliases.get(word, word)
        if key in ("p", "n", "b", "r", "c", "+", "q"):
            self._key(key)
        else:
            self.view.line(
                f"Unknown command {line.strip()!r}: use p, n, b, r, c, q or an empty line"
            )

    def _done_from_pipe(self) -> None:
        # Piped input runs ahead of the session: an Enter that comes early is
        # kept for the next self-paced step rather than lost.
        if _awaits_done(self.session.state()):
            self.session.done()
        else:
            self._pending_done += 1

    def _skip_if_untimed(self) -> None:
        state = self.session.state()
        if not _awaits_done(state):
            return
        if self._pending_done:
            self._pending_done -= 1
            self.session.done()
        elif self._input_ended:
            self.view.line(
                f"No input left: skipping {state.step.name if state.step else 'this step'}"
            )
            self.session.next_step()

    def _next(self) -> None:
        self._announce("Skipping")
        self.session.next_step()

    def _back(self) -> None:
        self.session.previous_step()

    def _restart(self) -> None:
        self._announce("Restarting")
        self.session.restart_step()

    def _announce(self, verb: str) -> None:
        # Keyboard feedback: the step's name, before the lines of where it lands.
        state = self.session.state()
        if state.step is not None and state.status not in ("ready", "finished", "stopped"):
            self.view.line(f"{verb} {state.step.name}")

    def _on_event(self, event: ev.Event) -> None:
        if (
            isinstance(event, ev.SegmentStarted)
            and not event.segment.timed
            and not self.keys_from_terminal
        ):
            self._skip_if_untimed()

    # -- terminal and signals ---------------------------------------------------------

    def _enter_cbreak(self) -> None:
        if not self.keys_from_terminal:
            return
        import termios
        import tty

        try:
            if self._saved_mode is None:
                self._saved_mode = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd, termios.TCSANOW)
        except termios.error:
            pass

    def _restore_terminal(self) -> None:
        if self._saved_mode is None:
            return
        import termios

        with contextlib.suppress(termios.error):
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved_mode)

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
        self.exit_code = exit_code
        if self.recorder is not None:
            self.recorder.interrupted()
        self.session.stop()

    def _on_suspend(self) -> None:
        loop = self._loop
        assert loop is not None
        self.session.pause("suspend")
        self.view.close()
        self._restore_terminal()
        # Suspend for real: the default action of SIGTSTP stops the process
        # right here. The kill returns once we are continued, or at once when
        # the system refuses to stop us (an orphaned process group, e.g. a
        # shell without job control): either way we are back, still paused.
        loop.remove_signal_handler(signal.SIGTSTP)
        try:
            os.kill(os.getpid(), signal.SIGTSTP)
        finally:
            loop.add_signal_handler(signal.SIGTSTP, self._on_suspend)
        self._enter_cbreak()
        self.view.invalidate()
        if self.session.status == "paused":
            self.view.line(f"Paused — {self.view.resume_hint}")

    def _on_continue(self) -> None:
        # Also after a stop we did not ask for (kill -STOP): a shell may have
        # reset the terminal and drawn over the live line.
        self._enter_cbreak()
        self.view.invalidate()
        self.session.update()  # notice the gap before drawing a countdown that skipped it
        self.view.redraw()


def _awaits_done(state: SessionState) -> bool:
    """Whether the session is in a self-paced segment (waiting, or paused there)."""
    seg = state.segment
    return state.status in ("waiting", "paused") and seg is not None and not seg.timed


def _isatty(stream: TextIO | int) -> bool:
    try:
        fd = stream if isinstance(stream, int) else stream.fileno()
        return os.isatty(fd)
    except (OSError, ValueError, AttributeError):
        return False


def run_plain(args: argparse.Namespace) -> int:
    """The ``run --plain`` command: find the routine, play it, return the exit code.

    Raises:
        UserError: for a routine that cannot be found or played, or a cue log
            that cannot be written.
    """
    from stretch_coach.routine.library import default_library, timeline_of
    from stretch_coach.timeline import TimelineTooLong

    entry = default_library(args.library).find(args.routine)
    try:
        timeline = timeline_of(entry)
    except TimelineTooLong as err:
        raise UserError(f"{args.routine}: {err}") from None
    cue_log = None
    if args.cue_log:
        try:
            cue_log = CueLog.open(args.cue_log)
        except OSError as err:
            raise UserError(f"--cue-log {args.cue_log}: {err.strerror or err}") from None
    routine = entry.routine
    runner = PlainRunner(
        timeline,
        title=routine.title if routine else entry.title,
        caution=routine.caution if routine else (),
        out=sys.stdout,
        err=sys.stderr,
        stdin_fd=sys.stdin.fileno() if sys.stdin is not None else -1,
        audio=args.audio or "auto",
        voice=not args.no_voice,
        cue_log=cue_log,
    )
    runner.recorder = HistoryRecorder(
        Routine.of_timeline(entry, timeline), on_notice=runner._problem
    )
    try:
        return runner.run()
    finally:
        if cue_log is not None:
            cue_log.close()
