"""Finding and naming a library's files: the same answers as os.walk and os.path.realpath.

The library lists a folder by its own listing (no stat a file) and resolves
each file's folder once; these pin those shortcuts to what the plain calls say.
And a library, once dropped, is freed at once: it holds no reference cycle.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stretch_coach.routine.folders import ROUTINE_SUFFIXES, routine_files
from stretch_coach.routine.library import Library

ROUTINE = "title: T\nsteps: [{name: a}]\n"
ROOT = Path(__file__).resolve().parents[2]


def _walked(folder: Path) -> list[Path]:
    """What routine_files found with os.walk and a stat of each file."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(root)
        found.extend(
            base / name
            for name in files
            if Path(name).suffix.lower() in ROUTINE_SUFFIXES
            and not name.startswith(".")
            and (base / name).is_file()
        )
    return sorted(found)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    top = tmp_path / "lib"
    names = [
        "a.yaml", "b.YML", "c.txt", ".hidden.yaml", "sub/d.yaml", "sub/deeper/e.yml",
        ".git/f.yaml", "x.yaml.bak", "y.yaml.", "z..yaml", "folder.yaml/in.yaml",
    ]  # fmt: skip
    for name in names:
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(ROUTINE, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "o.yaml").write_text(ROUTINE, encoding="utf-8")
    (top / "linked-folder").symlink_to(elsewhere)
    (top / "linked.yaml").symlink_to(elsewhere / "o.yaml")
    (top / "broken.yaml").symlink_to(elsewhere / "missing.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(top / "pipe.yaml")
    return top


def test_routine_files_finds_what_os_walk_finds(tree: Path) -> None:
    found = routine_files(tree)
    assert found == _walked(tree)
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "a.yaml",
        "b.YML",
        "folder.yaml/in.yaml",
        "linked.yaml",
        "sub/d.yaml",
        "sub/deeper/e.yml",
        "z..yaml",
    ]


def test_routine_files_of_no_folder_is_empty(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ROUTINE, encoding="utf-8")
    assert routine_files(tmp_path / "missing") == []
    assert routine_files(tmp_path / "a.yaml") == []


def test_each_file_resolves_as_realpath_says(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library([])
    monkeypatch.chdir(tmp_path)
    paths = [
        *routine_files(tree),
        tree / "broken.yaml",
        tree / "missing.yaml",
        tree / "linked-folder" / "o.yaml",
        tree / "sub" / ".." / "a.yaml",
        Path("lib/sub/d.yaml"),
        Path("loose.yaml"),
        Path("lib/linked-folder/../a.yaml"),
        tree / "sub",
        Path("/"),
    ]
    for path in paths:
        assert library._resolved(path) == Path(os.path.realpath(path)), path


def test_one_file_reached_two_ways_is_one_entry(tree: Path) -> None:
    library = Library.from_paths([tree / "linked.yaml", tree / "linked-folder"])
    assert [e.path for e in library.entries] == [tree / "linked.yaml"]


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@pytest.mark.usefixtures("collector_off")
def test_a_dropped_library_leaves_nothing_for_the_garbage_collector() -> None:
    # Bundled routines (includes, cautions through includes, programs) and the
    # fuzz corpus (a refusal of every kind): a cycle anywhere would keep the
    # whole library until a collection, and make every collection walk it.
    library = Library.from_paths([ROOT / "routines", ROOT / "tests" / "fuzz_corpus"])
    assert sum(e.valid for e in library.entries) >= 9 and library.programs
    assert sum(not e.valid for e in library.entries) >= 20
    del library
    assert gc.collect() == 0
