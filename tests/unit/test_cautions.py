"""Cautions through includes: a routine's own, then its includes', each line once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.routine import RoutineError
from stretch_coach.routine.library import Library, cautions_of

Writer = Callable[..., Path]


def lib(folder: Path) -> Library:
    return Library.from_folders([(folder, "library")])


@pytest.fixture
def folder(write: Writer, tmp_path: Path) -> Path:
    lib_dir = tmp_path / "lib"
    write(
        "step.yaml",
        """
        title: Step
        caution:
          - Stop if it hurts.
          - Hold a rail.
        steps:
          - {name: Drops, hold: 5}
        """,
        folder=lib_dir,
    )
    write(
        "walk.yaml",
        """
        title: Walk
        caution:
          - "Stop   if it  hurts."
          - Touch a wall.
        steps:
          - include: step
          - {name: Walk, reps: 20}
        """,
        folder=lib_dir,
    )
    write(
        "outer.yaml",
        """
        title: Outer
        caution: [See a doctor if it lasts.]
        steps:
          - include: walk
          - include: step
            repeat: 2
          - {name: Own, hold: 10}
        """,
        folder=lib_dir,
    )
    write("plain.yaml", "title: Plain\nsteps:\n  - {name: A, hold: 5}\n", folder=lib_dir)
    return lib_dir


def test_own_lines_first_then_includes_in_step_order_recursively_each_once(
    folder: Path,
) -> None:
    library = lib(folder)
    assert cautions_of(library.find("outer")) == (
        "See a doctor if it lasts.",
        "Stop   if it  hurts.",  # walk's own wording: step's "Stop if it hurts." is the same line
        "Touch a wall.",
        "Hold a rail.",  # from step, through walk; step's second include adds nothing
    )
    assert cautions_of(library.find("step")) == ("Stop if it hurts.", "Hold a rail.")


def test_without_the_includers_own_line_the_included_wording_shows(folder: Path) -> None:
    (folder / "walk.yaml").write_text(
        "title: Walk\nsteps:\n  - include: step\n  - {name: Walk, reps: 20}\n", encoding="utf-8"
    )
    # Now step's wording comes first; walk's own is gone.
    assert cautions_of(lib(folder).find("outer")) == (
        "See a doctor if it lasts.",
        "Stop if it hurts.",
        "Hold a rail.",
    )


def test_a_routine_without_cautions_or_includes_has_none(folder: Path) -> None:
    assert cautions_of(lib(folder).find("plain")) == ()


def test_a_routine_that_includes_a_bundled_one_keeps_its_cautions(
    write: Writer, tmp_path: Path
) -> None:
    from stretch_coach.routine.library import default_library

    mine = tmp_path / "mine"
    write(
        "evening.yaml",
        "title: Evening\ncaution: [My own line.]\nsteps:\n  - include: step-calf-stretch\n",
        folder=mine,
    )
    library = Library.from_folders([(mine, "library")], fallback=default_library())
    bundled = cautions_of(default_library().find("step-calf-stretch"))
    assert cautions_of(library.find("evening")) == ("My own line.", *bundled)


def test_an_invalid_routine_has_no_cautions_to_give(write: Writer, tmp_path: Path) -> None:
    write("bad.yaml", "title: Bad\ncaution: [x]\nsteps:\n  - include: nowhere\n")
    library = lib(tmp_path)
    entry = library.get("bad")
    assert entry is not None and not entry.valid
    with pytest.raises(RoutineError):
        cautions_of(entry)


def test_show_lists_every_caution_in_text_and_json(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "outer", "--library", str(folder), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cautions"] == [
        "See a doctor if it lasts.",
        "Stop   if it  hurts.",
        "Touch a wall.",
        "Hold a rail.",
    ]
    assert doc["urgent"] is False
    assert main(["show", "outer", "--library", str(folder)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "Caution:" in line]
    assert lines == [
        "  Caution: See a doctor if it lasts.",
        "  Caution: Stop   if it  hurts.",
        "  Caution: Touch a wall.",
        "  Caution: Hold a rail.",
    ]
