"""Every phrase the user reads or hears about a routine, in one place.

Step wording, totals, segment and cue labels, side phrases, what comes next,
what the voice says and why a session paused: the CLI, the plain runner, the
engine and the TUI all word a routine with these, so they never disagree.
Pure functions, no Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from stretch_coach.routine.durations import format_clock, format_seconds
from stretch_coach.routine.model import PlannedStep, Step, StepKind
from stretch_coach.timeline import SegmentKind, phase_times

if TYPE_CHECKING:
    from stretch_coach.timeline import Segment, Timeline

#: What each segment kind asks of the user, as the session screen says it.
SEGMENT_LABELS: dict[SegmentKind, str] = {
    SegmentKind.PREPARE: "Get ready",
    SegmentKind.HOLD: "Hold",
    SegmentKind.REST: "Rest",
    SegmentKind.SET_REST: "Rest between sets",
    SegmentKind.SWITCH: "Switch sides",
    SegmentKind.REP: "Reps",
    SegmentKind.ACTIVITY: "Keep going",
    SegmentKind.COUNTED: "Count your reps",
    SegmentKind.MANUAL: "At your own pace",
}

#: The same, shortly, for the plain runner's one live status line.
SEGMENT_SHORT_LABELS: dict[SegmentKind, str] = {
    SegmentKind.PREPARE: "Get ready",
    SegmentKind.HOLD: "Hold",
    SegmentKind.REST: "Rest",
    SegmentKind.SET_REST: "Rest",
    SegmentKind.SWITCH: "Switch",
    SegmentKind.ACTIVITY: "Go",
}

#: What each cue event means, shown when it fires (so the coach works muted).
CUE_LABELS: dict[str, str] = {
    "prepare": "Get ready",
    "start": "Go",
    "rep": "Next rep",
    "phase": "Next phase",  # the phase's own name is shown instead where the cue has one
    "countdown": "",  # the number of seconds left is shown instead
    "halfway": "Halfway",
    "switch": "Switch sides",
    "end": "Release",
    "finish": "Finished",
}

#: Why a session paused (the engine's pause reasons), as the user reads it.
PAUSE_REASONS: dict[str, str] = {
    "user": "Paused",
    "suspend": "Paused while the coach was in the background",
    "gap": "Paused: the coach lost track of time (did the computer sleep?)",
    "covered": "Paused until this closes",
}

#: What the two pairs of moving keys do, for help (the footer says it shorter).
#: Next part has two meanings by where the session is: in a pause that opens a
#: part (a get-ready, a switch, a rest between sets) it cuts the pause short,
#: so the side or set about to begin is never the one ended.
NEXT_PART_HELP = "Next part: end this side or set (or a one-part step, or a rest)"
START_NOW_HELP = "Start now: cut a get-ready, a switch or a rest between sets short"
SKIP_STEP_HELP = "Skip step: on to the next step, all its parts"
BACK_PART_HELP = "Back part: this part again; early on, the one before"
BACK_STEP_HELP = "Back step: this step again; early on, the one before"

#: What the voice says when a side's work ends and the next side's begins.
SWITCH_LINE = "Switch sides"
#: What the voice says at the finish.
FINISH_LINE = "Well done"
#: What it says instead when most of the routine was skipped (it isn't counted):
#: praise there would not be true.
ENDED_LINE = "Routine ended"


# -- small words ----------------------------------------------------------------------


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 step``, ``2 steps``; ``many`` where an ``s`` won't do (``2 diary entries``)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def capital(text: str) -> str:
    """``text`` with its first letter in capitals (the rest untouched)."""
    return text[:1].upper() + text[1:]


def side_phrase(label: str) -> str:
    """How a side is said: ``left`` -> ``left side``; ``left leg`` stays as it is."""
    return label if " " in label.strip() else f"{label} side"


def one_side_phrase(label: str) -> str:
    """How a one-sided step's side is written: ``right`` -> ``right side only``."""
    return f"{side_phrase(label)} only"


# -- steps ------------------------------------------------------------------------------


def phases_text(step: Step) -> str:
    """A repetition's phases in order: ``lift 1 s, lower 3 s`` (empty without phases)."""
    times = phase_times(step)
    return ", ".join(
        f"{p.say} {format_seconds(t)}" for p, t in zip(step.phases, times, strict=True)
    )


def step_work(planned: PlannedStep) -> str:
    """What a step asks, in a few words: ``hold 30 s x 2, rest 10 s, each side (left, right)``."""
    s = planned.step
    kind = s.kind
    if kind is StepKind.HOLD:
        text = f"hold {format_seconds(s.hold or 0)}"
        if (s.reps or 1) > 1:
            text += f" x {s.reps}"
            if s.rest:
                text += f", rest {format_seconds(s.rest)}"
    elif kind is StepKind.PACED and s.phases:
        text = f"{s.reps} reps of {format_seconds(s.tempo or 0)} ({phases_text(s)})"
    elif kind is StepKind.PACED:
        text = f"{s.reps} reps, {format_seconds(s.tempo or 0)} each"
    elif kind is StepKind.COUNTED:
        text = f"{s.reps} reps at your own pace"
    elif kind is StepKind.TIMED:
        text = format_seconds(s.duration or 0)
    elif kind is StepKind.REST:
        return f"rest {format_seconds(s.duration or 0)}"
    else:
        text = "when you are ready"
    if s.sides:
        text += f", each side ({', '.join(s.sides)})"
    elif s.side:
        text += f", {one_side_phrase(s.side)}"
    if s.sets > 1:
        text += f", {s.sets} sets"
        if s.set_rest:
            text += f", {format_seconds(s.set_rest)} rest between sets"
    return text


