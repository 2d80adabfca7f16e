"""The routine file format (version 1): durations, model, loader, schema, library.

See ``docs/routine-format.md`` for the authors' guide and
``../shared/routine-format.md`` for the contract this package implements.
"""

from stretch_coach.routine.errors import Problem, RoutineError
from stretch_coach.routine.loader import load_routine
from stretch_coach.routine.model import Include, Routine, Sound, Step, StepKind

__all__ = [
    "Include",
    "Problem",
    "Routine",
    "RoutineError",
    "Sound",
    "Step",
    "StepKind",
    "load_routine",
]
