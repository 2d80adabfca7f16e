"""A bad value or a damaged page never hides the rest of the history (issue 11).

Every reading command reads row by row: what cannot be read is skipped and
counted, everything else is shown; ``history check`` lists what was skipped
and ``history repair`` copies every readable record into a fresh database,
keeping the original.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach.history import db as dbmodule
from stretch_coach.history.errors import HistoryError, HistoryTooNew
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

PLUS2 = timezone(timedelta(hours=2))
UNREADABLE_2 = (
    "stretch-coach: 2 records could not be read; `stretch-coach history check` says which\n"
)

Run = Callable[..., tuple[int, str, str]]


def history_file(data_dir: Path) -> Path:
    return data_dir / "history.sqlite3"


def fill(path: Path, *, cramps: int = 4, sessions: int = 2, note: str = "") -> None:
    """A history with ``cramps`` entries (one a day from 1 May 2024) and finished sessions."""
    start = datetime(2024, 5, 1, 2, 30, tzinfo=PLUS2)
    with HistoryStore.open(path) as store:
        for n in range(cramps):
            store.add_cramp(
                Cramp(at=start + timedelta(days=n), severity=n % 11, note=f"n{n + 1}{note}")
            )
        for n in range(sessions):
            started = start + timedelta(days=n, hours=19)
            record = store.start_session("calf", f"Calf {n + 1}", "sha256:x", 120, started)
            record.step_done(0, "Calf stretch", 60)
            record.step_done(1, "Heel walk", 60)
            record.finish("finished", ended_at=started + timedelta(minutes=2))


def spoil(path: Path, *statements: str) -> None:
    """Write bad values behind the program's back (as damage or another tool would)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = 1")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


BAD_TWO = (
    "UPDATE cramps SET at = '2024-01-13T00:30:00+00:00x' WHERE id = 2",
    "UPDATE cramps SET severity = 11 WHERE id = 3",
)


# -- one bad value in one row ------------------------------------------------------------


def test_diary_list_skips_and_counts_rows_it_cannot_read(run: Run, data_dir: Path) -> None:
    fill(history_file(data_dir))
    spoil(history_file(data_dir), *BAD_TWO)
    code, out, err = run("diary", "list")
    assert code == 0
    assert out == "#1 2024-05-01 02:30, severity 0. n1\n#4 2024-05-04 02:30, severity 3. n4\n"
    assert err == UNREADABLE_2
    assert not list(data_dir.glob("history.sqlite3.*-2*"))  # nothing set aside


def test_history_report_and_export_skip_the_same_rows(run: Run, data_dir: Path) -> None:
    fill(history_file(data_dir))
    spoil(
        history_file(data_dir),
        "UPDATE cramps SET utc_offset = 'x' WHERE id = 1",
        "UPDATE sessions SET started_at = '2024-05-01T21:30:00+00:00x' WHERE id = 1",
    )
    code, out, err = run("history", "--json")
    assert (code, err) == (0, UNREADABLE_2)
    shown = json.loads(out)
    assert [s["title"] for s in shown["sessions"]] == ["Calf 2"]
    assert (shown["total_sessions"], shown["total_cramps"]) == (1, 3)

    code, out, err = run("history")
    assert (code, err) == (0, UNREADABLE_2)
    assert "Calf 2" in out and "Calf 1" not in out

    for fmt in ("md", "html", "csv", "json"):
        code, out, err = run("report", "--format", fmt, "--since", "2024-04-01")
        assert (code, err) == (0, UNREADABLE_2), fmt
        assert "n2" in out and "n4" in out and "n1" not in out, fmt

    code, out, err = run("export", "-")
    assert code == 0
    assert err == UNREADABLE_2 + "Exported 1 session and 3 diary entries.\n"
    exported = json.loads(out)
    assert [c["note"] for c in exported["cramps"]] == ["n2", "n3", "n4"]


def test_a_bad_step_hides_only_itself(run: Run, data_dir: Path) -> None:
    fill(history_file(data_dir))
    spoil(history_file(data_dir), "UPDATE session_steps SET seconds = 'lots' WHERE seq = 2")
    code, out, err = run("history", "--json")
    assert code == 0
    assert err == (
        "stretch-coach: 2 records could not be read; `stretch-coach history check` says which\n"
    )
    sessions = json.loads(out)["sessions"]
    assert [(s["steps_done"], s["done_seconds"]) for s in sessions] == [(1, 60.0), (1, 60.0)]


