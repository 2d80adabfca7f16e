"""The format's newer optional keys: urgent, side, phases, and the manual and phase cues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from stretch_coach.routine import RoutineError, StepKind, load_routine
from stretch_coach.routine.library import Library
from stretch_coach.routine.model import CUE_EVENTS, DEFAULT_CUES, SHIPPED_SOUNDS, Phase, Sound, Step
from stretch_coach.routine.spec import json_schema
from stretch_coach.timeline import step_length

Writer = Callable[..., Path]
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def problems(path: Path) -> list[str]:
    with pytest.raises(RoutineError) as err:
        load_routine(path)
    return [str(p) for p in err.value.problems]


def test_cue_events_and_their_default_sounds_follow_the_format_page() -> None:
    assert CUE_EVENTS == (
        "prepare",
        "start",
        "rep",
        "phase",
        "countdown",
        "halfway",
        "switch",
        "end",
        "manual",
        "finish",
    )
    assert dict(DEFAULT_CUES) == {
        "prepare": "beep",
        "start": "go",
        "rep": "tock",
        "phase": "tick",
        "countdown": "tick",
        "halfway": "beep",
        "switch": "switch",
        "end": "chime",
        "manual": "beep",
        "finish": "finish",
    }
    assert SHIPPED_SOUNDS == ("beep", "tick", "tock", "go", "chime", "switch", "finish")


def test_urgent(write: Writer) -> None:
    assert load_routine(write("a.yaml", "title: T\nsteps: [{name: a}]\n")).urgent is False
    routine = load_routine(write("b.yaml", "title: T\nurgent: true\nsteps: [{name: a}]\n"))
    assert routine.urgent is True
    path = write("c.yaml", "title: T\nurgent: soon\nsteps: [{name: a}]\n")
    assert problems(path) == [f"{path}:2:9: urgent: expected true or false, got text"]


def test_one_side_takes_no_switch_and_no_time(write: Writer) -> None:
    routine = load_routine(
        write(
            "r.yaml",
            "title: T\nsteps:\n  - {name: Calf, hold: 30, reps: 2, rest: 10, side: right}\n"
            "  - {name: Calf, hold: 30, reps: 2, rest: 10}\n",
        )
    )
    one, plain = routine.steps
    assert isinstance(one, Step) and isinstance(plain, Step)
    assert one.side == "right" and one.sides == () and one.side_count == 1
    assert step_length(one) == step_length(plain) == 5 + 2 * 30 + 10


def test_side_and_sides_together_are_refused(write: Writer) -> None:
    path = write("r.yaml", "title: T\nsteps:\n  - {name: a, hold: 3, sides: [l, r], side: l}\n")
    assert problems(path) == [
        f"{path}:3:39: steps[1].side: give 'side' (one side: side: right) or 'sides' "
        "(each in turn), not both"
    ]


def test_phases_make_a_repetition(write: Writer, tmp_path: Path) -> None:
    (tmp_path / "down.wav").write_bytes(b"RIFF")
    routine = load_routine(
        write(
            "r.yaml",
            """
            title: Heel drops
            cues: {phase: chime, manual: none}
            steps:
              - name: Eccentric heel drops
                reps: 15
                sets: 3
                set_rest: 1m
                side: left
                phases:
                  - {say: lift, time: 1s}
                  - {say: lower, time: 3s, sound: down.wav}
            """,
        )
    )
    (step,) = routine.steps
    assert isinstance(step, Step)
    assert step.kind is StepKind.PACED and step.tempo == 4.0 and step.side == "left"
    assert step.phases == (
        Phase("lift", 1.0),
        Phase("lower", 3.0, Sound("down.wav", (tmp_path / "down.wav").resolve())),
    )
    assert step_length(step) == 5 + 3 * (15 * 4) + 2 * 60
    assert routine.cues == {"phase": Sound("chime"), "manual": Sound("none")}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            "{name: a, reps: 5, tempo: 4, phases: [{say: up, time: 1}, {say: down, time: 3}]}",
            "steps[1].phases: cannot be combined with 'tempo': a step has one kind",
        ),
        (
            "{name: a, phases: [{say: up, time: 1}, {say: down, time: 3}]}",
            "steps[1].phases: paced reps need 'reps' as well as 'phases'",
        ),
        ("{name: a, reps: 5, phases: [{say: up, time: 1}]}", "steps[1].phases: needs at least 2"),
        (
            "{name: a, reps: 5, phases: [{say: a, time: 1}, {say: b, time: 1}, {say: c, time: 1},"
            " {say: d, time: 1}, {say: e, time: 1}]}",
            "steps[1].phases: takes at most 4 items",
        ),
        (
            "{name: a, reps: 5, phases: [{say: up, time: 0s}, {say: down}]}",
            "steps[1].phases[1].time: must be more than 0 seconds",
        ),
        (
            "{name: a, reps: 5, phases: [{say: up, time: 1}, {time: 1, sound: bep}]}",
            "steps[1].phases[2].say: required, but missing",
        ),
        (
            "{name: a, hold: 5, phases: [{say: up, time: 1}, {say: b, time: 1}]}",
            "steps[1].phases: cannot be combined with 'hold'",
        ),
    ],
)
def test_phase_faults(write: Writer, step: str, message: str) -> None:
    found = problems(write("r.yaml", f"title: T\nsteps:\n  - {step}\n"))
    assert any(message in line for line in found), found


def test_new_sounds_and_events_reach_the_plan(write: Writer, tmp_path: Path) -> None:
    write(
        "r.yaml",
        "title: T\ncues: {manual: chime}\nsteps:\n  - {name: a, reps: 3, tempo: 2}\n"
        "  - {name: b, cues: {phase: none}}\n",
    )
    plan = Library.from_paths([tmp_path]).find("r").plan
    assert [
        (str(p.sounds["rep"]), str(p.sounds["manual"]), str(p.sounds["phase"])) for p in plan
    ] == [
        ("tock", "chime", "tick"),
        ("tock", "chime", "none"),
    ]


VALID = [
    "title: T\nurgent: true\nsteps: [{name: a, hold: 30, side: right}]\n",
    "title: T\ncues: {manual: none, phase: tock}\nsteps:\n"
    "  - {name: a, reps: 10, phases: "
    "[{say: lift, time: 1s}, {say: lower, time: 3s, sound: tock}]}\n",
]
FAULTS = [
    "title: T\nurgent: 1\nsteps: [{name: a}]\n",
    "title: T\nsteps: [{name: a, hold: 3, side: l, sides: [l, r]}]\n",
    "title: T\nsteps: [{name: a, reps: 3, tempo: 2, "
    "phases: [{say: a, time: 1}, {say: b, time: 1}]}]\n",
    "title: T\nsteps: [{name: a, phases: [{say: a, time: 1}, {say: b, time: 1}]}]\n",
    "title: T\nsteps: [{name: a, reps: 3, phases: [{say: a, time: 1}]}]\n",
    "title: T\nsteps: [{name: a, reps: 3, phases: [{say: a, time: 0}, {say: b, time: 1}]}]\n",
    "title: T\nsteps: [{name: a, reps: 3, phases: [{say: a, time: 1}, {say: b, time: 1, x: 1}]}]\n",
]


@pytest.mark.parametrize("text", VALID)
def test_schema_and_loader_accept(text: str, write: Writer) -> None:
    VALIDATOR.validate(yaml.safe_load(text))
    load_routine(write("r.yaml", text))


@pytest.mark.parametrize("text", FAULTS)
def test_schema_and_loader_refuse(text: str, write: Writer) -> None:
    assert not VALIDATOR.is_valid(yaml.safe_load(text))
    with pytest.raises(RoutineError):
        load_routine(write("r.yaml", text))
