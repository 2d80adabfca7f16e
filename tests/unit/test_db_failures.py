"""The history database's error paths, driven by injected failures: each is one clear line."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stretch_coach.history import db as dbmodule
from stretch_coach.history.errors import HistoryError
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

MOMENT = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def _error(message: str, code: int) -> sqlite3.OperationalError:
    err = sqlite3.OperationalError(message)
    err.sqlite_errorcode = code  # type: ignore[attr-defined]
    return err


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    path = blocker / "history.sqlite3"
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(path)
    assert caught.value.message.startswith(f"cannot open the history database {path}: ")
    assert caught.value.message.endswith(
        "; check the folder's permissions, or set STRETCH_COACH_DATA_DIR to use another folder"
    )


def test_a_missing_file_opened_to_read_is_an_empty_store_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path, create=False) as store:
        assert store.path is None
        assert store.where == "(in memory)"
        assert store.cramps() == []
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_on_opening_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(conn: sqlite3.Connection) -> None:
        raise _error("database or disk is full", sqlite3.SQLITE_FULL)

    monkeypatch.setattr(dbmodule, "_use_wal", full)
    path = tmp_path / "history.sqlite3"
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(path)
    assert caught.value.message == (
        f"no space left on the disk for the history database {path}; free some space and try again"
    )


def test_another_sqlite_error_on_opening_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def io_error(conn: sqlite3.Connection) -> None:
        raise _error("disk I/O error", sqlite3.SQLITE_IOERR)

    monkeypatch.setattr(dbmodule, "_use_wal", io_error)
    path = tmp_path / "history.sqlite3"
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(path)
    assert caught.value.message == f"cannot open the history database {path}: disk I/O error"


def test_wal_mode_waits_while_another_program_holds_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    class Busy:
        def execute(self, sql: str) -> None:
            calls.append(sql)
            if len(calls) < 3:
                raise _error("database is locked", sqlite3.SQLITE_BUSY)

    monkeypatch.setattr(dbmodule.time, "sleep", lambda seconds: None)
    dbmodule._use_wal(Busy())  # type: ignore[arg-type]
    assert calls == ["PRAGMA journal_mode = WAL"] * 3


def test_wal_mode_gives_up_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]

    class Busy:
        def execute(self, sql: str) -> None:
            now[0] += 4.0
            raise _error("database is locked", sqlite3.SQLITE_BUSY)

    monkeypatch.setattr(dbmodule.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(dbmodule.time, "sleep", lambda seconds: None)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        dbmodule._use_wal(Busy())  # type: ignore[arg-type]
    assert now[0] == 12.0  # three tries: 4 s, 8 s, then 12 s is past the 10 s deadline


def test_a_read_that_fails_is_one_line(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        with pytest.raises(HistoryError) as caught, store._reading() as conn:
            conn.execute("SELECT x FROM nowhere")
        assert caught.value.message == (
            f"could not read the history database {store.where}: no such table: nowhere"
        )


def test_a_read_quoting_damaged_bytes_says_repair(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        with pytest.raises(HistoryError) as caught, store._reading():
            b"\xff".decode("utf-8")
        assert caught.value.message == (
            f"the history database {store.where} is damaged; "
            "`stretch-coach history repair` copies what can be read into a new history"
        )


def test_a_commit_that_fails_rolls_back_and_says_why(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        store.add_cramp(Cramp(at=MOMENT, note="kept"))
        with pytest.raises(HistoryError) as caught, store._writing() as conn:
            conn.execute("INSERT INTO cramps (uuid) VALUES (NULL)")
        assert caught.value.message.startswith(
            f"could not write to the history database {store.where}: NOT NULL constraint"
        )
        assert [c.note for c in store.cramps()] == ["kept"]
        assert not store._conn.in_transaction


@pytest.mark.parametrize(
    ("code", "read_only", "message"),
    [
        (
            sqlite3.SQLITE_CORRUPT,
            False,
            "the history database {w} is damaged (boom); nothing was changed. "
            "`stretch-coach history repair` copies what can be read into a new history",
        ),
        (
            sqlite3.SQLITE_FULL,
            False,
            "no space left on the disk for the history database {w}; nothing was changed. "
            "Free some space and try again",
        ),
        (
            sqlite3.SQLITE_READONLY,
            False,
            "the history database {w} cannot be written here (its folder or file is "
            "read-only); nothing was changed. Reading it still works",
        ),
        (
            sqlite3.SQLITE_IOERR,
            True,
            "the history database {w} cannot be written here (its folder or file is "
            "read-only); nothing was changed. Reading it still works",
        ),
        (sqlite3.SQLITE_IOERR, False, "could not write to the history database {w}: boom"),
    ],
)
def test_each_kind_of_failed_write_gets_its_own_advice(
    code: int, read_only: bool, message: str
) -> None:
    store = HistoryStore.in_memory()
    store.read_only = read_only
    assert store._failed("write to", _error("boom", code)).message == message.format(
        w="(in memory)"
    )


def test_an_error_without_a_code_is_code_0() -> None:
    assert dbmodule._code(sqlite3.OperationalError("x")) == 0
    assert dbmodule._code(_error("x", sqlite3.SQLITE_IOERR | (3 << 8))) == sqlite3.SQLITE_IOERR


def test_repair_without_a_history_says_so(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with pytest.raises(HistoryError) as caught:
        HistoryStore.repair(path)
    assert caught.value.message == (f"there is no history database at {path}; nothing to repair")


def test_setting_aside_twice_in_one_second_keeps_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmodule.times, "now", lambda: datetime(2024, 5, 1, 3, 4, 5))
    path = tmp_path / "history.sqlite3"
    for content in (b"first", b"second", b"third"):
        path.write_bytes(content)
        (tmp_path / "history.sqlite3-wal").write_bytes(content + b"-wal")
        dbmodule._set_aside(path, "corrupt")
    names = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert names == {
        "history.sqlite3.corrupt-20240501T030405": b"first",
        "history.sqlite3.corrupt-20240501T030405-wal": b"first-wal",
        "history.sqlite3.corrupt-20240501T030405-2": b"second",
        "history.sqlite3.corrupt-20240501T030405-2-wal": b"second-wal",
        "history.sqlite3.corrupt-20240501T030405-3": b"third",
        "history.sqlite3.corrupt-20240501T030405-3-wal": b"third-wal",
    }


def test_a_file_that_cannot_be_moved_aside_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"x")

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(HistoryError) as caught:
        dbmodule._set_aside(path, "corrupt")
    assert caught.value.message == (
        f"the history database {path} could not be moved aside (Permission denied); "
        "move it away yourself to start a new one"
    )
    assert path.read_bytes() == b"x"


def test_a_damaged_file_is_reported_once_while_it_stays_the_same(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"damaged")
    assert dbmodule._first_time_told(path) is True
    assert dbmodule._first_time_told(path) is False
    path.write_bytes(b"damaged more")
    assert dbmodule._first_time_told(path) is True
    assert dbmodule._first_time_told(tmp_path / "gone") is True


def test_plural_records() -> None:
    assert [dbmodule.plural_records(n) for n in (0, 1, 2)] == [
        "0 records",
        "1 record",
        "2 records",
    ]


def test_a_header_shorter_than_sqlite_writes_is_none(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(b"SQLite format 3\x00")
    assert dbmodule._header(path) is None
    assert dbmodule._header(tmp_path / "missing") is None


def test_an_empty_file_that_cannot_be_written_reads_as_an_empty_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite3"
    sqlite3.connect(path).close()  # an SQLite file with nothing in it yet
    monkeypatch.setattr(dbmodule, "_writable", lambda p: False)
    with HistoryStore.open(path, create=False) as store:
        assert store.path is None
        assert store.cramps() == []
    assert path.stat().st_size == 0


def test_an_older_history_that_cannot_be_written_asks_for_a_writable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE old (x)")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    before = path.read_bytes()
    monkeypatch.setattr(dbmodule, "_writable", lambda p: False)
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(path, create=False)
    assert caught.value.message == (
        f"the history database {path} needs an upgrade, but it cannot be written "
        "here; make its folder writable and try again"
    )
    assert path.read_bytes() == before
