"""What the programs a person follows ask of them on a day, and which stage a session plays.

A program day runs from 03:00 to 03:00 local time (:data:`DAY_START_HOUR`),
so a session at 00:30 belongs to the evening before. Week 1 of a program is
its start day and the six days after it; week ``w`` is done in the stage
whose weeks cover ``w`` (after the last stage, ``keep`` goes on with it and
``stop`` makes the program complete).

A schedule of ``N per day`` is due N times every day; ``N per week`` spreads
its N sessions over the program week's days as evenly as whole days allow,
from the week's first day (see :meth:`~stretch_coach.routine.program.Schedule.due_on`).
Done counts only sessions that count (the history's rule) played from that
program, on that program day, or in that program week.

Nothing here imports Textual: the CLI's ``today`` and the coach's "Today"
entry both ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from stretch_coach.errors import UserError

if TYPE_CHECKING:
    from stretch_coach.history.store import HistoryStore
    from stretch_coach.routine.library import Entry, Library
    from stretch_coach.routine.stages import ProgramEntry

#: The hour a program day starts at, local time.
DAY_START_HOUR = 3

Status = Literal["upcoming", "active", "complete"]


def now() -> datetime:
    """The current time, aware, in the local time zone."""
    from stretch_coach.history import times

    return times.now()


def program_day(moment: datetime) -> date:
    """The program day ``moment`` belongs to (a day runs from 03:00 to 03:00)."""
    return (moment - timedelta(hours=DAY_START_HOUR)).date()


def week_of(start: date, day: date) -> int:
    """The program week ``day`` falls in, for a program started on ``start`` (0 before it)."""
    if day < start:
        return 0
    return (day - start).days // 7 + 1


def _parse(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r}: not a date; write it as 2026-11-02") from None
    if day.year < 1900:
        raise UserError(f"{option} {text!r}: before 1900; check the year")
    return day


def parse_start(text: str) -> date:
    """``follow --start``'s day (a day to come is fine: the program is then upcoming)."""
    return _parse(text, "--start")


def parse_day_option(text: str) -> date:
    """``today --date``'s day."""
    return _parse(text, "--date")


def _store(create: bool) -> HistoryStore:
    from stretch_coach.history.store import HistoryStore

    return HistoryStore.open(create=create)


def follow(program_id: str, start: date, store: HistoryStore | None = None) -> None:
    """Keep in the history that ``program_id`` is followed from ``start``."""
    own = store is None
    store = store or _store(create=True)
    try:
        store.follow(program_id, start)
    finally:
        if own:
            store.close()


def unfollow(program_id: str, store: HistoryStore | None = None) -> bool:
    """Stop following ``program_id``; whether it was followed."""
    own = store is None
    store = store or _store(create=True)
    try:
        return store.unfollow(program_id)
    finally:
        if own:
            store.close()


@dataclass(frozen=True)
class Due:
    """One followed program on one day (what ``today`` shows).

    ``week`` and ``stage`` count from 1; ``week`` is ``None`` before the
    start day, ``stage`` is ``None`` once a ``stop`` program is complete.
    """

    program: str
    title: str
    start: date
    week: int | None
    weeks: int
    stage: int | None
    routine: str | None
    routine_title: str | None
    changes: str
    changes_json: dict[str, dict[str, float | int]]
    total_seconds: float
    untimed_steps: int
    due_today: int
    done_today: int
    due_this_week: int
    done_this_week: int
    status: Status

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "week": self.week,
            "stage": self.stage,
            "routine": self.routine,
            "changes": self.changes_json,
            "total_seconds": self.total_seconds,
            "untimed_steps": self.untimed_steps,
            "due_today": self.due_today,
            "done_today": self.done_today,
            "due_this_week": self.due_this_week,
            "done_this_week": self.done_this_week,
            "status": self.status,
        }

    @property
    def left_today(self) -> int:
        """Sessions still due today."""
        return max(0, self.due_today - self.done_today)

    def headline(self) -> str:
        """``Wall stretch (wall-program): week 2 of 4, stage 2``, or its status."""
        name = f"{self.title} ({self.program})"
        if self.status == "upcoming":
            return f"{name}: starts on {self.start.isoformat()}"
        if self.status == "complete":
            weeks = f"{self.weeks} week{'s' if self.weeks != 1 else ''}"
            return f"{name}: complete (it ended after {weeks})"
        past = " (the last stage goes on)" if self.week and self.week > self.weeks else ""
        return f"{name}: week {self.week} of {self.weeks}{past}, stage {self.stage}"


