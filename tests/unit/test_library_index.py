"""The library index: the list's rows kept from a full load, used only while nothing changed."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.catalog import INDEX_FORMAT, LibraryIndex, Listed, index_path, listing
from stretch_coach.routine.library import Library

Writer = Callable[..., Path]

CALF = (
    "title: Calf stretch\ntags: [calf, bedtime]\n"
    "steps:\n  - {name: Calf, hold: 30, sides: [left, right]}\n"
)
WALK = "title: Heel walk\nsteps:\n  - {name: Walk, reps: 20}\n"


@pytest.fixture
def folder(write: Writer, tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    write("calf.yaml", CALF, folder=lib)
    write("walk.yaml", WALK, folder=lib)
    return lib


def folders(*paths: Path) -> list[tuple[Path, str]]:
    return [(p, "library") for p in paths]


def saved(folder: Path, prepare: float | None = None) -> tuple[Library, list[Listed]]:
    """Load ``folder`` as the coach does after a miss, and keep its rows in the index."""
    index = LibraryIndex(folders(folder))
    library = index.load()
    assert index.write(library, prepare)
    return library, listing(library, prepare)


def read(folder: Path, prepare: float | None = None) -> list[Listed] | None:
    return LibraryIndex(folders(folder)).read(prepare)


def test_a_hit_gives_the_rows_of_the_full_load(folder: Path) -> None:
    assert read(folder) is None  # nothing kept yet
    library, rows = saved(folder)
    assert read(folder) == rows
    calf = rows[0]
    assert (calf.id, calf.title, calf.tags, calf.valid) == (
        "calf",
        "Calf stretch",
        ("calf", "bedtime"),
        True,
    )
    assert (calf.total, calf.untimed, calf.problem) == (5 + 30 + 5 + 30, 0, None)
    assert rows[1].untimed == 1
    assert [r.path for r in rows] == [e.path for e in library.entries]
    assert index_path().is_file()
    assert [p.name for p in index_path().parent.iterdir()] == [
        index_path().name
    ]  # no temporary left


def test_a_hit_imports_no_yaml(folder: Path) -> None:
    import subprocess

    saved(folder)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from stretch_coach.catalog import LibraryIndex\n"
        f"rows = LibraryIndex([(Path({str(folder)!r}), 'library')]).read(None)\n"
        "assert rows is not None and len(rows) == 2\n"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('yaml', 'stretch_coach.routine.l'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "[]"


def test_a_changed_time_or_size_is_a_miss(folder: Path) -> None:
    saved(folder)
    calf = folder / "calf.yaml"
    st = calf.stat()
    os.utime(calf, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert read(folder) is None
    saved(folder)
    st = calf.stat()
    calf.write_text(CALF.replace("30", "45"))  # the same size...
    os.utime(
        calf, ns=(st.st_atime_ns, st.st_mtime_ns)
    )  # ...and the same time: the change time tells
    assert calf.stat().st_size == st.st_size
    assert read(folder) is None
    saved(folder)
    calf.write_text(CALF + "# more\n")
    os.utime(calf, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert read(folder) is None


def test_a_file_added_or_removed_is_a_miss(folder: Path, write: Writer) -> None:
    saved(folder)
    write("new.yml", WALK, folder=folder)
    assert read(folder) is None
    saved(folder)
    (folder / "walk.yaml").unlink()
    assert read(folder) is None


def test_other_folders_or_another_prepare_setting_are_a_miss(folder: Path, tmp_path: Path) -> None:
    saved(folder, prepare=None)
    assert read(folder, prepare=10.0) is None
    other = tmp_path / "other"
    other.mkdir()
    assert LibraryIndex(folders(folder, other)).read(None) is None
    assert LibraryIndex([(folder, "user")]).read(None) is None
    _, rows = saved(folder, prepare=10.0)
    assert read(folder, prepare=10.0) == rows
    assert rows[0].total == 10 + 30 + 5 + 30  # the totals are the setting's


def test_an_index_of_another_version_or_format_is_a_miss(folder: Path) -> None:
    saved(folder)
    data = json.loads(index_path().read_text())
    for key, value in (("format", INDEX_FORMAT + 1), ("version", "0.0.0")):
        index_path().write_text(json.dumps({**data, key: value}))
        assert read(folder) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "\x00\xff\xfe",
        "[]",
        "null",
        '{"format": 1}',
        "{corrupt",
    ],
)
def test_a_corrupt_index_is_ignored_and_rebuilt(folder: Path, text: str) -> None:
    _, rows = saved(folder)
    index_path().write_bytes(text.encode("latin-1"))
    assert read(folder) is None
    _, rows = saved(folder)
    assert read(folder) == rows


def test_damaged_rows_are_ignored(folder: Path) -> None:
    saved(folder)
    data = json.loads(index_path().read_text())
    for damage in (
        {"title": 7},
        {"tags": "calf"},
        {"tags": [1]},
        {"problem": [1, 2]},
        {"valid": "yes"},
        {"total": "x"},
        {"untimed": 1.5},
        {"problem": ["f", "1", 1, "k", "m"]},
        {"path": None},
    ):
        index_path().write_text(json.dumps({**data, "rows": [{**data["rows"][0], **damage}]}))
        assert read(folder) is None, damage
    index_path().write_text(json.dumps({**data, "seen": data["seen"][1:]}))  # a file left out
    assert read(folder) is None


def test_an_unwritable_cache_folder_is_harmless(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    index = LibraryIndex(folders(folder), path=blocker / "cache" / "library-index.json")
    library = index.load()
    assert index.write(library, None) is False
    assert index.read(None) is None
    unreadable = LibraryIndex(folders(folder), path=tmp_path)  # a folder, not a file
    assert unreadable.read(None) is None
    assert unreadable.write(library, None) is False
    assert tmp_path.is_dir()


def test_invalid_files_and_duplicate_ids_are_kept_as_the_loader_says(
    folder: Path, write: Writer
) -> None:
    write("broken.yaml", "title: Broken\nsteps:\n  - {name: Calf, hodl: 30}\n", folder=folder)
    write(
        "other-calf.yaml",
        "id: calf\ntitle: Another calf\nsteps: [{name: x, hold: 5}]\n",
        folder=folder,
    )
    write("bad-include.yaml", "title: Bad include\nsteps:\n  - include: nowhere\n", folder=folder)
    write("not-yaml.yml", "title: [unclosed\n", folder=folder)
    library, rows = saved(folder)
    assert read(folder) == rows
    for row, entry in zip(rows, library.entries, strict=True):
        assert (row.path, row.shown, row.id, row.title, row.valid) == (
            entry.path,
            entry.shown,
            entry.id,
            entry.title,
            entry.valid,
        )
        assert row.problem == (entry.problems[0] if entry.problems else None)
    invalid = {row.path.name: row.problem for row in rows if not row.valid}
    assert sorted(invalid) == ["bad-include.yaml", "broken.yaml", "not-yaml.yml", "other-calf.yaml"]
    assert "did you mean 'hold'" in invalid["broken.yaml"].message
    assert "already used by" in invalid["other-calf.yaml"].message
    assert "no routine with id 'nowhere'" in invalid["bad-include.yaml"].message
    assert invalid["broken.yaml"].line == 3


def test_an_included_file_outside_the_list_is_watched_too(write: Writer, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    part = write("parts/warm.yml", "title: Warm\nsteps: [{name: Warm, duration: 30}]\n", folder=lib)
    write("main.yaml", "title: Main\nsteps:\n  - include: parts/warm.yml\n", folder=lib)
    _, rows = saved(lib)
    assert read(lib) == rows
    part.write_text("title: Warm\nsteps: [{name: Warm, duration: 60}]\n")
    assert read(lib) is None


def test_a_cue_sound_is_watched_too(write: Writer, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    sounds = lib / "sounds"
    sounds.mkdir(parents=True)
    (sounds / "bell.wav").write_bytes(b"RIFF")
    write(
        "r.yaml",
        "title: T\ncues: {finish: sounds/bell.wav}\nsteps: [{name: a, hold: 3}]\n",
        folder=lib,
    )
    _, rows = saved(lib)
    assert rows[0].valid and read(lib) == rows
    (sounds / "bell.wav").unlink()  # the routine is now invalid: the index must not say otherwise
    assert read(lib) is None
    assert not listing(Library.from_folders(folders(lib)))[0].valid


@pytest.mark.parametrize(
    ("step", "file"),
    [
        (
            "{name: a, reps: 2, phases: [{say: up, time: 1, sound: sounds/up.wav}, "
            "{say: down, time: 1}]}",
            "sounds/up.wav",
        ),
        ("{name: a, hold: 3, image: sounds/a.png}", "sounds/a.png"),
    ],
)
def test_a_phase_sound_and_a_picture_are_watched_too(
    write: Writer, tmp_path: Path, step: str, file: str
) -> None:
    lib = tmp_path / "lib"
    (lib / "sounds").mkdir(parents=True)
    (lib / "sounds" / "up.wav").write_bytes(b"RIFF")
    (lib / "sounds" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write("r.yaml", f"title: T\nsteps: [{step}]\n", folder=lib)
    _, rows = saved(lib)
    assert rows[0].valid and read(lib) == rows
    (lib / file).unlink()  # the routine is now invalid: the index must not say otherwise
    assert read(lib) is None
