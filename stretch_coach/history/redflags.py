"""Reasons to see a doctor, from the seeds' advice, found in the cramp diary.

The health information the app follows (see ``README.md``, "Health note")
says to see a doctor about leg cramps that:

* last longer than 10 minutes and exercise doesn't ease them;
* come with other symptoms: swelling, redness, numbness or tingling;
* come with problems walking or putting weight on the leg;
* came after contact with toxins, or an infection through a cut;
* are frequent;
* interfere with sleep (or otherwise affect the person's quality of life,
  which the diary cannot see).

The first four are facts about one entry. The diary flags every cramp logged
as longer than 10 minutes, since it cannot know whether exercise eased it, and
words its advice with that condition. The seeds give no number for the last
two, so the diary counts them over 7 days: :data:`FREQUENT_CRAMPS` or more
cramps, or :data:`SLEEP_WAKINGS` or more cramps that woke the person. The
message states the count plainly ("3 cramps logged in 7 days") rather than a
judgement, and says the threshold is this app's own. Nothing here diagnoses or
advises beyond the seeds.

Saying it once: an entry's own signs are said with that entry. A pattern
(frequent, sleep) is said with the entry that makes it hold, and not again
while it keeps holding: not if it already held at any entry in the 7 days
before. An entry dated before others already logged is judged on the entries
up to its own time. The report lists every sign seen in its period, whatever
was said when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from stretch_coach.history.model import Cramp
from stretch_coach.history.stats import most_in_window
from stretch_coach.routine.durations import format_seconds
from stretch_coach.words import plural

LONG_CRAMP_SECONDS = 10 * 60
FREQUENT_CRAMPS = 3
SLEEP_WAKINGS = 2
WINDOW = timedelta(days=7)
#: Symptoms the seeds name as a reason to see a doctor (weakness is recorded but is not one).
ALARM_SYMPTOMS: tuple[str, ...] = ("swelling", "redness", "numbness", "tingling")
WALKING = "trouble-walking"
#: What the diary calls each of the seeds' "exposed to toxins or infections via a cut".
EXPOSURES: dict[str, str] = {"toxins": "contact with toxins", "cut-infection": "an infected cut"}

#: Each sign in the seeds' words (with this app's own count where the seeds give none).
ADVICE: dict[str, str] = {
    "long": "cramps that last longer than 10 minutes and exercise doesn't ease them",
    "symptoms": "other symptoms: swelling, redness, numbness or tingling",
    "walking": "problems walking or putting weight on the leg",
    "exposure": "cramps after contact with toxins, or an infection through a cut",
    "frequent": (
        f"frequent leg cramps ({FREQUENT_CRAMPS} or more in 7 days: "
        f"the sources give no number, this app uses {FREQUENT_CRAMPS})"
    ),
    "sleep": (
        f"cramps that interfere with your sleep ({SLEEP_WAKINGS} or more that wake you in "
        f"7 days: the sources give no number, this app uses {SLEEP_WAKINGS})"
    ),
}
PREFIX = "This is a reason to see a doctor"


@dataclass(frozen=True)
class Sign:
    """One reason to see a doctor, and what in the diary shows it.

    Attributes:
        kind: ``long``, ``symptoms``, ``walking``, ``exposure``, ``frequent`` or ``sleep``.
        seen: what the diary shows, in a phrase that names the sign.
        last: the day it was last seen (for the report).
    """

    kind: str
    seen: str
    last: date | None = None

    @property
    def advice(self) -> str:
        """The sign in the seeds' words."""
        return ADVICE[self.kind]


def entry_signs(cramp: Cramp) -> list[Sign]:
    """The signs one entry shows by itself."""
    signs = []
    if cramp.duration_seconds is not None and cramp.duration_seconds > LONG_CRAMP_SECONDS:
        signs.append(
            Sign(
                "long",
                f"the cramp lasted {format_seconds(cramp.duration_seconds)}, "
                "longer than 10 minutes, if exercise didn't ease it",
                cramp.day,
            )
        )
    alarming = [s for s in cramp.symptoms if s in ALARM_SYMPTOMS]
    if alarming:
        signs.append(Sign("symptoms", f"you noted {_and(alarming)} with it", cramp.day))
    if WALKING in cramp.symptoms:
        signs.append(
            Sign("walking", "you noted trouble walking or putting weight on the leg", cramp.day)
        )
    exposures = [words for name, words in EXPOSURES.items() if name in cramp.symptoms]
    if exposures:
        signs.append(Sign("exposure", f"you noted {_and(exposures)} before it", cramp.day))
    return signs


