"""A program's stage names its routine: each way of naming one wrongly is one located line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stretch_coach.routine.library import Library

WALL = """title: Wall calf stretch
steps:
  - name: Wall calf stretch
    hold: 30s
"""


def _program(routine: str) -> str:
    return f"title: P\nprogram:\n  stages:\n    - weeks: 1\n      routine: {routine}\n"


@pytest.mark.parametrize(
    ("routine", "problem"),
    [
        ("wal", "no routine with id 'wal' in the library; did you mean 'wall'?"),
        ("zzz", "no routine with id 'zzz' in the library"),
        ("../x.yaml", "'../x.yaml' is outside this program's folder; keep its routines beside it"),
        ("missing.yaml", "no routine file 'missing.yaml' beside this program"),
        (
            "broken",
            "'broken' is invalid: {d}/broken.yaml:2:8: steps: expected a list of steps, "
            "got the number 3",
        ),
        ("other", "'other' is a program; a stage names a routine"),
    ],
)
def test_a_stage_naming_no_usable_routine_is_one_located_line(
    tmp_path: Path, routine: str, problem: str
) -> None:
    (tmp_path / "wall.yaml").write_text(WALL, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("title: B\nsteps: 3\n", encoding="utf-8")
    (tmp_path / "other.yaml").write_text(_program("wall"), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(_program(routine), encoding="utf-8")
    entry = Library.from_folders([(tmp_path, "library")]).get_program("p")
    assert entry is not None
    assert not entry.valid
    assert [str(p) for p in entry.problems] == [
        f"{tmp_path}/p.yaml:5:16: program.stages[1].routine: " + problem.format(d=tmp_path)
    ]


def test_a_routine_file_beside_the_program_is_used(tmp_path: Path) -> None:
    (tmp_path / "wall.yaml").write_text(WALL, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(_program("./wall.yaml"), encoding="utf-8")
    entry = Library.from_folders([(tmp_path, "library")]).get_program("p")
    assert entry is not None and entry.valid
    assert entry.problems == ()
    assert len(entry.stages) == 1
