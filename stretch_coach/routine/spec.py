"""The format's keys, once: the loader validates with these and the JSON Schema is drawn from them.

Every key is a :class:`Field` with a :class:`Kind` of value. A kind both checks a
value read from YAML (reporting located problems) and describes itself as JSON
Schema, so ``stretch-coach schema`` can never disagree with the loader about
types, ranges or names.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stretch_coach.routine.durations import (
    DURATION_LIMIT_PATTERN,
    DURATION_PATTERN,
    MAX_DURATION,
    DurationError,
    parse_duration,
    shorten,
)
from stretch_coach.routine.errors import CONTROL_CHAR_RE, Problem
from stretch_coach.routine.model import CUE_EVENTS, SHIPPED_SOUNDS, Phase, Picture, Prompt, Sound
from stretch_coach.routine.yamlread import Mark, YList, YMap

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SLUG_RE = re.compile(SLUG_PATTERN)
#: Most problems kept for one file: enough to fix a file by, few enough that a
#: 1 MiB file of mistakes is judged (and printed) in well under a second.
MAX_PROBLEMS = 100


class Invalid:
    """Marker for a value that failed its check (its problem is already recorded)."""


INVALID = Invalid()


@dataclass
class Context:
    """Where a check happens: the file, its folder, and the problems found so far.

    Past :data:`MAX_PROBLEMS`, problems are counted but not kept; :meth:`all_problems`
    ends with one line saying how many more there are.
    """

    file: str
    folder: Path
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0
    #: The file was read as a program (its top level has ``program``), valid or not.
    program: bool = False
    _last: Mark = field(default=Mark(1, 1), init=False, repr=False)

    @property
    def full(self) -> bool:
        """Whether further problems are only counted (so need no wording)."""
        return len(self.problems) >= MAX_PROBLEMS

    def problem(self, mark: Mark, key: str, message: str) -> Invalid:
        if len(self.problems) >= MAX_PROBLEMS:
            self.dropped += 1
            if mark > self._last:  # marks are (line, column) tuples
                self._last = mark
        else:
            self.problems.append(Problem(self.file, mark.line, mark.column, key, message))
        return INVALID

    def all_problems(self) -> list[Problem]:
        """The problems kept, and a last one counting those that were not."""
        if not self.dropped:
            return list(self.problems)
        last = max([self._last, *(Mark(p.line, p.column) for p in self.problems)])
        more = Problem(
            self.file,
            last.line,
            last.column,
            "",
            f"and {self.dropped} more problem{'s' if self.dropped != 1 else ''} "
            "not shown; fix the ones above first",
        )
        return [*self.problems, more]


def describe(value: Any) -> str:
    """Name a YAML value's type the way an author would."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class Kind:
    """A kind of value: checks YAML values and describes itself as JSON Schema."""

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        raise NotImplementedError

    def as_written(self, raw: str) -> bool:
        """Whether to check the text ``raw`` as written instead of what YAML made of it.

        Called only for a scalar YAML converted (a number, a yes/no, a null).
        """
        return False

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


#: Control characters a multi-line text field may hold: newline and tab.
_LAYOUT = frozenset("\n\t")
_CONTROL_NAMES = {0x09: "a tab", 0x0A: "a line break", 0x0D: "a carriage return", 0x1B: "ESC"}


