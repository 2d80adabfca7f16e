"""Issue 11, routine files: no input breaks the loader, and a bad file only marks itself."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.routine import RoutineError, load_routine
from stretch_coach.routine.library import Library
from stretch_coach.routine.model import MAX_SEGMENTS, step_segments
from stretch_coach.routine.spec import MAX_PROBLEMS
from stretch_coach.timeline import build_timeline, segment_count

Writer = Callable[..., Path]
NINES = "9" * 400
SHORT = "99999999999…99999999999"


def problems(path: Path) -> list[str]:
    with pytest.raises(RoutineError) as err:
        load_routine(path)
    return [str(p) for p in err.value.problems]


# -- huge numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (NINES, f"{SHORT} s is longer than the 1 hour limit"),
        (f"'{NINES}s'", f"'{SHORT[:-1]}s' is longer than the 1 hour limit"),
        (f"'{NINES}:00'", "'99999999999…99999999:00' is longer than the 1 hour limit"),
        (f"'{NINES}h'", f"'{SHORT[:-1]}h' is longer than the 1 hour limit"),
        (f"'{NINES}.5 min'", "'99999999999…99999.5 min' is longer than the 1 hour limit"),
    ],
)
def test_a_400_digit_duration_is_too_long_not_an_overflow(
    write: Writer, value: str, message: str
) -> None:
    path = write("r.yaml", f"title: T\nsteps:\n  - name: a\n    hold: {value}\n")
    assert problems(path) == [f"{path}:4:11: steps[1].hold: {message}"]


def test_huge_counts_are_out_of_range_in_a_short_message(write: Writer) -> None:
    path = write("r.yaml", f"title: T\nsteps:\n  - {{name: a, reps: {NINES}, sets: -{NINES}}}\n")
    assert problems(path) == [
        f"{path}:3:21: steps[1].reps: {SHORT} is out of range: use 1 to 500",
        f"{path}:3:429: steps[1].sets: -9999999999…99999999999 is out of range: use 1 to 50",
    ]


def test_a_5000_digit_number_is_refused_at_its_place(write: Writer) -> None:
    path = write("r.yaml", "title: T\nsteps:\n  - {name: a, reps: " + "7" * 5000 + "}\n")
    (found,) = problems(path)
    assert (
        found == f"{path}:3:21: steps[1].reps: '77777777777…77777777777' is far too large a number"
    )


def test_one_bad_file_only_marks_itself(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("good.yaml", "title: Good\nsteps: [{name: a, hold: 30}]\n")
    write("huge.yaml", f"title: Huge\nsteps: [{{name: a, hold: '{NINES}:00'}}]\n")
    write("nul.yaml", 'title: Nul\nsteps: [{name: a, cues: {end: "a\\0.wav"}}]\n')
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in err[:-1]] == [
        "huge.yaml",
        "nul.yaml",
    ]
    assert err[-1] == "2 of 3 routines invalid"
    assert main(["list", "--library", str(tmp_path)]) == 0
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()[:-2]}
    assert (rows["good"], rows["huge"], rows["nul"]) == ("Good", "INVALID", "INVALID")


# -- NUL and control characters in names of other files ----------------------


def test_a_nul_in_a_sound_or_include_path_is_a_located_error(write: Writer) -> None:
    path = write(
        "r.yaml",
        'title: T\nsteps:\n  - {name: a, cues: {end: "x\\0.wav"}}\n  - include: "y\\0.yaml"\n',
    )
    assert problems(path) == [
        f"{path}:3:27: steps[1].cues.end: a sound's name may not hold the control character U+0000",
        f"{path}:4:14: steps[2].include: holds the control character U+0000; remove it "
        "(text may not hold control characters)",
    ]


# -- a timeline too long ------------------------------------------------------


def test_step_segments_is_the_timelines_own_count(make_timeline: Callable[..., object]) -> None:
    timeline = make_timeline(
        """
        title: T
        steps:
          - {name: h, hold: 3, reps: 4, rest: 1, sides: [l, r, c], sets: 3, set_rest: 2}
          - {name: p, reps: 7, tempo: 2, sides: [l, r], sets: 2, set_rest: 2}
          - {name: t, duration: 60, sets: 2, set_rest: 5}
          - {name: c, reps: 5, sides: [l, r]}
          - {name: m}
          - {rest: 5}
        """
    )
    counts = [step_segments(p.step) for p in timeline.steps]  # type: ignore[attr-defined]
    laid = [len(timeline.step_segments(i)) for i in range(6)]  # type: ignore[attr-defined]
    # every pause above is more than 0, so the bound is exact; a rest step's
    # "prepare" is never laid out, and untimed steps have no pauses between sides
    assert laid == [1 + 3 * (3 * 7 + 2) + 2, 1 + 2 * (2 * 7 + 1) + 1, 1 + 2 + 1, 2, 1, 1]
    assert [c - n for c, n in zip(counts, laid, strict=True)] == [0, 0, 0, 2, 1, 1]
    assert segment_count(timeline.steps) == sum(counts)  # type: ignore[attr-defined]


LONG = (
    "title: Long\nsteps:\n  - {name: a, hold: 1}\n"
    "  - {name: b, hold: 1, rest: 1, reps: 500, sets: 50, sides: [%s]}\n"
)


def test_a_routine_too_long_for_its_timeline_is_refused_by_every_command(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sides = ", ".join(f"s{i}" for i in range(3))  # 1 + 50 * (3 * 999 + 2) + 49 = 150,000
    fits = write("fits.yaml", LONG % sides, tmp_path / "ok")
    entry = Library.from_paths([fits]).entries[0]
    assert entry.valid and segment_count(entry.plan) == 2 + 150_000 <= MAX_SEGMENTS
    assert len(build_timeline(entry.plan).segments) == 150_002

    sides = ", ".join(f"s{i}" for i in range(5))  # 250,000: too long
    path = write("long.yaml", LONG % sides)
    message = (
        f"{path}:4:5: steps[2]: makes the routine longer than the {MAX_SEGMENTS} timed parts "
        "a routine may have (holds, repetitions, rests and switches); split it into shorter "
        "routines"
    )
    for argv in (
        ["validate", str(path)],
        ["show", str(path)],
        ["show", "--json", str(path)],
        ["run", "--plain", "--audio", "none", str(path)],
    ):
        assert main(argv) == 2, argv
        assert capsys.readouterr().err.splitlines()[0] == message, argv
    assert main(["list", "--library", str(tmp_path)]) == 0
    rows = [line.split(None, 1) for line in capsys.readouterr().out.splitlines() if line]
    assert ["long", f"INVALID  {message}"] in rows


def test_too_long_through_includes_points_at_the_include(write: Writer, tmp_path: Path) -> None:
    write("part.yaml", "title: P\nsteps:\n  - {name: b, hold: 1, reps: 500, sets: 50}\n")
    path = write("all.yaml", "title: A\nsteps:\n  - include: part.yaml\n    repeat: 5\n")
    entry = Library.from_paths([tmp_path]).get("all")
    assert entry is not None and not entry.valid
    assert [str(p) for p in entry.problems] == [
        f"{path}:3:14: steps[1].include: makes the routine longer than the {MAX_SEGMENTS} "
        "timed parts a routine may have (holds, repetitions, rests and switches); split it "
        "into shorter routines"
    ]


# -- files that are not regular files -------------------------------------------


def _within(seconds: float, fn: Callable[[], object]) -> object:
    """Run ``fn`` on a thread; fail (instead of hanging the suite) if it blocks."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked on a file that is not a regular file"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(write: Writer, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    found = _within(10, lambda: problems(fifo))
    assert found == [f"{fifo}:1:1: is a named pipe (FIFO), not a routine file"]

    sub = tmp_path / "sub"
    sub.mkdir()
    os.mkfifo(sub / "inner.yaml")
    os.mkfifo(sub / "bell.wav")
    main_file = write(
        "main.yaml",
        "title: M\ncues: {end: bell.wav}\nsteps:\n  - include: inner.yaml\n",
        sub,
    )
    library = _within(10, lambda: Library.from_paths([main_file]))
    assert isinstance(library, Library)
    assert [str(p) for p in library.entries[0].problems] == [
        f"{main_file}:2:13: cues.end: 'bell.wav' is not a file; a sound is a .wav file"
    ]
    main_file.write_text("title: M\nsteps:\n  - include: inner.yaml\n", encoding="utf-8")
    library = _within(10, lambda: Library.from_paths([main_file]))
    assert isinstance(library, Library)
    assert [str(p) for p in library.entries[0].problems] == [
        f"{main_file}:3:14: steps[1].include: 'inner.yaml' ({sub}/inner.yaml) is invalid: "
        f"{sub}/inner.yaml:1:1: is a named pipe (FIFO), not a routine file"
    ]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert _within(10, lambda: problems(link)) == [f"{link}:1:1: is a device, not a routine file"]


# -- a 1 MiB file of mistakes ---------------------------------------------------


def _megabyte_of_unknown_keys() -> str:
    lines = ["title: T\nsteps:\n  - name: a\n"]
    size, i = len(lines[0]), 0
    while size < 1024 * 1024 - 64:
        line = f"    key{i}x{i % 97}: {i}\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)


def test_a_megabyte_of_unknown_keys_is_judged_quickly(write: Writer) -> None:
    text = _megabyte_of_unknown_keys()
    path = write("big.yaml", text)
    assert path.stat().st_size <= 1024 * 1024

    found = problems(path)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0] == f"{path}:4:5: steps[1].key0x0: unknown key; expected one of: " + (
        "name, instructions, hold, reps, tempo, duration, sides, sets, rest, set_rest, switch, "
        "prepare, say, prompts, cues, side, phases, image, include, repeat"
    )
    count = text.count("\n") - 3
    assert found[-1] == (
        f"{path}:{count + 3}:5: and {count - MAX_PROBLEMS} more problems not shown; "
        "fix the ones above first"
    )
    # Its speed (about 0.4 s on an idle machine, 5.8 s before) is a benchmark's
    # to judge, not a timed test's: benchmarks/validate_library.py.


