"""The history commands as a person uses them: diary, history, report, export, import."""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stretch_coach import cli
from stretch_coach.history import schema
from stretch_coach.history.store import HistoryStore

DOCTOR = "This is a reason to see a doctor"


def test_every_command_is_registered() -> None:
    """A command module that is deleted, or dropped from the list, fails here."""
    parser = cli.build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(commands.choices) == [
        "checkin",
        "diary",
        "export",
        "follow",
        "handout",
        "history",
        "import",
        "insight",
        "install",
        "list",
        "new",
        "notify",
        "pack",
        "remind",
        "report",
        "run",
        "schema",
        "show",
        "today",
        "trial",
        "unfollow",
        "uninstall",
        "validate",
        "watch",
    ]


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def ago(**delta: float) -> str:
    return (datetime.now() - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def db(data_dir: Path) -> Path:
    return data_dir / "history.sqlite3"


# -- diary add ---------------------------------------------------------------------


def test_diary_add_saves_every_field(run, data_dir) -> None:
    code, out, err = run(
        "diary",
        "add",
        "--when",
        "2024-05-01T02:30+02:00",
        "--duration",
        "1m30s",
        "--severity",
        "6",
        "--leg",
        "left",
        "--muscle",
        "calf",
        "--woke",
        "--symptom",
        "weakness",
        "--symptom",
        "tingling",
        "--note",
        "after a long walk",
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Saved #1 2024-05-01 02:30, left calf, 1 min 30 s, severity 6."
    assert DOCTOR in out  # tingling
    code, out, _ = run("diary", "list", "--json")
    (entry,) = json.loads(out)["cramps"]
    assert entry | {"uuid": None} == {
        "id": 1,
        "uuid": None,
        "at": "2024-05-01T02:30:00+02:00",
        "duration_seconds": 90.0,
        "severity": 6,
        "leg": "left",
        "muscle": "calf",
        "woke": True,
        "symptoms": ["tingling", "weakness"],
        "note": "after a long walk",
    }
    assert stat.S_IMODE(db(data_dir).stat().st_mode) == 0o600


def test_diary_add_defaults_to_now(run) -> None:
    before = datetime.now().astimezone().replace(second=0, microsecond=0)
    assert run("diary", "add")[0] == 0
    (entry,) = json.loads(run("diary", "list", "--json")[1])["cramps"]
    assert abs(datetime.fromisoformat(entry["at"]) - before) <= timedelta(minutes=1)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--severity", "11", "--severity: 11 is not from 0 to 10"),
        ("--severity", "bad", "--severity: 'bad' is not a whole number from 0 to 10"),
        ("--duration", "25h", "--duration: 25 h is longer than 24 hours"),
        ("--duration", "a while", "--duration: 'a while' is not a duration; write it as 90s"),
        ("--duration", "0", "--duration: must be longer than 0"),
        ("--when", "2024-02-30T02:00", "--when: '2024-02-30T02:00' is not a date and time"),
        ("--when", "2024-05-01", "--when: '2024-05-01' has no time of day"),
        ("--when", "2999-01-01T00:00", "--when: 2999-01-01 00:00 is in the future"),
        ("--leg", "middle", "--leg: 'middle' is not one of left, right, both"),
        ("--muscle", "arm", "--muscle: 'arm' is not one of calf, thigh, foot, other"),
        ("--symptom", "itching", "--symptom: 'itching' is not one of swelling, redness"),
        ("--note", "x" * 2001, "--note: is 2001 characters long"),
    ],
)
def test_diary_add_refuses_bad_input_in_one_line_and_writes_nothing(
    run, data_dir, option, value, message
) -> None:
    code, out, err = run("diary", "add", "--severity", "3", option, value)
    assert code == 2
    assert out == ""
    assert err.startswith(f"stretch-coach: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not data_dir.exists()


# -- red flags -----------------------------------------------------------------------


def test_a_long_cramp_is_a_reason_to_see_a_doctor_said_plainly_once(run) -> None:
    code, out, _ = run("diary", "add", "--when", ago(hours=5), "--duration", "15m")
    assert code == 0
    assert out.count(DOCTOR) == 1
    assert out.splitlines()[1] == (
        f"{DOCTOR}: the cramp lasted 15 min, longer than 10 minutes, if exercise didn't ease it."
    )
    assert DOCTOR not in run("diary", "add", "--when", ago(hours=30), "--duration", "2m")[1]


def test_frequent_cramps_are_said_when_they_begin_and_not_again(run) -> None:
    outputs = [run("diary", "add", "--when", ago(days=days))[1] for days in (6, 4, 2, 1)]
    assert [DOCTOR in out for out in outputs] == [False, False, True, False]
    assert "3 cramps logged in 7 days: frequent leg cramps" in outputs[2]


def test_an_entry_with_a_red_flag_is_saved_all_the_same(run) -> None:
    run("diary", "add", "--symptom", "swelling", "--symptom", "trouble-walking")
    (entry,) = json.loads(run("diary", "list", "--json")[1])["cramps"]
    assert entry["symptoms"] == ["swelling", "trouble-walking"]


# -- diary list, edit, delete ----------------------------------------------------------


def test_diary_list_reads_plainly(run) -> None:
    empty = (
        "The diary is empty. Log a cramp with `stretch-coach diary add`, or a night without "
        "cramps with `stretch-coach checkin --none`.\n"
    )
    assert run("diary", "list") == (0, empty, "")
    run(
        "diary",
        "add",
        "--when",
        "2024-05-01T02:30",
        "--woke",
        "--symptom",
        "numbness",
        "--note",
        "cold room",
    )
    run("diary", "add", "--when", "2024-04-01T02:30", "--severity", "2")
    out = run("diary", "list")[1]
    assert out.splitlines() == [
        "#2 2024-04-01 02:30, severity 2",
        "#1 2024-05-01 02:30; woke me, numbness. cold room",
    ]
    out = run("diary", "list", "--since", "2024-04-15", "--json")[1]
    assert [c["id"] for c in json.loads(out)["cramps"]] == [1]


def test_diary_edit_changes_only_what_is_given(run) -> None:
    run(
        "diary",
        "add",
        "--when",
        "2024-05-01T02:30",
        "--severity",
        "4",
        "--leg",
        "left",
        "--note",
        "cold",
    )
    code, out, err = run("diary", "edit", "1", "--severity", "7", "--note", "")
    assert (code, err) == (0, "")
    assert out == "Updated #1 2024-05-01 02:30, left leg, severity 7.\n"
    (entry,) = json.loads(run("diary", "list", "--json")[1])["cramps"]
    assert (entry["severity"], entry["leg"], entry["note"]) == (7, "left", None)


def test_diary_edit_says_a_new_red_flag_once(run) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    out = run("diary", "edit", "1", "--symptom", "redness")[1]
    assert f"{DOCTOR}: you noted redness with it." in out
    assert DOCTOR not in run("diary", "edit", "1", "--severity", "2")[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("diary", "edit", "1"), "diary edit: nothing to change"),
        (("diary", "edit", "9", "--severity", "2"), "there is no diary entry #9"),
        (("diary", "edit", "one", "--severity", "2"), "'one' is not an entry number"),
        (("diary", "edit", "1", "--severity", "12"), "--severity: 12 is not from 0 to 10"),
        (("diary", "edit", "1", "--symptom", "numbness", "--no-symptoms"), "not both"),
        (("diary", "delete", "9", "--yes"), "there is no diary entry #9"),
        (("diary",), "diary: say what to do: add, list, edit or delete"),
    ],
)
def test_diary_refusals_change_nothing(run, argv, message) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30", "--severity", "4")
    before = run("diary", "list", "--json")[1]
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.startswith("stretch-coach: ") and message in err and err.count("\n") == 1
    assert run("diary", "list", "--json")[1] == before


