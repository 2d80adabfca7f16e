"""The records themselves: sessions as they are played, their steps, and the cramp diary.

Every call is its own committed write, so a crash or ``kill -9`` loses at most
the step in progress and leaves the session ``in_progress``, which is shown as
not finished.
"""

from __future__ import annotations

import math
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from stretch_coach.history import times
from stretch_coach.history.db import HistoryDatabase
from stretch_coach.history.errors import HistoryError
from stretch_coach.history.model import ENDINGS, Cramp, Ending, SessionInfo, StepInfo
from stretch_coach.history.nights import ANSWERS


class HistoryRecords(HistoryDatabase):
    """Sessions and diary entries, one record at a time."""

    # -- sessions ----------------------------------------------------------

    def start_session(
        self,
        routine_id: str,
        title: str,
        content_hash: str,
        planned_seconds: float,
        started_at: datetime | None = None,
        *,
        planned_self_paced: int | None = None,
        program: tuple[str, int, int] | None = None,
    ) -> SessionRecord:
        """Record that a session has begun; returns the record to report its steps to.

        Args:
            routine_id: the routine's id.
            title: its title, as shown.
            content_hash: :func:`content_hash` of the routine file.
            planned_seconds: the routine's planned length (0 if it has untimed steps only).
            started_at: when it started; default now.
            planned_self_paced: how many self-paced steps the routine has;
                ``None`` when the steps will not say their kind (the session
                then counts by its share of steps done).
            program: for a session of a program's stage: the program's id,
                the week and the stage (from 1).
        """
        _check_seconds("planned_seconds", planned_seconds)
        if planned_self_paced is not None and (
            isinstance(planned_self_paced, bool) or planned_self_paced < 0
        ):
            raise ValueError(f"planned_self_paced must be >= 0, not {planned_self_paced!r}")
        started, offset = times.stamp(started_at or times.now())
        session_uuid = str(uuidlib.uuid4())
        program_id, week, stage = program if program is not None else (None, None, None)
        cursor = self._execute(
            "INSERT INTO sessions (uuid, routine_id, title, content_hash, started_at, utc_offset,"
            " planned_seconds, planned_self_paced, program_id, program_week, program_stage)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_uuid,
                routine_id,
                title,
                content_hash,
                started,
                offset,
                planned_seconds,
                planned_self_paced,
                program_id,
                week,
                stage,
            ),
        )
        assert cursor.lastrowid is not None
        return SessionRecord(self, cursor.lastrowid, session_uuid)

    def sessions(self, *, since: date | None = None, limit: int | None = None) -> list[SessionInfo]:
        """Recorded sessions, newest first.

        Args:
            since: only those started on this day or later.
            limit: at most this many (the newest).
        """
        where, params = _since("started_at", since)
        chosen = (
            f"SELECT * FROM ok_sessions WHERE {where} ORDER BY started_at DESC, id DESC"
            f" LIMIT {-1 if limit is None else int(limit):d}"
        )
        with self._reading() as conn:
            rows = conn.execute(_session_query(chosen), params).fetchall()
        return [_session_info(row) for row in rows]

    def session(self, session_id: int) -> SessionInfo:
        """One session by its number.

        Raises:
            HistoryError: if there is none.
        """
        with self._reading() as conn:
            row = conn.execute(
                _session_query("SELECT * FROM ok_sessions WHERE id = ?"), (session_id,)
            ).fetchone()
        if row is None:
            raise HistoryError(f"there is no session #{session_id} in {self.where}")
        return _session_info(row)

    def session_steps(self, session_id: int) -> list[StepInfo]:
        """The steps recorded for a session, in the order they were recorded."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT st.seq, st.step_index, st.name, st.outcome, st.seconds, st.at, s.utc_offset"
                " FROM ok_steps AS st JOIN ok_sessions AS s ON s.id = st.session_id"
                " WHERE st.session_id = ? ORDER BY st.seq",
                (session_id,),
            ).fetchall()
        return [
            StepInfo(seq, index, name, outcome, seconds, times.local(at, offset))
            for seq, index, name, outcome, seconds, at, offset in rows
        ]

    # -- the cramp diary ---------------------------------------------------

    def add_cramp(self, cramp: Cramp) -> Cramp:
        """Save a diary entry (already checked, see :mod:`stretch_coach.history.diary`).

        Returns:
            The entry as saved, with its ``id`` and ``uuid``.
        """
        at, offset = times.stamp(cramp.at)
        now = times.change_stamp()
        entry_uuid = cramp.uuid or str(uuidlib.uuid4())
        cursor = self._execute(
            "INSERT INTO cramps (uuid, at, utc_offset, duration_seconds, severity, leg, muscle,"
            " woke, symptoms, note, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_uuid, at, offset, *_cramp_fields(cramp), now, now),
        )
        return replace(cramp, at=times.local(at, offset), id=cursor.lastrowid, uuid=entry_uuid)

    def cramp(self, cramp_id: int) -> Cramp:
        """One diary entry by its number.

        Raises:
            HistoryError: if there is none (or it was deleted).
        """
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_CRAMP_COLUMNS} FROM ok_cramps WHERE id = ? AND deleted_at IS NULL",
                (cramp_id,),
            ).fetchone()
        if row is None:
            raise HistoryError(
                f"there is no diary entry #{cramp_id}; `stretch-coach diary list` shows the numbers"
            )
        return _cramp(row)

    def update_cramp(self, cramp: Cramp) -> Cramp:
        """Replace the fields of the entry numbered ``cramp.id`` with ``cramp``'s.

        Raises:
            HistoryError: if there is no such entry.
        """
        if cramp.id is None:
            raise ValueError("update_cramp needs an entry with an id")
        at, offset = times.stamp(cramp.at)
        self._execute(
            "UPDATE cramps SET at = ?, utc_offset = ?, duration_seconds = ?, severity = ?,"
            " leg = ?, muscle = ?, woke = ?, symptoms = ?, note = ?, updated_at = ?"
            " WHERE id = ? AND deleted_at IS NULL",
            (at, offset, *_cramp_fields(cramp), times.change_stamp(), cramp.id),
        )
        return self.cramp(cramp.id)  # raises "no such entry" if nothing was updated

    def delete_cramp(self, cramp_id: int) -> Cramp:
        """Delete a diary entry; returns it as it was.

        The row is only marked deleted, so that importing an older export does
        not bring it back.

        Raises:
            HistoryError: if there is no such entry.
        """
        entry = self.cramp(cramp_id)
        now = times.change_stamp()
        self._execute(
            "UPDATE cramps SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (now, now, cramp_id),
        )
        return entry

    def cramps(self, *, since: date | None = None, until: datetime | None = None) -> list[Cramp]:
        """Diary entries, oldest first.

        Args:
            since: only those on this day or later.
            until: only those at or before this time.
        """
        where, params = _since("at", since)
        if until is not None:
            where += " AND at <= ?"
            params.append(times.utc_text(until))
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_CRAMP_COLUMNS} FROM ok_cramps WHERE {where} AND deleted_at IS NULL"
                " ORDER BY at, id",
                params,
            ).fetchall()
        return [_cramp(row) for row in rows]

    def first_cramp(self) -> Cramp | None:
        """The earliest diary entry, if any."""
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_CRAMP_COLUMNS} FROM ok_cramps WHERE deleted_at IS NULL"
                " ORDER BY at, id LIMIT 1"
            ).fetchone()
        return _cramp(row) if row else None

    # -- morning check-ins ---------------------------------------------------

    def check_in(self, night: date, answer: str = "none") -> bool:
        """Record the morning check-in for ``night`` (its evening's date): no cramps in it.

        One check-in a night: recording it again changes nothing; one undone
        before is recorded again.

        Returns:
            Whether anything changed (``False``: it was already recorded).
        """
        if answer not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}, not {answer!r}")
        now = times.change_stamp()
        with self._writing() as conn:
            found = conn.execute(
                "SELECT answer, deleted_at FROM checkins WHERE night = ?", (night.isoformat(),)
            ).fetchone()
            if found is None:
                conn.execute(
                    "INSERT INTO checkins (uuid, night, answer, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (str(uuidlib.uuid4()), night.isoformat(), answer, now, now),
                )
                return True
            if found[0] == answer and found[1] is None:
                return False
            conn.execute(
                "UPDATE checkins SET answer = ?, deleted_at = NULL, updated_at = ? WHERE night = ?",
                (answer, now, night.isoformat()),
            )
            return True

    def undo_check_in(self, night: date) -> bool:
        """Take back the check-in for ``night``; whether there was one.

        The row is only marked deleted, so that importing an older export
        does not bring it back.
        """
        now = times.change_stamp()
        cursor = self._execute(
            "UPDATE checkins SET deleted_at = ?, updated_at = ? WHERE night = ?"
            " AND deleted_at IS NULL",
            (now, now, night.isoformat()),
        )
        return cursor.rowcount > 0

    def checked_in_nights(self, *, since: date | None = None) -> list[date]:
        """The nights with a "no cramps" check-in, oldest first.

        Args:
            since: only nights from this evening on.
        """
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT night FROM ok_checkins WHERE deleted_at IS NULL AND night >= ?"
                " ORDER BY night",
                (since.isoformat() if since else "",),
            ).fetchall()
        return [date.fromisoformat(night) for (night,) in rows]


class SessionRecord:
    """A session being recorded; each call is committed at once.

    Use it as a context manager to have a session that ends by an exception
    recorded as ``interrupted``::

        with store.start_session(...) as record:
            ...
            record.finish("finished")
    """

    def __init__(self, store: HistoryRecords, session_id: int, session_uuid: str) -> None:
        self._store = store
        self.id = session_id
        self.uuid = session_uuid
        self._ended = False

    @property
    def ended(self) -> bool:
        """Whether :meth:`finish` has been called."""
        return self._ended

    def step_done(
        self,
        step_index: int,
        name: str,
        seconds: float,
        *,
        at: datetime | None = None,
        planned: float | None = None,
        self_paced: bool | None = None,
    ) -> None:
        """Record a step played to its end.

        Args:
            step_index: its position in the routine, as the engine numbers steps.
            name: the step's name.
            seconds: active time spent on it.
            at: when it ended; default now.
            planned: a timed step's planned seconds (``None`` for a self-paced one).
            self_paced: whether the step is self-paced; ``None``: not known.
        """
        self._step(step_index, name, "done", seconds, at, planned, self_paced)

    def step_skipped(
        self,
        step_index: int,
        name: str,
        seconds: float = 0.0,
        *,
        at: datetime | None = None,
        planned: float | None = None,
        self_paced: bool | None = None,
    ) -> None:
        """Record a step the user skipped, after ``seconds`` of active time on it.

        ``at``, ``planned`` and ``self_paced`` as for :meth:`step_done`.
        """
        self._step(step_index, name, "skipped", seconds, at, planned, self_paced)

    def _step(
        self,
        step_index: int,
        name: str,
        outcome: str,
        seconds: float,
        at: datetime | None,
        planned: float | None,
        self_paced: bool | None,
    ) -> None:
        self._check_open()
        _check_seconds("seconds", seconds)
        kind = None if self_paced is None else ("self_paced" if self_paced else "timed")
        if kind == "timed":
            _check_seconds("planned", planned if planned is not None else 0.0)
        else:
            planned = None
        self._store._execute(
            "INSERT INTO session_steps (session_id, seq, step_index, name, outcome, seconds, at,"
            " kind, planned_seconds)"
            " SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM session_steps"
            " WHERE session_id = ?",
            (
                self.id,
                step_index,
                name,
                outcome,
                seconds,
                times.utc_text(at or times.now()),
                kind,
                planned if planned is not None else (0.0 if kind == "timed" else None),
                self.id,
            ),
        )

    def finish(
        self, how: Ending, *, partial_seconds: float = 0.0, ended_at: datetime | None = None
    ) -> SessionInfo:
        """Record how the session ended.

        Args:
            how: ``finished`` (played to the end), ``stopped`` (the user
                stopped it) or ``interrupted`` (something else ended it).
            partial_seconds: active time spent on the step in progress, which
                was neither done nor skipped.
            ended_at: when; default now.

        Returns:
            The session as recorded.
        """
        if how not in ENDINGS:
            raise ValueError(f"how must be one of {ENDINGS}, not {how!r}")
        _check_seconds("partial_seconds", partial_seconds)
        self._check_open()
        self._store._execute(
            "UPDATE sessions SET status = ?, ended_at = ?, partial_seconds = ?"
            " WHERE id = ? AND status = 'in_progress'",
            (how, times.utc_text(ended_at or times.now()), partial_seconds, self.id),
        )
        self._ended = True
        return self.info()

    def info(self) -> SessionInfo:
        """The session as recorded so far."""
        return self._store.session(self.id)

    def _check_open(self) -> None:
        if self._ended:
            raise HistoryError(f"session #{self.id} has already ended")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and not self._ended:
            self.finish("interrupted")


# -- rows <-> records ------------------------------------------------------

_CRAMP_COLUMNS = (
    "id, uuid, at, utc_offset, duration_seconds, severity, leg, muscle, woke, symptoms, note"
)


def _cramp(row: Sequence[Any]) -> Cramp:
    cramp_id, cramp_uuid, at, offset, duration, severity, leg, muscle, woke, symptoms, note = row
    return Cramp(
        at=times.local(at, offset),
        duration_seconds=duration,
        severity=severity,
        leg=leg,
        muscle=muscle,
        woke=bool(woke),
        symptoms=tuple(symptoms.split(",")) if symptoms else (),
        note=note,
        id=cramp_id,
        uuid=cramp_uuid,
    )


def _cramp_fields(cramp: Cramp) -> tuple[Any, ...]:
    """The stored fields after ``at`` and ``utc_offset``, up to ``note``."""
    return (
        cramp.duration_seconds,
        cramp.severity,
        cramp.leg,
        cramp.muscle,
        int(cramp.woke),
        ",".join(cramp.symptoms),
        cramp.note,
    )


def _session_query(chosen: str) -> str:
    """The sessions ``chosen`` (a SELECT from ``sessions``) with their step totals, newest first.

    Steps are summed only for the chosen sessions, so asking for the newest
    ten does not add up ten years of steps. A step played more than once (the
    user went back to it) counts once, by its latest outcome; its seconds all
    count, as time spent.
    """
    return (
        f"WITH s AS ({chosen}),"
        " rows AS (SELECT * FROM ok_steps WHERE session_id IN (SELECT id FROM s)),"
        # SQLite takes the bare column `outcome` from the row holding max(seq).
        " latest AS (SELECT session_id, outcome, max(seq) FROM rows"
        " GROUP BY session_id, step_index)"
        " SELECT s.id, s.uuid, s.routine_id, s.title, s.content_hash, s.started_at,"
        " s.utc_offset, s.ended_at, s.planned_seconds, s.partial_seconds, s.status,"
        " coalesce(o.done, 0), coalesce(o.skipped, 0), coalesce(t.seconds, 0), t.last,"
        f" {COUNTS}, s.effort, s.pain"
        f" FROM s LEFT JOIN ({counting('rows')}) AS c ON c.session_id = s.id"
        " LEFT JOIN (SELECT session_id, sum(seconds) AS seconds, max(at) AS last"
        " FROM rows GROUP BY session_id) AS t ON t.session_id = s.id"
        " LEFT JOIN (SELECT session_id, sum(outcome = 'done') AS done,"
        " sum(outcome = 'skipped') AS skipped FROM latest GROUP BY session_id) AS o"
        " ON o.session_id = s.id ORDER BY s.started_at DESC, s.id DESC"
    )


def _session_info(row: Sequence[Any]) -> SessionInfo:
    (
        session_id,
        session_uuid,
        routine_id,
        title,
        digest,
        started,
        offset,
        ended,
        planned,
        partial,
        status,
        done,
        skipped,
        step_seconds,
        last_step,
        counts,
        effort,
        pain,
    ) = row
    last = max(t for t in (started, ended, last_step) if t)
    return SessionInfo(
        id=session_id,
        uuid=session_uuid,
        routine_id=routine_id,
        title=title,
        content_hash=digest,
        started_at=times.local(started, offset),
        ended_at=times.local(ended, offset) if ended else None,
        last_recorded_at=times.local(last, offset),
        planned_seconds=planned,
        done_seconds=step_seconds + partial,
        steps_done=done,
        steps_skipped=skipped,
        status=status,
        counts=bool(counts),
        effort=effort,
        pain=pain,
    )


def counting(steps: str) -> str:
    """Per session of ``steps`` (a table or view of ``session_steps`` rows), the facts
    :func:`stats.stored_session_counts` judges by, as columns of a query
    (``session_id, timed_done, self_paced_done, steps_done, steps_known, seconds_spent``).

    A step played more than once (the user went back to it) is judged by its
    latest outcome, and its seconds add up to at most its planned length.
    """
    # SQLite takes the bare columns (outcome, kind, planned) from the row holding max(seq).
    per_step = (
        "SELECT session_id, step_index, outcome, kind, planned_seconds AS planned, max(seq),"
        f" sum(seconds) AS seconds FROM {steps} GROUP BY session_id, step_index"
    )
    return (
        "SELECT session_id,"
        " coalesce(sum(CASE WHEN kind = 'timed' THEN min(seconds, planned) END), 0)"
        " AS timed_done,"
        " sum(kind = 'self_paced' AND outcome = 'done') AS self_paced_done,"
        " sum(outcome = 'done') AS steps_done,"
        " max(count(*), max(step_index) + 1) AS steps_known,"
        " sum(seconds) AS seconds_spent"
        f" FROM ({per_step}) GROUP BY session_id"
    )


#: The SQL value of whether session ``s`` (joined with :func:`counting` as ``c``) counts.
COUNTS = (
    "session_counts(s.status, s.planned_seconds, s.partial_seconds, s.planned_self_paced,"
    " coalesce(c.timed_done, 0), coalesce(c.self_paced_done, 0), coalesce(c.steps_done, 0),"
    " coalesce(c.steps_known, 0), coalesce(c.seconds_spent, 0))"
)


def _since(column: str, since: date | None) -> tuple[str, list[Any]]:
    """An SQL condition (and its parameters) for ``column`` on or after the local day ``since``.

    Each record counts on its own local day, where it was recorded (its
    ``utc_offset``), whatever today's zone is. The first bound is only
    there to let SQLite skip older rows: it reaches back past any zone's
    midnight (UTC+14 to UTC-12).
    """
    if since is None:
        return "1", []
    wide = times.utc_text(times.day_start(since) - timedelta(days=2))
    return f"{column} >= ? AND date({column}, utc_offset || ' minutes') >= ?", [
        wide,
        since.isoformat(),
    ]


def _check_seconds(name: str, seconds: float) -> None:
    if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0, not {seconds!r}")
