"""Program files: which routine to do over the weeks, and how its doses change.

A program is a file like a routine whose top level has ``program`` instead of
``steps`` (the format page, section Programs). This module reads one (the
keys, their types and ranges, located problems like a routine's) and knows
what a change may do to a step; the library resolves each stage's routine
and applies the changes (:mod:`stretch_coach.routine.stages`), because a
routine's id can only be looked up in a library.

The keys are declared once, as :class:`~stretch_coach.routine.spec.Field`
tables, so the loader and the JSON Schema cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from stretch_coach.routine import spec
from stretch_coach.routine.durations import shorten
from stretch_coach.routine.model import Step, StepKind
from stretch_coach.routine.spec import INVALID, Context, Field, Integer, Kind
from stretch_coach.routine.yamlread import Mark, YMap

#: Most stages a program may have (a year of weekly stages).
MAX_STAGES = 52
#: Most weeks one stage may last.
MAX_STAGE_WEEKS = 52
#: The days one program day runs over: from 03:00 to 03:00 local time, so a
#: session at 00:30 belongs to the evening before.
DAY_STARTS_AT_HOUR = 3

After = Literal["keep", "stop"]


@dataclass(frozen=True)
class Schedule:
    """How often a program's routine is due.

    Attributes:
        per: ``"day"`` or ``"week"``.
        count: how many sessions per day (1..4) or per week (1..7).
    """

    per: Literal["day", "week"] = "day"
    count: int = 1

    @property
    def text(self) -> str:
        """As the format writes it: ``daily``, ``3 per week``, ``2 per day``."""
        if self.per == "day" and self.count == 1:
            return "daily"
        return f"{self.count} per {self.per}"

    @property
    def per_week(self) -> int:
        """Sessions due in a whole week."""
        return self.count * 7 if self.per == "day" else self.count

    def due_on(self, day_of_week: int) -> int:
        """Sessions due on the ``day_of_week``-th day (0..6) of a program week.

        ``N per week`` spreads its N sessions as evenly as whole days allow,
        from the week's first day: session ``i`` (0..N-1) falls on day
        ``floor(i * 7 / N)``. So 1 per week is due on the week's first day,
        3 per week on days 1, 3 and 5, 7 per week every day.
        """
        if self.per == "day":
            return self.count
        return sum(1 for i in range(self.count) if (i * 7) // self.count == day_of_week)


SCHEDULE_PATTERN = r"^ *(daily|[1-7] +per +week|[1-4] +per +day) *$"
_SCHEDULE_RE = re.compile(SCHEDULE_PATTERN)


class ScheduleKind(Kind):
    """``daily``, ``N per week`` (1..7) or ``N per day`` (1..4)."""

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        text = value if isinstance(value, str) else None
        found = _SCHEDULE_RE.match(text) if text is not None else None
        if found is None:
            shown = repr(value) if isinstance(value, str) else spec.describe(value)
            return ctx.problem(
                mark,
                key,
                f"{shorten(shown)} is not a schedule: write daily, 'N per week' "
                "(N from 1 to 7) or 'N per day' (N from 1 to 4)",
            )
        words = found.group(1).split()
        if words[0] == "daily":
            return Schedule()
        return Schedule("week" if words[2] == "week" else "day", int(words[0]))

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SCHEDULE_PATTERN}


class AfterKind(Kind):
    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if value not in ("keep", "stop"):
            shown = repr(value) if isinstance(value, str) else spec.describe(value)
            return ctx.problem(
                mark,
                key,
                f"{shorten(shown)}: write keep (the last stage goes on) or stop "
                "(the program is complete after its last stage)",
            )
        return value

    def schema(self) -> dict[str, Any]:
        return {"enum": ["keep", "stop"]}


#: The dose keys a change may set, with the same types and limits as in a step.
DOSE_FIELDS = [
    Field("hold", spec.WORK, "hold step: how long each hold lasts"),
    Field("reps", Integer(1, 500), "holds, paced or counted repetitions"),
    Field("sets", Integer(1, 50), "repeat the whole step"),
    Field("rest", spec.PAUSE, "pause between holds and between sets; a rest step's length"),
    Field("set_rest", spec.PAUSE, "pause between sets"),
    Field("tempo", spec.WORK, "paced reps (with tempo): seconds per repetition"),
    Field("duration", spec.WORK, "timed activity: how long it lasts"),
    Field("prepare", spec.PAUSE, "get-ready countdown"),
    Field("switch", spec.PAUSE, "pause while changing sides"),
]
DOSE_KEYS: tuple[str, ...] = tuple(f.name for f in DOSE_FIELDS)
DOSES = spec.Mapping(DOSE_FIELDS)

#: Which step kinds take each dose key, and why the others do not: a change
#: never changes a step's kind, and never sets what the kind has no use for.
_TAKES: Mapping[str, frozenset[StepKind]] = MappingProxyType(
    {
        "hold": frozenset({StepKind.HOLD}),
        "reps": frozenset({StepKind.HOLD, StepKind.PACED, StepKind.COUNTED}),
        "tempo": frozenset({StepKind.PACED}),
        "duration": frozenset({StepKind.TIMED}),
        "rest": frozenset(StepKind),
        **{
            name: frozenset(StepKind) - {StepKind.REST}
            for name in ("sets", "set_rest", "prepare", "switch")
        },
    }
)


def dose_refusal(step: Step, key: str, value: float | int) -> str | None:
    """Why the change ``key: value`` cannot apply to ``step`` (``None``: it can)."""
    kind = step.kind
    if key == "tempo" and step.phases:
        return (
            "this paced-reps step gives its repetitions' phases; a change cannot set "
            "tempo on it (change reps or sets instead)"
        )
    if kind in _TAKES[key]:
        if kind is StepKind.REST and key == "rest" and value <= 0:
            return "a rest step's length must be more than 0 seconds"
        return None
    what = f"a {kind.value} step" if kind is not StepKind.REST else "a rest step"
    if kind is StepKind.REST:
        return f"{what} takes only 'rest' (its length)"
    if key == "tempo" and kind is StepKind.COUNTED:
        return (
            "tempo would make these counted reps paced reps; a change never changes a step's kind"
        )
    if key in ("reps", "hold", "tempo", "duration"):
        takes = sorted(k for k, kinds in _TAKES.items() if kind in kinds)
        return (
            f"{what} cannot take {key!r} (a change never changes a step's kind); "
            f"it takes {', '.join(takes)}"
        )
    return f"{what} cannot take {key!r}"


def apply_doses(step: Step, doses: Mapping[str, float | int]) -> Step:
    """``step`` as if written with ``doses`` (already checked with :func:`dose_refusal`).

    The rules of the format apply as to a step written that way: a change of
    ``rest`` is also the pause between sets unless the step (or this change)
    gives its own ``set_rest``; a rest step's ``rest`` is its length.
    """
    values: dict[str, Any] = {}
    for key, value in doses.items():
        if key == "rest" and step.kind is StepKind.REST:
            values["duration"] = float(value)
        elif key in ("reps", "sets"):
            values[key] = int(value)
        else:
            values[key] = float(value)
    if (
        "rest" in doses
        and step.kind is not StepKind.REST
        and "set_rest" not in doses
        and "set_rest" not in step.written
    ):
        values["set_rest"] = float(doses["rest"])
    return replace(step, **values)


@dataclass(frozen=True)
class StepChange:
    """A stage's change to every step of one name.

    Attributes:
        name: the step's name, exactly as written.
        doses: dose key -> value (durations in seconds).
        mark: where the name is written; ``marks``: where each dose key is.
        key: where in the program, e.g. ``program.stages[1].change.Wall calf stretch``.
    """

    name: str
    doses: Mapping[str, float | int]
    mark: Mark
    marks: Mapping[str, Mark]
    key: str


@dataclass(frozen=True)
class Stage:
    """One stage of a program: a routine done for some weeks, with changes."""

    weeks: int
    routine: str  #: an id in the library, or a path relative to the program file
    changes: tuple[StepChange, ...]
    mark: Mark  #: where the stage starts
    routine_mark: Mark  #: where its routine is named
    key: str  #: e.g. ``program.stages[2]``


@dataclass(frozen=True)
class Program:
    """A program file as written."""

    id: str
    title: str
    stages: tuple[Stage, ...]
    path: Path | None = None
    schedule: Schedule = Schedule()
    after: After = "keep"
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    source: str | None = None
    caution: tuple[str, ...] = ()

    @property
    def weeks(self) -> int:
        """How many weeks its stages last, together."""
        return sum(stage.weeks for stage in self.stages)


@dataclass(frozen=True)
class ProgramRef:
    """What a session played from a program records: the program, the week and the stage."""

    program_id: str
    week: int  #: from 1
    stage: int  #: from 1


class ChangeMap(Kind):
    """A stage's ``change``: step name -> mapping of dose keys."""

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, YMap):
            return ctx.problem(
                mark,
                key,
                f"expected a mapping of step name: doses, got {spec.describe(value)}; "
                "e.g. 'Wall calf stretch: {hold: 45s}'",
            )
        if not value:
            return ctx.problem(mark, key, "names no step; give 'step name: {dose: value}'")
        out: list[StepChange] = []
        ok = True
        for name in value:
            where = f"{key}.{name}"
            doses = value[name]
            checked = spec.TEXT.check(ctx, name, value.key_marks[name], where)
            if checked is INVALID:
                ok = False
                continue
            if isinstance(doses, YMap) and not doses:
                ok = False
                ctx.problem(value.value_marks[name], where, f"no dose to change; give {_KEYS}")
                continue
            result = spec.check_value(ctx, DOSES, value, name, where)
            if result is INVALID:
                ok = False
                continue
            out.append(
                StepChange(
                    name=name,
                    doses=MappingProxyType(dict(result)),
                    mark=value.key_marks[name],
                    marks=MappingProxyType(dict(doses.key_marks)),
                    key=where,
                )
            )
        return tuple(out) if ok else INVALID

    def schema(self) -> dict[str, Any]:
        doses = DOSES.schema()
        doses["minProperties"] = 1
        return {"type": "object", "minProperties": 1, "additionalProperties": doses}