def test_diary_delete_asks_first(run, monkeypatch) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    code, out, _ = run("diary", "delete", "1")
    assert code == 0 and out.endswith("Nothing deleted.\n")
    assert "Delete #1 2024-05-01 02:30? [y/N]" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run("diary", "delete", "1")
    assert code == 2 and "add --yes" in err
    assert len(json.loads(run("diary", "list", "--json")[1])["cramps"]) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert run("diary", "delete", "1")[1].endswith("Deleted #1 2024-05-01 02:30.\n")
    assert json.loads(run("diary", "list", "--json")[1])["cramps"] == []


def test_diary_delete_yes_does_not_ask(run, monkeypatch) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run("diary", "delete", "1", "--yes") == (0, "Deleted #1 2024-05-01 02:30.\n", "")


# -- history ------------------------------------------------------------------------------


def record_nights(data_dir: Path, nights: int) -> None:
    # Today's session lies between midnight and now, at any hour: never in the
    # future (an import refuses that), always on today's date.
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = midnight + (now - midnight) / 3
    length = min(timedelta(minutes=5), (now - midnight) / 3)
    with HistoryStore.open(db(data_dir)) as store:
        for back in range(nights):
            started = today - timedelta(days=back)
            record = store.start_session(
                "bedtime", "Bedtime calf stretch", "sha256:a", 600, started_at=started
            )
            record.step_done(0, "Wall calf stretch", 300)
            record.step_skipped(1, "Heel walking")
            if back != 1:
                record.finish("finished", ended_at=started + length)


