"""Lint: what a valid routine file says that will not do what its author meant.

``validate`` refuses what is wrong; these are warnings (exit 0), each located
at the key it is about, for a file that loads:

* a key that does nothing: ``set_rest`` without two or more ``sets``,
  ``switch`` without two or more ``sides``, ``prepare`` on a self-paced or a
  rest step, ``rest`` on a step that has no holds or sets to rest between
  (the timeline lays none of these out, so the author's number is never used);
* a title over :data:`MAX_TITLE` characters (lists and the session's title
  row cut it);
* a side label (``side``, or one of ``sides``) with a word that is a near
  miss of "left" or "right" (``rigth``): the format takes any label, so it
  is valid, but a typo would be shown, printed on the handout and spoken;
* a ``.wav`` cue that is not a WAV file (its header is not RIFF/WAVE, or
  Python's ``wave`` cannot read it), or that cannot be heard: no samples, or
  none louder than :data:`QUIET_DBFS`.

The places of the keys come from the loader, which keeps them with the
routine as it reads the file (:class:`~stretch_coach.routine.model.Places`):
lint neither reads nor parses a file again. A file that does not load has no
warnings, only its problems.
"""

from __future__ import annotations

import array
import difflib
import math
import re
import sys
import wave
from collections.abc import Iterator, Mapping
from pathlib import Path

from stretch_coach.paths import read_regular_file
from stretch_coach.routine.errors import Problem, printable
from stretch_coach.routine.loader import MAX_FILE_BYTES, places_of
from stretch_coach.routine.model import Place, Places, Routine, Step, StepKind
from stretch_coach.routine.yamlread import YMap, read_yaml

#: Longest title without a warning: the library list and the session's title row cut longer ones.
MAX_TITLE = 80
#: A cue whose loudest sample is quieter than this (dB below full scale) cannot be heard
#: over a room's noise at a normal volume: -40 dBFS is 1% of full scale.
QUIET_DBFS = -40.0
#: The side names a label's words are checked against: a near miss of one is likely a typo.
SIDE_NAMES = ("left", "right")
#: How alike a word must be to a side name to be a near miss (difflib's ratio). Above
#: the 0.6 used for keys: labels are free text, and short words ("leg", "front") must
#: not be taken for "left" or "right"; "rigth", "lfet", "rihgt" and "lef" still are.
SIDE_CUTOFF = 0.75
#: Most audio read to judge a sound's loudness (a cue is short; a pack caps sounds at 10 MiB).
MAX_SOUND_BYTES = 10 * 1024 * 1024


def lint_routine(routine: Routine, shown: str) -> list[Problem]:
    """Warnings for ``routine``'s own file (not its includes'), in file order.

    Args:
        routine: a routine loaded from a file (one without a file has no warnings).
        shown: the file as messages name it.
    """
    if routine.path is None:
        return []
    places = routine.places if routine.places is not None else _read_places(routine.path)
    if places is None:
        return []
    found: list[Problem] = []

    def warn(mark: Place, key: str, message: str) -> None:
        found.append(Problem(shown, mark[0], mark[1], key, message))

    title = routine.title
    if len(title) > MAX_TITLE and places.title is not None:
        warn(
            places.title,
            "title",
            f"{len(title)} characters; lists and the session show about {MAX_TITLE}, "
            "so the end is cut: put the rest in 'summary'",
        )
    steps = routine.steps
    for index, written in places.step_keys:
        step = steps[index] if index < len(steps) else None
        if isinstance(step, Step):
            for mark, key, message in _idle_keys(written, step):
                warn(mark, f"steps[{index + 1}].{key}", message)
    for mark, key, label in places.sides:
        meant = side_near_miss(label)
        if meant is not None:
            warn(
                mark,
                key,
                f"{label!r} is not a side's usual name: did you mean {meant!r}? "
                "(it is shown, printed on the handout and spoken as written)",
            )
    if places.sounds:
        folder = routine.path.parent.resolve()
        heard: set[Path] = set()
        for mark, key, name in places.sounds:
            target = (folder / name).resolve()
            if target in heard:
                continue  # said once, where it is first named
            heard.add(target)
            why = sound_problem(target)
            if why is not None:
                warn(mark, key, f"{name!r} {why}")
    return sorted(found)


def side_near_miss(label: str) -> str | None:
    """``label`` with each word that is a near miss of "left" or "right" put right
    (``'rigth leg'`` gives ``'right leg'``), or ``None`` when no word is one."""
    changed = False

    def mend(found: re.Match[str]) -> str:
        nonlocal changed
        word = found.group(0)
        if word.lower() in SIDE_NAMES:
            return word
        near = difflib.get_close_matches(word.lower(), SIDE_NAMES, n=1, cutoff=SIDE_CUTOFF)
        if not near:
            return word
        changed = True
        name = near[0]
        if word.isupper() and len(word) > 1:
            return name.upper()
        return name.capitalize() if word[0].isupper() else name

    mended = re.sub(r"[^\W\d_]+", mend, label)
    return mended if changed else None


