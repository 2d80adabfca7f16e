"""Reading the history row by row: what a readable value is, and saving every readable row.

One bad value in one row (a timestamp with a stray character, a severity
outside 0 to 10, a page of the file scribbled over) must never hide the rest
of the history. Two tools serve that:

* :data:`CHECKS`: for every stored column, an SQL condition that holds for a
  value this program can read. The store reads through temporary views
  (``ok_sessions``, ``ok_steps``, ``ok_cramps``) that keep only rows meeting
  every condition, and counts the rows left out (:func:`create_views`), so
  a bad row is skipped and counted, never a crash.
* :func:`salvage`: copies every readable row of a database, one row at a
  time, into another; a row SQLite cannot read (a damaged page) or that holds
  a bad value is listed (:class:`Unreadable`) and the copy goes on. It serves
  a damaged file opened for reading (copied into memory) and
  ``stretch-coach history repair`` (copied into a fresh file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

#: UTC instants as :func:`stretch_coach.history.times.utc_text` writes them.
_INSTANT_GLOB = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]+00:00"
#: Change stamps as :func:`stretch_coach.history.times.change_stamp` writes them.
_STAMP_GLOB = (
    "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
    ".[0-9][0-9][0-9][0-9][0-9][0-9]+00:00"
)
#: Any count of seconds the program writes is far below this; larger is damage.
_MAX_SECONDS = 1e12


def _moment(column: str, glob: str, length: int, *, nullable: bool = False) -> str:
    # Plain text comparisons first (they are quick over years of records); the
    # date is read back only for days past the 28th, to refuse 2024-02-31
    # (which SQLite would roll over). Years 2 to 9998 leave room for any UTC
    # offset, so turning the instant into local time never overflows.
    check = (
        f"typeof({column}) = 'text' AND length({column}) = {length}"
        f" AND {column} GLOB '{glob}'"
        f" AND substr({column}, 1, 4) BETWEEN '0002' AND '9998'"
        f" AND substr({column}, 6, 2) BETWEEN '01' AND '12'"
        f" AND substr({column}, 9, 2) BETWEEN '01' AND '31'"
        f" AND substr({column}, 12, 2) <= '23'"
        # '+0 days': a plain date() keeps 2024-02-31 as it is (SQLite 3.40); a modifier rolls it.
        f" AND (substr({column}, 9, 2) <= '28'"
        f" OR date({column}, '+0 days') = substr({column}, 1, 10))"
    )
    return f"{column} IS NULL OR ({check})" if nullable else check


def _instant(column: str, *, nullable: bool = False) -> str:
    return _moment(column, _INSTANT_GLOB, 25, nullable=nullable)


def _stamp(column: str, *, nullable: bool = False) -> str:
    return _moment(column, _STAMP_GLOB, 32, nullable=nullable)


def _seconds(column: str, *, nullable: bool = False, above_zero: bool = False) -> str:
    low = f"{column} > 0" if above_zero else f"{column} >= 0"
    check = f"typeof({column}) IN ('integer', 'real') AND {low} AND {column} < {_MAX_SECONDS:g}"
    return f"{column} IS NULL OR ({check})" if nullable else check


def _text(column: str, *, nullable: bool = False) -> str:
    check = f"typeof({column}) = 'text'"
    return f"{column} IS NULL OR {check}" if nullable else check


def _whole(column: str, low: int, high: int, *, nullable: bool = False) -> str:
    check = f"typeof({column}) = 'integer' AND {column} BETWEEN {low} AND {high}"
    return f"{column} IS NULL OR ({check})" if nullable else check


def _one_of(column: str, choices: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{c}'" for c in choices)
    check = f"typeof({column}) = 'text' AND {column} IN ({listed})"
    return f"{column} IS NULL OR ({check})" if nullable else check


_UUID = (
    "typeof(uuid) = 'text' AND length(uuid) = 36 AND lower(uuid) GLOB "
    "'" + "-".join("[0-9a-f]" * n for n in (8, 4, 4, 4, 12)) + "'"
)
_OFFSET = _whole("utc_offset", -1439, 1439)  # a time zone is less than a day off UTC

#: Per table, per column: the SQL condition a readable value meets.
CHECKS: Mapping[str, Mapping[str, str]] = {
    "sessions": {
        "id": "typeof(id) = 'integer'",
        "uuid": _UUID,
        "routine_id": _text("routine_id"),
        "title": _text("title"),
        "content_hash": _text("content_hash"),
        "started_at": _instant("started_at"),
        "utc_offset": _OFFSET,
        "ended_at": _instant("ended_at", nullable=True),
        "planned_seconds": _seconds("planned_seconds"),
        "partial_seconds": _seconds("partial_seconds"),
        "status": _one_of("status", ("in_progress", "finished", "stopped", "interrupted")),
        "planned_self_paced": _whole("planned_self_paced", 0, 2**31 - 1, nullable=True),
        "program_id": _text("program_id", nullable=True),
        "program_week": _whole("program_week", 1, 2**31 - 1, nullable=True),
        "program_stage": _whole("program_stage", 1, 2**31 - 1, nullable=True),
        "effort": _whole("effort", 0, 10, nullable=True),
        "pain": _whole("pain", 0, 10, nullable=True),
        "reps_counted": _whole("reps_counted", 0, 2**31 - 1, nullable=True),
    },
    "session_steps": {
        "session_id": "typeof(session_id) = 'integer'",
        "seq": "typeof(seq) = 'integer'",
        "step_index": _whole("step_index", 0, 2**31 - 1),
        "name": _text("name"),
        "outcome": _one_of("outcome", ("done", "skipped")),
        "seconds": _seconds("seconds"),
        "at": _instant("at"),
        "kind": _one_of("kind", ("timed", "self_paced"), nullable=True),
        "planned_seconds": _seconds("planned_seconds", nullable=True),
    },
    "cramps": {
        "id": "typeof(id) = 'integer'",
        "uuid": _UUID,
        "at": _instant("at"),
        "utc_offset": _OFFSET,
        "duration_seconds": _seconds("duration_seconds", nullable=True, above_zero=True)
        + " AND (duration_seconds IS NULL OR duration_seconds <= 86400)",
        "severity": _whole("severity", 0, 10, nullable=True),
        "leg": _one_of("leg", ("left", "right", "both"), nullable=True),
        "muscle": _one_of("muscle", ("calf", "thigh", "foot", "other"), nullable=True),
        "woke": _whole("woke", 0, 1),
        "symptoms": _text("symptoms"),
        "note": _text("note", nullable=True),
        "created_at": _stamp("created_at"),
        "updated_at": _stamp("updated_at"),
        "deleted_at": _stamp("deleted_at", nullable=True),
    },
    "checkins": {
        "id": "typeof(id) = 'integer'",
        "uuid": _UUID,
        # '+0 days' makes SQLite roll 2024-02-31 over (plain date() keeps it on 3.40).
        "night": "typeof(night) = 'text' AND length(night) = 10 AND date(night, '+0 days') = night"
        " AND night >= '0002-01-01'",
        "answer": _one_of("answer", ("none",)),
        "created_at": _stamp("created_at"),
        "updated_at": _stamp("updated_at"),
        "deleted_at": _stamp("deleted_at", nullable=True),
    },
    "follows": {
        "id": "typeof(id) = 'integer'",
        "program_id": _text("program_id"),
        "start_day": "typeof(start_day) = 'text' AND length(start_day) = 10"
        " AND date(start_day, '+0 days') = start_day",  # '+0 days': 02-31 is no day
        "created_at": _stamp("created_at"),
        "updated_at": _stamp("updated_at"),
        "deleted_at": _stamp("deleted_at", nullable=True),
    },
    "trials": {
        "id": "typeof(id) = 'integer'",
        "uuid": _UUID,
        "seed": _whole("seed", 0, 2**63 - 1),
        "first_night": "typeof(first_night) = 'text' AND length(first_night) = 10"
        " AND date(first_night, '+0 days') = first_night",
        "nights": _whole("nights", 2, 400) + " AND nights % 2 = 0",
        "stopped_from": "stopped_from IS NULL OR (typeof(stopped_from) = 'text'"
        " AND length(stopped_from) = 10 AND date(stopped_from, '+0 days') = stopped_from)",
        "created_at": _stamp("created_at"),
        "updated_at": _stamp("updated_at"),
        "deleted_at": _stamp("deleted_at", nullable=True),
    },
}
#: What one row of each table is called in messages.
RECORD_NAMES: Mapping[str, str] = {
    "sessions": "session",
    "session_steps": "session step",
    "cramps": "diary entry",
    "checkins": "check-in",
    "follows": "followed program",
    "trials": "trial",
}
#: The temporary views the store reads through.
VIEWS: Mapping[str, str] = {
    "sessions": "ok_sessions",
    "session_steps": "ok_steps",
    "cramps": "ok_cramps",
    "checkins": "ok_checkins",
    "follows": "ok_follows",
    "trials": "ok_trials",
}


def readable(table: str) -> str:
    """One SQL condition: the row of ``table`` can be read (never NULL: NULL counts as no)."""
    return "coalesce(" + " AND ".join(f"({c})" for c in CHECKS[table].values()) + ", 0)"


#: Per table: the temporary table of the keys of its unreadable rows.
_BAD_KEYS: Mapping[str, tuple[str, str]] = {
    "sessions": ("bad_sessions", "id"),
    "session_steps": ("bad_steps", "session_id, seq"),
    "cramps": ("bad_cramps", "id"),
    "checkins": ("bad_checkins", "id"),
    "follows": ("bad_follows", "id"),
    "trials": ("bad_trials", "id"),
}


def create_views(conn: sqlite3.Connection) -> int:
    """Find the unreadable rows once, and make the views that leave them out.

    Checking every value of every row costs one pass over the file; doing it
    once, on first reading, keeps each later query as quick as a plain one
    (no view checks a value again; with no bad row, a view is the table).
    The keys found go into temporary tables and the views are temporary: the
    file itself is not written.

    Returns:
        How many rows are left out.
    """
    unreadable = 0
    for table, view in VIEWS.items():
        bad, keys = _BAD_KEYS[table]
        where = _unreadable_steps_where() if table == "session_steps" else f"NOT {readable(table)}"
        conn.execute(f"DROP VIEW IF EXISTS temp.{view}")
        conn.execute(f"DROP TABLE IF EXISTS temp.{bad}")
        conn.execute(f"CREATE TEMP TABLE {bad} AS SELECT {keys} FROM main.{table} WHERE {where}")
        found = int(conn.execute(f"SELECT count(*) FROM temp.{bad}").fetchone()[0])
        unreadable += found
        if table == "session_steps":
            # Steps of an unreadable session go with it (the sessions view leaves them out).
            skip = f" WHERE ({keys}) NOT IN (SELECT {keys} FROM temp.{bad})" if found else ""
        else:
            skip = f" WHERE {keys} NOT IN (SELECT {keys} FROM temp.{bad})" if found else ""
        conn.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM main.{table}{skip}")
    return unreadable


def _unreadable_steps_where() -> str:
    # A step of an unreadable session goes with its session: it is not counted again.
    return (
        f"NOT {readable('session_steps')}"
        f" AND session_id IN (SELECT id FROM main.sessions WHERE {readable('sessions')})"
    )


@dataclass(frozen=True)
class Unreadable:
    """A row that could not be read.

    Attributes:
        table: ``sessions``, ``session_steps``, ``cramps`` or ``checkins``.
        key: its number (``#12``), or session and step (``#12 step 3``).
        problem: what is wrong: the columns whose values are bad, or SQLite's error.
    """

    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{RECORD_NAMES[self.table]} {self.key}: {self.problem}"


def list_unreadable(conn: sqlite3.Connection) -> list[Unreadable]:
    """The rows the views leave out, each with the columns at fault."""
    found: list[Unreadable] = []
    for table, checks in CHECKS.items():
        columns = list(checks)
        flags = ", ".join(f"coalesce(({c}), 0)" for c in checks.values())
        keys = "session_id, seq" if table == "session_steps" else "id"
        where = _unreadable_steps_where() if table == "session_steps" else f"NOT {readable(table)}"
        for row in conn.execute(
            f"SELECT {keys}, {flags} FROM main.{table} WHERE {where} ORDER BY {keys}"
        ):
            width = 2 if table == "session_steps" else 1
            bad = [name for name, ok in zip(columns, row[width:], strict=True) if not ok]
            found.append(Unreadable(table, _key(table, row[:width]), _bad_values(bad)))
    return found


def _bad_values(columns: list[str]) -> str:
    return "a value that cannot be read in " + ", ".join(columns)


def _key(table: str, key: tuple[object, ...]) -> str:
    if table == "session_steps":
        return f"#{_shown(key[0])} step {_shown(key[1])}"
    return f"#{_shown(key[0])}"


def _shown(value: object) -> str:
    # A damaged key may be any type; show it shortly and with nothing that can reach a terminal.
    text = repr(value) if not isinstance(value, int) else str(value)
    return "".join(c if c.isprintable() else "?" for c in text[:40])


# -- copying what can be read ------------------------------------------------------


@dataclass(frozen=True)
class Salvage:
    """What :func:`salvage` copied, and what it could not."""

    copied: int
    unreadable: tuple[Unreadable, ...]


#: How far past the highest number seen a copy still looks for rows (a damaged
#: page can hide the last numbers from every scan).
_PROBE_MARGIN = 64


def salvage(source: sqlite3.Connection, dest: sqlite3.Connection) -> Salvage:
    """Copy every readable row of ``source`` into ``dest`` (an empty history, in one transaction).

    Each row is read on its own, by its key, so a damaged page loses only the
    rows stored in it. Rows are found by scanning the table forwards and
    backwards and its indexes (each as far as it can be read), then by
    trying every number up to a little past the highest seen.
    """
    problems: list[Unreadable] = []
    copied = 0
    dest.execute("BEGIN IMMEDIATE")
    try:
        good_sessions: list[int] = []
        keys, top = _candidate_keys(source, "sessions", ("sessions_by_start",))
        for key in keys:
            if _copy_row(
                source, dest, "sessions", "id = ?", (key,), f"#{key}", problems, probing=key > top
            ):
                good_sessions.append(key)
                copied += 1
        for session_id in good_sessions:
            copied += _copy_steps(source, dest, session_id, problems)
        keys, top = _candidate_keys(source, "cramps", ("cramps_by_time",))
        for key in keys:
            if _copy_row(
                source, dest, "cramps", "id = ?", (key,), f"#{key}", problems, probing=key > top
            ):
                copied += 1
        # Tables newer than the first layout: an older history has not got them.
        for table in ("checkins", "follows", "trials"):
            if not _has_table(source, table):
                continue
            keys, top = _candidate_keys(source, table, ())
            for key in keys:
                if _copy_row(
                    source, dest, table, "id = ?", (key,), f"#{key}", problems, probing=key > top
                ):
                    copied += 1
        dest.execute("COMMIT")
    except BaseException:
        if dest.in_transaction:
            dest.execute("ROLLBACK")
        raise
    return Salvage(copied, tuple(problems))


def _copy_row(
    source: sqlite3.Connection,
    dest: sqlite3.Connection,
    table: str,
    where: str,
    params: tuple[int, ...],
    key: str,
    problems: list[Unreadable],
    *,
    probing: bool = False,
) -> bool:
    """Copy one row; whether it was copied (a missing row is neither copied nor a problem).

    ``probing``: the key lies past every key seen, so a row that cannot be
    read there may not exist at all; it is not counted.
    """
    # A history written before a column was added has not got it: copy what it has
    # (the new column stays NULL, "not known", as a migration would leave it).
    present = _columns(source, table)
    checks = {name: check for name, check in CHECKS[table].items() if name in present}
    columns = list(checks)
    flags = ", ".join(f"coalesce(({c}), 0)" for c in checks.values())
    try:
        row = source.execute(
            f"SELECT {', '.join(columns)}, {flags} FROM main.{table} WHERE {where}", params
        ).fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as err:
        if not probing:
            problems.append(Unreadable(table, key, f"could not be read ({err})"))
        return False
    if row is None:
        return False
    values, oks = row[: len(columns)], row[len(columns) :]
    bad = [name for name, ok in zip(columns, oks, strict=True) if not ok]
    if bad:
        problems.append(Unreadable(table, key, _bad_values(bad)))
        return False
    try:
        dest.execute(
            f"INSERT INTO main.{table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            values,
        )
    except sqlite3.IntegrityError as err:  # a UUID twice, a broken CHECK: keep the first
        problems.append(Unreadable(table, key, f"could not be kept ({err})"))
        return False
    return True


def _copy_steps(
    source: sqlite3.Connection,
    dest: sqlite3.Connection,
    session_id: int,
    problems: list[Unreadable],
) -> int:
    seqs = _keys_of(
        source,
        [
            f"SELECT seq FROM main.session_steps WHERE session_id = {session_id:d} ORDER BY seq",
            f"SELECT seq FROM main.session_steps WHERE session_id = {session_id:d}"
            " ORDER BY seq DESC",
        ],
    )
    copied = 0
    keys, top = _with_gaps(seqs)
    for seq in keys:
        if _copy_row(
            source,
            dest,
            "session_steps",
            "session_id = ? AND seq = ?",
            (session_id, seq),
            f"#{session_id} step {seq}",
            problems,
            probing=seq > top,
        ):
            copied += 1
    return copied


def _has_table(source: sqlite3.Connection, table: str) -> bool:
    """Whether ``source`` has ``table`` (an older history has not got the newer tables)."""
    try:
        return (
            source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            is not None
        )
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return True  # the list cannot be read: try the table, and report what cannot be read


def _columns(source: sqlite3.Connection, table: str) -> set[str]:
    """The columns ``table`` has in ``source`` (all this program knows, if that cannot be read)."""
    try:
        found = {str(row[1]) for row in source.execute(f"PRAGMA main.table_info({table})")}
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        found = set()
    return found or set(CHECKS[table])


def _candidate_keys(
    source: sqlite3.Connection, table: str, indexes: tuple[str, ...]
) -> tuple[list[int], int]:
    queries = [
        f"SELECT id FROM main.{table} ORDER BY id",
        f"SELECT id FROM main.{table} ORDER BY id DESC",
    ]
    queries += [f"SELECT id FROM main.{table} INDEXED BY {index}" for index in indexes]
    return _with_gaps(_keys_of(source, queries))


def _keys_of(source: sqlite3.Connection, queries: list[str]) -> set[int]:
    """Every whole-number key the queries give before each meets damage (if it does)."""
    seen: set[int] = set()
    for query in queries:
        try:
            for (key,) in source.execute(query):
                if isinstance(key, int) and 0 < key < 2**53:
                    seen.add(key)
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            continue
    return seen


def _with_gaps(seen: set[int]) -> tuple[list[int], int]:
    """The keys seen and every number from 1 to a little past the highest; and the highest.

    A damaged page hides its rows from every scan; their keys are found by
    trying each number in turn.
    """
    top = max(seen, default=0)
    # A damaged key can be huge: probe densely only where keys are dense.
    dense_top = min(top, 4 * len(seen) + 1024)
    return sorted(seen | set(range(1, dense_top + _PROBE_MARGIN))), top
