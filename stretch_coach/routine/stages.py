"""A program in a library: each stage's routine found, its changes applied and checked.

A stage's routine is resolved like an include (an id in the library, or a
path relative to the program file inside its folder), and must be a valid
routine, not a program. Each change names steps anywhere in that routine,
includes expanded, and sets doses the named steps' kind can take; the stage
then plays (and totals) its routine's planned steps with the changes
applied, through the same timeline as any routine.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from stretch_coach.routine.errors import Problem, RoutineError
from stretch_coach.routine.folders import ROUTINE_SUFFIXES
from stretch_coach.routine.model import MAX_SEGMENTS, PlannedStep, step_segments
from stretch_coach.routine.program import (
    Program,
    ProgramRef,
    Stage,
    apply_doses,
    dose_refusal,
)

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry, Library


@dataclass(frozen=True)
class StagePlan:
    """One stage, resolved: the weeks it covers and what it plays.

    Attributes:
        number: the stage's number, from 1.
        first_week, last_week: the program weeks it covers (from 1, both included).
        stage: the stage as written.
        routine: the routine's library entry, as written.
        entry: the entry a session of this stage plays: the routine with the
            changes applied, and the program's cautions before the routine's.
    """

    number: int
    first_week: int
    last_week: int
    stage: Stage
    routine: Entry
    entry: Entry

    @property
    def weeks(self) -> tuple[int, int]:
        return self.first_week, self.last_week


@dataclass
class ProgramEntry:
    """One program file in the library, valid or not (like a routine's :class:`Entry`)."""

    path: Path
    shown: str
    origin: str
    program: Program | None = None
    load_problems: tuple[Problem, ...] = ()
    plan_problems: tuple[Problem, ...] = ()
    stages: tuple[StagePlan, ...] = field(default=(), repr=False)

    kind = "program"

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(sorted(self.load_problems + self.plan_problems))

    @property
    def valid(self) -> bool:
        return self.program is not None and not self.problems

    @property
    def id(self) -> str:
        return self.program.id if self.program else self.path.stem

    @property
    def title(self) -> str:
        return self.program.title if self.program else self.path.name

    @property
    def tags(self) -> tuple[str, ...]:
        return self.program.tags if self.program else ()

    @property
    def weeks(self) -> int:
        return self.program.weeks if self.program else 0

    def stage_for_week(self, week: int) -> StagePlan | None:
        """The stage done in program week ``week`` (from 1).

        After the last stage, the last stage goes on (``after: keep``), or
        nothing is due (``after: stop``: ``None``). Before week 1: ``None``.
        """
        if not self.valid or week < 1:
            return None
        for stage in self.stages:
            if stage.first_week <= week <= stage.last_week:
                return stage
        assert self.program is not None
        return self.stages[-1] if self.program.after == "keep" else None

    def session_entry(self, week: int) -> Entry | None:
        """The entry a session in week ``week`` plays, marked with the program, week
        and stage for the history; ``None`` when nothing is due that week."""
        stage = self.stage_for_week(week)
        if stage is None:
            return None
        return replace(stage.entry, program=ProgramRef(self.id, week, stage.number))


def resolve(library: Library, entry: ProgramEntry) -> None:
    """Resolve ``entry``'s stages in ``library``; problems go to ``entry.plan_problems``."""
    program = entry.program
    if program is None or entry.problems:
        return
    problems: list[Problem] = []
    stages: list[StagePlan] = []
    week = 1
    for number, stage in enumerate(program.stages, start=1):
        found = _stage(library, entry, program, stage, number, week, problems)
        if found is not None:
            stages.append(found)
        week += stage.weeks
    if problems:
        entry.plan_problems = tuple(problems)
    else:
        entry.stages = tuple(stages)


def _stage(
    library: Library,
    entry: ProgramEntry,
    program: Program,
    stage: Stage,
    number: int,
    week: int,
    problems: list[Problem],
) -> StagePlan | None:
    shown = entry.shown

    def fail(line: int, column: int, key: str, message: str) -> None:
        problems.append(Problem(shown, line, column, key, message))

    mark = stage.routine_mark
    where = f"{stage.key}.routine"
    routine_entry = _find_routine(library, entry, stage.routine)
    if isinstance(routine_entry, str):
        fail(mark.line, mark.column, where, routine_entry)
        return None
    if routine_entry is None or getattr(routine_entry, "kind", None) == "program":
        fail(
            mark.line,
            mark.column,
            where,
            f"{stage.routine!r} is a program; a stage names a routine",
        )
        return None
    if not routine_entry.valid:
        first = routine_entry.problems[0] if routine_entry.problems else "it cannot be read"
        fail(mark.line, mark.column, where, f"{stage.routine!r} is invalid: {first}")
        return None
    plan = list(routine_entry.plan)
    names = {p.step.name for p in plan}
    for change in stage.changes:
        if change.name not in names:
            near = difflib.get_close_matches(change.name, sorted(names), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            fail(
                change.mark.line,
                change.mark.column,
                change.key,
                f"no step of {routine_entry.id!r} is named {change.name!r}; "
                f"{hint}its steps are: {', '.join(sorted(names))}",
            )
            continue
        ok = True
        for key, value in change.doses.items():
            for planned in plan:
                if planned.step.name != change.name:
                    continue
                refusal = dose_refusal(planned.step, key, value)
                if refusal is not None:
                    at = change.marks.get(key, change.mark)
                    fail(at.line, at.column, f"{change.key}.{key}", refusal)
                    ok = False
                    break
        if not ok:
            continue
        plan = [
            replace(p, step=apply_doses(p.step, change.doses)) if p.step.name == change.name else p
            for p in plan
        ]
    if problems:
        return None
    if sum(step_segments(p.step) for p in plan) > MAX_SEGMENTS:
        fail(
            stage.mark.line,
            stage.mark.column,
            stage.key,
            f"with its changes, the routine is longer than the {MAX_SEGMENTS} timed parts "
            "a routine may have; lower the reps or sets",
        )
        return None
    return StagePlan(
        number=number,
        first_week=week,
        last_week=week + stage.weeks - 1,
        stage=stage,
        routine=routine_entry,
        entry=_stage_entry(routine_entry, tuple(plan), program),
    )


def _stage_entry(routine_entry: Entry, plan: tuple[PlannedStep, ...], program: Program) -> Entry:
    """The routine's entry playing ``plan``, with the program's cautions before its own."""
    lines: dict[str, str] = {}
    for line in (*program.caution, *routine_entry.cautions):
        lines.setdefault(" ".join(line.split()), line)
    cautions = tuple(lines.values())
    routine = routine_entry.routine
    assert routine is not None
    return replace(
        routine_entry,
        routine=replace(routine, caution=cautions),
        plan=plan,
        cautions=cautions,
    )


def _find_routine(library: Library, entry: ProgramEntry, target: str) -> Entry | str | None:
    """The entry a stage names; a message when there is none, ``None`` for a program."""
    if target.lower().endswith(ROUTINE_SUFFIXES) or "/" in target or os.sep in target:
        folder = entry.path.parent.resolve()
        path = (folder / target).resolve()
        if os.path.isabs(target) or not path.is_relative_to(folder):
            return f"{target!r} is outside this program's folder; keep its routines beside it"
        known = library.at_path(path)
        if known is not None:
            return None if isinstance(known, ProgramEntry) else known
        from stretch_coach.routine.library import Library, read_file

        found = read_file(path, "file", str(entry.path.parent / target))
        if isinstance(found, ProgramEntry):
            return None
        if not path.exists():
            return f"no routine file {target!r} beside this program"
        library.read_files.add(path)
        return Library([found], fallback=library).entries[0]
    if library.get_program(target) is not None and library.get(target) is None:
        return None
    found_entry = library.get(target)
    if found_entry is None:
        near = difflib.get_close_matches(target, library.ids(), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return f"no routine with id {target!r} in the library{hint}"
    return found_entry


def changes_text(stage: StagePlan) -> str:
    """What a stage changes, in words: ``Wall calf stretch: hold 45 s, rest 5 s``."""
    from stretch_coach.routine.durations import format_seconds

    parts = []
    for change in stage.stage.changes:
        doses = ", ".join(
            f"{key} {value}" if key in ("reps", "sets") else f"{key} {format_seconds(value)}"
            for key, value in change.doses.items()
        )
        parts.append(f"{change.name}: {doses}")
    return "; ".join(parts) if parts else "as written"


def stage_changes(stage: StagePlan) -> Mapping[str, Mapping[str, float | int]]:
    """The stage's changes, step name -> dose key -> value."""
    return {change.name: change.doses for change in stage.stage.changes}


def find_program(library: Library, ref: str) -> ProgramEntry:
    """The valid program a user named (an id, or a path to a program file).

    Raises:
        UserError: when there is no such program.
        RoutineError: when it is invalid.
    """
    from stretch_coach.errors import UserError

    found = library.find_any(ref)
    if not isinstance(found, ProgramEntry):
        raise UserError(f"{ref!r} is a routine, not a program; 'stretch-coach list' shows both")
    return found


def program_problems(entry: ProgramEntry) -> tuple[Problem, ...]:
    """Everything wrong with a program entry (empty when valid)."""
    return entry.problems


def check_valid(entry: ProgramEntry) -> None:
    """Raise the entry's problems if it is invalid."""
    if not entry.valid:
        raise RoutineError(entry.problems)
