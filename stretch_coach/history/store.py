"""The history store: sessions as they are played, and the cramp diary, in one SQLite file.

The engine records a session while it plays::

    store = HistoryStore.open()
    record = store.start_session(routine.id, routine.title, content_hash(routine.path), planned)
    record.step_done(0, "Calf stretch", 62.0)
    record.step_skipped(1, "Heel walking")
    record.finish("finished")

Every call is its own committed write, so a crash or ``kill -9`` loses at most
the step in progress and leaves the session ``in_progress``, which is shown as
not finished. The file uses WAL mode and waits for a busy lock, so two
programs recording at once both keep their records.

Opening is careful with what it finds:

* a file written by a newer stretch-coach is refused (:class:`HistoryTooNew`)
  before SQLite opens it, so it is never touched;
* a file SQLite reports as damaged is renamed aside
  (``history.sqlite3.corrupt-YYYYmmddTHHMMSS``), a new one is started, and
  :attr:`HistoryStore.set_aside` names the kept file: the caller must tell the
  user (the CLI prints it), so it is never replaced silently;
* an SQLite file that is not a stretch-coach history is refused and left alone.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from stretch_coach.history import schema, stats, times
from stretch_coach.history.errors import HistoryError, HistoryTooNew
from stretch_coach.history.model import (
    ENDINGS,
    Cramp,
    DayActivity,
    Ending,
    Overview,
    RoutineTotals,
    SessionInfo,
    StepInfo,
    cramp_to_json,
)
from stretch_coach.paths import data_dir, ensure_dir

DB_NAME = "history.sqlite3"
#: How long a write waits for another program's write to finish.
BUSY_TIMEOUT_SECONDS = 10.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_USER_VERSION_OFFSET = 60  # bytes 60..63 of the header, big-endian
#: SQLite's primary result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_DAMAGED_CODES = frozenset({11, 26})
_COMPANIONS = ("-wal", "-shm", "-journal")


def default_path() -> Path:
    """Where the history lives: ``history.sqlite3`` in the user data folder."""
    return data_dir() / DB_NAME


def content_hash(source: Path | bytes) -> str:
    """Identify a routine's content: ``sha256:`` and the hex digest of its file's bytes.

    Args:
        source: the routine file, or its bytes.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class MergeResult:
    """What :meth:`HistoryStore.merge` changed."""

    sessions_added: int = 0
    sessions_updated: int = 0
    cramps_added: int = 0
    cramps_updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        """How many records were added or updated."""
        return self.sessions_added + self.sessions_updated + self.cramps_added + self.cramps_updated