def test_history_shows_the_streak_adherence_and_sessions(run, data_dir) -> None:
    record_nights(data_dir, 3)
    code, out, err = run("history")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # Each night has 1 of its 2 steps done: half, so it counts however it ended
    # (these records do not say their steps' kinds: they count by steps done).
    assert lines[0] == "Streak: 3 days in a row with a routine done."
    assert lines[1].startswith("This week: a routine on ")
    assert "3 sessions recorded; 0 cramps in the diary." in out
    assert "Bedtime calf stretch: 5:00 of 10:00, 1 step done, 1 skipped; not finished" in out
    assert out.count("Bedtime calf stretch") == 3


def test_history_json_lists_every_session(run, data_dir) -> None:
    record_nights(data_dir, 12)
    data = json.loads(run("history", "--json")[1])
    assert len(data["sessions"]) == 12
    assert data["streak"] == 12  # half of each night's steps were done: each counts
    assert {"today", "this_week", "this_month", "total_sessions", "total_cramps"} <= set(data)
    assert data["sessions"][1]["status"] == "in_progress"
    assert len(json.loads(run("history", "--json", "--limit", "2")[1])["sessions"]) == 2
    assert run("history", "--limit", "0")[0] == 2


def test_history_shows_the_ratings_given_at_the_summary(run, data_dir) -> None:
    record_nights(data_dir, 2)
    with HistoryStore.open(db(data_dir)) as store:
        newest, older = store.sessions()
        store.rate_session(newest.id, effort=5, pain=3)
        store.rate_session(older.id, pain=0)
    out = run("history")[1]
    lines = [line for line in out.splitlines() if "Bedtime calf stretch" in line]
    assert [line.rsplit(";", 1)[-1] for line in lines] == [" effort 5/10, pain 3/10", " pain 0/10"]
    sessions = json.loads(run("history", "--json")[1])["sessions"]
    assert [(s["effort"], s["pain"]) for s in sessions] == [(5, 3), (None, 0)]


def test_reading_commands_create_nothing(run, data_dir) -> None:
    assert run("history")[1].startswith("No sessions recorded yet")
    assert run("diary", "list")[0] == 0
    assert run("report", "--format", "json")[0] == 0
    assert not data_dir.exists()


# -- report ---------------------------------------------------------------------------------


def test_report_writes_a_private_html_page(run, data_dir, tmp_path) -> None:
    record_nights(data_dir, 7)
    run("diary", "add", "--when", ago(days=3), "--duration", "20m", "--woke")
    visit = tmp_path / "visit.html"
    code, out, err = run("report", "--format", "html", "-o", str(visit))
    assert (code, err) == (0, "")
    assert out == f"Wrote the report (html) to {visit}.\n"
    page = visit.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Cramps that last longer than 10 minutes" in page
    assert stat.S_IMODE(visit.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".visit")] == []


def test_report_json_has_the_cramps_list(run) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    run("diary", "add", "--when", "2024-06-01T02:30")
    data = json.loads(run("report", "--format", "json", "--since", "2024-05-15")[1])
    assert [c["at"][:10] for c in data["cramps"]] == ["2024-06-01"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("report", "--format", "pdf"), "--format: 'pdf' is not one of md, html, csv, json"),
        (("report", "--since", "last week"), "--since: 'last week' is not a date"),
        (("report", "--since", "2999-01-01"), "--since: 2999-01-01 is in the future"),
        (
            ("report", "-o", "/nonexistent/dir/visit.md"),
            "-o /nonexistent/dir/visit.md: there is no folder /nonexistent/dir",
        ),
    ],
)
def test_report_refusals(run, argv, message) -> None:
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1


# -- export and import -------------------------------------------------------------------------


def test_export_then_import_elsewhere_twice(run, data_dir, tmp_path, monkeypatch) -> None:
    record_nights(data_dir, 2)
    run("diary", "add", "--when", "2024-05-01T02:30", "--severity", "5")
    carried = tmp_path / "carry.json"
    assert run("export", str(carried)) == (
        0,
        f"Exported 2 sessions and 1 diary entry to {carried}.\n",
        "",
    )
    assert stat.S_IMODE(carried.stat().st_mode) == 0o600

    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "other"))
    assert run("import", str(carried))[1] == (
        f"Imported {carried}: 2 sessions and 1 diary entry added, 0 updated, 0 already here.\n"
    )
    assert run("import", str(carried))[1] == (
        f"Imported {carried}: 0 sessions and 0 diary entries added, 0 updated, 3 already here.\n"
    )
    assert len(json.loads(run("history", "--json")[1])["sessions"]) == 2


