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
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from stretch_coach.history import schema, stats, times
from stretch_coach.history.errors import HistoryError, HistoryTooNew
from stretch_coach.history.salvage import (
    Salvage,
    Unreadable,
    create_views,
    list_unreadable,
    salvage,
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

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        *,
        read_only: bool = False,
        salvaged: Salvage | None = None,
    ) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.set_aside: Path | None = None
        self.notice: str | None = None
        #: The file could only be opened for reading (a read-only folder or file).
        self.read_only = read_only
        #: For a damaged file opened for reading: what was copied into memory from it.
        self._salvaged = salvaged
        #: Rows left out as unreadable; found on first reading (``None`` until then).
        self._unreadable_count: int | None = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, create: bool = True) -> Self:
        """Open (and if needed create or upgrade) the history database.

        A damaged file never hides the records that can still be read. Opened
        to write (``create``), it is kept aside and every readable record is
        copied into a new file (the notice says where each is). Opened to
        read, the file is left as it is and its readable records are read
        into memory; writing to such a store is refused.

        Args:
            path: the database file; default :func:`default_path`.
            create: create the file (folder 0700, file 0600) if it does not
                exist. With ``False`` a missing file gives an empty store in
                memory, so merely looking at history writes nothing; a file
                that cannot be written (a read-only folder) is opened read-only.

        Raises:
            HistoryTooNew: the file comes from a newer stretch-coach; it was not touched.
            HistoryError: the file cannot be opened or is not a stretch-coach history.
        """
        path = Path(path) if path is not None else default_path()
        try:
            _refuse_if_too_new(path)
            return cls._open(path, create=create)
        except _Damaged as err:
            damage = str(err)
        except sqlite3.DatabaseError as err:
            if not _is_damaged(err):
                raise _open_failed(path, err) from err
            damage = str(err)
        except UnicodeDecodeError:  # SQLite's own message quotes damaged bytes
            damage = "its list of tables is damaged"
        if not create:
            return cls._read_damaged(path, damage)
        return cls._rebuild_damaged(path, damage)

    @classmethod
    def _open(cls, path: Path, *, create: bool) -> Self:
        try:
            if not path.exists():
                if not create:
                    return cls.in_memory()
                ensure_dir(path.parent)
                _create_private(path)
            elif not create and not _writable(path):
                return cls._open_read_only(path)
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
            _check_layout(conn)
        except sqlite3.OperationalError as err:
            conn.close()
            if not create and _code(err) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
                return cls._open_read_only(path)
            raise
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @classmethod
    def _open_read_only(cls, path: Path) -> Self:
        """Open a history that cannot be written here, to read it (nothing is changed)."""
        conn = _connect_read_only(path)
        try:
            _check_version(conn, path)
            _check_readable(conn)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version == schema.current_version():
                _check_layout(conn)
        except BaseException:
            conn.close()
            raise
        if version < schema.current_version():
            # Empty, or an older layout that needs an upgrade this folder does not allow.
            conn.close()
            if version == 0:
                return cls.in_memory()
            raise HistoryError(
                f"the history database {path} needs an upgrade, but it cannot be written "
                "here; make its folder writable and try again"
            )
        return cls(conn, path, read_only=True)

    @classmethod
    def _read_damaged(cls, path: Path, damage: str) -> Self:
        """A damaged file, for reading: its readable rows copied into memory; the file untouched."""
        conn = _connect(":memory:")
        schema.migrate(conn)
        found = _salvage_file(path, conn)
        store = cls(conn, path, read_only=True, salvaged=found)
        if not _first_time_told(path):
            return store  # said once in this program's life (a TUI opens the history often)
        store.notice = (
            f"the history database {path} is damaged ({damage}); it is kept as it is, and "
            f"{plural_records(found.copied)} could be read from it"
            + (f" ({plural_records(len(found.unreadable))} could not)" if found.unreadable else "")
            + ". `stretch-coach history repair` copies them into a new history"
        )
        return store

    @classmethod
    def _rebuild_damaged(cls, path: Path, damage: str) -> Self:
        """A damaged file, for writing: kept aside, its readable rows copied into a new file."""
        aside = _set_aside(path, "corrupt")
        store = cls._open(path, create=True)
        found = _salvage_file(aside, store._conn)
        store.set_aside = aside
        lost = (
            f"; {plural_records(len(found.unreadable))} could not be read"
            if found.unreadable
            else ""
        )
        store.notice = (
            f"the history database was damaged ({damage}); it is kept as {aside} and a new "
            f"history begins with the {plural_records(found.copied)} that could be read from "
            f"it{lost}"
        )
        return store

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

    # -- rows that cannot be read -------------------------------------------

    def unreadable_count(self) -> int:
        """How many records the store leaves out because they cannot be read."""
        if self._salvaged is not None:
            return len(self._salvaged.unreadable)
        with self._reading():
            assert self._unreadable_count is not None  # found on reading
            return self._unreadable_count

    def unreadable(self) -> list[Unreadable]:
        """The records left out, each with what is wrong with it (for ``history check``)."""
        if self._salvaged is not None:
            return list(self._salvaged.unreadable)
        with self._reading() as conn:
            return list_unreadable(conn)

    @classmethod
    def repair(cls, path: Path | str | None = None) -> Repair:
        """Copy every readable record into a fresh database, keeping the original beside it.

        Raises:
            HistoryTooNew: the file comes from a newer stretch-coach; it was not touched.
            HistoryError: there is no history there, or it cannot be moved aside.
        """
        path = Path(path) if path is not None else default_path()
        if not path.is_file():
            raise HistoryError(f"there is no history database at {path}; nothing to repair")
        with suppress(_Damaged):  # a damaged header is what repair is for
            _refuse_if_too_new(path)
        aside = _set_aside(path, "before-repair")
        with cls._open(path, create=True) as store:
            found = _salvage_file(aside, store._conn)
        return Repair(path, aside, found.copied, found.unreadable)

    # -- reading and writing ---------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                if self._unreadable_count is None:
                    self._unreadable_count = create_views(self._conn)
                yield self._conn
            except sqlite3.Error as err:
                raise self._failed("read", err) from err
            except UnicodeDecodeError as err:  # an SQLite message quoting damaged bytes
                raise HistoryError(
                    f"the history database {self.where} is damaged; "
                    "`stretch-coach history repair` copies what can be read into a new history"
                ) from err

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of the block's writes are kept, or none."""
        with self._lock:
            self._check_writable()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._roll_back()
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                self._roll_back()
                raise self._failed("write to", err) from err

    def _roll_back(self) -> None:
        # SQLite may already have rolled back by itself (a full disk does):
        # a second ROLLBACK would fail with "no transaction is active" and
        # hide the real error.
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement as its own committed write."""
        with self._lock:
            self._check_writable()
            try:
                return self._conn.execute(sql, params)
            except sqlite3.Error as err:
                raise self._failed("write to", err) from err

    def _check_writable(self) -> None:
        if self._salvaged is not None:
            raise HistoryError(
                f"the history database {self.where} is damaged, so nothing was changed; "
                "`stretch-coach history repair` copies what can be read into a new history"
            )

    def _failed(self, action: str, err: sqlite3.Error) -> HistoryError:
        code = _code(err)
        if _is_damaged(err):
            return HistoryError(
                f"the history database {self.where} is damaged ({err}); nothing was changed. "
                "`stretch-coach history repair` copies what can be read into a new history"
            )
        if code == sqlite3.SQLITE_FULL:
            return HistoryError(
                f"no space left on the disk for the history database {self.where}; nothing was "
                "changed. Free some space and try again"
            )
        if code == sqlite3.SQLITE_READONLY or self.read_only:
            return HistoryError(
                f"the history database {self.where} cannot be written here (its folder or file "
                "is read-only); nothing was changed. Reading it still works"
            )
        return HistoryError(f"could not {action} the history database {self.where}: {err}")


@dataclass(frozen=True)
class Repair:
    """What :meth:`HistoryDatabase.repair` did.

    Attributes:
        path: the new history (where the old one was).
        kept_as: the original file, kept beside it.
        copied: records copied into the new history.
        unreadable: records that could not be read, each with why.
    """

    path: Path
    kept_as: Path
    copied: int
    unreadable: tuple[Unreadable, ...]


#: Damaged files already reported by this program: (path, size, modification time).
_TOLD: set[tuple[str, int, int]] = set()


def _first_time_told(path: Path) -> bool:
    """Whether this is the first time this program reports the damaged file ``path`` as it is."""
    try:
        info = path.stat()
    except OSError:
        return True
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key in _TOLD:
        return False
    _TOLD.add(key)
    return True


def plural_records(count: int) -> str:
    """``1 record``, ``2 records``."""
    return f"{count} record" if count == 1 else f"{count} records"


# -- opening helpers -------------------------------------------------------


def _connect(target: str) -> sqlite3.Connection:
    # Autocommit (isolation_level=None): each statement commits by itself, and
    # multi-statement writes use explicit BEGIN IMMEDIATE ... COMMIT.
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    conn.text_factory = _lenient_text
    _add_functions(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed diary entry survives a power cut, not only a crash.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _lenient_text(data: bytes) -> str:
    """Stored text as ``str``; bytes that are not UTF-8 (damage) read as U+FFFD, not as a crash."""
    return data.decode("utf-8", "replace")


def _create_private(path: Path) -> None:
    """Create an empty file readable by the user only; SQLite gives -wal/-shm the same mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another program created it just now
        return
    os.close(fd)