# -- control characters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", '"a\\e[2Jb"', "title: holds the control character U+001B (ESC); remove it"),
        ("summary", '"a\\x9b2Jb"', "summary: holds the control character U+009B; remove it"),
        ("author", '"a\\x7fb"', "author: holds the control character U+007F; remove it"),
        ("source", '"a\\x07b"', "source: holds the control character U+0007; remove it"),
        ("title", '"a\\tb"', "title: must be one line of text: it holds a tab"),
        ("title", '"a\\nb"', "title: must be one line of text: it holds a line break"),
        ("description", '"a\\rb"', "description: holds the control character U+000D"),
        ("description", '"a\\x85b"', "description: holds the control character U+0085"),
    ],
)
def test_control_characters_in_text_are_refused(
    write: Writer, field: str, value: str, message: str
) -> None:
    text = f"title: T\n{field}: {value}\nsteps: [{{name: a}}]\n".replace("title: T\ntitle", "title")
    found = problems(write("r.yaml", text))
    assert len(found) == 1 and message in found[0], found


@pytest.mark.parametrize(
    "step",
    [
        '{name: "a\\e]52;c;aGk=\\a"}',
        '{name: a, say: "\\x1b[1A"}',
        '{name: a, hold: 3, sides: [left, "r\\x9dx"]}',
        '{name: a, duration: 9, prompts: [{at: 1, say: "x\\x00"}]}',
        '{include: "a\\x1bb"}',
    ],
)
def test_control_characters_in_step_text_are_refused(write: Writer, step: str) -> None:
    found = problems(write("r.yaml", f"title: T\ntags: [x]\ncaution: [ok]\nsteps:\n  - {step}\n"))
    assert len(found) == 1 and "holds the control character U+00" in found[0], found
    assert "\x1b" not in found[0] and "\x9d" not in found[0]


