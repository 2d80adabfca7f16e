"""Where a command may write a file the user names: never over what stretch-coach keeps.

A report, an export, a handout, a pack or a cue log written over the history
database would destroy the history; over ``settings.toml``, a routine file
(in the library or not) or a FIFO, it would lose the user's work or hang.
:func:`check_output` is the one guard every command that writes a file asks
first: it refuses such a path with one clear line (exit 2) before anything
is written; it may name a new regular file, or an existing one that is none
of these.

Paths are compared resolved (through symbolic links and ``..``), and with
:func:`os.path.samefile` where the target exists (a hard link, another mount
of the same folder).

This module sits on the ground floor (it imports only :mod:`stretch_coach.paths`
and :mod:`stretch_coach.errors`), so any front-end can use it: ``report -o``,
``export FILE``, ``handout -o``, ``pack -o``, ``new -o`` and ``run --cue-log``.
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
    target: str | Path,
    *,
    option: str = "",
    noun: str = "the output",
    suffixes: Sequence[str] = (),
    suggest: str = "",
    library: Sequence[str | Path] = (),
    routine: bool = False,
) -> Path:
    """The one guard of every file a command writes where the user says.

    Every writer (``report -o``, ``export FILE``, ``handout -o``, ``pack -o``,
    ``new -o``, ``run --cue-log``) asks it first, so they all refuse the same
    paths in the same words: one line, exit 2, nothing written.

    Refused: a folder, a FIFO, a device or a socket; a path in no folder; the
    history database (its companions and the copies kept aside too), the
    settings file and the list of cautions read; any routine file (``.yaml``,
    ``.yml``: a new one too, unless the output *is* a routine); an existing
    file, when the output is a new routine; and a name whose suffix is not
    one of ``suffixes``, when the command has them (what it writes follows
    from them, so a Markdown report never lands in ``r.pdf``).

    Args:
        target: the path the user gave.
        option: how the user gave it, for the message (``-o``, ``--cue-log``, ``export``).
        noun: what the command writes, for the message (``the report``).
        suffixes: the names it may write (lower case, with the dot); empty: any.
        suggest: the suffix to suggest for a refused name (default: the first of ``suffixes``).
        library: the library folders given on the command line (``--library``),
            beside the user's routine folder and ``STRETCH_COACH_LIBRARY``, to
            say where a routine file is.
        routine: the output is a new routine file (``new -o``): it may be
            named ``.yaml``, and must not exist yet.

    Returns:
        ``target`` as a path, to write (it may not exist yet).

    Raises:
        UserError: naming the path, what it is and the fix (exit 2); nothing was written.
    """
    path = Path(target).expanduser()
    where = f"{option} {target}" if option else str(target)
    problem = _problem(path, [Path(p).expanduser() for p in library], routine=routine)
    if problem:
        raise UserError(f"{where}: {problem}; write {noun} to another file")
    suffix = path.suffix.lower()
    if suffixes and suffix not in suffixes:
        names = " or ".join(", ".join(suffixes).rsplit(", ", 1))
        better = path.with_suffix(suggest or suffixes[0]) if path.name else path
        raise UserError(f"{where}: {noun} is written to a {names} file; name it {better}")
    if not routine and suffix in ROUTINE_SUFFIXES:
        # No suffix rule (a cue log): a new .yaml file would read as a routine.
        raise UserError(f"{where}: that is a routine file's name; write {noun} to another file")
    return path


def _problem(path: Path, library: list[Path], *, routine: bool) -> str | None:
    """What ``path`` is, if it may not be written, as ``that is ...``."""
    try:
        info = path.stat()  # through a symbolic link, to what would be written
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        return "that path goes through a file as if it were a folder"
    except OSError as err:
        return f"that cannot be written ({err.strerror})"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return f"that is {paths.file_kind(info.st_mode)}, and only a regular file can be written"
    if info is None and not path.parent.is_dir():
        return f"there is no folder {path.parent}"
    resolved = path.resolve()
    for kept, what in _kept_files():
        if _same(path, resolved, kept):
            return f"that is {what} ({kept})"
    data = paths.data_dir().resolve()
    if resolved.parent == data and resolved.name.startswith(HISTORY_NAME):
        return f"that is part of the history database or a copy of it, in {data}"
    if info is not None and resolved.suffix.lower() in ROUTINE_SUFFIXES:
        for folder in _library_folders(library):
            if resolved.is_relative_to(folder):
                return f"that is a routine file in the library folder {folder}"
        return "that is a routine file"
    if routine and info is not None:
        return "that file already exists, and is left as it is"
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
