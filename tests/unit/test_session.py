"""The session engine under a fake clock: every command, every kind of step, gaps, timing."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable

import pytest

from stretch_coach.engine import events as ev
from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import BACK_RESTARTS_AFTER, Session
from stretch_coach.engine.speech import GUARD, LEAD_GUARD, estimate_seconds, plan_speech
from stretch_coach.timeline import Timeline

START = 1000.0  # the fake clock's origin is arbitrary; the session must not care

MANUAL_THEN_REST = "title: M\nsteps:\n  - name: Loosen your sheets\n  - rest: 5s\n"
#: A manual step between two holds; the second hold's prepare cue shares the
#: manual step's offset.
HOLD_MANUAL_HOLD = """\
title: M
steps:
  - name: Hold
    hold: 10s
    prepare: 0
  - name: Loosen your sheets
  - name: Hold again
    hold: 10s
"""


class Recorder:
    """A listener keeping every event, with the fake clock's time it came at."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.events: list[ev.Event] = []
        self.times: list[float] = []

    def __call__(self, event: ev.Event) -> None:
        self.events.append(event)
        self.times.append(self.clock.now())

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def cues(self) -> list[ev.CueFired]:
        return self.of(ev.CueFired)

    def said(self) -> list[str]:
        return [e.text for e in self.of(ev.Say)]

    def clear(self) -> None:
        self.events.clear()
        self.times.clear()


#: Lengths of the shipped sounds for the speech plan (a test must not depend on the WAVs).
SOUND_SECONDS = {"beep": 0.15, "tick": 0.06, "tock": 0.09, "go": 0.25, "chime": 0.6, "switch": 0.3}


def setup(
    timeline: Timeline, *, speech: bool = False, **kwargs: float
) -> tuple[Session, FakeClock, Recorder]:
    """A session on a fake clock; ``speech``: with the speech plan a voice would get."""
    clock = FakeClock(START)
    rec = Recorder(clock)
    plan = (
        plan_speech(timeline, sound_seconds=lambda s: SOUND_SECONDS.get(s.name, 1.2))
        if speech
        else None
    )
    return Session(timeline, clock, listeners=[rec], speech=plan, **kwargs), clock, rec


def segment_kind(session: Session) -> str | None:
    seg = session.state().segment
    return seg.kind if seg is not None else None


def run_until(session: Session, clock: FakeClock, position: float) -> None:
    """Wake at each deadline until the plan's position reaches ``position`` (never past it)."""
    while session.status == "running":
        pos = session.state().routine_elapsed
        if pos >= position - 1e-9:
            return
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(min(deadline, clock.now() + (position - pos)))
        session.update()


@pytest.fixture
def example(make_timeline: Callable[..., Timeline], example_yaml: str) -> Timeline:
    return make_timeline(example_yaml)


# -- playing a whole routine ---------------------------------------------------


def test_a_played_routine_fires_exactly_the_timelines_cues_on_time(
    example: Timeline, play: Callable[..., None]
) -> None:
    session, clock, rec = setup(example)
    play(session, clock)
    fired = rec.cues()
    assert [f.cue for f in fired] == list(example.cues)
    assert all(abs(f.t - f.cue.at) < 1e-6 for f in fired)
    # ...and at the planned clock time: nothing untimed comes before the last step.
    for f, at in zip(
        fired,
        [t for e, t in zip(rec.events, rec.times, strict=False) if isinstance(e, ev.CueFired)],
        strict=False,
    ):
        assert at - START == pytest.approx(f.cue.at, abs=1e-6)
    state = session.state()
    assert state.status == "finished"
    assert state.steps_done == 3 and state.steps_skipped == 0
    assert state.elapsed_active == pytest.approx(185.0)
    assert rec.events[-1] == ev.Ended("finished")


