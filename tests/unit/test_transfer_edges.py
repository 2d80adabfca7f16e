"""Import files: every refusal is one line saying where, and edge cases read right."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from stretch_coach.errors import UserError
from stretch_coach.history import transfer

U = "12345678-1234-5678-1234-567812345678"
STEP = {
    "step_index": 0,
    "name": "Calf",
    "outcome": "done",
    "seconds": 30,
    "at": "2024-05-01T21:01:00+00:00",
    "kind": "timed",
    "planned_seconds": 30,
}
SESSION = {
    "uuid": U,
    "routine_id": "calf",
    "title": "Calf",
    "content_hash": "sha256:x",
    "started_at": "2024-05-01T21:00:00+00:00",
    "ended_at": "2024-05-01T21:05:00+00:00",
    "planned_seconds": 300,
    "partial_seconds": 0,
    "status": "finished",
    "steps": [STEP],
    "planned_self_paced": 0,
}
CRAMP = {
    "uuid": U,
    "at": "2024-05-02T03:00:00+00:00",
    "created_at": "2024-05-02T03:00:00+00:00",
    "updated_at": "2024-05-02T03:00:00+00:00",
}
CHECKIN = {
    "uuid": U,
    "night": "2024-05-01",
    "answer": "none",
    "created_at": "2024-05-02T08:00:00+00:00",
    "updated_at": "2024-05-02T08:00:00+00:00",
}
FOLLOW = {
    "program": "four-weeks",
    "start": "2024-05-01",
    "created_at": "2024-05-02T08:00:00+00:00",
    "updated_at": "2024-05-02T08:00:00+00:00",
}
EARLIER = "2024-05-01T03:00:00+00:00"


def _doc(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "stretch-coach-history",
        "version": 2,
        "sessions": [SESSION],
        "cramps": [CRAMP],
        "checkins": [CHECKIN],
        "follows": [FOLLOW],
    }
    return {**document, **changes}


def _session(**changes: Any) -> dict[str, Any]:
    return _doc(sessions=[{**SESSION, **changes}])


def _step(**changes: Any) -> dict[str, Any]:
    return _session(steps=[{**STEP, **changes}])


def _refusal(document: object) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(UserError) as caught:
        transfer.parse_document(text, "x.json")
    return caught.value.message


def test_a_sound_file_gives_its_records_checked() -> None:
    sessions, cramps, checkins = transfer.parse_document(json.dumps(_doc()), "x.json")
    assert sessions == [
        {
            "effort": None,
            "pain": None,
            "reps_counted": None,
            "program": None,
            "planned_self_paced": 0,
            "uuid": U,
            "routine_id": "calf",
            "title": "Calf",
            "content_hash": "sha256:x",
            "started_at": datetime(2024, 5, 1, 21, 0, tzinfo=UTC),
            "ended_at": datetime(2024, 5, 1, 21, 5, tzinfo=UTC),
            "planned_seconds": 300.0,
            "partial_seconds": 0.0,
            "status": "finished",
            "steps": [
                {
                    "step_index": 0,
                    "name": "Calf",
                    "outcome": "done",
                    "seconds": 30.0,
                    "at": datetime(2024, 5, 1, 21, 1, tzinfo=UTC),
                    "kind": "timed",
                    "planned_seconds": 30.0,
                }
            ],
        }
    ]
    assert [c["cramp"].at for c in cramps] == [datetime(2024, 5, 2, 3, 0, tzinfo=UTC)]
    assert [(c["night"], c["answer"], c["deleted_at"]) for c in checkins] == [
        (date(2024, 5, 1), "none", None)
    ]
    assert transfer.check_document(_doc(), "x.json") == (sessions, cramps, checkins)


def test_steps_that_do_not_all_say_their_kind_are_judged_as_older_records() -> None:
    plain = {k: v for k, v in STEP.items() if k != "kind"}
    (session,), _, _ = transfer.parse_document(json.dumps(_session(steps=[plain])), "x")
    assert session["planned_self_paced"] is None
    assert session["steps"] == [
        {
            "step_index": 0,
            "name": "Calf",
            "outcome": "done",
            "seconds": 30.0,
            "at": datetime(2024, 5, 1, 21, 1, tzinfo=UTC),
        }
    ]


def test_a_session_in_a_program_keeps_it_with_its_ratings() -> None:
    document = _session(program={"id": "four-weeks", "week": 2, "stage": 3}, effort=4, pain=0)
    (session,), _, _ = transfer.parse_document(json.dumps(document), "x")
    assert session["program"] == ("four-weeks", 2, 3)
    assert (session["effort"], session["pain"]) == (4, 0)


BAD: list[tuple[dict[str, Any], str]] = [
    (
        _session(status="x"),
        "sessions[0].status: 'x' is not one of in_progress, finished, stopped, interrupted",
    ),
    (_session(steps={}), "sessions[0].steps: must be a list"),
    (
        _session(ended_at="2024-05-01T20:00:00+00:00"),
        "sessions[0].ended_at: '2024-05-01T20:00:00+00:00' is before the session started",
    ),
    (
        _session(planned_self_paced=-1),
        "sessions[0].planned_self_paced: must be a whole number from 0 to 2147483647",
    ),
    (_session(program=3), "sessions[0].program: expected an object with id, week and stage"),
    (
        _session(program={"id": "p", "week": 0, "stage": 1}),
        "sessions[0].program.week: must be a whole number from 1 to 2147483647",
    ),
    (_session(program={"id": 3, "week": 1, "stage": 1}), "sessions[0].program.id: expected text"),
    (_session(effort=11), "sessions[0].effort: must be a whole number from 0 to 10"),
    (_session(pain=True), "sessions[0].pain: must be a whole number from 0 to 10"),
    (
        _session(reps_counted=-1),
        "sessions[0].reps_counted: must be a whole number from 0 to 2147483647",
    ),
    (
        _session(planned_seconds=1e9),
        "sessions[0].planned_seconds: 1000000000.0 is not a number of seconds from 0",
    ),
    (_session(steps=[3]), "sessions[0].steps[0]: expected an object"),
    (
        _step(step_index=True),
        "sessions[0].steps[0].step_index: must be a whole number from 0 to 2147483647",
    ),
    (_step(kind="x"), "sessions[0].steps[0].kind: 'x' is not timed or self_paced"),
    (_step(name=None), "sessions[0].steps[0].name: expected text"),
    (_step(outcome="half"), "sessions[0].steps[0].outcome: 'half' is not done or skipped"),
    (_step(at="soon"), "sessions[0].steps[0].at: 'soon' is not an ISO 8601 date and time"),
    (_doc(cramps=[{**CRAMP, "symptoms": "x"}]), "cramps[0].symptoms: must be a list"),
    (
        _doc(cramps=[{**CRAMP, "updated_at": EARLIER}]),
        f"cramps[0].updated_at: '{EARLIER}' is before the entry was made",
    ),
    (_doc(cramps=[{**CRAMP, "uuid": 5}]), "cramps[0].uuid: 5 is not a UUID"),
    (_doc(cramps=[{**CRAMP, "at": 5}]), "cramps[0].at: expected an ISO 8601 date and time"),
    (_doc(cramps=[3]), "cramps[0]: expected an object"),
    (_doc(cramps={}), '"cramps" must be a list'),
    (
        _doc(checkins=[{**CHECKIN, "night": "x" * 100}]),
        f"checkins[0].night: '{'x' * 56}... is not a date such as 2024-05-01 (the evening's date)",
    ),
    (
        _doc(checkins=[{**CHECKIN, "night": "2024-13-01"}]),
        "checkins[0].night: '2024-13-01' is not a date such as 2024-05-01 (the evening's date)",
    ),
    (
        _doc(checkins=[{**CHECKIN, "night": "1800-01-01"}]),
        "checkins[0].night: '1800-01-01' is before 1900; check the year",
    ),
    (
        _doc(checkins=[{**CHECKIN, "night": "2999-01-01"}]),
        "checkins[0].night: '2999-01-01' is in the future",
    ),
    (
        _doc(checkins=[{**CHECKIN, "answer": "maybe"}]),
        "checkins[0].answer: 'maybe' is not one of none",
    ),
    (
        _doc(checkins=[{**CHECKIN, "updated_at": EARLIER}]),
        f"checkins[0].updated_at: '{EARLIER}' is before the check-in was made",
    ),
    (
        _doc(follows=[{**FOLLOW, "start": "2024-02-30"}]),
        "follows[0].start: '2024-02-30' is not a day such as 2026-11-02",
    ),
    (
        _doc(follows=[{**FOLLOW, "start": "1800-01-01"}]),
        "follows[0].start: '1800-01-01' is not a day such as 2026-11-02",
    ),
    (
        _doc(follows=[{**FOLLOW, "updated_at": EARLIER}]),
        f"follows[0].updated_at: '{EARLIER}' is before it was made",
    ),
    (_doc(version=True), '"version" must be a whole number from 1'),
    (_doc(version=0), '"version" must be a whole number from 1'),
    (
        _doc(version=3),
        "made by a newer stretch-coach (export version 3; this one reads up "
        "to 2); upgrade stretch-coach to import it",
    ),
    (
        _doc(format="x"),
        'not a stretch-coach export (no "format": "stretch-coach-history" '
        "before its records); give a file made by `stretch-coach export`",
    ),
]


@pytest.mark.parametrize(("document", "message"), BAD)
def test_each_refusal_says_where_in_one_line(document: dict[str, Any], message: str) -> None:
    assert _refusal(document) == f"x.json: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "not valid JSON (line 1, column 1: Expecting value); give a file made by "
            "`stretch-coach export`",
        ),
        (
            "[]",
            'not a stretch-coach export (no "format": "stretch-coach-history"); give a '
            "file made by `stretch-coach export`",
        ),
        (
            '{"format": 1,}',
            "not valid JSON (line 1, column 14: Expecting property name "
            "enclosed in double quotes); give a file made by `stretch-coach export`",
        ),
        (
            '{\n  "a" 1}',
            "not valid JSON (line 2, column 7: Expecting ':' delimiter); give a "
            "file made by `stretch-coach export`",
        ),
        (
            '{"format": "stretch-coach-history", "version": 2} x',
            "not valid JSON (line 1, "
            "column 51: Extra data); give a file made by `stretch-coach export`",
        ),
        (
            '{"a": 1 "b": 2}',
            "not valid JSON (line 1, column 9: Expecting ',' delimiter); "
            "give a file made by `stretch-coach export`",
        ),
        (
            '{"a": [1,',
            "not valid JSON (line 1, column 10: Expecting value); give a file made "
            "by `stretch-coach export`",
        ),
        ('{"version": NaN}', "version: NaN is not a number JSON allows"),
        ('{"version": -Infinity}', "version: -Infinity is not a number JSON allows"),
        ('{"version": 1.' + "1" * 50 + "}", "version: a number of 52 characters is too long"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "a: nested too deeply"),
    ],
)
def test_text_that_is_not_an_export_is_refused_in_one_line(text: str, message: str) -> None:
    assert _refusal(text) == f"x.json: {message}"


def test_a_file_is_read_a_chunk_at_a_time_and_still_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "_CHUNK", 16)
    path = tmp_path / "export.json"
    good = json.dumps(_doc(), indent=2)
    path.write_text(good, encoding="utf-8")
    assert transfer.check_file(path) == (1, 1, 1)
    lines = good.splitlines()
    last = len(lines)
    path.write_text(good[:-1] + "  ]\n}", encoding="utf-8")  # a stray bracket at the end
    with pytest.raises(UserError) as caught:
        list(transfer.iter_file(path))
    assert caught.value.message == (
        f"{path}: not valid JSON (line {last}, column 3: Expecting ',' delimiter); "
        "give a file made by `stretch-coach export`"
    )


Reader = Callable[[Path], object]


@pytest.mark.parametrize("read", [transfer.read_file, lambda p: list(transfer.iter_file(p))])
def test_files_that_cannot_be_read_are_one_line(tmp_path: Path, read: Reader) -> None:
    missing = tmp_path / "none.json"
    with pytest.raises(UserError) as caught:
        read(missing)
    assert caught.value.message == (
        f"{missing}: no such file; give the file `stretch-coach export` wrote"
    )
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00{")
    with pytest.raises(UserError) as caught:
        read(binary)
    assert caught.value.message == (
        f"{binary}: not a text file; give a file made by `stretch-coach export`"
    )
    with pytest.raises(UserError) as caught:
        read(tmp_path)
    assert caught.value.message == f"{tmp_path}: cannot read it (Is a directory)"


def test_read_file_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert transfer.read_file(path) == "{}"


def test_a_read_error_half_way_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_doc()), encoding="utf-8")

    class Failing:
        def __init__(self, file: Any) -> None:
            self._file = file

        def read(self, size: int) -> str:
            raise OSError(5, "Input/output error")

    real = transfer._Reader.__init__

    def init(self: Any, file: Any, source: str) -> None:
        real(self, Failing(file), source)

    monkeypatch.setattr(transfer._Reader, "__init__", init)
    with pytest.raises(UserError) as caught:
        transfer.check_file(path)
    assert caught.value.message == f"{path}: cannot read it (Input/output error)"


def test_two_records_without_a_comma_between_are_refused_where_the_comma_should_be() -> None:
    prefix = '{"format": "stretch-coach-history", "version": 2, "cramps": ['
    cramp = json.dumps(CRAMP)
    message = _refusal(prefix + cramp + " " + cramp + "]}")
    column = len(prefix + cramp + " ") + 1
    assert message == (
        f"x.json: not valid JSON (line 1, column {column}: Expecting ',' delimiter); "
        "give a file made by `stretch-coach export`"
    )


def test_a_bad_value_is_quoted_short_never_whole() -> None:
    nested = "[" * 500 + "]" * 500
    text = json.dumps(_doc()).replace('"status": "finished"', f'"status": {nested}')
    assert _refusal(text) == (
        "x.json: sessions[0].status: a list is not one of in_progress, finished, stopped, "
        "interrupted"
    )
    assert _refusal(_step(kind={"a": 1})) == (
        "x.json: sessions[0].steps[0].kind: an object is not timed or self_paced"
    )
    assert _refusal(_doc(cramps=[{**CRAMP, "at": "y" * 5000}])) == (
        f"x.json: cramps[0].at: '{'y' * 56}... is not an ISO 8601 date and time"
    )
