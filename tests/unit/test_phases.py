"""Phases within a repetition and one-sided steps, after the loader.

Against the format page's sections "Phases within a repetition", "Cues" and
"One-sided steps": the timeline's cues, the session's current phase, the cue
log, the voice, and the words of ``show``, the plain runner and the screen.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretch_coach.cli import main
from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.cue_log import CueLog
from stretch_coach.engine.session import Session
from stretch_coach.engine.speech import (
    GUARD,
    PHASE,
    Phrase,
    SpeechPlan,
    plan_speech,
    speech_texts,
)
from stretch_coach.plain import PlainView, status_line
from stretch_coach.routine.model import DEFAULT_CUES, Phase, PlannedStep, Sound, Step, StepKind
from stretch_coach.timeline import (
    SegmentKind,
    Timeline,
    build_timeline,
    phase_at,
    phase_times,
    step_length,
)
from stretch_coach.words import segment_label, segment_where, step_work

LIFT_LOWER = (Phase("lift", 1.0), Phase("lower", 3.0, Sound("tock")))


def plan(*steps: Step) -> list[PlannedStep]:
    return [PlannedStep(s, {e: Sound(n) for e, n in DEFAULT_CUES.items()}, "r") for s in steps]


def drops(**kw: object) -> Step:
    """Eccentric heel drops: lift 1 s, lower 3 s (its own sound, tock)."""
    fields: dict[str, object] = {"reps": 2, "tempo": 4.0, "prepare": 0.0, "phases": LIFT_LOWER}
    fields.update(kw)
    return Step(StepKind.PACED, "Heel drops", **fields)  # type: ignore[arg-type]


# -- the timeline ------------------------------------------------------------------------


def test_each_repetition_sounds_its_phases_and_each_side_and_set_starts_with_start() -> None:
    step = drops(sides=("l", "r"), switch=1.0, sets=2, set_rest=2.0)
    timeline = build_timeline(plan(step))
    got = [(c.event, c.at, str(c.sound), c.side, c.rep, c.set, c.phase) for c in timeline.cues]
    expected: list[tuple[str, float, str, str | None, int | None, int | None, str | None]] = []
    t = 0.0
    for set_ in (1, 2):
        if set_ == 2:
            t += 2  # set rest of 2 s: under 4 s, no countdown
        for side in ("l", "r"):
            if side == "r":
                expected.append(("switch", t, "switch", "r", None, set_, None))
                t += 1
            for rep in (1, 2):
                event, sound = ("start", "go") if rep == 1 else ("rep", "tock")
                expected.append((event, t, sound, side, rep, set_, "lift"))
                expected.append(("phase", t + 1, "tock", side, rep, set_, "lower"))
                t += 4
            expected.append(("end", t, "chime", side, 2, set_, None))
    expected.append(("finish", 36.0, "finish", None, None, None, None))
    assert got == expected
    # Totals unchanged: T is the sum of the phases, P + S(kNT + (k-1)W) + (S-1)SR.
    assert timeline.total == step_length(step) == 0 + 2 * (2 * 2 * 4 + 1 * 1) + 1 * 2 == 36


def test_a_phase_sound_wins_over_the_routines_and_start_keeps_its_own(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(
        """\
        title: T
        cues: {start: chime, rep: beep, phase: switch}
        steps:
          - name: Heel drops
            reps: 2
            prepare: 0
            phases:
              - {say: lift, time: 1s, sound: tick}
              - {say: lower, time: 2s}
              - {say: pause, time: 1s, sound: none}
        """
    )
    assert [(c.event, c.at, str(c.sound), c.phase) for c in timeline.cues] == [
        ("start", 0.0, "chime", "lift"),  # each side and set starts with start, as written
        ("phase", 1.0, "switch", "lower"),  # cues.phase, where the phase has no sound
        ("phase", 3.0, "none", "pause"),  # a silent phase is still an event
        ("rep", 4.0, "tick", "lift"),  # the first phase's own sound wins over cues.rep
        ("phase", 5.0, "switch", "lower"),
        ("phase", 7.0, "none", "pause"),
        ("end", 8.0, "chime", None),
        ("finish", 8.0, "finish", None),
    ]
    assert timeline.total == 8


def test_without_phases_nothing_changes() -> None:
    timeline = build_timeline(plan(Step(StepKind.PACED, "p", reps=3, tempo=2, prepare=0)))
    assert [(c.event, c.at, c.phase) for c in timeline.cues] == [
        ("start", 0, None),
        ("rep", 2, None),
        ("rep", 4, None),
        ("end", 6, None),
        ("finish", 6, None),
    ]


def test_one_side_is_named_takes_no_switch_and_adds_no_time() -> None:
    one = build_timeline(plan(drops(side="right", sets=2, set_rest=5.0, prepare=5.0)))
    none = build_timeline(plan(drops(sets=2, set_rest=5.0, prepare=5.0)))
    assert one.total == none.total == 5 + 2 * 8 + 5
    assert [(s.kind, s.start, s.duration) for s in one.segments] == [
        (s.kind, s.start, s.duration) for s in none.segments
    ]
    assert SegmentKind.SWITCH not in {s.kind for s in one.segments}
    assert {(s.side, s.side_index, s.sides) for s in one.segments} == {("right", 1, 1)}
    assert [c.event for c in one.cues] == [c.event for c in none.cues]
    assert {c.side for c in one.cues if c.event != "finish"} == {"right"}


@pytest.mark.parametrize(
    ("elapsed", "index"),
    [(0.0, 0), (0.5, 0), (0.9999, 0), (1.0 - 1e-7, 1), (1.0, 1), (3.99, 1), (4.0, 1)],
)
def test_phase_at_a_moment_of_a_repetition(elapsed: float, index: int) -> None:
    # At a boundary (or a microsecond short of it, where the cue fires) the next phase shows.
    assert phase_at(drops(), elapsed) == index


def test_a_tempo_set_apart_from_the_phases_keeps_their_proportions() -> None:
    # A program's dose change may set tempo on a step with phases: they fill it still.
    step = drops(tempo=8.0)
    assert phase_times(step) == (2.0, 6.0) and phase_times(drops()) == (1.0, 3.0)
    cues = build_timeline(plan(step)).cues
    assert [(c.event, c.at) for c in cues] == [
        ("start", 0.0),
        ("phase", 2.0),
        ("rep", 8.0),
        ("phase", 10.0),
        ("end", 16.0),
        ("finish", 16.0),
    ]
    assert phase_at(step, 1.9) == 0 and phase_at(step, 2.0) == 1


def test_phase_at_without_phases_is_none() -> None:
    assert phase_at(Step(StepKind.PACED, "p", reps=3, tempo=2), 1.0) is None


phase_lists = st.lists(
    st.tuples(
        st.sampled_from(["lift", "hold", "lower", "rest"]),
        st.one_of(st.integers(1, 5).map(float), st.floats(0.1, 4).map(lambda x: round(x, 2))),
        st.sampled_from([None, "tick", "none", "go"]),
    ),
    min_size=2,
    max_size=4,
).map(lambda ps: tuple(Phase(say, time, Sound(s) if s else None) for say, time, s in ps))


@settings(max_examples=200, deadline=None)
@given(
    phases=phase_lists,
    reps=st.integers(1, 8),
    sides=st.sampled_from([(), ("left", "right"), ("a", "b", "c")]),
    side=st.sampled_from([None, "right"]),
    sets=st.integers(1, 3),
    pause=st.sampled_from([0.0, 1.0, 4.5]),
)
def test_phase_cues_follow_the_format_for_any_step(
    phases: tuple[Phase, ...],
    reps: int,
    sides: tuple[str, ...],
    side: str | None,
    sets: int,
    pause: float,
) -> None:
    tempo = sum(p.time for p in phases)
    step = Step(
        StepKind.PACED, "s", reps=reps, tempo=tempo, phases=phases, sides=sides,
        side=None if sides else side, sets=sets, set_rest=pause, switch=pause, prepare=pause,
    )  # fmt: skip
    timeline = build_timeline(plan(step))
    length = step_length(step)
    assert length is not None and math.isclose(timeline.total, length, abs_tol=1e-6)
    reps_segs = [s for s in timeline.segments if s.kind is SegmentKind.REP]
    assert len(reps_segs) == sets * step.side_count * reps
    phase_cues = [c for c in timeline.cues if c.event == "phase"]
    assert len(phase_cues) == len(reps_segs) * (len(phases) - 1)
    for seg in reps_segs:
        inside = [c for c in timeline.cues if c.segment == seg.index and c.event != "switch"]
        # start (each side and set) or rep, then phase at each later phase's start, then end.
        events = ["start" if seg.rep == 1 else "rep"] + ["phase"] * (len(phases) - 1)
        events += ["end"] if seg.rep == reps else []
        assert [c.event for c in inside] == events
        offset = 0.0
        for cue, phase in zip(inside, phases, strict=False):
            assert math.isclose(cue.at, seg.start + offset, abs_tol=1e-9)
            assert cue.phase == phase.say
            if cue.event == "start":
                assert str(cue.sound) == "go"
            elif phase.sound is not None:
                assert cue.sound == phase.sound
            else:
                assert str(cue.sound) == DEFAULT_CUES[cue.event]
            offset += phase.time
        assert math.isclose(seg.start + offset, seg.end, abs_tol=1e-9)
    ats = [c.at for c in timeline.cues]
    assert ats == sorted(ats)


# -- the session, the cue log --------------------------------------------------------------


def test_the_session_names_the_phase_under_way() -> None:
    timeline = build_timeline(plan(drops(prepare=2.0, side="right")))
    clock = FakeClock()
    session = Session(timeline, clock)
    assert session.state().phase is None  # not started
    session.start()
    seen = []
    for _ in range(int(10 / 0.25)):
        state = session.state()
        assert state.side == "right"
        seen.append((round(state.routine_elapsed, 2), state.phase))
        clock.advance(0.25)
        session.update()
    by_time = dict(seen)
    assert by_time[0.0] is None and by_time[1.75] is None  # the get-ready has no phase
    assert by_time[2.0] == by_time[2.75] == "lift"
    assert by_time[3.0] == by_time[5.75] == "lower"
    assert by_time[6.0] == "lift" and by_time[7.0] == by_time[9.75] == "lower"


def test_the_cue_log_records_each_phase(play: Callable[..., None]) -> None:
    timeline = build_timeline(plan(drops(side="left")))
    stream = io.StringIO()
    clock = FakeClock()
    play(Session(timeline, clock, listeners=[CueLog(stream)]), clock)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["event"], r["at"], r["phase"], r["side"], r["sound"]) for r in records] == [
        ("start", 0.0, "lift", "left", "go"),
        ("phase", 1.0, "lower", "left", "tock"),
        ("rep", 4.0, "lift", "left", "tock"),
        ("phase", 5.0, "lower", "left", "tock"),
        ("end", 8.0, None, "left", "chime"),
        ("finish", 8.0, None, None, "finish"),
    ]


# -- the voice -------------------------------------------------------------------------


def _no_overlap(speech: SpeechPlan, phrases: list[Phrase]) -> None:
    """No phrase overlaps a tone, and each ends a guard before the next tone."""
    for p in phrases:
        for start, end in speech.tones:
            assert p.end + GUARD <= start + 1e-9 or p.at >= end - 1e-9, (p, start, end)


def test_phase_names_are_spoken_in_their_phase_on_each_first_repetition() -> None:
    step = drops(reps=3, sides=("left", "right"), switch=5.0, sets=2, set_rest=10.0, prepare=5.0)
    timeline = build_timeline(plan(step))
    speech = plan_speech(timeline, phrase_seconds=lambda text: 0.5, sound_seconds=lambda s: 0.2)
    said = [p for p in speech.phrases if p.kind == PHASE]
    firsts = [s for s in timeline.segments if s.kind is SegmentKind.REP and s.rep == 1]
    assert len(firsts) == 4  # two sides, two sets
    assert [(p.text, p.segment) for p in said] == [
        (name, seg.index) for seg in firsts for name in ("lift", "lower")
    ]
    for p in said:
        seg = timeline.segments[p.segment]
        lo, hi = (seg.start, seg.start + 1) if p.text == "lift" else (seg.start + 1, seg.end)
        assert lo <= p.at and p.end <= hi  # within its own phase
    _no_overlap(speech, said)


def test_a_phase_too_short_for_its_name_is_only_shown() -> None:
    step = drops(phases=(Phase("up", 0.5), Phase("down slowly", 3.0)), tempo=3.5)
    timeline = build_timeline(plan(step))
    speech = plan_speech(timeline, phrase_seconds=lambda text: 0.45, sound_seconds=lambda s: 0.1)
    assert [p.text for p in speech.phrases if p.kind == PHASE] == ["down slowly"]
    assert speech.shortfalls == ()  # a phase's name is never a warning for the author


def test_no_voice_no_phase_names() -> None:
    timeline = build_timeline(plan(drops(voice=False)))
    assert plan_speech(timeline, sound_seconds=lambda s: 0.1).phrases == ()


def test_a_one_sided_step_is_named_with_its_side_once() -> None:
    step = drops(side="right leg", sets=3, set_rest=20.0, prepare=8.0)
    timeline = build_timeline(plan(step))
    speech = plan_speech(timeline, phrase_seconds=lambda text: 1.0, sound_seconds=lambda s: 0.1)
    lines = [(p.kind, p.text) for p in speech.phrases if p.kind != PHASE]
    assert lines == [("step", "Heel drops, right leg"), ("finish", "Well done")]
    assert {"Heel drops, right leg", "right leg", "lift", "lower"} <= set(speech_texts(timeline))


# -- words -----------------------------------------------------------------------------


def test_show_words_for_phases_and_one_side() -> None:
    (planned,) = plan(drops(reps=15, sets=3, set_rest=60.0, side="left"))
    assert step_work(planned) == (
        "15 reps of 4 s (lift 1 s, lower 3 s), left side only, 3 sets, 1 min rest between sets"
    )
    (hold,) = plan(Step(StepKind.HOLD, "Calf", hold=30, side="right"))
    assert step_work(hold) == "hold 30 s, right side only"


def test_segment_words_name_the_one_side_and_the_phase() -> None:
    timeline = build_timeline(plan(drops(side="right", prepare=0.0)))
    rep = timeline.segments[0]
    assert segment_where(rep) == "right side only · rep 1 of 2"
    assert segment_label(rep, "lower slowly") == "Lower slowly"
    assert segment_label(rep) == "Reps"


# -- the plain runner, show --------------------------------------------------------------

PHASED = """\
title: Achilles
defaults: {prepare: 2s}
steps:
  - name: Heel drops
    reps: 2
    sets: 2
    set_rest: 3s
    side: left
    phases:
      - {say: lift, time: 1s}
      - {say: lower slowly, time: 3s}
