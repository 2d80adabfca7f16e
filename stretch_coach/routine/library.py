"""A library of routines: folders of files, ids, and the includes between them.

The library is the bundled routines, the user's own folder, and any folders
from ``--library`` or ``STRETCH_COACH_LIBRARY``. An invalid file never hides
the valid ones: it is listed as an :class:`Entry` with its problems.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from stretch_coach.errors import UserError
from stretch_coach.routine.errors import Problem, RoutineError
from stretch_coach.routine.folders import ROUTINE_SUFFIXES, library_folders, routine_files
from stretch_coach.routine.loader import load_file, load_routine
from stretch_coach.routine.model import (
    CUE_EVENTS,
    DEFAULT_CUES,
    MAX_SEGMENTS,
    Include,
    PlannedStep,
    Routine,
    Sound,
    Step,
    planned_step,
    step_segments,
)
from stretch_coach.routine.program import Program, ProgramRef
from stretch_coach.routine.stages import ProgramEntry, resolve

#: Most steps a routine may expand to through its includes.
MAX_PLANNED_STEPS = 5000


@dataclass
class Entry:
    """One routine file in the library, valid or not."""

    path: Path
    shown: str  #: the file as messages name it
    origin: str  #: "bundled", "user" or "library"
    routine: Routine | None = None
    load_problems: tuple[Problem, ...] = ()  #: the file itself, or its id
    plan_problems: tuple[Problem, ...] = ()  #: its includes
    plan: tuple[PlannedStep, ...] = field(default=(), repr=False)
    #: Its cautions and those of its includes (see :func:`cautions_of`).
    cautions: tuple[str, ...] = field(default=(), repr=False)
    #: For a session of a program's stage: the program, week and stage it records.
    program: ProgramRef | None = field(default=None, repr=False)
    #: A program file that could not be read: listed here, among the routines, as
    #: the library cannot plan it (``validate`` still names it a program).
    program_file: bool = field(default=False, repr=False)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Everything wrong with it, in file order; empty when valid."""
        return tuple(sorted(self.load_problems + self.plan_problems))

    @property
    def valid(self) -> bool:
        return self.routine is not None and not self.problems

    @property
    def id(self) -> str:
        return self.routine.id if self.routine else self.path.stem

    @property
    def title(self) -> str:
        return self.routine.title if self.routine else self.path.name

    @property
    def tags(self) -> tuple[str, ...]:
        return self.routine.tags if self.routine else ()