class HistoryStore:
    """Sessions and the cramp diary in one SQLite database.

    Use :meth:`open` rather than the constructor. The store may be shared
    between threads (a TUI's workers); each method holds a lock while it uses
    the connection.

    Attributes:
        path: the database file, or ``None`` for an empty store in memory.
        set_aside: a damaged database found on opening and kept under this name.
        notice: if not ``None``, a sentence the caller must show the user
            (what was found damaged and where it was kept).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.set_aside: Path | None = None
        self.notice: str | None = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, create: bool = True) -> HistoryStore:
        """Open (and if needed create or upgrade) the history database.

        Args:
            path: the database file; default :func:`default_path`.
            create: create the file (folder 0700, file 0600) if it does not
                exist. With ``False`` a missing file gives an empty store in
                memory, so merely looking at history writes nothing.

        Raises:
            HistoryTooNew: the file comes from a newer stretch-coach; it was not touched.
            HistoryError: the file cannot be opened or is not a stretch-coach history.
        """
        path = Path(path) if path is not None else default_path()
        _refuse_if_too_new(path)
        try:
            return cls._open(path, create=create)
        except _Damaged as err:
            damage = str(err)
        except sqlite3.DatabaseError as err:
            if not _is_damaged(err):
                raise HistoryError(f"cannot open the history database {path}: {err}") from err
            damage = str(err)
        aside = _set_aside(path)
        store = cls._open(path, create=create)
        store.set_aside = aside
        store.notice = (
            f"the history database was damaged ({damage}); it is kept as {aside} "
            "and a new, empty history begins"
        )
        return store

    @classmethod
    def _open(cls, path: Path, *, create: bool) -> HistoryStore:
        try:
            if not path.exists():
                if not create:
                    return cls.in_memory()
                ensure_dir(path.parent)
                _create_private(path)
            elif path.stat().st_mode & 0o077:
                path.chmod(0o600)  # health records: readable by the user only
        except OSError as err:
            raise HistoryError(
                f"cannot open the history database {path}: {err.strerror}; check the folder's "
                "permissions, or set STRETCH_COACH_DATA_DIR to use another folder"
            ) from err
        conn = _connect(str(path))
        try:
            _check_version(conn, path)
            _use_wal(conn)
            _check_readable(conn)
            before = schema.migrate(conn)
            if before > schema.current_version():  # upgraded meanwhile by a newer program
                raise _too_new(path, before)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @classmethod
    def in_memory(cls) -> HistoryStore:
        """An empty store that lives in memory only (for reading when no file exists, and tests)."""
        conn = _connect(":memory:")
        schema.migrate(conn)
        return cls(conn, None)

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        """The file, for messages."""
        return str(self.path) if self.path else "(in memory)"

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as err:
                raise self._failed("read", err) from err

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of the block's writes are kept, or none."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                raise self._failed("write to", err) from err

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement as its own committed write."""
        with self._lock:
            try:
                return self._conn.execute(sql, params)
            except sqlite3.Error as err:
                raise self._failed("write to", err) from err

    def _failed(self, action: str, err: sqlite3.Error) -> HistoryError:
        if _is_damaged(err):
            return HistoryError(
                f"the history database {self.where} is damaged ({err}); nothing was changed. "
                "Run stretch-coach again to keep the file aside and start a new one"
            )
        return HistoryError(f"could not {action} the history database {self.where}: {err}")

    # -- sessions ----------------------------------------------------------

    def start_session(
        self,
        routine_id: str,
        title: str,
        content_hash: str,
        planned_seconds: float,
        started_at: datetime | None = None,
    ) -> SessionRecord:
        """Record that a session has begun; returns the record to report its steps to.

        Args:
            routine_id: the routine's id.
            title: its title, as shown.
            content_hash: :func:`content_hash` of the routine file.
            planned_seconds: the routine's planned length (0 if it has untimed steps only).
            started_at: when it started; default now.
        """
        _check_seconds("planned_seconds", planned_seconds)
        started, offset = times.stamp(started_at or times.now())
        session_uuid = str(uuidlib.uuid4())
        cursor = self._execute(
            "INSERT INTO sessions (uuid, routine_id, title, content_hash, started_at, utc_offset,"
            " planned_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session_uuid, routine_id, title, content_hash, started, offset, planned_seconds),
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
            f"SELECT * FROM sessions WHERE {where} ORDER BY started_at DESC, id DESC"
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
                _session_query("SELECT * FROM sessions WHERE id = ?"), (session_id,)
            ).fetchone()
        if row is None:
            raise HistoryError(f"there is no session #{session_id} in {self.where}")
        return _session_info(row)

    def session_steps(self, session_id: int) -> list[StepInfo]:
        """The steps recorded for a session, in the order they were recorded."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT st.seq, st.step_index, st.name, st.outcome, st.seconds, st.at, s.utc_offset"
                " FROM session_steps AS st JOIN sessions AS s ON s.id = st.session_id"
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
                f"SELECT {_CRAMP_COLUMNS} FROM cramps WHERE id = ? AND deleted_at IS NULL",
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
                f"SELECT {_CRAMP_COLUMNS} FROM cramps WHERE {where} AND deleted_at IS NULL"
                " ORDER BY at, id",
                params,
            ).fetchall()
        return [_cramp(row) for row in rows]

    def first_cramp(self) -> Cramp | None:
        """The earliest diary entry, if any."""
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_CRAMP_COLUMNS} FROM cramps WHERE deleted_at IS NULL"
                " ORDER BY at, id LIMIT 1"
            ).fetchone()
        return _cramp(row) if row else None

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
                f" sum(status = 'finished') FROM sessions WHERE {session_where} GROUP BY day",
                session_params,
            ).fetchall()
            cramp_rows = conn.execute(
                "SELECT date(at, utc_offset || ' minutes') AS day, count(*), max(severity)"
                f" FROM cramps WHERE {cramp_where} AND deleted_at IS NULL GROUP BY day",
                cramp_params,
            ).fetchall()
        days: dict[date, DayActivity] = {}
        for day_text, count, finished in session_rows:
            day = date.fromisoformat(day_text)
            days[day] = DayActivity(day, sessions=count, finished=finished)
        for day_text, count, worst in cramp_rows:
            day = date.fromisoformat(day_text)
            days[day] = replace(days.get(day, DayActivity(day)), cramps=count, worst_severity=worst)
        return days

    def routine_totals(self, *, since: date | None = None) -> list[RoutineTotals]:
        """Per routine: sessions, finished ones, active time, first and last day;
        most played first."""
        where, params = _since("started_at", since)
        local_day = "date(s.started_at, s.utc_offset || ' minutes')"
        with self._reading() as conn:
            rows = conn.execute(
                f"WITH s AS (SELECT * FROM sessions WHERE {where}),"
                " st AS (SELECT session_id, sum(seconds) AS seconds FROM session_steps"
                " WHERE session_id IN (SELECT id FROM s) GROUP BY session_id)"
                # SQLite takes a bare column (title) from the row that gives max().
                " SELECT s.routine_id, s.title, max(s.started_at), count(*),"
                " sum(s.status = 'finished'), sum(s.partial_seconds + coalesce(st.seconds, 0)),"
                f" min({local_day}), max({local_day})"
                " FROM s LEFT JOIN st ON st.session_id = s.id GROUP BY s.routine_id",
                params,
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
            )
            for routine_id, title, _, count, finished, seconds, first, last in rows
        ]
        return sorted(totals, key=lambda t: (-t.finished, -t.sessions, t.title))

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
                "SELECT (SELECT count(*) FROM sessions),"
                " (SELECT count(*) FROM cramps WHERE deleted_at IS NULL)"
            ).fetchone()
        return replace(
            whole,
            weeks=stats.weeks(days, since, today),
            streak=streak,
            total_sessions=sessions,
            total_cramps=cramps,
        )

    def current_streak(self, today: date) -> int:
        """Days in a row with a finished routine, up to ``today`` (or yesterday),
        over the whole history.

        SQLite sorts the days; only the streak's own days are read. The rule is
        :func:`stats.current_streak`'s (which counts from days already in
        memory): a change to one is a change to both.
        """
        day = None
        streak = 0
        with self._reading() as conn:
            cursor = conn.execute(
                "SELECT DISTINCT date(started_at, utc_offset || ' minutes') AS day FROM sessions"
                " WHERE status = 'finished' AND started_at < ? ORDER BY day DESC",
                [times.utc_text(times.day_start(today + timedelta(days=2)))],  # any zone's today
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

    # -- moving data -------------------------------------------------------

    def export_records(self) -> dict[str, list[dict[str, Any]]]:
        """Every session (with its steps) and diary entry (deleted ones marked), JSON-ready.

        Instants are ISO 8601 with the offset where they were recorded.
        """
        with self._reading() as conn:
            steps: dict[int, list[dict[str, Any]]] = {}
            for row in conn.execute(
                "SELECT st.session_id, st.seq, st.step_index, st.name, st.outcome, st.seconds,"
                " st.at, s.utc_offset FROM session_steps AS st"
                " JOIN sessions AS s ON s.id = st.session_id ORDER BY st.session_id, st.seq"
            ):
                session_id, seq, index, name, outcome, seconds, at, offset = row
                steps.setdefault(session_id, []).append(
                    {
                        "seq": seq,
                        "step_index": index,
                        "name": name,
                        "outcome": outcome,
                        "seconds": seconds,
                        "at": times.local(at, offset).isoformat(),
                    }
                )
            sessions = [
                {
                    "uuid": row[1],
                    "routine_id": row[2],
                    "title": row[3],
                    "content_hash": row[4],
                    "started_at": times.local(row[5], row[6]).isoformat(),
                    "ended_at": times.local(row[7], row[6]).isoformat() if row[7] else None,
                    "planned_seconds": row[8],
                    "partial_seconds": row[9],
                    "status": row[10],
                    "steps": steps.get(row[0], []),
                }
                for row in conn.execute(
                    "SELECT id, uuid, routine_id, title, content_hash, started_at, utc_offset,"
                    " ended_at, planned_seconds, partial_seconds, status FROM sessions"
                    " ORDER BY started_at, id"
                )
            ]
            cramps = [
                {
                    **_without_id(cramp_to_json(_cramp(row[:-3]))),
                    "created_at": row[-3],
                    "updated_at": row[-2],
                    "deleted_at": row[-1],
                }
                for row in conn.execute(
                    f"SELECT {_CRAMP_COLUMNS}, created_at, updated_at, deleted_at FROM cramps"
                    " ORDER BY at, id"
                )
            ]
        return {"sessions": sessions, "cramps": cramps}

    def merge(
        self, sessions: Sequence[Mapping[str, Any]], cramps: Sequence[Mapping[str, Any]]
    ) -> MergeResult:
        """Add records from another copy of the history, in one transaction.

        Records are matched by ``uuid``, so merging the same records twice adds
        nothing twice. Where both copies hold a record, the imported one wins
        only if it is further along: a session that has ended over one still
        in progress, or with more steps; a diary entry with a later
        ``updated_at`` (which carries edits and deletions across).

        Args:
            sessions: checked records in the shape of :meth:`export_records`,
                with instants as aware datetimes.
            cramps: likewise, with ``at`` and ``cramp`` (a :class:`Cramp`).
        """
        counts = dict.fromkeys(
            ("sessions_added", "sessions_updated", "cramps_added", "cramps_updated", "unchanged"), 0
        )
        with self._writing() as conn:
            for session in sessions:
                counts[_merge_session(conn, session)] += 1
            for entry in cramps:
                counts[_merge_cramp(conn, entry)] += 1
        return MergeResult(**counts)


class SessionRecord:
    """A session being recorded; each call is committed at once.

    Use it as a context manager to have a session that ends by an exception
    recorded as ``interrupted``::

        with store.start_session(...) as record:
            ...
            record.finish("finished")
    """

    def __init__(self, store: HistoryStore, session_id: int, session_uuid: str) -> None:
        self._store = store
        self.id = session_id
        self.uuid = session_uuid
        self._ended = False

    @property
    def ended(self) -> bool:
        """Whether :meth:`finish` has been called."""
        return self._ended

    def step_done(self, step_index: int, name: str, seconds: float) -> None:
        """Record a step played to its end.

        Args:
            step_index: its position in the routine, as the engine numbers steps.
            name: the step's name.
            seconds: active time spent on it.
        """
        self._step(step_index, name, "done", seconds)

    def step_skipped(self, step_index: int, name: str, seconds: float = 0.0) -> None:
        """Record a step the user skipped, after ``seconds`` of active time on it."""
        self._step(step_index, name, "skipped", seconds)

    def _step(self, step_index: int, name: str, outcome: str, seconds: float) -> None:
        self._check_open()
        _check_seconds("seconds", seconds)
        self._store._execute(
            "INSERT INTO session_steps (session_id, seq, step_index, name, outcome, seconds, at)"
            " SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ? FROM session_steps"
            " WHERE session_id = ?",
            (self.id, step_index, name, outcome, seconds, times.utc_text(times.now()), self.id),
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


def _without_id(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its local number, which means nothing on another machine."""
    record.pop("id", None)
    return record


