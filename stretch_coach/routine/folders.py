"""Where the library's routine files are: its folders and the files in them, unread.

Kept apart from the loader so that looking at what is there (the start-up
check of the library index) imports no YAML and parses nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from stretch_coach.errors import UserError

#: The names a routine file may end in.
ROUTINE_SUFFIXES = (".yaml", ".yml")
ENV_LIBRARY = "STRETCH_COACH_LIBRARY"


def routine_files(folder: Path) -> list[Path]:
    """The routine files of ``folder`` and its sub-folders, in the order the library reads them.

    Sub-folders are read (a practitioner's ``night-cramp/`` folder, an
    installed pack), except hidden ones (``.git``, a pack half-installed) and
    links to folders; none if unreadable. What ``os.walk`` would find, told
    apart by the folder's own listing: no ``stat`` a file, but for a link.
    """
    found: list[Path] = []
    _scan(os.fspath(folder), folder, found)
    return sorted(found)


def _scan(top: str, base: Path, found: list[Path]) -> None:
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except OSError:  # as os.walk: an unreadable folder holds nothing
        return
    folders: list[os.DirEntry[str]] = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.is_symlink():  # os.walk does not follow links to folders
                folders.append(entry)
            continue
        # Not hidden, so a name ending in .yaml has .yaml as its suffix.
        if not name.lower().endswith(ROUTINE_SUFFIXES):
            continue
        try:
            regular = entry.is_file()  # follows a link, as Path.is_file
        except OSError:
            regular = False
        if regular:
            found.append(base / name)
    for entry in folders:
        _scan(entry.path, base / entry.name, found)


def library_folders(
    extra: Sequence[str] = (), create_user_dir: bool = True
) -> list[tuple[Path, str]]:
    """The folders of the default library: bundled, the user's, env, then ``--library``.

    Raises:
        UserError: if a folder given by the user does not exist.
    """
    from stretch_coach import paths
    from stretch_coach.resources import bundled_routines_dir

    user = paths.user_routines_dir()
    if create_user_dir:
        # a read-only home still lists the bundled routines
        with contextlib.suppress(OSError):
            paths.ensure_dir(user)
    folders = [(bundled_routines_dir(), "bundled"), (user, "user")]
    env = [p for p in os.environ.get(ENV_LIBRARY, "").split(os.pathsep) if p.strip()]
    for source, given in ((ENV_LIBRARY, env), ("--library", list(extra))):
        for text in given:
            folder = Path(text).expanduser()
            if not folder.is_dir():
                raise UserError(f"{source} {text}: no such folder")
            folders.append((folder, "library"))
    return folders
