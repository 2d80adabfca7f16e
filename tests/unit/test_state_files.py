"""The files stretch-coach keeps for itself never block or crash it (issue 11).

``settings.toml``, ``library-index.json`` and ``cautions.json``: nested
thousands deep, holding numbers of thousands of digits, too big, or a FIFO, a
folder or a device in their place. Settings fall back to the defaults with a
one-line warning, the index is a miss (and the next write replaces it), the
cautions read as none read. The damaged files are kept in
``tests/fuzz_corpus/state/``; FIFOs cannot be, so they are made here.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stretch_coach import paths
from stretch_coach.catalog import MAX_INDEX_BYTES, LibraryIndex, index_path, listing
from stretch_coach.settings import (
    MAX_SETTINGS_BYTES,
    CautionLog,
    Settings,
    load_settings,
    open_settings,
    save_settings,
    settings_path,
)

ROOT = Path(__file__).resolve().parents[2]
STATE_CORPUS = ROOT / "tests" / "fuzz_corpus" / "state"
#: What a test waits for a read that must not block (it takes milliseconds).
PROMPT = 10.0

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def promptly(fn: Callable[[], Any]) -> Any:
    """``fn()``, which must return (not hang) within :data:`PROMPT` seconds."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as err:  # handed to the test below
            errors.append(err)

    thread = threading.Thread(target=run, daemon=True)  # a blocked one must not hold the run
    thread.start()
    thread.join(PROMPT)
    assert not thread.is_alive(), f"{fn} blocked"
    if errors:
        raise errors[0]
    return result[0]


def corpus(prefix: str) -> list[Path]:
    return sorted(STATE_CORPUS.glob(f"{prefix}-*"))


