"""What a session tells its listeners, in the order things happen.

Listeners are plain callables taking one event. They run synchronously inside
the session's :meth:`~stretch_coach.engine.session.Session.update` or command,
so they must return quickly: anything slow (sound, speech, disk) belongs in a
player or writer that does its work elsewhere.

Every :class:`StepStarted` is matched by exactly one :class:`StepEnded`; a
step left by ``previous_step`` ends as skipped and, when played again, starts
and ends again (the later :class:`StepEnded` supersedes the earlier one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stretch_coach.routine.model import PlannedStep
from stretch_coach.timeline import Cue, Segment, SpokenPrompt

#: Why a session is paused.
PauseReason = Literal["user", "gap", "suspend", "covered"]
#: How a session ended.
EndStatus = Literal["finished", "stopped"]


@dataclass(frozen=True)
class CueFired:
    """A cue of the timeline happened (silent ones too).

    Attributes:
        cue: the planned cue.
        t: where the session measured itself on the timed axis when it fired;
            ``t - cue.at`` is the lateness.
    """

    cue: Cue
    t: float


@dataclass(frozen=True)
class SegmentStarted:
    """A segment began (also when a command jumps to it)."""

    segment: Segment


@dataclass(frozen=True)
class StepStarted:
    """A step began.

    Attributes:
        index: the step's position in the timeline's steps.
        step: the planned step.
    """

    index: int
    step: PlannedStep


@dataclass(frozen=True)
class StepEnded:
    """A step ended.

    Attributes:
        index: the step's position in the timeline's steps.
        step: the planned step.
        skipped: ``True`` when it was left before its end (next, back, stop).
        seconds: active seconds spent in it, untimed waits included, pauses not.
    """

    index: int
    step: PlannedStep
    skipped: bool
    seconds: float


@dataclass(frozen=True)
class PromptDue:
    """A timed activity's prompt is due (shown, and spoken through :class:`Say`)."""

    prompt: SpokenPrompt


@dataclass(frozen=True)
class Say:
    """A line a voice may speak; a listener decides whether to.

    Attributes:
        text: what to say.
        kind: ``"step"`` (a step's name or ``say``, with its side), ``"side"``,
            ``"instructions"``, ``"phase"`` (a phase's name within a
            repetition), ``"prompt"`` or ``"finish"``.
        at: the planned offset of its start (see :mod:`stretch_coach.engine.speech`).
        t: where the session measured itself on the timed axis when it said it.
        length: how long it lasts, in seconds, as planned.
    """

    text: str
    kind: str = "step"
    at: float = 0.0
    t: float = 0.0
    length: float = 0.0


@dataclass(frozen=True)
class RepCounted:
    """The user counted a repetition of a counted-reps segment.

    Attributes:
        count: how many are counted now.
        reps: how many the segment asks for.
    """

    count: int
    reps: int


@dataclass(frozen=True)
class Paused:
    """Active time stopped."""

    reason: PauseReason


@dataclass(frozen=True)
class Resumed:
    """Active time runs again."""


@dataclass(frozen=True)
class Ended:
    """The session is over; nothing follows."""

    status: EndStatus


Event = (
    CueFired
    | SegmentStarted
    | StepStarted
    | StepEnded
    | PromptDue
    | Say
    | RepCounted
    | Paused
    | Resumed
    | Ended
)
