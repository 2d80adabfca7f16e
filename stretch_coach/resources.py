"""The files that ship inside the package: bundled routines and cue sounds.

In a wheel, ``routines/`` and ``sounds/`` are mapped into the package (see
``pyproject.toml``); in a checkout or an editable install they sit at the top
level beside the package. Both layouts are found here and nowhere else.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _shipped_dir(name: str) -> Path:
    packaged = Path(str(resources.files("stretch_coach"))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the bundled {name!r} folder is missing from this installation")


def bundled_routines_dir() -> Path:
    """The folder of routines that ship with stretch-coach."""
    return _shipped_dir("routines")


def bundled_sounds_dir() -> Path:
    """The folder of cue sounds that ship with stretch-coach."""
    return _shipped_dir("sounds")
