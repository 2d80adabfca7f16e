"""Planned steps -> an ordered timeline of segments and cue events. Pure.

This is the single source of truth for what happens when: totals, the order of
prepare / work / rest / switch segments, and the offsets of every cue, exactly
as the format's Timeline and Cues sections define them. The session engine
plays it; the CLI and the TUI show it.

Offsets (``start``, ``at``) are in seconds of *timed* time from the start of
the routine. Untimed segments (counted reps and manual steps) have no
``duration`` and take no timed time: the clock of the plan stands still while
the user works at their own pace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from stretch_coach.routine.errors import RoutineError
from stretch_coach.routine.model import (
    DEFAULT_CUES,
    MAX_SEGMENTS,
    Phase,
    PlannedStep,
    Sound,
    Step,
    StepKind,
    step_segments,
)

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry


class SegmentKind(StrEnum):
    """What a segment asks of the user.

    A ``str`` enum: each member equals its value, so JSON output (``show
    --json``, the cue log) reads exactly as the format's words.
    """

    PREPARE = "prepare"
    HOLD = "hold"
    REST = "rest"
    SET_REST = "set_rest"
    SWITCH = "switch"
    REP = "rep"
    ACTIVITY = "activity"
    COUNTED = "counted"
    MANUAL = "manual"


#: Segment kinds that get a 3-2-1 countdown when they last 4 s or more.
COUNTDOWN_KINDS = frozenset(
    {
        SegmentKind.PREPARE,
        SegmentKind.HOLD,
        SegmentKind.ACTIVITY,
        SegmentKind.REST,
        SegmentKind.SET_REST,
        SegmentKind.SWITCH,
    }
)


#: Pauses that open a part (a side or a set): a step's get-ready, a switch of
#: sides, a rest between sets. The part's work has not begun in them, so
#: "next part" there starts the work at once rather than ending the part.
PART_OPENINGS = frozenset({SegmentKind.PREPARE, SegmentKind.SWITCH, SegmentKind.SET_REST})


class TimelineTooLong(ValueError):
    """The routine would need more than :data:`MAX_SEGMENTS` segments."""


@dataclass(frozen=True)
class Segment:
    """A stretch of the routine with one thing to do.

    Attributes:
        index: position in the timeline.
        kind: what it asks of the user.
        start: offset of its start, in timed seconds.
        duration: its length, or ``None`` for untimed work (the user says done).
        step: index of its step in the planned steps.
        name: the step's name.
        side: the side label, or ``None``.
        side_index, sides: 1-based side number and how many (1 without sides).
        rep, reps: 1-based repetition and how many (``None`` where it doesn't apply).
        set, sets: 1-based set number and how many.
    """

    index: int
    kind: SegmentKind
    start: float
    duration: float | None
    step: int
    name: str
    side: str | None
    side_index: int
    sides: int
    rep: int | None
    reps: int | None
    set: int
    sets: int

    @property
    def end(self) -> float:
        return self.start + (self.duration or 0.0)

    @property
    def timed(self) -> bool:
        return self.duration is not None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = self.kind.value
        return out


@dataclass(frozen=True)
class Cue:
    """A sound event at a planned offset.

    Attributes:
        event: one of the format's cue events.
        at: planned offset in timed seconds.
        sound: the sound to play (may be silent: the event still happens).
        segment: the segment it belongs to (``None`` for ``finish``).
        step, name, side, rep, set: what is happening when it fires.
        phase: in a step with ``phases``, the phase that begins (its ``say``)
            with a ``start``, ``rep`` or ``phase`` cue; ``None`` otherwise.
    """

    event: str
    at: float
    sound: Sound
    segment: int | None
    step: int | None
    name: str | None
    side: str | None
    rep: int | None
    set: int | None
    phase: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["sound"] = str(self.sound)
        return out


@dataclass(frozen=True)
class SpokenPrompt:
    """A timed-activity prompt at its planned offset."""

    at: float
    say: str
    segment: int
    step: int


@dataclass(frozen=True)
class Timeline:
    """The whole plan of a routine."""

    steps: tuple[PlannedStep, ...]
    segments: tuple[Segment, ...]
    cues: tuple[Cue, ...]
    prompts: tuple[SpokenPrompt, ...]

    @property
    def total(self) -> float:
        """Timed total in seconds (untimed steps count nothing)."""
        return sum(s.duration for s in self.segments if s.duration is not None)

    @property
    def untimed_steps(self) -> int:
        return sum(1 for s in self.steps if not s.kind.timed)

    def step_segments(self, step: int) -> list[Segment]:
        return [s for s in self.segments if s.step == step]

    def step_length(self, step: int) -> float | None:
        """A step's timed length, or ``None`` for a self-paced step."""
        if not self.steps[step].kind.timed:
            return None
        return sum(s.duration or 0.0 for s in self.step_segments(step))


def step_length(step: PlannedStep | Any) -> float | None:
    """A step's length by the format's closed formulas (``None`` when untimed)."""
    s = step.step if isinstance(step, PlannedStep) else step
    k, sets = s.side_count, s.sets
    between_sides = (k - 1) * s.switch
    between_sets = (sets - 1) * s.set_rest
    if s.kind is StepKind.HOLD:
        n = s.reps or 1
        per_side = n * (s.hold or 0.0) + (n - 1) * s.rest
    elif s.kind is StepKind.PACED:
        per_side = (s.reps or 0) * (s.tempo or 0.0)
    elif s.kind is StepKind.TIMED:
        per_side = s.duration or 0.0
    elif s.kind is StepKind.REST:
        return s.duration
    else:
        return None
    return s.prepare + sets * (k * per_side + between_sides) + between_sets


def segment_count(steps: Sequence[PlannedStep]) -> int:
    """How many segments :func:`build_timeline` will make, at most, without making them.

    The formula lives with the format (routine.model.step_segments), so that
    validating a routine refuses what the timeline would refuse.
    """
    return sum(step_segments(planned.step) for planned in steps)


def build_timeline(steps: Sequence[PlannedStep], finish: Sound | None = None) -> Timeline:
    """Lay out ``steps`` as segments and cues, per the format's Timeline and Cues.

    Args:
        steps: the routine's planned steps (includes expanded).
        finish: the sound of the routine's ``finish`` cue (the routine's own
            ``cues.finish``; default: the shipped ``finish``).

    Raises:
        TimelineTooLong: if the routine would need more than :data:`MAX_SEGMENTS`.
    """
    if segment_count(steps) > MAX_SEGMENTS:
        raise TimelineTooLong(
            f"the routine has more than {MAX_SEGMENTS} timed parts; split it into shorter routines"
        )
    b = _Builder()
    for index, planned in enumerate(steps):
        b.step(index, planned)
    b.cue("finish", b.t, None, {"finish": finish or Sound(DEFAULT_CUES["finish"])})
    cues = sorted(b.cues, key=lambda c: c[0])  # stable: same-time cues keep their order
    return Timeline(
        tuple(steps),
        tuple(b.segments),
        tuple(c[1] for c in cues),
        tuple(sorted(b.prompts, key=lambda p: p.at)),
    )


class _Builder:
    def __init__(self) -> None:
        self.t = 0.0
        self.segments: list[Segment] = []
        self.cues: list[tuple[float, Cue]] = []
        self.prompts: list[SpokenPrompt] = []
        self._planned: PlannedStep | None = None
        self._step = 0
        self._side_count = 1  #: the step's side_count, worked out once a step, not once a segment

    def cue(
        self,
        event: str,
        at: float,
        seg: Segment | None,
        sounds: Any = None,
        *,
        phase: Phase | None = None,
    ) -> None:
        """Add a cue; a ``phase``'s own sound wins over the routine's (see :func:`_phase_sound`)."""
        table = sounds if sounds is not None else (self._planned.sounds if self._planned else {})
        sound = (phase is not None and _phase_sound(event, phase)) or table.get(event)
        sound = sound or Sound(DEFAULT_CUES[event])
        # Equal to Cue(...) of the same values, without the frozen __init__'s
        # setattr a field: a routine has hundreds of cues (validate lays out
        # every routine of a library to check the voice's room).
        cue = object.__new__(Cue)
        cue.__dict__.update(
            event=event,
            at=at,
            sound=sound,
            segment=seg.index if seg else None,
            step=seg.step if seg else None,
            name=seg.name if seg else None,
            side=seg.side if seg else None,
            rep=seg.rep if seg else None,
            set=seg.set if seg else None,
            phase=phase.say if phase is not None else None,
        )
        self.cues.append((at, cue))

    def segment(
        self,
        kind: SegmentKind,
        duration: float | None,
        *,
        side: int = 1,
        rep: int | None = None,
        set_: int = 1,
        events: Sequence[str] = (),
    ) -> Segment | None:
        """Append a segment (a timed one of length 0 is skipped) with its cues.

        ``events`` are cues at the segment's start; the segment adds its own
        halfway, countdown and end cues after them.
        """
        planned = self._planned
        assert planned is not None
        if duration is not None and duration <= 0:
            return None
        s = planned.step
        seg = object.__new__(Segment)  # as Cue in cue(): Segment(...) without its frozen __init__
        seg.__dict__.update(
            index=len(self.segments),
            kind=kind,
            start=self.t,
            duration=duration,
            step=self._step,
            name=s.name,
            # A one-sided step names its side on every segment (it has no others).
            side=s.sides[side - 1] if s.sides else s.side,
            side_index=side,
            sides=self._side_count,
            rep=rep,
            reps=(s.reps or 1)
            if kind in (SegmentKind.HOLD, SegmentKind.REP, SegmentKind.COUNTED)
            else None,
            set=set_,
            sets=s.sets,
        )
        self.segments.append(seg)
        for event in events:
            self.cue(event, seg.start, seg)
        if duration is not None:
            if kind is SegmentKind.ACTIVITY:
                if duration >= 60:
                    self.cue("halfway", seg.start + duration / 2, seg)
                for prompt in s.prompts:
                    self.prompts.append(
                        SpokenPrompt(seg.start + prompt.at, prompt.say, seg.index, seg.step)
                    )
            if kind in COUNTDOWN_KINDS and duration >= 4:
                for before in (3, 2, 1):
                    self.cue("countdown", seg.start + duration - before, seg)
            self.t += duration
            if kind in (SegmentKind.HOLD, SegmentKind.ACTIVITY):
                self.cue("end", self.t, seg)
        return seg

    def step(self, index: int, planned: PlannedStep) -> None:
        self._planned, self._step = planned, index
        s = planned.step
        self._side_count = s.side_count
        kind = s.kind
        if kind is StepKind.REST:
            self.segment(SegmentKind.REST, s.duration)
            return
        if kind.timed:
            self.segment(SegmentKind.PREPARE, s.prepare, events=["prepare"])
        for set_ in range(1, s.sets + 1):
            if set_ > 1 and kind.timed:
                self.segment(SegmentKind.SET_REST, s.set_rest, set_=set_)
            for side in range(1, s.side_count + 1):
                switched = False
                if side > 1 and kind.timed:
                    switched = (
                        self.segment(
                            SegmentKind.SWITCH, s.switch, side=side, set_=set_, events=["switch"]
                        )
                        is not None
                    )
                # With no switch pause (0 s, or a self-paced step) the cue marks the next side.
                first = ["switch"] if side > 1 and not switched else []
                self._work(kind, s, side, set_, first)

    def _phases(self, seg: Segment, step: Step, opening: str) -> None:
        """The cues within one repetition: ``opening`` at its first phase, ``phase`` at the rest.

        Offsets are the repetition's start plus the times of the phases before,
        so a repetition's last phase ends exactly where the next one starts.
        """
        offset = 0.0
        for number, (phase, time) in enumerate(zip(step.phases, phase_times(step), strict=True)):
            self.cue(opening if number == 0 else "phase", seg.start + offset, seg, phase=phase)
            offset += time

    def _work(self, kind: StepKind, s: Any, side: int, set_: int, first: list[str]) -> None:
        if kind is StepKind.HOLD:
            for rep in range(1, (s.reps or 1) + 1):
                if rep > 1:
                    self.segment(SegmentKind.REST, s.rest, side=side, rep=rep - 1, set_=set_)
                events = [*first, "start"] if rep == 1 else ["start"]
                self.segment(SegmentKind.HOLD, s.hold, side=side, rep=rep, set_=set_, events=events)
        elif kind is StepKind.PACED:
            for rep in range(1, s.reps + 1):
                # Each side and set starts again with "start"; later repetitions "rep".
                opening = "start" if rep == 1 else "rep"
                events = first if rep == 1 else []
                if not s.phases:
                    events = [*events, opening]  # with phases, _phases gives it
                seg = self.segment(
                    SegmentKind.REP, s.tempo, side=side, rep=rep, set_=set_, events=events
                )
                if seg is not None and s.phases:
                    self._phases(seg, s, opening)
                if seg is not None and rep == s.reps:
                    # The last repetition of a side or set ends like a hold does.
                    self.cue("end", self.t, seg)
        elif kind is StepKind.TIMED:
            self.segment(
                SegmentKind.ACTIVITY, s.duration, side=side, set_=set_, events=[*first, "start"]
            )
        else:
            untimed = SegmentKind.COUNTED if kind is StepKind.COUNTED else SegmentKind.MANUAL
            # A self-paced step announces its start (it has no get-ready to do it).
            begins = ["manual"] if side == 1 and set_ == 1 else []
            self.segment(untimed, None, side=side, set_=set_, events=[*begins, *first])


def _phase_sound(event: str, phase: Phase | None) -> Sound | None:
    """A phase's own sound, where it wins over the routine's sound for ``event``.

    A phase's ``sound`` is the sound of the cue at its start, except that
    ``start`` (each side and set begins with it) keeps its own sound.
    """
    if phase is None or phase.sound is None or event == "start":
        return None
    return phase.sound


def phase_times(step: Step) -> tuple[float, ...]:
    """How long each of a step's phases lasts in its timeline.

    As written, as a file's repetition lasts the sum of its phases; should a
    step's ``tempo`` have been set apart from them (a program's dose change),
    the phases keep their proportions within the repetition, so they still
    fill it exactly.
    """
    written = sum(p.time for p in step.phases)
    tempo = step.tempo if step.tempo is not None else written
    if not step.phases or written <= 0 or math.isclose(tempo, written, rel_tol=1e-12):
        return tuple(p.time for p in step.phases)
    return tuple(p.time * tempo / written for p in step.phases)


def phase_at(step: Step, elapsed: float) -> int | None:
    """Which of a step's ``phases`` is under way ``elapsed`` seconds into a repetition.

    Args:
        step: a paced-reps step (a step without phases gives ``None``).
        elapsed: seconds since the repetition began.

    Returns:
        The 0-based index of the phase, or ``None`` when the step has no phases.
    """
    if not step.phases:
        return None
    boundary = 0.0
    for index, time in enumerate(phase_times(step)[:-1]):
        boundary += time
        # The slack matches the session's: the phase cue at a boundary may fire
        # a hair before the clock reaches it, and the screen then shows the new phase.
        if elapsed + 1e-6 < boundary:
            return index
    return len(step.phases) - 1


def _with_prepare(plan: Sequence[PlannedStep], prepare: float | None) -> tuple[PlannedStep, ...]:
    """``plan`` with every step's get-ready time set to ``prepare`` (``None``: as written)."""
    if prepare is None:
        return tuple(plan)
    return tuple(replace(p, step=replace(p.step, prepare=prepare)) for p in plan)


def _plan_of(source: Entry | Sequence[PlannedStep]) -> tuple[Sequence[PlannedStep], Sound | None]:
    """The planned steps and the ``finish`` sound of an entry, or of bare planned steps."""
    if isinstance(source, Sequence):
        return source, None
    routine = source.routine
    if routine is None or not source.valid:
        raise RoutineError(source.problems)
    return source.plan, routine.cues.get("finish")


def timeline_for(source: Entry | Sequence[PlannedStep], prepare: float | None = None) -> Timeline:
    """The timeline of a routine: the one way every part of the coach builds one.

    Args:
        source: a library entry (its routine's own ``finish`` sound is used),
            or bare planned steps (the shipped ``finish``).
        prepare: seconds of get-ready before every timed step, replacing the
            routine's own; ``None`` keeps the routine as written. (Rest steps
            and self-paced steps get no get-ready either way.)

    Raises:
        RoutineError: if the entry is invalid.
        TimelineTooLong: if the routine is absurdly long.
    """
    plan, finish = _plan_of(source)
    return build_timeline(_with_prepare(plan, prepare), finish)


def plan_total(
    source: Entry | Sequence[PlannedStep], prepare: float | None = None
) -> tuple[float, int]:
    """Timed total and self-paced step count, without laying out a timeline.

    The same figures as :func:`timeline_for`'s ``total`` and ``untimed_steps``
    (by the format's closed formulas): the library list works them out for
    every routine before its first frame, so this is kept cheap.

    Raises:
        RoutineError: if the entry is invalid.
    """
    plan, _ = _plan_of(source)
    total, untimed = 0.0, 0
    for planned in plan:
        step = planned.step if prepare is None else replace(planned.step, prepare=prepare)
        length = step_length(step)
        if length is None:
            untimed += 1
        else:
            total += length
    return total, untimed
