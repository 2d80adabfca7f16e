"""Load and validate one routine file, reporting every problem with its place."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

from stretch_coach.paths import NotARegularFile, read_regular_file
from stretch_coach.routine import spec
from stretch_coach.routine.durations import format_seconds
from stretch_coach.routine.errors import Problem, RoutineError
from stretch_coach.routine.folders import ROUTINE_SUFFIXES
from stretch_coach.routine.model import (
    Defaults,
    Include,
    Place,
    Places,
    Prompt,
    Routine,
    Step,
    StepKind,
    blank_step,
)
from stretch_coach.routine.program import Program, is_program, parse_program
from stretch_coach.routine.spec import INVALID, Context
from stretch_coach.routine.yamlread import Mark, YList, YMap, read_yaml

#: Largest routine file accepted.
MAX_FILE_BYTES = 1024 * 1024

_EXCLUSIVE = (
    ("hold", "tempo"),
    ("hold", "duration"),
    ("tempo", "duration"),
    ("reps", "duration"),
    ("hold", "phases"),
    ("tempo", "phases"),
    ("phases", "duration"),
)
_WORK_KEYS = ("hold", "reps", "tempo", "duration")
#: The format's step keys, each with its kind.
_STEP_FIELDS = spec.STEP.fields
_STEP_KEYS = frozenset(_STEP_FIELDS)
# _build_step puts each checked value into the Step field of its key's name.
if not _STEP_KEYS - {"include", "repeat"} <= {f.name for f in dataclasses.fields(Step)}:
    raise ImportError("every step key of the format must be a field of Step by the same name")


def load_routine(path: Path | str, shown_as: str | None = None) -> Routine:
    """Read, parse and validate a routine file (a program file is refused: see :func:`load_file`).

    Raises:
        RoutineError: with every problem found, each located at a line and column.
    """
    found = load_file(path, shown_as)
    if not isinstance(found, Routine):
        name = shown_as or str(path)
        raise RoutineError(
            [
                Problem(
                    name,
                    1,
                    1,
                    "program",
                    "this file is a program, not a routine; give a routine here "
                    "(a program's stages name the routines it uses)",
                )
            ]
        )
    return found


def load_file(path: Path | str, shown_as: str | None = None) -> Routine | Program:
    """Read, parse and validate a routine file, or a program file (it has ``program``).

    Includes are recorded, not followed: a :class:`~stretch_coach.routine.library.Library`
    resolves them, because an ``id`` can only be looked up in a library.

    Args:
        path: the file to read.
        shown_as: how to name the file in messages (default: ``path`` as given).

    Raises:
        RoutineError: with every problem found, each located at a line and column.
    """
    # The caller's Path itself, not a copy: the library looks it up again by
    # the routine's path, and a Path works out its hash once.
    path = path if isinstance(path, Path) else Path(path)
    name = shown_as or str(path)
    ctx = Context(name, path.parent)
    try:
        text = _read_text(path, ctx)
        routine = None if text is None else parse_file(text, ctx, path)
    except RecursionError:
        ctx.problem(Mark(1, 1), "", "nested too deeply to read; a routine needs only a few levels")
        routine = None
    except Exception as err:
        # The fuzz tests assert this never happens; if it does, the library
        # still lists every other routine, and the message asks for a report.
        ctx.problem(
            Mark(1, 1),
            "",
            f"could not be checked (an internal error: {type(err).__name__}); "
            "please report this, with the file",
        )
        routine = None
    if routine is None:
        raise RoutineError(ctx.all_problems(), program=ctx.program)
    return routine


def _read_text(path: Path, ctx: Context) -> str | None:
    start = Mark(1, 1)
    if path.suffix.lower() not in ROUTINE_SUFFIXES:
        ctx.problem(start, "", "a routine file's name ends in .yaml or .yml")
        return None
    try:
        data = read_regular_file(path, MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        ctx.problem(start, "", "no such file")
        return None
    except IsADirectoryError:
        ctx.problem(start, "", "is a folder, not a routine file")
        return None
    except NotARegularFile as err:
        ctx.problem(start, "", f"is {err.what}, not a routine file")
        return None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        ctx.problem(start, "", f"cannot read: {getattr(err, 'strerror', None) or err}")
        return None
    if len(data) > MAX_FILE_BYTES:
        ctx.problem(start, "", "file is larger than 1 MiB; a routine is a short text file")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        ctx.problem(Mark(line, column), "", "not UTF-8 text; save the file as UTF-8")
        return None


def parse_file(text: str, ctx: Context, path: Path | None = None) -> Routine | Program | None:
    """Validate YAML ``text`` as a routine or, with ``program``, a program.

    Problems go to ``ctx``; ``None`` if any.
    """
    root, yaml_problems = read_yaml(text)
    for p in yaml_problems:
        ctx.problem(p.mark, p.key, p.message)
    if yaml_problems:
        return None
    if is_program(root):
        assert isinstance(root, YMap)
        ctx.program = True
        return parse_program(root, ctx, path)
    return _parse_root(root, ctx, path)


def parse_routine(text: str, ctx: Context, path: Path | None = None) -> Routine | None:
    """Validate YAML ``text`` as a routine; problems go to ``ctx``, ``None`` if any."""
    root, yaml_problems = read_yaml(text)
    for p in yaml_problems:
        ctx.problem(p.mark, p.key, p.message)
    if yaml_problems:
        return None
    return _parse_root(root, ctx, path)


def _parse_root(root: Any, ctx: Context, path: Path | None) -> Routine | None:
    if not isinstance(root, YMap):
        what = "empty" if root is None else f"{spec.describe(root)}, not a mapping"
        mark = getattr(root, "mark", Mark(1, 1))
        ctx.problem(mark, "", f"the file is {what}; a routine is a mapping with a title and steps")
        return None

    ok = spec.TOP.check_keys(ctx, root, "")
    values: dict[str, Any] = {}
    for name in root:
        field = spec.TOP.fields.get(name)
        if field is None or name == "steps":
            continue
        values[name] = spec.check_value(ctx, field.kind, root, name, name)
        ok = ok and values[name] is not INVALID

    defaults = (
        Defaults(**values["defaults"]) if isinstance(values.get("defaults"), dict) else Defaults()
    )
    steps: list[Step | Include] = []
    if "steps" in root:
        raw = root["steps"]
        mark = root.value_marks["steps"]
        if not isinstance(raw, YList):
            ctx.problem(mark, "steps", f"expected a list of steps, got {spec.describe(raw)}")
            ok = False
        elif not raw:
            ctx.problem(mark, "steps", "needs at least one step")
            ok = False
        else:
            for i, item in enumerate(raw):
                step = check_step(ctx, item, raw.item_marks[i], f"steps[{i + 1}]", defaults)
                if step is INVALID:
                    ok = False
                else:
                    steps.append(step)

    routine_id = values.get("id")
    if routine_id is None and path is not None:
        routine_id = path.stem
        if not spec.SLUG_RE.match(routine_id):
            ctx.problem(
                root.mark,
                "id",
                f"the file name {path.stem!r} is not a valid id; add a line such as "
                f"'id: {_slugify(path.stem)}' or rename the file",
            )
            ok = False
    if not ok or ctx.problems:
        return None
    return Routine(
        id=routine_id or "routine",
        title=values["title"],
        steps=tuple(steps),
        path=path,
        summary=values.get("summary"),
        description=values.get("description"),
        tags=values.get("tags", ()),
        author=values.get("author"),
        source=values.get("source"),
        caution=values.get("caution", ()),
        defaults=defaults,
        cues=values.get("cues", {}),
        urgent=values.get("urgent", False),
        places=places_of(root),
    )


#: The step keys lint looks at where they are written (a key the timeline may not use).
LINTED_STEP_KEYS = ("prepare", "switch", "set_rest", "rest")


def places_of(root: YMap) -> Places:
    """Where ``root`` (a routine file's top mapping) writes what lint looks at.

    Kept with the routine, so that ``validate`` lints without reading and
    parsing the file a second time: a few look-ups a step.
    """
    title = root.value_marks.get("title")
    step_keys: list[tuple[int, dict[str, Place]]] = []
    sounds = list(_wavs(root.get("cues"), "cues"))
    sides: list[tuple[Place, str, str]] = []
    steps = root.get("steps")
    if isinstance(steps, YList):
        for i, step in enumerate(steps):
            if not isinstance(step, YMap):
                continue
            marks = step.key_marks
            written: dict[str, Place] = {k: marks[k] for k in LINTED_STEP_KEYS if k in marks}
            if written:
                step_keys.append((i, written))
            sides += _side_labels(step, f"steps[{i + 1}]")
            if "cues" in step:
                sounds += _wavs(step["cues"], f"steps[{i + 1}].cues")
            phases = step.get("phases")
            if isinstance(phases, YList):
                for j, phase in enumerate(phases):
                    if isinstance(phase, YMap) and "sound" in phase:
                        sounds += _wav(
                            phase, "sound", f"steps[{i + 1}].phases[{j + 1}].sound", phase["sound"]
                        )
    return Places(title, tuple(step_keys), tuple(sorted(sounds)), tuple(sides))


def _side_labels(step: YMap, key: str) -> list[tuple[Place, str, str]]:
    """A step's side labels as written: (where, key, label). One YAML read as a number
    or a yes/no is no near miss of a side's name and is left out."""
    found: list[tuple[Place, str, str]] = []
    one = step.get("side")
    if isinstance(one, str):
        found.append((step.value_marks["side"], f"{key}.side", one))
    labels = step.get("sides")
    if isinstance(labels, YList):
        for j, label in enumerate(labels):
            if isinstance(label, str):
                found.append((labels.item_marks[j], f"{key}.sides[{j + 1}]", label))
    return found


def _wavs(container: Any, key: str) -> list[tuple[Place, str, str]]:
    """Every ``.wav`` a ``cues`` mapping names: (where, key, the name as written)."""
    found: list[tuple[Place, str, str]] = []
    if isinstance(container, YMap):
        for event, value in container.items():
            found += _wav(container, event, f"{key}.{event}", value)
    return found


def _wav(container: YMap, name: str, key: str, value: Any) -> list[tuple[Place, str, str]]:
    # A shipped name is never a .wav: only the routine's own files are looked at.
    if isinstance(value, str) and value.strip().lower().endswith(".wav"):
        return [(container.value_marks[name], key, value.strip())]
    return []


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "my-routine"


@functools.lru_cache(maxsize=256)
def _shape(
    keys: frozenset[str],
) -> tuple[frozenset[str], tuple[tuple[str, str], ...], tuple[str, ...], StepKind]:
    """What its set of keys says of a step: the set, clashing kinds, paced keys without reps, kind.

    A library writes the same few shapes of step again and again: worked out
    once per set of keys, not once per step; and the steps of one shape share
    one set of keys as their ``written`` (one object kept, not one a step).
    """
    clashes = tuple((a, b) for a, b in _EXCLUSIVE if a in keys and b in keys)
    unpaced = tuple(p for p in ("tempo", "phases") if p in keys and "reps" not in keys)
    return keys, clashes, unpaced, _kind_of(keys)


def check_step(ctx: Context, value: Any, mark: Mark, key: str, defaults: Defaults) -> Any:
    """Validate one step mapping; return a :class:`Step`, an :class:`Include` or ``INVALID``."""
    if not isinstance(value, YMap):
        return ctx.problem(
            mark, key, f"a step is a mapping such as 'name: ...', got {spec.describe(value)}"
        )
    keys = frozenset(value)
    # Only a step with a key the format does not know has anything to report here.
    ok = keys <= _STEP_KEYS or spec.STEP.check_keys(ctx, value, key)
    key_marks = value.key_marks

    def at(name: str) -> Mark:
        return key_marks[name]

    if "include" in keys:
        for other in sorted(keys - {"include", "repeat"}, key=lambda k: at(k).line):
            if other in spec.STEP.fields:
                ok = False
                ctx.problem(
                    at(other),
                    f"{key}.{other}",
                    "not allowed on an include step; it takes only 'include' and 'repeat'",
                )
        checked = spec.Mapping(spec.INCLUDE_FIELDS).check(
            ctx, _only(value, "include", "repeat"), mark, key
        )
        if checked is INVALID or not ok:
            return INVALID
        target_mark = value.value_marks["include"]
        return Include(
            checked["include"],
            checked.get("repeat", 1),
            target_mark.line,
            target_mark.column,
            f"{key}.include",
        )

    if "repeat" in keys:
        ok = False
        ctx.problem(
            at("repeat"),
            f"{key}.repeat",
            "only an include step takes 'repeat'; for a step, use 'sets'",
        )
    keys, clashes, unpaced, kind = _shape(keys)
    for first, second in clashes:
        ok = False
        later = max(first, second, key=lambda k: (at(k).line, at(k).column))
        other = second if later == first else first
        ctx.problem(
            at(later),
            f"{key}.{later}",
            f"cannot be combined with {other!r}: a step has one kind",
        )
    for paced in unpaced:
        ok = False
        ctx.problem(at(paced), f"{key}.{paced}", f"paced reps need 'reps' as well as {paced!r}")
    if "side" in keys and "sides" in keys:
        ok = False
        later = max("side", "sides", key=lambda k: (at(k).line, at(k).column))
        ctx.problem(
            at(later),
            f"{key}.{later}",
            "give 'side' (one side: side: right) or 'sides' (each in turn), not both",
        )

    if "prompts" in keys and kind is not StepKind.TIMED:
        ok = False
        ctx.problem(
            at("prompts"),
            f"{key}.prompts",
            "only a timed activity (a step with 'duration') takes prompts",
        )
    if "name" not in keys and kind is not StepKind.REST:
        ok = False
        ctx.problem(
            mark, f"{key}.name", "required, but missing: every step except a rest needs a name"
        )

    # Each value by its kind (spec.check_value, inlined: this runs for every value).
    fields: dict[str, Any] = {}
    step_fields = _STEP_FIELDS
    raws = value.raws
    value_marks = value.value_marks
    for name, item in value.items():
        field = step_fields.get(name)
        if field is None or name == "repeat":
            continue
        field_kind = spec.WORK if (name == "rest" and kind is StepKind.REST) else field.kind
        raw = raws.get(name) if raws else None
        if raw is not None and field_kind.as_written(raw):
            item = raw
        checked = field_kind.check(ctx, item, value_marks[name], f"{key}.{name}")
        if checked is INVALID:
            ok = False
        fields[name] = checked

    if kind is StepKind.TIMED and "prompts" in fields:
        duration, prompts = fields["duration"], fields["prompts"]  # timed: it has a duration
        if duration is not INVALID and prompts is not INVALID:
            for i, prompt in enumerate(prompts):
                if prompt.at >= duration:
                    item_mark = value["prompts"][i].value_marks["at"]
                    ok = False
                    ctx.problem(
                        item_mark,
                        f"{key}.prompts[{i + 1}].at",
                        f"{format_seconds(prompt.at)} is not within the "
                        f"{format_seconds(duration)} activity",
                    )
    if not ok:
        return INVALID
    return _build_step(kind, fields, defaults, mark, keys)


def _prompt_at(prompt: Prompt) -> float:
    return prompt.at


def _build_step(
    kind: StepKind, fields: dict[str, Any], defaults: Defaults, mark: Mark, keys: frozenset[str]
) -> Step:
    """The :class:`Step` of checked ``fields``, every default filled in.

    Equal to ``Step(...)`` of the same values, without its frozen ``__init__``
    (see :func:`~stretch_coach.routine.model.new_step`): every key of
    ``fields`` is a field of Step by the same name (the format's step keys are
    Step's fields, which this module checks on import), the rest are the kind's
    and the routine's defaults.
    """
    step, values = blank_step()
    values.update(fields)
    values["kind"] = kind
    values["voice"] = defaults.voice
    values["line"] = mark.line
    values["column"] = mark.column
    values["written"] = keys
    if "name" not in fields:
        values["name"] = "Rest"
    if kind is StepKind.REST:
        values["duration"] = fields["rest"]
        values["rest"] = 0.0
    else:
        if "rest" not in fields:
            values["rest"] = defaults.rest
        if "set_rest" not in fields:
            values["set_rest"] = values["rest"]
        if kind is StepKind.HOLD and "reps" not in fields:
            values["reps"] = 1
    if "switch" not in fields:
        values["switch"] = defaults.switch
    if "prepare" not in fields:
        values["prepare"] = defaults.prepare
    if "phases" in fields:
        # a repetition of phases lasts the sum of their times (the format's T)
        values["tempo"] = sum(p.time for p in fields["phases"])
    if "prompts" in fields:
        values["prompts"] = tuple(sorted(fields["prompts"], key=_prompt_at))
    return step


def _only(value: YMap, *names: str) -> YMap:
    out = YMap(value.mark)
    for name in names:
        if name in value:
            out[name] = value[name]
            out.key_marks[name] = value.key_marks[name]
            out.value_marks[name] = value.value_marks[name]
            if name in value.raws:
                out.raws[name] = value.raws[name]
    return out


def _kind_of(keys: frozenset[str]) -> StepKind:
    if "hold" in keys:
        return StepKind.HOLD
    if "duration" in keys:
        return StepKind.TIMED
    if "reps" in keys:
        return StepKind.PACED if "tempo" in keys or "phases" in keys else StepKind.COUNTED
    if "rest" in keys:
        return StepKind.REST
    return StepKind.MANUAL


def problems_of(path: Path, shown_as: str | None = None) -> list[Problem]:
    """Every problem of one file on its own (includes not followed); empty if valid."""
    try:
        load_routine(path, shown_as)
    except RoutineError as err:
        return list(err.problems)
    return []
