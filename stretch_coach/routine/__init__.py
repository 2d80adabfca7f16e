"""The routine file format (version 1): durations, model, loader, schema, library.

See ``docs/routine-format.md`` for the authors' guide: the format this
package implements.

Names are imported lazily, so that importing :mod:`stretch_coach.routine.errors`
(which the CLI does on every start) does not pay for the loader.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Problem": "stretch_coach.routine.errors",
    "RoutineError": "stretch_coach.routine.errors",
    "load_routine": "stretch_coach.routine.loader",
    "Include": "stretch_coach.routine.model",
    "Routine": "stretch_coach.routine.model",
    "Sound": "stretch_coach.routine.model",
    "Step": "stretch_coach.routine.model",
    "StepKind": "stretch_coach.routine.model",
}

__all__ = [*_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
