"""Summaries over the history: days, routines, the streak, and a history screen's overview."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, timedelta

from stretch_coach.history import nights as night_rules
from stretch_coach.history import stats, times
from stretch_coach.history.insight import Comparison, compare_map
from stretch_coach.history.model import DayActivity, Overview, RoutineTotals
from stretch_coach.history.nights import Night
from stretch_coach.history.records import COUNTS, HistoryRecords, _since, counting


def _judged(where: str) -> str:
    """The sessions meeting ``where`` as ``s`` (their steps' facts as ``c``), each
    with ``counted`` (1 or 0) by :func:`stats.stored_session_counts`."""
    steps = (
        f"(SELECT * FROM ok_steps WHERE session_id IN (SELECT id FROM ok_sessions WHERE {where}))"
    )
    return (
        f"SELECT s.*, {COUNTS} AS counted FROM (SELECT * FROM ok_sessions WHERE {where}) AS s"
        f" LEFT JOIN ({counting(steps)}) AS c ON c.session_id = s.id"
    )


class HistoryQueries(HistoryRecords):
    """What the history screens and the report read: sums over many records."""

    # -- views -------------------------------------------------------------

    def activity_days(self, *, since: date | None = None) -> dict[date, DayActivity]:
        """Sessions and cramps per calendar day (days with nothing are left out).

        Each record counts on its own local day, where it was recorded.
        """
        session_where, session_params = _since("started_at", since)
        cramp_where, cramp_params = _since("at", since)
        with self._reading() as conn:
            session_rows = conn.execute(
                "SELECT date(started_at, utc_offset || ' minutes') AS day, count(*),"
                f" sum(status = 'finished'), sum(counted) FROM ({_judged(session_where)})"
                " GROUP BY day",
                session_params * 2,
            ).fetchall()
            cramp_rows = conn.execute(
                "SELECT date(at, utc_offset || ' minutes') AS day, count(*), max(severity)"
                f" FROM ok_cramps WHERE {cramp_where} AND deleted_at IS NULL GROUP BY day",
                cramp_params,
            ).fetchall()
            # Nights are named by their evening (see nights.evening_of): 12 hours back.
            evening_rows = conn.execute(
                "SELECT date(at, utc_offset || ' minutes', '-12 hours') AS evening, count(*)"
                f" FROM ok_cramps WHERE {cramp_where} AND deleted_at IS NULL"
                " GROUP BY evening HAVING evening >= ?",
                [*cramp_params, since.isoformat() if since else ""],
            ).fetchall()
            quiet_rows = conn.execute(
                "SELECT night FROM ok_checkins WHERE deleted_at IS NULL AND night >= ?",
                (since.isoformat() if since else "",),
            ).fetchall()
        days: dict[date, DayActivity] = {}
        for day_text, count, finished, counted in session_rows:
            day = date.fromisoformat(day_text)
            days[day] = DayActivity(day, sessions=count, finished=finished, counted=counted)
        for day_text, count, worst in cramp_rows:
            day = date.fromisoformat(day_text)
            days[day] = replace(days.get(day, DayActivity(day)), cramps=count, worst_severity=worst)
        for day_text, count in evening_rows:
            day = date.fromisoformat(day_text)
            days[day] = replace(days.get(day, DayActivity(day)), night_cramps=count)
        for (day_text,) in quiet_rows:
            day = date.fromisoformat(day_text)
            days[day] = replace(days.get(day, DayActivity(day)), checked_in=True)
        return days

    # -- nights ------------------------------------------------------------

    def nights(
        self, *, since: date | None = None, excluded_routines: Collection[str] = ()
    ) -> dict[date, Night]:
        """The known nights, by :func:`~stretch_coach.history.nights.known_nights` (the one rule).

        Args:
            since: only nights from this evening on.
            excluded_routines: ids of routines that are not a routine before
                the night (see :func:`~stretch_coach.history.nights.not_before_night`).
        """
        session_where, session_params = _since("started_at", since)
        # Only sessions that may be a routine before a night: read no others.
        local_hour = "strftime('%H', started_at, utc_offset || ' minutes')"
        session_where += (
            f" AND ({local_hour} >= '{night_rules.ROUTINE_FROM_HOUR:02d}'"
            f" OR {local_hour} < '{night_rules.ROUTINE_UNTIL_HOUR:02d}')"
        )
        cramp_where, cramp_params = _since("at", since)
        with self._reading() as conn:
            session_rows = conn.execute(
                f"SELECT started_at, utc_offset, routine_id FROM ({_judged(session_where)})"
                " WHERE counted",
                session_params * 2,
            ).fetchall()
            cramp_rows = conn.execute(
                f"SELECT at, utc_offset FROM ok_cramps WHERE {cramp_where} AND deleted_at IS NULL",
                cramp_params,
            ).fetchall()
        return night_rules.known_nights(
            (
                night_rules.SessionStart(times.local(started, offset), routine_id, True)
                for started, offset, routine_id in session_rows
            ),
            (times.local(at, offset) for at, offset in cramp_rows),
            self.checked_in_nights(since=since),
            excluded_routines=excluded_routines,
            since=since,
        )

    def insight(
        self, *, since: date | None = None, excluded_routines: Collection[str] = ()
    ) -> Comparison:
        """Cramp nights with and without a routine before them, over the known nights."""
        return compare_map(
            self.nights(since=since, excluded_routines=excluded_routines), since=since
        )

    def routine_totals(self, *, since: date | None = None) -> list[RoutineTotals]:
        """Per routine: sessions, finished and counted ones, active time, first and last day;
        most played first."""
        where, params = _since("started_at", since)
        local_day = "date(s.started_at, s.utc_offset || ' minutes')"
        with self._reading() as conn:
            rows = conn.execute(
                f"WITH s AS ({_judged(where)}),"
                " st AS (SELECT session_id, sum(seconds) AS seconds FROM ok_steps"
                " WHERE session_id IN (SELECT id FROM s) GROUP BY session_id)"
                # SQLite takes a bare column (title) from the row that gives max().
                " SELECT s.routine_id, s.title, max(s.started_at), count(*),"
                " sum(s.status = 'finished'), sum(s.partial_seconds + coalesce(st.seconds, 0)),"
                f" min({local_day}), max({local_day}), sum(s.counted)"
                " FROM s LEFT JOIN st ON st.session_id = s.id GROUP BY s.routine_id",
                params * 2,
            ).fetchall()
        totals = [
            RoutineTotals(
                routine_id,
                title,
                count,
                finished,
                seconds,
                date.fromisoformat(first),
                date.fromisoformat(last),
                counted,
            )
            for routine_id, title, _, count, finished, seconds, first, last, counted in rows
        ]
        return sorted(totals, key=lambda t: (-t.counted, -t.sessions, t.title))

    def overview(
        self, *, today: date | None = None, recent: int = 10, since: date | None = None
    ) -> Overview:
        """Everything a history screen shows, in one call.

        Args:
            today: the day to count the streak and this week and month up to; default today.
            recent: how many of the newest sessions to include.
            since: give ``days`` and ``weeks`` from this day only (a screen
                that shows the last weeks), or from the Monday of the month's
                first week if that is earlier; give a Monday for whole weeks.
                The streak, adherence and totals still count the whole
                history. Reading a window is quicker with years of records.
        """
        today = today or times.now().date()
        recent_sessions = tuple(self.sessions(limit=recent))
        if since is None:
            return stats.overview(self.activity_days(), today, recent_sessions)
        since = min(since, times.week_start(today.replace(day=1)))  # this week and month whole
        days = self.activity_days(since=since)
        whole = stats.overview(days, today, recent_sessions)
        streak = whole.streak
        if streak and today - timedelta(days=streak) <= since:  # it may go on before the window
            streak = self.current_streak(today)
        with self._reading() as conn:
            sessions, cramps = conn.execute(
                "SELECT (SELECT count(*) FROM ok_sessions),"
                " (SELECT count(*) FROM ok_cramps WHERE deleted_at IS NULL)"
            ).fetchone()
        return replace(
            whole,
            weeks=stats.weeks(days, since, today),
            streak=streak,
            total_sessions=sessions,
            total_cramps=cramps,
        )

    def current_streak(self, today: date) -> int:
        """Days in a row with a session that counts, up to ``today`` (or yesterday),
        over the whole history.

        SQLite sorts the days; only the streak's own days are read. The rule is
        :func:`stats.current_streak`'s (which counts from days already in
        memory): a change to one is a change to both.
        """
        day = None
        streak = 0
        with self._reading() as conn:
            cursor = conn.execute(
                "SELECT DISTINCT date(started_at, utc_offset || ' minutes') AS day"
                f" FROM ({_judged('started_at < ?')}) WHERE counted ORDER BY day DESC",
                [times.utc_text(times.day_start(today + timedelta(days=2)))]
                * 2,  # any zone's today
            )
            for (day_text,) in cursor:
                found = date.fromisoformat(day_text)
                if found > today:
                    continue
                if day is None:  # the newest: today, or yesterday if today has none yet
                    if found < today - timedelta(days=1):
                        break
                    day = found
                if found != day:
                    break
                streak += 1
                day -= timedelta(days=1)
            cursor.close()
        return streak
