"""The files that ship inside the package: bundled routines and cue sounds.

In a wheel, ``routines/`` and ``sounds/`` are mapped into the package (see
``pyproject.toml``); in a checkout or an editable install they sit at the top
level beside the package. Both layouts are found here and nowhere else.

The package's own folder is what ``importlib.resources.files`` gives for a
package on disk, without importing ``importlib.resources`` (a few ms of
every start of the coach).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent


def _shipped_dir(name: str) -> Path:
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.resolve().parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the bundled {name!r} folder is missing from this installation")


def bundled_routines_dir() -> Path:
    """The folder of routines that ship with stretch-coach."""
    return _shipped_dir("routines")


def bundled_sounds_dir() -> Path:
    """The folder of cue sounds that ship with stretch-coach."""
    return _shipped_dir("sounds")
