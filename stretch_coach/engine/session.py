"""A session: plays a :class:`~stretch_coach.timeline.Timeline` against a clock.

The session is a pure state machine. It owns no thread, no timer and no event
loop: a driver calls :meth:`Session.update` when :meth:`Session.next_deadline`
says something is due, and the UI calls the commands. Everything is derived
from one pausable monotonic clock, so nothing drifts:

* The position on the plan's *timed* axis is ``active time - origin``. A timed
  segment that ends hands over at its *planned* end; the origin does not move,
  so lateness in one wake-up never carries into the next.
* An untimed segment (counted reps, manual) freezes the position at its start;
  when the user says done, the origin is re-anchored so the plan carries on
  from there.
* Jumps (next, back, restart) re-anchor the origin at the target's start.
* A gap the session cannot explain (the clock jumped more than
  ``gap_threshold`` since it last looked, because the process was stopped or
  the computer slept) pauses the session retroactively at the moment it last
  looked, so no work is skipped.

Events are queued while the session changes and delivered in order once it is
consistent again, so a listener may call a command (it runs after the current
batch of events is delivered).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from stretch_coach.engine.clock import Clock, PausableClock
from stretch_coach.engine.events import (
    CueFired,
    Ended,
    EndStatus,
    Event,
    Paused,
    PauseReason,
    PromptDue,
    RepCounted,
    Resumed,
    Say,
    SegmentStarted,
    StepEnded,
    StepStarted,
)
from stretch_coach.engine.speech import FINISH, GUARD, SIDE, STEP, Phrase, SpeechPlan
from stretch_coach.routine.model import PlannedStep, StepKind
from stretch_coach.timeline import PART_OPENINGS, Segment, SegmentKind, Timeline, phase_at
from stretch_coach.words import ENDED_LINE, next_label

Status = Literal["ready", "running", "paused", "waiting", "finished", "stopped"]
Listener = Callable[[Event], None]

#: ``previous_step`` restarts the current step once it has run longer than this.
BACK_RESTARTS_AFTER = 3.0
#: Longest a driver may sleep while running, so it notices gaps promptly.
WAKE_INTERVAL = 1.0
#: Slack when comparing positions: float sums of offsets may land a hair short
#: of a deadline the driver slept exactly until; a microsecond is inaudible.
EPSILON = 1e-6


def voice_lines(timeline: Timeline) -> list[str]:
    """Every line a session of ``timeline`` may say, in order of first use.

    For a player to render speech ahead of time, so that no phrase starts late.
    """
    from stretch_coach.engine.speech import speech_texts

    return speech_texts(timeline)


@dataclass(frozen=True)
class SessionState:
    """A snapshot of a session, computed from the clock when it was taken.

    Attributes:
        status: ``ready``, ``running``, ``paused``, ``waiting`` (in an untimed
            segment), ``finished`` or ``stopped``.
        pause_reason: ``None``, ``user``, ``gap`` or ``suspend``.
        segment: the current segment (``None`` once finished).
        step_index: the current step's index (``len(steps)`` once finished).
        step: the current planned step (``None`` once finished).
        step_count: how many steps the timeline has.
        side, side_index, sides: the side label, its 1-based number, how many.
        rep, reps: the segment's repetition and how many (``None`` where they
            don't apply; a counted-reps segment has ``reps`` but no ``rep``).
        set, sets: the 1-based set and how many.
        phase: in a repetition of a step with ``phases``, the phase under way
            (its ``say``: ``lift``, ``lower``); ``None`` otherwise.
        counted: repetitions counted so far in a counted-reps segment.
        segment_elapsed: seconds into the segment (active seconds for untimed).
        segment_remaining: seconds left in the segment, ``None`` if untimed.
        step_progress: 0..1 through the step (for an untimed step, the share
            of its parts done).
        routine_elapsed: the position on the timed axis, in seconds (a skip
            moves it forward, a step back moves it back).
        routine_remaining: timed seconds left.
        routine_total: the timeline's timed total.
        self_paced_left: self-paced steps still to do, the current one
            included (the timed clocks count none of them).
        next_segment: the segment after this one, ``None`` at the last.
        next_label: what comes next, for people: ``Rest 10 s``, ``Right
            side``, ``Heel raises``, ``Finish``.
        steps_done, steps_skipped: steps completed and steps left unfinished
            (a step played again counts by its latest outcome).
        elapsed_active: active wall seconds since start, untimed waits
            included, pauses not.
    """

    status: Status
    pause_reason: PauseReason | None
    segment: Segment | None
    step_index: int
    step: PlannedStep | None
    step_count: int
    side: str | None
    side_index: int
    sides: int
    rep: int | None
    reps: int | None
    set: int
    sets: int
    phase: str | None
    counted: int
    segment_elapsed: float
    segment_remaining: float | None
    step_progress: float
    routine_elapsed: float
    routine_remaining: float
    routine_total: float
    self_paced_left: int
    next_segment: Segment | None
    next_label: str
    steps_done: int
    steps_skipped: int
    elapsed_active: float


class Session:
    """Plays a timeline: fires its cues on time and follows the user's commands.

    Args:
        timeline: the plan to play.
        clock: the monotonic clock (the real one, or a fake in tests).
        gap_threshold: seconds the clock may move between two looks while
            running before the session decides it was stopped or asleep.
        listeners: callables given every event, in order.
    """

    def __init__(
        self,
        timeline: Timeline,
        clock: Clock,
        *,
        gap_threshold: float = 3.0,
        listeners: list[Listener] | None = None,
        speech: SpeechPlan | None = None,
        finish_counts: Callable[[Sequence[StepEnded]], bool] | None = None,
    ) -> None:
        self.timeline = timeline
        #: Asked at the finish, with every step's end so far: does the session
        #: count? When not, the voice says "Routine ended" instead of "Well
        #: done" (the rule is the history's; the front-end hands it over).
        self._finish_counts = finish_counts
        self._steps_ended: list[StepEnded] = []
        self.clock = clock
        self.gap_threshold = gap_threshold
        self._listeners: list[Listener] = list(listeners or [])
        self._pc = PausableClock(clock)
        self._segments = timeline.segments
        n = len(self._segments)
        # Cues and prompts are sorted by offset; as segments never overlap they
        # are also in segment order, so "the first cue of segment j" is where
        # a jump to j resumes. Index n means "past the last segment".
        cue_keys = [n if c.segment is None else c.segment for c in timeline.cues]
        prompt_keys = [p.segment for p in timeline.prompts]
        self._cue_first = [bisect.bisect_left(cue_keys, j) for j in range(n + 1)]
        self._prompt_first = [bisect.bisect_left(prompt_keys, j) for j in range(n + 1)]
        seg_steps = [s.step for s in self._segments]
        self._step_first = [
            bisect.bisect_left(seg_steps, i) for i in range(len(timeline.steps) + 1)
        ]
        # Self-paced steps from each step on (index len(steps): none left).
        self._self_paced_from = [0] * (len(timeline.steps) + 1)
        for i in range(len(timeline.steps) - 1, -1, -1):
            untimed = not timeline.steps[i].kind.timed
            self._self_paced_from[i] = self._self_paced_from[i + 1] + untimed
        # A step's parts are its sides and sets: (step, set, side) runs of
        # segments, a switch or a rest between sets opening the part it leads to.
        self._part_first: list[int] = []
        for j, seg in enumerate(self._segments):
            same = j > 0 and _part(self._segments[j - 1]) == _part(seg)
            self._part_first.append(self._part_first[j - 1] if same else j)
        self._part_next = [n] * n
        for j in range(n - 2, -1, -1):
            same = self._part_first[j + 1] == self._part_first[j]
            self._part_next[j] = self._part_next[j + 1] if same else j + 1

        self._started = False
        self._ended: EndStatus | None = None
        self._pause_reason: PauseReason | None = None
        self._seg_i = 0
        self._origin = 0.0  # active time at which timed position 0 is (or would have been)
        self._cue_i = 0
        self._prompt_i = 0
        self._seen = clock.now()  # when the session last looked at the clock while running
        self._start_active = 0.0
        self._end_active = 0.0
        self._step_i: int | None = None
        self._step_start_active = 0.0  # first entry into the current step
        self._step_entered_active = 0.0  # latest entry into its first segment (restart resets)
        self._part_entered_active = 0.0  # latest entry into the current part's first segment
        self._segment_entry_active = 0.0
        self._counted = 0
        self._outcome: dict[int, bool] = {}  # step index -> skipped
        self._pending: deque[Event] = deque()
        self._dispatching = False
        self.set_speech(speech)

    # -- speech (issue 10: the voice never talks over a tone) ---------------

    def set_speech(self, plan: SpeechPlan | None = None) -> None:
        """Speak by ``plan`` (``None``: say nothing); call before :meth:`start`.

        Front-ends pass :func:`~stretch_coach.engine.speech.plan_speech`'s plan
        when there is a voice (or captions) to give it to; without one there
        is nothing to lead in for, so the first tone comes at once.
        """
        self.speech = plan if plan is not None else SpeechPlan()
        phrases = self._phrases = self.speech.phrases
        n = len(self._segments)
        # A jump to segment j speaks again what is about j or later, wherever planned.
        jump = [len(phrases)] * (n + 2)
        for i in range(len(phrases) - 1, -1, -1):
            t = min(phrases[i].target, n)
            jump[t] = min(jump[t], i)
        for j in range(n, -1, -1):
            jump[j] = min(jump[j], jump[j + 1])
        self._phrase_jump = jump
        self._phrase_i = 0
        self._phrase_floor = 0  # phrases about earlier segments are stale (after a jump)

    def _lead(self, j: int) -> float:
        """Seconds of speech before segment ``j``'s first tone when it is entered afresh."""
        seg = self._segments[j] if j < len(self._segments) else None
        return self.speech.lead.get(j, 0.0) if seg is not None and seg.timed else 0.0

    def _next_phrase(self, limit: float | None) -> Phrase | None:
        """The next phrase due by ``limit`` (any, for ``None``), skipping stale ones."""
        while self._phrase_i < len(self._phrases):
            phrase = self._phrases[self._phrase_i]
            if phrase.segment > self._seg_i or (limit is not None and phrase.at > limit):
                return None
            if phrase.target < self._phrase_floor:
                self._phrase_i += 1
                continue
            return phrase
        return None

    def _say(self, phrase: Phrase, measured: float) -> None:
        self._phrase_i += 1
        self._say_now(phrase, measured)

    def _say_now(self, phrase: Phrase, measured: float) -> None:
        self._emit(Say(phrase.text, phrase.kind, phrase.at, measured, phrase.length))

    # -- listeners --------------------------------------------------------

    def add_listener(self, fn: Listener) -> None:
        """Give ``fn`` every later event."""
        self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        """Stop giving ``fn`` events (does nothing if it was not a listener)."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _emit(self, event: Event) -> None:
        self._pending.append(event)

    def _flush(self) -> None:
        # A listener may call a command; its events join the queue and are
        # delivered here, in order, instead of interleaving with these.
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while self._pending:
                event = self._pending.popleft()
                for fn in list(self._listeners):
                    fn(event)
        finally:
            self._dispatching = False

    # -- reading ----------------------------------------------------------

    @property
    def status(self) -> Status:
        """The session's status now (cheaper than :meth:`state`)."""
        if self._ended is not None:
            return self._ended
        if not self._started:
            return "ready"
        if self._pc.paused:
            return "paused"
        seg = self._segment()
        if seg is not None and not seg.timed:
            return "waiting"
        return "running"

    @property
    def ended(self) -> bool:
        """Whether the session finished or was stopped."""
        return self._ended is not None

    def _segment(self) -> Segment | None:
        return self._segments[self._seg_i] if self._seg_i < len(self._segments) else None

    def _position(self, active: float) -> float:
        """Where the session is on the timed axis at active time ``active``."""
        seg = self._segment()
        if seg is None:
            return self.timeline.total
        if not self._started:
            return 0.0
        if not seg.timed:
            return seg.start
        return active - self._origin

    def _active(self) -> float:
        if self._ended is not None:
            return self._end_active
        if not self._started:
            return self._start_active
        return self._pc.active()

    def state(self) -> SessionState:
        """A snapshot of the session as of the clock's time now."""
        active = self._active()
        pos = self._position(active)
        seg = self._segment()
        steps = self.timeline.steps
        total = self.timeline.total
        if seg is None:
            elapsed_in, remaining_in, progress = 0.0, None, 1.0
        elif seg.timed:
            elapsed_in = min(max(pos - seg.start, 0.0), seg.duration or 0.0)
            # min: while the voice leads in, the countdown waits at its full length.
            remaining_in = min(max(seg.end - pos, 0.0), seg.duration or 0.0)
            progress = self._step_progress(seg, pos)
        else:
            elapsed_in = max(active - self._segment_entry_active, 0.0) if self._started else 0.0
            remaining_in = None
            progress = self._step_progress(seg, pos)
        nxt = self._segments[self._seg_i + 1] if self._seg_i + 1 < len(self._segments) else None
        outcomes = list(self._outcome.values())
        step_index = seg.step if seg is not None else len(steps)
        return SessionState(
            status=self.status,
            pause_reason=self._pause_reason if self.status == "paused" else None,
            segment=seg,
            step_index=step_index,
            step=steps[seg.step] if seg is not None else None,
            step_count=len(steps),
            side=seg.side if seg else None,
            side_index=seg.side_index if seg else 1,
            sides=seg.sides if seg else 1,
            rep=seg.rep if seg else None,
            reps=seg.reps if seg else None,
            set=seg.set if seg else 1,
            sets=seg.sets if seg else 1,
            phase=self._phase(seg, elapsed_in),
            counted=self._counted if seg is not None and seg.kind is SegmentKind.COUNTED else 0,
            segment_elapsed=elapsed_in,
            segment_remaining=remaining_in,
            step_progress=progress,
            routine_elapsed=min(max(pos, 0.0), total),
            routine_remaining=min(max(total - pos, 0.0), total),
            routine_total=total,
            self_paced_left=self._self_paced_from[step_index],
            next_segment=nxt,
            next_label="" if seg is None else self._next_label(seg, nxt),
            steps_done=outcomes.count(False),
            steps_skipped=outcomes.count(True),
            elapsed_active=max(active - self._start_active, 0.0),
        )

    def _phase(self, seg: Segment | None, elapsed_in: float) -> str | None:
        """The phase under way in a repetition with phases (none before the session starts)."""
        if seg is None or seg.kind is not SegmentKind.REP or not self._started:
            return None
        step = self.timeline.steps[seg.step].step
        index = phase_at(step, elapsed_in)
        return step.phases[index].say if index is not None else None

    def _step_progress(self, seg: Segment, pos: float) -> float:
        first = self._segments[self._step_first[seg.step]]
        length = self.timeline.step_length(seg.step)
        if length:
            return min(max((pos - first.start) / length, 0.0), 1.0)
        # Untimed: the share of its parts (sides x sets) done, counting reps.
        parts = self._step_first[seg.step + 1] - self._step_first[seg.step]
        done = float(seg.index - first.index)
        if seg.kind is SegmentKind.COUNTED and seg.reps:
            done += min(self._counted / seg.reps, 1.0)
        return min(done / parts, 1.0) if parts else 0.0

    def _next_label(self, cur: Segment, nxt: Segment | None) -> str:
        return next_label(self.timeline, cur, nxt)

    def next_deadline(self) -> float | None:
        """The clock time at which something is next due, or ``None``.

        ``None`` when there is nothing to wait for (ready, paused, waiting for
        the user, ended). While running, never more than :data:`WAKE_INTERVAL`
        (or half the gap threshold) from now, so the driver notices gaps.
        """
        if self.status != "running":
            return None
        seg = self._segment()
        assert seg is not None and seg.duration is not None
        now = self.clock.now()
        pos = self._pc.active() - self._origin
        due = seg.end
        if self._cue_i < len(self.timeline.cues):
            due = min(due, self.timeline.cues[self._cue_i].at)
        if self._prompt_i < len(self.timeline.prompts):
            due = min(due, self.timeline.prompts[self._prompt_i].at)
        phrase = self._next_phrase(None)
        if phrase is not None:
            due = min(due, phrase.at)
        wake = min(WAKE_INTERVAL, self.gap_threshold / 2)
        return now + min(max(due - pos, 0.0), wake)

    # -- driving ----------------------------------------------------------

    def update(self) -> None:
        """Bring the session up to the clock's time: fire everything due, in order."""
        self._update()
        self._flush()

    def _update(self) -> None:
        status = self.status
        if status not in ("running", "waiting"):
            return
        now = self.clock.now()
        if status == "running" and now - self._seen > self.gap_threshold:
            # The process was stopped or the computer slept: pause as of the
            # last moment we know we were awake, so the user misses nothing.
            self._pc.pause_at(self._seen)
            self._advance(self._pc.active())
            if self._ended is None:
                self._pause_reason = "gap"
                self._emit(Paused("gap"))
            return
        self._seen = now
        self._advance(self._pc.active())

    def _advance(self, active: float) -> None:
        """Fire what is due at ``active`` and move past every segment that has ended."""
        while True:
            seg = self._segment()
            pos = self._position(active)
            self._fire_due(pos, active - self._origin)
            if seg is None:
                self._finish()
                return
            if not seg.timed or pos + EPSILON < seg.end:
                return
            self._enter(self._seg_i + 1)

    def _fire_due(self, pos: float, measured: float) -> None:
        cues, prompts = self.timeline.cues, self.timeline.prompts
        limit = pos + EPSILON
        while True:
            cue = cues[self._cue_i] if self._cue_i < len(cues) else None
            if cue is not None:
                owner = len(self._segments) if cue.segment is None else cue.segment
                if owner > self._seg_i or cue.at > limit:
                    cue = None
            prompt = prompts[self._prompt_i] if self._prompt_i < len(prompts) else None
            if prompt is not None and (prompt.segment > self._seg_i or prompt.at > limit):
                prompt = None
            phrase = self._next_phrase(limit)
            if cue is None and prompt is None and phrase is None:
                return
            # At equal offsets the cue sounds first, then a prompt shows, then
            # the voice speaks (the speech plan keeps it clear of the tone).
            first = min(
                (x for x in (cue, prompt, phrase) if x is not None),
                key=lambda x: (x.at, 0 if x is cue else 1 if x is prompt else 2),
            )
            if first is cue:
                self._cue_i += 1
                self._emit(CueFired(cue, measured))
            elif first is prompt:
                assert prompt is not None
                self._prompt_i += 1
                self._emit(PromptDue(prompt))
            else:
                assert phrase is not None
                self._say(phrase, measured)

    def _voice(self, step: int) -> bool:
        return self.timeline.steps[step].step.voice

    def _enter(self, j: int, *, skipped: bool = False, end_active: float | None = None) -> None:
        """Make segment ``j`` current (``len(segments)``: past the end).

        Args:
            j: the segment to enter.
            skipped: whether the step being left (if any) is left unfinished.
            end_active: when the step being left ended; default: the planned
                end of the segment being left.
        """
        leaving = self._segment()
        if end_active is None:
            end_active = self._origin + (
                leaving.end if leaving is not None else self.timeline.total
            )
        self._seg_i = j
        self._counted = 0
        seg = self._segment()
        if seg is None or seg.step != self._step_i:
            self._end_step(skipped, end_active)
        if seg is None:
            return
        entry = self._origin + seg.start
        self._segment_entry_active = entry
        if seg.step != self._step_i:
            self._step_i = seg.step
            self._step_start_active = entry
            self._emit(StepStarted(seg.step, self.timeline.steps[seg.step]))
        self._emit(SegmentStarted(seg))
        if j == self._step_first[seg.step]:
            self._step_entered_active = entry
        if j == self._part_first[j]:
            self._part_entered_active = entry

    def _end_step(self, skipped: bool, end_active: float) -> None:
        i = self._step_i
        if i is None:
            return
        self._step_i = None
        self._outcome[i] = skipped
        seconds = max(end_active - self._step_start_active, 0.0)
        ended = StepEnded(i, self.timeline.steps[i], skipped, seconds)
        self._steps_ended.append(ended)
        self._emit(ended)

    def _finish(self) -> None:
        self._end_active = self._origin + self.timeline.total
        self._ended = "finished"
        self._pc.pause()
        # What the voice says after the last tones (the plan places it there).
        while (phrase := self._next_phrase(None)) is not None:
            if (
                phrase.kind == FINISH
                and self._finish_counts is not None
                and not self._finish_counts(self._steps_ended)
            ):
                phrase = replace(phrase, text=ENDED_LINE)
            self._say(phrase, self.timeline.total)
        self._emit(Ended("finished"))

    def _jump(self, j: int, *, skipped: bool = True, say_first: Sequence[Phrase] = ()) -> None:
        """Go to the start of segment ``j``; the cues in between never fire.

        Args:
            j: the segment to go to.
            skipped: whether a step left by the jump counts as skipped (it
                does, but for a rest step cut short with next part).
            say_first: lines to say at once, before ``j``'s first tone, which
                waits for them (what a pause cut short had still to say).
        """
        active = self._pc.active()
        target = self._segments[j] if j < len(self._segments) else None
        self._origin = active - (target.start if target is not None else self.timeline.total)
        first = sum(phrase.length for phrase in say_first) + (GUARD if say_first else 0.0)
        self._origin += self._lead(j) + first
        self._cue_i = self._cue_first[j]
        self._prompt_i = self._prompt_first[j]
        self._phrase_i, self._phrase_floor = self._phrase_jump[j], j
        # Leaving a step by a jump leaves it unfinished; a jump inside the
        # step (restart) does not end it.
        self._enter(j, skipped=skipped, end_active=active)
        said = (target.start if target is not None else self.timeline.total) - first
        for phrase in say_first:
            self._say_now(phrase, said)
            said += phrase.length
        if target is None or not self._pc.paused:
            # Past the end there is nothing left to pause over: finish now.
            self._advance(active)

    # -- commands ---------------------------------------------------------

    def start(self) -> None:
        """Begin at the first segment (does nothing once started, or once stopped)."""
        if self._started or self._ended is not None:
            return
        self._started = True
        self._pc = PausableClock(self.clock)
        self._seen = self.clock.now()
        active = self._pc.active()
        self._start_active = self._origin = active
        self._origin += self._lead(0)  # the voice names the first step before its first tone
        self._enter(0, end_active=active)
        self._advance(active)
        self._flush()

    def pause(self, reason: PauseReason = "user") -> None:
        """Stop active time (while running or waiting; otherwise nothing).

        Paused for ``covered`` (a dialog over the session), a pause for any
        other reason takes its place: the person paused on purpose.
        """
        self._update()
        if self.status in ("running", "waiting"):
            self._pc.pause()
            self._pause_reason = reason
            self._emit(Paused(reason))
        elif self.status == "paused" and self._pause_reason == "covered" != reason:
            # Paused because something covered the screen, and now on purpose:
            # it stays paused when uncovered.
            self._pause_reason = reason
            self._emit(Paused(reason))
        self._flush()

    def resume(self) -> None:
        """Carry on exactly where the pause began (only while paused)."""
        self._resume()
        self._flush()

    def _resume(self) -> None:
        if self.status != "paused":
            return
        self._pc.resume()
        self._pause_reason = None
        self._seen = self.clock.now()
        self._emit(Resumed())
        self._update()

    def toggle_pause(self) -> None:
        """Pause when running or waiting; resume when paused."""
        if self.status == "paused":
            self.resume()
        else:
            self.pause()

    def _navigable(self) -> bool:
        self._update()
        return self._started and self._ended is None

    def next_step(self) -> None:
        """Skip to the next step (past the last one: finish). The step counts as skipped."""
        if self._navigable() and self._step_i is not None:
            self._jump(self._step_first[self._step_i + 1])
        self._flush()

    def previous_step(self) -> None:
        """Go back, like a music player's back button.

        Within the first :data:`BACK_RESTARTS_AFTER` seconds of a step (active
        time since it was last entered) this goes to the start of the previous
        step; later, or on the first step, it restarts the current one. So one
        press fixes "I wasn't ready", a quick second press goes further back.
        """
        if self._navigable() and self._step_i is not None:
            into = self._pc.active() - self._step_entered_active
            i = self._step_i
            target = i - 1 if into <= BACK_RESTARTS_AFTER and i > 0 else i
            self._jump(self._step_first[target])
        self._flush()

    def next_part(self) -> None:
        """In a pause that opens a part, begin its work now; in the work, end the part.

        A part (a side or a set) may open with a pause: the step's get-ready,
        the switch of sides, the rest between sets. There, nothing of the part
        is done yet, so this ends the pause and the part's work begins at once
        (the person cut the pause short; nothing is skipped, the step goes on).
        In the work, it ends the part and goes to the next one, which starts
        with its switch or its rest between sets, if it has one. After a
        step's last part (and in a step of one part) that is the next step,
        like :meth:`next_step`: the step counts as skipped.

        A rest step is a pause too: next part cuts it short, and it counts as
        done, with the seconds it lasted (skip step still skips it).
        """
        if self._navigable() and self._step_i is not None:
            rest = self.timeline.steps[self._step_i].kind is StepKind.REST
            i = self._seg_i
            unsaid: list[Phrase] = []
            if self._segments[i].kind in PART_OPENINGS:
                # The segment after an opening pause begins what it opens: its part's
                # work, or (with no work laid out) the next part. Cut short, the pause
                # may not have named its part yet (a side's name is said late in its
                # switch): that is said first, then the work begins.
                j = i + 1
                unsaid = [
                    phrase
                    for phrase in self._phrases[self._phrase_i :]
                    if phrase.target == i and phrase.kind in (STEP, SIDE)
                ]
            else:
                j = self._part_next[i]
            self._jump(j, skipped=not rest, say_first=unsaid)
        self._flush()

    def part_opening(self) -> bool:
        """Whether the session is in a pause that opens a part, where next part begins the work."""
        seg = self._segment()
        return (
            seg is not None
            and self._started
            and self._ended is None
            and seg.kind in PART_OPENINGS
            and self._part_next[self._seg_i] != self._seg_i + 1  # its part has work after it
        )

    def previous_part(self) -> None:
        """Go back a part, like :meth:`previous_step` goes back a step.

        Within the first :data:`BACK_RESTARTS_AFTER` seconds of a part this
        goes to the start of the part before (the previous step's last part,
        from a step's first); later, or in the routine's first part, it
        restarts the current part.
        """
        if self._navigable() and self._step_i is not None:
            into = self._pc.active() - self._part_entered_active
            first = self._part_first[self._seg_i]
            target = self._part_first[first - 1] if into <= BACK_RESTARTS_AFTER and first else first
            self._jump(target)
        self._flush()

    def restart_step(self) -> None:
        """Go back to the start of the current step (its prepare countdown)."""
        if self._navigable() and self._step_i is not None:
            self._jump(self._step_first[self._step_i])
        self._flush()

    def done(self) -> None:
        """End an untimed segment (resuming if paused); nothing on a timed one."""
        if self._navigable():
            self._done()
        self._flush()

    def _done(self) -> None:
        seg = self._segment()
        if seg is None or seg.timed:
            return
        self._resume()
        active = self._pc.active()
        # The plan carries on from here: re-anchor so the position is this
        # segment's end (an untimed segment takes no timed time).
        self._origin = active - seg.end + self._lead(self._seg_i + 1)
        self._enter(self._seg_i + 1, end_active=active)
        self._advance(active)

    def count_rep(self) -> None:
        """Count one repetition of a counted-reps segment; the last one completes it."""
        if self._navigable():
            seg = self._segment()
            if seg is not None and seg.kind is SegmentKind.COUNTED:
                self._resume()
                self._counted += 1
                reps = seg.reps or 0
                self._emit(RepCounted(self._counted, reps))
                if self._counted >= reps:
                    self._done()
        self._flush()

    def stop(self) -> None:
        """End the session now; the current step counts as skipped."""
        if self._ended is None:
            self._update()
        if self._ended is None:
            active = self._pc.active() if self._started else self._start_active
            self._end_step(True, active)
            self._end_active = active
            self._pc.pause()
            self._ended = "stopped"
            self._emit(Ended("stopped"))
        self._flush()


def _part(seg: Segment) -> tuple[int, int, int]:
    """Which part of which step ``seg`` belongs to: (step, set, side)."""
    return (seg.step, seg.set, seg.side_index)