_KEYS = ", ".join(DOSE_KEYS)

STAGE_FIELDS = [
    Field(
        "weeks",
        Integer(1, MAX_STAGE_WEEKS),
        f"how many weeks the stage lasts (1 to {MAX_STAGE_WEEKS})",
        required=True,
    ),
    Field(
        "routine",
        spec.TEXT,
        "the routine done in this stage: an id in the library or a path relative to "
        "this file (not a program)",
        required=True,
    ),
    Field(
        "change",
        ChangeMap(),
        f"doses for this stage: step name -> mapping of {_KEYS}",
    ),
]
STAGE = spec.Mapping(STAGE_FIELDS)

PROGRAM = spec.Mapping(
    [
        Field(
            "schedule",
            ScheduleKind(),
            "how often the routine is due: daily (default), 'N per week' (1..7) or "
            "'N per day' (1..4)",
        ),
        Field(
            "stages",
            spec.ListOf(STAGE, min_items=1, max_items=MAX_STAGES),
            f"1 to {MAX_STAGES} stages, consecutive from week 1",
            required=True,
        ),
        Field(
            "after",
            AfterKind(),
            "what follows the last stage: keep (default; the last stage goes on) or stop",
        ),
    ]
)

#: Top-level keys of a routine that a program may not have, and why.
_ROUTINE_ONLY = {
    "steps": "a file has 'steps' (a routine) or 'program' (a program), not both; "
    "a program's stages name the routines to do",
    "defaults": "a program has no 'defaults'; set doses in a stage's 'change'",
    "cues": "a program has no 'cues'; sounds belong to its routines",
    "urgent": "a program has no 'urgent'; only a routine is for use in the moment",
}