def _session_query(chosen: str) -> str:
    """The sessions ``chosen`` (a SELECT from ``sessions``) with their step totals, newest first.

    Steps are summed only for the chosen sessions, so asking for the newest
    ten does not add up ten years of steps. A step played more than once (the
    user went back to it) counts once, by its latest outcome; its seconds all
    count, as time spent.
    """
    return (
        f"WITH s AS ({chosen}),"
        " rows AS (SELECT * FROM session_steps WHERE session_id IN (SELECT id FROM s)),"
        # SQLite takes the bare column `outcome` from the row holding max(seq).
        " latest AS (SELECT session_id, outcome, max(seq) FROM rows"
        " GROUP BY session_id, step_index)"
        " SELECT s.id, s.uuid, s.routine_id, s.title, s.content_hash, s.started_at,"
        " s.utc_offset, s.ended_at, s.planned_seconds, s.partial_seconds, s.status,"
        " coalesce(o.done, 0), coalesce(o.skipped, 0), coalesce(t.seconds, 0), t.last"
        " FROM s LEFT JOIN (SELECT session_id, sum(seconds) AS seconds, max(at) AS last"
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


def _merge_session(conn: sqlite3.Connection, session: Mapping[str, Any]) -> str:
    steps = session["steps"]
    found = conn.execute(
        "SELECT id, status, (SELECT count(*) FROM session_steps WHERE session_id = sessions.id)"
        " FROM sessions WHERE uuid = ?",
        (session["uuid"],),
    ).fetchone()
    if found is not None:
        session_id, status, step_count = found
        if _progress(session["status"], len(steps)) <= _progress(status, step_count):
            return "unchanged"
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # steps cascade
    started, offset = times.stamp(session["started_at"])
    ended = times.utc_text(session["ended_at"]) if session["ended_at"] else None
    cursor = conn.execute(
        "INSERT INTO sessions (id, uuid, routine_id, title, content_hash, started_at, utc_offset,"
        " ended_at, planned_seconds, partial_seconds, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            found[0] if found else None,
            session["uuid"],
            session["routine_id"],
            session["title"],
            session["content_hash"],
            started,
            offset,
            ended,
            session["planned_seconds"],
            session["partial_seconds"],
            session["status"],
        ),
    )
    conn.executemany(
        "INSERT INTO session_steps (session_id, seq, step_index, name, outcome, seconds, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                cursor.lastrowid,
                number,
                step["step_index"],
                step["name"],
                step["outcome"],
                step["seconds"],
                times.utc_text(step["at"]),
            )
            for number, step in enumerate(steps, start=1)
        ],
    )
    return "sessions_updated" if found else "sessions_added"


