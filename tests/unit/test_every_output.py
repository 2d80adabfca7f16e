"""Every command that writes a file asks one guard: the same refusals, in the same words.

A user's trial found ``report -o`` and ``export`` writing over a routine file
outside the library (only ``handout``, ``new`` and ``pack`` refused it), and a
Markdown report written into ``r.pdf``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., tuple[int, str, str]]

ROUTINE = "title: Calf\nsteps:\n  - name: Wall calf stretch\n    hold: 0.2s\n    prepare: 0s\n"


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "calf.yaml").write_text(ROUTINE, encoding="utf-8")
    return folder


def writers(lib: Path) -> list[tuple[tuple[str, ...], str, str]]:
    """Each writer: its arguments before the path, how its message names it, what it writes."""
    return [
        (("report", "-o"), "-o", "the report"),
        (("report", "--program", "nightly-bedtime", "-o"), "-o", "the report"),
        (("report", "--format", "csv", "-o"), "-o", "the CSV report"),
        (("export",), "export", "the export"),
        (("handout", "calf", "--library", str(lib), "-o"), "-o", "the handout"),
        (("pack", "calf", "--library", str(lib), "-o"), "-o", "the pack"),
        (("new", "my-calf", "-o"), "-o", "the new routine"),
        (
            ("run", "calf", "--plain", "--library", str(lib), "--cue-log"),
            "--cue-log",
            "the cue log",
        ),
    ]


def test_no_writer_overwrites_a_routine_the_history_or_the_settings(
    run: Run, data_dir: Path, tmp_path: Path, lib: Path
) -> None:
    assert run("diary", "add", "--when", "2024-05-01T02:30", "--note", "kept")[0] == 0
    physio = tmp_path / "physio"
    physio.mkdir()
    routine = physio / "good.yaml"  # a routine outside every library folder
    routine.write_text(ROUTINE, encoding="utf-8")
    history = data_dir / "history.sqlite3"
    settings = tmp_path / "config" / "settings.toml"
    settings.parent.mkdir()
    settings.write_text('audio = "none"\n', encoding="utf-8")
    targets = {
        routine: "that is a routine file",
        history: f"that is the history database ({history})",
        settings: f"that is the settings file ({settings})",
    }
    before = {path: path.read_bytes() for path in targets}
    for argv, option, noun in writers(lib):
        for target, what in targets.items():
            code, out, err = run(*argv, str(target))
            assert (code, out) == (2, ""), (argv, target)
            assert err == (
                f"stretch-coach: {option} {target}: {what}; write {noun} to another file\n"
            ), argv
    assert {path: path.read_bytes() for path in targets} == before
    assert run("diary", "list")[1].endswith("kept\n")


def test_a_report_s_name_says_its_format(run: Run, data_dir: Path, tmp_path: Path) -> None:
    run("diary", "add", "--when", "2024-05-01T02:30")
    pdf = tmp_path / "r.pdf"
    code, out, err = run("report", "-o", str(pdf))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: -o {pdf}: the report is written to a .md, .txt, .html, .htm, .csv or "
        f".json file; name it {tmp_path / 'r.html'}\n"
    )
    assert not pdf.exists()
    # Without --format, the name says it.
    page = tmp_path / "visit.html"
    assert run("report", "-o", str(page)) == (0, f"Wrote the report (html) to {page}.\n", "")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    table = tmp_path / "visit.csv"
    assert run("report", "-o", str(table))[0] == 0
    assert table.read_text(encoding="utf-8").startswith("at,date,time")
    # With it, the name must agree.
    code, out, err = run("report", "--format", "md", "-o", str(table))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: -o {table}: the Markdown report is written to a .md or .txt file; "
        f"name it {tmp_path / 'visit.md'}\n"
    )
    assert table.read_text(encoding="utf-8").startswith("at,date,time")
    code, _, err = run("report", "--format", "json", "-o", str(tmp_path / "visit.json"))
    assert (code, err) == (0, "")


def test_an_export_is_a_json_file(run: Run, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "history.txt"
    code, out, err = run("export", str(target))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: export {target}: the export is written to a .json file; "
        f"name it {tmp_path / 'history.json'}\n"
    )
    assert not target.exists()


def test_a_cue_log_may_not_take_a_routine_s_name(
    run: Run, data_dir: Path, tmp_path: Path, lib: Path
) -> None:
    # A cue log has no suffix of its own; a new .yaml one would read as a routine.
    target = lib / "cues.yaml"
    code, out, err = run("run", "calf", "--plain", "--library", str(lib), "--cue-log", str(target))
    assert (code, out) == (2, "")
    assert err == (
        f"stretch-coach: --cue-log {target}: that is a routine file's name; "
        "write the cue log to another file\n"
    )
    assert not target.exists()


def test_a_path_in_no_folder_is_one_line_for_every_writer(
    run: Run, data_dir: Path, tmp_path: Path, lib: Path
) -> None:
    for argv, option, noun in writers(lib):
        suffix = {"the pack": ".zip", "the handout": ".html", "the new routine": ".yaml"}
        target = tmp_path / "nowhere" / f"x{suffix.get(noun, '.json')}"
        if argv[-1] == "-o" and argv[0] == "report" and "csv" in argv:
            target = target.with_suffix(".csv")
        code, out, err = run(*argv, str(target))
        assert (code, out) == (2, ""), argv
        assert err == (
            f"stretch-coach: {option} {target}: there is no folder {target.parent}; "
            f"write {noun} to another file\n"
        ), argv


def test_every_report_format_has_its_names() -> None:
    from stretch_coach import adherence
    from stretch_coach.commands.history import FORMAT_NAMES, REPORT_SUFFIXES
    from stretch_coach.history import render

    assert tuple(REPORT_SUFFIXES) == tuple(FORMAT_NAMES) == render.FORMATS == adherence.FORMATS