class Text(Kind):
    """Text, exactly as written: ``title: 1:30`` is "1:30", ``name: 010`` is "010".

    Control characters (C0, DEL, C1) are refused; ``multi_line`` text
    (description, instructions) may hold newlines and tabs.
    """

    def __init__(self, multi_line: bool = False) -> None:
        self.multi_line = multi_line

    def as_written(self, raw: str) -> bool:
        return True

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, str):
            return ctx.problem(mark, key, f"expected text, got {describe(value)}")
        if not value.strip():
            return ctx.problem(mark, key, "must not be empty")
        if CONTROL_CHAR_RE.search(value) is None:  # the common case: nothing to look at
            return value.strip()
        # Spaces and line breaks around the text are not part of it (a folded
        # '>' block ends in one); any other control character is an error.
        for found in CONTROL_CHAR_RE.finditer(value.strip(" \n")):
            char = found.group()
            if self.multi_line and char in _LAYOUT:
                continue
            if char in _LAYOUT:
                return ctx.problem(
                    mark,
                    key,
                    f"must be one line of text: it holds {_CONTROL_NAMES[ord(char)]} "
                    "(only description and instructions may have more than one line)",
                )
            code = ord(char)
            name = _CONTROL_NAMES.get(code)
            return ctx.problem(
                mark,
                key,
                f"holds the control character U+{code:04X}{f' ({name})' if name else ''}; "
                "remove it (text may not hold control characters)",
            )
        return value.strip()

    def schema(self) -> dict[str, Any]:
        # Any scalar: YAML 1.1 (here) and 1.2 (most editors) disagree on what
        # 1:30, 010 or yes are, and the format takes every one as the text written.
        if self.multi_line:
            text = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        else:
            # One line between any white space at either end (a folded '>' block
            # ends in a newline; the loader strips it): no control character in it.
            controls = "\\u0000-\\u001f\\u007f-\\u009f"
            word, gap = f"[^\\s{controls}]+", f"[^\\S{controls}]+"
            text = f"^[ \\n]*(?:{word}(?:{gap}{word})*)?[ \\n]*$"
        return {
            "type": ["string", "number", "boolean", "null"],
            "allOf": [
                {"pattern": text},
                {"pattern": "\\S"},
            ],
        }


class Slug(Kind):
    def as_written(self, raw: str) -> bool:
        return True

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, str) or not SLUG_RE.match(value):
            shown = describe(value) if not isinstance(value, str) else repr(value)
            return ctx.problem(
                mark,
                key,
                f"{shown} is not a valid id: use lower-case letters, digits and '-', "
                "starting with a letter or digit (e.g. bedtime-calf-stretch)",
            )
        return value

    def schema(self) -> dict[str, Any]:
        # id: 2024 is the id "2024" (a whole number is always a valid id).
        return {
            "anyOf": [
                {"type": "string", "pattern": SLUG_PATTERN},
                {"type": "integer", "minimum": 0},
            ]
        }


class FormatVersion(Kind):
    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if value != 1 or isinstance(value, bool) or not isinstance(value, int):
            return ctx.problem(
                mark,
                key,
                f"{value!r} is not a format this version reads; the only format is 1",
            )
        return 1

    def schema(self) -> dict[str, Any]:
        return {"const": 1}


class Integer(Kind):
    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum, self.maximum = minimum, maximum

    def as_written(self, raw: str) -> bool:
        return ":" in raw  # YAML 1.1's base 60 (reps: 1:30 is 90): not a count

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            got = (
                repr(shorten(value)) if isinstance(value, str) and ":" in value else describe(value)
            )
            return ctx.problem(mark, key, f"expected a whole number, got {got}")
        if not self.minimum <= value <= self.maximum:
            return ctx.problem(
                mark,
                key,
                f"{shorten(value)} is out of range: use {self.minimum} to {self.maximum}",
            )
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


class Boolean(Kind):
    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, bool):
            return ctx.problem(mark, key, f"expected true or false, got {describe(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Duration(Kind):
    """A duration; ``work`` ones must be more than 0, pauses may be 0."""

    def __init__(self, work: bool) -> None:
        self.work = work

    def as_written(self, raw: str) -> bool:
        # m:ss as written, so unquoted 1:5 is refused like quoted (YAML 1.1 makes it 65)
        return ":" in raw

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        try:
            seconds = parse_duration(value)
        except DurationError as err:
            return ctx.problem(mark, key, str(err))
        if self.work and seconds <= 0:
            return ctx.problem(mark, key, "must be more than 0 seconds")
        return seconds

    def schema(self) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "number", "maximum": MAX_DURATION}
        number["exclusiveMinimum" if self.work else "minimum"] = 0
        patterns = [{"pattern": DURATION_PATTERN}, {"pattern": DURATION_LIMIT_PATTERN}]
        if self.work:
            patterns.append({"pattern": "[1-9]"})  # some digit other than 0: more than 0
        return {"anyOf": [number, {"type": "string", "allOf": patterns}]}