def test_newline_and_tab_are_kept_in_description_and_instructions(write: Writer) -> None:
    routine = load_routine(
        write(
            "r.yaml",
            'title: T\ndescription: "One.\\n\\tTwo."\nsteps:\n'
            "  - name: a\n    instructions: |\n      Stand.\n      \tLean.\n",
        )
    )
    assert routine.description == "One.\n\tTwo."
    step = routine.steps[0]
    assert step.instructions == "Stand.\n\tLean."  # type: ignore[union-attr]


def test_messages_never_print_a_control_character(write: Writer) -> None:
    path = write("r.yaml", 'title: T\n"k\\e[2J": 1\nsteps: [{name: a}]\n')
    assert problems(path) == [
        f"{path}:2:1: k\\x1b[2J: unknown key; expected one of: "
        + (
            "format, title, id, summary, description, tags, author, source, caution, defaults, "
            "cues, steps, urgent"
        )
    ]


@pytest.mark.parametrize(
    ("data", "where", "what"),
    [
        (b"title: T\nsteps:\n  - name: a\x00b\n", "3:12", "control character U+0000 (NUL)"),
        (b"title: T\n\nsummary: x\x1b[2J\nsteps: []\n", "3:11", "control character U+001B (ESC)"),
        (b"title: T\n# \x7f\nsteps: []\n", "2:3", "control character U+007F (DEL)"),
        (b"title: T\nsteps: [{name: \xc2\x9b}]\n", "2:16", "control character U+009B"),
        (b"title: \xef\xbf\xbe\n", "1:8", "character U+FFFE"),
    ],
)
def test_a_character_yaml_cannot_read_is_reported_where_it_is(
    tmp_path: Path, data: bytes, where: str, what: str
) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(data)
    assert problems(path) == [f"{path}:{where}: {what} is not allowed in a routine file; remove it"]
