"""LibraryWatch: a few stats say whether a library's files changed since it was read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.catalog import LibraryWatch
from stretch_coach.routine.library import Library

Writer = Callable[..., Path]


@pytest.fixture
def folder(write: Writer, tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    write("calf.yaml", "title: Calf\nsteps:\n  - {name: Lean, hold: 5}\n", folder=lib)
    return lib


def watched(folder: Path) -> tuple[LibraryWatch, Library]:
    folders = [(folder, "library")]
    watch = LibraryWatch(folders)
    library = Library.from_folders(folders)
    watch.depend(library)
    return watch, library


def test_unchanged_files_are_not_a_change(folder: Path) -> None:
    watch, library = watched(folder)
    assert library.folders == ((folder, "library"),)
    assert not watch.changed()
    assert not watch.changed()  # looking changes nothing


def test_a_saved_file_is_a_change(folder: Path) -> None:
    watch, _ = watched(folder)
    path = folder / "calf.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Calf", "Calves"), encoding="utf-8")
    assert watch.changed()


def test_a_file_touched_to_the_same_size_is_a_change(folder: Path) -> None:
    watch, _ = watched(folder)
    path = folder / "calf.yaml"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert watch.changed()


def test_an_added_or_removed_file_is_a_change_in_a_sub_folder_too(
    folder: Path, write: Writer
) -> None:
    (folder / "pack").mkdir()
    watch, _ = watched(folder)
    new = write(
        "toes.yaml", "title: Toes\nsteps:\n  - {name: Curl, hold: 5}\n", folder=folder / "pack"
    )
    assert watch.changed()
    watch, _ = watched(folder)
    new.unlink()
    assert watch.changed()


def test_other_files_in_the_folders_are_no_change(folder: Path) -> None:
    (folder / "notes").mkdir()
    watch, _ = watched(folder)
    (folder / "notes" / "todo.txt").write_text("stretch more", encoding="utf-8")
    assert not watch.changed()


def test_a_sound_a_routine_uses_is_watched(write: Writer, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write("pop.wav", "RIFF", folder=lib)
    write(
        "outer.yaml",
        "title: Outer\ncues: {start: pop.wav}\nsteps:\n  - {name: A, hold: 5}\n",
        folder=lib,
    )
    watch, library = watched(lib)
    assert library.get("outer") is not None
    # Changing a file in place leaves its folder as it was: the sound itself is looked at.
    st = (lib / "pop.wav").stat()
    os.utime(lib / "pop.wav", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert watch.changed()
