"""Lint warnings: what a valid routine says that will not do what its author meant.

Each is located (file:line:col), printed by ``validate`` on standard error,
and leaves the exit code 0.
"""

from __future__ import annotations

import array
import math
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.errors import Problem
from stretch_coach.routine.library import Library
from stretch_coach.routine.lint import (
    MAX_TITLE,
    lint_routine,
    peak_dbfs,
    side_near_miss,
    sound_problem,
)

Writer = Callable[..., Path]


def lint(path: Path) -> list[Problem]:
    entry = Library.from_paths([path]).find(str(path))
    assert entry.routine is not None
    return lint_routine(entry.routine, entry.shown)


def where(problems: list[Problem]) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.key) for p in problems]


def write_wav(path: Path, samples: list[int], width: int = 2, rate: int = 8000) -> Path:
    """A mono PCM WAV of ``samples`` (signed; 8-bit ones are stored unsigned, as WAV does)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        if width == 1:
            out.writeframes(bytes(s + 128 for s in samples))
        elif width == 3:
            out.writeframes(b"".join(s.to_bytes(3, "little", signed=True) for s in samples))
        else:
            out.writeframes(array.array("h" if width == 2 else "i", samples).tobytes())
    return path


def tone(amplitude: int, n: int = 800) -> list[int]:
    return [round(amplitude * math.sin(2 * math.pi * 440 * i / 8000)) for i in range(n)]


# -- keys that do nothing -------------------------------------------------------------


def test_keys_that_do_nothing_are_each_located(write: Writer) -> None:
    path = write(
        "idle.yaml",
        """
        title: Idle keys
        steps:
          - name: Wall stretch
            hold: 30s
            set_rest: 20s
            rest: 10s
            switch: 3s
          - name: Rub the muscle
            prepare: 3s
          - name: Heel raises
            reps: 10
            prepare: 2s
            sets: 2
            set_rest: 30s
          - rest: 20s
            prepare: 5s
        """,
    )
    problems = lint(path)
    assert where(problems) == [
        (5, 5, "steps[1].set_rest"),
        (6, 5, "steps[1].rest"),
        (7, 5, "steps[1].switch"),
        (9, 5, "steps[2].prepare"),
        (12, 5, "steps[3].prepare"),
        (14, 5, "steps[3].set_rest"),
        (16, 5, "steps[4].prepare"),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == (
        "does nothing here (one set): it is the rest between sets; "
        "remove it, or give 'sets: 2' or more"
    )
    assert messages[2].startswith("does nothing here (one side):")
    assert messages[3] == (
        "does nothing on a self-paced step: the get-ready comes before holds, paced reps "
        "and timed activities only; remove it"
    )
    assert messages[5].startswith("does nothing here (a self-paced step has no timed rests)")
    assert messages[6].startswith("does nothing on a rest step:")


def test_keys_that_do_something_are_not_warned_about(write: Writer) -> None:
    path = write(
        "busy.yaml",
        """
        title: Busy keys
        steps:
          - name: Wall stretch
            hold: 30s
            reps: 2
            rest: 10s
            sides: [left, right]
            switch: 3s
            prepare: 2s
          - name: Heel raises
            reps: 10
            tempo: 2s
            sets: 2
            set_rest: 30s
          - name: March
            duration: 1m
            sets: 3
            rest: 15s
        """,
    )
    assert lint(path) == []


def test_a_title_over_80_characters(write: Writer) -> None:
    long = "A" * (MAX_TITLE + 1)
    path = write("long.yaml", f"title: {long}\nsteps:\n  - {{name: One, hold: 5}}\n")
    (problem,) = lint(path)
    assert (problem.line, problem.column, problem.key) == (1, 8, "title")
    assert problem.message.startswith("81 characters;")
    short = write("short.yaml", f"title: {'A' * MAX_TITLE}\nsteps:\n  - {{name: One, hold: 5}}\n")
    assert lint(short) == []


# -- sounds -----------------------------------------------------------------------------


CUES = """
title: Own sounds
cues:
  start: {start}
