"""The database schema and its migrations.

The schema version is SQLite's ``PRAGMA user_version``. :data:`MIGRATIONS`
holds one function a version: ``MIGRATIONS[n]`` takes a database at version
``n`` to version ``n + 1``. They run inside one ``BEGIN IMMEDIATE``
transaction, so a failed upgrade leaves the file as it was and two programs
starting together do not both upgrade it.

Every fact is stored once. A session's step counts and done seconds are sums
over ``session_steps`` (plus ``partial_seconds``, the part of the step in
progress when it ended); nothing keeps a running total that could drift.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_V1 = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        routine_id TEXT NOT NULL,
        title TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        started_at TEXT NOT NULL,          -- UTC, see history.times
        utc_offset INTEGER NOT NULL,       -- minutes, where it was recorded
        ended_at TEXT,                     -- UTC; NULL while in progress
        planned_seconds REAL NOT NULL CHECK (planned_seconds >= 0),
        partial_seconds REAL NOT NULL DEFAULT 0 CHECK (partial_seconds >= 0),
        status TEXT NOT NULL DEFAULT 'in_progress'
            CHECK (status IN ('in_progress', 'finished', 'stopped', 'interrupted'))
    )
    """,
    "CREATE INDEX sessions_by_start ON sessions (started_at)",
    """
    CREATE TABLE session_steps (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,              -- 1, 2, ... in the order recorded
        step_index INTEGER NOT NULL,
        name TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped')),
        seconds REAL NOT NULL CHECK (seconds >= 0),
        at TEXT NOT NULL,                  -- UTC
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE cramps (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,                  -- UTC
        utc_offset INTEGER NOT NULL,       -- minutes
        duration_seconds REAL CHECK (duration_seconds IS NULL OR duration_seconds > 0),
        severity INTEGER CHECK (severity IS NULL OR severity BETWEEN 0 AND 10),
        leg TEXT CHECK (leg IS NULL OR leg IN ('left', 'right', 'both')),
        muscle TEXT CHECK (muscle IS NULL OR muscle IN ('calf', 'thigh', 'foot', 'other')),
        woke INTEGER NOT NULL DEFAULT 0 CHECK (woke IN (0, 1)),
        symptoms TEXT NOT NULL DEFAULT '', -- comma-separated, in diary.SYMPTOMS order
        note TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,          -- decides which copy wins on import
        deleted_at TEXT                    -- kept so an import does not bring it back
    )
    """,
    "CREATE INDEX cramps_by_time ON cramps (at)",
)


#: Version 2 records what is needed to tell whether a session *counts* (see
#: :func:`stretch_coach.history.stats.counts`): each step's kind and planned
#: seconds, and how many self-paced steps the routine had. Rows written before
#: keep NULL there, which reads as "not known": such a session counts by its
#: share of steps done. ``ALTER TABLE ... ADD COLUMN`` changes no stored row,
#: so an old history is upgraded in place at once, whatever its size.
_V2 = (
    "ALTER TABLE sessions ADD COLUMN planned_self_paced INTEGER"
    " CHECK (planned_self_paced IS NULL OR planned_self_paced >= 0)",
    "ALTER TABLE session_steps ADD COLUMN kind TEXT"
    " CHECK (kind IS NULL OR kind IN ('timed', 'self_paced'))",
    "ALTER TABLE session_steps ADD COLUMN planned_seconds REAL"
    " CHECK (planned_seconds IS NULL OR planned_seconds >= 0)",
)


#: Version 3 keeps the morning check-ins: "no cramps last night" is a record,
#: so a quiet night is told apart from a night nobody asked about (see
#: :mod:`stretch_coach.history.nights`). One row a night, named by its
#: evening's local date; undoing one only marks it deleted, so that importing
#: an older export does not bring it back. A new table: no stored row changes.
_V3 = (
    """
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        night TEXT NOT NULL UNIQUE,        -- YYYY-MM-DD, the evening's local date
        answer TEXT NOT NULL CHECK (answer IN ('none')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,          -- decides which copy wins on import
        deleted_at TEXT                    -- kept so an import does not bring it back
    )
    """,
)


