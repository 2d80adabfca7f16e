"""Opening the history database, and keeping what it finds safe.

Opening is careful with what it finds:

* a file written by a newer stretch-coach is refused (:class:`HistoryTooNew`)
  before SQLite opens it, so it is never touched;
* a file SQLite reports as damaged is renamed aside
  (``history.sqlite3.corrupt-YYYYmmddTHHMMSS``), a new one is started, and
  :attr:`HistoryDatabase.set_aside` names the kept file: the caller must tell the
  user (the CLI prints it), so it is never replaced silently;
* an SQLite file that is not a stretch-coach history is refused and left alone.

:class:`HistoryDatabase` holds the connection and the one way to read and
write through it; the records, queries and transfers build on it (see
:mod:`stretch_coach.history.store`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from stretch_coach.history import schema, times
from stretch_coach.history.errors import HistoryError, HistoryTooNew
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


class HistoryDatabase:
    """The history's SQLite connection, opened with care; the base of ``HistoryStore``.

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
    def open(cls, path: Path | str | None = None, *, create: bool = True) -> Self:
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
    def _open(cls, path: Path, *, create: bool) -> Self:
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
    def in_memory(cls) -> Self:
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
