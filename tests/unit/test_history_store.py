"""The history store: recording sessions, the file it keeps, and what it refuses."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretch_coach.history import schema
from stretch_coach.history.errors import HistoryError, HistoryTooNew
from stretch_coach.history.model import Cramp, WeekActivity
from stretch_coach.history.store import HistoryStore, content_hash

PLUS2 = timezone(timedelta(hours=2))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(db: Path):
    with HistoryStore.open(db) as opened:
        yield opened


def record_session(store: HistoryStore, started: datetime, how: str | None = "finished") -> int:
    record = store.start_session("calf", "Calf stretch", "sha256:x", 300, started_at=started)
    record.step_done(0, "Calf stretch", 60)
    if how:
        record.finish(how, ended_at=started + timedelta(minutes=5))
    return record.id


# -- the file ----------------------------------------------------------------


def test_creates_private_folder_and_file_in_wal_mode(store: HistoryStore, db: Path) -> None:
    store.start_session("calf", "Calf", "sha256:x", 60)
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.with_name(db.name + "-wal").stat().st_mode) == 0o600
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()


def test_default_path_follows_the_data_dir_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "elsewhere"))
    with HistoryStore.open() as store:
        assert store.path == tmp_path / "elsewhere" / "history.sqlite3"
    assert store.path.exists()


def test_a_looser_file_is_made_private_again(db: Path) -> None:
    HistoryStore.open(db).close()
    db.chmod(0o644)
    HistoryStore.open(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_reading_without_create_writes_nothing(db: Path) -> None:
    with HistoryStore.open(db, create=False) as store:
        assert store.sessions() == []
        assert store.path is None
    assert not db.parent.exists()


# -- recording sessions --------------------------------------------------------


def test_a_step_played_again_counts_once_by_its_latest_outcome(store: HistoryStore) -> None:
    record = store.start_session("calf", "Calf stretch", "sha256:abc", 120)
    record.step_skipped(0, "Wall calf stretch", 5)  # left early with "next" ...
    record.step_done(1, "Heel raises", 30)
    record.step_done(0, "Wall calf stretch", 60)  # ... then went back and did it
    info = record.finish("finished")
    assert (info.steps_done, info.steps_skipped) == (2, 0)
    assert info.done_seconds == pytest.approx(95)


def test_a_session_records_steps_and_how_it_ended(store: HistoryStore) -> None:
    record = store.start_session("calf", "Calf stretch", "sha256:abc", 600)
    record.step_done(0, "Wall calf stretch", 90)
    record.step_skipped(1, "Heel walking", 4.5)
    record.step_done(2, "Towel stretch", 60)
    info = record.finish("stopped", partial_seconds=10)

    assert (info.status, info.label, info.finished) == ("stopped", "stopped", False)
    assert (info.steps_done, info.steps_skipped) == (2, 1)
    assert info.done_seconds == pytest.approx(164.5)
    assert (info.routine_id, info.title, info.content_hash) == (
        "calf",
        "Calf stretch",
        "sha256:abc",
    )
    assert info.planned_seconds == 600
    steps = store.session_steps(record.id)
    assert [(s.seq, s.step_index, s.name, s.outcome) for s in steps] == [
        (1, 0, "Wall calf stretch", "done"),
        (2, 1, "Heel walking", "skipped"),
        (3, 2, "Towel stretch", "done"),
    ]


def test_a_session_never_finished_reads_as_not_finished(store: HistoryStore) -> None:
    record = store.start_session("calf", "Calf", "sha256:x", 60)
    record.step_done(0, "One", 30)
    (info,) = store.sessions()
    assert (info.status, info.label, info.ended_at) == ("in_progress", "not finished", None)
    assert info.last_recorded_at >= info.started_at


def test_an_ended_session_takes_no_more_records(store: HistoryStore) -> None:
    record = store.start_session("calf", "Calf", "sha256:x", 60)
    record.finish("finished")
    with pytest.raises(HistoryError, match="already ended"):
        record.step_done(0, "late", 1)
    with pytest.raises(HistoryError, match="already ended"):
        record.finish("stopped")
    assert store.session(record.id).status == "finished"


def test_an_exception_during_a_session_records_it_as_interrupted(store: HistoryStore) -> None:
    with (
        pytest.raises(KeyboardInterrupt),
        store.start_session("calf", "Calf", "sha256:x", 60) as record,
    ):
        record.step_done(0, "One", 30)
        raise KeyboardInterrupt
    assert store.session(record.id).status == "interrupted"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: r.finish("done"), "must be one of"),
        (lambda r: r.step_done(0, "x", -1), "seconds"),
        (lambda r: r.step_done(0, "x", float("nan")), "seconds"),
    ],
)
def test_the_engine_gets_a_clear_error_for_a_wrong_call(store: HistoryStore, call, match) -> None:
    record = store.start_session("calf", "Calf", "sha256:x", 60)
    with pytest.raises(ValueError, match=match):
        call(record)


def test_content_hash_is_sha256_of_the_file_bytes(tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_bytes(b"title: x\n")
    assert content_hash(routine) == content_hash(b"title: x\n")
    assert content_hash(b"") == (
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_times_keep_the_wall_clock_where_they_were_recorded(store: HistoryStore) -> None:
    started = datetime(2024, 5, 1, 23, 30, tzinfo=PLUS2)  # 21:30 UTC
    record_session(store, started)
    (info,) = store.sessions()
    assert info.started_at == started
    assert info.started_at.utcoffset() == timedelta(hours=2)
    assert info.day == date(2024, 5, 1)
    assert list(store.activity_days()) == [date(2024, 5, 1)]


def test_sessions_come_newest_first_and_can_be_limited(store: HistoryStore) -> None:
    base = datetime(2024, 5, 1, 22, 0, tzinfo=PLUS2)
    ids = [record_session(store, base + timedelta(days=n)) for n in range(5)]
    assert [s.id for s in store.sessions()] == ids[::-1]
    assert [s.id for s in store.sessions(limit=2)] == ids[:-3:-1]
    assert [s.id for s in store.sessions(since=date(2024, 5, 4))] == ids[:2:-1]


# -- two programs at once --------------------------------------------------------


def test_two_programs_recording_at_once_both_keep_their_records(db: Path) -> None:
    first, second = HistoryStore.open(db), HistoryStore.open(db)
    try:
        a = first.start_session("calf", "Calf", "sha256:a", 60)
        b = second.start_session("heel", "Heels", "sha256:b", 60)
        for n in range(5):
            a.step_done(n, f"a{n}", 10)
            b.step_done(n, f"b{n}", 10)
        first.add_cramp(Cramp(at=datetime(2024, 5, 1, 3, 0, tzinfo=PLUS2), severity=4))
        a.finish("finished")
        b.finish("stopped")
    finally:
        first.close()
        second.close()
    with HistoryStore.open(db) as store:
        got = {s.routine_id: (s.steps_done, s.status) for s in store.sessions()}
        assert got == {"calf": (5, "finished"), "heel": (5, "stopped")}
        assert len(store.cramps()) == 1


def test_programs_creating_the_history_at_once_all_open_it(tmp_path: Path) -> None:
    """Two instances started together (a first session in each) must both keep their records."""
    failures: list[str] = []
    for attempt in range(30):
        db = tmp_path / str(attempt) / "history.sqlite3"
        ready = threading.Barrier(4)

        def open_and_record(db: Path = db, ready: threading.Barrier = ready) -> None:
            ready.wait()
            try:
                with HistoryStore.open(db) as store:
                    record_session(store, datetime(2024, 5, 1, 22, 0, tzinfo=PLUS2))
            except HistoryError as err:
                failures.append(err.message)

        threads = [threading.Thread(target=open_and_record) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not failures:
            with HistoryStore.open(db) as store:
                assert len(store.sessions()) == 4
    assert failures == []


def test_the_store_can_be_used_from_another_thread(store: HistoryStore) -> None:
    record = store.start_session("calf", "Calf", "sha256:x", 60)
    errors: list[Exception] = []

    def play() -> None:
        try:
            for n in range(20):
                record.step_done(n, "step", 1)
        except Exception as err:
            errors.append(err)

    workers = [threading.Thread(target=play) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert [s.seq for s in store.session_steps(record.id)] == list(range(1, 61))


# -- versions and damage ---------------------------------------------------------


def test_a_database_from_a_newer_version_is_refused_and_untouched(db: Path) -> None:
    HistoryStore.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {schema.current_version() + 1}")
    conn.close()
    before = db.read_bytes()
    names_before = sorted(p.name for p in db.parent.iterdir())

    with pytest.raises(HistoryTooNew, match=r"newer stretch-coach.*left untouched"):
        HistoryStore.open(db)

    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == names_before


def test_migrations_upgrade_an_older_database_and_keep_its_records(db: Path, monkeypatch) -> None:
    with HistoryStore.open(db) as store:
        record_session(store, datetime(2024, 5, 1, 22, 0, tzinfo=PLUS2))

    def add_mood(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE cramps ADD COLUMN mood TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_mood])
    with HistoryStore.open(db) as store:
        assert len(store.sessions()) == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()
        assert "mood" in {row[1] for row in conn.execute("PRAGMA table_info(cramps)")}
    conn.close()


def test_a_failed_migration_leaves_the_database_as_it_was(db: Path, monkeypatch) -> None:
    with HistoryStore.open(db) as store:
        record_session(store, datetime(2024, 5, 1, 22, 0, tzinfo=PLUS2))

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE cramps ADD COLUMN mood TEXT")
        raise RuntimeError("bug in a migration")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        HistoryStore.open(db)
    monkeypatch.undo()
    with HistoryStore.open(db) as store:
        assert len(store.sessions()) == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()
        assert "mood" not in {row[1] for row in conn.execute("PRAGMA table_info(cramps)")}
    conn.close()


def test_a_damaged_file_is_kept_aside_and_a_new_one_started(db: Path) -> None:
    db.parent.mkdir(parents=True)
    junk = b"this is not an SQLite database " * 200
    db.write_bytes(junk)

    with HistoryStore.open(db) as store:
        assert store.set_aside is not None
        assert store.set_aside.name.startswith("history.sqlite3.corrupt-")
        assert store.set_aside.read_bytes() == junk
        assert str(store.set_aside) in (store.notice or "")
        assert "damaged" in (store.notice or "")
        store.start_session("calf", "Calf", "sha256:x", 60)
    with HistoryStore.open(db) as store:
        assert store.notice is None
        assert len(store.sessions()) == 1


def test_a_database_with_damaged_pages_is_kept_aside_with_its_records_copied(db: Path) -> None:
    with HistoryStore.open(db) as store:
        for n in range(30):
            store.add_cramp(
                Cramp(at=datetime(2024, 1, 1, tzinfo=PLUS2) + timedelta(hours=n), note="x" * 1900)
            )
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 3 : page * 3 + 64] = b"\xff" * 64  # scribble over a page of the table
    db.write_bytes(bytes(data))

    with HistoryStore.open(db, create=False) as store:  # to read: the file is left as it is
        assert len(store.cramps()) == 30 and store.unreadable_count() == 0
        assert "is kept as it is, and 30 records could be read from it" in (store.notice or "")
    assert db.read_bytes() == bytes(data)
    with HistoryStore.open(db) as store:  # to write: kept aside, every readable record copied
        assert store.set_aside is not None and store.set_aside.read_bytes() == bytes(data)
        assert len(store.cramps()) == 30
        assert f"kept as {store.set_aside}" in (store.notice or "")
        assert "begins with the 30 records that could be read" in (store.notice or "")


def test_another_programs_sqlite_file_is_refused_and_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE photos (name TEXT)")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(HistoryError, match="not a stretch-coach history"):
        HistoryStore.open(db)
    assert db.read_bytes() == before


# -- the overview a history screen shows ------------------------------------------


def test_overview_gives_days_weeks_streak_and_adherence_in_one_call(store: HistoryStore) -> None:
    today = date(2024, 5, 15)  # a Wednesday
    for back in (0, 1, 2, 4):
        record_session(
            store,
            datetime.combine(today - timedelta(days=back), datetime.min.time(), PLUS2)
            + timedelta(hours=22),
        )
    record_session(store, datetime(2024, 5, 14, 21, 0, tzinfo=PLUS2), how="stopped")
    store.add_cramp(Cramp(at=datetime(2024, 5, 14, 3, 0, tzinfo=PLUS2), severity=3))
    store.add_cramp(Cramp(at=datetime(2024, 5, 14, 4, 0, tzinfo=PLUS2), severity=7))

    overview = store.overview(today=today, recent=3)

    assert overview.streak == 3
    assert (overview.this_week.days_done, overview.this_week.days) == (3, 3)
    assert (overview.this_month.days_done, overview.this_month.days) == (4, 15)
    may14 = overview.days[date(2024, 5, 14)]
    assert (may14.sessions, may14.finished, may14.cramps, may14.worst_severity) == (2, 1, 2, 7)
    assert [w.start for w in overview.weeks] == [date(2024, 5, 6), date(2024, 5, 13)]
    assert [(w.cramps, w.days_stretched) for w in overview.weeks] == [(0, 1), (2, 3)]
    assert len(overview.recent) == 3
    assert (overview.total_sessions, overview.total_cramps) == (5, 2)


@settings(max_examples=60, deadline=None)
@given(
    sessions=st.lists(st.tuples(st.integers(0, 120), st.booleans()), max_size=60),
    cramps=st.lists(st.integers(0, 120), max_size=20),
    weeks=st.integers(1, 20),
)
def test_an_overview_of_the_last_weeks_counts_as_the_whole_one(
    sessions: list[tuple[int, bool]], cramps: list[int], weeks: int
) -> None:
    today = date(2024, 5, 15)
    with HistoryStore.in_memory() as store:
        for back, finished in sessions:
            started = datetime.combine(today - timedelta(days=back), datetime.min.time(), PLUS2)
            record_session(
                store, started + timedelta(hours=21), how="finished" if finished else "stopped"
            )
        for back in cramps:
            at = datetime.combine(today - timedelta(days=back), datetime.min.time(), PLUS2)
            store.add_cramp(Cramp(at=at + timedelta(hours=3)))
        whole = store.overview(today=today, recent=2)
        since = date(2024, 5, 13) - timedelta(weeks=weeks)  # a Monday
        part = store.overview(today=today, recent=2, since=since)
    assert (part.streak, part.this_week, part.this_month) == (
        whole.streak,
        whole.this_week,
        whole.this_month,
    )
    assert (part.total_sessions, part.total_cramps, part.recent) == (
        whole.total_sessions,
        whole.total_cramps,
        whole.recent,
    )
    start = min(since, date(2024, 4, 29))  # the Monday of the month's first week
    assert part.days == {day: a for day, a in whole.days.items() if day >= start}
    by_start = {week.start: week for week in whole.weeks}
    assert [week.start for week in part.weeks] == [
        start + timedelta(weeks=n) for n in range((date(2024, 5, 13) - start).days // 7 + 1)
    ]
    assert all(
        week == by_start.get(week.start, WeekActivity(week.start, 0, 0, 0)) for week in part.weeks
    )


def test_the_streak_is_read_past_the_window(store: HistoryStore) -> None:
    today = date(2024, 5, 15)
    for back in range(1, 41):  # forty evenings in a row, up to yesterday
        started = datetime.combine(today - timedelta(days=back), datetime.min.time(), PLUS2)
        record_session(store, started + timedelta(hours=22))
    overview = store.overview(today=today, since=today - timedelta(days=7))
    assert overview.streak == 40 == store.current_streak(today)
    assert min(overview.days) == date(
        2024, 4, 29
    )  # the month is counted whole, from its first Monday
    assert store.current_streak(today + timedelta(days=2)) == 0  # a whole day missed


def test_routine_totals_sum_each_routine_with_its_latest_title(store: HistoryStore) -> None:
    base = datetime(2024, 5, 1, 23, 30, tzinfo=PLUS2)
    record_session(store, base)
    record_session(store, base + timedelta(days=2), how="stopped")
    renamed = store.start_session(
        "calf", "Calf stretch (new)", "sha256:y", 300, started_at=base + timedelta(days=3)
    )
    renamed.finish("finished", partial_seconds=30)
    other = store.start_session(
        "heels", "Heel walking", "sha256:z", 120, started_at=base + timedelta(days=1)
    )
    other.step_done(0, "Walk", 90)

    calf, heels = store.routine_totals()
    assert (calf.title, calf.sessions, calf.finished, calf.done_seconds) == (
        "Calf stretch (new)",
        3,
        2,
        150,
    )
    assert (calf.first_day, calf.last_day) == (date(2024, 5, 1), date(2024, 5, 4))
    assert (heels.routine_id, heels.sessions, heels.finished, heels.done_seconds) == (
        "heels",
        1,
        0,
        90,
    )
    (recent,) = store.routine_totals(since=date(2024, 5, 3))
    assert (recent.sessions, recent.first_day) == (2, date(2024, 5, 3))
