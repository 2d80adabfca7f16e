"""Fixtures for the unit tests: a hermetic home and a way to write routine files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


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