"""


def test_the_plain_runner_names_the_phases(
    make_timeline: Callable[..., Timeline], play: Callable[..., None]
) -> None:
    timeline = make_timeline(PHASED)
    clock = FakeClock()
    session = Session(timeline, clock)
    out = io.StringIO()
    session.add_listener(PlainView(session, out, live=False, terminal_keys=True))
    play(session, clock)
    assert out.getvalue().splitlines() == [
        "Get ready: Heel drops, left side, 2 s",
        "Heel drops, left side: 2 reps of 4 s (lift 1 s, lower slowly 3 s) (set 1/2)",
        "  lift",
        "  lower slowly",
        "Rest 3 s before set 2/2",
        "Heel drops, left side: 2 reps of 4 s (lift 1 s, lower slowly 3 s) (set 2/2)",
        "  lift",
        "  lower slowly",
        "Finished: 0:21 of 0:21",
    ]


def test_the_live_line_shows_the_phase(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(PHASED)
    clock = FakeClock()
    session = Session(timeline, clock)
    session.start()
    for _ in range(15):  # 3.5 s: the first repetition's second phase
        clock.advance(0.25)
        session.update()
    assert status_line(session.state()) == (
        "  Rep 1/2 lower slowly 0:03 · step 1/1 · 0:18 left · next: Rep 2 of 2"
    )


def test_show_describes_phases_and_the_side(
    write: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        "drops.yaml",
        """\
        title: Eccentric heel drops
        steps:
          - name: Eccentric heel drops
            instructions: Up on both feet, down on the left.
            reps: 15
            sets: 3
            set_rest: 1m
            side: left
            phases:
              - say: lift
                time: 1s
              - say: lower slowly
                time: 3s
                sound: tock
        """,
    )
    assert main(["show", str(path), "--full"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2:5] == [
        "  1. Eccentric heel drops - 15 reps of 4 s (lift 1 s, lower slowly 3 s), left side "
        "only, 3 sets, 1 min rest between sets  [5 min 5 s]",
        "       Up on both feet, down on the left.",
        "",
    ]
    assert main(["show", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_seconds"] == 305  # the format page's worked figure
    phases = [(c["event"], c["at"], c["phase"], c["sound"]) for c in doc["cues"][4:8]]
    assert phases == [
        ("start", 5.0, "lift", "go"),
        ("phase", 6.0, "lower slowly", "tock"),
        ("rep", 9.0, "lift", "tock"),
        ("phase", 10.0, "lower slowly", "tock"),
    ]