def test_check_lists_what_cannot_be_read_and_repair_recovers_the_rest(
    run: Run, data_dir: Path
) -> None:
    path = history_file(data_dir)
    fill(path)
    spoil(path, *BAD_TWO, "UPDATE session_steps SET at = 'soon' WHERE session_id = 2 AND seq = 1")
    original = path.read_bytes()

    code, out, err = run("history", "check")
    assert (code, err) == (1, "")
    assert out == (
        f"3 records in {path} could not be read (2 sessions and 2 diary entries can):\n"
        "  session step #2 step 1: a value that cannot be read in at\n"
        "  diary entry #2: a value that cannot be read in at\n"
        "  diary entry #3: a value that cannot be read in severity\n"
        "`stretch-coach history repair` copies every readable record into a new history.\n"
    )

    code, out, err = run("history", "repair")
    assert (code, err) == (0, "")
    (kept,) = data_dir.glob("history.sqlite3.before-repair-*[0-9]")
    assert out.startswith(
        f"Copied 7 records into a new history at {path}; the original is kept as {kept}.\n"
        "3 records could not be read:\n"
    )
    assert kept.read_bytes() == original  # the original, untouched

    code, out, err = run("history", "check")
    assert (code, err) == (0, "")
    assert out == f"Every record in {path} can be read (2 sessions and 2 diary entries).\n"
    code, out, err = run("diary", "list")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "#1 2024-05-01 02:30, severity 0. n1",
        "#4 2024-05-04 02:30, severity 3. n4",
    ]
    code, out, err = run("diary", "add", "--when", "2024-05-06T02:30")
    assert code == 0 and out.startswith("Saved #5 ")  # numbers go on after the kept ones


def test_check_of_a_sound_history_exits_0(run: Run, data_dir: Path) -> None:
    code, out, _ = run("history", "check")
    assert (code, out) == (
        0,
        f"There is no history yet ({history_file(data_dir)}): nothing to check.\n",
    )
    fill(history_file(data_dir))
    code, out, _ = run("history", "check")
    assert code == 0
    assert out == (
        f"Every record in {history_file(data_dir)} can be read (2 sessions and 4 diary entries).\n"
    )


def test_check_counts_one_of_each_in_the_singular(run: Run, data_dir: Path) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    with HistoryStore.open(history_file(data_dir)) as store:
        store.start_session("bedtime", "Bedtime calf stretch", "sha256:a", 600)
    assert run("history", "check")[1].endswith("(1 session and 1 diary entry).\n")


def test_repair_without_a_history_is_one_clear_line(run: Run, data_dir: Path) -> None:
    code, out, err = run("history", "repair")
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: there is no history database at {history_file(data_dir)}; "
        "nothing to repair\n"
    )


def test_writing_beside_a_bad_row_keeps_the_file_and_the_row(run: Run, data_dir: Path) -> None:
    path = history_file(data_dir)
    fill(path)
    spoil(path, *BAD_TWO)
    code, out, err = run("diary", "add", "--when", "2024-05-06T02:30")
    assert code == 0 and out.startswith("Saved #5 ")
    assert err == ""
    assert sorted(p.name for p in data_dir.iterdir() if "sqlite3." in p.name) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM cramps").fetchone() == (5,)
    conn.close()


# -- random damage to the file -----------------------------------------------------------


def readable_cramps(path: Path, top: int) -> set[str]:
    """The diary entries that can be read one by one, judged the plain Python way.

    An independent reader: each row fetched by its number on its own
    connection, and kept if every value is what the program writes.
    """
    found: set[str] = set()
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return found
    for number in range(1, top + 1):
        try:
            row = conn.execute(
                "SELECT uuid, at, utc_offset, duration_seconds, severity, leg, muscle, woke,"
                " symptoms, note, created_at, updated_at, deleted_at FROM cramps WHERE id = ?",
                (number,),
            ).fetchone()
        except (sqlite3.Error, UnicodeDecodeError):
            continue
        if row is not None and _plain_cramp(row):
            found.add(row[0])
    conn.close()
    return found


def _plain_cramp(row: tuple[object, ...]) -> bool:
    uuid, at, offset, duration, severity, leg, muscle, woke, symptoms, note, made, changed, gone = (
        row
    )
    try:
        assert isinstance(uuid, str) and str(uuidlib.UUID(uuid)) == uuid
        assert isinstance(at, str) and _instant(at, 25)
        assert type(offset) is int and -1440 < offset < 1440
        assert duration is None or (type(duration) in (int, float) and 0 < duration <= 86400)
        assert severity is None or (type(severity) is int and 0 <= severity <= 10)
        assert leg in (None, "left", "right", "both")
        assert muscle in (None, "calf", "thigh", "foot", "other")
        assert type(woke) is int and woke in (0, 1)
        assert isinstance(symptoms, str) and (note is None or isinstance(note, str))
        assert isinstance(made, str) and _instant(made, 32)
        assert isinstance(changed, str) and _instant(changed, 32)
        assert gone is None or (isinstance(gone, str) and _instant(gone, 32))
    except (AssertionError, ValueError):
        return False
    return True


