"""Lint works from the places the loader kept: no file read or parsed a second time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.routine import lint as lint_module
from stretch_coach.routine.library import Library
from stretch_coach.routine.lint import lint_routine
from stretch_coach.routine.model import Places, Routine

Writer = Callable[..., Path]

IDLE = """
title: Idle keys
cues:
  start: go.wav
steps:
  - name: Wall stretch
    hold: 30s
    set_rest: 20s
    switch: 3s
  - rest: 20s
    prepare: 5s
"""


def loaded(path: Path) -> tuple[Routine, str]:
    (path.parent / "go.wav").write_bytes(b"not a WAV")  # warned about: not RIFF/WAVE
    entry = Library.from_paths([path]).find(str(path))
    assert entry.routine is not None
    return entry.routine, entry.shown


def where(routine: Routine, shown: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.key) for p in lint_routine(routine, shown)]


EXPECTED = [
    (3, 10, "cues.start"),
    (7, 5, "steps[1].set_rest"),
    (8, 5, "steps[1].switch"),
    (10, 5, "steps[2].prepare"),
]


def test_the_loader_keeps_the_places_lint_needs(write: Writer) -> None:
    routine, _ = loaded(write("idle.yaml", IDLE))
    assert routine.places == Places(
        title=(1, 8),
        step_keys=(
            (0, {"set_rest": (7, 5), "switch": (8, 5)}),
            (1, {"rest": (9, 5), "prepare": (10, 5)}),
        ),
        sounds=(((3, 10), "cues.start", "go.wav"),),
    )


def test_lint_neither_reads_nor_parses_the_file_again(
    write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("idle.yaml", IDLE)
    routine, shown = loaded(path)

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("lint read the file again")

    monkeypatch.setattr(lint_module, "read_yaml", never)
    monkeypatch.setattr(lint_module, "read_regular_file", never)
    path.write_text("title: changed since\nsteps:\n  - name: Rub\n", encoding="utf-8")
    assert where(routine, shown) == EXPECTED


def test_a_routine_without_places_is_linted_from_its_file(write: Writer) -> None:
    routine, shown = loaded(write("idle.yaml", IDLE))
    bare = dataclasses.replace(routine, places=None)
    assert where(bare, shown) == EXPECTED
    bare.path.unlink()  # type: ignore[union-attr]
    assert lint_routine(bare, shown) == []  # gone since: the next validate says so