class ListOf(Kind):
    def __init__(
        self, item: Kind, min_items: int = 0, unique: bool = False, max_items: int | None = None
    ) -> None:
        self.item, self.min_items, self.unique = item, min_items, unique
        self.max_items = max_items

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, YList):
            example = "[left, right]" if self.unique else "a list, one item per line starting '- '"
            return ctx.problem(
                mark, key, f"expected a list, got {describe(value)}; write {example}"
            )
        if len(value) < self.min_items:
            return ctx.problem(mark, key, f"needs at least {self.min_items} items")
        if self.max_items is not None and len(value) > self.max_items:
            return ctx.problem(mark, key, f"takes at most {self.max_items} items")
        raws = value.item_raws
        kind, marks = self.item, value.item_marks
        items = []
        ok = True
        for i, item in enumerate(value):
            raw = raws.get(i) if raws else None
            checked = kind.check(
                ctx,
                raw if raw is not None and kind.as_written(raw) else item,
                marks[i],
                f"{key}[{i + 1}]",
            )
            if checked is INVALID:
                ok = False
            items.append(checked)
        if not ok:
            return INVALID
        if self.unique:
            seen: dict[Any, int] = {}
            for i, item in enumerate(items):
                if item in seen:
                    return ctx.problem(
                        value.item_marks[i], f"{key}[{i + 1}]", f"{item!r} is listed twice"
                    )
                seen[item] = i
        return tuple(items)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        if self.unique:
            out["uniqueItems"] = True
        return out


class SoundRef(Kind):
    """A cue sound: a shipped name, ``none``, or a ``.wav`` inside the routine's folder."""

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, str) or not value.strip():
            return ctx.problem(mark, key, f"expected a sound name, got {describe(value)}")
        value = value.strip()
        if value in SHIPPED_SOUNDS or value == "none":
            return Sound(value)
        control = CONTROL_CHAR_RE.search(value)
        if control:
            return ctx.problem(
                mark,
                key,
                f"a sound's name may not hold the control character U+{ord(control.group()):04X}",
            )
        if not value.lower().endswith(".wav"):
            near = difflib.get_close_matches(value, [*SHIPPED_SOUNDS, "none"], n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            return ctx.problem(
                mark,
                key,
                f"unknown sound {value!r}: {hint}use one of {', '.join(SHIPPED_SOUNDS)}, "
                "none, or a .wav file beside the routine",
            )
        if os.path.isabs(value) or value.startswith("~"):
            return ctx.problem(mark, key, f"{value!r}: give a path relative to the routine file")
        folder = ctx.folder.resolve()
        target = (folder / value).resolve()
        if not target.is_relative_to(folder):
            return ctx.problem(
                mark, key, f"{value!r} is outside the routine's folder; keep sounds beside it"
            )
        try:
            mode = target.stat().st_mode  # stat, never open: a FIFO would block
        except OSError:
            return ctx.problem(mark, key, f"sound file {value!r} not found beside the routine")
        if not stat.S_ISREG(mode):
            return ctx.problem(mark, key, f"{value!r} is not a file; a sound is a .wav file")
        return Sound(value, target)

    def schema(self) -> dict[str, Any]:
        # ECMA-262 only (no inline flags such as (?i)): editors' validators use it.
        return {
            "anyOf": [
                {"enum": [*SHIPPED_SOUNDS, "none"]},
                {
                    "type": "string",
                    "pattern": "^[^/\\\\~\\u0000-\\u001f\\u007f-\\u009f]"
                    "[^\\u0000-\\u001f\\u007f-\\u009f]*\\.[wW][aA][vV]$",
                },
            ]
        }


#: Largest picture file accepted (the same limit as a pack's sounds and pictures).
MAX_PICTURE_BYTES = 10 * 1024 * 1024
#: Picture endings, and the bytes each kind of file starts with.
_PICTURE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".svg": (b"<",),
}


