"""Fixtures for the unit tests: a hermetic home, a way to write routine files, and the CLI."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach import cli

#: ``run(*argv)``: the CLI's exit code, standard output and standard error.
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def hermetic_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point config, data and cache at a fresh folder; forget any user library."""
    home = tmp_path_factory.mktemp("home")
    for var in ("CONFIG", "DATA", "CACHE"):
        monkeypatch.setenv(f"STRETCH_COACH_{var}_DIR", str(home / var.lower()))
    monkeypatch.delenv("STRETCH_COACH_LIBRARY", raising=False)
    return home


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a dedented routine file into ``tmp_path`` (or a sub-folder) and return its path."""

    def _write(name: str, text: str, folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of the test's own (not yet created); config and cache beside it."""
    folder = tmp_path / "data"
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(folder))
    monkeypatch.setenv("STRETCH_COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STRETCH_COACH_CACHE_DIR", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """The CLI over :func:`data_dir`: ``run("diary", "list")`` gives (code, out, err)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