def due_on(entry: ProgramEntry, start: date, day: date, done: list[date] | None = None) -> Due:
    """What program ``entry``, followed from ``start``, asks on ``day``.

    Args:
        done: the program days of its sessions that count.
    """
    from stretch_coach.routine.program import changes_json
    from stretch_coach.routine.stages import changes_text
    from stretch_coach.timeline import plan_total

    program = entry.program
    assert program is not None and entry.valid
    done = done or []
    week = week_of(start, day)
    status: Status = "active"
    if week == 0:
        status = "upcoming"
    stage = entry.stage_for_week(max(week, 1))
    if stage is None:
        status = "complete"
    week_start = start + timedelta(days=7 * (max(week, 1) - 1))
    week_end = week_start + timedelta(days=6)
    due_today = due_week = 0
    if status == "active":
        due_today = program.schedule.due_on((day - week_start).days)
        due_week = program.schedule.per_week
    total, untimed = plan_total(stage.entry) if stage is not None else (0.0, 0)
    return Due(
        program=entry.id,
        title=entry.title,
        start=start,
        week=week or None,
        weeks=program.weeks,
        stage=stage.number if stage is not None else None,
        routine=stage.routine.id if stage is not None else None,
        routine_title=stage.routine.title if stage is not None else None,
        changes=changes_text(stage) if stage is not None else "",
        changes_json=changes_json(stage.stage.changes) if stage is not None else {},
        total_seconds=total,
        untimed_steps=untimed,
        due_today=due_today,
        done_today=sum(1 for d in done if d == day),
        due_this_week=due_week,
        done_this_week=sum(1 for d in done if week_start <= d <= week_end) if week else 0,
        status=status,
    )


def today(
    library: Library,
    day: date,
    store: HistoryStore | None = None,
    *,
    missing: list[str] | None = None,
) -> list[Due]:
    """Every followed program on ``day``, by program id.

    Args:
        missing: given, the ids of programs followed but not in the library (or
            invalid) are added to it; they are left out of the list.
    """
    own = store is None
    store = store or _store(create=False)
    try:
        out = []
        for followed in store.follows():
            entry = library.get_program(followed.program_id)
            if entry is None or not entry.valid:
                if missing is not None:
                    missing.append(followed.program_id)
                continue
            since = min(followed.start, day - timedelta(days=7))
            done = [
                program_day(s.started_at)
                for s in store.program_sessions(followed.program_id, since=since)
                if s.counts
            ]
            out.append(due_on(entry, followed.start, day, done))
        return out
    finally:
        if own:
            store.close()


def trial_tonight(
    moment: datetime, store: HistoryStore | None = None, *, short: bool = False
) -> str | None:
    """Which tonight is in the personal trial, in words (``None``: it asks nothing tonight).

    ``today`` says it in the sentence ``trial status`` says, beside what the
    programs ask; the coach's library ``short``, under its list. "Tonight" is
    :func:`stretch_coach.history.nights.tonight` (in the morning, the coming
    evening's night), and a trial stopped, ended or not yet begun says nothing.
    """
    from stretch_coach.history.nights import tonight
    from stretch_coach.history.trial import tonight_label, tonight_words

    own = store is None
    store = store or _store(create=False)
    try:
        trial = store.latest_trial()
        if trial is None:
            return None
        return (tonight_label if short else tonight_words)(trial, tonight(moment))
    finally:
        if own:
            store.close()


def due_entries(
    library: Library, day: date, store: HistoryStore | None = None
) -> list[tuple[Due, Entry]]:
    """The programs with a session still due on ``day``, each with the entry it plays
    (what the coach's "Today" entry starts). Never raises: a history that cannot be
    read, or anything else amiss, means nothing is shown as due."""
    try:
        out = []
        for due in today(library, day, store):
            entry = library.get_program(due.program)
            if due.status != "active" or not due.left_today or entry is None or due.week is None:
                continue
            session = entry.session_entry(due.week)
            if session is not None:
                out.append((due, session))
        return out
    except Exception:
        return []


def start_of(program_id: str, store: HistoryStore | None = None) -> date | None:
    """The start day of ``program_id`` if it is followed."""
    own = store is None
    store = store or _store(create=False)
    try:
        for followed in store.follows():
            if followed.program_id == program_id:
                return followed.start
        return None
    finally:
        if own:
            store.close()


@dataclass(frozen=True)
class Playable:
    """What ``run`` plays: an entry, and for a program, a line saying which week and stage."""

    entry: Entry
    note: str | None = None


def playable(library: Library, ref: str, day: date | None = None) -> Playable:
    """The routine, or today's stage of the program, that ``ref`` names.

    A program followed plays the stage of its current week; one not followed
    (or not started yet) plays its first stage, and says so.

    Raises:
        UserError: nothing by that name, or a ``stop`` program already complete.
        RoutineError: it is invalid.
    """
    from stretch_coach.routine.stages import ProgramEntry

    found = library.find_any(ref)
    if not isinstance(found, ProgramEntry):
        return Playable(found)
    day = day or program_day(now())
    try:
        start = start_of(found.id)
    except UserError:
        start = None  # a history that cannot be read: play the first stage
    week = week_of(start, day) if start is not None else 0
    if week == 0:
        entry = found.session_entry(1)
        assert entry is not None
        why = "you do not follow it" if start is None else f"it starts on {start.isoformat()}"
        return Playable(entry, f"{found.title}: week 1, stage 1 ({why}).")
    entry = found.session_entry(week)
    if entry is None:
        weeks = f"{found.weeks} week{'s' if found.weeks != 1 else ''}"
        raise UserError(
            f"{found.title} is complete: it ended after {weeks}. "
            "'stretch-coach follow' with --start begins it again",
            exit_code=1,
        )
    assert entry.program is not None
    return Playable(entry, f"{found.title}: week {week}, stage {entry.program.stage}.")
