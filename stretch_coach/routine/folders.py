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
    installed pack), except hidden ones (``.git``, a pack half-installed);
    none if unreadable.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(root)
        found.extend(
            base / name
            for name in files
            if Path(name).suffix.lower() in ROUTINE_SUFFIXES
            and not name.startswith(".")
            and (base / name).is_file()
        )
    return sorted(found)


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
