"""The plain runner's input: single keys from a terminal, else one command a line.

When standard input is a terminal it is put in cbreak mode (restored on every
way out) and each key is a command. Otherwise each line is one; an Enter that
arrives before a self-paced step is kept for it, and once the input ends
self-paced steps are skipped, since nobody is left to say they are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Any

from stretch_coach.engine import events as ev
from stretch_coach.engine.session import Session, SessionState
from stretch_coach.plain.view import PlainView, isatty
from stretch_coach.routine.model import StepKind
from stretch_coach.timeline import SegmentKind
from stretch_coach.words import side_phrase

#: The words piped input accepts, and the key each stands for.
PIPED_WORDS = {
    "pause": "p",
    "resume": "p",
    "space": "p",
    "next": "n",
    "next part": "n",
    "part": "n",
    "skip": "s",
    "skip step": "s",
    "back": "b",
    "back part": "b",
    "previous": "a",
    "previous step": "a",
    "back step": "a",
    "restart": "r",
    "count": "c",
    "quit": "q",
    "stop": "q",
}


class KeyInput:
    """Reads commands from ``fd`` on the loop and gives them to the session.

    Args:
        session: the session the commands go to.
        view: where feedback lines go ("Skipping ...", unknown commands).
        fd: the file descriptor to read (standard input).
    """

    def __init__(self, session: Session, view: PlainView, fd: int) -> None:
        self.session = session
        self.view = view
        self.fd = fd
        self.keys_from_terminal = isatty(fd)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._saved_mode: list[Any] | None = None  # termios attributes to restore
        self._reading = False
        self._buffer = b""
        self._input_ended = False
        self._pending_done = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Enter cbreak mode (on a terminal) and start reading."""
        self._loop = loop
        self.enter_cbreak()
        self._start_input(loop)

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Stop reading and give the terminal its modes back."""
        self._stop_input(loop)
        self.restore_terminal()

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
            "n": self._next_part,
            "s": self._skip_step,
            "b": self._back_part,
            "a": self._back_step,
            "r": self._restart,
            "\n": self.session.done,
            "\r": self.session.done,
            "c": self.session.count_rep,
            "+": self.session.count_rep,
            "q": self.session.stop,
        }
        # Caps lock on, at night, is no reason to ignore a key, nor to give it
        # another meaning: no two commands differ only by case.
        command = commands.get(key.lower())
        if command is not None:
            command()

    def _line(self, line: str) -> None:
        word = " ".join(line.strip().lower().split())
        if word == "" and " " in line:
            word = "p"  # a line of spaces: the space bar
        if word in ("", "d", "done"):
            self._done_from_pipe()
            return
        key = PIPED_WORDS.get(word, word)
        if key in ("p", "n", "s", "b", "a", "r", "c", "+", "q"):
            self._key(key)
        else:
            self.view.line(
                f"Unknown command {line.strip()!r}: use a word or a letter"
                " (next n, skip s, back b, previous a, restart r, pause p, count c, quit q)"
                " or an empty line for done"
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

    def _next_part(self) -> None:
        state = self.session.state()
        step = state.step
        if step is not None and step.kind is StepKind.REST:
            # A rest step cut short: not skipped (the engine counts it done).
            name = step.name
            self._announce_line("Ending the rest now" if name == "Rest" else f"Ending {name} now")
        elif step is not None:
            part = _part_of(state)
            if self.session.part_opening():
                # In a get-ready, a switch or a rest between sets: the pause is cut
                # short and the side or set about to begin starts now (none is lost).
                self._announce_line(f"Starting {part}{step.name} now")
            elif state.side_index == state.sides and state.set == state.sets:
                # the step's last part (or its only one) ends the step
                self._announce_line(f"Skipping {step.name}")
            else:
                self._announce_line(f"Ending {part}{step.name}")
        self.session.next_part()

    def _skip_step(self) -> None:
        self._announce("Skipping")
        self.session.next_step()

    def _back_part(self) -> None:
        self.session.previous_part()

    def _back_step(self) -> None:
        self.session.previous_step()

    def _restart(self) -> None:
        self._announce("Restarting")
        self.session.restart_step()

    def _announce(self, verb: str) -> None:
        # Keyboard feedback: the step's name, before the lines of where it lands.
        state = self.session.state()
        if state.step is not None:
            self._announce_line(f"{verb} {state.step.name}")

    def _announce_line(self, text: str) -> None:
        if self.session.state().status not in ("ready", "finished", "stopped"):
            self.view.line(text)

    def on_event(self, event: ev.Event) -> None:
        if (
            isinstance(event, ev.SegmentStarted)
            and not event.segment.timed
            and not self.keys_from_terminal
        ):
            self._skip_if_untimed()

    def enter_cbreak(self) -> None:
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

    def restore_terminal(self) -> None:
        if self._saved_mode is None:
            return
        import termios

        with contextlib.suppress(termios.error):
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved_mode)


def _part_of(state: SessionState) -> str:
    """The part about to begin (or, in its work, under way), as ``the right side of `` or
    ``set 2 of `` (empty for a step's only part), before the step's name."""
    seg = state.segment
    if seg is not None and seg.kind is SegmentKind.SET_REST:
        return f"set {state.set} of "  # its first side follows, as every set begins
    if state.sides > 1 and state.side is not None:
        return f"the {side_phrase(state.side)} of "
    if state.sets > 1:
        return f"set {state.set} of "
    return ""


def _awaits_done(state: SessionState) -> bool:
    """Whether the session is in a self-paced segment (waiting, or paused there)."""
    seg = state.segment
    return state.status in ("waiting", "paused") and seg is not None and not seg.timed
