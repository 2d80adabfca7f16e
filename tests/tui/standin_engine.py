"""A small stand-in for ``stretch_coach.engine``, used only while the real one is absent.

The engine is written on another branch against an agreed API; until it is
merged, the TUI tests install these modules under the real names (see
``conftest.py``) so the screens can be driven. Once ``stretch_coach.engine``
exists this file is not used at all.

It plays a timeline the simple way: active time is clock time minus paused
time, segments end when active time reaches their planned end, and cues fire
when the routine's timed position reaches their offset.
"""

from __future__ import annotations

import asyncio
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# -- clock ---------------------------------------------------------------


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


class FakeClock:
    def __init__(self, start: float = 0.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt

    def set(self, t: float) -> None:
        self.t = t


# -- events --------------------------------------------------------------


@dataclass(frozen=True)
class CueFired:
    cue: Any
    t: float


@dataclass(frozen=True)
class SegmentStarted:
    segment: Any


@dataclass(frozen=True)
class StepStarted:
    index: int
    step: Any


@dataclass(frozen=True)
class StepEnded:
    index: int
    step: Any
    skipped: bool
    seconds: float


@dataclass(frozen=True)
class PromptDue:
    prompt: Any


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Paused:
    reason: str


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Ended:
    status: str


# -- session -------------------------------------------------------------


@dataclass(frozen=True)
class SessionState:
    status: str
    pause_reason: str | None
    segment: Any
    step_index: int
    step: Any
    side: str | None
    side_index: int
    sides: int
    rep: int | None
    reps: int | None
    set: int
    sets: int
    counted: int
    segment_elapsed: float
    segment_remaining: float | None
    step_progress: float
    routine_elapsed: float
    routine_remaining: float
    routine_total: float
    next_segment: Any
    next_label: str
    steps_done: int
    steps_skipped: int
    elapsed_active: float


class Session:
    def __init__(
        self,
        timeline: Any,
        clock: Any,
        *,
        gap_threshold: float = 3.0,
        listeners: list[Callable[[Any], None]] | None = None,
    ) -> None:
        self.timeline = timeline
        self.clock = clock
        self.listeners = list(listeners or [])
        self.status = "ready"
        self.pause_reason: str | None = None
        self._before_pause = "running"
        self.seg = 0
        self.active = 0.0
        self.mark: float | None = None
        self.seg_from = 0.0
        self.step_from = 0.0
        self.cue_i = 0
        self.prompt_i = 0
        self.counted = 0
        self.done_steps = 0
        self.skipped_steps = 0

    def add_listener(self, fn: Callable[[Any], None]) -> None:
        self.listeners.append(fn)

    def _emit(self, event: Any) -> None:
        for fn in list(self.listeners):
            fn(event)

    def _now_active(self) -> float:
        if self.mark is None:
            return self.active
        return self.active + self.clock.now() - self.mark

    def _segment(self) -> Any:
        segs = self.timeline.segments
        return segs[self.seg] if self.seg < len(segs) else None

    # commands

    def start(self) -> None:
        if self.status != "ready":
            return
        self.mark = self.clock.now()
        self._enter(0, first=True)

    def pause(self, reason: str = "user") -> None:
        if self.status not in ("running", "waiting"):
            return
        self.active = self._now_active()
        self.mark = None
        self._before_pause = self.status
        self.status, self.pause_reason = "paused", reason
        self._emit(Paused(reason))

    def resume(self) -> None:
        if self.status != "paused":
            return
        self.mark = self.clock.now()
        self.status, self.pause_reason = self._before_pause, None
        self._emit(Resumed())

    def toggle_pause(self) -> None:
        if self.status == "paused":
            self.resume()
        else:
            self.pause()

    def _jump_step(self, step: int, skipped: bool) -> None:
        current = self._segment()
        if current is not None:
            self._end_step(current.step, skipped)
        indexes = [s.index for s in self.timeline.segments if s.step == step]
        if not indexes:
            self._finish()
            return
        self._enter(indexes[0], first=True)

    def next_step(self) -> None:
        seg = self._segment()
        if seg is None or self.status in ("finished", "stopped", "ready"):
            return
        self._jump_step(seg.step + 1, skipped=True)

    def previous_step(self) -> None:
        seg = self._segment()
        if seg is None or self.status in ("finished", "stopped", "ready"):
            return
        self._jump_step(max(0, seg.step - 1), skipped=True)

    def restart_step(self) -> None:
        seg = self._segment()
        if seg is None or self.status in ("finished", "stopped", "ready"):
            return
        indexes = [s.index for s in self.timeline.segments if s.step == seg.step]
        self._enter(indexes[0], first=True)

    def done(self) -> None:
        seg = self._segment()
        if seg is None or seg.duration is not None or self.status != "waiting":
            return
        self._advance(self._now_active())

    def count_rep(self) -> None:
        seg = self._segment()
        if seg is None or seg.kind != "counted" or self.status != "waiting":
            return
        self.counted += 1
        if seg.reps is not None and self.counted >= seg.reps:
            self.done()

    def stop(self) -> None:
        if self.status in ("finished", "stopped"):
            return
        self.active = self._now_active()
        self.mark = None
        self.status = "stopped"
        self._emit(Ended("stopped"))

    # driving

    def _enter(self, index: int, first: bool = False) -> None:
        segs = self.timeline.segments
        seg = segs[index]
        previous = self._segment() if not first else None
        self.seg = index
        self.seg_from = self._now_active()
        self.counted = 0
        if self.status == "paused":
            self._before_pause = "running" if seg.duration is not None else "waiting"
        else:
            self.status = "running" if seg.duration is not None else "waiting"
        cues = self.timeline.cues
        self.cue_i = next(
            (
                i
                for i, c in enumerate(cues)
                if c.at > seg.start or (c.at == seg.start and (c.segment is None or c.segment >= index))
            ),
            len(cues),
        )
        self.prompt_i = next(
            (i for i, p in enumerate(self.timeline.prompts) if p.at >= seg.start), len(self.timeline.prompts)
        )
        if first or (previous is not None and previous.step != seg.step):
            self.step_from = self.seg_from
            planned = self.timeline.steps[seg.step]
            self._emit(StepStarted(seg.step, planned))
            if planned.step.voice:
                self._emit(Say(planned.step.say or planned.name))
        self._emit(SegmentStarted(seg))
        self._fire(seg.start)

    def _fire(self, position: float) -> None:
        cues = self.timeline.cues
        while self.cue_i < len(cues) and cues[self.cue_i].at <= position:
            cue = cues[self.cue_i]
            if cue.event == "finish":
                break
            self.cue_i += 1
            self._emit(CueFired(cue, self.clock.now()))
        prompts = self.timeline.prompts
        while self.prompt_i < len(prompts) and prompts[self.prompt_i].at <= position:
            self._emit(PromptDue(prompts[self.prompt_i]))
            self.prompt_i += 1

    def _end_step(self, step: int, skipped: bool) -> None:
        seconds = self._now_active() - self.step_from
        if skipped:
            self.skipped_steps += 1
        else:
            self.done_steps += 1
        self._emit(StepEnded(step, self.timeline.steps[step], skipped, seconds))

    def _advance(self, at_active: float) -> None:
        seg = self._segment()
        nxt = self.seg + 1
        if nxt >= len(self.timeline.segments):
            self._end_step(seg.step, False)
            self._finish()
            return
        if self.timeline.segments[nxt].step != seg.step:
            self._end_step(seg.step, False)
        active_now = self._now_active()
        self._enter(nxt)
        self.seg_from = at_active if at_active <= active_now else active_now

    def _finish(self) -> None:
        for cue in self.timeline.cues[self.cue_i:]:
            if cue.event == "finish":
                self._emit(CueFired(cue, self.clock.now()))
        self.active = self._now_active()
        self.mark = None
        self.seg = len(self.timeline.segments)
        self.status = "finished"
        self._emit(Ended("finished"))

    def update(self) -> None:
        while self.status == "running":
            seg = self._segment()
            elapsed = self._now_active() - self.seg_from
            self._fire(seg.start + min(elapsed, seg.duration))
            if elapsed + 1e-9 < seg.duration:
                return
            self._advance(self.seg_from + seg.duration)

    def next_deadline(self) -> float | None:
        seg = self._segment()
        if self.status != "running" or seg is None:
            return None
        elapsed = self._now_active() - self.seg_from
        position = seg.start + elapsed
        target = seg.end
        cues = self.timeline.cues
        if self.cue_i < len(cues):
            target = min(target, max(cues[self.cue_i].at, position))
        return self.clock.now() + max(0.0, target - position)

    def state(self) -> SessionState:
        seg = self._segment()
        segs = self.timeline.segments
        total = self.timeline.total
        active = self._now_active()
        if seg is None:
            elapsed_seg, remaining, position = 0.0, None, total
            step_index = len(self.timeline.steps) - 1
            progress = 1.0
        else:
            elapsed_seg = active - self.seg_from
            if seg.duration is not None:
                elapsed_seg = min(elapsed_seg, seg.duration)
                remaining = seg.duration - elapsed_seg
                position = seg.start + elapsed_seg
            else:
                remaining, position = None, seg.start
            step_index = seg.step
            length = self.timeline.step_length(seg.step)
            if length:
                first = self.timeline.step_segments(seg.step)[0]
                progress = max(0.0, min(1.0, (position - first.start) / length))
            else:
                progress = 0.0
        nxt = segs[self.seg + 1] if seg is not None and self.seg + 1 < len(segs) else None
        if nxt is None:
            label = "Finish"
        else:
            label = nxt.name if nxt.kind not in ("rest", "set_rest", "switch") else nxt.kind.replace("_", " ").title()
        planned = self.timeline.steps[step_index] if self.timeline.steps else None
        return SessionState(
            status=self.status,
            pause_reason=self.pause_reason,
            segment=seg,
            step_index=step_index,
            step=planned,
            side=seg.side if seg else None,
            side_index=seg.side_index if seg else 1,
            sides=seg.sides if seg else 1,
            rep=seg.rep if seg else None,
            reps=seg.reps if seg else None,
            set=seg.set if seg else 1,
            sets=seg.sets if seg else 1,
            counted=self.counted,
            segment_elapsed=elapsed_seg,
            segment_remaining=remaining,
            step_progress=progress,
            routine_elapsed=position,
            routine_remaining=max(0.0, total - position),
            routine_total=total,
            next_segment=nxt,
            next_label=label,
            steps_done=self.done_steps,
            steps_skipped=self.skipped_steps,
            elapsed_active=active,
        )


# -- driver and audio link -------------------------------------------------


class AsyncDriver:
    def __init__(self, session: Session, clock: Any) -> None:
        self.session, self.clock = session, clock
        self._wake = asyncio.Event()

    async def run(self) -> None:
        while self.session.status not in ("finished", "stopped"):
            self.session.update()
            deadline = self.session.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self.clock.now())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()

    def poke(self) -> None:
        self._wake.set()