def test_events_tell_the_story_in_order(example: Timeline, play: Callable[..., None]) -> None:
    session, clock, rec = setup(example, speech=True)
    play(session, clock)
    kinds = [
        type(e).__name__ for e in rec.events if not isinstance(e, ev.CueFired | ev.SegmentStarted)
    ]
    assert kinds == [
        "StepStarted",
        "Say",  # name + side, before the first tone (the get-ready cannot hold it)
        "Say",  # the right side, in the switch pause
        "StepEnded",
        "StepStarted",
        "Say",
        "StepEnded",
        "StepStarted",
        "Say",
        "Say",  # a self-paced step: its instructions too
        "StepEnded",
        "Say",
        "Ended",
    ]
    # The wall stretch's instructions fit no gap of its 5 s get-ready: only shown.
    assert [(e.text, e.kind) for e in rec.of(ev.Say)] == [
        ("Wall calf stretch, left side", "step"),
        ("Right side", "side"),
        ("Heel raises", "step"),
        ("Loosen your sheets", "step"),
        ("Keep the covers loose over your feet.", "instructions"),
        ("Well done", "finish"),
    ]
    ended = rec.of(ev.StepEnded)
    assert [(e.index, e.skipped) for e in ended] == [(0, False), (1, False), (2, False)]
    assert [e.seconds for e in ended] == [pytest.approx(150.0), pytest.approx(35.0), 0.0]
    # The voice led in: the first tone came once the first line was said.
    lead = session.speech.lead[0]
    assert lead == pytest.approx(estimate_seconds("Wall calf stretch, left side") + LEAD_GUARD)
    first_cue = next(
        t for e, t in zip(rec.events, rec.times, strict=True) if isinstance(e, ev.CueFired)
    )
    assert first_cue - START == pytest.approx(lead)
    starts = [e.segment.start for e in rec.of(ev.SegmentStarted)]
    assert starts == [s.start for s in example.segments]


def test_the_finish_cue_comes_after_the_last_steps_end_and_before_ended(
    example: Timeline, play: Callable[..., None]
) -> None:
    session, clock, rec = setup(example)
    play(session, clock)
    tail = rec.events[-3:]
    assert isinstance(tail[0], ev.StepEnded)
    assert isinstance(tail[1], ev.CueFired) and tail[1].cue.event == "finish"
    assert tail[2] == ev.Ended("finished")
    # With a voice, "Well done" follows the finish cue, planned after its tones.
    session, clock, rec = setup(example, speech=True)
    play(session, clock)
    assert rec.events[-2] == ev.Say(
        "Well done",
        "finish",
        185.0 + 1.2 + GUARD,
        185.0,
        estimate_seconds("Well done"),
    )  # after the finish, which comes once the self-paced step is done (so on its own)
    assert rec.events[-1] == ev.Ended("finished")


