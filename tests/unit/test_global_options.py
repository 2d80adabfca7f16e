"""``--data-dir`` and ``--library`` work before and after every command and action, and a
data folder that is a file is one clear line for every command."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stretch_coach import cli

Run = Callable[..., tuple[int, str, str]]


def every_parser(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command's and action's parser, with the words that reach it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from every_parser(sub, (*path, name))


def test_every_command_and_action_takes_the_place_options() -> None:
    found = dict(every_parser(cli.build_parser()))
    # the ones the trial found refusing it, and their actions
    for name in ("diary", "history", "checkin", "export", "import", "trial"):
        assert (name,) in found
    assert ("diary", "add") in found and ("trial", "start") in found
    lacking = [
        " ".join(path)
        for path, parser in found.items()
        if not {"--data-dir", "--library"} <= set(parser._option_string_actions)
    ]
    assert lacking == []


@pytest.mark.parametrize(
    "argv",
    [
        ("history",),
        ("diary", "list"),
        ("checkin", "--none", "--night", "2024-05-01"),
        ("trial", "status"),
        ("insight",),
        ("list",),
    ],
)
def test_data_dir_before_or_after_the_command_is_the_same(
    run: Run, data_dir: Path, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    first, second = tmp_path / "patient-a", tmp_path / "patient-b"
    # The trial found `history --data-dir DIR`: "invalid choice: DIR".
    code, after, err = run(*argv, "--data-dir", str(first))
    assert (code, err) == (0, "")
    code, before, err = run("--data-dir", str(second), *argv)
    assert (code, err) == (0, "")
    assert after.replace(str(first), "DIR") == before.replace(str(second), "DIR")
    assert not data_dir.exists()  # the folders given were used, not the usual one


def test_export_and_import_after_the_command_use_the_folder_given(
    run: Run, data_dir: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run("diary", "add", "--when", "2024-05-01T02:30", "--data-dir", str(first))[0] == 0
    carried = tmp_path / "carry.json"
    assert run("export", str(carried), "--data-dir", str(first))[0] == 0
    code, out, _ = run("import", str(carried), "--data-dir", str(second))
    assert (code, out) == (
        0,
        f"Imported {carried}: 0 sessions and 1 diary entry added, 0 updated, 0 already here.\n",
    )
    assert run("diary", "list", "--data-dir", str(second))[1] == "#1 2024-05-01 02:30\n"
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "argv",
    [
        (),  # the coach itself: refused before it opens
        ("history",),
        ("diary", "list"),
        ("diary", "add"),
        ("checkin", "--none"),
        ("export", "-"),
        ("report",),
        ("insight",),
        ("list",),
        ("today",),
        ("trial", "status"),
    ],
)
def test_a_file_as_the_data_folder_is_one_line_for_every_command(
    run: Run, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    routine = tmp_path / "good.yaml"
    routine.write_text("title: Good\nsteps:\n  - name: Loosen\n", encoding="utf-8")
    for args in (("--data-dir", str(routine), *argv), (*argv, "--data-dir", str(routine))):
        code, out, err = run(*args)
        assert (code, out) == (2, ""), args
        assert err == (
            f"stretch-coach: --data-dir {routine}: is a file, not a folder; "
            "give a folder (made if missing)\n"
        )
    inside = routine / "patient"
    code, _, err = run("--data-dir", str(inside), *argv)
    assert code == 2
    assert err == (
        f"stretch-coach: --data-dir {inside}: is inside the file {routine}, not a folder; "
        "give a folder (made if missing)\n"
    )
    assert routine.read_text(encoding="utf-8") == "title: Good\nsteps:\n  - name: Loosen\n"


def test_a_file_as_the_data_folder_from_the_environment(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine\n", encoding="utf-8")
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(taken))
    assert run("history") == (
        2,
        "",
        f"stretch-coach: STRETCH_COACH_DATA_DIR={taken}: is a file, not a folder; "
        "give a folder (made if missing)\n",
    )