def pattern_signs(cramp: Cramp, diary: Sequence[Cramp]) -> list[Sign]:
    """The patterns that hold over the 7 days up to and including ``cramp``.

    Args:
        cramp: the entry the window ends at.
        diary: entries around it (those more than 7 days before or after it do not matter).
    """
    window = [c for c in diary if _order(c) <= _order(cramp) and cramp.at - c.at < WINDOW]
    signs = []
    if len(window) >= FREQUENT_CRAMPS:
        signs.append(
            Sign(
                "frequent",
                f"{len(window)} cramps logged in 7 days: frequent leg cramps "
                f"(the sources give no number, this app uses {FREQUENT_CRAMPS})",
                cramp.day,
            )
        )
    woke = sum(1 for c in window if c.woke)
    if cramp.woke and woke >= SLEEP_WAKINGS:
        signs.append(
            Sign(
                "sleep",
                f"cramps woke you {woke} times in 7 days: cramps that interfere with your sleep "
                f"(the sources give no number, this app uses {SLEEP_WAKINGS})",
                cramp.day,
            )
        )
    return signs


def signs_to_say(cramp: Cramp, diary: Sequence[Cramp]) -> list[Sign]:
    """The signs to tell the person about when ``cramp`` is saved (see the module notes).

    Args:
        cramp: the entry just saved (it has an ``id``).
        diary: entries from at least 14 days before it to 7 days after, including it.
    """
    signs = entry_signs(cramp)
    earlier = [c for c in diary if _order(c) < _order(cramp) and cramp.at - c.at < WINDOW]
    held = {sign.kind for c in earlier for sign in pattern_signs(c, diary)}
    signs.extend(s for s in pattern_signs(cramp, diary) if s.kind not in held)
    return signs


def message(signs: Sequence[Sign]) -> str | None:
    """One line telling the person plainly, or ``None`` if there is nothing to say."""
    if not signs:
        return None
    return f"{PREFIX}: " + "; ".join(sign.seen for sign in signs) + "."


def period_signs(diary: Sequence[Cramp]) -> list[Sign]:
    """Every sign seen in a period's entries (oldest first), summed up for the report."""
    signs = []
    long = [c for c in diary if c.duration_seconds and c.duration_seconds > LONG_CRAMP_SECONDS]
    if long:
        longest = max(long, key=lambda c: c.duration_seconds or 0)
        signs.append(
            Sign(
                "long",
                f"{plural(len(long), 'cramp')} lasted longer than 10 minutes "
                f"(the longest {format_seconds(longest.duration_seconds or 0)}, "
                f"on {longest.day.isoformat()})",
                long[-1].day,
            )
        )
    counts = {s: sum(1 for c in diary if s in c.symptoms) for s in ALARM_SYMPTOMS}
    noted = [f"{s} with {plural(n, 'cramp')}" for s, n in counts.items() if n]
    if noted:
        last = max(c.day for c in diary if set(c.symptoms) & set(ALARM_SYMPTOMS))
        signs.append(Sign("symptoms", f"noted {_and(noted)}", last))
    walking = [c for c in diary if WALKING in c.symptoms]
    if walking:
        signs.append(
            Sign(
                "walking",
                "trouble walking or putting weight on the leg noted with "
                f"{plural(len(walking), 'cramp')}",
                walking[-1].day,
            )
        )
    exposed = {
        words: n
        for name, words in EXPOSURES.items()
        if (n := sum(name in c.symptoms for c in diary))
    }
    if exposed:
        last = max(c.day for c in diary if set(c.symptoms) & set(EXPOSURES))
        noted = [f"{words} with {plural(n, 'cramp')}" for words, n in exposed.items()]
        signs.append(Sign("exposure", f"noted {_and(noted)}", last))
    most, end = most_in_window([c.at for c in diary])
    if most >= FREQUENT_CRAMPS and end is not None:
        signs.append(
            Sign(
                "frequent",
                f"up to {most} cramps in 7 days (in the 7 days to {end.date().isoformat()})",
                end.date(),
            )
        )
    most, end = most_in_window([c.at for c in diary if c.woke])
    if most >= SLEEP_WAKINGS and end is not None:
        signs.append(
            Sign(
                "sleep",
                f"cramps woke the person up to {most} times in 7 days (in the 7 days "
                f"to {end.date().isoformat()})",
                end.date(),
            )
        )
    return signs


def _order(cramp: Cramp) -> tuple[object, int]:
    return (cramp.at, cramp.id if cramp.id is not None else 0)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