def step_line(step: Step, side: str | None) -> str:
    """What the voice says as a step begins: its ``say`` or name, and its side."""
    text = step.say or step.name
    return f"{text}, {side_phrase(side)}" if side is not None else text


def step_time(timeline: Timeline, index: int) -> str:
    """A step's length as a clock (``2:35``), or ``—`` for a self-paced step."""
    length = timeline.step_length(index)
    return "—" if length is None else format_clock(length)


# -- totals -----------------------------------------------------------------------------


def untimed_text(count: int) -> str:
    """``plus 2 self-paced steps`` (empty for none)."""
    if not count:
        return ""
    return f"plus {plural(count, 'self-paced step')}"


def total_text(total: float, untimed: int) -> str:
    """``3 min 5 s, plus 1 self-paced step``."""
    extra = untimed_text(untimed)
    if total <= 0 and untimed:
        return plural(untimed, "self-paced step")
    return f"{format_seconds(total)}, {extra}" if extra else format_seconds(total)


def timeline_total_text(timeline: Timeline) -> str:
    """A timeline's total in words: ``3 min 5 s, plus 1 self-paced step``."""
    return total_text(timeline.total, timeline.untimed_steps)


def left_text(remaining: float, self_paced: int, *, timed: bool = True) -> str:
    """What is left of a routine, beside its bar: ``2:30 left``, ``0:00 + 2 self-paced left``.

    The clock counts only timed seconds; self-paced steps still to do are said
    beside it, as the library list says a routine's length (``2:35 +
    self-paced``), so the clock's ``0:00`` never reads as the end when two
    steps are left. A routine with no timed step (``timed`` false) has no
    clock to run down: ``2 self-paced left``.
    """
    if not timed:
        return f"{self_paced} self-paced left" if self_paced else "0:00 left"
    clock = format_clock(remaining)
    if not self_paced:
        return f"{clock} left"
    return f"{clock} + {self_paced} self-paced left"


class _RoutineLeft(Protocol):
    """What :func:`routine_left_text` reads of a session's state."""

    @property
    def routine_remaining(self) -> float: ...
    @property
    def self_paced_left(self) -> int: ...
    @property
    def routine_total(self) -> float: ...


def routine_left_text(state: _RoutineLeft) -> str:
    """:func:`left_text` of a session as it stands (the TUI and the plain runner show it)."""
    return left_text(
        state.routine_remaining, state.self_paced_left, timed=bool(state.routine_total)
    )


# -- times --------------------------------------------------------------------------------


def time_spent(seconds: float) -> str:
    """Time spent as a clock, to the nearest second: ``0:06``.

    A countdown's clock rounds up, but a session of 3.2 s did not last 0:04.
    """
    return format_clock(float(round(seconds)))


def time_against_plan(done: float, planned: float) -> str:
    """Time spent beside the plan, one way everywhere: ``0:25 of 0:30``; past it,
    ``0:43, ran over 0:30``.

    The summary, the plain runner's last line and the history all say it so
    (time spent by :func:`time_spent`). A session runs over its plan when its
    self-paced steps took time (the plan counts only timed seconds), so "0:43
    of 0:30" would read as a mistake.
    """
    if not planned:
        return time_spent(done)
    if done - planned >= 1:
        return f"{time_spent(done)}, ran over {format_clock(planned)}"
    # Under a second over is the clock's rounding, not a longer session.
    return f"{time_spent(min(done, planned))} of {format_clock(planned)}"


# -- segments ---------------------------------------------------------------------------


def segment_where(segment: Segment) -> str:
    """Side, repetition and set of a segment: ``left side (1 of 2) · rep 1 of 2``.

    A one-sided step's side reads ``right side only``.
    """
    parts = []
    if segment.side is not None and segment.sides == 1:
        parts.append(one_side_phrase(segment.side))
    elif segment.side is not None:
        parts.append(f"{segment.side} side ({segment.side_index} of {segment.sides})")
    if (
        segment.rep is not None
        and segment.reps
        and segment.reps > 1
        and segment.kind is not SegmentKind.COUNTED
    ):
        parts.append(f"rep {segment.rep} of {segment.reps}")
    if segment.sets > 1:
        parts.append(f"set {segment.set} of {segment.sets}")
    return " · ".join(parts)


def segment_label(segment: Segment, phase: str | None = None) -> str:
    """What a segment asks now: ``Hold``, ``Reps``; in a repetition with phases, its phase."""
    if phase is not None:
        return capital(phase)
    return SEGMENT_LABELS.get(segment.kind, str(segment.kind))


def next_label(timeline: Timeline, current: Segment, following: Segment | None) -> str:
    """What comes after ``current``, for people: ``Rest 10 s``, ``Right side``, ``Finish``."""
    if following is None:
        return "Finish"
    step = timeline.steps[following.step].step
    length = format_seconds(following.duration or 0.0)
    if following.step != current.step:
        return f"{step.name} {length}" if step.kind is StepKind.REST else step.name
    if following.kind in (SegmentKind.REST, SegmentKind.SET_REST):
        return f"Rest {length}"
    if following.side is not None and (
        following.kind is SegmentKind.SWITCH or following.side_index != current.side_index
    ):
        return capital(side_phrase(following.side))
    if following.set != current.set:
        return f"Set {following.set} of {following.sets}"
    if following.kind is SegmentKind.HOLD:
        return f"Hold {length}"
    if following.kind is SegmentKind.ACTIVITY:
        return f"{step.name} {length}"
    if following.kind is SegmentKind.REP:
        return f"Rep {following.rep} of {following.reps}"
    return step.name
