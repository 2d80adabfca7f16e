"""Programs (issue 14): files, located errors, totals by the format's rules, following,
what is due today, and a session played from a program on the record."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stretch_coach import agenda
from stretch_coach.cli import main
from stretch_coach.history import transfer
from stretch_coach.history.store import HistoryStore
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Library, default_library
from stretch_coach.routine.program import Schedule
from stretch_coach.routine.spec import json_schema
from stretch_coach.routine.stages import ProgramEntry

Writer = Callable[..., Path]

WALL = """
title: Wall calf stretch
caution: [Stop anything that causes sharp pain.]
steps:
  - name: Wall calf stretch
    hold: 30s
    reps: 2
    rest: 10s
    sides: [left, right]
"""

#: The issue's "done when": 4 weeks, the wall stretch's hold from 20 to 45 s.
FOUR_WEEKS = """
title: Wall stretch, growing hold
caution: [Stop if your calf is sore the next morning.]
program:
  stages:
    - weeks: 1
      routine: wall
      change:
        Wall calf stretch: {hold: 20s}
    - weeks: 1
      routine: wall
      change:
        Wall calf stretch: {hold: 30s}
    - weeks: 2
      routine: wall
      change:
        Wall calf stretch: {hold: 45s}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lib(write: Writer, tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    write("wall.yaml", WALL, folder=folder)
    write("four-weeks.yaml", FOUR_WEEKS, folder=folder)
    return folder


def hold_total(hold: float, prepare: float = 5, reps: int = 2, rest: float = 10) -> float:
    """The format's hold step length for the wall stretch (2 sides, switch 5 s, 1 set)."""
    return prepare + 2 * (reps * hold + (reps - 1) * rest) + 5


# -- the done-when ------------------------------------------------------------------------


def test_the_four_week_program_validates_and_shows_each_stage_total(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "validate", str(lib))
    assert (code, out.strip(), err) == (0, "ok: 1 routine and 1 program valid", "")
    code, out, _ = run(capsys, "show", "four-weeks", "--library", str(lib), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc == {
        "id": "four-weeks",
        "title": "Wall stretch, growing hold",
        "kind": "program",
        "schedule": "daily",
        "after": "keep",
        "cautions": ["Stop if your calf is sore the next morning."],
        "stages": [
            {
                "weeks": [1, 1],
                "routine": "wall",
                "changes": {"Wall calf stretch": {"hold": 20.0}},
                "total_seconds": hold_total(20),
                "untimed_steps": 0,
            },
            {
                "weeks": [2, 2],
                "routine": "wall",
                "changes": {"Wall calf stretch": {"hold": 30.0}},
                "total_seconds": hold_total(30),
                "untimed_steps": 0,
            },
            {
                "weeks": [3, 4],
                "routine": "wall",
                "changes": {"Wall calf stretch": {"hold": 45.0}},
                "total_seconds": hold_total(45),
                "untimed_steps": 0,
            },
        ],
    }
    assert [s["total_seconds"] for s in doc["stages"]] == [110.0, 150.0, 210.0]


def test_show_and_list_in_words(lib: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "four-weeks", "--library", str(lib))
    assert code == 0
    assert "Program: 4 weeks, daily; then the last stage goes on." in out
    assert "  Caution: Stop if your calf is sore the next morning." in out
    assert "Stage 3, weeks 3-4: Wall calf stretch (wall), 3 min 30 s" in out
    assert "    changes: Wall calf stretch: hold 45 s" in out
    code, out, _ = run(capsys, "list", "--library", str(lib))
    assert "four-weeks" in out and "Wall stretch, growing hold (program: 4 weeks, daily)" in out
    code, out, _ = run(capsys, "list", "--library", str(lib), "--json")
    row = next(r for r in json.loads(out) if r["id"] == "four-weeks")
    assert {k: row[k] for k in ("id", "title", "kind", "weeks", "schedule", "valid")} == {
        "id": "four-weeks",
        "title": "Wall stretch, growing hold",
        "kind": "program",
        "weeks": 4,
        "schedule": "daily",
        "valid": True,
    }


# -- refused, located ------------------------------------------------------------------

BAD = [
    (
        "no such step",
        "program:\n  stages:\n    - weeks: 1\n      routine: wall\n      change:\n"
        "        Wall calf strech: {hold: 20s}\n",
        "6:9: program.stages[1].change.Wall calf strech: no step of 'wall' is named "
        "'Wall calf strech'; did you mean 'Wall calf stretch'?",
    ),
    (
        "tempo on a hold step",
        "program:\n  stages:\n    - weeks: 1\n      routine: wall\n      change:\n"
        "        Wall calf stretch: {tempo: 3s}\n",
        "6:29: program.stages[1].change.Wall calf stretch.tempo: a hold step cannot take 'tempo'",
    ),
    (
        "hold on a timed activity",
        "program:\n  stages:\n    - weeks: 1\n      routine: walk\n      change:\n"
        "        Walk: {hold: 3s}\n",
        "6:16: program.stages[1].change.Walk.hold: a timed activity step cannot take 'hold'",
    ),
    (
        "tempo on counted reps",
        "program:\n  stages:\n    - weeks: 1\n      routine: raises\n      change:\n"
        "        Heel raises: {tempo: 3s}\n",
        "6:23: program.stages[1].change.Heel raises.tempo: tempo would make these counted reps "
        "paced reps; a change never changes a step's kind",
    ),
    (
        "tempo on phases",
        "program:\n  stages:\n    - weeks: 1\n      routine: phased\n      change:\n"
        "        Lift: {tempo: 3s}\n",
        "6:16: program.stages[1].change.Lift.tempo: this paced-reps step gives its "
        "repetitions' phases; a change cannot set tempo on it",
    ),
    (
        "steps and program",
        "steps: [{name: a}]\nprogram:\n  stages: [{weeks: 1, routine: wall}]\n",
        "1:1: steps: a file has 'steps' (a routine) or 'program' (a program), not both",
    ),
    (
        "weeks 0",
        "program:\n  stages:\n    - weeks: 0\n      routine: wall\n",
        "3:14: program.stages[1].weeks: 0 is out of range: use 1 to 52",
    ),
    (
        "schedule out of range",
        "program:\n  schedule: 8 per week\n  stages:\n    - weeks: 1\n      routine: wall\n",
        "2:13: program.schedule: '8 per week' is not a schedule",
    ),
    (
        "five a day",
        "program:\n  schedule: 5 per day\n  stages:\n    - weeks: 1\n      routine: wall\n",
        "2:13: program.schedule: '5 per day' is not a schedule",
    ),
    (
        "a stage naming a program",
        "program:\n  stages:\n    - weeks: 1\n      routine: four-weeks\n",
        "4:16: program.stages[1].routine: 'four-weeks' is a program; a stage names a routine",
    ),
    (
        "defaults in a program",
        "defaults: {prepare: 0}\nprogram:\n  stages: [{weeks: 1, routine: wall}]\n",
        "1:1: defaults: a program has no 'defaults'",
    ),
    (
        "a misspelt dose key",
        "program:\n  stages:\n    - weeks: 1\n      routine: wall\n      change:\n"
        "        Wall calf stretch: {hodl: 20s}\n",
        "6:29: program.stages[1].change.Wall calf stretch.hodl: unknown key; did you mean 'hold'?",
    ),
    (
        "a hold of 0",
        "program:\n  stages:\n    - weeks: 1\n      routine: wall\n      change:\n"
        "        Wall calf stretch: {hold: 0}\n",
        "6:35: program.stages[1].change.Wall calf stretch.hold: must be more than 0 seconds",
    ),
]


@pytest.mark.parametrize(("text", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_programs_are_refused_with_a_located_line(
    lib: Path, write: Writer, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    write("walk.yaml", "title: Walk\nsteps: [{name: Walk, duration: 1m}]\n", folder=lib)
    write("raises.yaml", "title: R\nsteps: [{name: Heel raises, reps: 10}]\n", folder=lib)
    write(
        "phased.yaml",
        "title: P\nsteps:\n  - name: Lift\n    reps: 5\n"
        "    phases: [{say: up, time: 1}, {say: down, time: 3}]\n",
        folder=lib,
    )
    bad = write("bad.yaml", "title: Bad\n" + text, folder=lib)
    code, out, err = run(capsys, "validate", str(bad), "--library", str(lib))
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{bad}:{int(message.split(':')[0]) + 1}:{message.split(':', 1)[1]}")
    assert "Traceback" not in err
    code, _, err = run(capsys, "show", str(bad), "--library", str(lib))
    assert code == 2 and err.splitlines()[0] == first


def test_a_routine_command_names_a_program_for_what_it_is(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = default_library([str(lib)])
    with pytest.raises(Exception, match="'four-weeks' is a program, not a routine"):
        library.find("four-weeks")


# -- the schema ----------------------------------------------------------------------


def test_the_schema_takes_programs_and_refuses_what_the_loader_refuses(lib: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    validator.validate(yaml.safe_load(FOUR_WEEKS))
    for path in bundled_routines_dir().glob("*.yaml"):
        validator.validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    # What the file alone shows (steps, stages and kinds are the library's to find).
    in_the_file = {
        "steps and program",
        "weeks 0",
        "schedule out of range",
        "five a day",
        "defaults in a program",
        "a misspelt dose key",
        "a hold of 0",
    }
    for name, text, _ in BAD:
        if name in in_the_file:
            assert not validator.is_valid(yaml.safe_load("title: Bad\n" + text)), name


# -- totals by the format's formulas -----------------------------------------------------

DOSES = st.fixed_dictionaries(
    {},
    optional={
        "hold": st.integers(1, 120),
        "reps": st.integers(1, 6),
        "sets": st.integers(1, 4),
        "rest": st.integers(0, 30),
        "set_rest": st.integers(0, 30),
        "prepare": st.integers(0, 10),
        "switch": st.integers(0, 10),
    },
)
PACED = st.fixed_dictionaries(
    {},
    optional={
        "reps": st.integers(1, 30),
        "tempo": st.integers(1, 8),
        "sets": st.integers(1, 4),
        "rest": st.integers(0, 30),
        "prepare": st.integers(0, 10),
    },
)


def _formula(hold: dict[str, int], paced: dict[str, int], activity: int | None) -> float:
    """The format's Timeline formulas for the routine below, with the changes applied."""
    # The hold step as written: hold 30, reps 2, rest 10, sides 2, switch 5, prepare 5,
    # set_rest not written (so it follows rest).
    h, n = hold.get("hold", 30), hold.get("reps", 2)
    r = hold.get("rest", 10)
    sr = hold.get("set_rest", r)
    sets, p, w = hold.get("sets", 1), hold.get("prepare", 5), hold.get("switch", 5)
    hold_len = p + sets * (2 * (n * h + (n - 1) * r) + w) + (sets - 1) * sr
    # Paced: reps 10, tempo 3, set_rest written as 7 (so a change of rest leaves it).
    pn, t, ps = paced.get("reps", 10), paced.get("tempo", 3), paced.get("sets", 1)
    paced_len = paced.get("prepare", 5) + ps * pn * t + (ps - 1) * 7
    # The activity: duration 60 s, prepare 0 (a routine default).
    return hold_len + paced_len + (activity or 60)


ROUTINE = """
title: Mixed
defaults: {prepare: 5s}
steps:
  - {name: Hold, hold: 30s, reps: 2, rest: 10s, sides: [left, right]}
  - {name: Paced, reps: 10, tempo: 3s, set_rest: 7s}
  - {name: Walk, duration: 60s, prepare: 0}
  - {name: Count, reps: 12}
"""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hold=DOSES, paced=PACED, activity=st.one_of(st.none(), st.integers(1, 600)))
def test_a_stage_total_is_the_format_formula_of_the_changed_routine(
    tmp_path_factory: pytest.TempPathFactory,
    hold: dict[str, int],
    paced: dict[str, int],
    activity: int | None,
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    (folder / "mixed.yaml").write_text(ROUTINE, encoding="utf-8")
    change: dict[str, dict[str, int]] = {}
    if hold:
        change["Hold"] = hold
    if paced:
        change["Paced"] = paced
    if activity is not None:
        change["Walk"] = {"duration": activity}
    stage: dict[str, object] = {"weeks": 2, "routine": "mixed"}
    if change:
        stage["change"] = change
    program = {"title": "P", "program": {"stages": [stage]}}
    (folder / "p.yaml").write_text(yaml.safe_dump(program), encoding="utf-8")
    entry = Library.from_folders([(folder, "library")]).get_program("p")
    assert entry is not None and entry.valid, entry and entry.problems
    from stretch_coach.commands.program import stage_json

    doc = stage_json(entry.stages[0])
    assert doc["total_seconds"] == pytest.approx(_formula(hold, paced, activity))
    assert doc["untimed_steps"] == 1
    assert doc["weeks"] == [1, 2]


# -- schedules, weeks, days ---------------------------------------------------------------


def test_n_per_week_spreads_its_sessions_from_the_week_s_first_day() -> None:
    assert [Schedule("week", 1).due_on(d) for d in range(7)] == [1, 0, 0, 0, 0, 0, 0]
    assert [Schedule("week", 3).due_on(d) for d in range(7)] == [1, 0, 1, 0, 1, 0, 0]
    assert [Schedule("week", 7).due_on(d) for d in range(7)] == [1] * 7
    assert [Schedule("day", 2).due_on(d) for d in range(7)] == [2] * 7
    for n in range(1, 8):
        assert sum(Schedule("week", n).due_on(d) for d in range(7)) == n


def test_a_program_day_runs_from_three_to_three() -> None:
    zone = timezone(timedelta(hours=1))
    assert agenda.program_day(datetime(2026, 11, 13, 0, 30, tzinfo=zone)) == date(2026, 11, 12)
    assert agenda.program_day(datetime(2026, 11, 13, 2, 59, tzinfo=zone)) == date(2026, 11, 12)
    assert agenda.program_day(datetime(2026, 11, 13, 3, 0, tzinfo=zone)) == date(2026, 11, 13)
    assert agenda.week_of(date(2026, 11, 2), date(2026, 11, 12)) == 2
    assert agenda.week_of(date(2026, 11, 2), date(2026, 11, 8)) == 1
    assert agenda.week_of(date(2026, 11, 2), date(2026, 11, 1)) == 0


def _played(store: HistoryStore, program: str, when: datetime, week: int, done: bool) -> None:
    """A 100 s session from ``program``: all of it done, or all of it skipped."""
    record = store.start_session(
        "wall", "Wall", "", 100.0, started_at=when, planned_self_paced=0, program=(program, week, 1)
    )
    report = record.step_done if done else record.step_skipped
    report(0, "Wall calf stretch", 100.0 if done else 0.0, at=when, planned=100.0, self_paced=False)
    record.finish("finished", ended_at=when + timedelta(minutes=2))


def test_follow_and_today_count_only_sessions_that_count_by_program_day(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "today", "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(
        capsys, "follow", "four-weeks", "--start", "2026-11-02", "--library", str(lib)
    )
    assert (code, out.strip()) == (
        0,
        "Following Wall stretch, growing hold (four-weeks) from 2026-11-02.",
    )
    zone = timezone(timedelta(hours=1))
    with HistoryStore.open() as store:
        _played(store, "four-weeks", datetime(2026, 11, 10, 21, 0, tzinfo=zone), 2, True)
        # 00:30 on the 13th belongs to the evening of the 12th.
        _played(store, "four-weeks", datetime(2026, 11, 13, 0, 30, tzinfo=zone), 2, True)
        _played(store, "four-weeks", datetime(2026, 11, 12, 20, 0, tzinfo=zone), 2, False)
        _played(store, "other", datetime(2026, 11, 12, 20, 0, tzinfo=zone), 2, True)
        _played(store, "four-weeks", datetime(2026, 11, 8, 21, 0, tzinfo=zone), 1, True)
    code, out, _ = run(capsys, "today", "--json", "--date", "2026-11-12", "--library", str(lib))
    assert code == 0
    assert json.loads(out) == [
        {
            "program": "four-weeks",
            "week": 2,
            "stage": 2,
            "routine": "wall",
            "changes": {"Wall calf stretch": {"hold": 30.0}},
            "total_seconds": 150.0,
            "untimed_steps": 0,
            "due_today": 1,
            "done_today": 1,
            "due_this_week": 7,
            "done_this_week": 2,
            "status": "active",
        }
    ]
    code, out, _ = run(capsys, "today", "--json", "--date", "2026-11-01", "--library", str(lib))
    item = json.loads(out)[0]
    assert (item["status"], item["week"], item["due_today"], item["due_this_week"]) == (
        "upcoming",
        None,
        0,
        0,
    )
    code, out, _ = run(capsys, "today", "--date", "2026-12-20", "--library", str(lib))
    assert "week 7 of 4 (the last stage goes on), stage 3" in out
    code, out, _ = run(capsys, "unfollow", "four-weeks")
    assert code == 0
    code, out, _ = run(capsys, "today", "--json", "--library", str(lib))
    assert json.loads(out) == []
    code, _, err = run(capsys, "unfollow", "four-weeks")
    assert code == 2 and "you do not follow 'four-weeks'" in err


def test_a_program_file_outside_the_library_is_not_followed(
    lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Followed by its id, it could never be found again by `today` or the coach.
    elsewhere = tmp_path / "handed-over"
    elsewhere.mkdir()
    program = elsewhere / "four.yaml"
    program.write_bytes((lib / "four-weeks.yaml").read_bytes())
    code, out, err = run(capsys, "follow", str(program), "--library", str(lib))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: {program}: not in your library, so 'today' and the coach could not "
        f"find it; install it first (stretch-coach install {program}), then follow 'four'\n"
    )
    with HistoryStore.open() as store:
        assert store.follows() == []
    # The same file in the library is followed by its path.
    code, out, _ = run(capsys, "follow", str(lib / "four-weeks.yaml"), "--library", str(lib))
    assert (code, out.split(" from ")[0]) == (
        0,
        "Following Wall stretch, growing hold (four-weeks)",
    )


def test_a_stop_program_is_complete_after_its_last_stage(write: Writer, lib: Path) -> None:
    write(
        "short.yaml",
        "title: S\nprogram:\n  schedule: 3 per week\n  after: stop\n"
        "  stages: [{weeks: 2, routine: wall}]\n",
        folder=lib,
    )
    library = default_library([str(lib)])
    entry = library.get_program("short")
    assert isinstance(entry, ProgramEntry)
    start = date(2026, 11, 2)
    first = agenda.due_on(entry, start, date(2026, 11, 4))
    assert (first.status, first.week, first.due_today, first.due_this_week) == ("active", 1, 1, 3)
    assert agenda.due_on(entry, start, date(2026, 11, 3)).due_today == 0
    done = agenda.due_on(entry, start, date(2026, 11, 16))
    assert (done.status, done.week, done.stage, done.due_today, done.due_this_week) == (
        "complete",
        3,
        None,
        0,
        0,
    )


# -- playing a program ----------------------------------------------------------------

TINY = """
title: Tiny
caution: [Stop if it hurts.]
steps:
  - {name: Reach, hold: 1s, prepare: 0}
"""


def test_run_program_plays_today_s_stage_with_both_cautions_and_records_it(
    write: Writer,
    tmp_path: Path,
    cli_argv: list[str],
    child_env: dict[str, str],
) -> None:
    folder = tmp_path / "own"
    write("tiny.yaml", TINY, folder=folder)
    write(
        "grow.yaml",
        "title: Grow\ncaution: [Go gently in the first week.]\nprogram:\n  stages:\n"
        "    - {weeks: 1, routine: tiny, change: {Reach: {hold: 2s}}}\n"
        "    - {weeks: 1, routine: tiny, change: {Reach: {hold: 1s}}}\n",
        folder=folder,
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli_argv, *args, "--library", str(folder)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=child_env,
            timeout=60,
            check=False,
        )

    start = agenda.program_day(agenda.now()) - timedelta(days=7)
    assert cli("follow", "grow", "--start", start.isoformat()).returncode == 0
    done = cli("run", "grow", "--plain", "--audio", "none", "--no-voice")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Grow: week 2, stage 2."
    assert "Caution: Go gently in the first week." in lines
    assert "Caution: Stop if it hurts." in lines
    db = Path(child_env["STRETCH_COACH_DATA_DIR"]) / "history.sqlite3"
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT routine_id, program_id, program_week, program_stage, planned_seconds, status"
            " FROM sessions"
        ).fetchone()
    finally:
        conn.close()
    assert row == ("tiny", "grow", 2, 2, 1.0, "finished")


# -- kept in the history, carried by export -----------------------------------------------


def test_follows_and_program_sessions_travel_with_an_export(tmp_path: Path) -> None:
    zone = UTC
    source = HistoryStore.in_memory()
    source.follow("four-weeks", date(2026, 11, 2))
    source.follow("old", date(2026, 1, 5))
    source.unfollow("old")
    _played(source, "four-weeks", datetime(2026, 11, 10, 21, 0, tzinfo=zone), 2, True)
    source.rate_session(1, effort=4, pain=0)
    source.count_reps(1, 12)
    document = transfer.export_document(source)
    assert document["sessions"][0]["program"] == {"id": "four-weeks", "week": 2, "stage": 1}
    assert {k: document["sessions"][0][k] for k in ("effort", "pain", "reps_counted")} == {
        "effort": 4,
        "pain": 0,
        "reps_counted": 12,
    }
    assert [(f["program"], f["start"], f["deleted_at"] is None) for f in document["follows"]] == [
        ("four-weeks", "2026-11-02", True),
        ("old", "2026-01-05", False),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    target = HistoryStore.in_memory()
    result = target.merge_records(transfer.iter_file(path))
    assert (result.sessions_added, result.follows_added) == (1, 2)
    assert [(f.program_id, f.start) for f in target.follows()] == [
        ("four-weeks", date(2026, 11, 2))
    ]
    sessions = target.program_sessions("four-weeks")
    assert [(s.week, s.stage, s.counts, s.effort, s.pain, s.reps_counted) for s in sessions] == [
        (2, 1, True, 4, 0, 12)
    ]
    again = target.merge_records(transfer.iter_file(path))
    assert again.changed == 0


def test_an_export_with_a_bad_follow_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": "stretch-coach-history",
                "version": 1,
                "sessions": [],
                "cramps": [],
                "follows": [
                    {
                        "program": "p",
                        "start": "2026-13-01",
                        "created_at": "2026-01-01T00:00:00+00:00",
                        "updated_at": "2026-01-01T00:00:00+00:00",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"follows\[0\]\.start: '2026-13-01' is not a day"):
        transfer.check_file(path)


def test_an_older_history_gains_the_program_columns_in_place(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    from stretch_coach.history import schema

    conn = sqlite3.connect(db, isolation_level=None)
    for migration in schema.MIGRATIONS[:2]:
        migration(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO sessions (uuid, routine_id, title, content_hash, started_at, utc_offset,"
        " planned_seconds, status) VALUES ('00000000-0000-4000-8000-000000000001', 'calf',"
        " 'Calf', '', '2026-11-02T20:00:00+00:00', 0, 60, 'finished')"
    )
    conn.close()
    with HistoryStore.open(db) as store:
        assert [s.routine_id for s in store.sessions()] == ["calf"]
        assert store.follows() == []
        store.follow("p", date(2026, 11, 2))
        assert store.program_sessions("calf") == []


# -- the bundled program and the docs' worked example ---------------------------------------


def test_the_bundled_program_uses_bundled_routines_and_cites_the_seeds() -> None:
    library = default_library()
    entry = library.get_program("nightly-bedtime")
    assert entry is not None and entry.valid and entry.origin == "bundled", entry
    program = entry.program
    assert program is not None and program.source
    assert {stage.routine.origin for stage in entry.stages} == {"bundled"}
    assert all(not stage.stage.changes for stage in entry.stages)  # the routine's own doses
    assert re.findall(r"seed (\d{3}_[0-9a-f]{16}\.txt)", program.source)
    assert (program.schedule.text, program.after) == ("daily", "keep")


def test_the_docs_worked_progression_has_the_totals_it_gives(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "routine-format.md").read_text(
        encoding="utf-8"
    )
    example = re.search(
        r"```yaml\n(format: 1\ntitle: Wall stretch, building up\n.*?)```", page, re.S
    )
    assert example is not None
    (tmp_path / "wall-building-up.yaml").write_text(example.group(1), encoding="utf-8")
    library = Library.from_folders([(tmp_path, "library")], fallback=default_library())
    entry = library.get_program("wall-building-up")
    assert entry is not None and entry.valid, entry and entry.problems
    from stretch_coach.commands.program import stage_json

    assert [(s["weeks"], s["total_seconds"]) for s in map(stage_json, entry.stages)] == [
        ([1, 1], 110.0),
        ([2, 2], 150.0),
        ([3, 4], 210.0),
    ]
    for total in ("**110 s**", "**150 s**", "**210 s**"):
        assert total in page


def test_data_dir_keeps_patients_apart(
    lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "default"))
    ann, bob = tmp_path / "ann", tmp_path / "bob"
    code, _, _ = run(
        capsys,
        "--data-dir",
        str(ann),
        "follow",
        "four-weeks",
        "--start",
        "2026-11-02",
        "--library",
        str(lib),
    )
    assert code == 0 and (ann / "history.sqlite3").is_file()
    code, out, _ = run(capsys, "today", "--data-dir", str(bob), "--json", "--library", str(lib))
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "today", "--data-dir", str(ann), "--json", "--library", str(lib))
    assert [item["program"] for item in json.loads(out)] == ["four-weeks"]
    assert not (tmp_path / "default").exists()


def test_run_of_a_stop_program_after_its_end_says_it_is_complete(write: Writer, lib: Path) -> None:
    write(
        "done.yaml",
        "title: Done soon\nprogram:\n  after: stop\n  stages: [{weeks: 1, routine: wall}]\n",
        folder=lib,
    )
    with HistoryStore.open() as store:
        store.follow("done", date(2026, 1, 5))
    library = default_library([str(lib)])
    with pytest.raises(Exception, match="Done soon is complete: it ended after 1 week"):
        agenda.playable(library, "done", date(2026, 1, 20))
    playing = agenda.playable(library, "done", date(2026, 1, 11))
    assert playing.note == "Done soon: week 1, stage 1."
    assert playing.entry.program is not None and playing.entry.program.week == 1
    fresh = agenda.playable(library, "four-weeks", date(2026, 1, 11))
    assert fresh.note == "Wall stretch, growing hold: week 1, stage 1 (you do not follow it)."


# -- the practitioner's report ------------------------------------------------------------


def test_report_program_gives_due_and_done_per_week(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stretch_coach import adherence
    from stretch_coach.history.model import Cramp

    entry = default_library([str(lib)]).get_program("four-weeks")
    assert entry is not None
    zone = UTC
    store = HistoryStore.in_memory()
    store.follow("four-weeks", date(2026, 11, 2))
    _played(store, "four-weeks", datetime(2026, 11, 2, 21, 0, tzinfo=zone), 1, True)
    _played(store, "four-weeks", datetime(2026, 11, 4, 1, 0, tzinfo=zone), 1, True)  # the 3rd
    _played(store, "four-weeks", datetime(2026, 11, 5, 21, 0, tzinfo=zone), 1, False)
    _played(store, "four-weeks", datetime(2026, 11, 10, 21, 0, tzinfo=zone), 2, True)
    store.add_cramp(Cramp(at=datetime(2026, 11, 3, 2, 0, tzinfo=zone), severity=6))
    store.rate_session(1, effort=5, pain=2)
    store.rate_session(2, effort=6)
    store.add_cramp(Cramp(at=datetime(2026, 11, 11, 2, 0, tzinfo=zone), severity=3))
    data = adherence.build(
        entry, date(2026, 11, 2), store, current=datetime(2026, 11, 11, 12, 0, tzinfo=zone)
    )
    assert [
        (w["week"], w["stage"], w["due"], w["done"], w["sessions"], w["cramps"])
        for w in data["weeks"]
    ] == [
        (1, 1, 7, 2, 3, 1),
        (2, 2, 3, 1, 1, 1),  # the 9th, 10th and 11th so far
    ]
    assert [w["dose"] for w in data["weeks"]] == [
        "Wall calf stretch: hold 20 s",
        "Wall calf stretch: hold 30 s",
    ]
    assert [w["worst_severity"] for w in data["weeks"]] == [6, 3]
    assert [(w["effort"], w["pain"]) for w in data["weeks"]] == [(5.5, 2.0), (None, None)]
    assert (data["due"], data["done"]) == (10, 3)
    md = adherence.render(data, "md")
    assert "| 1 | 2026-11-02 | 1 | Wall calf stretch: hold 20 s | 7 | 2 | 5.5 | 2 | 1 | 6 |" in md
    csv_text = adherence.render(data, "csv")
    assert csv_text.splitlines()[1] == (
        "1,2026-11-02,2026-11-08,1,wall,Wall calf stretch: hold 20 s,7,2,3,5.5,2.0,1,6"
    )
    page = adherence.render(data, "html")
    assert page.count("<rect") == 2 * 3 + 3 and "<script" not in page
    assert json.loads(adherence.render(data, "json")) == data


def test_report_program_text_is_data_in_every_format(write: Writer, lib: Path) -> None:
    from stretch_coach import adherence

    write(
        "evil.yaml",
        "title: '<script>alert(1)</script>'\nprogram:\n  stages:\n"
        "    - weeks: 1\n      routine: wall\n      change:\n"
        "        Wall calf stretch: {hold: 20s}\n",
        folder=lib,
    )
    write("wall.yaml", WALL.replace("name: Wall calf stretch", "name: '=HYPERLINK(1)'"), folder=lib)
    (lib / "evil.yaml").write_text(
        (lib / "evil.yaml").read_text().replace("Wall calf stretch", "'=HYPERLINK(1)'"),
        encoding="utf-8",
    )
    entry = default_library([str(lib)]).get_program("evil")
    assert entry is not None and entry.valid, entry and entry.problems
    data = adherence.build(
        entry,
        date(2026, 11, 2),
        HistoryStore.in_memory(),
        current=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
    )
    page = adherence.render(data, "html")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert ",'=HYPERLINK(1): hold 20 s," in adherence.render(data, "csv")


def test_report_program_from_the_command_line(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "report", "--program", "four-weeks", "--library", str(lib))
    assert code == 2 and "you do not follow 'four-weeks'" in err
    run(capsys, "follow", "four-weeks", "--library", str(lib))
    code, out, _ = run(
        capsys, "report", "--program", "four-weeks", "--format", "json", "--library", str(lib)
    )
    assert code == 0
    data = json.loads(out)
    assert data["program"]["id"] == "four-weeks" and len(data["weeks"]) == 1


def test_an_unreadable_session_is_skipped_by_today_as_everywhere(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with HistoryStore.open(db) as store:
        store.follow("p", date(2026, 11, 2))
        _played(store, "p", datetime(2026, 11, 3, 21, 0, tzinfo=UTC), 1, True)
        _played(store, "p", datetime(2026, 11, 4, 21, 0, tzinfo=UTC), 1, True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE sessions SET status = 'bogus' WHERE id = 2")  # damage, as a bad tool
    conn.execute("UPDATE follows SET start_day = '2026-02-31'")
    conn.close()
    with HistoryStore.open(db, create=False) as store:
        assert store.follows() == []  # a start day that cannot be read
        assert [s.started_at.day for s in store.program_sessions("p")] == [3]


def test_the_programs_benchmark_verdict_fails_above_its_goal() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "programs_bench.py"
    spec = importlib.util.spec_from_file_location("programs_bench", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.verdict({"today": 1.2, "show": 1.5}) == (
        True,
        "ok: every command within 1.5x list",
    )
    assert bench.verdict({"today": 1.51, "show": 1.0}) == (
        False,
        "FAIL: above 1.5x list: today 1.51x",
    )


def test_today_says_when_a_followed_program_is_gone(
    lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "follow", "four-weeks", "--start", "2026-11-02", "--library", str(lib))
    (lib / "four-weeks.yaml").unlink()
    code, out, err = run(capsys, "today", "--json", "--library", str(lib))
    assert (code, json.loads(out)) == (0, [])
    assert "you follow 'four-weeks', which is not in the library or is invalid" in err


def test_a_rating_out_of_range_is_refused() -> None:
    store = HistoryStore.in_memory()
    _played(store, "p", datetime(2026, 11, 3, 21, 0, tzinfo=UTC), 1, True)
    for bad in (11, -1, True, 2.5):
        with pytest.raises(ValueError, match="effort must be a whole number from 0 to 10"):
            store.rate_session(1, effort=bad)  # type: ignore[arg-type]
    store.rate_session(1, pain=3)
    store.rate_session(1, effort=8)  # one at a time: the other is kept
    assert [(s.effort, s.pain) for s in store.program_sessions("p")] == [(8, 3)]
