"""Packs end to end: pack on one machine, install on another, play; hostile packs refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.cli import main

Writer = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]

EXTRA = """
title: Calf extra
caution:
  - Stop if your heel hurts.
cues:
  end: sounds/ding.wav
steps:
  - name: Heel drop
    hold: 0.4s
    prepare: 0s
"""

NIGHT = """
title: Night plan
caution:
  - Stop if it hurts.
steps:
  - name: Wall stretch
    hold: 0.3s
    prepare: 0s
  - include: heel-walking
  - include: calf-extra
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def user_dir() -> Path:
    return Path(os.environ["STRETCH_COACH_DATA_DIR"]) / "routines"


@pytest.fixture
def practitioner(write: Writer) -> Path:
    """The practitioner's routine folder: night includes heel-walking (bundled) and calf-extra."""
    folder = user_dir()
    write("extra/calf-extra.yaml", EXTRA, folder=folder)
    (folder / "extra" / "sounds").mkdir()
    shutil.copy(ROOT / "sounds" / "chime.wav", folder / "extra" / "sounds" / "ding.wav")
    return write("night.yaml", NIGHT, folder=folder)


@pytest.fixture
def pack(practitioner: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "night.zip"
    code, stdout, err = run(capsys, "pack", "night", "-o", str(out), "--author", "Dr Ana")
    assert code == 0, err
    assert stdout.splitlines() == [
        f"wrote {out}: night, calf-extra (3 files)",
        "uses routines that come with stretch-coach: heel-walking",
        "the patient installs it with: stretch-coach install night.zip",
    ]
    return out


def other_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the data folder at a fresh one, as on the patient's computer."""
    data = tmp_path / "patient"
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(data))
    return data


