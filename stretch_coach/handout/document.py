"""The handout's one document model: what a patient reads, whatever it is printed as.

The HTML page and the PDF are both drawn from a :class:`Handout`, so their
words never drift apart. It describes the routine as written (its own
``prepare``, not the person's saved get-ready), with its includes expanded in
order, as ``show`` lists them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stretch_coach.routine.durations import format_seconds
from stretch_coach.routine.library import Entry, cautions_of
from stretch_coach.routine.model import Picture, Step, StepKind
from stretch_coach.timeline import timeline_for
from stretch_coach.words import one_side_phrase, phases_text, plural, total_text


@dataclass(frozen=True)
class HandoutStep:
    """One step as the handout shows it.

    Attributes:
        number: its place in the routine, from 1.
        name: the step's name.
        instructions: what to do, as written (``None`` if the routine gives none).
        dose: how much, for people: ``hold 30 s, twice on each side (left, then right)``;
            a step not timed says ``at your own pace`` here.
        length: how long the step takes, when the dose does not already say it
            (``None``: not timed, so the dose says "at your own pace", or the dose's
            one duration is the whole step, as ``rest 30 s``).
        picture: its picture, if the routine gives one.
    """

    number: int
    name: str
    instructions: str | None
    dose: str
    length: str | None
    picture: Picture | None

    @property
    def how_much(self) -> str:
        """The dose and, when it adds something, the length: ``hold 30 s (35 s)``."""
        return f"{self.dose} ({self.length})" if self.length else self.dose


@dataclass(frozen=True)
class HowTo:
    """One line of the foot: what to do, and the command that does it."""

    text: str
    command: str


@dataclass(frozen=True)
class Handout:
    """Everything on a handout, in the order it is shown."""

    routine_id: str
    title: str
    summary: str | None
    description: str | None
    patient: str | None
    note: str | None
    total: str
    steps: tuple[HandoutStep, ...]
    cautions: tuple[str, ...]
    source: str | None
    author: str | None
    how_to: tuple[HowTo, ...]

    def texts(self) -> list[str]:
        """Every piece of text on the handout (to check a font covers them all)."""
        out = [self.title, self.total]
        for value in (self.summary, self.description, self.patient, self.note, self.source):
            if value:
                out.append(value)
        if self.author:
            out.append(self.author)
        out.extend(self.cautions)
        for step in self.steps:
            out += [step.name, step.how_much, step.instructions or ""]
            if step.picture:
                out.append(step.picture.name)
        out += [line for h in self.how_to for line in (h.text, h.command)]
        out += list(LABELS.values())
        return out


#: The fixed words of the handout, shared by the HTML and the PDF.
LABELS = {
    "for": "For",
    "note": "From your practitioner",
    "total": "Takes about",
    "cautions": "Take care",
    "steps": "Steps",
    "source": "Source",
    "author": "Written by",
    "how_to": "Doing it with stretch-coach",
    "picture": "Picture",
}

_TIMES = {1: "once", 2: "twice"}


def times(n: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return _TIMES.get(n, f"{n} times")


def dose_text(step: Step) -> str:
    """A step's dose written for people.

    ``hold 30 s, twice on each side (left, then right), 10 s rest between``;
    ``3 sets of 15, 6 s each, 1 min rest between sets``; with phases,
    ``3 sets of 15: lift 1 s, lower 3 s; left side only; 1 min rest between sets``.
    """
    kind = step.kind
    sides = ""
    if step.sides:
        sides = f" on each side ({', then '.join(step.sides)})"
    elif step.side:
        sides = f", {one_side_phrase(step.side)}"
    sets_rest = ""
    if step.sets > 1 and step.set_rest > 0:
        sets_rest = f", {format_seconds(step.set_rest)} rest between sets"
    if kind is StepKind.REST:
        return f"rest {format_seconds(step.duration or 0)}"
    if kind is StepKind.MANUAL:
        text = f"{times(step.sets)}, " if step.sets > 1 else ""
        return text + "at your own pace" + (f",{sides}" if step.sides else sides)
    if kind is StepKind.HOLD:
        reps = step.reps or 1
        text = f"hold {format_seconds(step.hold or 0)}"
        if reps > 1 or step.sides:
            text += f", {times(reps)}"
        text += sides
        if reps > 1 and step.rest > 0:
            text += f", {format_seconds(step.rest)} rest between"
        if step.sets > 1:
            text += f"; {step.sets} sets"
        return text + sets_rest
    if kind in (StepKind.PACED, StepKind.COUNTED):
        count = f"{step.reps}"
        text = (
            f"{step.sets} sets of {count}"
            if step.sets > 1
            else plural(step.reps or 0, "repetition")
        )
        if step.phases:
            # The phases are a list of their own: what follows is set off by semicolons.
            text += f": {phases_text(step)}"
            return text + sides.replace(",", ";", 1) + sets_rest.replace(",", ";", 1)
        if kind is StepKind.PACED:
            text += f", {format_seconds(step.tempo or 0)} each"
        else:
            text += " at your own pace"
        return text + sides + sets_rest
    # a timed activity
    text = format_seconds(step.duration or 0) + sides
    if step.sets > 1:
        text += f", {times(step.sets)}"
    return text + sets_rest


def build_handout(
    entry: Entry,
    patient: str | None = None,
    note: str | None = None,
) -> Handout:
    """The handout of a valid library entry.

    Args:
        entry: the routine (valid).
        patient: whom it is for (``--for``).
        note: the practitioner's note (``--note``).
    """
    routine = entry.routine
    assert routine is not None
    timeline = timeline_for(entry)
    steps = []
    for index, planned in enumerate(timeline.steps):
        dose = dose_text(planned.step)
        steps.append(
            HandoutStep(
                number=index + 1,
                name=planned.name,
                instructions=planned.step.instructions,
                dose=dose,
                length=length_text(dose, timeline.step_length(index)),
                picture=planned.step.image,
            )
        )
    return Handout(
        routine_id=routine.id,
        title=routine.title,
        summary=routine.summary,
        description=routine.description,
        patient=_clean(patient),
        note=_clean(note),
        total=total_text(timeline.total, timeline.untimed_steps),
        steps=tuple(steps),
        cautions=cautions_of(entry),
        source=reader_source(routine.source) if routine.source else None,
        author=routine.author,
        how_to=how_to(routine.id, bundled=entry.origin == "bundled"),
    )


def length_text(dose: str, seconds: float | None) -> str | None:
    """How long a step takes, as the handout adds it after the dose, or ``None`` when
    the dose already says it.

    A step not timed (``seconds`` is ``None``) has "at your own pace" in its dose
    already. A timed step's length is left out when the dose names that very
    duration: the dose lists every part of the step, so its total equals one of
    them only when that part is the whole step (``rest 30 s``, ``hold 30 s``
    with no get-ready).
    """
    if seconds is None:
        return None
    text = format_seconds(seconds)
    # the whole duration, not the start of a longer one ("1 min" in "1 min 30 s")
    if re.search(rf"(?<![\d.]){re.escape(text)}(?!\w| \d)", dose):
        return None
    return text


#: The health pages the bundled routines cite (``seed FILE`` in their ``source:``), by
#: what a patient or a doctor can look up: the page's title and who published it.
SEED_PAGES = {
    "000_4ccb9be79f378189.txt": '"Osteopathy: Leg Cramps", Aether Bios Clinic',
    "001_1bba04c482067842.txt": '"Leg cramps", content supplied by the NHS website',
    "002_da06d3d839fc42b6.txt": '"Leg Cramping", a vein clinic\'s patient page',
    "003_a11155f2b4ae33bc.txt": "a patient information article on leg cramps",
    "004_45a8eeb6afdebb9c.txt": (
        '"Nocturnal Leg Cramps: EP\'s Chiropractic Scientists", Dr. Alex Jimenez'
    ),
}
_SEED = re.compile(r"\bseed (\d{3}_[0-9a-f]{16}\.txt)")


def reader_source(text: str) -> str:
    """A routine's ``source:`` as a patient reads it: the pages by name, not file.

    The bundled routines cite each health page as ``seed FILE, the page, "the
    passage"`` (for checking against the page); a patient needs the page's name
    to look it up. Each part (between semicolons outside quotes and brackets) that starts
    with a known ``seed FILE`` becomes that page's name (:data:`SEED_PAGES`),
    each page once, in the order cited; any other text is kept as written,
    with a known ``seed FILE`` inside it named the same way. ``show`` still
    prints the source in full.
    """
    out: list[str] = []
    for part in _parts(text):
        cited = _SEED.match(part)
        if cited and cited.group(1) in SEED_PAGES:
            page = SEED_PAGES[cited.group(1)]
            if page not in out:
                out.append(page)
            continue
        out.append(_SEED.sub(lambda m: SEED_PAGES.get(m.group(1), m.group(0)), part))
    return "; ".join(out)


def _parts(text: str) -> list[str]:
    """``text`` split at the semicolons outside double quotes and brackets, white space
    collapsed (a list in brackets, "the causes (pregnancy; medicines)", stays whole)."""
    parts: list[str] = []
    current: list[str] = []
    quoted, depth = False, 0
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "()":
            depth = max(0, depth + (1 if char == "(" else -1))
        if char == ";" and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [" ".join(part.split()) for part in parts if part.strip()]


def how_to(routine_id: str, bundled: bool) -> tuple[HowTo, ...]:
    """The foot: how to do the routine with the coach."""
    run = HowTo("Then play it, with its timings and sounds:", f"stretch-coach run {routine_id}")
    if bundled:
        return (
            HowTo(
                "This routine comes with stretch-coach. Play it, with its timings and sounds:",
                f"stretch-coach run {routine_id}",
            ),
        )
    return (
        HowTo(
            "Install the file your practitioner sent you (a .zip or .yaml file):",
            f"stretch-coach install {routine_id}.zip",
        ),
        run,
    )


def _clean(text: str | None) -> str | None:
    """Text from the command line, without control characters; ``None`` when empty."""
    if text is None:
        return None
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    return text or None
