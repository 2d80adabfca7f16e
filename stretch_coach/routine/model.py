"""The routine model: what a valid file means, with every default filled in."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

#: The cue events of the format, in the order the format page lists them
#: (``phase``, the event of a repetition's later phases, from its Phases section).
CUE_EVENTS: tuple[str, ...] = (
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
#: Default sound of each event.
DEFAULT_CUES: Mapping[str, str] = MappingProxyType(
    {
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
)
#: Sounds shipped with stretch-coach.
SHIPPED_SOUNDS: tuple[str, ...] = ("beep", "tick", "tock", "go", "chime", "switch", "finish")


class StepKind(enum.Enum):
    """What a step asks of the user; follows from its keys."""

    HOLD = "hold"
    PACED = "paced reps"
    COUNTED = "counted reps"
    TIMED = "timed activity"
    REST = "rest"
    MANUAL = "manual"

    @property
    def timed(self) -> bool:
        """Whether the step has a fixed length (counted reps and manual steps do not)."""
        return self not in (StepKind.COUNTED, StepKind.MANUAL)


@dataclass(frozen=True)
class Sound:
    """A cue sound: a shipped one by name, silence, or a WAV beside the routine."""

    name: str  #: shipped sound name, ``"none"``, or the path as written
    path: Path | None = None  #: resolved file for a ``.wav`` of the routine's own

    @property
    def silent(self) -> bool:
        return self.name == "none"

    def __str__(self) -> str:
        return str(self.path) if self.path else self.name


@dataclass(frozen=True)
class Picture:
    """A step's picture: a PNG, JPEG or SVG file beside the routine."""

    name: str  #: the path as written
    path: Path  #: the resolved file

    @property
    def media_type(self) -> str:
        """The file's media type, from its ending (checked against its content on load)."""
        suffix = self.path.suffix.lower()
        if suffix == ".png":
            return "image/png"
        if suffix == ".svg":
            return "image/svg+xml"
        return "image/jpeg"


@dataclass(frozen=True)
class Prompt:
    """Something to say at an offset of each timed activity."""

    at: float
    say: str


@dataclass(frozen=True)
class Phase:
    """One phase of every repetition of a paced-reps step (lift 1 s, lower 3 s)."""

    say: str
    time: float
    sound: Sound | None = None  #: its own sound; wins over the ``phase`` cue


@dataclass(frozen=True)
class Step:
    """One step of a routine, with its routine's defaults applied."""

    kind: StepKind
    name: str
    instructions: str | None = None
    hold: float | None = None
    reps: int | None = None
    tempo: float | None = None  #: with phases, the sum of their times
    duration: float | None = None  #: timed activity length, or a rest step's length
    sides: tuple[str, ...] = ()
    sets: int = 1
    rest: float = 0.0  #: between holds of a hold step, and the default set_rest
    set_rest: float = 0.0
    switch: float = 5.0
    prepare: float = 5.0
    say: str | None = None
    prompts: tuple[Prompt, ...] = ()
    cues: Mapping[str, Sound] = field(default_factory=dict)
    voice: bool = True
    line: int = 0  #: where the step starts in its file
    column: int = 0
    side: str | None = None  #: the one side a one-sided exercise works (no switch, no time)
    phases: tuple[Phase, ...] = ()  #: paced reps: the phases of every repetition
    image: Picture | None = None  #: a picture of the step, for handouts and the preview
    #: The keys written on the step (a program's change of ``rest`` carries
    #: ``set_rest`` with it only where the step did not write its own).
    written: frozenset[str] = frozenset()

    @property
    def side_count(self) -> int:
        return max(1, len(self.sides))


#: Each field of a Step with its default (``cues`` gets a fresh dict in :func:`new_step`).
_STEP_DEFAULTS: dict[str, object] = {
    f.name: f.default for f in dataclasses.fields(Step) if f.default is not dataclasses.MISSING
}
_STEP_FIELDS = frozenset(f.name for f in dataclasses.fields(Step))
_STEP_REQUIRED = _STEP_FIELDS - {*_STEP_DEFAULTS, "cues"}


def new_step(**fields: object) -> Step:
    """A :class:`Step` equal to ``Step(**fields)``, built without its frozen ``__init__``.

    A frozen dataclass sets each of its 23 fields through
    ``object.__setattr__``: for validate, which builds a Step for every step of
    every file, that was a sixth of its time. Step has no ``__post_init__``,
    so nothing else is skipped; unknown or missing fields raise as ``Step()`` does.
    """
    if not _STEP_REQUIRED <= fields.keys() <= _STEP_FIELDS:
        raise TypeError(
            f"Step fields: unknown {set(fields) - _STEP_FIELDS}, "
            f"missing {set(_STEP_REQUIRED - set(fields))}"
        )
    step, values = blank_step()
    values.update(fields)
    return step