PROGRAM_TOP = spec.Mapping(
    [
        *(f for f in spec.TOP.fields.values() if f.name not in _ROUTINE_ONLY),
        Field("program", PROGRAM, "the program: its schedule, stages and after", required=True),
    ]
)


def is_program(root: object) -> bool:
    """Whether a file's top-level mapping is a program's (it has ``program``)."""
    return isinstance(root, YMap) and "program" in root


def parse_program(root: YMap, ctx: Context, path: Path | None = None) -> Program | None:
    """Validate a file's top-level mapping as a program; problems go to ``ctx``.

    Returns:
        The program, or ``None`` if any problem was found.
    """
    ok = True
    for name, message in _ROUTINE_ONLY.items():
        if name in root:
            ok = False
            ctx.problem(root.key_marks[name], name, message)
    known = _without(root, *_ROUTINE_ONLY)
    ok = PROGRAM_TOP.check_keys(ctx, known, "") and ok
    values: dict[str, Any] = {}
    for name in known:
        spec_field = PROGRAM_TOP.fields.get(name)
        if spec_field is None:
            continue
        values[name] = spec.check_value(ctx, spec_field.kind, known, name, name)
        ok = ok and values[name] is not INVALID
    program_id = values.get("id")
    if program_id is None and path is not None:
        program_id = path.stem
        if not re.match(spec.SLUG_PATTERN, program_id):
            ok = False
            ctx.problem(
                root.mark,
                "id",
                f"the file name {path.stem!r} is not a valid id; add a line such as "
                "'id: my-program' or rename the file",
            )
    if not ok or ctx.problems:
        return None
    body = values["program"]
    raw_stages = known["program"]["stages"]
    stages = tuple(
        _stage(checked, raw_stages[i], raw_stages.item_marks[i], f"program.stages[{i + 1}]")
        for i, checked in enumerate(body["stages"])
    )
    return Program(
        id=program_id or "program",
        title=values["title"],
        stages=stages,
        path=path,
        schedule=body.get("schedule", Schedule()),
        after=body.get("after", "keep"),
        summary=values.get("summary"),
        description=values.get("description"),
        tags=values.get("tags", ()),
        author=values.get("author"),
        source=values.get("source"),
        caution=values.get("caution", ()),
    )