steps:
  - name: Hold
    hold: 5
    cues:
      end: {end}
"""


def test_a_wav_that_is_not_a_wav_and_one_that_cannot_be_heard(
    write: Writer, tmp_path: Path
) -> None:
    (tmp_path / "fake.wav").write_bytes(b"ID3\x03\x00 an mp3 under a .wav name")
    write_wav(tmp_path / "silent.wav", [0] * 800)
    path = write("cues.yaml", CUES.format(start="fake.wav", end="silent.wav"))
    problems = lint(path)
    assert where(problems) == [(3, 10, "cues.start"), (8, 12, "steps[1].cues.end")]
    assert problems[0].message == (
        "'fake.wav' is not a WAV file (it does not start with a RIFF/WAVE header); "
        "export it from a sound editor as WAV, 16-bit PCM"
    )
    assert problems[1].message == (
        "'silent.wav' is silent (every sample is zero); use a cue that can be heard"
    )


def test_a_sound_named_twice_is_warned_about_once_where_first_named(
    write: Writer, tmp_path: Path
) -> None:
    write_wav(tmp_path / "quiet.wav", tone(100))  # about -50 dBFS
    path = write("twice.yaml", CUES.format(start="quiet.wav", end="quiet.wav"))
    (problem,) = lint(path)
    assert (problem.line, problem.key) == (3, "cues.start")
    assert problem.message == (
        "'quiet.wav' is too quiet to hear (its loudest sample is 50 dB below full scale; "
        "a cue needs to come within 40 dB of it); make it louder"
    )


def test_a_phase_sound_is_looked_at_too(write: Writer, tmp_path: Path) -> None:
    write_wav(tmp_path / "empty.wav", [])
    path = write(
        "phases.yaml",
        """
        title: Drops
        steps:
          - name: Heel drops
            reps: 5
            phases:
              - {say: lift, time: 1s}
              - {say: lower, time: 3s, sound: empty.wav}
        """,
    )
    (problem,) = lint(path)
    assert problem.key == "steps[1].phases[2].sound"
    assert problem.line == 7
    assert problem.message == "'empty.wav' holds no sound (no samples); use a cue that can be heard"


def test_loud_sounds_of_every_sample_width_are_fine(tmp_path: Path) -> None:
    for width, amplitude in ((1, 100), (2, 20000), (3, 4_000_000), (4, 1_000_000_000)):
        path = write_wav(tmp_path / f"loud{width}.wav", tone(amplitude), width=width)
        assert sound_problem(path) is None, width


def test_silence_of_every_sample_width_is_found(tmp_path: Path) -> None:
    for width in (1, 2, 3, 4):
        path = write_wav(tmp_path / f"silent{width}.wav", [0] * 400, width=width)
        assert sound_problem(path) == (
            "is silent (every sample is zero); use a cue that can be heard"
        ), width


def test_peak_levels() -> None:
    assert peak_dbfs(array.array("h", [0, 16384, -100]).tobytes(), 2) == pytest.approx(-6.02, 0.01)
    assert peak_dbfs(array.array("h", [0, -32768]).tobytes(), 2) == 0.0
    assert peak_dbfs(bytes([128, 128, 192]), 1) == pytest.approx(-6.02, 0.01)
    assert peak_dbfs(array.array("h", [0, 0]).tobytes(), 2) is None


def test_a_riff_file_that_wave_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x03\x00")  # cut short
    message = sound_problem(path)
    assert message is not None
    assert message.startswith("cannot be read as a WAV file (")
    assert message.endswith("); save it as WAV, 16-bit PCM")


# -- side labels -------------------------------------------------------------------------


def test_a_misspelt_side_is_valid_but_warned_about_where_it_is_written(
    write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The format takes any labels ("a list of 2+ distinct labels"): the file loads,
    # and validate says where the near miss is and what was likely meant.
    path = write(
        "sides.yaml",
        """
        title: Sides
        steps:
          - name: Calf stretch
            hold: 30s
            side: rigth
          - name: Hamstring stretch
            hold: 30s
            sides: [left, rigth]
          - name: Quad stretch
            hold: 30s
            sides:
              - Lfet leg
              - Right leg
        """,
    )
    problems = lint(path)
    assert where(problems) == [
        (5, 11, "steps[1].side"),
        (8, 19, "steps[2].sides[2]"),
        (12, 9, "steps[3].sides[1]"),
    ]
    assert problems[0].message == (
        "'rigth' is not a side's usual name: did you mean 'right'? "
        "(it is shown, printed on the handout and spoken as written)"
    )
    assert "did you mean 'Left leg'?" in problems[2].message
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 1 routine valid\n"
    assert (
        f"{path}:8:19: warning: steps[2].sides[2]: 'rigth' is not a side's usual name: "
        "did you mean 'right'? (it is shown, printed on the handout and spoken as written)"
    ) in err.splitlines()


@pytest.mark.parametrize(
    ("label", "meant"),
    [
        ("rigth", "right"),
        ("rihgt", "right"),
        ("lfet", "left"),
        ("lef", "left"),
        ("RIGTH", "RIGHT"),
        ("rigth arm", "right arm"),
        ("left", None),
        ("Right leg", None),
        ("leg", None),  # a short word is no near miss of "left"
        ("front", None),
        ("inner", None),
        ("first", None),
        ("links", None),  # another language's side names are fine as written
        ("gauche", None),
    ],
)
def test_near_misses_of_left_and_right(label: str, meant: str | None) -> None:
    assert side_near_miss(label) == meant


# -- validate ---------------------------------------------------------------------------


def test_validate_prints_each_warning_located_and_exits_0(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fake.wav").write_bytes(b"not a wav at all")
    path = write(
        "warned.yaml",
        """
        title: Warned
        cues: {start: fake.wav}
        steps:
          - name: Rub the muscle
            prepare: 3s
        """,
    )
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 1 routine valid\n"
    assert err.splitlines() == [
        f"{path}:2:15: warning: cues.start: 'fake.wav' is not a WAV file (it does not start "
        "with a RIFF/WAVE header); export it from a sound editor as WAV, 16-bit PCM",
        f"{path}:5:5: warning: steps[1].prepare: does nothing on a self-paced step: the "
        "get-ready comes before holds, paced reps and timed activities only; remove it",
    ]


def test_an_invalid_file_has_problems_and_no_warnings(
    write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("bad.yaml", "title: Bad\nsteps:\n  - name: Rub\n    prepare: 3s\n    hodl: 5\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "warning" not in err and "hodl" in err


def test_the_bundled_routines_have_no_warnings() -> None:
    library = Library.from_folders([(bundled_routines_dir(), "bundled")])
    assert library.entries
    for entry in library.entries:
        assert entry.routine is not None, entry.problems
        assert lint_routine(entry.routine, entry.shown) == [], entry.shown


def test_validate_warns_of_nothing_in_the_bundled_routines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Lint and the voice's room alike: every step we ship is named before it starts."""
    assert main(["validate", str(bundled_routines_dir())]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("ok: ") and "routines" in out


def test_watch_shows_the_warnings_with_each_save(
    write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from stretch_coach.commands.practitioner import _show_once

    path = write("w.yaml", "title: W\nsteps:\n  - {name: Rub, prepare: 3s}\n")
    args = argparse.Namespace(full=False, library=[])
    _show_once(args, path)
    out, err = capsys.readouterr()
    assert "Rub" in out
    assert err.splitlines() == [
        f"{path}:3:17: warning: steps[1].prepare: does nothing on a self-paced step: the "
        "get-ready comes before holds, paced reps and timed activities only; remove it"
    ]
    path.write_text("title: W\nsteps:\n  - {name: Rub}\n", encoding="utf-8")
    _show_once(args, path)
    assert capsys.readouterr().err == ""