def place(path: Path, content: Path | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return path


# -- read_regular_file -----------------------------------------------------------------


@needs_fifo
def test_read_regular_file_never_opens_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(paths.NotARegularFile) as err:
        promptly(lambda: paths.read_regular_file(fifo, 100))
    assert err.value.strerror == "it is a named pipe (FIFO), not a regular file"
    with pytest.raises(IsADirectoryError):
        paths.read_regular_file(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        paths.read_regular_file(tmp_path / "missing", 100)
    (tmp_path / "file").write_bytes(b"0123456789")
    assert paths.read_regular_file(tmp_path / "file", 4) == b"0123"


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 65536, 65537, 200_003])
def test_read_regular_file_reads_every_byte_up_to_the_limit(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    (tmp_path / "file").write_bytes(data)
    assert paths.read_regular_file(tmp_path / "file", size + 1) == data
    assert paths.read_regular_file(tmp_path / "file", size) == data
    assert paths.read_regular_file(tmp_path / "file", 100_000) == data[:100_000]


def test_read_regular_file_refuses_a_device() -> None:
    if not Path("/dev/zero").exists():  # pragma: no cover - every Unix has one
        pytest.skip("no /dev/zero")
    with pytest.raises(paths.NotARegularFile, match="it is a device, not a regular file"):
        promptly(lambda: paths.read_regular_file(Path("/dev/zero"), 100))


# -- settings.toml ---------------------------------------------------------------------


def test_the_state_corpus_is_there() -> None:
    assert len(corpus("settings")) >= 7 and corpus("index") and corpus("cautions")


@pytest.mark.parametrize(
    "name, why",
    [
        ("settings-deep-array.toml", "it is nested too deeply to read"),
        ("settings-deep-inline-table.toml", "it is nested too deeply to read"),
        (
            "settings-dotted-keys-5000-deep.toml",
            "theme: a table is not one of bedtime, dark, light, high-contrast",
        ),
        ("settings-5000-digit-prepare.toml", "it holds a number too long to read"),
        (
            "settings-400-digit-prepare.toml",
            "prepare: a number that long is not between 0 and 3600 seconds",
        ),
        ("settings-huge-float-prepare.toml", "prepare: inf is not between 0 and 3600 seconds"),
        (
            "settings-markup-key.toml",
            "unknown setting '[/b][@click=app.quit]x[/]' (known: audio, prepare, theme, voice)",
        ),
    ],
)
def test_a_broken_settings_file_gives_the_defaults_and_one_line(name: str, why: str) -> None:
    path = place(settings_path(), STATE_CORPUS / name)
    settings, file, warning = promptly(open_settings)
    assert settings == Settings() and file.broken
    assert warning == (
        f"Could not use {path}: {why}. Using the defaults for what could not be read; "
        "the file is kept as it is, and saving settings will move it aside first."
    )


def test_every_settings_file_in_the_corpus_is_covered() -> None:
    covered = {p.name for p in corpus("settings")}
    params = test_a_broken_settings_file_gives_the_defaults_and_one_line.pytestmark[0].args[1]
    assert covered == {name for name, _ in params}


def test_a_settings_file_over_the_limit_is_not_read() -> None:
    path = place(settings_path(), b"# " + b"x" * MAX_SETTINGS_BYTES + b"\n")
    settings, warning = load_settings()
    assert settings == Settings()
    assert warning is not None and warning.startswith(
        f"Could not use {path}: it is larger than 1 MiB."
    )


@needs_fifo
def test_a_fifo_as_settings_is_never_opened_and_is_moved_aside_on_save(hermetic_dirs: Path) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    settings, file, warning = promptly(open_settings)
    assert settings == Settings() and file.broken
    assert warning is not None and warning.startswith(
        f"Could not use {path}: it is a named pipe (FIFO), not a regular file."
    )
    # Saving moves the FIFO aside (never opened) and writes a real file.
    saved, note = save_settings(Settings(theme="dark"), file)
    assert not saved.broken
    assert note is not None and "it is kept as" in note
    (aside,) = path.parent.glob("settings.toml.broken-*")
    assert stat.S_ISFIFO(aside.lstat().st_mode)
    assert load_settings() == (Settings(theme="dark"), None)


def test_a_folder_as_settings_gives_the_defaults(hermetic_dirs: Path) -> None:
    settings_path().mkdir(parents=True)
    settings, warning = load_settings()
    assert settings == Settings()
    assert warning is not None and "it is a folder" in warning


# -- library-index.json ----------------------------------------------------------------


@pytest.fixture
def folder(write: Callable[..., Path], tmp_path: Path) -> Path:
    write("calf.yaml", "title: Calf\nsteps:\n  - {name: Calf, hold: 30}\n", folder=tmp_path / "lib")
    return tmp_path / "lib"


def _rebuilt(folder: Path) -> None:
    """A miss now; the coach's write after the full load makes a sound index again."""
    index = LibraryIndex([(folder, "library")])
    assert promptly(lambda: index.read(None)) is None
    library = index.load()
    assert index.write(library, None)
    assert stat.S_ISREG(index_path().lstat().st_mode)
    assert LibraryIndex([(folder, "library")]).read(None) == listing(library)


@pytest.mark.parametrize("path", corpus("index"), ids=lambda p: p.name)
def test_a_deeply_nested_index_is_a_miss_and_is_rebuilt(folder: Path, path: Path) -> None:
    place(index_path(), path)
    _rebuilt(folder)


@needs_fifo
def test_a_fifo_as_the_index_is_a_miss_and_is_replaced(folder: Path) -> None:
    index_path().parent.mkdir(parents=True)
    os.mkfifo(index_path())
    _rebuilt(folder)


def test_an_index_over_the_limit_is_a_miss(folder: Path) -> None:
    index_path().parent.mkdir(parents=True)
    with index_path().open("wb") as out:
        out.truncate(MAX_INDEX_BYTES + 1)  # sparse: no need to write 64 MiB
    _rebuilt(folder)


# -- cautions.json ---------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus("cautions"), ids=lambda p: p.name)
def test_a_deeply_nested_cautions_file_reads_as_none_read(tmp_path: Path, path: Path) -> None:
    log = CautionLog(place(tmp_path / "cautions.json", path))
    assert log.needs_showing("calf", ["Stop if it hurts."]) is True


@needs_fifo
def test_a_fifo_as_the_cautions_file_reads_as_none_read_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cautions.json"
    os.mkfifo(path)
    log = CautionLog(path)
    assert promptly(lambda: log.needs_showing("calf", ["Stop if it hurts."])) is True
    log.acknowledge("calf", ["Stop if it hurts."])
    assert stat.S_ISREG(path.lstat().st_mode)
    assert log.needs_showing("calf", ["Stop if it hurts."]) is False


# -- through the commands --------------------------------------------------------------


@needs_fifo
def test_commands_go_on_with_fifos_for_settings_and_index(
    child_env: dict[str, str], write: Callable[..., Path], tmp_path: Path
) -> None:
    config = Path(child_env["STRETCH_COACH_CONFIG_DIR"])
    cache = Path(child_env["STRETCH_COACH_CACHE_DIR"])
    for fifo in (config / "settings.toml", cache / "library-index.json"):
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
    routine = write("quick.yaml", "title: Quick\nsteps:\n  - {name: Calf, hold: 0.1, prepare: 0}\n")
    notice = (
        f"stretch-coach: Could not use {config / 'settings.toml'}: it is a named pipe (FIFO), "
        "not a regular file. Using the defaults for what could not be read; the file is kept "
        "as it is, and saving settings will move it aside first."
    )
    for args in (
        ["list"],
        ["show", str(routine)],
        ["run", str(routine), "--plain", "--audio", "none"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "stretch_coach", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=child_env,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, (args, done.stderr)
        # Why the settings were not used, in one line; the command goes on with the defaults.
        assert done.stderr.splitlines() == [notice], args