def _header(path: Path) -> bytes | None:
    """The file's 100-byte SQLite header, read without SQLite (``None`` if it has none)."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return None
    return header


def _too_new(path: Path, version: int) -> HistoryTooNew:
    return HistoryTooNew(
        f"the history database {path} was written by a newer stretch-coach "
        f"(schema {version}; this one reads up to {schema.current_version()}); "
        "it was left untouched. Upgrade stretch-coach, "
        "or set STRETCH_COACH_DATA_DIR to use another folder"
    )


def _refuse_if_too_new(path: Path) -> None:
    """Refuse a file a newer stretch-coach wrote, before SQLite touches it.

    A version number in a damaged header is not taken for a newer program's:
    a newer stretch-coach writes a sound header and a version a little above
    ours; anything else is damage (:class:`_Damaged`), and the damage path
    keeps every record that can be read.
    """
    header = _header(path)
    if header is None:
        return
    version = int.from_bytes(header[_USER_VERSION_OFFSET : _USER_VERSION_OFFSET + 4], "big")
    if version <= schema.current_version():
        return
    if not _sound_header(header) or version > _MOST_PLAUSIBLE_VERSION:
        raise _Damaged(f"its header is damaged: schema version {version} cannot be ours")
    raise _too_new(path, version)


#: A newer stretch-coach will not have added this many migrations; a larger
#: version number in the header is damage.
_MOST_PLAUSIBLE_VERSION = 1000


def _sound_header(header: bytes) -> bool:
    """Whether the fixed fields of an SQLite header hold the values every SQLite writes."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    return (
        512 <= page_size <= 65536
        and page_size & (page_size - 1) == 0
        and header[18] in (1, 2)  # write and read format: legacy or WAL
        and header[19] in (1, 2)
        and header[21:24] == b"\x40\x20\x20"  # payload fractions: always 64, 32, 32
        and int.from_bytes(header[44:48], "big") in (1, 2, 3, 4)  # schema format
        and int.from_bytes(header[56:60], "big") in (1, 2, 3)  # text encoding
    )


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
    if version > _MOST_PLAUSIBLE_VERSION:
        raise _Damaged(f"schema version {version} cannot be ours")
    if version > schema.current_version():
        raise _too_new(path, version)
    if version == 0 and tables:
        raise HistoryError(
            f"{path} is an SQLite database but not a stretch-coach history; it was left untouched. "
            "Move it away, or set STRETCH_COACH_DATA_DIR to use another folder"
        )


