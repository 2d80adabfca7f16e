"""Where stretch-coach keeps its files.

All directories come from here, so tests (and people with unusual set-ups) can
point them elsewhere with environment variables:

* ``STRETCH_COACH_CONFIG_DIR``: settings (default: the platform's user config dir)
* ``STRETCH_COACH_DATA_DIR``: history database and the user's routine folder
  (default: the platform's user data dir)
* ``STRETCH_COACH_CACHE_DIR``: rendered speech, the library index and other
  throw-away files

Nothing here creates a directory except :func:`ensure_dir`, so merely asking
where something lives never touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "stretch-coach"


def _from_env(var: str) -> Path | None:
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """The folder holding ``settings.toml``."""
    env = _from_env("STRETCH_COACH_CONFIG_DIR")
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The folder holding the history database and the user's routines."""
    env = _from_env("STRETCH_COACH_DATA_DIR")
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The folder for files that can be rebuilt at any time (rendered speech, the library index)."""
    env = _from_env("STRETCH_COACH_CACHE_DIR")
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def user_routines_dir() -> Path:
    """The user's own routine folder (created on demand by :func:`ensure_dir`)."""
    return data_dir() / "routines"


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed, readable by the user only.

    Every folder it creates is ``0700``, the parents too: the data folder is
    often made as the parent of the routine folder by whichever command runs
    first, and it holds the history.
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made by another program meanwhile
            continue
        folder.chmod(0o700)  # whatever the umask
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)  # says why it cannot be
    return path