class AudioLink:
    """Plays cue sounds and speech through a player; stops it on pause and end."""

    def __init__(self, player: Any) -> None:
        self.player = player

    def __call__(self, event: Any) -> None:
        if isinstance(event, CueFired):
            if not event.cue.sound.silent:
                self.player.play(event.cue.sound)
        elif isinstance(event, Say):
            self.player.say(event.text)
        elif isinstance(event, PromptDue):
            self.player.say(event.prompt.say)
        elif isinstance(event, (Paused, Ended)):
            self.player.stop()


def install() -> None:
    """Register these classes as ``stretch_coach.engine.*`` modules."""
    import stretch_coach

    package = types.ModuleType("stretch_coach.engine")
    package.__path__ = []  # type: ignore[attr-defined]
    parts = {
        "clock": ("MonotonicClock", "FakeClock"),
        "events": (
            "CueFired", "SegmentStarted", "StepStarted", "StepEnded", "PromptDue",
            "Say", "Paused", "Resumed", "Ended",
        ),
        "session": ("Session", "SessionState"),
        "driver": ("AsyncDriver",),
        "audio_link": ("AudioLink",),
    }
    sys.modules["stretch_coach.engine"] = package
    stretch_coach.engine = package  # type: ignore[attr-defined]
    here = sys.modules[__name__]
    for name, names in parts.items():
        module = types.ModuleType(f"stretch_coach.engine.{name}")
        for attr in names:
            setattr(module, attr, getattr(here, attr))
        sys.modules[module.__name__] = module
        setattr(package, name, module)