def _stage(checked: Mapping[str, Any], raw: YMap, mark: Mark, key: str) -> Stage:
    return Stage(
        weeks=checked["weeks"],
        routine=checked["routine"],
        changes=checked.get("change", ()),
        mark=mark,
        routine_mark=raw.value_marks["routine"],
        key=key,
    )


def _without(value: YMap, *names: str) -> YMap:
    out = YMap(value.mark)
    for name in value:
        if name in names:
            continue
        out[name] = value[name]
        out.key_marks[name] = value.key_marks[name]
        out.value_marks[name] = value.value_marks[name]
        if name in value.raws:
            out.raws[name] = value.raws[name]
    return out


def program_schema() -> dict[str, Any]:
    """The JSON Schema of a program file's top level (see :func:`spec.json_schema`)."""
    return PROGRAM_TOP.schema()


def changes_json(changes: tuple[StepChange, ...]) -> dict[str, dict[str, float | int]]:
    """A stage's changes as ``show --json`` gives them: ``{"STEP": {"hold": 20.0}}``.

    Durations are in seconds; ``reps`` and ``sets`` are whole numbers.
    """
    return {
        change.name: {
            key: (int(value) if key in ("reps", "sets") else float(value))
            for key, value in change.doses.items()
        }
        for change in changes
    }
