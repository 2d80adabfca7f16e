"""Authoring: ``new`` writes a routine that validates, ``watch`` follows saves, ``show --full``."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main

Writer = Callable[..., Path]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_a_commented_routine_that_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", "calf-week-1")
    path = Path(os.environ["STRETCH_COACH_DATA_DIR"]) / "routines" / "calf-week-1.yaml"
    assert code == 0 and out.startswith(f"wrote {path}")
    text = path.read_text()
    assert text.startswith("# A starting routine") and "id:" not in text
    assert "# image: pictures/wall-stretch.png" in text
    assert run(capsys, "validate", str(path))[:2] == (0, "ok: 1 routine valid\n")
    code, out, _ = run(capsys, "show", "calf-week-1")
    assert code == 0 and "Total: 4 min 55 s, plus 1 self-paced step" in out
    # never over a file, never with an id already used
    code, _, err = run(capsys, "new", "calf-week-1")
    assert code == 2 and "already used" in err
    code, _, err = run(capsys, "new", "heel-walking")
    assert code == 2 and "id 'heel-walking' is already used by" in err
    assert run(capsys, "new", "Bad Id")[0] == 2


def test_new_o_names_the_id_when_the_file_name_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "Week 1.yaml"
    assert run(capsys, "new", "week-one", "-o", str(target))[0] == 0
    assert "\nid: week-one\n" in target.read_text()
    assert run(capsys, "validate", str(target))[0] == 0
    before = target.read_text()
    code, _, err = run(capsys, "new", "week-one", "-o", str(target))
    assert code == 2 and target.read_text() == before
    # in the words every command that writes a file uses
    assert err == (
        f"stretch-coach: -o {target}: that is a routine file; "
        "write the new routine to another file\n"
    )


def test_show_full_prints_instructions_and_names_the_rest_between_sets(
    write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        "r.yaml",
        """
        title: R
        steps:
          - name: Heel raises
            instructions: |
              Rise onto your toes.
              Lower slowly.
            reps: 15
            tempo: 4s
            sets: 3
            set_rest: 1m
          - name: Loosen your sheets
        """,
    )
    code, out, _ = run(capsys, "show", str(path), "--full")
    assert code == 0
    assert out.splitlines()[2:6] == [
        "  1. Heel raises - 15 reps, 4 s each, 3 sets, 1 min rest between sets  [5 min 5 s]",
        "       Rise onto your toes.",
        "       Lower slowly.",
        "  2. Loosen your sheets - when you are ready  [self-paced]",
    ]
    code, out, _ = run(capsys, "show", str(path))
    assert "Rise onto your toes." not in out
    assert "3 sets, 1 min rest between sets" in out


def test_image_key_is_checked_like_a_sound(write: Writer, tmp_path: Path) -> None:
    from stretch_coach.routine.errors import RoutineError
    from stretch_coach.routine.loader import load_routine

    (tmp_path / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    (tmp_path / "fake.png").write_text("not a picture")
    cases = {
        "ok.png": None,
        "missing.png": "picture file 'missing.png' not found beside the routine",
        "../x.png": "'../x.png' is outside the routine's folder; keep pictures beside it",
        "/etc/x.png": "'/etc/x.png': give a path relative to the routine file",
        "fake.png": "'fake.png' is not a PNG picture",
        "notes.txt": "'notes.txt': a picture is a .png, .jpg, .jpeg or .svg file",
    }
    for value, message in cases.items():
        path = write("r.yaml", f"title: R\nsteps:\n  - {{name: a, image: '{value}'}}\n")
        if message is None:
            step = load_routine(path).steps[0]
            assert step.image is not None and step.image.path == (tmp_path / value).resolve()
            continue
        with pytest.raises(RoutineError) as caught:
            load_routine(path)
        assert str(caught.value) == f"{path}:3:22: steps[1].image: {message}"


def test_watch_shows_again_on_each_save_and_ctrl_c_ends_it_quietly(
    write: Writer, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    path = write("w.yaml", "title: W\nsteps:\n  - {name: a, hold: 30s}\n")
    proc = subprocess.Popen(
        [*cli_argv, "watch", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env,
    )
    assert proc.stdout is not None and proc.stderr is not None

    def wait_for(text: str) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            seen.append(line)
            if text in line:
                return seen
        raise AssertionError(f"{text!r} never came: {seen}")

    try:
        assert any("Total: 35 s" in line for line in wait_for("Ctrl+C stops"))
        path.write_text("title: W\nsteps:\n  - {name: a, hold: 20s}\n")
        assert any("Total: 25 s" in line for line in wait_for("Ctrl+C stops"))
        path.write_text("title: W\nsteps:\n  - {name: a, hodl: 20s}\n")
        wait_for("Ctrl+C stops")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        err = proc.stderr.read()
        assert err == f"{path}:3:15: steps[1].hodl: unknown key; did you mean 'hold'?\n"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_schema_knows_the_image_key() -> None:
    import jsonschema

    from stretch_coach.routine.spec import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())

    def ok(image: str) -> bool:
        return validator.is_valid({"title": "T", "steps": [{"name": "a", "image": image}]})

    assert ok("pictures/wall.PNG") and ok("a.jpeg") and ok("b.jpg") and ok("c.svg")
    assert not ok("/abs/a.png") and not ok("~/a.png") and not ok("a.gif") and not ok("a.png.txt")
