"""The core never imports Textual: each core module is imported alone in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import stretch_coach

#: The one package that may import Textual.
TUI = "stretch_coach.tui"


def _is_tui(name: str) -> bool:
    return name == TUI or name.startswith(TUI + ".")


def _walk_error(name: str) -> None:
    # walk_packages imports each package to look inside; only the TUI's may fail here.
    if not _is_tui(name):
        raise ImportError(f"cannot import {name}")


def core_modules() -> list[str]:
    """Every module of the package except the TUI's and ``__main__`` (which would run)."""
    found = pkgutil.walk_packages(stretch_coach.__path__, "stretch_coach.", onerror=_walk_error)
    names = [m.name for m in found if not _is_tui(m.name) and not m.name.endswith(".__main__")]
    return sorted(["stretch_coach", *names])


def test_the_core_modules_are_found() -> None:
    found = core_modules()
    for expected in (
        "stretch_coach.cli",
        "stretch_coach.timeline",
        "stretch_coach.routine.library",
        "stretch_coach.engine.session",
        "stretch_coach.engine.driver",
        "stretch_coach.plain",
        "stretch_coach.commands.run",
    ):
        assert expected in found
    assert not any(name.startswith("stretch_coach.tui") for name in found)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
