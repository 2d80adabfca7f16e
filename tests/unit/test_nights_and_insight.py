"""Issue 15: check-ins as records, nights defined once, and the personal comparison."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from stretch_coach.history import insight, nights, schema, transfer
from stretch_coach.history.nights import Night, SessionStart, known_nights
from stretch_coach.history.store import HistoryStore

PLUS1 = timezone(timedelta(hours=1))
STAMP = "2026-11-01T00:00:00.000000+00:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PLUS1)


# -- the rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "night"),
    [
        ("2026-10-01T17:59", None),  # the afternoon belongs to no night
        ("2026-10-01T18:00", date(2026, 10, 1)),
        ("2026-10-01T23:59", date(2026, 10, 1)),
        ("2026-10-02T00:00", date(2026, 10, 1)),
        ("2026-10-02T11:59", date(2026, 10, 1)),
        ("2026-10-02T12:00", None),
    ],
)
def test_a_night_runs_from_six_in_the_evening_to_noon(moment: str, night: date | None) -> None:
    assert nights.night_of(at(moment)) == night


@pytest.mark.parametrize(
    ("moment", "night"),
    [
        ("2026-10-01T15:59", None),
        ("2026-10-01T16:00", date(2026, 10, 1)),
        ("2026-10-02T02:59", date(2026, 10, 1)),
        ("2026-10-02T03:00", None),
    ],
)
def test_a_routine_before_the_night_starts_from_four_to_three(
    moment: str, night: date | None
) -> None:
    assert nights.routine_night(at(moment)) == night


def test_the_calendar_puts_a_cramp_under_its_evening_and_an_afternoon_one_under_its_day() -> None:
    assert nights.evening_of(at("2026-10-02T02:30")) == date(2026, 10, 1)
    assert nights.evening_of(at("2026-10-02T14:00")) == date(2026, 10, 2)


def test_known_nights_follow_every_rule() -> None:
    d1, d2, d3, d4, d5 = (date(2026, 10, day) for day in range(1, 6))
    sessions = [
        SessionStart(at("2026-10-01T21:00"), "pre-bed", True),  # before night 1
        SessionStart(at("2026-10-03T01:00"), "pre-bed", True),  # night 2, after its cramp
        SessionStart(at("2026-10-03T21:00"), "cramp-now", True),  # urgent: not a routine before
        SessionStart(at("2026-10-04T21:00"), "pre-bed", False),  # less than half done
        SessionStart(at("2026-10-06T21:00"), "pre-bed", True),  # night 6 is not known
    ]
    cramps = [at("2026-10-03T00:30"), at("2026-10-03T00:40"), at("2026-10-04T15:00")]
    found = known_nights(sessions, cramps, [d1, d2, d3, d4, d5], excluded_routines={"cramp-now"})
    assert found == {
        d1: Night(d1, 0, True, True),
        d2: Night(d2, 2, True, False),  # a cramp beats the check-in; the routine came after it
        d3: Night(d3, 0, True, False),  # the afternoon cramp is in no night
        d4: Night(d4, 0, True, False),
        d5: Night(d5, 0, True, False),
    }
    assert found[d2].cramp and not found[d1].cramp
    assert set(known_nights(sessions, cramps, [d1, d5], since=d2)) == {d2, d5}


def test_urgent_and_daytime_routines_are_not_a_routine_before_the_night() -> None:
    from stretch_coach.routine.library import Library

    library = Library.from_folders([(Path(__file__).parents[2] / "routines", "bundled")])
    excluded = {
        e.id
        for e in library.entries
        if e.routine is not None and nights.not_before_night(e.routine)
    }
    assert excluded == {"cramp-now", "during-the-day"}


# -- the interval ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [  # Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ],
)
def test_the_interval_is_newcombes_hybrid_score(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    low, high = insight.newcombe_interval(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_the_words_never_claim_more_than_the_record() -> None:
    few = insight.Comparison(9, 2, 3, 2)
    assert few.sentence() == "too few nights to tell yet (9 with, 3 without); keep logging"
    assert not few.enough
    fewer = insight.Comparison(20, 4, 20, 12)
    assert fewer.enough
    assert fewer.to_json() == {
        "known_nights": 40,
        "with": {"nights": 20, "cramp_nights": 4},
        "without": {"nights": 20, "cramp_nights": 12},
        "difference": -0.4,
        "interval": [-0.617, -0.096],  # by hand: Wilson (0.081, 0.416), (0.387, 0.781)
        "enough": True,
    }
    assert fewer.sentence() == (
        "cramps on 20% of nights after a routine and 60% of nights without (difference -0.40, "
        "95% interval -0.62 to -0.10): on your record so far, nights after a routine had fewer "
        "cramps"
    )
    assert (
        insight.Comparison(14, 7, 14, 7)
        .sentence()
        .endswith(
            "on your record so far, no clear difference between nights with and without a routine"
        )
    )
    assert (
        insight.Comparison(14, 12, 14, 2)
        .sentence()
        .endswith("nights after a routine had more cramps")
    )
    for comparison in (few, fewer, insight.Comparison(14, 12, 14, 2)):
        words = comparison.sentence().lower()
        assert "stop" not in words and "cure" not in words and "prevent" not in words


def test_a_side_without_nights_has_no_difference() -> None:
    only_with = insight.Comparison(3, 1, 0, 0)
    assert only_with.to_json()["difference"] is None
    assert only_with.to_json()["interval"] is None
    assert only_with.rate_without is None


# -- the store -------------------------------------------------------------------------


def test_a_check_in_is_recorded_once_and_taken_back_without_losing_it() -> None:
    night = date(2026, 10, 1)
    with HistoryStore.in_memory() as store:
        assert store.check_in(night) is True
        assert store.check_in(night) is False
        assert store.checked_in_nights() == [night]
        assert store.undo_check_in(night) is True
        assert store.undo_check_in(night) is False
        assert store.checked_in_nights() == []
        (exported,) = store.export_records()["checkins"]
        assert exported["night"] == "2026-10-01" and exported["deleted_at"] is not None
        assert store.check_in(night) is True
        assert store.checked_in_nights() == [night]


def test_a_history_of_schema_2_gains_the_check_ins_in_place(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in schema.MIGRATIONS[:2]:
        migration(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with HistoryStore.open(path) as store:
        store.check_in(date(2026, 10, 1))
        assert store.checked_in_nights() == [date(2026, 10, 1)]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()
    finally:
        conn.close()


def test_a_night_checked_in_on_two_machines_settles_on_the_later_answer() -> None:
    night = date(2026, 10, 1)
    with HistoryStore.in_memory() as laptop, HistoryStore.in_memory() as phone:
        laptop.check_in(night)
        phone.check_in(night)
        phone.undo_check_in(night)  # later: the phone took it back
        result = laptop.merge(*transfer.check_document(_document(phone), "phone.json"))
        assert (result.checkins_added, result.checkins_updated) == (0, 1)
        assert laptop.checked_in_nights() == []
        again = laptop.merge(*transfer.check_document(_document(phone), "phone.json"))
        assert again.changed == 0
        back = phone.merge(*transfer.check_document(_document(laptop), "laptop.json"))
        assert back.changed == 0  # the laptop's copy is no newer


def _document(store: HistoryStore) -> dict[str, Any]:
    return json.loads(json.dumps(transfer.export_document(store)))


@pytest.mark.parametrize(
    ("checkin", "message"),
    [
        ({"night": "2026-02-31"}, "checkins[0].night: '2026-02-31' is not a date"),
        ({"night": "2999-01-01"}, "checkins[0].night: '2999-01-01' is in the future"),
        ({"answer": "some"}, "checkins[0].answer: 'some' is not one of none"),
        ({"uuid": "x"}, "checkins[0].uuid: 'x' is not a UUID"),
    ],
)
def test_a_bad_check_in_in_an_import_is_refused_with_where_it_is(
    checkin: dict[str, Any], message: str
) -> None:
    from stretch_coach.errors import UserError

    good = {
        "uuid": str(uuid.uuid4()),
        "night": "2026-10-01",
        "answer": "none",
        "created_at": STAMP,
        "updated_at": STAMP,
        "deleted_at": None,
    }
    document = {"format": "stretch-coach-history", "version": 2, "checkins": [{**good, **checkin}]}
    with pytest.raises(UserError) as caught:
        transfer.check_document(document, "in.json")
    assert f"in.json: {message}" in caught.value.message


# -- as a person uses it: the issue's "done when" ------------------------------------------


START = date(2026, 10, 1)
#: Nights (by index from START) with a cramp; evens have a routine before them.
CRAMP_NIGHTS = {0, 2, 1, 3, 5, 7, 9, 11}


def version_1_export(path: Path) -> list[date]:
    """10 evenings with a counted routine, 8 cramps (2 after a routine, 6 without); the
    12 quiet nights returned."""
    sessions, cramps = [], []
    for index in range(20):
        day = START + timedelta(days=index)
        if index % 2 == 0:
            sessions.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "routine_id": "pre-bed",
                    "title": "Pre-bed",
                    "content_hash": "sha256:x",
                    "started_at": f"{day}T21:00:00+01:00",
                    "ended_at": f"{day}T21:10:00+01:00",
                    "planned_seconds": 600,
                    "partial_seconds": 0,
                    "status": "finished",
                    "steps": [
                        {
                            "seq": 1,
                            "step_index": 0,
                            "name": "Calf",
                            "outcome": "done",
                            "seconds": 600,
                            "at": f"{day}T21:10:00+01:00",
                        }
                    ],
                }
            )
        if index in CRAMP_NIGHTS:
            cramps.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "at": f"{day + timedelta(days=1)}T02:30:00+01:00",
                    "severity": 5,
                    "woke": True,
                    "created_at": STAMP,
                    "updated_at": STAMP,
                    "deleted_at": None,
                }
            )
    document = {"format": "stretch-coach-history", "version": 1, "sessions": sessions}
    document["cramps"] = cramps
    path.write_text(json.dumps(document), encoding="utf-8")
    return [START + timedelta(days=i) for i in range(20) if i not in CRAMP_NIGHTS]


def test_the_issue_done_when(run: Any, tmp_path: Path) -> None:
    quiet = version_1_export(tmp_path / "v1.json")
    assert len(quiet) == 12
    code, out, _ = run("import", str(tmp_path / "v1.json"))
    assert code == 0 and "10 sessions and 8 diary entries added" in out
    for night in quiet:
        assert run("checkin", "--none", "--night", night.isoformat())[0] == 0
    code, out, _ = run("insight", "--json")
    assert code == 0
    assert json.loads(out) == {
        "known_nights": 20,
        "with": {"nights": 10, "cramp_nights": 2},
        "without": {"nights": 10, "cramp_nights": 6},
        "difference": -0.4,
        "interval": [-0.673, 0.023],
        "enough": False,
    }
    code, out, _ = run("insight")
    assert "Too few nights to tell yet (10 with, 10 without); keep logging." in out
    code, out, _ = run("diary", "list")
    assert "night of 2026-10-05: no cramps (checked in)" in out.splitlines()
    code, out, _ = run("insight", "--json", "--since", "2026-10-10")
    assert json.loads(out)["known_nights"] == 11  # the nights of 10 to 20 October

    # Export version 2 carries the check-ins to another machine.
    assert run("export", str(tmp_path / "v2.json"))[0] == 0
    document = json.loads((tmp_path / "v2.json").read_text(encoding="utf-8"))
    assert document["version"] == 2
    assert sorted(c["night"] for c in document["checkins"]) == [n.isoformat() for n in quiet]
    with HistoryStore.in_memory() as elsewhere:
        elsewhere.merge(*transfer.parse_document(json.dumps(document), "v2.json"))
        assert elsewhere.insight().to_json()["known_nights"] == 20


@pytest.mark.parametrize(
    ("clock", "last", "not_over"),
    [
        # In the morning, last night is the one that began yesterday evening.
        ("2026-10-08T07:00", "2026-10-07", "2026-10-08"),
        # At 00:30 the night begun yesterday evening is still under way: it is
        # tonight, not last night, and cannot be checked in yet.
        ("2026-10-08T00:30", "2026-10-06", "2026-10-07"),
    ],
)
def test_checkin_asks_what_to_record_and_refuses_a_night_not_over(
    run: Any, monkeypatch: pytest.MonkeyPatch, clock: str, last: str, not_over: str
) -> None:
    from stretch_coach.history import times

    monkeypatch.setattr(times, "now", lambda: at(clock))
    code, _, err = run("checkin")
    assert code == 2 and "--none" in err and "--undo" in err
    code, _, err = run("checkin", "--none", "--night", not_over)
    assert code == 2
    assert f"the night of {not_over} has not ended yet" in err
    assert f"(the default, last night, is {last})" in err
    code, out, _ = run("checkin", "--none")
    assert code == 0 and f"the night of {last}" in out


def test_a_cramp_logged_in_a_checked_in_night_makes_it_a_cramp_night(run: Any) -> None:
    night = date.today() - timedelta(days=3)
    run("diary", "add", "--when", f"{night + timedelta(days=1)}T03:00")
    code, out, _ = run("checkin", "--none", "--night", night.isoformat())
    assert code == 0 and "counts as a night with cramps" in out
    code, out, _ = run("diary", "list")
    assert "no cramps (checked in)" not in out
    assert json.loads(run("insight", "--json")[1])["without"] == {"nights": 1, "cramp_nights": 1}
    code, out, _ = run("checkin", "--undo", "--night", night.isoformat())
    assert code == 0 and "Took back" in out


def test_the_calendar_days_carry_each_night_by_its_evening() -> None:
    from stretch_coach.history.model import Cramp

    with HistoryStore.in_memory() as store:
        store.add_cramp(Cramp(at=at("2026-10-02T02:30")))  # night of the 1st
        store.add_cramp(Cramp(at=at("2026-10-03T15:00")))  # an afternoon: under its own day
        store.check_in(date(2026, 10, 1))  # a cramp beats it
        store.check_in(date(2026, 10, 4))
        days = store.activity_days()
        assert {day: a.night for day, a in days.items()} == {
            date(2026, 10, 1): "cramp",
            date(2026, 10, 2): None,  # the calendar day of the 02:30 cramp
            date(2026, 10, 3): "cramp",
            date(2026, 10, 4): "quiet",
        }
        assert days[date(2026, 10, 2)].cramps == 1  # per calendar day, as the weeks count
        since = store.activity_days(since=date(2026, 10, 2))
        assert date(2026, 10, 1) not in since