class PictureRef(Kind):
    """A step's picture: a PNG, JPEG or SVG file inside the routine's folder.

    The same rules as a ``.wav`` cue (relative, inside the folder, must exist),
    plus a size limit and a look at the first bytes, so that a handout never
    fails half-way on a file that only has a picture's name.
    """

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, str) or not value.strip():
            return ctx.problem(mark, key, f"expected a picture file name, got {describe(value)}")
        value = value.strip()
        suffix = os.path.splitext(value)[1].lower()
        if suffix not in _PICTURE_SIGNATURES:
            return ctx.problem(
                mark, key, f"{value!r}: a picture is a .png, .jpg, .jpeg or .svg file"
            )
        if os.path.isabs(value) or value.startswith("~"):
            return ctx.problem(mark, key, f"{value!r}: give a path relative to the routine file")
        folder = ctx.folder.resolve()
        target = (folder / value).resolve()
        if not target.is_relative_to(folder):
            return ctx.problem(
                mark, key, f"{value!r} is outside the routine's folder; keep pictures beside it"
            )
        try:
            size = target.stat().st_size
            with target.open("rb") as fh:
                head = fh.read(512)
        except OSError:
            return ctx.problem(mark, key, f"picture file {value!r} not found beside the routine")
        if size > MAX_PICTURE_BYTES:
            return ctx.problem(mark, key, f"{value!r} is larger than 10 MiB; use a smaller picture")
        if suffix == ".svg":
            ok = b"<svg" in head.lower() or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        else:
            ok = head.startswith(_PICTURE_SIGNATURES[suffix])
        if not ok:
            kind = "SVG" if suffix == ".svg" else suffix.lstrip(".").upper().replace("JPG", "JPEG")
            return ctx.problem(mark, key, f"{value!r} is not a {kind} picture")
        return Picture(value, target)

    def schema(self) -> dict[str, Any]:
        # ECMA-262 only (no inline flags), so editors' validators accept it.
        return {
            "type": "string",
            "pattern": "^[^/\\\\~].*\\.([Pp][Nn][Gg]|[Jj][Pp][Ee]?[Gg]|[Ss][Vv][Gg])$",
        }


@dataclass(frozen=True)
class Field:
    """One key of a mapping in the format."""

    name: str
    kind: Kind
    description: str
    required: bool = False


class Mapping(Kind):
    """A mapping with a fixed set of keys; unknown keys get a did-you-mean."""

    def __init__(self, fields: list[Field], extra_names: tuple[str, ...] = ()) -> None:
        self.fields = {f.name: f for f in fields}
        self.extra_names = extra_names  # names to suggest from, beyond our own
        self._required = [f.name for f in fields if f.required]

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, YMap):
            return ctx.problem(mark, key, f"expected a mapping of keys, got {describe(value)}")
        out: dict[str, Any] = {}
        ok = self.check_keys(ctx, value, key)
        for name in value:
            spec = self.fields.get(name)
            if spec is None:
                continue
            checked = check_value(ctx, spec.kind, value, name, _join(key, name))
            if checked is INVALID:
                ok = False
            out[name] = checked
        return out if ok else INVALID

    def check_keys(self, ctx: Context, value: YMap, key: str) -> bool:
        """Report unknown and missing keys; return whether there were none."""
        ok = True
        for name in value:
            if name not in self.fields:
                ok = False
                # a full context only counts: no need to find the nearest key
                if ctx.full:
                    ctx.problem(value.key_marks[name], "", "")
                else:
                    message = unknown_key(name, tuple(self.names))
                    ctx.problem(value.key_marks[name], _join(key, name), message)
        for name in self._required:
            if name not in value:
                ok = False
                ctx.problem(value.mark, _join(key, name), "required, but missing")
        return ok

    @property
    def names(self) -> list[str]:
        return [*self.fields, *self.extra_names]

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                f.name: {**f.kind.schema(), "description": f.description}
                for f in self.fields.values()
            },
            "required": [f.name for f in self.fields.values() if f.required],
            "additionalProperties": False,
        }


class CueMap(Kind):
    """A mapping of cue event -> sound."""

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        if not isinstance(value, YMap):
            return ctx.problem(
                mark, key, f"expected a mapping of event: sound, got {describe(value)}"
            )
        out: dict[str, Sound] = {}
        ok = True
        for event in value:
            if event not in CUE_EVENTS:
                ok = False
                ctx.problem(
                    value.key_marks[event],
                    _join(key, event),
                    "" if ctx.full else unknown_key(event, CUE_EVENTS, "cue event"),
                )
                continue
            checked = check_value(ctx, SOUND, value, event, _join(key, event))
            if checked is INVALID:
                ok = False
            else:
                out[event] = checked
        return out if ok else INVALID

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": {"enum": list(CUE_EVENTS)},
            "additionalProperties": SOUND.schema(),
        }


