"""Hardening (issue 11): outputs never overwrite what stretch-coach keeps; imports refuse what
``diary add`` refuses, whole or not at all; the data folder is private."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stretch_coach import outputs, settings
from stretch_coach.errors import UserError
from stretch_coach.history import db as dbmodule
from stretch_coach.history import transfer
from stretch_coach.history.store import HistoryStore
from stretch_coach.routine import folders

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def history(run: Run, data_dir: Path) -> Path:
    assert run("diary", "add", "--when", "2024-05-01T02:30", "--note", "kept")[0] == 0
    return data_dir / "history.sqlite3"


def test_the_names_match_those_of_the_modules_that_own_the_files() -> None:
    assert outputs.HISTORY_NAME == dbmodule.DB_NAME
    assert outputs.SETTINGS_NAME == settings.SETTINGS_FILE
    assert outputs.CAUTIONS_NAME == settings.CAUTIONS_FILE
    assert outputs.ROUTINE_SUFFIXES == folders.ROUTINE_SUFFIXES
    assert outputs.ENV_LIBRARY == folders.ENV_LIBRARY


# -- outputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "-o", "{target}"),
        ("report", "--format", "csv", "-o", "{target}"),
        ("export", "{target}"),
    ],
)
def test_no_output_can_overwrite_the_history(run: Run, history: Path, argv: tuple[str]) -> None:
    before = history.read_bytes()
    for target in (
        history,
        history.parent / ".." / history.parent.name / history.name,  # another spelling
        history.with_name(history.name + "-wal"),
    ):
        code, out, err = run(*(a.format(target=target) for a in argv))
        assert (code, out) == (2, "")
        assert err.startswith(f"stretch-coach: {'-o' if argv[0] == 'report' else 'export'} ")
        assert "history database" in err and err.count("\n") == 1
    assert history.read_bytes() == before
    assert run("diary", "list")[1].endswith("kept\n")


def test_a_link_to_the_history_is_refused_too(run: Run, history: Path, tmp_path: Path) -> None:
    symbolic = tmp_path / "report.md"
    symbolic.symlink_to(history)
    hard = tmp_path / "export.json"
    os.link(history, hard)
    before = history.read_bytes()
    assert run("report", "-o", str(symbolic))[0] == 2
    code, _, err = run("export", str(hard))
    assert code == 2 and "the history database" in err
    assert history.read_bytes() == before


def test_settings_cautions_and_routine_files_are_refused(
    run: Run, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text('audio = "none"\n')
    cautions = history.parent / "cautions.json"
    routines = history.parent / "routines"
    routines.mkdir(exist_ok=True)
    mine = routines / "calf.yaml"
    mine.write_text("id: calf\n")
    extra = tmp_path / "library"
    extra.mkdir()
    monkeypatch.setenv(folders.ENV_LIBRARY, str(extra))
    cases = {
        config / "settings.toml": "the settings file",
        cautions: "the list of cautions already read",
        mine: "a routine file in the library folder",
        # a routine's name, even new: the report's name says what it holds
        routines / "new.yml": "the report is written to a .md,",
        extra / "Other.YAML": "the report is written to a .md,",
        history.parent / "history.sqlite3.corrupt-20240101T000000": "a copy of it",
    }
    for target, what in cases.items():
        code, out, err = run("report", "-o", str(target))
        assert (code, out) == (2, ""), target
        assert what in err, (target, err)
    assert (config / "settings.toml").read_text() == 'audio = "none"\n'
    assert mine.read_text() == "id: calf\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_a_folder_is_refused_without_blocking(
    run: Run, history: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out, err = run("export", str(fifo))  # opening a FIFO to write would block
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: export {fifo}: that is a named pipe (FIFO), and only a regular file "
        "can be written; write the export to another file\n"
    )
    code, _, err = run("report", "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_a_new_file_and_an_old_report_may_be_written(
    run: Run, history: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.md"
    assert run("report", "-o", str(target))[0] == 0
    first = target.read_text()
    assert first.startswith("# Leg cramps")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.write_text("last month's report\n")
    assert run("report", "-o", str(target), "--format", "md")[0] == 0
    assert target.read_text().startswith("# Leg cramps")


def test_a_failed_write_leaves_the_old_file_whole(
    run: Run, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.json"
    target.write_text("the previous export\n")

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transfer, "_write_list", no_space)
    code, out, err = run("export", str(target))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: cannot write {target}: no space left on the disk; nothing was written\n"
    )
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_check_output_gives_back_the_path_for_an_ordinary_file(tmp_path: Path) -> None:
    assert outputs.check_output(str(tmp_path / "log.txt")) == tmp_path / "log.txt"
    with pytest.raises(UserError) as caught:
        outputs.check_output(tmp_path, option="--cue-log")
    assert caught.value.exit_code == 2
    assert caught.value.message == (
        f"--cue-log {tmp_path}: that is a folder, and only a regular file can be written; "
        "write the output to another file"
    )


# -- the data folder ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [("diary", "add", "--when", "2024-05-01T02:30"), ("list",)],
)
def test_the_data_folder_is_private_whatever_command_makes_it(
    run: Run, data_dir: Path, argv: tuple[str, ...]
) -> None:
    old = os.umask(0o022)
    try:
        assert run(*argv)[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


# -- import ------------------------------------------------------------------------------


def export_of(run: Run, tmp_path: Path) -> dict[str, object]:
    run("diary", "add", "--when", "2024-05-01T02:30", "--severity", "4")
    target = tmp_path / "all.json"
    assert run("export", str(target))[0] == 0
    return json.loads(target.read_text())


def session(**fields: object) -> dict[str, object]:
    return {
        "uuid": "6f1c8a52-8f7e-4d36-9a55-3f1e2b7c9d10",
        "routine_id": "calf",
        "title": "Calf",
        "content_hash": "sha256:x",
        "started_at": "2024-05-01T22:00:00+02:00",
        "ended_at": "2024-05-01T22:05:00+02:00",
        "planned_seconds": 300,
        "partial_seconds": 0,
        "status": "finished",
        "steps": [
            {
                "seq": 1,
                "step_index": 0,
                "name": "Calf",
                "outcome": "done",
                "seconds": 60,
                "at": "2024-05-01T22:01:00+02:00",
            }
        ],
        **fields,
    }


DIGITS = "9" * 5000
FUTURE = (datetime.now().astimezone() + timedelta(days=400)).isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["cramps"][0].update(at="2999-05-01T02:30:00+00:00"),
            "cramps[0].at: 2999-05-01 02:30 is in the future; give when it happened",
        ),
        (
            lambda d: d["cramps"][0].update(at="1800-05-01T02:30:00+00:00"),
            "cramps[0].at: '1800-05-01T02:30:00+00:00' is before 1900; check the year",
        ),
        (
            lambda d: d["cramps"][0].update(updated_at="9999-12-31T23:59:59+00:00"),
            "cramps[0].updated_at: 9999-12-31 23:59 is in the future",
        ),
        (
            lambda d: d["cramps"][0].update(at="10000-01-01T00:00:00+00:00"),
            "cramps[0].at: '10000-01-01T00:00:00+00:00' is not an ISO 8601 date and time",
        ),
        (
            lambda d: d["sessions"].append(session(ended_at="2024-05-01T21:00:00+02:00")),
            "sessions[0].ended_at: '2024-05-01T21:00:00+02:00' is before the session started",
        ),
        (
            lambda d: d["sessions"].append(session(started_at=FUTURE, ended_at=None)),
            "is in the future",
        ),
        (
            lambda d: d["sessions"].append(
                session(steps=[{**session()["steps"][0], "step_index": 2**70}])
            ),
            "sessions[0].steps[0].step_index: must be a whole number from 0 to 2147483647",
        ),
        (
            lambda d: d["cramps"][0].update(duration_seconds=int("9" * 400)),
            "cramps[0]: a number of 400 digits is too long",
        ),
        (
            lambda d: d["cramps"][0].update(duration_seconds="9" * 400),
            "cramps[0].duration: '9999999999",
        ),
        (
            lambda d: d["cramps"][0].update(severity=int(DIGITS[:4000])),
            "cramps[0]: a number of 4000 digits is too long",
        ),
    ],
)
def test_import_refuses_what_diary_add_refuses(
    run: Run, data_dir: Path, tmp_path: Path, change: Callable[[dict], None], message: str
) -> None:
    document = export_of(run, tmp_path)
    change(document)  # type: ignore[arg-type]
    bad = tmp_path / "bad.json"
    sys.set_int_max_str_digits(0)  # to write the test's 5,000-digit numbers at all
    try:
        bad.write_text(json.dumps(document))
    finally:
        sys.set_int_max_str_digits(4300)
    before = (data_dir / "history.sqlite3").read_bytes()
    code, out, err = run("import", str(bad))
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1, err
    assert (data_dir / "history.sqlite3").read_bytes() == before


def test_a_5000_digit_number_anywhere_is_one_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "stretch-coach-history", "version": ' + DIGITS + "}")
    code, _, err = run("import", str(bad))
    assert code == 2
    assert err == f"stretch-coach: {bad}: version: a number of 5000 digits is too long\n"


@pytest.mark.parametrize("where", ["record", "header"])
def test_deep_nesting_is_refused_not_a_crash(run: Run, tmp_path: Path, where: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    bad = tmp_path / "deep.json"
    if where == "record":
        text = '{"format": "stretch-coach-history", "version": 1, "cramps": [' + deep + "]}"
        expected = "cramps[0]: nested too deeply"
    else:
        text = '{"format": "stretch-coach-history", "version": 1, "extra": ' + deep + "}"
        expected = "extra: nested too deeply"
    bad.write_text(text)
    code, out, err = run("import", str(bad))
    assert (code, out) == (2, "")
    assert err == f"stretch-coach: {bad}: {expected}\n"


def test_a_file_is_imported_whole_or_not_at_all(run: Run, data_dir: Path, tmp_path: Path) -> None:
    document = export_of(run, tmp_path)
    good = dict(document["cramps"][0])  # type: ignore[index]
    fresh = [
        {**good, "uuid": f"00000000-0000-4000-8000-{n:012d}", "note": f"fresh {n}"}
        for n in range(5)
    ]
    fresh[4]["severity"] = 11  # the last one is bad: none of the four before it is kept
    document["cramps"] = fresh
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    code, _, err = run("import", str(bad))
    assert code == 2 and "cramps[4].severity: 11 is not from 0 to 10" in err
    with HistoryStore.open(data_dir / "history.sqlite3", create=False) as store:
        assert [c.note for c in store.cramps()] == [None]


def test_a_file_starting_with_a_byte_order_mark_is_imported(
    run: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_of(run, tmp_path)
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "all.json").read_bytes())
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "elsewhere"))
    code, out, err = run("import", str(marked))
    assert (code, err) == (0, "")
    assert out == (
        f"Imported {marked}: 0 sessions and 1 diary entry added, 0 updated, 0 already here.\n"
    )


def test_a_json_error_far_into_a_big_file_says_where(run: Run, tmp_path: Path) -> None:
    lines = ['{"format": "stretch-coach-history", "version": 1, "cramps": [']
    lines += ["  " + " " * 100] * 30_000  # past the first chunks read
    lines += ["  {oops}]}"]
    bad = tmp_path / "big.json"
    bad.write_text("\n".join(lines))
    code, _, err = run("import", str(bad))
    assert code == 2
    assert err.startswith(f"stretch-coach: {bad}: not valid JSON (line 30002, column 4: ")


def test_the_streamed_export_is_the_document_laid_out_as_before(
    run: Run, data_dir: Path, tmp_path: Path
) -> None:
    for day in range(1, 4):
        run("diary", "add", "--when", f"2024-05-0{day}T02:30", "--note", 'é \u2028 "q"')
    with HistoryStore.open(data_dir / "history.sqlite3") as store:
        record = store.start_session("calf", "Calf", "sha256:x", 60)
        record.step_done(0, "One", 30)
        record.finish("finished")
        import io

        out = io.StringIO()
        assert transfer.write_export(store, out) == (1, 3, 0, 0)
        document = transfer.export_document(store)
    written = json.loads(out.getvalue())
    document["exported_at"] = written["exported_at"]
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_the_cue_log_may_not_overwrite_the_history_or_a_routine(
    run: Run, history: Path, tmp_path: Path
) -> None:
    # The cue log is written as cues fire: it is refused before the session
    # starts, so nothing plays and nothing is truncated.
    routine = tmp_path / "lib" / "mine.yaml"
    routine.parent.mkdir()
    routine.write_text("title: Mine\nsteps:\n  - name: Loosen\n", encoding="utf-8")
    before = history.read_bytes()
    for target, what in ((history, "history database"), (routine, "a routine file")):
        code, out, err = run(
            "run", "mine", "--plain", "--library", str(routine.parent), "--cue-log", str(target)
        )
        assert (code, out) == (2, "")
        assert err.startswith(f"stretch-coach: --cue-log {target}: ") and what in err
        assert err.count("\n") == 1
    assert history.read_bytes() == before
    assert routine.read_text(encoding="utf-8") == "title: Mine\nsteps:\n  - name: Loosen\n"
