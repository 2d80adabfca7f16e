"""Words for routines and steps, shared by the CLI, the plain runner and the TUI."""

from __future__ import annotations

from stretch_coach.routine.durations import format_seconds
from stretch_coach.routine.model import PlannedStep, StepKind


def step_work(planned: PlannedStep) -> str:
    """What a step asks, in a few words: ``hold 30 s x 2, rest 10 s``."""
    s = planned.step
    kind = s.kind
    if kind is StepKind.HOLD:
        text = f"hold {format_seconds(s.hold or 0)}"
        if (s.reps or 1) > 1:
            text += f" x {s.reps}"
            if s.rest:
                text += f", rest {format_seconds(s.rest)}"
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
    if s.sets > 1:
        text += f", {s.sets} sets"
        if s.set_rest:
            text += f", {format_seconds(s.set_rest)} rest between sets"
    return text


def plural(n: int, word: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


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
