"""Export and import: everything carried over, nothing added twice, bad files refused whole."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach.errors import UserError
from stretch_coach.history import transfer
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

TZ = timezone(timedelta(hours=-5))


@pytest.fixture
def laptop(tmp_path: Path):
    with HistoryStore.open(tmp_path / "laptop.sqlite3") as store:
        record = store.start_session(
            "calf",
            "Bedtime calf stretch",
            "sha256:a",
            600,
            started_at=datetime(2024, 5, 1, 22, 0, tzinfo=TZ),
        )
        record.step_done(0, "Wall calf stretch", 62.5)
        record.step_skipped(3, "Heel walking", 2)
        record.finish(
            "finished", partial_seconds=1.5, ended_at=datetime(2024, 5, 1, 22, 9, tzinfo=TZ)
        )
        store.add_cramp(
            Cramp(
                at=datetime(2024, 5, 2, 3, 10, tzinfo=TZ),
                duration_seconds=90,
                severity=6,
                leg="left",
                muscle="calf",
                woke=True,
                symptoms=("numbness",),
                note="after a long walk",
            )
        )
        yield store


@pytest.fixture
def desktop(tmp_path: Path):
    with HistoryStore.open(tmp_path / "desktop.sqlite3") as store:
        yield store


def carry(source: HistoryStore, target: HistoryStore):
    text = json.dumps(transfer.export_document(source))
    return target.merge(*transfer.parse_document(text, "export.json"))


def test_an_export_carries_everything_to_another_machine(laptop, desktop) -> None:
    result = carry(laptop, desktop)
    assert (result.sessions_added, result.cramps_added, result.unchanged) == (1, 1, 0)
    assert desktop.cramps()[0] == laptop.cramps()[0]
    (there,), (here,) = desktop.sessions(), laptop.sessions()
    assert there == here
    assert there.started_at.utcoffset() == timedelta(hours=-5)
    assert desktop.session_steps(there.id) == laptop.session_steps(here.id)


def test_importing_twice_adds_nothing_twice(laptop, desktop) -> None:
    carry(laptop, desktop)
    again = carry(laptop, desktop)
    assert (again.changed, again.unchanged) == (0, 2)
    assert carry(laptop, laptop).changed == 0
    assert len(desktop.sessions()) == 1 and len(desktop.cramps()) == 1


def test_the_newer_edit_wins_either_way(laptop, desktop) -> None:
    carry(laptop, desktop)
    (entry,) = desktop.cramps()
    desktop.update_cramp(Cramp(**{**entry.__dict__, "severity": 3}))
    assert carry(laptop, desktop).changed == 0  # the laptop's copy is older
    assert desktop.cramps()[0].severity == 3
    result = carry(desktop, laptop)
    assert result.cramps_updated == 1
    assert laptop.cramps()[0].severity == 3


def test_a_deletion_travels_and_an_old_export_does_not_bring_the_entry_back(laptop, desktop):
    old_export = json.dumps(transfer.export_document(laptop))
    carry(laptop, desktop)
    laptop.delete_cramp(laptop.cramps()[0].id or 0)
    carry(laptop, desktop)
    assert desktop.cramps() == []
    assert laptop.merge(*transfer.parse_document(old_export, "old.json")).changed == 0
    assert laptop.cramps() == []


def test_a_session_finished_later_replaces_the_copy_still_in_progress(tmp_path, desktop) -> None:
    with HistoryStore.open(tmp_path / "phone.sqlite3") as phone:
        record = phone.start_session("calf", "Calf", "sha256:a", 300)
        record.step_done(0, "One", 60)
        carry(phone, desktop)
        record.step_done(1, "Two", 60)
        record.finish("finished")
        assert carry(phone, desktop).sessions_updated == 1
        assert carry(desktop, phone).changed == 0
    (session,) = desktop.sessions()
    assert (session.status, session.steps_done) == ("finished", 2)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: "{not json", "export.json: not valid JSON (line 1, column 2"),
        (lambda d: {**d, "format": "other"}, "not a stretch-coach export"),
        (lambda d: {**d, "version": 3}, "made by a newer stretch-coach (export version 3"),
        (
            lambda d: {**d, "cramps": [*d["cramps"], {**d["cramps"][0], "severity": 11}]},
            "export.json: cramps[1].severity: 11 is not from 0 to 10",
        ),
        (
            lambda d: {**d, "cramps": [{**d["cramps"][0], "uuid": "x"}]},
            "cramps[0].uuid: 'x' is not a UUID",
        ),
        (
            lambda d: {**d, "sessions": [{**d["sessions"][0], "status": "done"}]},
            "sessions[0].status: 'done' is not one of",
        ),
        (
            lambda d: {**d, "sessions": [{**d["sessions"][0], "steps": [{"step_index": 0}]}]},
            "sessions[0].steps[0].outcome",
        ),
        (
            lambda d: {**d, "cramps": [{**d["cramps"][0], "at": "tuesday"}]},
            "cramps[0].at: 'tuesday' is not an ISO 8601 date and time",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_with_where_the_problem_is(
    laptop, desktop, mangle, message
) -> None:
    document = mangle(transfer.export_document(laptop))
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(UserError) as caught:
        transfer.parse_document(text, "export.json")
    assert message in caught.value.message
    assert "\n" not in caught.value.message
