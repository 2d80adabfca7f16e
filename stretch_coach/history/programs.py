"""The programs a person follows, and the sessions played from them.

A followed program is one row of ``follows``: the program's id and its start
day (week 1 is that day and the six after it). Unfollowing marks the row
deleted rather than removing it, so an import of an older export does not
bring it back; following again brings the row back with its new start day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from stretch_coach.history import times
from stretch_coach.history.records import COUNTS, HistoryRecords, counting
from stretch_coach.history.salvage import readable


@dataclass(frozen=True)
class Follow:
    """A program followed from ``start``."""

    program_id: str
    start: date


@dataclass(frozen=True)
class ProgramSession:
    """A session played from a program, as far as ``today`` and the report need it.

    Attributes:
        started_at: when it started, as the wall-clock time where it was recorded.
        week, stage: the program week and stage it was played in (from 1).
        counts: whether it counts (the sessions' rule, :func:`stats.counts`).
    """

    started_at: datetime
    week: int | None
    stage: int | None
    counts: bool
    effort: int | None = None  #: 0 to 10, given at the summary
    pain: int | None = None
    reps_counted: int | None = None  #: repetitions counted with ``c``


class HistoryPrograms(HistoryRecords):
    """Following programs, and reading back the sessions played from them.

    These read only the rows they need, each checked as the store's views
    would check it (:func:`~stretch_coach.history.salvage.readable`), so that
    ``today`` with years of history does not first check every row of every
    table: an unreadable row is skipped here as it is everywhere.
    """

    @contextmanager
    def _reading_rows(self) -> Iterator[sqlite3.Connection]:
        """The connection, to read a few rows by their index (no views made)."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as err:
                raise self._failed("read", err) from err

    def rate_session(
        self, session_id: int, *, effort: int | None = None, pain: int | None = None
    ) -> None:
        """Keep the effort and pain ratings (0 to 10) given at a session's summary.

        A rating not given (``None``) leaves what is stored.
        """
        for name, value in (("effort", effort), ("pain", pain)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10
            ):
                raise ValueError(f"{name} must be a whole number from 0 to 10, not {value!r}")
        self._execute(
            "UPDATE sessions SET effort = coalesce(?, effort), pain = coalesce(?, pain)"
            " WHERE id = ?",
            (effort, pain, session_id),
        )

    def count_reps(self, session_id: int, reps: int) -> None:
        """Keep how many repetitions were counted with ``c`` in a session."""
        if isinstance(reps, bool) or not isinstance(reps, int) or reps < 0:
            raise ValueError(f"reps must be a whole number from 0, not {reps!r}")
        self._execute("UPDATE sessions SET reps_counted = ? WHERE id = ?", (reps, session_id))

    def follow(self, program_id: str, start: date) -> Follow:
        """Follow ``program_id`` from ``start`` (again, if it was followed before)."""
        now = times.change_stamp()
        self._execute(
            "INSERT INTO follows (program_id, start_day, created_at, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (program_id) DO UPDATE SET"
            " start_day = excluded.start_day, updated_at = excluded.updated_at, deleted_at = NULL",
            (program_id, start.isoformat(), now, now),
        )
        return Follow(program_id, start)

    def unfollow(self, program_id: str) -> bool:
        """Stop following ``program_id``; whether it was followed."""
        now = times.change_stamp()
        cursor = self._execute(
            "UPDATE follows SET deleted_at = ?, updated_at = ?"
            " WHERE program_id = ? AND deleted_at IS NULL",
            (now, now, program_id),
        )
        return cursor.rowcount > 0

    def follows(self) -> list[Follow]:
        """The programs followed, by program id."""
        with self._reading_rows() as conn:
            rows = conn.execute(
                "SELECT program_id, start_day FROM main.follows WHERE deleted_at IS NULL"
                f" AND {readable('follows')} ORDER BY program_id"
            ).fetchall()
        return [Follow(program_id, date.fromisoformat(start)) for program_id, start in rows]

    def program_sessions(
        self, program_id: str, *, since: date | None = None
    ) -> list[ProgramSession]:
        """The sessions played from ``program_id``, oldest first, each with whether it counts.

        Args:
            since: only those started on this local day or later (a day
                earlier is included as well, for a day that starts at 03:00).
        """
        where = f"program_id = ? AND {readable('sessions')}"
        params: list[object] = [program_id]
        if since is not None:
            # Wide by two days: any zone's local day, and the hours before 03:00.
            where += " AND started_at >= ?"
            params.append(times.utc_text(times.day_start(since) - timedelta(days=2)))
        steps = (
            "(SELECT * FROM main.session_steps WHERE session_id IN"
            f" (SELECT id FROM main.sessions WHERE {where}) AND {readable('session_steps')})"
        )
        with self._reading_rows() as conn:
            rows = conn.execute(
                "SELECT s.started_at, s.utc_offset, s.program_week, s.program_stage,"
                f" s.effort, s.pain, s.reps_counted, {COUNTS}"
                f" FROM (SELECT * FROM main.sessions WHERE {where}) AS s"
                f" LEFT JOIN ({counting(steps)}) AS c ON c.session_id = s.id"
                " ORDER BY s.started_at, s.id",
                params * 2,
            ).fetchall()
        return [
            ProgramSession(
                times.local(started, offset), week, stage, bool(counts), effort, pain, reps
            )
            for started, offset, week, stage, effort, pain, reps, counts in rows
        ]
