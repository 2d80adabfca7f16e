"""Nights: the one definition every figure about nights uses.

The rules (the README says the same, in the same words):

* The night of date D runs from 18:00 on D to 12:00 on D+1, local time (the
  wall-clock time where each record was made). A night is named by its
  evening's date: ``--night``, ``--since`` and the calendar all name it so.
* A night is *known* when it has a cramp in it or a check-in for it; unknown
  nights are left out of every figure. A cramp logged in a night makes it a
  cramp night whatever the check-in said.
* A routine was done *before* night D when a session that counts (see
  :func:`stretch_coach.history.stats.counts`) started between 16:00 on D and
  03:00 on D+1, before the night's first cramp. Routines for use in the
  moment (``urgent: true``, like cramp-now) and daytime advice routines
  (tagged ``daytime``) do not count as a routine before the night.
* *Tonight* is the night whose bedtime routine is still to come or under
  way: until 03:00 the night begun the evening before, from 03:00 the coming
  evening's. In the morning the night ending is *last night*, never tonight.

:func:`known_nights` applies them (and :func:`tonight` the last); nothing else
decides what a night is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stretch_coach.routine.model import Routine

#: A night begins at this local hour on its evening's date ...
NIGHT_STARTS_HOUR = 18
#: ... and ends at this local hour the next day.
NIGHT_ENDS_HOUR = 12
#: A routine counts as done before night D from this hour on D ...
ROUTINE_FROM_HOUR = 16
#: ... until this hour on D+1.
ROUTINE_UNTIL_HOUR = 3
#: Routines with this tag are daytime advice, not a routine before the night.
DAYTIME_TAG = "daytime"
#: The only answer a check-in stores: the cramps of a night are the diary's entries.
ANSWERS: tuple[str, ...] = ("none",)

_DAY = timedelta(days=1)


def night_of(moment: datetime) -> date | None:
    """The night a moment falls in (its evening's date), or ``None`` between 12:00 and 18:00.

    Args:
        moment: a wall-clock time where it was recorded (as the history hands them out).
    """
    if moment.hour >= NIGHT_STARTS_HOUR:
        return moment.date()
    if moment.hour < NIGHT_ENDS_HOUR:
        return moment.date() - _DAY
    return None


def evening_of(moment: datetime) -> date:
    """The date a cramp is shown under when days are named by their evening (the calendar).

    A cramp in a night goes under the night's evening; one in the afternoon
    (12:00 to 18:00, in no night) under its own day, so no cramp goes unshown.
    """
    return (moment - timedelta(hours=NIGHT_ENDS_HOUR)).date()


def routine_night(started: datetime) -> date | None:
    """The night a session started at ``started`` may be a routine before (``None``: none)."""
    if started.hour >= ROUTINE_FROM_HOUR:
        return started.date()
    if started.hour < ROUTINE_UNTIL_HOUR:
        return started.date() - _DAY
    return None


def tonight(moment: datetime) -> date:
    """The night whose bedtime is now or next at ``moment`` (its evening's date): "tonight".

    A bedtime routine counts for night D until 03:00 on D+1
    (:data:`ROUTINE_UNTIL_HOUR`), so until then "tonight" is still the night of
    D; from 03:00 it is the coming evening's night. In the morning the night
    that is ending is *last night* (:func:`last_night`), never tonight: what
    is still to do is all for the coming evening.
    """
    return (moment - timedelta(hours=ROUTINE_UNTIL_HOUR)).date()


def last_night(moment: datetime) -> date:
    """The night a check-in asks about at ``moment``: the one before :func:`tonight`.

    In the morning, the one that began yesterday evening. Between midnight and
    03:00 the night that began yesterday evening is still tonight (its bedtime
    may be under way), so "last night" is the one before it: a check-in never
    asks about, or records, a night not yet over.
    """
    return tonight(moment) - _DAY


def not_before_night(routine: Routine) -> bool:
    """Whether sessions of ``routine`` never count as a routine before the night
    (a routine for the moment, or daytime advice)."""
    return routine.urgent or DAYTIME_TAG in routine.tags


def excluded_routines(entries: Iterable[Any]) -> set[str]:
    """The ids of the library entries (:class:`~stretch_coach.routine.library.Entry`) whose
    sessions are not a routine before the night; a routine no longer in the library
    counts as one."""
    return {
        entry.id
        for entry in entries
        if entry.routine is not None and not_before_night(entry.routine)
    }


@dataclass(frozen=True)
class Night:
    """One known night.

    Attributes:
        night: its evening's date.
        cramps: cramps logged in it.
        checked_in: a "no cramps" check-in was recorded for it.
        routine_before: a routine was done before it (see the module's rules).
    """

    night: date
    cramps: int
    checked_in: bool
    routine_before: bool

    @property
    def cramp(self) -> bool:
        """Whether it is a cramp night (a cramp logged beats a "none" check-in)."""
        return self.cramps > 0


@dataclass(frozen=True)
class SessionStart:
    """What :func:`known_nights` needs of a session."""

    started_at: datetime  #: the wall-clock time where it was recorded
    routine_id: str
    counts: bool  #: by :func:`stretch_coach.history.stats.counts`


def known_nights(
    sessions: Iterable[SessionStart],
    cramps: Iterable[datetime],
    checkins: Iterable[date],
    *,
    excluded_routines: Collection[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> dict[date, Night]:
    """The known nights, by evening date, each with its cramps and whether a routine came before.

    Args:
        sessions: the sessions (any order; those that cannot be a routine
            before a night are left out here).
        cramps: when each diary entry happened (wall-clock time where logged).
        checkins: the nights with a "no cramps" check-in.
        excluded_routines: ids of routines whose sessions are not a routine
            before the night (see :func:`not_before_night`).
        since: only nights from this evening on.
        until: only nights up to this evening.
    """
    first_cramp: dict[date, datetime] = {}
    counted: dict[date, int] = {}
    for moment in cramps:
        night = night_of(moment)
        if night is None or not _within(night, since, until):
            continue
        counted[night] = counted.get(night, 0) + 1
        if night not in first_cramp or moment < first_cramp[night]:
            first_cramp[night] = moment
    quiet = {night for night in checkins if _within(night, since, until)}
    known = quiet | counted.keys()
    before: set[date] = set()
    for session in sessions:
        if not session.counts or session.routine_id in excluded_routines:
            continue
        night = routine_night(session.started_at)
        if night is None or night not in known or night in before:
            continue
        first = first_cramp.get(night)
        if first is None or session.started_at < first:
            before.add(night)
    return {
        night: Night(night, counted.get(night, 0), night in quiet, night in before)
        for night in sorted(known)
    }


def _within(night: date, since: date | None, until: date | None) -> bool:
    return (since is None or night >= since) and (until is None or night <= until)
