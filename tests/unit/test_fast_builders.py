"""The loader's and the library's quick builders make what the dataclasses would."""

from __future__ import annotations

import dataclasses

from stretch_coach.routine.model import PlannedStep, Sound, Step, StepKind, planned_step


def test_planned_step_builds_what_the_dataclass_would() -> None:
    step = Step(kind=StepKind.HOLD, name="Calf", hold=30.0)
    sounds = {"start": Sound("go")}
    built, plain = planned_step(step, sounds, "calf"), PlannedStep(step, sounds, "calf")
    assert built == plain and repr(built) == repr(plain)
    assert (built.step, built.sounds, built.routine_id) == (step, sounds, "calf")
    assert built.kind is StepKind.HOLD and built.name == "Calf"
    assert vars(built) == {f.name: getattr(plain, f.name) for f in dataclasses.fields(plain)}