def blank_step() -> tuple[Step, dict[str, object]]:
    """A :class:`Step` of the defaults, and its ``__dict__`` to fill in (the loader's way).

    Whoever fills it in sets ``kind`` and ``name`` (the fields with no default),
    and only fields of Step, before anyone else sees it; :func:`new_step`
    checks that for its callers.
    """
    step = object.__new__(Step)
    values = step.__dict__
    values.update(_STEP_DEFAULTS)
    values["cues"] = {}
    return step, values


#: Most segments (timed parts) a routine's timeline may have: bounds memory and
#: time for absurd routines. The timeline refuses more; validate says so first.
MAX_SEGMENTS = 200_000


def step_segments(step: Step) -> int:
    """How many segments the timeline lays out for ``step``, at most, without laying them out.

    The closed form of the timeline's layout (stretch_coach.timeline): a
    prepare, then per set (a set rest between sets) per side (a switch between
    sides) the work: holds with a rest between them, one segment per paced
    repetition, or one for an activity or an untimed step. A pause of 0 is
    skipped there, so the timeline may have fewer.
    """
    k = len(step.sides) or 1  # step.side_count, without a property call a step
    if step.kind is StepKind.HOLD:
        work = 2 * (step.reps or 1) - 1
    elif step.kind is StepKind.PACED:
        work = step.reps or 0
    else:
        work = 1
    return 1 + step.sets * (k * work + (k - 1)) + (step.sets - 1)


@dataclass(frozen=True)
class Include:
    """An ``include`` step: another routine's steps, ``repeat`` times."""

    target: str
    repeat: int = 1
    line: int = 0
    column: int = 0
    key: str = "include"  #: where it is written, e.g. ``steps[2].include``


@dataclass(frozen=True)
class Defaults:
    prepare: float = 5.0
    switch: float = 5.0
    rest: float = 0.0
    voice: bool = True


#: A place in a file: 1-based (line, column).
Place = tuple[int, int]


@dataclass(frozen=True)
class Places:
    """Where a routine file wrote what lint looks at, kept by the loader as it reads the file.

    ``validate`` lints every routine it loads; with these, lint needs neither
    the file again nor its parse.

    Attributes:
        title: where the title's value is written.
        step_keys: for each step (0-based index) that writes ``prepare``,
            ``switch``, ``set_rest`` or ``rest``: those keys, each with the
            place of the key.
        sounds: every ``.wav`` the file names, in file order: (where its value
            is written, its key such as ``steps[2].cues.start``, the name as written).
        sides: every side label of the file's steps (``side`` and each of ``sides``),
            in file order: (where it is written, its key such as ``steps[2].sides[2]``,
            the label as written).
    """

    title: Place | None = None
    step_keys: tuple[tuple[int, Mapping[str, Place]], ...] = ()
    sounds: tuple[tuple[Place, str, str], ...] = ()
    sides: tuple[tuple[Place, str, str], ...] = ()


@dataclass(frozen=True)
class Routine:
    """A routine file as written: its steps are :class:`Step` or :class:`Include`."""

    id: str
    title: str
    steps: tuple[Step | Include, ...]
    path: Path | None = None
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    source: str | None = None
    caution: tuple[str, ...] = ()
    defaults: Defaults = Defaults()
    cues: Mapping[str, Sound] = field(default_factory=dict)
    #: For use in the moment (cramp relief): cautions go on the session screen, not before it.
    urgent: bool = False
    #: Where the file wrote what lint looks at (``None``: not read from a file by the loader).
    places: Places | None = field(default=None, compare=False, repr=False)

    @property
    def has_includes(self) -> bool:
        return any(isinstance(s, Include) for s in self.steps)


@dataclass(frozen=True)
class PlannedStep:
    """A step ready to play: includes expanded, every cue event's sound decided."""

    step: Step
    sounds: Mapping[str, Sound]  #: event -> sound, for all of :data:`CUE_EVENTS`
    routine_id: str  #: the routine the step was written in

    @property
    def kind(self) -> StepKind:
        return self.step.kind

    @property
    def name(self) -> str:
        return self.step.name


def planned_step(step: Step, sounds: Mapping[str, Sound], routine_id: str) -> PlannedStep:
    """``PlannedStep(step, sounds, routine_id)``, built without its frozen ``__init__``.

    A library plans every step of every routine it reads: three
    ``object.__setattr__`` calls a step are a third of that (as :func:`new_step`).
    """
    planned = object.__new__(PlannedStep)
    values = planned.__dict__
    values["step"] = step
    values["sounds"] = sounds
    values["routine_id"] = routine_id
    return planned
