"""What the screens say about a routine: its timeline with the user's settings, in words.

Pure functions, no Textual: the library preview, the session screen and the
tests share them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stretch_coach.routine.durations import format_clock, format_seconds

if TYPE_CHECKING:
    from stretch_coach.catalog import Listed
    from stretch_coach.routine.library import Entry
    from stretch_coach.routine.model import PlannedStep
    from stretch_coach.timeline import Segment, Timeline

#: What each segment kind asks of the user, as the session screen says it.
SEGMENT_LABELS: dict[str, str] = {
    "prepare": "Get ready",
    "hold": "Hold",
    "rest": "Rest",
    "set_rest": "Rest between sets",
    "switch": "Switch sides",
    "rep": "Reps",
    "activity": "Keep going",
    "counted": "Count your reps",
    "manual": "At your own pace",
}

#: What each cue event means, shown when it fires (so the coach works muted).
CUE_LABELS: dict[str, str] = {
    "prepare": "Get ready",
    "start": "Go",
    "rep": "Next rep",
    "countdown": "",  # the number of seconds left is shown instead
    "halfway": "Halfway",
    "switch": "Switch sides",
    "end": "Release",
    "finish": "Finished",
}


def describe_work(planned: PlannedStep) -> str:
    """One short phrase for what a step asks: ``2 × 30 s hold, 10 s rest``."""  # noqa: RUF002
    from stretch_coach.routine.model import StepKind  # not before the library's first frame

    s = planned.step
    kind = s.kind
    if kind is StepKind.HOLD:
        reps = s.reps or 1
        text = (
            f"{reps} × {format_seconds(s.hold or 0)} hold"  # noqa: RUF001
            if reps > 1
            else f"{format_seconds(s.hold or 0)} hold"
        )
        if reps > 1 and s.rest:
            text += f", {format_seconds(s.rest)} rest"
    elif kind is StepKind.PACED:
        text = f"{s.reps} reps × {format_seconds(s.tempo or 0)}"  # noqa: RUF001
    elif kind is StepKind.COUNTED:
        text = f"{s.reps} reps, self-paced"
    elif kind is StepKind.TIMED:
        text = format_seconds(s.duration or 0)
    elif kind is StepKind.REST:
        text = f"rest {format_seconds(s.duration or 0)}"
    else:
        text = "self-paced"
    if s.sets > 1:
        text += f"; {s.sets} sets"
    return text


def describe_sides(planned: PlannedStep) -> str:
    """``left, right`` or an empty string for a step without sides."""
    return ", ".join(planned.step.sides)


def step_time(timeline: Timeline, index: int) -> str:
    """A step's length as a clock (``2:35``), or ``—`` for a self-paced step."""
    length = timeline.step_length(index)
    return "—" if length is None else format_clock(length)


def total_text(timeline: Timeline) -> str:
    """``3 min 5 s, plus 1 self-paced step`` (or just the self-paced count)."""
    from stretch_coach.describe import total_text  # the CLI's words; not before the first frame

    return total_text(timeline.total, timeline.untimed_steps)


def segment_where(segment: Segment) -> str:
    """Side, repetition and set of a segment: ``left side (1 of 2) · rep 1 of 2``."""
    parts = []
    if segment.side is not None:
        parts.append(f"{segment.side} side ({segment.side_index} of {segment.sides})")
    if segment.rep is not None and segment.reps and segment.reps > 1 and segment.kind != "counted":
        parts.append(f"rep {segment.rep} of {segment.reps}")
    if segment.sets > 1:
        parts.append(f"set {segment.set} of {segment.sets}")
    return " · ".join(parts)


def matches(entry: Entry | Listed, query: str) -> bool:
    """Whether every word of ``query`` is in the entry's title, one of its tags, or its id."""
    words = query.lower().split()
    if not words:
        return True
    haystack = " ".join((entry.title, entry.id, *entry.tags, entry.path.name)).lower()
    return all(word in haystack for word in words)