def long_routine(minutes: int) -> str:
    # Every kind of timed step, repeated to fill the time, with fractional
    # offsets so float sums are really exercised.
    block = """\
      - name: Calf hold
        hold: 37.3s
        reps: 3
        rest: 7.1s
        sides: [left, right]
        switch: 4.3s
      - name: Heel raises
        reps: 12
        tempo: 2.7s
        sets: 2
        set_rest: 9.9s
      - name: Cycling
        duration: 95.5s
        prompts:
          - {at: 30, say: Keep a steady pace}
      - rest: 13.7s
    """
    steps = "".join(textwrap.dedent(block) for _ in range(minutes // 8 + 1))
    return f"title: Long\nsteps:\n{steps}"


def test_sixty_minutes_every_cue_fires_at_exactly_its_planned_time(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(long_routine(60))
    assert timeline.total >= 3600
    session, clock, rec = setup(timeline)
    play(session, clock)
    fired = rec.cues()
    assert [f.cue for f in fired] == list(timeline.cues)
    lateness = [f.t - f.cue.at for f in fired]
    assert max(abs(x) for x in lateness) < 1e-6
    cue_times = [
        t - START for e, t in zip(rec.events, rec.times, strict=False) if isinstance(e, ev.CueFired)
    ]
    assert max(abs(t - f.cue.at) for t, f in zip(cue_times, fired, strict=False)) < 1e-6


def test_late_wake_ups_never_accumulate(make_timeline: Callable[..., Timeline]) -> None:
    # A driver that wakes up to 5 ms late every time (a busy machine): each
    # cue is at most 5 ms late, at the end of an hour as at the start, and
    # every segment starts at the previous one's planned end.
    timeline = make_timeline(long_routine(60))
    session, clock, rec = setup(timeline)
    jitter = random.Random(7)
    session.start()
    while not session.ended:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline + jitter.uniform(0.0, 0.005))
        session.update()
    lateness = [f.t - f.cue.at for f in rec.cues()]
    assert len(lateness) == len(timeline.cues)
    assert min(lateness) >= -1e-6
    assert max(lateness) <= 0.005 + 1e-6
    tenth = len(lateness) // 10
    assert max(lateness[-tenth:]) <= 0.005 + 1e-6  # no growth at the end
    assert [e.segment.start for e in rec.of(ev.SegmentStarted)] == [
        s.start for s in timeline.segments
    ]


def test_an_hour_of_updates_once_a_minute_loses_nothing(
    make_timeline: Callable[..., Timeline],
) -> None:
    # A driver that oversleeps (gap detection off) still fires every cue, in
    # order, and the plan stays on its planned axis.
    timeline = make_timeline(long_routine(60))
    session, clock, rec = setup(timeline, gap_threshold=1e9)
    session.start()
    while not session.ended:
        clock.advance(60.0)
        session.update()
    assert [f.cue for f in rec.cues()] == list(timeline.cues)
    assert session.state().elapsed_active == pytest.approx(timeline.total)


# -- ready, start, reading -----------------------------------------------------


def test_ready_shows_the_first_segment_and_does_nothing_until_started(example: Timeline) -> None:
    session, clock, rec = setup(example)
    clock.advance(100)
    session.update()
    state = session.state()
    assert state.status == "ready"
    assert state.segment == example.segments[0]
    assert state.step_index == 0 and state.routine_elapsed == 0.0
    assert state.routine_remaining == 185.0 and state.routine_total == 185.0
    assert session.next_deadline() is None
    assert rec.events == []
    session.start()
    assert [type(e) for e in rec.events[:3]] == [ev.StepStarted, ev.SegmentStarted, ev.CueFired]
    prepare_cue = rec.cues()[0]
    assert prepare_cue.cue.event == "prepare" and prepare_cue.t == 0.0


def test_state_follows_sides_reps_and_next_labels(example: Timeline) -> None:
    session, clock, _ = setup(example)
    session.start()
    seen = []
    for position in (2, 10, 40, 50, 77, 85, 150, 160, 183):
        run_until(session, clock, position)
        s = session.state()
        seen.append((segment_kind(session), s.side, s.side_index, s.rep, s.reps, s.next_label))
    assert seen == [
        ("prepare", "left", 1, None, None, "Hold 30 s"),
        ("hold", "left", 1, 1, 2, "Rest 10 s"),
        ("rest", "left", 1, 1, None, "Hold 30 s"),
        ("hold", "left", 1, 2, 2, "Right side"),
        ("switch", "right", 2, None, None, "Hold 30 s"),
        ("hold", "right", 2, 1, 2, "Rest 10 s"),
        ("prepare", None, 1, None, None, "Rep 1 of 10"),
        ("rep", None, 1, 2, 10, "Rep 3 of 10"),
        ("rep", None, 1, 10, 10, "Loosen your sheets"),
    ]


def test_state_times_and_progress(example: Timeline) -> None:
    session, clock, _ = setup(example)
    session.start()
    run_until(session, clock, 20.0)  # 15 s into the first 30 s hold
    s = session.state()
    assert s.status == "running"
    assert s.segment_elapsed == pytest.approx(15.0)
    assert s.segment_remaining == pytest.approx(15.0)
    assert s.step_progress == pytest.approx(20.0 / 150.0)
    assert s.routine_elapsed == pytest.approx(20.0)
    assert s.routine_remaining == pytest.approx(165.0)
    assert s.elapsed_active == pytest.approx(20.0)
    assert s.next_segment == example.segments[2]


def test_next_deadline_is_the_next_due_thing_capped_at_one_second(example: Timeline) -> None:
    session, clock, _ = setup(example)
    session.start()
    assert session.next_deadline() == pytest.approx(START + 1.0)  # prepare's countdown is at 2 s
    clock.set(START + 1.5)
    session.update()
    assert session.next_deadline() == pytest.approx(START + 2.0)


# -- pause and resume ------------------------------------------------------------


def test_pause_stops_the_plan_and_resume_carries_on_exactly(
    example: Timeline, play: Callable[..., None]
) -> None:
    session, clock, rec = setup(example)
    session.start()
    run_until(session, clock, 12.3)
    session.pause()
    assert rec.events[-1] == ev.Paused("user")
    before = session.state()
    assert before.status == "paused" and before.pause_reason == "user"
    assert session.next_deadline() is None
    clock.advance(500.0)
    session.update()
    after = session.state()
    assert after.segment_remaining == before.segment_remaining
    assert after.routine_elapsed == before.routine_elapsed
    assert after.elapsed_active == before.elapsed_active
    fired_before = len(rec.cues())
    session.resume()
    assert isinstance(rec.events[-1], ev.Resumed)
    assert session.state().pause_reason is None
    play(session, clock)
    fired = rec.cues()
    assert [f.cue for f in fired] == list(example.cues)
    assert fired_before == sum(1 for c in example.cues if c.at <= 12.3)
    assert all(abs(f.t - f.cue.at) < 1e-6 for f in fired)
    assert session.state().elapsed_active == pytest.approx(185.0)


def test_toggle_pause_and_repeated_commands(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.start()
    session.resume()  # not paused: nothing
    session.toggle_pause()
    session.pause()  # already paused: nothing more
    assert rec.of(ev.Paused) == [ev.Paused("user")]
    session.toggle_pause()
    assert session.status == "running"
    assert len(rec.of(ev.Resumed)) == 1


def test_pause_while_waiting_returns_to_waiting(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(MANUAL_THEN_REST)
    session, clock, _rec = setup(timeline)
    session.start()
    assert session.status == "waiting"
    clock.advance(10)
    session.pause()
    clock.advance(100)
    assert session.state().elapsed_active == pytest.approx(10.0)
    session.resume()
    assert session.status == "waiting"


def test_done_while_paused_in_an_untimed_step_resumes_and_goes_on(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(MANUAL_THEN_REST)
    session, _clock, rec = setup(timeline)
    session.start()
    session.pause()
    session.done()
    assert session.status == "running"
    assert isinstance(rec.of(ev.Resumed)[0], ev.Resumed)
    assert segment_kind(session) == "rest"


# -- gaps ------------------------------------------------------------------------


def test_a_gap_pauses_at_its_start_and_skips_no_work(
    example: Timeline, play: Callable[..., None]
) -> None:
    session, clock, rec = setup(example)
    session.start()
    run_until(session, clock, 7.0)
    fired_before = [f.cue for f in rec.cues()]
    clock.advance(10.0)  # the laptop slept: one jump, no wake-ups
    session.update()
    state = session.state()
    assert state.status == "paused" and state.pause_reason == "gap"
    assert rec.events[-1] == ev.Paused("gap")
    assert [f.cue for f in rec.cues()] == fired_before  # nothing fired for the lost time
    assert state.routine_elapsed == pytest.approx(7.0)
    assert state.elapsed_active == pytest.approx(7.0)
    session.resume()
    play(session, clock)
    fired = rec.cues()
    assert [f.cue for f in fired] == list(example.cues)
    assert all(abs(f.t - f.cue.at) < 1e-6 for f in fired)


def test_a_gap_found_by_a_command_pauses_before_the_command(example: Timeline) -> None:
    session, clock, rec = setup(example)
    session.start()
    clock.advance(1.0)
    session.update()
    clock.advance(30.0)
    session.next_step()  # the gap is noticed first; the skip still happens, paused
    state = session.state()
    assert state.status == "paused" and state.pause_reason == "gap"
    assert state.step_index == 1
    assert not any(f.cue.event == "start" for f in rec.cues())


def test_a_jump_shorter_than_the_threshold_is_not_a_gap(example: Timeline) -> None:
    session, clock, rec = setup(example)
    session.start()
    clock.advance(2.9)
    session.update()
    assert session.status == "running"
    late = [f for f in rec.cues() if f.cue.event == "countdown"]
    assert [round(f.t - f.cue.at, 6) for f in late] == [0.9]


def test_no_gap_is_seen_while_paused_or_waiting(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(MANUAL_THEN_REST)
    session, clock, rec = setup(timeline)
    session.start()
    clock.advance(60)
    session.update()
    session.done()
    assert session.status == "running"
    assert rec.of(ev.Paused) == []


def test_the_gap_threshold_is_adjustable(example: Timeline) -> None:
    session, clock, _ = setup(example, gap_threshold=0.5)
    session.start()
    assert session.next_deadline() == pytest.approx(START + 0.25)
    clock.advance(0.6)
    session.update()
    assert session.state().pause_reason == "gap"


# -- skipping and going back -------------------------------------------------------


def test_next_step_skips_and_the_skipped_cues_never_fire(
    example: Timeline, play: Callable[..., None]
) -> None:
    session, clock, rec = setup(example)
    session.start()
    run_until(session, clock, 20.0)
    session.next_step()
    state = session.state()
    assert state.step_index == 1 and segment_kind(session) == "prepare"
    assert state.routine_elapsed == pytest.approx(150.0)
    assert state.steps_skipped == 1
    ended = rec.of(ev.StepEnded)
    assert [(e.index, e.skipped, e.seconds) for e in ended] == [(0, True, pytest.approx(20.0))]
    play(session, clock)
    fired = [f.cue for f in rec.cues()]
    expected = [c for c in example.cues if c.at <= 20.0 or c.step in (1, 2, None)]
    assert fired == expected
    # The next step's prepare cue sounded at the moment of the skip.
    skip_time = START + 20.0
    prepare = [
        t
        for e, t in zip(rec.events, rec.times, strict=False)
        if isinstance(e, ev.CueFired) and e.cue.step == 1
    ]
    assert prepare[0] == pytest.approx(skip_time)
    assert session.state().steps_done == 2 and session.state().steps_skipped == 1


def test_next_step_on_the_last_step_finishes(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.start()
    session.next_step()
    session.next_step()
    assert session.status == "waiting"
    session.next_step()
    assert session.status == "finished"
    assert rec.cues()[-1].cue.event == "finish"
    assert rec.events[-1] == ev.Ended("finished")
    state = session.state()
    assert state.steps_skipped == 3 and state.steps_done == 0


def test_previous_step_early_goes_back_a_step(example: Timeline) -> None:
    session, clock, rec = setup(example)
    session.start()
    session.next_step()
    clock.advance(BACK_RESTARTS_AFTER - 0.5)
    session.update()
    session.previous_step()
    state = session.state()
    assert state.step_index == 0 and state.routine_elapsed == 0.0
    assert [e.index for e in rec.of(ev.StepStarted)] == [0, 1, 0]
    assert [(e.index, e.skipped) for e in rec.of(ev.StepEnded)] == [(0, True), (1, True)]


def test_previous_step_later_restarts_the_current_step(example: Timeline) -> None:
    session, clock, rec = setup(example, speech=True)
    session.start()
    session.next_step()
    run_until(session, clock, 150.0 + BACK_RESTARTS_AFTER + 1.0)
    rec.clear()
    session.previous_step()
    state = session.state()
    assert state.step_index == 1 and state.routine_elapsed == pytest.approx(150.0)
    # A restart is not a new step: no StepStarted, no StepEnded.
    assert rec.of(ev.StepStarted) == [] and rec.of(ev.StepEnded) == []
    assert [f.cue.event for f in rec.cues()] == ["prepare"]
    run_until(session, clock, 151.9)
    assert rec.said() == ["Heel raises"]  # said again, after the get-ready's first tone


def test_previous_step_on_the_first_step_restarts_it(example: Timeline) -> None:
    session, clock, _rec = setup(example)
    session.start()
    run_until(session, clock, 1.0)
    session.previous_step()
    assert session.state().step_index == 0
    assert session.state().routine_elapsed == 0.0


def test_restart_step_replays_its_cues(example: Timeline, play: Callable[..., None]) -> None:
    session, clock, rec = setup(example)
    session.start()
    run_until(session, clock, 40.0)
    session.restart_step()
    assert session.state().routine_elapsed == 0.0
    play(session, clock)
    fired = [f.cue for f in rec.cues()]
    first_pass = [c for c in example.cues if c.at <= 40.0]
    assert fired == first_pass + list(example.cues)
    ended = rec.of(ev.StepEnded)
    assert ended[0].index == 0 and not ended[0].skipped
    assert ended[0].seconds == pytest.approx(40.0 + 150.0)


def test_jumping_while_paused_stays_paused_and_the_entry_cue_waits(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.start()
    session.pause()
    session.next_step()
    assert session.status == "paused"
    assert all(f.cue.step == 0 for f in rec.cues())
    session.resume()
    assert rec.cues()[-1].cue.step == 1 and rec.cues()[-1].cue.event == "prepare"


def test_commands_before_start_and_after_the_end_do_nothing(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    for command in (
        session.next_step,
        session.previous_step,
        session.restart_step,
        session.done,
        session.count_rep,
        session.pause,
        session.resume,
    ):
        command()
    assert rec.events == [] and session.status == "ready"
    session.start()
    session.stop()
    rec.clear()
    for command in (
        session.next_step,
        session.previous_step,
        session.restart_step,
        session.done,
        session.count_rep,
        session.pause,
        session.resume,
        session.stop,
        session.start,
        session.update,
    ):
        command()
    assert rec.events == [] and session.status == "stopped"


# -- untimed steps -------------------------------------------------------------------


def test_an_untimed_step_holds_the_plan_still_until_done(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(HOLD_MANUAL_HOLD)
    session, clock, rec = setup(timeline)
    session.start()
    run_until(session, clock, 10.0)
    assert session.status == "waiting"
    assert session.next_deadline() is None
    clock.advance(42.0)
    session.update()
    state = session.state()
    assert state.routine_elapsed == 10.0 and state.segment_remaining is None
    assert state.segment_elapsed == pytest.approx(42.0)
    assert state.elapsed_active == pytest.approx(52.0)
    session.done()
    assert session.status == "running"
    done_at = clock.now()
    play(session, clock)
    assert [f.cue for f in rec.cues()] == list(timeline.cues)
    last_start = [
        t
        for e, t in zip(rec.events, rec.times, strict=False)
        if isinstance(e, ev.CueFired) and e.cue.step == 2
    ]
    assert last_start[0] == pytest.approx(done_at)
    assert [e.seconds for e in rec.of(ev.StepEnded)] == [
        pytest.approx(10.0),
        pytest.approx(42.0),
        pytest.approx(15.0),
    ]
    assert session.state().elapsed_active == pytest.approx(67.0)


def test_done_on_a_timed_segment_does_nothing(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.start()
    rec.clear()
    session.done()
    assert rec.events == [] and segment_kind(session) == "prepare"


def test_counted_reps_count_and_complete(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(
        """\
        title: C
        steps:
          - name: Heel walking
            reps: 3
            sides: [left, right]
          - rest: 5s
        """
    )
    session, clock, rec = setup(timeline, speech=True)
    session.start()
    assert session.status == "waiting"
    state = session.state()
    assert (state.side, state.reps, state.counted, state.rep) == ("left", 3, 0, None)
    session.count_rep()
    session.count_rep()
    assert session.state().counted == 2
    assert session.state().step_progress == pytest.approx(1 / 3)
    assert rec.of(ev.RepCounted) == [ev.RepCounted(1, 3), ev.RepCounted(2, 3)]
    session.count_rep()  # the third completes the left side
    state = session.state()
    assert (state.status, state.side, state.counted) == ("waiting", "right", 0)
    # The step's start was announced; the switch cue sits at the entry of the
    # untimed right side: it fired on entry.
    assert [f.cue.event for f in rec.cues()] == ["manual", "switch"]
    assert rec.said()[-1] == "Right side"
    session.done()  # Enter ends a side without counting it through
    assert segment_kind(session) == "rest"
    play(session, clock)
    assert [f.cue for f in rec.cues()] == list(timeline.cues)


def test_count_rep_outside_counted_reps_does_nothing(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.start()
    session.next_step()
    session.next_step()  # the manual step
    rec.clear()
    session.count_rep()
    assert rec.events == [] and session.status == "waiting"


def test_cues_at_an_untimed_entry_wait_for_the_untimed_step(
    make_timeline: Callable[..., Timeline],
) -> None:
    # The hold's end cue and the next step's prepare cue share an offset with
    # the manual step between them; each fires with its own segment.
    timeline = make_timeline(HOLD_MANUAL_HOLD)
    session, clock, rec = setup(timeline)
    session.start()
    run_until(session, clock, 10.0)
    assert [(f.cue.event, f.cue.step) for f in rec.cues()][-2:] == [("end", 0), ("manual", 1)]
    assert not any(f.cue.step == 2 for f in rec.cues())
    session.done()
    assert rec.cues()[-1].cue.event == "prepare" and rec.cues()[-1].cue.step == 2


# -- sides, sets, activities, includes ---------------------------------------------


def test_sets_and_sides_play_in_order(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(
        """\
        title: S
        steps:
          - name: Heel raises
            reps: 2
            tempo: 2s
            sides: [left, right]
            sets: 2
            set_rest: 6s
            switch: 0
        """
    )
    session, clock, rec = setup(timeline, speech=True)
    play(session, clock)
    seen = [(e.segment.kind, e.segment.set, e.segment.side) for e in rec.of(ev.SegmentStarted)]
    assert seen == [
        ("prepare", 1, "left"),
        ("rep", 1, "left"),
        ("rep", 1, "left"),
        ("rep", 1, "right"),
        ("rep", 1, "right"),
        ("set_rest", 2, "left"),
        ("rep", 2, "left"),
        ("rep", 2, "left"),
        ("rep", 2, "right"),
        ("rep", 2, "right"),
    ]
    # With no switch pause there is no room before the side's first tone: the
    # side is said in the first gap after it, never over a tone.
    assert rec.said() == [
        "Heel raises, left side",
        "Right side",
        "Left side",  # in the rest before set 2
        "Right side",
        "Well done",
    ]
    assert [f.cue for f in rec.cues()] == list(timeline.cues)


def test_set_labels(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(
        "title: S\nsteps:\n  - name: Bend\n    hold: 5s\n    sets: 2\n    prepare: 0\n"
    )
    session, _clock, _ = setup(timeline)
    session.start()
    assert session.state().next_label == "Set 2 of 2"


def test_activity_prompts_and_halfway(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(
        """\
        title: A
        steps:
          - name: Easy cycling
            duration: 2m
            prompts:
              - {at: 0, say: Start slowly}
              - {at: 90s, say: Keep a steady pace}
        """
    )
    session, clock, rec = setup(timeline, speech=True)
    play(session, clock)
    prompts = rec.of(ev.PromptDue)
    assert [p.prompt.say for p in prompts] == ["Start slowly", "Keep a steady pace"]
    times = [
        t - START
        for e, t in zip(rec.events, rec.times, strict=False)
        if isinstance(e, ev.PromptDue)
    ]
    assert times == [pytest.approx(5.0), pytest.approx(95.0)]
    # A prompt at the activity's start comes right after its start cue.
    i = rec.events.index(prompts[0])
    before = rec.events[i - 1]
    assert isinstance(before, ev.CueFired) and before.cue.event == "start"
    assert "Keep a steady pace" in rec.said()
    assert "halfway" in [f.cue.event for f in rec.cues()]


def test_voice_off_says_nothing_but_prompts_still_come(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(
        """\
        title: Quiet
        defaults:
          voice: false
        steps:
          - name: Easy cycling
            duration: 10s
            prompts: [{at: 2, say: Keep going}]
        """
    )
    session, clock, rec = setup(timeline)
    play(session, clock)
    assert rec.of(ev.Say) == []
    assert len(rec.of(ev.PromptDue)) == 1


def test_includes_play_the_included_steps(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    calf = """\
        title: Calf
        id: calf
        defaults:
          prepare: 2s
        steps:
          - name: Calf stretch
            hold: 5s
            sides: [left, right]
            switch: 1s
        """
    timeline = make_timeline(
        """\
        title: Evening
        steps:
          - include: calf
            repeat: 2
          - name: Loosen your sheets
          - include: calf.yaml
        """,
        others={"calf.yaml": calf},
    )
    session, clock, rec = setup(timeline)
    play(session, clock)
    assert [e.step.name for e in rec.of(ev.StepStarted)] == ["Calf stretch"] * 2 + [
        "Loosen your sheets",
        "Calf stretch",
    ]
    assert [f.cue for f in rec.cues()] == list(timeline.cues)
    assert session.state().steps_done == 4
    assert session.state().elapsed_active == pytest.approx(3 * 13.0)


# -- stopping, listeners --------------------------------------------------------------


def test_stop_ends_now_and_freezes_the_state(example: Timeline) -> None:
    session, clock, rec = setup(example)
    session.start()
    run_until(session, clock, 50.0)
    session.stop()
    ended, last = rec.events[-2:]
    assert isinstance(ended, ev.StepEnded) and last == ev.Ended("stopped")
    assert (ended.index, ended.skipped, ended.seconds) == (0, True, pytest.approx(50.0))
    clock.advance(100)
    state = session.state()
    assert state.status == "stopped"
    assert state.elapsed_active == pytest.approx(50.0)
    assert state.routine_elapsed == pytest.approx(50.0)
    assert session.next_deadline() is None


def test_stop_before_start_ends_without_a_step(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    session.stop()
    session.start()  # a stopped session stays stopped
    assert rec.events == [ev.Ended("stopped")]
    assert session.status == "stopped"


def test_a_listener_may_call_commands_and_events_stay_in_order(example: Timeline) -> None:
    session, _clock, rec = setup(example)
    seen: list[str] = []

    def skipper(event: ev.Event) -> None:
        seen.append(type(event).__name__)
        if isinstance(event, ev.StepStarted) and event.index == 0:
            session.next_step()

    session.add_listener(skipper)
    session.start()
    assert seen[:3] == ["StepStarted", "SegmentStarted", "CueFired"]
    assert session.state().step_index == 1
    assert [e.index for e in rec.of(ev.StepStarted)] == [0, 1]
    session.remove_listener(skipper)
    session.next_step()
    assert seen.count("StepStarted") == 2