@functools.lru_cache(maxsize=1024)
def unknown_key(name: str, allowed: tuple[str, ...], what: str = "key") -> str:
    """Say that ``name`` is unknown, with the nearest of ``allowed`` when one is near."""
    near = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
    if near:
        return f"unknown {what}; did you mean {near[0]!r}?"
    return f"unknown {what}; expected one of: {', '.join(allowed)}"


def check_value(ctx: Context, kind: Kind, container: YMap, name: str, key: str) -> Any:
    """Check ``container[name]`` as ``kind``, taking the text as written where it asks."""
    value = container[name]
    raw = container.raws.get(name)
    if raw is not None and kind.as_written(raw):
        value = raw
    return kind.check(ctx, value, container.value_marks[name], key)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else str(name)


SOUND = SoundRef()
TEXT = Text()
#: description and instructions: may run over several lines
LONG_TEXT = Text(multi_line=True)
PAUSE = Duration(work=False)
WORK = Duration(work=True)


class PromptKind(Mapping):
    def __init__(self) -> None:
        super().__init__(
            [
                Field("at", PAUSE, "offset into each activity", required=True),
                Field("say", TEXT, "what to say or show", required=True),
            ]
        )

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        checked = super().check(ctx, value, mark, key)
        return checked if checked is INVALID else Prompt(checked["at"], checked["say"])


class PhaseKind(Mapping):
    def __init__(self) -> None:
        super().__init__(
            [
                Field("say", TEXT, "the phase's name, shown and spoken (e.g. lift)", required=True),
                Field("time", WORK, "how long the phase lasts", required=True),
                Field("sound", SOUND, "its own sound (default: the 'phase' cue)"),
            ]
        )

    def check(self, ctx: Context, value: Any, mark: Mark, key: str) -> Any:
        checked = super().check(ctx, value, mark, key)
        if checked is INVALID:
            return checked
        return Phase(checked["say"], checked["time"], checked.get("sound"))


DEFAULTS = Mapping(
    [
        Field(
            "prepare",
            PAUSE,
            "get-ready countdown before every hold, paced-reps and timed-activity step"
            " (default 5s)",
        ),
        Field("switch", PAUSE, "pause while changing sides (default 5s)"),
        Field(
            "rest", PAUSE, "pause between the holds of a hold step, and between sets (default 0s)"
        ),
        Field(
            "voice",
            Boolean(),
            "speak step names and prompts when a speech engine is available (default true)",
        ),
    ]
)

#: Keys that decide a step's kind.
KIND_KEYS = ("hold", "reps", "tempo", "phases", "duration", "rest", "include")

STEP_FIELDS = [
    Field("name", TEXT, "the step's name; required except on rest steps (default 'Rest')"),
    Field("instructions", LONG_TEXT, "what to do; shown, and spoken when voice is on"),
    Field("hold", WORK, "hold step: how long each hold lasts"),
    Field(
        "reps",
        Integer(1, 500),
        "hold: number of holds (default 1); with tempo: paced reps; alone: counted reps",
    ),
    Field("tempo", WORK, "paced reps: seconds per repetition"),
    Field("duration", WORK, "timed activity: how long it lasts"),
    Field(
        "sides",
        ListOf(TEXT, min_items=2, unique=True),
        "e.g. [left, right]: the work is done once per side",
    ),
    Field("sets", Integer(1, 50), "repeat the whole step (default 1)"),
    Field(
        "rest",
        PAUSE,
        "pause between holds and between sets; alone, a rest step of that length"
        " (then more than 0)",
    ),
    Field("set_rest", PAUSE, "pause between sets (default: rest)"),
    Field("switch", PAUSE, "pause while changing sides (default: defaults.switch)"),
    Field("prepare", PAUSE, "get-ready countdown (default: defaults.prepare)"),
    Field("say", TEXT, "spoken at the start instead of the name"),
    Field(
        "prompts",
        ListOf(PromptKind()),
        "timed activity only: things to say at offsets of each activity",
    ),
    Field("cues", CueMap(), "sound overrides for this step"),
    Field("side", TEXT, "the one side a one-sided exercise works (instead of sides)"),
    Field(
        "phases",
        ListOf(PhaseKind(), min_items=2, max_items=4),
        "paced reps, instead of tempo: 2 to 4 phases of every repetition",
    ),
    Field(
        "image",
        PictureRef(),
        "a picture of the step: a .png, .jpg or .svg file beside the routine (for handouts)",
    ),
]
INCLUDE_FIELDS = [
    Field(
        "include", TEXT, "another routine's id in the same library, or a path relative to this file"
    ),
    Field("repeat", Integer(1, 50), "include only: how many times (default 1)"),
]
STEP = Mapping(STEP_FIELDS + INCLUDE_FIELDS)
INCLUDE = Mapping(INCLUDE_FIELDS)