def _read_places(path: Path) -> Places | None:
    """The places of a routine not made by the loader (which keeps them): the file read again."""
    try:
        text = read_regular_file(path, MAX_FILE_BYTES + 1).decode("utf-8-sig")
    except (OSError, ValueError):
        return None  # changed since it was loaded: the next validate says what is wrong
    root, problems = read_yaml(text)
    if problems or not isinstance(root, YMap):
        return None
    return places_of(root)


def warning_line(warning: Problem) -> str:
    """One warning as ``validate`` prints it: ``FILE:LINE:COL: warning: key: message``."""
    where = f"{printable(warning.file)}:{warning.line}:{warning.column}"
    return f"{where}: warning: {printable(warning.key)}: {printable(warning.message)}"


def _idle_keys(at: Mapping[str, Place], step: Step) -> Iterator[tuple[Place, str, str]]:
    """The keys of one step that the timeline never uses, with why and what to do.

    Args:
        at: the step's keys among :data:`~stretch_coach.routine.loader.LINTED_STEP_KEYS`
            that the file writes, each with its place.
        step: the step they belong to.
    """
    kind = step.kind
    timed = kind.timed and kind is not StepKind.REST
    if "prepare" in at and not timed:
        what = "a rest step" if kind is StepKind.REST else "a self-paced step"
        yield (
            at["prepare"],
            "prepare",
            f"does nothing on {what}: the get-ready comes before holds, paced reps "
            "and timed activities only; remove it",
        )
    if "switch" in at and (not timed or step.side_count < 2):
        why = "a self-paced step changes sides when you say" if not timed else "one side"
        yield (
            at["switch"],
            "switch",
            f"does nothing here ({why}): the pause to change sides comes between two or "
            "more 'sides'; remove it, or give 'sides'",
        )
    if "set_rest" in at and (not timed or step.sets < 2):
        why = "a self-paced step has no timed rests" if not timed else "one set"
        yield (
            at["set_rest"],
            "set_rest",
            f"does nothing here ({why}): it is the rest between sets; "
            "remove it, or give 'sets: 2' or more",
        )
    if "rest" in at and kind is not StepKind.REST:
        between_holds = kind is StepKind.HOLD and (step.reps or 1) > 1
        between_sets = timed and step.sets > 1 and "set_rest" not in at
        if not (between_holds or between_sets):
            yield (
                at["rest"],
                "rest",
                "does nothing here: a step rests between its holds ('reps' of a hold) and "
                "between its 'sets'; remove it, or use a rest step ('- rest: 30s') for a "
                "pause after this one",
            )


def sound_problem(path: Path) -> str | None:
    """Why the ``.wav`` at ``path`` will not be heard as a cue, or ``None`` if it will.

    The words follow the sound's name in a warning: "'pop.wav' is not a WAV file...".
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError as err:
        return f"cannot be read: {err.strerror or err}"
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return (
            "is not a WAV file (it does not start with a RIFF/WAVE header); "
            "export it from a sound editor as WAV, 16-bit PCM"
        )
    try:
        with wave.open(str(path), "rb") as wav:
            width, frames = wav.getsampwidth(), wav.getnframes()
            frame_bytes = max(1, width * wav.getnchannels())
            data = wav.readframes(min(frames, MAX_SOUND_BYTES // frame_bytes))
    except (OSError, EOFError, wave.Error) as err:
        return f"cannot be read as a WAV file ({err}); save it as WAV, 16-bit PCM"
    if not data:
        return "holds no sound (no samples); use a cue that can be heard"
    level = peak_dbfs(data, width)
    if level is None:
        return "is silent (every sample is zero); use a cue that can be heard"
    if level < QUIET_DBFS:
        return (
            f"is too quiet to hear (its loudest sample is {-level:.0f} dB below full "
            f"scale; a cue needs to come within {-QUIET_DBFS:.0f} dB of it); make it louder"
        )
    return None


def peak_dbfs(data: bytes, width: int) -> float | None:
    """The loudest sample of PCM ``data`` (``width`` bytes a sample) in dB below full
    scale; ``None`` when every sample is silence."""
    if width == 1:  # 8-bit WAV is unsigned, silence at 128
        peak = max(max(data) - 128, 128 - min(data)) / 128
    elif width == 3:  # 24-bit: no array type; its top two bytes are enough to judge loudness
        count = len(data) // 3
        top = bytearray(2 * count)
        top[0::2], top[1::2] = data[1 : 3 * count : 3], data[2 : 3 * count : 3]
        samples = array.array("h")
        samples.frombytes(bytes(top))
        peak = _peak(samples, 32768)
    elif width in (2, 4):
        samples = array.array("h" if width == 2 else "i")
        samples.frombytes(data[: len(data) - len(data) % width])
        peak = _peak(samples, 2 ** (8 * width - 1))
    else:
        return 0.0  # not PCM as wave reads it: not ours to judge
    return 20 * math.log10(peak) if peak > 0 else None


def _peak(samples: array.array[int], full: int) -> float:
    if sys.byteorder == "big":
        samples.byteswap()  # WAV samples are little-endian
    if not samples:
        return 0.0
    return max(max(samples), -min(samples)) / full
