"""Next part and back a part: a side or a set at a time, beside the whole-step skip."""

from __future__ import annotations

import pytest

from stretch_coach.engine import events as ev
from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import BACK_RESTARTS_AFTER, Session
from stretch_coach.timeline import Timeline

START = 1000.0
#: The worked example's first step: get-ready 5 s, left side to 75 s, then switch and right.
RIGHT_SIDE = 75.0
#: Its get-ready, and the switch of sides before the right side.
PREPARE = 5.0
SWITCH = 5.0


def setup(timeline: Timeline) -> tuple[Session, FakeClock, list[ev.Event]]:
    clock = FakeClock(START)
    events: list[ev.Event] = []
    return Session(timeline, clock, listeners=[events.append]), clock, events


def run_to(session: Session, clock: FakeClock, position: float) -> None:
    while session.state().routine_elapsed < position - 1e-9:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(min(deadline, clock.now() + position - session.state().routine_elapsed))
        session.update()


@pytest.fixture
def example(make_timeline: object, example_yaml: str) -> Timeline:
    return make_timeline(example_yaml)  # type: ignore[operator,no-any-return]


def test_next_part_ends_the_side_and_lands_on_the_switch(example: Timeline) -> None:
    session, clock, events = setup(example)
    session.start()
    run_to(session, clock, 20.0)
    session.next_part()
    state = session.state()
    assert state.step_index == 0 and state.segment is not None
    assert state.segment.kind == "switch" and state.side == "right"
    assert state.routine_elapsed == pytest.approx(RIGHT_SIDE)
    assert [e for e in events if isinstance(e, ev.StepEnded)] == []  # the step goes on
    # In the switch nothing of the right side is done yet: next part begins its work.
    session.next_part()
    state = session.state()
    assert state.step_index == 0 and state.segment is not None
    assert state.segment.kind == "hold" and state.side == "right" and state.rep == 1
    assert state.routine_elapsed == pytest.approx(RIGHT_SIDE + SWITCH)
    # In its work, the right side is the step's last part: next part ends the step, as skipped.
    session.next_part()
    state = session.state()
    assert state.step_index == 1 and state.routine_elapsed == pytest.approx(150.0)
    assert [(e.index, e.skipped) for e in events if isinstance(e, ev.StepEnded)] == [(0, True)]


def test_next_part_in_the_switch_cuts_it_short_and_loses_no_side(example: Timeline) -> None:
    """The trial's case: n to cut "Switch sides: right, 5 s" short, by ear."""
    session, clock, events = setup(example)
    session.start()
    run_to(session, clock, RIGHT_SIDE + 1.0)  # a second into the switch
    assert session.state().segment.kind == "switch"  # type: ignore[union-attr]
    assert session.part_opening()
    session.next_part()
    state = session.state()
    assert (state.segment.kind, state.side, state.rep) == ("hold", "right", 1)  # type: ignore[union-attr]
    assert not session.part_opening()
    starts = [e.cue.event for e in events if isinstance(e, ev.CueFired)][-1:]
    assert starts == ["start"]  # the right side's hold begins with its own tone
    run_to(session, clock, 150.0)  # the right side played to its end
    ended = [e for e in events if isinstance(e, ev.StepEnded)]
    # The step is done, not skipped, and took the 4 s of switch less than planned.
    assert [(e.index, e.skipped) for e in ended] == [(0, False)]
    assert ended[0].seconds == pytest.approx(150.0 - 4.0)
    assert session.state().step_index == 1


def test_next_part_in_the_get_ready_begins_the_first_side(example: Timeline) -> None:
    session, _clock, events = setup(example)
    session.start()
    assert session.part_opening()  # the get-ready opens the left side
    session.next_part()
    state = session.state()
    assert (state.segment.kind, state.side, state.rep) == ("hold", "left", 1)  # type: ignore[union-attr]
    assert state.routine_elapsed == pytest.approx(PREPARE)
    assert [e for e in events if isinstance(e, ev.StepEnded)] == []


def test_next_part_in_a_rest_between_holds_still_ends_the_side(example: Timeline) -> None:
    """A rest between two holds is part of the side's work: there, the side ends."""
    session, clock, _events = setup(example)
    session.start()
    run_to(session, clock, PREPARE + 31.0)  # in the rest after the left side's first hold
    assert session.state().segment.kind == "rest"  # type: ignore[union-attr]
    assert not session.part_opening()
    session.next_part()
    state = session.state()
    assert (state.segment.kind, state.side) == ("switch", "right")  # type: ignore[union-attr]


def test_next_part_of_a_one_part_step_is_the_whole_step(example: Timeline) -> None:
    one, _clock, _events = setup(example)
    other, _clock2, _events2 = setup(example)
    for session in (one, other):
        session.start()
        session.next_step()  # to the heel raises: one part, after its get-ready
    one.next_part()  # in the get-ready: the reps begin
    assert one.state().segment.kind == "rep" and one.state().step_index == 1  # type: ignore[union-attr]
    one.next_part()  # in the reps: the one part ends, so the step does
    other.next_step()
    assert one.state().step_index == other.state().step_index == 2
    assert one.state().routine_elapsed == other.state().routine_elapsed


def test_back_a_part_restarts_it_later_and_goes_back_early(example: Timeline) -> None:
    session, clock, _events = setup(example)
    session.start()
    run_to(session, clock, RIGHT_SIDE + BACK_RESTARTS_AFTER + 2.0)
    session.previous_part()  # well into the right side: its start again
    assert session.state().routine_elapsed == pytest.approx(RIGHT_SIDE)
    assert session.state().side == "right"
    clock.advance(1.0)
    session.update()
    session.previous_part()  # a quick second press: the left side, from its get-ready
    state = session.state()
    assert state.routine_elapsed == 0.0 and state.side == "left" and state.step_index == 0