def _instant(text: str, length: int) -> bool:
    moment = datetime.fromisoformat(text)
    return (
        len(text) == length
        and moment.utcoffset() == timedelta(0)
        and text[:19] == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        and 2 <= moment.year <= 9998
    )


def damaged_copies(source: Path, folder: Path, count: int) -> Iterator[Path]:
    """Copies of ``source`` with random bytes overwritten, each in a data folder of its own."""
    data = source.read_bytes()
    rng = random.Random(20241113)
    for n in range(count):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 4, 16, 64))):
            # Anywhere but the first 100 bytes (the header has a test of its own).
            damaged[rng.randrange(100, len(damaged))] = rng.randrange(256)
        path = folder / f"copy{n}" / "history.sqlite3"
        path.parent.mkdir(parents=True)
        path.write_bytes(bytes(damaged))
        yield path


def test_random_damage_hides_no_readable_record_and_repair_recovers_them(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source" / "history.sqlite3"
    fill(source, cramps=60, sessions=10, note=" " + "x" * 300)  # spread over many pages
    spoil(source)  # checkpoint: everything in the main file
    shown_total = readable_total = 0
    for path in damaged_copies(source, tmp_path / "copies", 40):
        monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(path.parent))
        readable = readable_cramps(path, 60)
        before = path.read_bytes()

        code, out, err = run("diary", "list", "--json")
        assert code == 0, err
        shown = {c["uuid"] for c in json.loads(out)["cramps"]}
        assert readable <= shown, path
        assert path.read_bytes() == before  # reading changes nothing
        for argv in (("history",), ("report", "--format", "html"), ("export", "-")):
            code, _, err = run(*argv)
            assert code == 0 and "Traceback" not in err, (path, argv, err)

        code, out, err = run("history", "repair")
        assert code == 0, err
        code, out, err = run("diary", "list", "--json")
        assert (code, err) == (0, "")
        assert {c["uuid"] for c in json.loads(out)["cramps"]} == shown
        assert run("history", "check")[0] == 0
        shown_total += len(shown)
        readable_total += len(readable)
    assert readable_total > 40 * 30  # the damage leaves most records readable


# -- the file's header -------------------------------------------------------------------