def _progress(status: str, step_count: int) -> tuple[bool, int]:
    return (status != "in_progress", step_count)


def _merge_cramp(conn: sqlite3.Connection, entry: Mapping[str, Any]) -> str:
    cramp: Cramp = entry["cramp"]
    at, offset = times.stamp(cramp.at)
    found = conn.execute("SELECT updated_at FROM cramps WHERE uuid = ?", (cramp.uuid,)).fetchone()
    values = (
        at,
        offset,
        *_cramp_fields(cramp),
        times.change_stamp(entry["created_at"]),
        times.change_stamp(entry["updated_at"]),
        times.change_stamp(entry["deleted_at"]) if entry["deleted_at"] else None,
        cramp.uuid,
    )
    if found is None:
        conn.execute(
            "INSERT INTO cramps (at, utc_offset, duration_seconds, severity, leg, muscle, woke,"
            " symptoms, note, created_at, updated_at, deleted_at, uuid)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return "cramps_added"
    if values[-3] <= found[0]:
        return "unchanged"
    conn.execute(
        "UPDATE cramps SET at = ?, utc_offset = ?, duration_seconds = ?, severity = ?, leg = ?,"
        " muscle = ?, woke = ?, symptoms = ?, note = ?, created_at = ?, updated_at = ?,"
        " deleted_at = ? WHERE uuid = ?",
        values,
    )
    return "cramps_updated"


# -- opening helpers -------------------------------------------------------


def _connect(target: str) -> sqlite3.Connection:
    # Autocommit (isolation_level=None): each statement commits by itself, and
    # multi-statement writes use explicit BEGIN IMMEDIATE ... COMMIT.
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed diary entry survives a power cut, not only a crash.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _create_private(path: Path) -> None:
    """Create an empty file readable by the user only; SQLite gives -wal/-shm the same mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another program created it just now
        return
    os.close(fd)


def _header_version(path: Path) -> int | None:
    """The schema version written in the file's header, read without SQLite."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return None
    return int.from_bytes(header[_USER_VERSION_OFFSET : _USER_VERSION_OFFSET + 4], "big")


def _too_new(path: Path, version: int) -> HistoryTooNew:
    return HistoryTooNew(
        f"the history database {path} was written by a newer stretch-coach "
        f"(schema {version}; this one reads up to {schema.current_version()}); "
        "it was left untouched. Upgrade stretch-coach, "
        "or set STRETCH_COACH_DATA_DIR to use another folder"
    )


def _refuse_if_too_new(path: Path) -> None:
    version = _header_version(path)
    if version is not None and version > schema.current_version():
        raise _too_new(path, version)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode, waiting while another program holds it.

    Switching a new file to WAL needs it to itself, and SQLite answers "busy"
    at once instead of calling the busy handler; so when two programs create
    the history together, the second tries again until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    delay = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            code = getattr(err, "sqlite_errorcode", 0) & 0xFF  # extended codes: BUSY_RECOVERY, ...
            busy = code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(delay)  # another process: nothing here to await
        delay = min(delay * 2, 0.1)


def _check_version(conn: sqlite3.Connection, path: Path) -> None:
    # Again through SQLite: a newer version may sit in the WAL, not yet in the header.
    # Both reads in one transaction: another program creating the history at
    # this moment must not be seen half-way (its tables, not yet its version).
    conn.execute("BEGIN")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    finally:
        conn.execute("COMMIT")
    if version > schema.current_version():
        raise _too_new(path, version)
    if version == 0 and tables:
        raise HistoryError(
            f"{path} is an SQLite database but not a stretch-coach history; it was left untouched. "
            "Move it away, or set STRETCH_COACH_DATA_DIR to use another folder"
        )


class _Damaged(Exception):
    """SQLite's quick check found damage that reading alone may not have shown."""


def _check_readable(conn: sqlite3.Connection) -> None:
    problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    if problem != "ok":
        raise _Damaged(problem)


def _is_damaged(err: sqlite3.Error) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGED_CODES


def _set_aside(path: Path) -> Path:
    """Rename a damaged database (and its companion files) out of the way; return the new name."""
    stamp = times.now().strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    try:
        path.rename(aside)
        for suffix in _COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
    except OSError as err:
        raise HistoryError(
            f"the history database {path} is damaged and could not be moved aside "
            f"({err.strerror}); move it away yourself to start a new one"
        ) from err
    return aside
