"""Whether a session counts: at least half of it done, however it ended (issue 10, section 3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.history import schema, stats
from stretch_coach.history.model import session_to_json
from stretch_coach.history.recorder import CountTally, HistoryRecorder, RoutineRecord
from stretch_coach.history.store import HistoryStore
from stretch_coach.timeline import Timeline

WHEN = datetime(2024, 5, 14, 21, 0, tzinfo=timezone(timedelta(hours=2)))

#: 20 timed seconds (two holds of 10) and one self-paced step (counted reps).
MIXED = """\
title: Mixed
steps:
  - {name: Calf, hold: 10, prepare: 0}
  - {name: Walk, reps: 5}
  - {name: Hamstring, hold: 10, prepare: 0}
"""

ONE_HOLD = """\
title: One hold
steps:
  - {name: Calf, hold: 10, prepare: 0}
"""


# -- the rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timed_planned", "timed_done", "paced_planned", "paced_done", "expected"),
    [
        (600, 300, 0, 0, True),  # exactly half the time
        (600, 299.9, 0, 0, False),
        (600, 600, 2, 1, True),  # exactly half the self-paced steps
        (600, 600, 3, 1, False),
        (600, 300, 2, 0, False),  # both halves are needed
        (600, 0, 2, 2, False),
        (0, 0, 2, 1, True),  # nothing timed planned: that condition holds
        (600, 300, 0, 0, True),  # nothing self-paced planned
        (0, 0, 0, 0, True),
    ],
)
def test_the_rule_at_its_boundaries(
    timed_planned: float, timed_done: float, paced_planned: int, paced_done: int, expected: bool
) -> None:
    assert (
        stats.counts(
            planned_timed_seconds=timed_planned,
            timed_seconds_done=timed_done,
            planned_self_paced=paced_planned,
            self_paced_done=paced_done,
        )
        is expected
    )


def test_old_records_count_by_steps_and_an_unfinished_one_by_time_too() -> None:
    def old(status: str, done: int, known: int, seconds: float) -> bool:
        return stats.stored_session_counts(status, 600, 0, None, 0, 0, done, known, seconds)

    assert old("finished", 1, 2, 10) is True  # half the steps, played to the end
    assert old("finished", 0, 2, 600) is False
    assert old("stopped", 1, 1, 60) is False  # stopped after its first step: not half done
    assert old("stopped", 1, 1, 300) is True
    assert old("finished", 0, 0, 0) is True  # an empty routine played to its end
    assert old("interrupted", 0, 0, 0) is False


# -- sessions played -----------------------------------------------------------


def play(
    timeline: Timeline, db: Path, script: Callable[[Session, Callable[[int], None]], None]
) -> CountTally:
    """Play ``timeline`` on a fake clock into the history at ``db``; the tally the
    summary and the plain runner read, for comparing with what was recorded."""
    tally = CountTally(timeline.total, timeline.untimed_steps)
    recorder = HistoryRecorder(
        RoutineRecord.of_timeline(_Entry(), timeline),
        open_store=lambda: HistoryStore.open(db),
        now=lambda: WHEN,
    )
    clock = FakeClock()
    session = Session(timeline, clock, listeners=[tally, recorder])

    def wait(seconds: int) -> None:
        for _ in range(seconds):
            clock.advance(1)
            session.update()

    session.start()
    script(session, wait)
    recorder.close()
    return tally


class _Entry:
    id = "mixed"
    title = "Mixed"
    path = "/nonexistent/routine.yaml"  # no file: the hash is left empty


def recorded(db: Path) -> tuple[dict[str, object], int]:
    with HistoryStore.open(db) as store:
        (info,) = store.sessions()
        return session_to_json(info), store.overview(today=WHEN.date()).streak


def test_every_step_skipped_does_not_count(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"

    def skip_all(session: Session, wait: Callable[[int], None]) -> None:
        for _ in range(3):
            session.next_step()

    tally = play(make_timeline(MIXED), db, skip_all)
    session, streak = recorded(db)
    assert (session["status"], session["finished"], session["counts"]) == (
        "finished",
        True,
        False,
    )
    assert streak == 0
    assert tally.counts is False
    assert tally.seconds == session["done_seconds"] == 0
    with HistoryStore.open(db) as store:
        assert store.overview(today=WHEN.date()).this_week.days_done == 0
        assert store.activity_days()[WHEN.date()].counted == 0
        assert [t.counted for t in store.routine_totals()] == [0]


def test_a_routine_played_through_counts(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"

    def play_through(session: Session, wait: Callable[[int], None]) -> None:
        wait(10)
        session.done()
        wait(10)
        assert session.status == "finished"

    tally = play(make_timeline(MIXED), db, play_through)
    session, streak = recorded(db)
    assert (session["status"], session["counts"]) == ("finished", True)
    assert streak == 1
    assert tally.counts is True
    # The time spent the summary shows is the history's: two holds of 10 s, the
    # walk confirmed as soon as it began.
    assert tally.seconds == session["done_seconds"] == 20
    with HistoryStore.open(db) as store:
        (info,) = store.sessions()
        steps = store.session_steps(info.id)
    assert [(s.step_index, s.outcome) for s in steps] == [(0, "done"), (1, "done"), (2, "done")]
    conn = sqlite3.connect(db)
    try:  # each step's kind and planned seconds are kept, and the routine's self-paced steps
        assert conn.execute(
            "SELECT kind, planned_seconds FROM session_steps ORDER BY seq"
        ).fetchall() == [("timed", 10.0), ("self_paced", None), ("timed", 10.0)]
        assert conn.execute("SELECT planned_self_paced FROM sessions").fetchall() == [(1,)]
    finally:
        conn.close()


def test_the_self_paced_half_is_needed_too(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"

    def skip_the_walk(session: Session, wait: Callable[[int], None]) -> None:
        wait(10)
        session.next_step()  # the self-paced step, skipped: 0 of 1 done
        wait(10)

    play(make_timeline(MIXED), db, skip_the_walk)
    session, streak = recorded(db)
    assert (session["status"], session["counts"], streak) == ("finished", False, 0)


@pytest.mark.parametrize(("seconds", "counts"), [(6, True), (5, True), (4, False)])
def test_a_session_stopped_part_way_counts_from_half(
    make_timeline: Callable[..., Timeline], tmp_path: Path, seconds: int, counts: bool
) -> None:
    db = tmp_path / "history.sqlite3"

    def stop_early(session: Session, wait: Callable[[int], None]) -> None:
        wait(seconds)
        session.stop()

    tally = play(make_timeline(ONE_HOLD), db, stop_early)
    session, streak = recorded(db)
    assert (session["status"], session["counts"], streak) == ("stopped", counts, int(counts))
    assert (tally.counts, tally.seconds) == (counts, session["done_seconds"]) == (counts, seconds)


def test_lingering_on_one_step_does_not_make_up_for_skipping_the_rest(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    three_holds = ONE_HOLD + "  - {name: Soleus, hold: 10, prepare: 0}\n" * 2

    def linger(session: Session, wait: Callable[[int], None]) -> None:
        wait(10)
        session.previous_step()  # back to the first hold: 9 s more on it
        wait(9)
        session.stop()

    tally = play(make_timeline(three_holds), db, linger)
    session, _ = recorded(db)
    # 19 s spent on a 10 s hold is 10 s of the plan's 30: less than half.
    assert (session["done_seconds"], session["counts"]) == (19, False)
    assert (tally.seconds, tally.counts) == (19, False)  # the summary says the same


# -- old records ---------------------------------------------------------------


def test_an_old_history_is_migrated_in_place_and_its_sessions_count_by_steps(
    tmp_path: Path,
) -> None:
    db = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    schema.MIGRATIONS[0](conn)  # the layout of version 1, as older programs wrote it
    conn.execute("PRAGMA user_version = 1")
    start = "2024-05-14T19:00:00+00:00"
    for number, outcomes in ((1, ("done", "skipped")), (2, ("skipped", "skipped"))):
        conn.execute(
            "INSERT INTO sessions (id, uuid, routine_id, title, content_hash, started_at,"
            " utc_offset, ended_at, planned_seconds, status)"
            " VALUES (?, ?, 'calf', 'Calf', 'sha256:a', ?, 120, ?, 600, 'finished')",
            (number, f"00000000-0000-4000-8000-00000000000{number}", start, start),
        )
        for index, outcome in enumerate(outcomes):
            conn.execute(
                "INSERT INTO session_steps (session_id, seq, step_index, name, outcome, seconds,"
                " at) VALUES (?, ?, ?, 'Step', ?, 300, ?)",
                (number, index + 1, index, outcome, start),
            )
    conn.close()

    with HistoryStore.open(db) as store:
        counts = {info.id: info.counts for info in store.sessions()}
        streak = store.overview(today=WHEN.date()).streak
    assert counts == {1: True, 2: False}  # 1 of 2 steps done counts; 0 of 2 does not
    assert streak == 1
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()
        columns = {row[1] for row in conn.execute("PRAGMA table_info(session_steps)")}
        assert {"kind", "planned_seconds"} <= columns
        assert (
            conn.execute("SELECT count(*) FROM session_steps WHERE kind IS NULL").fetchone()[0] == 4
        )
    finally:
        conn.close()


def test_an_export_keeps_step_kinds_and_an_import_without_them_counts_by_steps(
    make_timeline: Callable[..., Timeline], tmp_path: Path
) -> None:
    import json

    from stretch_coach.history.transfer import export_document, parse_document

    db = tmp_path / "history.sqlite3"

    def skip_the_walk(session: Session, wait: Callable[[int], None]) -> None:
        wait(10)
        session.next_step()  # 0 of 1 self-paced step: not counted
        wait(10)

    play(make_timeline(MIXED), db, skip_the_walk)
    with HistoryStore.open(db) as store:
        document = json.loads(json.dumps(export_document(store)))
    (exported,) = document["sessions"]
    assert exported["planned_self_paced"] == 1
    assert [s.get("kind") for s in exported["steps"]] == ["timed", "self_paced", "timed"]

    with HistoryStore.open(tmp_path / "copy.sqlite3") as copy:
        copy.merge(*parse_document(json.dumps(document), "export.json"))
        assert [info.counts for info in copy.sessions()] == [False]  # judged the same way

    for step in exported["steps"]:  # as an older program exported it
        step.pop("kind")
        step.pop("planned_seconds", None)
    with HistoryStore.open(tmp_path / "old.sqlite3") as old:
        old.merge(*parse_document(json.dumps(document), "export.json"))
        assert [info.counts for info in old.sessions()] == [True]  # 2 of 3 steps done
