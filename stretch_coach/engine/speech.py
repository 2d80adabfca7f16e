"""The speech plan: what the voice says and when, so that it never talks over a tone.

Pure: a timeline, a way to tell how long a phrase lasts and how long a sound
lasts, in; the phrases with their planned offsets, out. The session fires
each phrase at its offset, as it fires cues; the tones keep their times.

The rules, in the order they are tried:

* Every tone (a cue with a sound) is busy time; tones due at the same instant
  play back to back, in the timeline's order, as the players play them.
* A step's ``say`` (or name) and its first side are always spoken. They go in
  the last gap before the step's work begins that holds them: its get-ready,
  or earlier, a rest step before it, or the silence after the previous step's
  end. Failing that, the name and the side are tried as two phrases. Failing
  that, where nothing was going on before (the routine's start, or after a
  self-paced step, when the person says done), the voice speaks first and the
  step's first tone follows: a *lead-in*. Failing all that, the line is
  spoken in the first gap after the work begins, late rather than over a
  tone, and :func:`room_warnings` tells the routine's author.
* A later side is named in its switch pause (or late, as above).
* Instructions are spoken only where a gap holds them whole: the get-ready
  or a rest before the step, after its name, or at a self-paced step.
  Otherwise they are only shown.
* In a step with ``phases``, each phase's name (``lift``, ``lower``) is
  spoken within that phase on the first repetition of every side and set,
  where a gap between its tones holds it whole; otherwise (and on later
  repetitions, which the tones pace) it is only shown.
* A timed activity's prompt is spoken in the first gap at or after its offset
  within the activity, or only shown.
* "Well done" follows the routine's last tones.

In a self-paced (untimed) segment the plan's clock stands still; its phrases
are handed to the voice on entry and play one after another, after the tone.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from stretch_coach.routine.model import Sound, StepKind
from stretch_coach.timeline import Segment, SegmentKind, Timeline, phase_times
from stretch_coach.words import ENDED_LINE, FINISH_LINE, side_phrase
from stretch_coach.words import capital as _capital

#: Silence kept between a phrase and the next tone, in seconds: a player takes
#: some tens of milliseconds to start a phrase.
GUARD: Final = 0.1
#: Silence kept between a tone's end and a phrase (the player waits this too).
AFTER_TONE: Final = 0.05
#: Silence kept between a lead-in phrase and the first tone: the voice's very
#: first phrase also waits for its player to start.
LEAD_GUARD: Final = 0.3
#: Two tones whose offsets differ by less than this are due at the same instant.
SAME_INSTANT: Final = 1e-6

#: Phrase kinds.
STEP, SIDE, INSTRUCTIONS, PROMPT, FINISH = "step", "side", "instructions", "prompt", "finish"
PHASE = "phase"


def estimate_seconds(text: str) -> float:
    """How long a phrase takes to say, from its text alone (for validate and as a fallback).

    Fitted to espeak-ng at the rate the voice uses (140 words a minute),
    trailing silence trimmed, rounded up a little (a comma is a pause):
    "Right side" 0.9 s, "Calf hold, left side" 2.0 s.
    """
    words = " ".join(text.split())
    return 0.15 + 0.075 * len(words) + 0.3 * sum(words.count(c) for c in ",;:")


@dataclass(frozen=True)
class Phrase:
    """One phrase, planned.

    Attributes:
        at: planned offset of its start on the timed axis (negative before the
            routine's first tone; in a self-paced segment, that segment's start).
        text: what is said.
        kind: ``step``, ``side``, ``instructions``, ``phase``, ``prompt`` or ``finish``.
        length: how long it lasts, in seconds.
        segment: the segment during which it is handed to the voice
            (``len(segments)``: after the last, at the finish).
        target: the segment it is about: a jump to a step speaks the phrases
            about that step again, wherever they were planned.
        step: the step it is about (``None`` for the finish).
    """

    at: float
    text: str
    kind: str
    length: float
    segment: int
    target: int
    step: int | None

    @property
    def end(self) -> float:
        return self.at + self.length


@dataclass(frozen=True)
class Shortfall:
    """A phrase that must be spoken but found no room before its step's work began."""

    step: int
    text: str
    length: float
    spoken_late: bool

    def message(self, name: str) -> str:
        """One line for the routine's author."""
        said = "it is said after the step starts" if self.spoken_late else "it is not said"
        return (
            f"step {name!r}: no silence long enough ({self.length:.1f} s) to say "
            f"{self.text!r} before it starts, so {said}; give it a longer prepare, "
            "or a rest before it"
        )


