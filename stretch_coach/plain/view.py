"""The plain runner's view: one line per phase, and a live countdown line on a terminal."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from typing import Protocol, TextIO

from stretch_coach.engine import events as ev
from stretch_coach.engine.session import Session, SessionState
from stretch_coach.outputs import silence
from stretch_coach.routine.durations import format_clock, format_seconds
from stretch_coach.routine.model import StepKind
from stretch_coach.timeline import Segment, SegmentKind, Timeline
from stretch_coach.words import (
    PAUSE_REASONS,
    SEGMENT_SHORT_LABELS,
    phases_text,
    routine_left_text,
    side_phrase,
    time_against_plan,
)

CLEAR_LINE = "\r\x1b[K"


class Counting(Protocol):
    """Whether the session counts and the time spent, as far as it went (a history CountTally)."""

    @property
    def counts(self) -> bool: ...

    @property
    def seconds(self) -> float: ...


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
    if seg.kind is SegmentKind.PREPARE:
        return f"Get ready: {_with_side(step.name, seg)}, {duration}"
    if seg.kind is SegmentKind.HOLD:
        parts = [f"{seg.rep}/{seg.reps}"] if (seg.reps or 1) > 1 else []
        parts += [sets] if sets else []
        return f"Hold {duration}" + (f" ({', '.join(parts)})" if parts else "")
    if seg.kind is SegmentKind.REST:
        if step.kind is StepKind.REST and step.name != "Rest":
            return f"{step.name}: {duration}"
        return f"Rest {duration}"
    if seg.kind is SegmentKind.SET_REST:
        return f"Rest {duration} before set {seg.set}/{seg.sets}"
    if seg.kind is SegmentKind.SWITCH:
        return f"Switch sides: {seg.side}, {duration}"
    sets_note = f" ({sets})" if sets else ""
    if seg.kind is SegmentKind.REP:
        if seg.rep != 1:
            return None  # the countdown line shows later reps; a line each would be noise
        tempo = format_seconds(step.tempo or 0.0)
        if step.phases:
            each = f"{seg.reps} reps of {tempo} ({phases_text(step)})"
            return f"{_with_side(step.name, seg)}: {each}{sets_note}"
        return f"{_with_side(step.name, seg)}: {seg.reps} reps, {tempo} each{sets_note}"
    if seg.kind is SegmentKind.ACTIVITY:
        return f"{_with_side(step.name, seg)}: {duration}{sets_note}"
    if seg.kind is SegmentKind.COUNTED:
        hint = (
            "press c to count each, Enter when done"
            if terminal
            else "send c to count each, an empty line when done"
        )
        return f"{_with_side(step.name, seg)}: {seg.reps} reps at your own pace{sets_note} — {hint}"
    if seg.kind is SegmentKind.MANUAL:
        hint = "press Enter when done" if terminal else "send an empty line when done"
        return f"{_with_side(step.name, seg)}{sets_note} — {hint}"
    return None


def status_line(state: SessionState) -> str:
    """The live countdown line (terminal only)."""
    seg = state.segment
    if seg is None or state.status == "ready":
        return ""
    where = f"step {state.step_index + 1}/{state.step_count}"
    left = routine_left_text(state)
    nxt = f"next: {state.next_label}"
    if state.status == "waiting" or (state.status == "paused" and not seg.timed):
        now = (
            f"{state.counted}/{state.reps} counted"
            if seg.kind is SegmentKind.COUNTED
            else "your own pace"
        )
    elif seg.kind is SegmentKind.REP:
        phase = f" {state.phase}" if state.phase is not None else ""
        now = f"Rep {seg.rep}/{seg.reps}{phase} {format_clock(state.segment_remaining or 0.0)}"
    else:
        label = SEGMENT_SHORT_LABELS.get(seg.kind, seg.kind)
        now = f"{label} {format_clock(state.segment_remaining or 0.0)}"
    if state.status == "paused":
        now = f"Paused · {now}"
    return f"  {now} · {where} · {left} · {nxt}"


# -- the view ---------------------------------------------------------------------


class PlainView:
    """A session listener that writes the session as lines, plus a live line on a terminal.

    Output that fails (the terminal was closed, the pipe's reader went away)
    never raises into the session: the view stops writing, sends whatever
    else would go to that descriptor to the null device (so no later flush,
    not even the interpreter's at exit, fails on it), and calls ``on_lost``
    once. The session's other listeners, the history recorder among them,
    carry on.

    Args:
        session: the session shown (read for the live line and the totals).
        out: where lines go.
        live: keep a countdown line redrawn in place (only for a terminal).
        terminal_keys: keys come from a terminal (changes the hints).
        on_lost: called once, with the error, when writing to ``out`` fails.
    """

    def __init__(
        self,
        session: Session,
        out: TextIO,
        *,
        live: bool,
        terminal_keys: bool,
        on_lost: Callable[[OSError | ValueError], None] | None = None,
    ) -> None:
        self.session = session
        self.out = out
        self.live = live
        self.terminal_keys = terminal_keys
        self.on_lost = on_lost
        #: The error that ended the output, once writing to it has failed.
        self.lost: OSError | ValueError | None = None
        self._drawn = ""  # the live line now on screen
        self._instructions: str | None = None
        #: Tells whether the session counts, for the last line (a CountTally).
        self.tally: Counting | None = None
        self._new_step = False

    def _write(self, text: str) -> bool:
        """Write and flush ``text``; whether it got out (``False`` once the output is lost)."""
        if self.lost is not None:
            return False
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError) as err:  # ValueError: the stream was closed
            self.lost = err
            self._drawn = ""
            silence(self.out)
            if self.on_lost is not None:
                self.on_lost(err)
            return False
        return True

    @property
    def resume_hint(self) -> str:
        return "press space to continue" if self.terminal_keys else "send p to continue"

    def line(self, text: str) -> None:
        """Write a line of its own (above the live line, which is redrawn after)."""
        if self._drawn:
            self._drawn = ""
            if not self._write(CLEAR_LINE):
                return
        if self._write(text + "\n") and self.live:
            self.redraw()

    def wrapped(self, text: str, first: str, rest: str) -> None:
        """Write ``text`` after ``first``, as one line for logs and screen readers;
        on a terminal, wrapped at words (not mid-word), later lines after ``rest``."""
        text = " ".join(text.split())
        if self.live:
            width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
            text = textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest)
        else:
            text = first + text
        self.line(text)

    def listing(self, first: str, items: list[str], rest: str = "  ") -> None:
        """Write ``items`` after ``first``, joined by `` · ``; on a terminal, wrapped
        between items (never inside one, so a key stays beside what it does)."""
        if not self.live:
            self.line(first + " · ".join(items))
            return
        width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
        lines = [first + items[0]] if items else [first]
        for item in items[1:]:
            if len(lines[-1]) + 3 + len(item) <= width:
                lines[-1] += " · " + item
            else:
                lines[-1] += " ·"
                lines.append(rest + item)
        self.line("\n".join(lines))

    def redraw(self) -> None:
        """Rewrite the live line if what it says has changed."""
        if not self.live or self.lost is not None:
            return
        text = status_line(self.session.state())
        width = shutil.get_terminal_size((80, 24)).columns - 1
        text = text[: max(width, 0)]
        if text != self._drawn and self._write("\r" + text + "\x1b[K"):
            self._drawn = text

    def invalidate(self) -> None:
        """Forget what is on screen (after a suspend, a shell may have drawn over it)."""
        if self.live:
            self._drawn = "\0"

    def close(self) -> None:
        """Take the live line off the screen."""
        if self._drawn:
            self._drawn = ""
            self._write(CLEAR_LINE)

    def __call__(self, event: ev.Event) -> None:
        """Show one session event."""
        timeline = self.session.timeline
        if isinstance(event, ev.StepStarted):
            self._instructions = event.step.step.instructions
            self._new_step = True
        elif isinstance(event, ev.SegmentStarted):
            seg = event.segment
            if self._new_step and seg.kind is SegmentKind.HOLD:
                # Without a prepare countdown, a hold's line would not name its step.
                self.line(_with_side(timeline.steps[seg.step].name, seg))
            self._new_step = False
            text = phase_line(seg, timeline, terminal=self.terminal_keys)
            if text is not None:
                self.line(text)
            if self._instructions:
                # Once per step, under its first line: one line each for logs and
                # screen readers; on a terminal, wrapped at words, not mid-word.
                self.wrapped(self._instructions, "  ", "  ")
                self._instructions = None
        elif isinstance(event, ev.CueFired):
            cue = event.cue
            if cue.phase is not None and cue.rep == 1:
                # The phases by name on the first repetition of each side and
                # set, as the voice says them; later ones the live line shows.
                self.line(f"  {cue.phase}")
        elif isinstance(event, ev.PromptDue):
            self.line(f"  “{event.prompt.say}”")
        elif isinstance(event, ev.RepCounted):
            self.line(f"  {event.count} of {event.reps}")
        elif isinstance(event, ev.Paused):
            if event.reason == "suspend":
                self.line(PAUSE_REASONS["suspend"])  # going to the background: no key to press now
            else:
                self.line(f"{PAUSE_REASONS[event.reason]} — {self.resume_hint}")
        elif isinstance(event, ev.Resumed):
            self.line("Resumed")
        elif isinstance(event, ev.Ended):
            # The time spent as the history lists it ("0:06 of 2:30"), so the two agree.
            seconds = (
                self.tally.seconds
                if self.tally is not None
                else self.session.state().elapsed_active
            )
            spent = time_against_plan(seconds, self.session.timeline.total)
            text = f"Finished: {spent}" if event.status == "finished" else f"Stopped after {spent}"
            if self.tally is not None and not self.tally.counts:
                text += "; less than half of it was done, so it isn't counted"
            elif self.tally is not None and event.status != "finished":
                text += "; at least half of it was done, so it counts"
            self.line(text)
            self.close()


def isatty(stream: TextIO | int) -> bool:
    try:
        fd = stream if isinstance(stream, int) else stream.fileno()
        return os.isatty(fd)
    except (OSError, ValueError, AttributeError):
        return False
