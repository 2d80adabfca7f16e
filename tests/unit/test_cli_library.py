"""The library commands as a user runs them: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.routine.library import default_library
from stretch_coach.timeline import step_length

Writer = Callable[..., Path]

EXAMPLE = """
title: Bedtime calf stretch
summary: Lengthen both calves before sleep to ease night cramps.
tags: [bedtime, calf]
caution: [Stop if the stretch causes sharp pain.]
steps:
  - {name: Wall calf stretch, hold: 30s, reps: 2, rest: 10s, sides: [left, right]}
  - {name: Heel raises, reps: 10, tempo: 3s}
  - {name: Loosen your sheets}
"""


@pytest.fixture
def folder(write: Writer, tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    write("example.yaml", EXAMPLE, folder=lib)
    write("broken.yaml", "title: B\nsteps:\n  - {name: x, hodl: 3}\n", folder=lib)
    return lib


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_valid_and_invalid(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--library", str(folder))
    assert code == 0
    lines = {line.split()[0]: " ".join(line.split()[1:]) for line in out.splitlines() if line}
    assert (
        lines["example"]
        == "Bedtime calf stretch (3 min 5 s, plus 1 self-paced step) [bedtime, calf]"
    )
    assert lines["broken"] == (
        f"INVALID {folder / 'broken.yaml'}:3:15: steps[1].hodl: unknown key; did you mean 'hold'?"
    )
    code, out, _ = run(capsys, "list", "--json", "--library", str(folder))
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["example"]["total_seconds"] == 185 and rows["example"]["untimed_steps"] == 1
    assert rows["broken"]["valid"] is False and "did you mean 'hold'" in rows["broken"]["error"]


def test_show_human_and_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "example", "--library", str(folder))
    assert code == 0
    assert (
        "1. Wall calf stretch - hold 30 s x 2, rest 10 s, each side (left, right)  [2 min 30 s]"
        in out
    )
    assert "3. Loosen your sheets - when you are ready  [self-paced]" in out
    assert "Total: 3 min 5 s, plus 1 self-paced step" in out
    code, out, _ = run(capsys, "show", str(folder / "example.yaml"), "--json")
    doc = json.loads(out)
    assert set(doc) >= {"id", "title", "total_seconds", "untimed_steps", "segments", "cues"}
    assert doc["total_seconds"] == 185
    assert doc["segments"][1] == {
        "index": 1,
        "kind": "hold",
        "start": 5.0,
        "duration": 30.0,
        "step": 0,
        "name": "Wall calf stretch",
        "side": "left",
        "side_index": 1,
        "sides": 2,
        "rep": 1,
        "reps": 2,
        "set": 1,
        "sets": 1,
    }
    assert doc["cues"][0] == {
        "event": "prepare",
        "at": 0.0,
        "sound": "beep",
        "segment": 0,
        "step": 0,
        "name": "Wall calf stretch",
        "side": "left",
        "rep": None,
        "set": 1,
        "phase": None,
    }


def test_every_bundled_routine_is_valid_and_totals_match_the_formulas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    library = default_library()
    bundled = [e for e in library.entries if e.origin == "bundled"]
    assert len(bundled) >= 7
    for entry in bundled:
        assert entry.valid, entry.problems
        code, out, _ = run(capsys, "show", entry.id, "--json")
        assert code == 0
        formula = sum(step_length(p) or 0.0 for p in entry.plan)
        assert math.isclose(json.loads(out)["total_seconds"], formula)


def test_validate_exit_codes_and_messages(
    folder: Path, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "validate", str(folder / "example.yaml"))
    assert (code, out.strip(), err) == (0, "ok: 1 routine valid", "")
    code, out, err = run(capsys, "validate", str(folder))
    assert code == 2
    assert err.splitlines() == [
        f"{folder / 'broken.yaml'}:3:15: steps[1].hodl: unknown key; did you mean 'hold'?",
        "1 of 2 routines invalid",
    ]
    code, _, err = run(capsys, "validate", str(folder / "nope.yaml"))
    assert (
        code == 2
        and err.strip() == f"stretch-coach: {folder / 'nope.yaml'}: no such file or folder"
    )


def test_validate_names_programs_as_programs(
    folder: Path, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The trial: a program file with an error was "1 of 1 routine invalid".
    plan = write(
        "plan.yaml",
        "title: Plan\nprogram:\n  stages:\n    - {weeks: 1, routine: example, wekly: 3}\n",
        folder=folder.parent / "programs",
    )
    code, _, err = run(capsys, "validate", str(plan))
    assert code == 2
    assert err.splitlines()[-1] == "1 of 1 program invalid"
    code, _, err = run(capsys, "validate", str(plan), str(folder / "example.yaml"))
    assert code == 2 and err.splitlines()[-1] == "1 of 2 files invalid"
    code, _, err = run(capsys, "validate", str(folder / "broken.yaml"))
    assert code == 2 and err.splitlines()[-1] == "1 of 1 routine invalid"


def test_show_unknown_and_invalid(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", "exampel", "--library", str(folder))
    assert code == 2
    assert err.strip() == (
        "stretch-coach: no routine 'exampel' in the library; did you mean 'example'? "
        "'stretch-coach list' shows them all"
    )
    code, _, err = run(capsys, "show", "broken", "--library", str(folder))
    assert code == 2 and err.strip().endswith("steps[1].hodl: unknown key; did you mean 'hold'?")
    code, _, err = run(capsys, "list", "--library", str(folder / "missing"))
    assert code == 2 and "--library" in err and "no such folder" in err


@pytest.mark.parametrize(
    "text",
    ["!!python/object/apply:os.system ['touch pwned']\n", "a: [\n", "title: T\nsteps: 3\n", "\xff"],
)
def test_bad_files_never_give_a_traceback(text: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="latin-1")
    proc = subprocess.run(
        [sys.executable, "-m", "stretch_coach", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith(f"{bad}:")
    assert not (tmp_path / "pwned").exists()


def test_list_does_not_import_textual(folder: Path) -> None:
    code = (
        "import sys; from stretch_coach.cli import main; "
        f"main(['list', '--library', {str(folder)!r}]); "
        "assert 'textual' not in sys.modules, 'textual was imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_the_coach_without_a_command_takes_audio_and_voice_options() -> None:
    from stretch_coach.cli import build_parser

    parser = build_parser()
    bare = parser.parse_args(["--audio", "none", "--no-voice"])
    assert (bare.handler, bare.audio, bare.no_voice) == (None, "none", True)
    run = parser.parse_args(["run", "x", "--audio", "bell"])
    assert run.audio == "bell" and not hasattr(run, "no_voice")  # the CLI fills in False
    assert not hasattr(parser.parse_args([]), "audio")  # the settings decide


def test_audio_and_voice_given_before_run_are_not_undone_by_run_s_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `run` has its own --audio and --no-voice; its defaults used to overwrite
    # the ones given before it, so `--audio none run X` played with sound.
    from stretch_coach import cli
    from stretch_coach.commands import run as run_module

    seen: list[tuple[object, object]] = []
    monkeypatch.setattr(run_module, "open_tui", lambda a, r: seen.append((a.audio, a.no_voice)))
    for argv in (
        ["--audio", "none", "--no-voice", "run", "x"],
        ["run", "x", "--audio", "none", "--no-voice"],
    ):
        assert cli.main(argv) == 0
    assert cli.main(["run", "x"]) == 0
    assert seen == [("none", True), ("none", True), (None, False)]


@pytest.mark.parametrize(
    ("argv", "library", "audio"),
    [([], [], None), (["--library", "/x"], ["/x"], None), (["--audio", "bell"], [], "bell")],
)
def test_the_coach_opens_with_or_without_options(
    argv: list[str], library: list[str], audio: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stretch_coach.commands import run

    opened: list[tuple[object, str | None]] = []
    monkeypatch.setattr(run, "open_tui", lambda args, routine: opened.append((args, routine)) or 0)
    assert main(argv) == 0
    ((args, routine),) = opened
    assert routine is None and args.library == library
    assert getattr(args, "audio", None) == audio and not getattr(args, "no_voice", False)


def test_the_coach_alone_does_not_import_argparse() -> None:
    """``stretch-coach`` with no arguments is the start people wait for: it parses nothing."""
    code = (
        "import sys; from stretch_coach import cli; from stretch_coach.commands import run; "
        "run.open_tui = lambda args, routine: 0; cli.main([]); "
        "assert 'argparse' not in sys.modules, 'argparse was imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_validate_warns_where_the_voice_has_no_room_to_name_a_step(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        "tight.yaml",
        "title: Tight\nsteps:\n  - name: One\n    hold: 10s\n"
        "  - name: Calf self-massage with both hands\n    hold: 20s\n",
        folder=tmp_path / "lib",
    )
    code, out, err = run(capsys, "validate", str(path))
    assert (code, out.strip()) == (0, "ok: 1 routine valid")  # a warning, not an error
    assert err.splitlines() == [
        f"{path}:5: warning: step 'Calf self-massage with both hands': no silence long "
        "enough (2.6 s) to say 'Calf self-massage with both hands' before it starts, so it "
        "is said after the step starts; give it a longer prepare, or a rest before it"
    ]


@pytest.mark.parametrize(
    ("asked", "hint"),
    [
        ("bedtime", "did you mean 'bedtime-calf-stretch'? "),  # the one id it begins
        ("walking", "did you mean 'heel-walking'? "),  # the one id that holds it
        (
            "calf",
            "did you mean one of bedtime-calf-stretch, step-calf-stretch, wall-calf-stretch? ",
        ),
        ("heel-walkng", "did you mean 'heel-walking'? "),  # a slip of the finger
        ("xyzzy", ""),
    ],
)
def test_a_routine_named_in_part_is_suggested(
    capsys: pytest.CaptureFixture[str], asked: str, hint: str
) -> None:
    code, _, err = run(capsys, "show", asked)
    assert code == 2
    assert err.strip() == (
        f"stretch-coach: no routine {asked!r} in the library; {hint}"
        "'stretch-coach list' shows them all"
    )