@dataclass(frozen=True)
class SpeechPlan:
    """Every phrase of a session, and what it takes to play them.

    Attributes:
        phrases: in the order they are handed to the voice (by segment, then offset).
        lead: segment -> seconds the voice speaks before that segment's first
            tone when the session enters it afresh (at the start, after a jump,
            or after a self-paced step).
        tones: (start, end) of every tone, on the timed axis.
        shortfalls: lines that found no room before their step.
        tail: seconds of sound (tones and phrases) after the routine's end.
    """

    phrases: tuple[Phrase, ...] = ()
    lead: Mapping[int, float] = field(default_factory=dict)
    tones: tuple[tuple[float, float], ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    tail: float = 0.0


def tone_intervals(
    timeline: Timeline, sound_seconds: Callable[[Sound], float]
) -> list[tuple[float, float]]:
    """When each audible cue plays: at its offset, or after the one before at the same instant."""
    out: list[tuple[float, float]] = []
    prev_at: float | None = None
    prev_end = 0.0
    prev_seg = 0
    segs = timeline.segments
    n = len(segs)
    # untimed[k]: how many self-paced segments come before segment k (so that
    # "one in between?" is a subtraction, not a walk over the segments a cue).
    untimed = [0] * (n + 1)
    for k, segment in enumerate(segs):
        untimed[k + 1] = untimed[k] + (segment.duration is None)
    # Each sound's length asked once (a routine plays a few sounds hundreds of
    # times); by identity, as a timeline shares one Sound per event and step.
    lengths: dict[int, tuple[Sound, float]] = {}
    for cue in timeline.cues:
        sound = cue.sound
        known = lengths.get(id(sound))
        if known is None:
            known = (sound, -1.0 if sound.silent else max(sound_seconds(sound), 0.0))
            lengths[id(sound)] = known
        length = known[1]
        if length < 0:
            continue  # silent
        at = start = cue.at
        seg = n if cue.segment is None else cue.segment  # a cue's segment is below n
        # A self-paced segment in between: its wait parts the two in real time.
        if untimed[seg] == untimed[prev_seg]:
            if prev_at is not None and abs(at - prev_at) < SAME_INSTANT:
                if prev_end > start:
                    start = prev_end
            elif out and out[-1][0] > start:
                start = out[-1][0]  # a tone never overtakes one due before it
        prev_end = start + length
        out.append((start, prev_end))
        prev_at, prev_seg = at, seg
    return out


class _Busy:
    """Busy intervals on the timed axis, sorted, and a search for gaps between them."""

    def __init__(self, intervals: Sequence[tuple[float, float]]) -> None:
        self.items = sorted(intervals)
        self.starts = [s for s, _ in self.items]
        # Longest interval: any interval overlapping a window starts at most this much before it.
        self.longest = max((e - s for s, e in self.items), default=0.0)

    def add(self, start: float, end: float) -> None:
        i = bisect.bisect(self.starts, start)
        self.items.insert(i, (start, end))
        self.starts.insert(i, start)
        self.longest = max(self.longest, end - start)

    def gaps(self, lo: float, hi: float) -> Iterator[tuple[float, float]]:
        """The free stretches within [lo, hi], in order, kept clear of busy time by the guards."""
        cursor = lo
        items = self.items
        # (min and max written out: a plan asks for gaps some twenty times a routine)
        for i in range(bisect.bisect_left(self.starts, lo - self.longest - GUARD), len(items)):
            s, e = items[i]
            before = s - GUARD
            if before >= hi:
                break
            if before > cursor:
                yield cursor, before  # before < hi here
            if e + AFTER_TONE > cursor:
                cursor = e + AFTER_TONE
        if cursor < hi:
            yield cursor, hi

    def fit(self, lo: float, hi: float, length: float, *, latest: bool) -> float | None:
        """The start of the first (or last) gap in [lo, hi] that holds ``length``, if any.

        The first is taken as soon as it is found: a late line or a prompt looks
        through a whole step or activity, with a tone every repetition.
        """
        found = None
        for a, b in self.gaps(lo, hi):
            if b - a >= length:
                if not latest:
                    return a
                found = a
        return found


def plan_speech(
    timeline: Timeline,
    *,
    phrase_seconds: Callable[[str], float] = estimate_seconds,
    sound_seconds: Callable[[Sound], float] | None = None,
    lead_in: bool = True,
) -> SpeechPlan:
    """Plan what the voice says, and when, for ``timeline``.

    Args:
        timeline: the routine's timeline.
        phrase_seconds: how long a phrase lasts (measured from its rendered
            WAV where there is one; by default estimated from its text).
        sound_seconds: how long a cue's sound lasts (default: read from its WAV).
        lead_in: whether the voice may speak before a step's first tone. Without
            a voice that can speak (captions only), a line that would need one
            is given at the step's start instead, and the first tone is not held.
    """
    if sound_seconds is None:
        from stretch_coach.audio.wavs import sound_seconds as read_seconds

        sound_seconds = read_seconds  # asked once a plan a sound, not a cue: tone_intervals
    return _Planner(timeline, phrase_seconds, sound_seconds, lead_in).plan()


class _Planner:
    def __init__(
        self,
        timeline: Timeline,
        phrase_seconds: Callable[[str], float],
        sound_seconds: Callable[[Sound], float],
        lead_in: bool = True,
    ) -> None:
        self.timeline = timeline
        self.lead_in = lead_in
        self.length = phrase_seconds
        self.tones = tone_intervals(timeline, sound_seconds)
        self.busy = _Busy(self.tones)
        self.phrases: list[Phrase] = []
        self.lead: dict[int, float] = {}
        self.shortfalls: list[Shortfall] = []
        segs = timeline.segments
        self.by_step: list[list[Segment]] = [[] for _ in timeline.steps]
        for seg in segs:
            self.by_step[seg.step].append(seg)

    # -- placing ------------------------------------------------------------------

    def _owner(self, at: float, candidates: Sequence[Segment]) -> int:
        """The timed segment among ``candidates`` during which offset ``at`` falls."""
        best = candidates[0].index
        for seg in candidates:
            if seg.timed and seg.start <= at + 1e-9:
                best = seg.index
        return best

    def _add(
        self, at: float, text: str, kind: str, owner: int, target: int, step: int | None
    ) -> Phrase:
        phrase = Phrase(at, text, kind, self.length(text), owner, target, step)
        self.phrases.append(phrase)
        if phrase.length > 0:
            self.busy.add(phrase.at, phrase.end)
        return phrase

    def _place(
        self,
        text: str,
        kind: str,
        lo: float,
        hi: float,
        candidates: Sequence[Segment],
        target: int,
        step: int,
        *,
        latest: bool,
    ) -> Phrase | None:
        at = self.busy.fit(lo, hi, self.length(text), latest=latest)
        if at is None:
            return None
        return self._add(at, text, kind, self._owner(at, candidates), target, step)

    # -- the plan -----------------------------------------------------------------

    def plan(self) -> SpeechPlan:
        steps = self.timeline.steps
        for index, planned in enumerate(steps):
            if planned.step.voice and self.by_step[index]:
                if planned.kind.timed:
                    self._timed_step(index)
                else:
                    self._untimed_step(index)
        total = self.timeline.total
        n = len(self.timeline.segments)
        if steps and steps[-1].step.voice:
            last_tone = max((e for _s, e in self.tones), default=total)
            self._add(max(total, last_tone) + GUARD, FINISH_LINE, FINISH, n, n, None)
        # What still sounds after the end: the last tones and the finish line
        # (a self-paced step's phrases stand at a moment of the plan, not after it).
        ends = [e for _s, e in self.tones] + [p.end for p in self.phrases if p.segment == n]
        tail = max(0.0, max(ends, default=total) - total)
        order = sorted(
            range(len(self.phrases)), key=lambda i: (self.phrases[i].segment, self.phrases[i].at, i)
        )
        return SpeechPlan(
            tuple(self.phrases[i] for i in order),
            dict(self.lead),
            tuple(self.tones),
            tuple(self.shortfalls),
            tail,
        )

    def _untimed_step(self, index: int) -> None:
        step = self.timeline.steps[index].step
        for seg in self.by_step[index]:
            if seg is self.by_step[index][0]:
                self._add(
                    seg.start,
                    _step_line(step.say or step.name, seg.side),
                    STEP,
                    seg.index,
                    seg.index,
                    index,
                )
                if step.instructions:
                    self._add(
                        seg.start,
                        " ".join(step.instructions.split()),
                        INSTRUCTIONS,
                        seg.index,
                        seg.index,
                        index,
                    )
            elif seg.side is not None and seg.side_index > 1:
                self._add(
                    seg.start, _capital(side_phrase(seg.side)), SIDE, seg.index, seg.index, index
                )

    def _run_up(self, first: Segment) -> tuple[float, list[Segment], bool]:
        """Where a step's line may start, the segments before it there, whether to lead in."""
        segs = self.timeline.segments
        lo = first.start
        window: list[Segment] = []
        j = first.index - 1
        # A rest step just before is room to name what comes next.
        while (
            j >= 0
            and segs[j].timed
            and segs[j].kind == SegmentKind.REST
            and self._is_rest_step(segs[j])
        ):
            lo = segs[j].start
            window.insert(0, segs[j])
            j -= 1
        lead_ok = j < 0 or not segs[j].timed
        if j >= 0 and segs[j].timed:
            lo = min(lo, segs[j].end)
        return lo, window, lead_ok

    def _is_rest_step(self, seg: Segment) -> bool:
        return self.timeline.steps[seg.step].kind is StepKind.REST

    def _timed_step(self, index: int) -> None:
        planned = self.timeline.steps[index]
        step = planned.step
        segs = self.by_step[index]
        first = segs[0]
        if planned.kind is StepKind.REST:
            # A rest step names itself in its own time, if it can.
            line = _step_line(step.say or step.name, None)
            self._place(line, STEP, first.start, first.end, segs, first.index, index, latest=False)
            return
        work = next((s for s in segs if s.kind != SegmentKind.PREPARE), first)
        lo, window, lead_ok = self._run_up(first)
        candidates = [*window, *segs]
        name = step.say or step.name
        last_end = self._say_step(index, name, first, work, lo, candidates, lead_ok)
        if step.instructions and last_end is not None:
            text = " ".join(step.instructions.split())
            self._place(
                text,
                INSTRUCTIONS,
                last_end,
                work.start,
                candidates,
                first.index,
                index,
                latest=False,
            )
        self._sides(index, segs)
        self._phases(index, segs)
        for prompt in self.timeline.prompts:
            if prompt.step == index:
                activity = self.timeline.segments[prompt.segment]
                self._place(
                    prompt.say, PROMPT, prompt.at, activity.end, [activity], activity.index, index,
                    latest=False,
                )  # fmt: skip

    def _sides(self, index: int, segs: Sequence[Segment]) -> None:
        """Name each later side (and the first side of a later set) in the pause before it."""
        groups: list[list[Segment]] = []
        for seg in segs:
            if seg.kind == SegmentKind.PREPARE:
                continue
            if not groups or (seg.set, seg.side_index) != (
                groups[-1][0].set,
                groups[-1][0].side_index,
            ):
                groups.append([seg])
            else:
                groups[-1].append(seg)
        for group in groups[1:]:
            opening = group[0]
            if opening.side is None or opening.sides == 1:
                continue  # a one-sided step never changes side: named once, with the step
            work = next(
                (s for s in group if s.kind not in (SegmentKind.SWITCH, SegmentKind.SET_REST)),
                opening,
            )
            text = _capital(side_phrase(opening.side))
            placed = self._place(
                text, SIDE, opening.start, work.start, group, opening.index, index, latest=True
            )
            if placed is None:
                self._late(text, SIDE, work, group, opening.index, index)

    def _phases(self, index: int, segs: Sequence[Segment]) -> None:
        """Name each phase within it, on the first repetition of every side and set."""
        step = self.timeline.steps[index].step
        if not step.phases:
            return
        times = phase_times(step)
        for seg in segs:
            if seg.kind is not SegmentKind.REP or seg.rep != 1:
                continue
            lo = seg.start
            for phase, time in zip(step.phases, times, strict=True):
                hi = lo + time
                # Within the phase only: a name spoken after its phase has ended
                # would lead the person astray, so one that does not fit is shown only.
                self._place(phase.say, PHASE, lo, hi, [seg], seg.index, index, latest=False)
                lo = hi

    def _say_step(
        self,
        index: int,
        name: str,
        first: Segment,
        work: Segment,
        lo: float,
        candidates: Sequence[Segment],
        lead_ok: bool,
    ) -> float | None:
        """Place the step's line; return where it ends if it ends before the work, else ``None``."""
        line = _step_line(name, first.side)
        # Early in its own get-ready (leaving room for the instructions after),
        # else as late as may be in the room before it.
        placed = self._place(
            line, STEP, first.start, work.start, candidates, first.index, index, latest=False
        ) or self._place(line, STEP, lo, first.start, candidates, first.index, index, latest=True)
        if placed is not None:
            self._note_lead(first, placed.at)
            return placed.end
        if first.side is not None:
            name_at = self.busy.fit(first.start, work.start, self.length(name), latest=False)
            if name_at is not None:
                side = side_phrase(first.side)
                side_at = self.busy.fit(
                    name_at + self.length(name), work.start, self.length(side), latest=False
                )
                if side_at is not None:
                    said = self._add(
                        name_at, name, STEP, self._owner(name_at, candidates), first.index, index
                    )
                    side_said = self._add(
                        side_at, side, SIDE, self._owner(side_at, candidates), first.index, index
                    )
                    self._note_lead(first, said.at)
                    return side_said.end
        if lead_ok and first.timed and not self.lead_in:
            self._add(first.start, line, STEP, first.index, first.index, index)  # a caption
            return None
        if lead_ok and first.timed:
            at = first.start - LEAD_GUARD - self.length(line)
            said = self._add(at, line, STEP, first.index, first.index, index)
            self._note_lead(first, said.at)
            return None  # the get-ready's own gaps were too short for the line, so for more too
        self._late(line, STEP, work, self.by_step[index], first.index, index)
        return None

    def _note_lead(self, first: Segment, at: float) -> None:
        if at < first.start:
            self.lead[first.index] = max(self.lead.get(first.index, 0.0), first.start - at)

    def _late(
        self, text: str, kind: str, work: Segment, segs: Sequence[Segment], target: int, index: int
    ) -> None:
        step_end = segs[-1].end
        placed = self._place(text, kind, work.start, step_end, segs, target, index, latest=False)
        self.shortfalls.append(Shortfall(index, text, self.length(text), placed is not None))


def room_warnings(
    timeline: Timeline, sound_seconds: Callable[[Sound], float] | None = None
) -> list[tuple[int, str]]:
    """(step index, message) for each step the voice cannot name before it starts.

    For ``validate``: the plan is made with phrase lengths estimated from their
    text, as no speech engine need be installed to check a routine.

    Args:
        timeline: the routine's timeline.
        sound_seconds: how long a cue's sound lasts (default: read from its WAV,
            once a plan); ``validate`` passes one cache for all the routines it checks.
    """
    plan = plan_speech(timeline, phrase_seconds=_estimated, sound_seconds=sound_seconds)
    return [(s.step, s.message(timeline.steps[s.step].name)) for s in plan.shortfalls]


#: :func:`estimate_seconds`, each text worked out once (a plan asks for a line's length
#: as it looks for room, and again as it places it; a library repeats its lines).
_estimated = functools.lru_cache(maxsize=4096)(estimate_seconds)


def speech_texts(timeline: Timeline) -> list[str]:
    """Every phrase a plan of ``timeline`` may use, whatever room it finds (to render ahead)."""
    texts: dict[str, None] = {}
    for planned in timeline.steps:
        step = planned.step
        if not step.voice:
            continue
        name = step.say or step.name
        first = step.sides[0] if step.sides else step.side
        texts[_step_line(name, first)] = None
        texts[name] = None
        for side in step.sides or ((step.side,) if step.side else ()):
            texts[side_phrase(side)] = None
            texts[_capital(side_phrase(side))] = None
        if step.instructions:
            texts[" ".join(step.instructions.split())] = None
        for phase in step.phases:
            texts[phase.say] = None
        for prompt in step.prompts:
            texts[prompt.say] = None
    if timeline.steps and timeline.steps[-1].step.voice:
        texts[FINISH_LINE] = None
        texts[ENDED_LINE] = None
    return list(texts)


def _step_line(text: str, side: str | None) -> str:
    return f"{text}, {side_phrase(side)}" if side is not None else text