def test_export_and_import_count_the_entries_the_user_sees(run, tmp_path, monkeypatch) -> None:
    # The trial: 6 entries, one deleted, exported as "7 diary entries"; imported
    # as "4 diary entries added" where 3 were to be seen.
    for day in range(1, 5):
        run("diary", "add", "--when", f"2024-05-0{day}T02:30")
    assert run("diary", "delete", "2", "--yes")[0] == 0
    run("checkin", "--none", "--night", "2024-05-10")
    run("checkin", "--none", "--night", "2024-05-11")
    assert run("checkin", "--undo", "--night", "2024-05-11")[0] == 0
    carried = tmp_path / "carry.json"
    assert run("export", str(carried)) == (
        0,
        f"Exported 0 sessions, 3 diary entries and 1 check-in (and 2 deletions) to {carried}.\n",
        "",
    )
    document = json.loads(carried.read_text())
    assert len(document["cramps"]) == 4  # the deletion travels, so a merge deletes it there
    assert run("export", "-")[2] == (
        "Exported 0 sessions, 3 diary entries and 1 check-in (and 2 deletions).\n"
    )
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "fresh"))
    assert run("import", str(carried))[1] == (
        f"Imported {carried}: 0 sessions, 3 diary entries and 1 check-in (and 2 deletions) "
        "added, 0 updated, 0 already here.\n"
    )
    assert len(run("diary", "list")[1].splitlines()) == 4  # 3 entries and the quiet night


def test_export_to_stdout(run) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    _, out, err = run("export", "-")
    assert json.loads(out)["format"] == "stretch-coach-history"
    assert err == "Exported 0 sessions and 1 diary entry.\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{", "not valid JSON"),
        (
            '{"format": "stretch-coach-history", "version": 1, "cramps": [{"severity": 3}]}',
            "cramps[0].at: expected an ISO 8601 date and time",
        ),
    ],
)
def test_a_bad_import_writes_nothing(run, data_dir, tmp_path, content, message) -> None:
    source = tmp_path / "in.json"
    if content is not None:
        source.write_text(content)
    code, out, err = run("import", str(source))
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1
    assert not data_dir.exists()


# -- the database file -------------------------------------------------------------------------


def test_a_damaged_database_is_kept_aside_and_the_user_told(run, data_dir) -> None:
    data_dir.mkdir()
    db(data_dir).write_bytes(b"not a database at all " * 100)
    code, out, err = run("diary", "add", "--when", "2024-05-01T02:30")
    assert code == 0 and out.startswith("Saved #1")
    (aside,) = data_dir.glob("history.sqlite3.corrupt-*")
    assert err == (
        f"stretch-coach: the history database was damaged (file is not a database); "
        f"it is kept as {aside} and a new history begins with the 0 records that could be "
        "read from it\n"
    )
    assert aside.read_bytes() == b"not a database at all " * 100


def test_a_data_folder_that_cannot_be_made_is_one_clear_line(run, data_dir) -> None:
    data_dir.write_text("a file where the folder should be")
    code, out, err = run("diary", "add")
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: STRETCH_COACH_DATA_DIR={data_dir}: is a file, not a folder; "
        "give a folder (made if missing)\n"
    )


def test_a_database_from_a_newer_version_is_refused(run, data_dir) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    with sqlite3.connect(db(data_dir)) as conn:
        conn.execute(f"PRAGMA user_version = {schema.current_version() + 5}")
    conn.close()
    before = db(data_dir).read_bytes()
    code, out, err = run("diary", "add", "--when", "2024-05-02T02:30")
    assert (code, out) == (2, "")
    assert "written by a newer stretch-coach" in err and err.count("\n") == 1
    assert db(data_dir).read_bytes() == before


# -- staying light and UI-free --------------------------------------------------------------------


def test_the_help_names_the_diarys_own_symptoms() -> None:
    from stretch_coach.commands.history import SYMPTOM_HELP
    from stretch_coach.history.diary import SYMPTOMS

    assert ", ".join(SYMPTOMS) == SYMPTOM_HELP


def test_core_modules_do_not_import_textual_and_the_command_module_is_light() -> None:
    code = (
        "import sys\n"
        "import stretch_coach.commands.history\n"
        "light = not {'sqlite3', 'json', 'stretch_coach.history'} & set(sys.modules)\n"
        "import stretch_coach.history.store, stretch_coach.history.report, "
        "stretch_coach.history.render, stretch_coach.history.transfer\n"
        "print(light, 'textual' in sys.modules)\n"
    )
    # Without coverage's measuring in the child: it imports sqlite3 and json
    # itself, to record, and the question is what the coach imports.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.split() == ["True", "False"]