class Library:
    """Routines by id, with includes resolved and checked.

    Args:
        entries: the routine files, in priority order (an id already taken by an
            earlier entry makes the later one invalid).
        fallback: another library consulted for include ids not found here.
    """

    def __init__(
        self, entries: Iterable[Entry | ProgramEntry], fallback: Library | None = None
    ) -> None:
        self.fallback = fallback
        #: The folders it was read from (with their origins), when read by
        #: :meth:`from_folders`: what to look at to know that it changed.
        self.folders: tuple[tuple[Path, str], ...] = ()
        self.entries: list[Entry] = []
        #: The program files, valid or not (see :mod:`stretch_coach.routine.stages`).
        self.programs: list[ProgramEntry] = []
        self._programs_by_id: dict[str, ProgramEntry] = {}
        self._by_id: dict[str, Entry] = {}
        self._invalid: dict[str, Entry] = {}  # unreadable files, by file name
        self._by_path: dict[Path, Entry | ProgramEntry] = {}
        #: Files read for includes, besides the entries' own (what the entries depend on).
        self.read_files: set[Path] = set()
        self._real: dict[Path, Path] = {}  # path -> its resolved path (each resolved once)
        self._real_folders: dict[str, str] = {}  # a file's folder -> its resolved path
        for entry in entries:
            if isinstance(entry, ProgramEntry):
                self._add_program(entry)
            else:
                self._add(entry)
        for entry in self.entries:
            self._plan(entry)
        for program in self.programs:
            resolve(self, program)

    # -- building ---------------------------------------------------------

    @classmethod
    def from_folders(
        cls, folders: Sequence[tuple[Path, str]], fallback: Library | None = None
    ) -> Library:
        """Read every ``*.yaml``/``*.yml`` file in ``folders`` (name, origin pairs)."""
        library = cls((e for folder, origin in folders for e in _scan(folder, origin)), fallback)
        library.folders = tuple(folders)
        return library

    @classmethod
    def from_paths(cls, paths: Sequence[Path], fallback: Library | None = None) -> Library:
        """A library of the given files and folders (what ``validate`` checks)."""
        entries: list[Entry | ProgramEntry] = []
        for path in paths:
            if path.is_dir():
                entries.extend(_scan(path, "library"))
            else:
                entries.append(read_file(path, "library", str(path)))
        return cls(entries, fallback)

    def _add_program(self, entry: ProgramEntry) -> None:
        key = self._resolved(entry.path)
        if key in self._by_path:
            return
        self._by_path[key] = entry
        self.programs.append(entry)
        if entry.program is None:
            return
        first = self._programs_by_id.get(entry.id) or self._by_id.get(entry.id)
        if first is not None:
            entry.load_problems += (
                Problem(
                    entry.shown,
                    1,
                    1,
                    "id",
                    f"id {entry.id!r} is already used by {first.shown}; "
                    "give one of them another id",
                ),
            )
            return
        self._programs_by_id[entry.id] = entry

    def _add(self, entry: Entry) -> None:
        key = self._resolved(entry.path)
        if key in self._by_path:
            return
        self._by_path[key] = entry
        self.entries.append(entry)
        if entry.routine is None:
            self._invalid.setdefault(entry.id, entry)
            return
        first: Entry | ProgramEntry | None = self._by_id.get(entry.id)
        first = first or self._programs_by_id.get(entry.id)
        if first is not None:
            entry.load_problems += (
                Problem(
                    entry.shown,
                    1,
                    1,
                    "id",
                    f"id {entry.id!r} is already used by {first.shown}; "
                    "give one of them another id",
                ),
            )
            return
        self._by_id[entry.id] = entry

    def _resolved(self, path: Path) -> Path:
        real = self._real.get(path)
        if real is None:  # realpath alone: Path.resolve() also stats the file
            real = self._real[path] = Path(self._realpath(path))
        return real

    def _realpath(self, path: Path) -> str:
        """``os.path.realpath(path)``, the folder's part worked out once per folder.

        A name that is not a symbolic link resolves to itself in its folder's
        resolved path (what realpath does for its last part), so a folder of a
        thousand files costs one ``lstat`` a file, not one for every part of its path.
        """
        # As text: a Path's parent is a new Path, and hashing one is slow.
        folder, name = os.path.split(os.fspath(path))
        if name in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real = self._real_folders.get(folder)
        if real is None:  # realpath("") is the working folder, as realpath(".")
            real = self._real_folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)

    def _plan(self, entry: Entry) -> None:
        if entry.routine is None or entry.problems:
            return
        try:
            entry.plan = tuple(self.expand(entry.routine, entry.shown))
            entry.cautions = self.cautions(entry.routine, entry.shown)
        except RoutineError as err:
            entry.plan_problems = err.problems

    # -- looking up -------------------------------------------------------

    def get(self, routine_id: str) -> Entry | None:
        """The entry with this id here, else in the fallback library.

        A file too broken to have an id is found by its file name, so that asking
        for it shows its problems instead of "no such routine".
        """
        entry = self._by_id.get(routine_id)
        if entry is None and self.fallback is not None:
            entry = self.fallback.get(routine_id)
        return entry or self._invalid.get(routine_id)

    def get_program(self, program_id: str) -> ProgramEntry | None:
        """The program with this id here, else in the fallback library."""
        found = self._programs_by_id.get(program_id)
        if found is None and self.fallback is not None:
            found = self.fallback.get_program(program_id)
        return found

    def program_ids(self) -> list[str]:
        ids = list(self._programs_by_id)
        if self.fallback is not None:
            ids += [i for i in self.fallback.program_ids() if i not in self._programs_by_id]
        return ids

    def at_path(self, path: Path) -> Entry | ProgramEntry | None:
        """The routine or program read from ``path`` (resolved), if this library read it."""
        return self._by_path.get(self._resolved(path))

    def find_any(self, ref: str) -> Entry | ProgramEntry:
        """The routine or program a user named: an id, or a path to a file.

        Raises:
            UserError: when nothing matches, with the nearest id as a hint.
            RoutineError: when it exists but is invalid.
        """
        as_path = Path(ref).expanduser()
        looks_like_path = ref.lower().endswith(ROUTINE_SUFFIXES) or os.sep in ref or "/" in ref
        found: Entry | ProgramEntry | None = None
        if looks_like_path or (
            as_path.is_file() and self.get(ref) is None and self.get_program(ref) is None
        ):
            if not as_path.exists():
                raise UserError(f"{ref}: no such routine file")
            found = self._by_path.get(as_path.resolve())
            if found is None:
                found = Library([read_file(as_path, "file", ref)], fallback=self).all_entries()[0]
        else:
            found = self.get_program(ref) or self.get(ref)
            if found is None:
                hint = _id_hint(ref, self.ids() + self.program_ids())
                raise UserError(
                    f"no routine {ref!r} in the library; {hint}'stretch-coach list' shows them all"
                )
        if not found.valid:
            raise RoutineError(found.problems)
        return found

    def all_entries(self) -> list[Entry | ProgramEntry]:
        """Every routine and program file, routines first."""
        return [*self.entries, *self.programs]

    def ids(self) -> list[str]:
        ids = list(self._by_id) + [i for i in self._invalid if i not in self._by_id]
        if self.fallback is not None:
            ids += [i for i in self.fallback.ids() if i not in self._by_id]
        return ids

    def find(self, ref: str) -> Entry:
        """The routine a user named: an id in the library, or a path to a file.

        Raises:
            UserError: when nothing matches, with the nearest id as a hint.
            RoutineError: when the routine exists but is invalid.
        """
        as_path = Path(ref).expanduser()
        looks_like_path = ref.lower().endswith(ROUTINE_SUFFIXES) or os.sep in ref or "/" in ref
        if looks_like_path or (as_path.is_file() and self.get(ref) is None):
            if not as_path.exists():
                raise UserError(f"{ref}: no such routine file")
            known = self._by_path.get(as_path.resolve())
            if isinstance(known, ProgramEntry) or (known is None and _is_program_file(as_path)):
                raise UserError(_IS_PROGRAM.format(ref=ref))
            entry = known or Library([_read(as_path, "file", ref)], fallback=self).entries[0]
        else:
            found = self.get(ref)
            if found is None and self.get_program(ref) is not None:
                raise UserError(_IS_PROGRAM.format(ref=ref))
            if found is None:
                hint = _id_hint(ref, self.ids())
                raise UserError(
                    f"no routine {ref!r} in the library; {hint}'stretch-coach list' shows them all"
                )
            entry = found
        if not entry.valid:
            raise RoutineError(entry.problems)
        return entry

    # -- includes ---------------------------------------------------------

    def expand(self, routine: Routine, shown: str) -> list[PlannedStep]:
        """The routine's steps with includes expanded and every cue sound decided.

        Sounds are chosen, for each event, from the step's own ``cues``, then its
        routine's ``cues``, then those of each routine that includes it (nearest
        first), then the format's defaults.

        Raises:
            RoutineError: for an include that is missing, invalid, escapes its
                folder, forms a cycle, or makes the routine too long.
        """
        problems: list[Problem] = []
        size = self._count(routine, shown, (), problems, {})
        if problems:
            raise RoutineError(problems)
        if size > MAX_PLANNED_STEPS:
            raise RoutineError(
                [
                    Problem(
                        shown,
                        1,
                        1,
                        "steps",
                        f"expands to {size} steps through its includes; "
                        f"the most a routine may have is {MAX_PLANNED_STEPS}",
                    )
                ]
            )
        out: list[PlannedStep] = []
        segments = 0
        layers = (routine.cues,)
        base = _sounds_of(layers)
        for index, step in enumerate(routine.steps):
            # The timeline's own bound, by its closed formula: what the timeline
            # would refuse is refused here, at the step that passes it.
            if isinstance(step, Step):
                # _expand_step's own case, inlined: this runs for every step
                sounds = {**base, **step.cues} if step.cues else base
                out.append(planned_step(step, sounds, routine.id))
                segments += step_segments(step)
            else:
                before = len(out)
                self._expand_step(step, routine, shown, layers, out, base)
                segments += sum(step_segments(p.step) for p in out[before:])
            if segments > MAX_SEGMENTS:
                raise RoutineError([_too_long(shown, index, step)])
        return out

    def cautions(self, routine: Routine, shown: str) -> tuple[str, ...]:
        """The routine's own caution lines, then each included routine's, each line once.

        Included routines are taken in step order, each with its own includes
        (recursively), so a routine that includes the step stretch keeps its
        balance warning. Lines equal after collapsing white space count as one;
        the first one's wording is kept.

        Raises:
            RoutineError: for an include that cannot be resolved (as :meth:`expand`).
        """
        lines: dict[str, str] = {}
        self._walk_cautions(routine, shown, lines, set())
        return tuple(lines.values())

    def _walk_cautions(
        self, routine: Routine, shown: str, lines: dict[str, str], done: set[Path | str]
    ) -> None:
        # A method, not a function nested in cautions() that calls itself: that
        # would be a reference cycle (function, cell, function) holding the
        # library, left for the garbage collector once per routine.
        key: Path | str = self._resolved(routine.path) if routine.path else routine.id
        if key in done:  # included twice, or a cycle: its lines are in already
            return
        done.add(key)
        for line in routine.caution:
            lines.setdefault(" ".join(line.split()), line)
        for step in routine.steps:
            if isinstance(step, Include):
                self._walk_cautions(*self._resolve(step, routine, shown), lines, done)

    def _resolve(self, inc: Include, routine: Routine, shown: str) -> tuple[Routine, str]:
        """Find the routine an include names; raise RoutineError located at the include."""

        def fail(message: str) -> RoutineError:
            return RoutineError([Problem(shown, inc.line, inc.column, inc.key, message)])

        target = inc.target
        if target.lower().endswith(ROUTINE_SUFFIXES) or "/" in target or os.sep in target:
            if routine.path is None:
                raise fail("a path can only be included from a routine file")
            folder = routine.path.parent.resolve()
            path = (folder / target).resolve()
            if os.path.isabs(target) or not path.is_relative_to(folder):
                raise fail(
                    f"{target!r} is outside this routine's folder; keep included files beside it"
                )
            known = self._by_path.get(path)
            if isinstance(known, ProgramEntry):
                raise fail(f"{target!r} is a program; an include names a routine")
            if known is None:
                self.read_files.add(path)
            entry = known or _read(path, "file", str(routine.path.parent / target))
        else:
            found = self.get(target)
            if found is None:
                near = difflib.get_close_matches(target, self.ids(), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise fail(f"no routine with id {target!r} in the library{hint}")
            entry = found
        # Only the included file's own faults stop us here: a fault in *its*
        # includes (a cycle through us, say) is found and reported on the way down.
        if entry.load_problems or entry.routine is None:
            raise fail(f"{target!r} ({entry.shown}) is invalid: {entry.load_problems[0]}")
        return entry.routine, entry.shown

    def _count(
        self,
        routine: Routine,
        shown: str,
        stack: tuple[Path | str, ...],
        problems: list[Problem],
        memo: dict[Path | str, int],
    ) -> int:
        """Count the steps ``routine`` expands to, checking every include on the way.

        A fault deeper down (a cycle, a missing routine) is reported at the
        include in *this* file that leads to it, so each file's messages point
        into that file.
        """
        key: Path | str = self._resolved(routine.path) if routine.path else routine.id
        if key in memo:
            return memo[key]
        stack = (*stack, key)
        total = 0
        for step in routine.steps:
            if isinstance(step, Step):
                total += 1
                continue

            def fail(message: str, step: Include = step) -> None:
                problems.append(Problem(shown, step.line, step.column, step.key, message))

            try:
                target, target_shown = self._resolve(step, routine, shown)
            except RoutineError as err:
                problems.extend(err.problems)
                continue
            target_key = self._resolved(target.path) if target.path else target.id
            if target_key in stack:
                names = [_name(k) for k in (*stack[stack.index(target_key) :], target_key)]
                fail(f"includes form a cycle: {' -> '.join(names)}")
                continue
            inner: list[Problem] = []
            total += step.repeat * self._count(target, target_shown, stack, inner, memo)
            if inner:
                fail(inner[0].message)
            if total > MAX_PLANNED_STEPS:
                break
        memo[key] = total
        return total

    def _expand(
        self,
        routine: Routine,
        shown: str,
        outer: tuple[Mapping[str, Sound], ...],
        out: list[PlannedStep],
    ) -> None:
        layers = (routine.cues, *outer)
        base = _sounds_of(layers)
        for step in routine.steps:
            self._expand_step(step, routine, shown, layers, out, base)

    def _expand_step(
        self,
        step: Step | Include,
        routine: Routine,
        shown: str,
        layers: tuple[Mapping[str, Sound], ...],
        out: list[PlannedStep],
        base: Mapping[str, Sound],
    ) -> None:
        """Append ``step``'s planned steps; ``base`` is every event's sound from ``layers``."""
        if isinstance(step, Include):
            target, target_shown = self._resolve(step, routine, shown)
            for _ in range(step.repeat):
                self._expand(target, target_shown, layers, out)
            return
        # The layers' choice is the same for every step of a routine: made
        # once, and shared by the steps with no cues of their own.
        sounds = {**base, **step.cues} if step.cues else base
        out.append(planned_step(step, sounds, routine.id))


def _too_long(shown: str, index: int, step: Step | Include) -> Problem:
    if isinstance(step, Include):
        line, column, key = step.line, step.column, step.key
    else:
        line, column, key = step.line, step.column, f"steps[{index + 1}]"
    return Problem(
        shown,
        max(line, 1),
        max(column, 1),
        key,
        f"makes the routine longer than the {MAX_SEGMENTS} timed parts a routine may have "
        "(holds, repetitions, rests and switches); split it into shorter routines",
    )


def _id_hint(ref: str, ids: Sequence[str]) -> str:
    """Which id a person most likely meant by ``ref``, as the start of a sentence.

    The one id that ``ref`` begins, else the one that holds it (``bedtime``
    names ``bedtime-calf-stretch`` when no other id has "bedtime" in it): a
    few that fit are listed, since a guess among them would mislead. Else the
    closest spelling.
    """
    wanted = ref.strip().lower()
    if wanted:
        for test in (str.startswith, str.__contains__):
            matches = [i for i in ids if test(i, wanted)]
            if len(matches) == 1:
                return f"did you mean {matches[0]!r}? "
            if 1 < len(matches) <= 5:
                return f"did you mean one of {', '.join(matches)}? "
            if matches:
                return ""
    near = difflib.get_close_matches(ref, ids, n=1)
    return f"did you mean {near[0]!r}? " if near else ""


def _name(key: Path | str) -> str:
    return key.stem if isinstance(key, Path) else key


def _choose(event: str, layers: Sequence[Mapping[str, Sound]]) -> Sound:
    for layer in layers:
        if event in layer:
            return layer[event]
    return Sound(DEFAULT_CUES[event])


_DEFAULT_SOUNDS: Mapping[str, Sound] = MappingProxyType(
    {event: Sound(DEFAULT_CUES[event]) for event in CUE_EVENTS}
)


def _sounds_of(layers: Sequence[Mapping[str, Sound]]) -> Mapping[str, Sound]:
    """Every event's sound from ``layers`` (nearest first), then the defaults."""
    if not any(layers):
        return _DEFAULT_SOUNDS
    return MappingProxyType({event: _choose(event, layers) for event in CUE_EVENTS})


_IS_PROGRAM = (
    "{ref!r} is a program, not a routine; 'stretch-coach show {ref}' shows its stages "
    "and 'stretch-coach run {ref}' plays what is due"
)


def _is_program_file(path: Path) -> bool:
    try:
        return isinstance(load_file(path), Program)
    except RoutineError:
        return False


def _scan(folder: Path, origin: str) -> list[Entry | ProgramEntry]:
    return [read_file(p, origin, str(p)) for p in routine_files(folder)]


def read_file(path: Path, origin: str, shown: str) -> Entry | ProgramEntry:
    """A routine or program file as a library entry, valid or not."""
    try:
        found = load_file(path, shown)
    except RoutineError as err:
        return Entry(path, shown, origin, None, err.problems, program_file=err.program)
    if isinstance(found, Program):
        return ProgramEntry(path, shown, origin, found)
    return Entry(path, shown, origin, found)


def _read(path: Path, origin: str, shown: str) -> Entry:
    try:
        routine = load_routine(path, shown)
    except RoutineError as err:
        return Entry(path, shown, origin, None, err.problems)
    return Entry(path, shown, origin, routine)


def default_library(extra: Sequence[str] = ()) -> Library:
    """The library a user sees: bundled, their own folder, env and ``--library`` folders."""
    return Library.from_folders(library_folders(extra))


def planned(entry: Entry) -> list[PlannedStep]:
    """The entry's planned steps (raises if it is invalid)."""
    if not entry.valid:
        raise RoutineError(entry.problems)
    return list(entry.plan)


def cautions_of(entry: Entry) -> tuple[str, ...]:
    """Every caution of a valid entry: its own, then its includes' (format page,
    "Cautions through includes"). Show these, not ``routine.caution``, wherever a
    routine's cautions are shown or remembered as read.

    Raises:
        RoutineError: if the entry is invalid.
    """
    if not entry.valid:
        raise RoutineError(entry.problems)
    return entry.cautions