TOP = Mapping(
    [
        Field("format", FormatVersion(), "version of the routine format; only 1"),
        Field("title", TEXT, "shown in the library and on the handout", required=True),
        Field(
            "id", Slug(), "default: the file name without its extension; unique within a library"
        ),
        Field("summary", TEXT, "one line shown under the title"),
        Field("description", LONG_TEXT, "longer explanation"),
        Field("tags", ListOf(TEXT), "e.g. bedtime, cool-down, calf"),
        Field("author", TEXT, "who wrote the routine"),
        Field("source", TEXT, "where the advice comes from"),
        Field("caution", ListOf(TEXT), "'stop if...' lines shown before the routine starts"),
        Field("defaults", DEFAULTS, "defaults for every step of this routine"),
        Field("cues", CueMap(), "routine-wide sound overrides"),
        Field("steps", ListOf(STEP, min_items=1), "the steps, run in order", required=True),
        Field(
            "urgent",
            Boolean(),
            "for use in the moment (cramp relief): cautions show on the session screen "
            "instead of on a screen to dismiss first (default false)",
        ),
    ]
)


def _present(*names: str) -> dict[str, Any]:
    return {"required": list(names)}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a routine file, drawn from the tables above."""
    step = STEP.schema()
    work_keys = ("hold", "reps", "tempo", "phases", "duration")
    not_kind_keys = {"not": {"anyOf": [_present(k) for k in work_keys]}}
    step["allOf"] = [
        # The kinds that exclude each other.
        {"not": _present("hold", "tempo")},
        {"not": _present("hold", "duration")},
        {"not": _present("tempo", "duration")},
        {"not": _present("reps", "duration")},
        {"not": _present("hold", "phases")},
        {"not": _present("tempo", "phases")},
        {"not": _present("phases", "duration")},
        {"not": _present("side", "sides")},
        # phases make paced reps, which need reps.
        {"if": _present("phases"), "then": _present("reps")},
        # include takes nothing but repeat; repeat only goes with include.
        {"if": _present("include"), "then": {"propertyNames": {"enum": ["include", "repeat"]}}},
        {"if": _present("repeat"), "then": _present("include")},
        # tempo makes paced reps, which needs reps.
        {"if": _present("tempo"), "then": _present("reps")},
        # prompts belong to timed activities.
        {"if": _present("prompts"), "then": _present("duration")},
        # a rest step of its own is work: more than 0.
        {
            "if": {**_present("rest"), **not_kind_keys},
            "then": {"properties": {"rest": WORK.schema()}},
        },
        # name is required except on rest steps and includes.
        {"anyOf": [_present("name"), _present("include"), {**_present("rest"), **not_kind_keys}]},
    ]
    top = TOP.schema()
    top["properties"]["steps"]["items"] = step
    # A file with 'program' is a program (format page, section Programs); any
    # other file is a routine. Drawn from the program loader's own tables too.
    from stretch_coach.routine.program import program_schema

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stretch-coach.invalid/schema/routine-1.json",
        "title": "stretch-coach routine or program (format 1)",
        "description": "A guided stretching routine for stretch-coach, or a program of "
        "routines over weeks (a file with 'program' instead of 'steps'). "
        "See docs/routine-format.md in the stretch-coach project.",
        "if": {"type": "object", "required": ["program"]},
        "then": program_schema(),
        "else": top,
    }