def tree(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_the_manifest_names_ids_titles_checksums_format_and_author(pack: Path) -> None:
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = sorted(zf.namelist())
        data = {n: zf.read(n) for n in names}
    assert names == [
        "calf-extra/calf-extra.yaml",
        "calf-extra/sounds/ding.wav",
        "manifest.json",
        "night/night.yaml",
    ]
    assert manifest["format"] == 1 and manifest["author"] == "Dr Ana"
    assert [(r["id"], r["title"], r["main"]) for r in manifest["routines"]] == [
        ("night", "Night plan", True),
        ("calf-extra", "Calf extra", False),
    ]
    assert manifest["requires"] == ["heel-walking"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        n: hashlib.sha256(d).hexdigest() for n, d in data.items() if n != "manifest.json"
    }


def test_a_pack_installs_on_another_machine_and_plays(
    pack: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli_argv: list[str],
) -> None:
    data = other_machine(tmp_path, monkeypatch)
    code, out, err = run(capsys, "install", str(pack))
    assert code == 0, err
    folder = data / "routines" / "night"
    assert out.splitlines() == [
        f"Installing into {folder}:",
        "  calf-extra  Calf extra (0.4 s)",
        "  night  Night plan (0.7 s, plus 1 self-paced step)",
        "Installed. Play it with: stretch-coach run night",
    ]
    assert tree(data / "routines") == [
        "night",
        "night/calf-extra",
        "night/calf-extra/calf-extra.yaml",
        "night/calf-extra/sounds",
        "night/calf-extra/sounds/ding.wav",
        "night/night",
        "night/night/night.yaml",
    ]
    env = dict(os.environ)
    log = tmp_path / "cues.jsonl"
    result = subprocess.run(
        [*cli_argv, "run", "night", "--plain", "--audio", "none", "--cue-log", str(log)],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Night plan — 0.7 s, plus 1 self-paced step"
    assert "No input left: skipping Walk on your heels" in lines
    assert "Heel drop" in lines and lines[-1].startswith("Finished: ")
    cues = [json.loads(line) for line in log.read_text().splitlines()]
    ding = [c for c in cues if c["event"] == "end" and c["name"] == "Heel drop"]
    assert [c["sound"] for c in ding] == [str(folder / "calf-extra" / "sounds" / "ding.wav")]


def test_an_id_taken_is_refused_unless_replace_and_the_old_is_kept(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = other_machine(tmp_path, monkeypatch)
    assert run(capsys, "install", str(pack))[0] == 0
    before = tree(data)
    routines = tree(data / "routines")
    code, out, err = run(capsys, "install", str(pack))
    assert code == 2 and out == "" and tree(data) == before
    assert err.strip() == (
        f"stretch-coach: {pack}:calf-extra/calf-extra.yaml: id 'calf-extra' is already yours "
        f"({data / 'routines/night/calf-extra/calf-extra.yaml'}); add --replace to replace it. "
        "Nothing written"
    )
    code, out, err = run(capsys, "install", str(pack), "--replace")
    assert code == 0, err
    assert tree(data / "routines") == routines
    removed = next((data / "removed").iterdir())
    assert (removed / "night" / "night" / "night.yaml").read_text() == (
        (data / "routines" / "night" / "night" / "night.yaml").read_text()
    )


def test_a_bundled_id_is_never_replaced(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("heel-walking.yaml", "title: Mine\nsteps: [{name: a}]\n", folder=tmp_path / "x")
    code, _, err = run(capsys, "install", str(path), "--replace")
    assert code == 2 and tree(user_dir()) == []
    assert "id 'heel-walking' is a routine that comes with stretch-coach" in err


def test_uninstall_is_refused_while_included_naming_the_includer(
    practitioner: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "uninstall", "calf-extra")
    assert code == 2
    assert err.strip() == (
        f"stretch-coach: 'calf-extra' is used by night ({practitioner}); uninstall that first"
    )
    text = practitioner.read_text()
    code, out, _ = run(capsys, "uninstall", "night")
    assert code == 0 and not practitioner.exists()
    kept = Path(out.removeprefix("uninstalled night (Night plan); its file is kept as ").strip())
    assert kept.read_text() == text  # the place named holds the routine
    code, out, _ = run(capsys, "uninstall", "calf-extra")
    assert code == 0
    # The last routine of its folder: the folder (with its sound) is kept aside, not
    # deleted, all of it in the one folder named (it was split in two, the one named empty).
    assert tree(user_dir()) == []
    prefix = "uninstalled calf-extra (Calf extra); its files are kept in "
    assert out.startswith(prefix)
    folder = Path(out.removeprefix(prefix).strip())
    assert folder.name == "extra"
    assert tree(folder) == ["calf-extra.yaml", "sounds", "sounds/ding.wav"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["extra", "night.yaml"]
    assert run(capsys, "uninstall", "heel-walking")[0] == 2


def test_uninstalling_an_installed_pack_names_the_folder_that_holds_it(
    write: Writer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The trial: a pack of one routine, uninstalled: "its files are kept in
    # .../mrs-b-calf-2", an empty folder; the routine was in .../mrs-b-calf.
    text = "title: Calf for Mrs B\nsteps:\n  - name: Wall stretch\n    hold: 0.3s\n"
    source = write("mrs-b-calf.yaml", text, folder=user_dir())
    pack = tmp_path / "mrs-b-calf.zip"
    code, out, err = run(capsys, "pack", "mrs-b-calf", "-o", str(pack))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"wrote {pack}: mrs-b-calf (1 file)"
    data = other_machine(tmp_path, monkeypatch)
    assert run(capsys, "install", str(pack))[0] == 0
    assert tree(data / "routines") == ["mrs-b-calf", "mrs-b-calf/mrs-b-calf.yaml"]
    code, out, _ = run(capsys, "uninstall", "mrs-b-calf")
    prefix = "uninstalled mrs-b-calf (Calf for Mrs B); its files are kept in "
    assert code == 0 and out.startswith(prefix)
    folder = Path(out.removeprefix(prefix).strip())
    assert folder.parent.parent == data / "removed" and folder.name == "mrs-b-calf"
    assert tree(folder) == ["mrs-b-calf.yaml"]
    assert (folder / "mrs-b-calf.yaml").read_bytes() == source.read_bytes()
    assert [p.name for p in folder.parent.iterdir()] == ["mrs-b-calf"]


def test_a_routine_file_installs_with_its_sound(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "sent"
    path = write(
        "solo.yaml",
        "title: Solo\ncues: {end: s/bell.wav}\nsteps:\n  - {name: a, hold: 1s}\n",
        folder=src,
    )
    (src / "s").mkdir()
    shutil.copy(ROOT / "sounds" / "chime.wav", src / "s" / "bell.wav")
    (src / "unrelated.txt").write_text("not copied")
    code, out, err = run(capsys, "install", str(path))
    assert code == 0, err
    assert out.splitlines()[-1] == "Installed. Play it with: stretch-coach run solo"
    assert tree(user_dir()) == ["solo", "solo/s", "solo/s/bell.wav", "solo/solo.yaml"]


# -- hostile packs -----------------------------------------------------------------


def make_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def symlink(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


GOOD = b"title: Ok\nsteps: [{name: a}]\n"
MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([("../evil.yaml", GOOD)], "'../evil.yaml' would be written outside the routine folder"),
        ([("a/../../evil.yaml", GOOD)], "would be written outside the routine folder"),
        ([("/tmp/evil.yaml", GOOD)], "'/tmp/evil.yaml': an absolute path"),
        ([("C:/evil.yaml", GOOD)], "an absolute path"),
        ([("a\\..\\..\\evil.yaml", GOOD)], "a name with a backslash"),
        (
            [("ok.yaml", GOOD), (symlink("link.yaml", "/etc/passwd"), b"/etc/passwd")],
            "symbolic link",
        ),
        ([("big.yaml", b"#" * (MIB + 1))], "big.yaml: a routine file larger than 1 MiB"),
        (
            [("ok.yaml", GOOD), ("big.wav", b"\0" * (10 * MIB + 1))],
            "a sound or picture larger than 10 MiB",
        ),
        ([(f"r{i}.yaml", GOOD) for i in range(501)], "more than 500 files"),
        (
            [("ok.yaml", GOOD)] + [(f"s{i}.wav", b"\0" * (9 * MIB)) for i in range(6)],
            "more than 50 MiB in all",
        ),
        ([("ok.yaml", GOOD), ("run.sh", b"rm -rf ~")], "'run.sh': a pack holds routines"),
        ([("\x1b[2Jok.yaml", GOOD)], "'\\x1b[2Jok.yaml': a name with control characters"),
        (
            [
                ("manifest.json", b'{"files": [{"path": "ok.yaml", "sha256": "00"}]}'),
                ("ok.yaml", GOOD),
            ],
            "ok.yaml does not match its checksum",
        ),
    ],
)
def test_a_hostile_pack_is_refused_and_nothing_is_written(
    members: list[tuple[zipfile.ZipInfo | str, bytes]],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = make_zip(tmp_path / "evil.zip", members)
    before = tree(tmp_path)
    code, out, err = run(capsys, "install", str(pack))
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "\x1b" not in err
    assert out == ""
    assert tree(user_dir()) == []
    assert tree(tmp_path) == before
    assert not (tmp_path.parent / "evil.yaml").exists()


def test_an_invalid_routine_in_a_pack_is_located_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_zip(
        tmp_path / "p.zip", [("p/x.yaml", b"title: X\nsteps:\n  - {name: a, hodl: 3}\n")]
    )
    code, _, err = run(capsys, "install", str(pack))
    assert code == 2
    assert err.strip() == f"{pack}:p/x.yaml:3:15: steps[1].hodl: unknown key; did you mean 'hold'?"
    assert tree(user_dir()) == []


def test_a_bundled_routine_is_not_packed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "pack", "cool-down", "-o", str(tmp_path / "c.zip"))
    assert code == 2 and not (tmp_path / "c.zip").exists()
    assert "'cool-down' comes with stretch-coach" in err


def test_a_pack_file_is_readable_by_others(
    pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(pack.stat().st_mode) == 0o666 & ~umask


def test_an_unpacked_folder_installs_and_a_link_in_one_is_refused(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = other_machine(tmp_path, monkeypatch)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(pack) as zf:
        zf.extractall(folder)
    (folder / "night" / "link.wav").symlink_to(folder / "calf-extra" / "sounds" / "ding.wav")
    code, _, err = run(capsys, "install", str(folder))
    assert code == 2 and "a symbolic link" in err and tree(data) == []
    (folder / "night" / "link.wav").unlink()
    # a file changed after packing no longer matches the manifest
    (folder / "night" / "night.yaml").write_text(NIGHT.replace("0.3s", "3s"))
    code, _, err = run(capsys, "install", str(folder))
    assert code == 2 and "night/night.yaml does not match its checksum" in err
    (folder / "manifest.json").unlink()
    code, out, err = run(capsys, "install", str(folder))
    assert code == 0, err
    assert out.splitlines()[-1] == ("Installed. Play it with: stretch-coach run night")
    assert (data / "routines" / "unpacked" / "night" / "night.yaml").exists()


def test_a_phase_sound_and_a_picture_travel_in_the_pack(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = user_dir() / "heel"
    (folder / "s").mkdir(parents=True)
    shutil.copy(ROOT / "sounds" / "chime.wav", folder / "s" / "down.wav")
    (folder / "p.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    write(
        "heel.yaml",
        """
        title: Heel drops
        steps:
          - name: Eccentric heel drops
            reps: 15
            image: p.svg
            phases:
              - {say: lift, time: 1s}
              - {say: lower, time: 3s, sound: s/down.wav}
        """,
        folder=folder,
    )
    out = tmp_path / "heel.zip"
    code, _, err = run(capsys, "pack", "heel", "-o", str(out))
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["heel.yaml", "manifest.json", "p.svg", "s/down.wav"]


PROGRAM = """
title: Six weeks of calf care
program:
  stages:
    - weeks: 2
      routine: easy/easy.yaml
    - weeks: 4
      routine: night
      change:
        Wall stretch: {hold: 0.5s}
"""

EASY = """
title: Easy start
steps:
  - name: Gentle stretch
    hold: 0.2s
    prepare: 0s
"""


def test_a_program_travels_in_a_pack_with_its_routines_and_is_followed(
    practitioner: Path,
    write: Writer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plans = user_dir() / "plans"
    write("plans/six-weeks.yaml", PROGRAM, folder=user_dir())
    write("plans/easy/easy.yaml", EASY, folder=user_dir())
    # Two stages naming one routine file pack it once.
    twice = PROGRAM.replace("routine: night", "routine: easy/easy.yaml")
    write("plans/twice.yaml", twice.replace("Wall stretch", "Gentle stretch"), folder=user_dir())
    code, stdout, err = run(capsys, "pack", "twice", "-o", str(tmp_path / "twice.zip"))
    assert code == 0, err
    assert stdout.splitlines()[0] == f"wrote {tmp_path / 'twice.zip'}: twice, easy (2 files)"
    (plans / "twice.yaml").unlink()
    out = tmp_path / "six.zip"
    code, stdout, err = run(capsys, "pack", "six-weeks", "-o", str(out))
    assert code == 0, err
    assert stdout.splitlines()[0] == f"wrote {out}: six-weeks, easy, night, calf-extra (5 files)"
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = sorted(zf.namelist())
    assert names == [
        "calf-extra/calf-extra.yaml",
        "calf-extra/sounds/ding.wav",
        "manifest.json",
        "night/night.yaml",
        "six-weeks/easy/easy.yaml",
        "six-weeks/six-weeks.yaml",
    ]
    assert manifest["programs"] == [
        {"id": "six-weeks", "title": "Six weeks of calf care", "file": "six-weeks/six-weeks.yaml"}
    ]
    assert manifest["requires"] == ["heel-walking"]

    # The practitioner cannot take away a routine the program still uses.
    code, _, err = run(capsys, "uninstall", "night")
    assert code == 2
    assert err.strip() == (
        f"stretch-coach: 'night' is used by six-weeks ({plans / 'six-weeks.yaml'}); "
        "uninstall that first"
    )

    data = other_machine(tmp_path, monkeypatch)
    code, stdout, err = run(capsys, "install", str(out))
    assert code == 0, err
    assert stdout.splitlines() == [
        f"Installing into {data / 'routines' / 'six-weeks'}:",
        "  calf-extra  Calf extra (0.4 s)",
        "  night  Night plan (0.7 s, plus 1 self-paced step)",
        "  easy  Easy start (0.2 s)",
        "  six-weeks  Six weeks of calf care (program: 6 weeks, daily)",
        "Installed. Follow it with: stretch-coach follow six-weeks "
        "('stretch-coach today' then says what is due)",
    ]
    code, stdout, err = run(capsys, "follow", "six-weeks", "--start", "2026-11-02")
    assert (code, err) == (0, "")
    code, stdout, _ = run(capsys, "today", "--json", "--date", "2026-11-20")
    [due] = json.loads(stdout)
    assert (due["program"], due["week"], due["routine"], due["changes"]) == (
        "six-weeks",
        3,
        "night",
        {"Wall stretch": {"hold": 0.5}},
    )
    # Installed again: its ids are the patient's own now.
    code, _, err = run(capsys, "install", str(out))
    assert code == 2 and "is already yours" in err
    # Done with it: the program goes (kept aside), then the routines it used may go too.
    code, stdout, err = run(capsys, "uninstall", "six-weeks")
    assert (code, err) == (0, "")
    kept = Path(stdout.rsplit(" kept as ", 1)[1].strip())
    assert stdout.startswith("uninstalled six-weeks (Six weeks of calf care); its file is kept")
    assert kept.read_text(encoding="utf-8") == PROGRAM.lstrip()
    assert run(capsys, "uninstall", "night")[0] == 0


def test_a_program_file_or_its_folder_installs_and_a_missing_routine_is_located(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    share = tmp_path / "share"
    program = write(
        "six-weeks.yaml", PROGRAM.replace("routine: night", "routine: nightly"), folder=share
    )
    write("easy/easy.yaml", EASY, folder=share)
    code, out, err = run(capsys, "install", str(program))
    assert (code, out) == (2, "")
    where = f"{program}:7:16: program.stages[2].routine"
    assert err == f"{where}: no routine with id 'nightly' in the library\n"
    assert tree(user_dir()) == []

    write("easy/nightly.yaml", EASY.replace("Easy start", "Nightly"), folder=share)
    (share / "six-weeks.yaml").write_text(
        PROGRAM.replace("routine: night", "routine: easy/nightly.yaml").replace(
            "Wall stretch", "Gentle stretch"
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "install", str(share / "six-weeks.yaml"))
    assert code == 0, err
    assert out.splitlines()[1:] == [
        "  easy  Easy start (0.2 s)",
        "  nightly  Nightly (0.2 s)",
        "  six-weeks  Six weeks of calf care (program: 6 weeks, daily)",
        "Installed. Follow it with: stretch-coach follow six-weeks "
        "('stretch-coach today' then says what is due)",
    ]
    assert tree(user_dir()) == [
        "six-weeks",
        "six-weeks/easy",
        "six-weeks/easy/easy.yaml",
        "six-weeks/easy/nightly.yaml",
        "six-weeks/six-weeks.yaml",
    ]


def test_a_manifest_listing_odd_routines_installs_what_its_files_say(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hand-made manifest whose routines list holds a word, not a mapping: its
    # files still match their checksums, so the routine installs (no traceback).
    routine = b"title: Odd\nsteps:\n  - name: A\n    hold: 1s\n"
    manifest = {
        "stretch_coach_pack": 1,
        "routines": ["odd", {"id": 3, "main": True}],
        "programs": "none",
        "files": [{"path": "odd.yaml", "sha256": hashlib.sha256(routine).hexdigest()}],
    }
    pack = make_zip(
        tmp_path / "odd.zip",
        [("manifest.json", json.dumps(manifest).encode()), ("odd.yaml", routine)],
    )
    code, out, err = run(capsys, "install", str(pack))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Installed. Play it with: stretch-coach run odd"
