"""The library: folders, ids, includes, cycles and cue layering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.errors import UserError
from stretch_coach.routine import RoutineError
from stretch_coach.routine.library import Library, default_library, library_folders
from stretch_coach.timeline import timeline_for

Writer = Callable[..., Path]


def lib(folder: Path) -> Library:
    return Library.from_folders([(folder, "library")])


def test_include_by_id_and_repeat_keeps_the_included_defaults(
    write: Writer, tmp_path: Path
) -> None:
    write("calf.yaml", "title: Calf\ndefaults: {prepare: 2}\nsteps:\n  - {name: Calf, hold: 10}\n")
    write(
        "main.yaml",
        "title: Main\ndefaults: {prepare: 9}\nsteps:\n  - include: calf\n    repeat: 2\n"
        "  - {name: Own, hold: 10}\n",
    )
    entry = lib(tmp_path).find("main")
    assert [(p.name, p.step.prepare, p.routine_id) for p in entry.plan] == [
        ("Calf", 2, "calf"),
        ("Calf", 2, "calf"),
        ("Own", 9, "main"),
    ]
    assert timeline_for(entry).total == 12 + 12 + 19


def test_include_by_relative_path(write: Writer, tmp_path: Path) -> None:
    write("parts/warm.yml", "title: Warm\nsteps: [{name: Warm, duration: 30}]\n")
    write("main.yaml", "title: Main\nsteps:\n  - include: parts/warm.yml\n")
    assert [p.name for p in lib(tmp_path).find("main").plan] == ["Warm"]


def test_include_path_may_not_leave_the_folder(write: Writer, tmp_path: Path) -> None:
    write("outside.yaml", "title: Out\nsteps: [{name: x}]\n")
    inner = tmp_path / "inner"
    write("main.yaml", "title: Main\nsteps:\n  - include: ../outside.yaml\n", folder=inner)
    entry = lib(inner).entries[0]
    assert not entry.valid
    assert str(entry.problems[0]).endswith(
        "main.yaml:3:14: steps[1].include: '../outside.yaml' is outside this routine's folder; "
        "keep included files beside it"
    )


def test_cycles_are_refused_with_the_chain(write: Writer, tmp_path: Path) -> None:
    write("a.yaml", "title: A\nsteps:\n  - include: b\n")
    write("b.yaml", "title: B\nsteps:\n  - include: a\n")
    write("self.yaml", "title: S\nsteps:\n  - {name: x}\n  - include: self\n")
    library = lib(tmp_path)
    a, b, me = library.entries
    assert str(a.problems[0]).endswith(
        "a.yaml:3:14: steps[1].include: includes form a cycle: a -> b -> a"
    )
    assert str(b.problems[0]).endswith(
        "b.yaml:3:14: steps[1].include: includes form a cycle: b -> a -> b"
    )
    assert not b.valid
    assert "steps[2].include: includes form a cycle: self -> self" in str(me.problems[0])


def test_missing_and_invalid_includes(write: Writer, tmp_path: Path) -> None:
    write("broken.yaml", "title: B\nsteps: [{name: x, hold: -1}]\n")
    write("main.yaml", "title: M\nsteps:\n  - include: brokn\n  - include: broken\n")
    entry = lib(tmp_path).entries[1]
    messages = [str(p) for p in entry.problems]
    assert "no routine with id 'brokn' in the library; did you mean 'broken'?" in messages[0]
    assert "'broken' (" in messages[1] and "is invalid" in messages[1]


def test_runaway_expansion_is_refused(write: Writer, tmp_path: Path) -> None:
    write("l0.yaml", "title: L\nsteps: [{name: x, hold: 1}]\n")
    for i in range(1, 5):
        write(f"l{i}.yaml", f"title: L\nsteps:\n  - include: l{i - 1}\n    repeat: 50\n")
    entry = lib(tmp_path).entries[-1]
    assert "expands to" in str(entry.problems[0]) and "the most a routine may have is 5000" in str(
        entry.problems[0]
    )


def test_cue_sounds_layer_from_step_to_includers(write: Writer, tmp_path: Path) -> None:
    write(
        "inner.yaml",
        "title: I\ncues: {start: beep}\nsteps:\n  - {name: a, hold: 5, cues: {end: none}}\n"
        "  - {name: b, hold: 5}\n",
    )
    write(
        "outer.yaml",
        "title: O\ncues: {start: chime, end: tick, countdown: none}\n"
        "steps:\n  - include: inner\n  - {name: c, hold: 5}\n",
    )
    plan = lib(tmp_path).find("outer").plan
    got = [
        (
            p.name,
            str(p.sounds["start"]),
            str(p.sounds["end"]),
            str(p.sounds["countdown"]),
            str(p.sounds["prepare"]),
        )
        for p in plan
    ]
    assert got == [
        ("a", "beep", "none", "none", "beep"),
        ("b", "beep", "tick", "none", "beep"),
        ("c", "chime", "tick", "none", "beep"),
    ]


def test_same_id_twice_names_both_files(write: Writer, tmp_path: Path) -> None:
    first = write("a.yaml", "title: A\nid: same\nsteps: [{name: x}]\n")
    second = write("b.yaml", "title: B\nid: same\nsteps: [{name: x}]\n")
    library = lib(tmp_path)
    assert library.entries[0].valid
    assert str(library.entries[1].problems[0]) == (
        f"{second}:1:1: id: id 'same' is already used by {first}; give one of them another id"
    )


def test_invalid_files_never_hide_valid_ones(write: Writer, tmp_path: Path) -> None:
    write("good.yaml", "title: Good\nsteps: [{name: x}]\n")
    write("bad.yaml", "title: [\n")
    write("ugly.yml", "steps: 3\n")
    library = lib(tmp_path)
    assert [(e.id, e.valid) for e in library.entries] == [
        ("bad", False),
        ("good", True),
        ("ugly", False),
    ]
    with pytest.raises(RoutineError, match=r"bad.yaml:2:1: a '\[' or '{' above is not closed"):
        library.find("bad")


def test_find_by_id_by_path_and_with_a_hint(write: Writer, tmp_path: Path) -> None:
    path = write("calf.yaml", "title: Calf\nsteps: [{name: x}]\n")
    library = lib(tmp_path)
    assert library.find("calf").path == path
    assert library.find(str(path)).routine.title == "Calf"
    with pytest.raises(UserError, match=r"no routine 'clf' in the library; did you mean 'calf'?"):
        library.find("clf")
    with pytest.raises(UserError, match="no such routine file"):
        library.find(str(tmp_path / "gone.yaml"))


def test_a_file_outside_the_library_includes_library_ids(write: Writer, tmp_path: Path) -> None:
    write("calf.yaml", "title: Calf\nsteps: [{name: x, hold: 3}]\n", folder=tmp_path / "lib")
    own = write(
        "mine.yaml", "title: Mine\nsteps:\n  - include: calf\n", folder=tmp_path / "elsewhere"
    )
    entry = lib(tmp_path / "lib").find(str(own))
    assert [p.name for p in entry.plan] == ["x"]


def test_library_folders_from_env_and_options(
    write: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    write("r1.yaml", "title: One\nsteps: [{name: x}]\n", folder=one)
    write("r2.yaml", "title: Two\nsteps: [{name: x}]\n", folder=two)
    monkeypatch.setenv("STRETCH_COACH_LIBRARY", f"{one}:{tmp_path / 'nowhere'}"[: len(str(one))])
    library = default_library([str(two)])
    ids = [e.id for e in library.entries]
    assert "r1" in ids and "r2" in ids
    origins = {e.id: e.origin for e in library.entries}
    assert origins["r1"] == origins["r2"] == "library"
    assert all(e.origin == "bundled" for e in library.entries if e.id not in ("r1", "r2"))
    with pytest.raises(UserError, match=r"--library .*nowhere: no such folder"):
        library_folders([str(tmp_path / "nowhere")])
    monkeypatch.setenv("STRETCH_COACH_LIBRARY", str(tmp_path / "gone"))
    with pytest.raises(UserError, match=r"STRETCH_COACH_LIBRARY .*gone: no such folder"):
        library_folders([])


def test_user_folder_is_created_on_demand(hermetic_dirs: Path) -> None:
    user = hermetic_dirs / "data" / "routines"
    assert not user.exists()
    library_folders([])
    assert user.is_dir()