def test_a_damaged_header_is_not_taken_for_a_newer_program(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    spoil(path)
    data = bytearray(path.read_bytes())
    data[60:64] = b"\xde\xad\xbe\xef"  # the schema version
    data[21] = 0  # and a field every SQLite writes as 64
    path.write_bytes(bytes(data))
    with HistoryStore.open(path, create=False) as store:
        assert "damaged" in (store.notice or "") and "newer" not in (store.notice or "")
        assert "header" in (store.notice or "")
    assert path.read_bytes() == bytes(data)


def test_an_absurd_version_in_a_sound_header_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    spoil(path, "PRAGMA user_version = 70000")
    with HistoryStore.open(path, create=False) as store:
        assert "schema version 70000 cannot be ours" in (store.notice or "")
        assert len(store.cramps()) == 4


def test_a_plausible_newer_version_is_still_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    spoil(path, "PRAGMA user_version = 7")
    before = path.read_bytes()
    with pytest.raises(HistoryTooNew, match="newer stretch-coach"):
        HistoryStore.open(path)
    assert path.read_bytes() == before


# -- a full disk, a read-only folder ---------------------------------------------------


def test_a_full_disk_says_so_for_one_write(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(HistoryError) as caught:
            for _ in range(50):
                store.add_cramp(Cramp(at=datetime(2024, 5, 1, tzinfo=UTC), note="x" * 1999))
        assert "no space left on the disk" in caught.value.message
        assert "rollback" not in caught.value.message


def test_a_full_disk_during_a_transaction_says_so_and_keeps_nothing(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        store.add_cramp(Cramp(at=datetime(2024, 5, 1, tzinfo=UTC), note="kept"))
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        moment = datetime(2024, 5, 2, tzinfo=UTC)
        entries = [
            {
                "cramp": Cramp(at=moment, note="y" * 1999, uuid=str(uuidlib.uuid4())),
                "created_at": moment,
                "updated_at": moment,
                "deleted_at": None,
            }
            for _ in range(40)
        ]
        with pytest.raises(HistoryError) as caught:
            store.merge([], entries)
        assert caught.value.message == (
            f"no space left on the disk for the history database {store.where}; nothing was "
            "changed. Free some space and try again"
        )
        assert [c.note for c in store.cramps()] == ["kept"]
        assert not store._conn.in_transaction


def test_a_failed_block_rolls_back_every_write_in_it(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        with pytest.raises(RuntimeError), store._writing() as conn:
            conn.execute(
                "INSERT INTO sessions (uuid, routine_id, title, content_hash, started_at,"
                " utc_offset, planned_seconds) VALUES (?, 'r', 't', 'h',"
                " '2024-05-01T00:00:00+00:00', 0, 1)",
                (str(uuidlib.uuid4()),),
            )
            raise RuntimeError("half-way")
        assert store.sessions() == []
        assert not store._conn.in_transaction
        store.start_session("calf", "Calf", "sha256:x", 60)  # and the store goes on
        assert len(store.sessions()) == 1


def test_a_write_the_database_refuses_is_one_clear_error(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        with pytest.raises(HistoryError, match=r"could not write to the history database .*"):
            store._execute("INSERT INTO cramps (uuid) VALUES (NULL)")
        assert store.cramps() == []


def test_a_read_only_folder_still_reads(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(history_file(data_dir))
    spoil(history_file(data_dir))
    if os.geteuid() == 0:  # root writes anywhere: let the program see the folder as others would
        monkeypatch.setattr(dbmodule, "_writable", lambda path: False)
    data_dir.chmod(0o500)
    history_file(data_dir).chmod(0o400)
    try:
        code, out, err = run("diary", "list")
        assert (code, err) == (0, "")
        assert len(out.splitlines()) == 4
        code, out, err = run("history", "--json")
        assert code == 0, err
        assert json.loads(out)["total_sessions"] == 2
        code, out, err = run("diary", "delete", "1", "--yes")
        assert (code, out) == (2, "")
        assert "cannot be written here" in err and "Reading it still works" in err
    finally:
        data_dir.chmod(0o700)
        history_file(data_dir).chmod(0o600)


def test_a_damaged_file_opened_to_read_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    spoil(path, "PRAGMA user_version = 70000")
    with (
        HistoryStore.open(path, create=False) as store,
        pytest.raises(HistoryError, match="history repair"),
    ):
        store.delete_cramp(1)
    with HistoryStore.open(path) as store:
        assert [c.note for c in store.cramps()] == ["n1", "n2", "n3", "n4"]


def test_a_damaged_table_layout_still_gives_up_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    spoil(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(  # a flipped byte in the stored text of the table's layout
        "UPDATE sqlite_master SET sql = replace(sql, 'updated_at', 'updatez_at')"
        " WHERE name = 'cramps'"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with HistoryStore.open(path, create=False) as store:
        assert "layout of its table or index cramps is damaged" in (store.notice or "")
        assert [c.note for c in store.cramps()] == ["n1", "n2", "n3", "n4"]
        assert len(store.sessions()) == 2
    assert path.read_bytes() == before
    with HistoryStore.open(path) as store:  # to write: a new file with every record
        assert [c.note for c in store.cramps()] == ["n1", "n2", "n3", "n4"]
    with HistoryStore.open(path) as store:
        assert store.notice is None


def test_a_layout_that_differs_only_in_comments_and_spacing_is_ours(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, '-- comma-separated', '--  other words')"
        " WHERE name = 'cramps'"
    )
    conn.commit()
    conn.close()
    with HistoryStore.open(path) as store:
        assert store.notice is None and store.set_aside is None
        assert len(store.cramps()) == 4


def test_a_bad_check_in_hides_only_itself_and_repair_keeps_the_others(
    run: Run, data_dir: Path
) -> None:
    from datetime import date

    path = history_file(data_dir)
    fill(path, cramps=0, sessions=0)
    with HistoryStore.open(path) as store:
        for day in (1, 2, 3):
            store.check_in(date(2024, 5, day))
    spoil(path, "UPDATE checkins SET night = '2024-02-31' WHERE night = '2024-05-02'")

    code, out, err = run("diary", "list")
    assert (code, err) == (
        0,
        "stretch-coach: 1 record could not be read; `stretch-coach history check` says which\n",
    )
    assert out.splitlines() == [
        "night of 2024-05-01: no cramps (checked in)",
        "night of 2024-05-03: no cramps (checked in)",
    ]
    code, out, _ = run("history", "check")
    assert code == 1 and "  check-in #2: a value that cannot be read in night\n" in out
    code, out, _ = run("history", "repair")
    assert code == 0 and out.startswith("Copied 2 records into a new history")
    with HistoryStore.open(path) as store:
        assert store.checked_in_nights() == [date(2024, 5, 1), date(2024, 5, 3)]


def test_a_day_past_the_end_of_its_month_is_unreadable_not_a_crash(
    run: Run, data_dir: Path
) -> None:
    fill(history_file(data_dir))
    spoil(history_file(data_dir), "UPDATE cramps SET at = '2024-02-31T00:30:00+00:00' WHERE id = 2")
    code, out, err = run("diary", "list")
    assert code == 0 and "could not be read" in err
    assert [line[:2] for line in out.splitlines()] == ["#1", "#3", "#4"]