class _Damaged(Exception):
    """SQLite's integrity check found damage that reading alone may not have shown.

    The full check, not the quick one: an index that no longer matches its
    table (which only the full check sees) makes queries that use the index
    miss rows without any error.
    """


#: integrity_check's reports of a bad value in a sound file: the views skip such
#: rows (see :mod:`~stretch_coach.history.salvage`), so they are not damage.
_VALUE_PROBLEMS = ("CHECK constraint failed", "NULL value in")


def _check_readable(conn: sqlite3.Connection) -> None:
    for (problem,) in conn.execute("PRAGMA integrity_check(100)"):
        if problem != "ok" and not problem.startswith(_VALUE_PROBLEMS):
            raise _Damaged(problem)


def _code(err: sqlite3.Error) -> int:
    """SQLite's primary result code for ``err`` (0 if it has none)."""
    code = getattr(err, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else 0


def _is_damaged(err: sqlite3.Error) -> bool:
    return _code(err) in _DAMAGED_CODES


def _open_failed(path: Path, err: sqlite3.Error) -> HistoryError:
    if _code(err) == sqlite3.SQLITE_FULL:
        return HistoryError(
            f"no space left on the disk for the history database {path}; free some space "
            "and try again"
        )
    return HistoryError(f"cannot open the history database {path}: {err}")


def _writable(path: Path) -> bool:
    """Whether SQLite can write ``path`` here (the file, and its folder for the -wal and -shm)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open ``path`` without writing to it or beside it.

    ``mode=ro`` still needs the WAL's shared-memory file; in a read-only folder
    where there is none, ``immutable=1`` reads the file as it stands.
    """
    target = "file:" + quote(str(path.resolve()))
    conn = sqlite3.connect(
        target + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    conn.text_factory = _lenient_text
    _add_functions(conn)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as err:
        conn.close()
        if _code(err) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            raise
    conn = sqlite3.connect(
        target + "?immutable=1", uri=True, isolation_level=None, check_same_thread=False
    )
    conn.text_factory = _lenient_text
    _add_functions(conn)
    return conn


def _add_functions(conn: sqlite3.Connection) -> None:
    # The rule for whether a session counts lives in Python once; SQL calls it.
    conn.create_function("session_counts", 9, stats.stored_session_counts, deterministic=True)


def _salvage_file(path: Path, dest: sqlite3.Connection) -> Salvage:
    """Copy what can be read of the history file ``path`` into ``dest`` (nothing if nothing can).

    A table layout whose text is damaged (a column renamed by a flipped byte)
    is written back as this program made it, in a copy, so the rows stored
    under it can still be read; the file itself is never written.
    """
    if _layout_differs(path):
        with tempfile.TemporaryDirectory(prefix="stretch-coach-salvage-") as folder:
            copy = Path(folder) / path.name
            for suffix in ("", "-wal"):
                with suppress(FileNotFoundError):
                    shutil.copyfile(
                        path.with_name(path.name + suffix), copy.with_name(copy.name + suffix)
                    )
            _restore_layout(copy)
            return _salvage_copy(copy, dest)
    return _salvage_copy(path, dest)


def _salvage_copy(path: Path, dest: sqlite3.Connection) -> Salvage:
    try:
        source = _connect_read_only(path)
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return Salvage(0, ())
    try:
        try:
            names = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            return Salvage(0, ())  # not even the list of tables can be read
        if not {"sessions", "session_steps", "cramps"} <= names:
            return Salvage(0, ())
        return salvage(source, dest)
    finally:
        source.close()


def _expected_layout() -> dict[str, str]:
    """Each table's and index's SQL text, as this program creates them."""
    return _layout_of(tuple(schema.MIGRATIONS))


@cache
def _layout_of(migrations: tuple[Callable[[sqlite3.Connection], None], ...]) -> dict[str, str]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for migration in migrations:
            migration(conn)
        return {
            name: sql
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE sql NOT NULL")
        }
    finally:
        conn.close()


def _layout(conn: sqlite3.Connection) -> dict[str, object]:
    return {name: sql for name, sql in conn.execute("SELECT name, sql FROM sqlite_master")}


def _layout_differs(path: Path) -> bool:
    """Whether the file's table layout differs from this program's (damage)."""
    try:
        conn = _connect_read_only(path)
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return False
    try:
        found = _layout(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return False
    finally:
        conn.close()
    return any(not _same_sql(found.get(name), sql) for name, sql in _expected_layout().items())


def _same_sql(found: object, expected: str) -> bool:
    """Whether a stored table layout says what ours does (comments and spacing aside)."""
    if not isinstance(found, str):
        return False

    def plain(sql: str) -> str:
        return " ".join(re.sub(r"--[^\n]*", "", sql).split())

    return plain(found) == plain(expected)


def _restore_layout(copy: Path) -> None:
    """Write this program's table layout over a damaged one, in a copy of the file."""
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.text_factory = _lenient_text
    try:
        conn.execute("PRAGMA writable_schema = ON")
        for name, sql in _expected_layout().items():
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, name))
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        pass  # the copy is read as it is
    finally:
        conn.close()


def _check_layout(conn: sqlite3.Connection) -> None:
    """Refuse, as damage, a table layout that is not this program's."""
    try:
        found = _layout(conn)
    except UnicodeDecodeError:
        raise _Damaged("its list of tables is damaged") from None
    for name, sql in _expected_layout().items():
        if not _same_sql(found.get(name), sql):
            raise _Damaged(f"the layout of its table or index {name} is damaged")


def _set_aside(path: Path, tag: str) -> Path:
    """Rename a database (and its companion files) out of the way; return the new name."""
    stamp = times.now().strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.{tag}-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.{tag}-{stamp}-{number}")
    try:
        path.rename(aside)
        for suffix in _COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
    except OSError as err:
        raise HistoryError(
            f"the history database {path} could not be moved aside "
            f"({err.strerror}); move it away yourself to start a new one"
        ) from err
    return aside