#: Version 4, programs (issue 14): a session played from a program records the program,
#: its week and its stage (NULL for any other session, and for every session
#: recorded before); ``follows`` keeps the programs a person follows, one row
#: a program, with its start day. An unfollowed program keeps its row, marked
#: deleted, so an import of an older export does not bring it back; the copy
#: changed last (``updated_at``) wins on import.
_PROGRAMS = (
    "ALTER TABLE sessions ADD COLUMN program_id TEXT",
    "ALTER TABLE sessions ADD COLUMN program_week INTEGER"
    " CHECK (program_week IS NULL OR program_week >= 1)",
    "ALTER TABLE sessions ADD COLUMN program_stage INTEGER"
    " CHECK (program_stage IS NULL OR program_stage >= 1)",
    """
    CREATE TABLE follows (
        id INTEGER PRIMARY KEY,
        program_id TEXT NOT NULL UNIQUE,
        start_day TEXT NOT NULL,           -- YYYY-MM-DD, the program's week 1 starts that day
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,          -- decides which copy wins on import
        deleted_at TEXT                    -- unfollowed; kept so an import does not bring it back
    )
    """,
    "CREATE INDEX sessions_by_program ON sessions (program_id, started_at)",
    # At the summary (issue 14, adherence): an optional effort and pain rating,
    # and the repetitions counted with 'c'; NULL when not given.
    "ALTER TABLE sessions ADD COLUMN effort INTEGER"
    " CHECK (effort IS NULL OR effort BETWEEN 0 AND 10)",
    "ALTER TABLE sessions ADD COLUMN pain INTEGER CHECK (pain IS NULL OR pain BETWEEN 0 AND 10)",
    "ALTER TABLE sessions ADD COLUMN reps_counted INTEGER"
    " CHECK (reps_counted IS NULL OR reps_counted >= 0)",
)


#: Version 5, a personal trial (issue 15): nights assigned by chance to "routine" or
#: "rest". Only the seed, the first night and the length are stored; each night's
#: arm is derived from them (:func:`stretch_coach.history.trial.assignment`), so it
#: cannot drift. Stopping early keeps the row with the first night no longer in
#: it; a deleted trial stays marked, so an import of an older export does not bring
#: it back. A new table: no stored row changes.
_TRIALS = (
    """
    CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        seed INTEGER NOT NULL CHECK (seed >= 0),
        first_night TEXT NOT NULL,         -- YYYY-MM-DD, the first night's evening
        nights INTEGER NOT NULL CHECK (nights >= 2 AND nights % 2 = 0),
        stopped_from TEXT,                 -- stopped early: the first night not in it
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,          -- decides which copy wins on import
        deleted_at TEXT                    -- kept so an import does not bring it back
    )
    """,
)


def _migration(name: str, statements: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    """A migration that runs ``statements`` in order, named ``name`` (as a traceback names it)."""

    def migrate(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    migrate.__name__ = migrate.__qualname__ = name
    return migrate


#: ``MIGRATIONS[n]`` upgrades a database from version ``n`` to ``n + 1``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migration("_to_v1", _V1),
    _migration("_to_v2", _V2),
    _migration("_to_v3", _V3),
    _migration("_to_programs", _PROGRAMS),
    _migration("_to_trials", _TRIALS),
]


def current_version() -> int:
    """The schema version this program writes (the number of migrations)."""
    return len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn``'s database up to :func:`current_version`, in one transaction.

    The caller has checked the version is not newer than this program's.

    Returns:
        The version the database had before.
    """
    target = current_version()
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another program may have just upgraded it.
        before = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for version in range(before, target):
            MIGRATIONS[version](conn)
        if before < target:
            conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before