def test_back_a_part_from_a_steps_start_goes_to_the_last_part_before(example: Timeline) -> None:
    session, _clock, events = setup(example)
    session.start()
    session.next_step()
    session.previous_part()
    state = session.state()
    assert state.step_index == 0 and state.side == "right"
    assert state.routine_elapsed == pytest.approx(RIGHT_SIDE)
    assert [e.index for e in events if isinstance(e, ev.StepStarted)] == [0, 1, 0]


def test_back_a_part_in_the_first_part_restarts_it(example: Timeline) -> None:
    session, clock, _events = setup(example)
    session.start()
    run_to(session, clock, 1.0)
    session.previous_part()
    assert session.state().routine_elapsed == 0.0 and session.state().step_index == 0


def test_sets_are_parts(make_timeline: object) -> None:
    timeline = make_timeline(  # type: ignore[operator]
        "title: S\nsteps:\n  - name: Raises\n    hold: 10s\n    sets: 2\n"
        "    set_rest: 20s\n    prepare: 0\n"
    )
    session, clock, _events = setup(timeline)
    session.start()
    run_to(session, clock, 4.0)
    session.next_part()
    state = session.state()
    assert state.set == 2 and state.segment is not None and state.segment.kind == "set_rest"
    assert state.routine_elapsed == pytest.approx(10.0)
    session.next_part()  # the rest between sets cut short: set 2's hold begins
    state = session.state()
    assert state.set == 2 and state.segment is not None and state.segment.kind == "hold"
    assert state.routine_elapsed == pytest.approx(30.0)
    session.next_part()  # in set 2's hold: the last part ends, and the routine with it
    assert session.status == "finished"


REST_BETWEEN = """\
title: R
steps:
  - name: Calf hold
    hold: 10s
    prepare: 0
  - rest: 30s
  - name: Heel hold
    hold: 10s
    prepare: 0
"""


def test_next_part_cuts_a_rest_step_short_and_it_counts_as_done(make_timeline: object) -> None:
    """A rest step is a pause: cutting it short with n is not skipping it (s still is)."""
    timeline = make_timeline(REST_BETWEEN)  # type: ignore[operator]
    session, clock, events = setup(timeline)
    session.start()
    run_to(session, clock, 14.0)  # 4 s into the rest
    session.next_part()
    state = session.state()
    assert (state.step_index, state.routine_elapsed) == (2, pytest.approx(40.0))
    ended = [(e.index, e.skipped, e.seconds) for e in events if isinstance(e, ev.StepEnded)]
    assert ended == [(0, False, pytest.approx(10.0)), (1, False, pytest.approx(4.0))]
    assert (state.steps_done, state.steps_skipped) == (2, 0)

    skipping, clock2, events2 = setup(timeline)
    skipping.start()
    run_to(skipping, clock2, 14.0)
    skipping.next_step()
    assert [(e.index, e.skipped) for e in events2 if isinstance(e, ev.StepEnded)] == [
        (0, False),
        (1, True),
    ]


def _spoken(example: Timeline) -> tuple[Session, FakeClock, list[ev.Event]]:
    from stretch_coach.engine.speech import plan_speech

    clock = FakeClock(START)
    events: list[ev.Event] = []
    plan = plan_speech(example, sound_seconds=lambda _sound: 0.3)
    return Session(example, clock, listeners=[events.append], speech=plan), clock, events


def test_a_switch_cut_short_still_names_the_side_before_its_first_tone(
    example: Timeline,
) -> None:
    """By ear: the side's name is placed late in its switch; n early must not lose it."""
    from stretch_coach.engine.speech import GUARD

    session, clock, events = _spoken(example)
    [planned] = [p for p in session.speech.phrases if p.text == "Right side"]
    assert planned.at > RIGHT_SIDE + 0.2  # not yet said just into the switch
    session.start()
    run_to(session, clock, RIGHT_SIDE + 0.2)
    del events[:]
    session.next_part()
    said = [e for e in events if isinstance(e, ev.Say)]
    assert [(e.text, e.kind) for e in said] == [("Right side", "side")]
    assert [e for e in events if isinstance(e, ev.CueFired)] == []  # the tone waits for it
    wait = planned.length + GUARD
    assert session.next_deadline() == pytest.approx(clock.now() + wait)
    run_to(session, clock, RIGHT_SIDE + SWITCH + 0.5)
    fired = [e.cue.event for e in events if isinstance(e, ev.CueFired)]
    assert fired[0] == "start"
    assert [e.text for e in events if isinstance(e, ev.Say)].count("Right side") == 1


def test_a_switch_cut_short_after_the_side_is_named_says_it_once_and_starts_now(
    example: Timeline,
) -> None:
    session, clock, events = _spoken(example)
    [planned] = [p for p in session.speech.phrases if p.text == "Right side"]
    session.start()
    run_to(session, clock, planned.end + 0.01)  # said, the switch not yet over
    assert session.state().segment.kind == "switch"  # type: ignore[union-attr]
    session.next_part()
    run_to(session, clock, RIGHT_SIDE + SWITCH + 0.5)
    assert [e.text for e in events if isinstance(e, ev.Say)].count("Right side") == 1
    started = [e for e in events if isinstance(e, ev.CueFired) and e.cue.event == "start"]
    assert started[-1].cue.side == "right"
