"""Where a command may write a file the user names: never over what stretch-coach keeps.

A report, an export or a cue log written over the history database would
destroy the history; over ``settings.toml``, a routine file or a FIFO, it
would lose the user's work or hang. :func:`check_output` refuses such a path
with one clear line (exit 2) before anything is written; it may name a new
regular file, or an existing one that is none of these.

Paths are compared resolved (through symbolic links and ``..``), and with
:func:`os.path.samefile` where the target exists (a hard link, another mount
of the same folder).

This module sits on the ground floor (it imports only :mod:`stretch_coach.paths`
and :mod:`stretch_coach.errors`), so any front-end can use it: ``report -o``,
``export FILE`` and ``run --cue-log``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from stretch_coach import paths
from stretch_coach.errors import UserError

#: The history database's file name in the data folder; its companions
#: (``-wal``, ``-shm``, ``-journal``) and the copies kept aside
#: (``.corrupt-...``, ``.before-repair-...``) start with it too.
#: The same as :data:`stretch_coach.history.db.DB_NAME` (a test keeps them equal).
HISTORY_NAME = "history.sqlite3"
#: The settings file in the config folder (:data:`stretch_coach.settings.SETTINGS_FILE`).
SETTINGS_NAME = "settings.toml"
#: The cautions already read, in the data folder (:data:`stretch_coach.settings.CAUTIONS_FILE`).
CAUTIONS_NAME = "cautions.json"
#: The suffixes of routine files (:data:`stretch_coach.routine.folders.ROUTINE_SUFFIXES`).
ROUTINE_SUFFIXES = (".yaml", ".yml")
#: The variable naming more library folders (:data:`stretch_coach.routine.folders.ENV_LIBRARY`).
ENV_LIBRARY = "STRETCH_COACH_LIBRARY"


def check_output(
    target: str | Path, *, option: str = "", library: Sequence[str | Path] = ()
) -> Path:
    """Refuse an output path that would overwrite what stretch-coach keeps, or is no file.

    Args:
        target: the path the user gave.
        option: how the user gave it, for the message (``--output``, ``FILE``).
        library: the library folders given on the command line (``--library``),
            beside the user's routine folder and ``STRETCH_COACH_LIBRARY``.

    Returns:
        ``target`` as a path, to write (it may not exist yet).

    Raises:
        UserError: naming the path and what it is (exit 2); nothing was written.
    """
    path = Path(target).expanduser()
    where = f"{option} {target}" if option else str(target)
    problem = _problem(path, [Path(p).expanduser() for p in library])
    if problem:
        raise UserError(f"{where}: {problem}; give another file name")
    return path


def _problem(path: Path, library: list[Path]) -> str | None:
    try:
        info = path.stat()  # through a symbolic link, to what would be written
    except FileNotFoundError:
        info = None
    except OSError as err:
        return f"cannot be written ({err.strerror})"
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        return f"is {kind}, and only a regular file can be written"
    resolved = path.resolve()
    for kept, what in _kept_files():
        if _same(path, resolved, kept):
            return f"is {what} ({kept}); writing there would replace it"
    data = paths.data_dir().resolve()
    if resolved.parent == data and resolved.name.startswith(HISTORY_NAME):
        return f"is part of the history database or a copy of it, in {data}"
    if resolved.suffix.lower() in ROUTINE_SUFFIXES:
        for folder in _library_folders(library):
            if resolved.is_relative_to(folder):
                return f"is a routine file in the library folder {folder}"
    return None


def _kept_files() -> Iterator[tuple[Path, str]]:
    data = paths.data_dir()
    yield data / HISTORY_NAME, "the history database"
    for suffix in ("-wal", "-shm", "-journal"):
        yield data / (HISTORY_NAME + suffix), "part of the history database"
    yield paths.config_dir() / SETTINGS_NAME, "the settings file"
    yield data / CAUTIONS_NAME, "the list of cautions already read"


def _same(path: Path, resolved: Path, kept: Path) -> bool:
    if resolved == kept.resolve():
        return True
    try:
        return os.path.samefile(path, kept)
    except OSError:  # one of them does not exist: not the same file
        return False


def _library_folders(extra: list[Path]) -> list[Path]:
    from stretch_coach.resources import bundled_routines_dir

    folders = [paths.user_routines_dir()]
    with suppress(FileNotFoundError):
        folders.append(bundled_routines_dir())
    given = [p for p in os.environ.get(ENV_LIBRARY, "").split(os.pathsep) if p.strip()]
    folders += [*map(Path, given), *extra]
    return [folder.expanduser().resolve() for folder in folders]


@contextmanager
def atomic_output(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """Write ``path`` whole or not at all: a reader sees the old file or the new, never half.

    The text goes to a temporary file beside ``path`` (readable by the user
    only: reports and exports hold health records), which replaces ``path``
    when the block ends without an error; on an error it is removed and
    ``path`` is left as it was. Writing streams: nothing is held in memory.

    Args:
        path: the file to write (checked with :func:`check_output` first).
        newline: :func:`open`'s; ``""`` writes line endings as given (CSV's ``\\r\\n``).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at the null device, and drop what it still holds.

    For an output that is gone (a closed terminal answers every write with
    EIO): what is still buffered, or written later by anyone, would fail
    again at every flush, and at the interpreter's exit turn a clean end
    into exit code 120. The null device takes it all quietly.
    """
    with suppress(OSError, ValueError, AttributeError):
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)
    with suppress(OSError, ValueError, AttributeError):
        stream.flush()  # now into the null device: the buffer is empty again
