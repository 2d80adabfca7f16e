"""The cramp diary: what each field accepts, and saving an entry with what to tell the person.

The same checks serve the command line (``--severity 11``) and import files
(``cramps[3].severity``), so both refuse the same things with the same words.
:func:`add_entry` and :func:`edit_entry` are what a command or a diary form
calls to save: they return the signs to say (show them with
:func:`stretch_coach.history.redflags.message`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from stretch_coach.history import redflags
from stretch_coach.history.errors import EntryError
from stretch_coach.history.model import Cramp
from stretch_coach.routine.durations import DurationError, format_seconds, parse_duration

if TYPE_CHECKING:
    from stretch_coach.history.store import HistoryStore

LEGS: tuple[str, ...] = ("left", "right", "both")
MUSCLES: tuple[str, ...] = ("calf", "thigh", "foot", "other")
#: Symptoms a person can note with a cramp. ``trouble-walking`` (trouble walking
#: or putting weight on the leg), ``toxins`` (contact with toxins before the
#: cramps) and ``cut-infection`` (an infected cut before them) are among the
#: seeds' reasons to see a doctor, so the diary needs a way to record them.
SYMPTOMS: tuple[str, ...] = (
    "swelling",
    "redness",
    "numbness",
    "tingling",
    "weakness",
    "trouble-walking",
    "toxins",
    "cut-infection",
)
#: Longest cramp the diary takes. The duration asked for is the cramp itself
#: (seconds to minutes, per the seeds), not the soreness after it (up to a
#: day); the routine format caps durations at an hour, but a cramp can be
#: logged as longer, and a day is the limit past which the value is surely a
#: slip.
MAX_CRAMP_SECONDS = 24 * 3600.0
MAX_NOTE_CHARS = 2000

_DURATION_HINT = "write it as 90s, 2m, 1m30s, 1:30, 1h or a number of seconds"


def parse_severity(value: object) -> int:
    """A severity from 0 (barely) to 10 (worst imaginable), as a whole number."""
    if isinstance(value, bool):
        raise EntryError("severity", "expected a whole number from 0 to 10")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit() or len(text) > 3:
            raise EntryError("severity", f"{_short(value)} is not a whole number from 0 to 10")
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        raise EntryError("severity", f"{_short(value)} is not a whole number from 0 to 10")
    if not 0 <= number <= 10:
        raise EntryError("severity", f"{_short(number)} is not from 0 to 10")
    return number


def parse_cramp_duration(value: object) -> float:
    """How long a cramp lasted, in seconds: more than 0 and at most 24 hours.

    Accepts the routine format's forms (``90``, ``45s``, ``2m``, ``1m30s``,
    ``1:30``, ``1h``) and numbers of seconds.
    """
    if isinstance(value, bool) or value is None:
        raise EntryError("duration", f"expected a duration; {_DURATION_HINT}")
    try:
        # The routine format's forms, without its one-hour cap for routine steps.
        seconds = parse_duration(value, maximum=math.inf)
    except (DurationError, OverflowError, ValueError):  # 400 digits overflow a float
        raise EntryError(
            "duration", f"{_short(value)} is not a duration; {_DURATION_HINT}"
        ) from None
    if seconds <= 0:
        raise EntryError("duration", f"must be longer than 0; {_DURATION_HINT}")
    if not seconds <= MAX_CRAMP_SECONDS:  # also infinity, from 400 digits
        shown = format_seconds(seconds) if seconds < 1e9 else _short(value)
        raise EntryError(
            "duration", f"{shown} is longer than 24 hours; give how long the cramp lasted"
        )
    return seconds


def _short(value: object) -> str:
    """A value for a message: its repr, cut short (a 5,000-digit number is not worth printing)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return "a number of more than 40 digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive)."""
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        raise EntryError(field, f"{value!r} is not one of {', '.join(choices)}")
    return text


def parse_symptoms(values: Iterable[object]) -> tuple[str, ...]:
    """Symptoms, each once, in the order of :data:`SYMPTOMS`."""
    chosen = {parse_choice("symptom", value, SYMPTOMS) for value in values}
    return tuple(s for s in SYMPTOMS if s in chosen)


def parse_note(value: object) -> str | None:
    """A free-text note (empty means none)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryError("note", "expected text")
    text = value.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise EntryError("note", f"is {len(text)} characters long; keep it under {MAX_NOTE_CHARS}")
    return text or None


def parse_woke(value: object) -> bool:
    """Whether the cramp woke the person (a yes/no value)."""
    if not isinstance(value, bool):
        raise EntryError("woke", f"expected true or false, got {value!r}")
    return value


#: A muscle of both legs, in words (``both`` + ``foot`` is "both feet").
_BOTH = {"calf": "both calves", "thigh": "both thighs", "foot": "both feet"}


def where_text(leg: str | None, muscle: str | None) -> str:
    """Where a cramp was, in words: ``left calf``, ``both feet``, ``right leg``,
    ``both legs (another muscle)``; empty when neither is known."""
    if leg == "both" and muscle in _BOTH:
        return _BOTH[muscle]
    legs = "" if leg is None else f"{leg} {'legs' if leg == 'both' else 'leg'}"
    if muscle == "other":
        return f"{legs} (another muscle)" if legs else "another muscle"
    if muscle is None:
        return legs
    return f"{leg} {muscle}" if leg else muscle


def describe(cramp: Cramp) -> str:
    """A short line naming an entry: ``#3 2024-05-01 02:13, left calf, 2 min, severity 6``."""
    parts = [f"{cramp.at:%Y-%m-%d %H:%M}"]
    where = where_text(cramp.leg, cramp.muscle)
    if where:
        parts.append(where)
    if cramp.duration_seconds is not None:
        parts.append(format_seconds(cramp.duration_seconds))
    if cramp.severity is not None:
        parts.append(f"severity {cramp.severity}")
    prefix = f"#{cramp.id} " if cramp.id is not None else ""
    return prefix + ", ".join(parts)


def add_entry(store: HistoryStore, cramp: Cramp) -> tuple[Cramp, list[redflags.Sign]]:
    """Save a checked entry.

    Returns:
        The entry as saved, and the reasons to see a doctor to tell the person now.
    """
    saved = store.add_cramp(cramp)
    return saved, redflags.signs_to_say(saved, _nearby(store, saved))


def edit_entry(
    store: HistoryStore, entry_id: int, changes: Mapping[str, Any]
) -> tuple[Cramp, list[redflags.Sign]]:
    """Change the given fields of an entry.

    Returns:
        The entry as saved, and the reasons to see a doctor that the edit
        brought (those already said for the entry are not said again).

    Raises:
        HistoryError: if there is no such entry.
    """
    before = store.cramp(entry_id)
    said = {sign.seen for sign in redflags.signs_to_say(before, _nearby(store, before))}
    after = store.update_cramp(replace(before, **changes))
    signs = redflags.signs_to_say(after, _nearby(store, after))
    return after, [sign for sign in signs if sign.seen not in said]


def _nearby(store: HistoryStore, cramp: Cramp) -> list[Cramp]:
    """The entries :func:`redflags.signs_to_say` needs: two windows back, up to the entry."""
    start = cramp.at - 2 * redflags.WINDOW
    return store.cramps(since=start.date(), until=cramp.at)
