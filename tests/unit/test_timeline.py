"""The timeline against the format's Timeline and Cues sections."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretch_coach.routine.model import DEFAULT_CUES, PlannedStep, Sound, Step, StepKind
from stretch_coach.timeline import build_timeline, step_length


def plan(*steps: Step) -> list[PlannedStep]:
    return [PlannedStep(s, {e: Sound(n) for e, n in DEFAULT_CUES.items()}, "r") for s in steps]


def cues(*steps: Step) -> list[tuple[str, float]]:
    return [(c.event, c.at) for c in build_timeline(plan(*steps)).cues]


def test_format_page_example_totals_185_seconds() -> None:
    timeline = build_timeline(
        plan(
            Step(
                StepKind.HOLD,
                "Wall calf stretch",
                hold=30,
                reps=2,
                rest=10,
                set_rest=10,
                sides=("left", "right"),
            ),
            Step(StepKind.PACED, "Heel raises", reps=10, tempo=3),
            Step(StepKind.MANUAL, "Loosen your sheets"),
        )
    )
    assert timeline.total == 185
    assert timeline.untimed_steps == 1
    assert [(s.kind, s.start, s.duration, s.side, s.rep) for s in timeline.segments[:7]] == [
        ("prepare", 0, 5, "left", None),
        ("hold", 5, 30, "left", 1),
        ("rest", 35, 10, "left", 1),
        ("hold", 45, 30, "left", 2),
        ("switch", 75, 5, "right", None),
        ("hold", 80, 30, "right", 1),
        ("rest", 110, 10, "right", 1),
    ]
    last = timeline.segments[-1]
    assert (last.kind, last.start, last.duration) == ("manual", 185, None)
    assert timeline.cues[-1].event == "finish" and timeline.cues[-1].at == 185


def test_hold_cues_in_order() -> None:
    assert cues(Step(StepKind.HOLD, "h", hold=5, reps=2, rest=4, prepare=4)) == [
        ("prepare", 0),
        ("countdown", 1),
        ("countdown", 2),
        ("countdown", 3),
        ("start", 4),
        ("countdown", 6),
        ("countdown", 7),
        ("countdown", 8),
        ("end", 9),
        ("countdown", 10),
        ("countdown", 11),
        ("countdown", 12),
        ("start", 13),
        ("countdown", 15),
        ("countdown", 16),
        ("countdown", 17),
        ("end", 18),
        ("finish", 18),
    ]


def test_short_segments_get_no_countdown_and_zero_pauses_take_no_time() -> None:
    assert cues(Step(StepKind.HOLD, "h", hold=3, reps=2, rest=0, prepare=0)) == [
        ("start", 0),
        ("end", 3),
        ("start", 3),
        ("end", 6),
        ("finish", 6),
    ]


def test_paced_reps_start_then_rep_then_end() -> None:
    assert cues(Step(StepKind.PACED, "p", reps=3, tempo=2, prepare=0)) == [
        ("start", 0),
        ("rep", 2),
        ("rep", 4),
        ("end", 6),
        ("finish", 6),
    ]


def test_paced_reps_end_every_side_and_set() -> None:
    step = Step(
        StepKind.PACED, "p", reps=2, tempo=2, prepare=0, sides=("l", "r"), switch=1, sets=2,
        set_rest=3,
    )  # fmt: skip
    assert cues(step) == [
        ("start", 0),
        ("rep", 2),
        ("end", 4),
        ("switch", 4),
        ("start", 5),
        ("rep", 7),
        ("end", 9),
        ("start", 12),
        ("rep", 14),
        ("end", 16),
        ("switch", 16),
        ("start", 17),
        ("rep", 19),
        ("end", 21),
        ("finish", 21),
    ]


def test_rep_ticks_and_countdown_ticks_sound_different() -> None:
    timeline = build_timeline(plan(Step(StepKind.PACED, "p", reps=3, tempo=2, prepare=5)))
    sounds = {c.event: str(c.sound) for c in timeline.cues}
    assert (sounds["rep"], sounds["countdown"]) == ("tock", "tick")


def test_switch_pause_and_switch_of_zero() -> None:
    with_pause = cues(Step(StepKind.HOLD, "h", hold=2, sides=("l", "r"), switch=2, prepare=0))
    assert with_pause == [
        ("start", 0),
        ("end", 2),
        ("switch", 2),
        ("start", 4),
        ("end", 6),
        ("finish", 6),
    ]
    no_pause = cues(Step(StepKind.HOLD, "h", hold=2, sides=("l", "r"), switch=0, prepare=0))
    assert no_pause == [
        ("start", 0),
        ("end", 2),
        ("switch", 2),
        ("start", 2),
        ("end", 4),
        ("finish", 4),
    ]


def test_timed_activity_halfway_and_prompts() -> None:
    from stretch_coach.routine.model import Prompt

    step = Step(
        StepKind.TIMED,
        "cycle",
        duration=60,
        prepare=0,
        prompts=(Prompt(10, "easy"),),
        sets=2,
        set_rest=4,
    )
    timeline = build_timeline(plan(step))
    events = [(c.event, c.at) for c in timeline.cues]
    assert events[:6] == [
        ("start", 0),
        ("halfway", 30),
        ("countdown", 57),
        ("countdown", 58),
        ("countdown", 59),
        ("end", 60),
    ]
    assert ("start", 64) in events and ("halfway", 94) in events
    assert [(p.at, p.say) for p in timeline.prompts] == [(10, "easy"), (74, "easy")]
    assert cues(Step(StepKind.TIMED, "short", duration=59, prepare=0))[:2] == [
        ("start", 0),
        ("countdown", 56),
    ]


def test_rest_step_has_no_prepare_and_counts_down() -> None:
    assert cues(Step(StepKind.REST, "Rest", duration=5, prepare=5)) == [
        ("countdown", 2),
        ("countdown", 3),
        ("countdown", 4),
        ("finish", 5),
    ]


def test_untimed_steps_take_no_time_and_mark_sides() -> None:
    timeline = build_timeline(
        plan(Step(StepKind.COUNTED, "walk", reps=20, sides=("l", "r"), sets=2, prepare=5, switch=5))
    )
    assert timeline.total == 0
    assert [(s.kind, s.side, s.set, s.duration, s.reps) for s in timeline.segments] == [
        ("counted", "l", 1, None, 20),
        ("counted", "r", 1, None, 20),
        ("counted", "l", 2, None, 20),
        ("counted", "r", 2, None, 20),
    ]
    # The step announces its start once ("manual"); later sides are marked by "switch".
    assert [(c.event, c.segment, str(c.sound)) for c in timeline.cues] == [
        ("manual", 0, "beep"),
        ("switch", 1, "switch"),
        ("switch", 3, "switch"),
        ("finish", None, "finish"),
    ]


def test_a_manual_step_announces_its_start() -> None:
    timeline = build_timeline(plan(Step(StepKind.MANUAL, "loosen", prepare=5)))
    assert [(c.event, c.at, c.segment) for c in timeline.cues] == [
        ("manual", 0, 0),
        ("finish", 0, None),
    ]


def test_silent_cues_are_still_events() -> None:
    step = Step(StepKind.HOLD, "h", hold=2, prepare=0)
    planned = [
        PlannedStep(
            step, {**{e: Sound(n) for e, n in DEFAULT_CUES.items()}, "start": Sound("none")}, "r"
        )
    ]
    timeline = build_timeline(planned, finish=Sound("chime"))
    assert [(c.event, str(c.sound)) for c in timeline.cues] == [
        ("start", "none"),
        ("end", "chime"),
        ("finish", "chime"),
    ]


durations = st.one_of(
    st.just(0.0), st.integers(1, 90).map(float), st.floats(0.5, 20).map(lambda x: round(x, 1))
)
work = st.one_of(st.integers(1, 90).map(float), st.floats(0.5, 20).map(lambda x: round(x, 1)))


@st.composite
def steps(draw: st.DrawFn) -> Step:
    kind = draw(st.sampled_from(list(StepKind)))
    sides = draw(st.sampled_from([(), ("left", "right"), ("a", "b", "c")]))
    common = {
        "name": "s",
        "sides": sides,
        "sets": draw(st.integers(1, 4)),
        "rest": draw(durations),
        "set_rest": draw(durations),
        "switch": draw(durations),
        "prepare": draw(durations),
    }
    if kind is StepKind.HOLD:
        return Step(kind, hold=draw(work), reps=draw(st.integers(1, 6)), **common)
    if kind is StepKind.PACED:
        return Step(kind, reps=draw(st.integers(1, 12)), tempo=draw(work), **common)
    if kind is StepKind.TIMED:
        return Step(kind, duration=draw(work), **common)
    if kind is StepKind.REST:
        return Step(kind, duration=draw(work), **common)
    if kind is StepKind.COUNTED:
        return Step(kind, reps=draw(st.integers(1, 30)), **common)
    return Step(kind, **common)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps(), min_size=1, max_size=6))
def test_closed_formulas_equal_the_sum_of_segments(routine: list[Step]) -> None:
    timeline = build_timeline(plan(*routine))
    formula_total = 0.0
    for index, step in enumerate(routine):
        expected = step_length(step)
        segs = timeline.step_segments(index)
        if expected is None:
            assert all(s.duration is None for s in segs)
            assert len(segs) == step.sets * step.side_count
        else:
            assert math.isclose(sum(s.duration for s in segs), expected, abs_tol=1e-6)
            formula_total += expected
    assert math.isclose(timeline.total, formula_total, abs_tol=1e-6)
    assert timeline.untimed_steps == sum(1 for s in routine if not s.kind.timed)
    # Segments tile the timed axis: each starts where the previous ended.
    t = 0.0
    for seg in timeline.segments:
        assert math.isclose(seg.start, t, abs_tol=1e-6)
        assert seg.duration is None or seg.duration > 0
        t = seg.end
    # Cues are in time order, inside their segment, and the last is the finish.
    ats = [c.at for c in timeline.cues]
    assert ats == sorted(ats)
    for cue in timeline.cues[:-1]:
        seg = timeline.segments[cue.segment]
        assert seg.start - 1e-6 <= cue.at <= seg.end + 1e-6
    assert timeline.cues[-1].event == "finish" and math.isclose(
        timeline.cues[-1].at, timeline.total
    )


@pytest.mark.parametrize("hold", [4.0, 3.9])
def test_countdown_threshold_is_four_seconds(hold: float) -> None:
    events = [e for e, _ in cues(Step(StepKind.HOLD, "h", hold=hold, prepare=0))]
    assert ("countdown" in events) is (hold >= 4)
