"""What the history store hands out: plain frozen records, no database in them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from stretch_coach.history.insight import Comparison

#: How a session ended, as the engine reports it.
Ending = Literal["finished", "stopped", "interrupted"]
#: The stored status: an ending, or ``in_progress`` for a session never ended
#: (still running elsewhere, or its program was killed).
Status = Literal["in_progress", "finished", "stopped", "interrupted"]
ENDINGS: tuple[Ending, ...] = ("finished", "stopped", "interrupted")

#: How each status reads in lists; a session never ended reads as not finished.
STATUS_LABELS: Mapping[str, str] = {
    "finished": "finished",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "in_progress": "not finished",
}


@dataclass(frozen=True)
class SessionInfo:
    """One recorded session, as far as it got.

    Times are the wall-clock times where the session was recorded.
    """

    id: int
    uuid: str
    routine_id: str
    title: str
    content_hash: str
    started_at: datetime
    ended_at: datetime | None
    last_recorded_at: datetime  #: the latest write: end, last step, or start
    planned_seconds: float
    done_seconds: float  #: active seconds of the steps recorded, plus the part of the last one
    steps_done: int
    steps_skipped: int
    status: Status
    #: Whether the session counts (streak, calendar, report): at least half of
    #: it was done, see :func:`stretch_coach.history.stats.counts`.
    counts: bool = False
    #: The effort and pain ratings (0 to 10) given at the summary, if any.
    effort: int | None = None
    pain: int | None = None

    @property
    def finished(self) -> bool:
        """Whether the routine was played to the end."""
        return self.status == "finished"

    @property
    def label(self) -> str:
        """How the session ended, in words (``not finished`` if it never ended)."""
        return STATUS_LABELS[self.status]

    @property
    def day(self) -> date:
        """The calendar day the session started on."""
        return self.started_at.date()


@dataclass(frozen=True)
class StepInfo:
    """One step of a session, recorded when it ended."""

    seq: int  #: order in which steps were recorded, from 1
    step_index: int  #: the step's position in the routine, as the engine numbers it
    name: str
    outcome: Literal["done", "skipped"]
    seconds: float  #: active seconds spent on it
    at: datetime


@dataclass(frozen=True)
class Cramp:
    """A cramp diary entry.

    ``id`` and ``uuid`` are ``None`` until the store saves it; ``id`` is the
    short number people type, ``uuid`` identifies the entry across machines.
    """

    at: datetime  #: aware; the wall-clock time where it happened
    duration_seconds: float | None = None
    severity: int | None = None  #: 0 to 10
    leg: str | None = None  #: left, right, both
    muscle: str | None = None  #: calf, thigh, foot, other
    woke: bool = False  #: the cramp woke the person
    symptoms: tuple[str, ...] = ()
    note: str | None = None
    id: int | None = None
    uuid: str | None = None

    @property
    def day(self) -> date:
        """The calendar day of the cramp."""
        return self.at.date()


@dataclass(frozen=True)
class RoutineTotals:
    """How often one routine was played in a period."""

    routine_id: str
    title: str  #: as of its latest session
    sessions: int
    finished: int
    done_seconds: float
    first_day: date
    last_day: date
    counted: int = 0  #: sessions that count (at least half done)


@dataclass(frozen=True)
class DayActivity:
    """Everything recorded on one calendar day, for a calendar or heat map."""

    day: date
    sessions: int = 0  #: sessions started, however they ended
    finished: int = 0  #: sessions played to the end
    cramps: int = 0
    counted: int = 0  #: sessions that count (at least half done, however they ended)
    worst_severity: int | None = None  #: highest severity logged that day
    #: Cramps in the night that began this evening, or in this afternoon
    #: (see :func:`stretch_coach.history.nights.evening_of`): the calendar's mark.
    night_cramps: int = 0
    #: A "no cramps" check-in was recorded for the night that began this evening.
    checked_in: bool = False

    @property
    def night(self) -> str | None:
        """The night that began this evening: ``cramp``, ``quiet`` (checked in, no
        cramp logged) or ``None`` (unknown)."""
        if self.night_cramps:
            return "cramp"
        return "quiet" if self.checked_in else None


@dataclass(frozen=True)
class WeekActivity:
    """One ISO week (Monday to Sunday)."""

    start: date  #: the Monday
    cramps: int = 0
    sessions: int = 0
    days_stretched: int = 0  #: days with a session that counts


@dataclass(frozen=True)
class Adherence:
    """Days with a session that counts out of the days so far of a period."""

    start: date
    days_done: int
    days: int  #: days from ``start`` to today, both included

    @property
    def ratio(self) -> float:
        """``days_done / days`` (0 for an empty period)."""
        return self.days_done / self.days if self.days else 0.0


@dataclass(frozen=True)
class Overview:
    """All a history screen needs, from one call of :meth:`HistoryStore.overview`."""

    today: date
    days: Mapping[date, DayActivity]  #: only days with something recorded
    weeks: tuple[WeekActivity, ...]  #: every week from the first record to this one, oldest first
    streak: int  #: days in a row with a session that counts, up to today or yesterday
    this_week: Adherence
    this_month: Adherence
    recent: tuple[SessionInfo, ...] = field(default=())  #: newest first
    total_sessions: int = 0
    total_cramps: int = 0
    #: Cramp nights with and without a routine before them (``None``: not asked for).
    insight: Comparison | None = None


def cramp_to_json(cramp: Cramp) -> dict[str, Any]:
    """A diary entry as JSON-ready values (``at`` in ISO 8601 with its offset)."""
    return {
        "id": cramp.id,
        "uuid": cramp.uuid,
        "at": cramp.at.isoformat(),
        "duration_seconds": cramp.duration_seconds,
        "severity": cramp.severity,
        "leg": cramp.leg,
        "muscle": cramp.muscle,
        "woke": cramp.woke,
        "symptoms": list(cramp.symptoms),
        "note": cramp.note,
    }


def session_to_json(session: SessionInfo) -> dict[str, Any]:
    """A session as JSON-ready values (times in ISO 8601 with their offset)."""
    return {
        "id": session.id,
        "uuid": session.uuid,
        "routine_id": session.routine_id,
        "title": session.title,
        "content_hash": session.content_hash,
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "last_recorded_at": session.last_recorded_at.isoformat(),
        "planned_seconds": session.planned_seconds,
        "done_seconds": session.done_seconds,
        "steps_done": session.steps_done,
        "steps_skipped": session.steps_skipped,
        "status": session.status,
        "finished": session.finished,
        "counts": session.counts,
        "effort": session.effort,
        "pain": session.pain,
    }
