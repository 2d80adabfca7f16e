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

import errno
import os
import stat
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


class NotARegularFile(OSError):
    """A path names a FIFO, a device or a socket: never read (it could block forever).

    Attributes:
        what: what it is instead, in words ("a named pipe (FIFO)").
    """

    def __init__(self, what: str) -> None:
        super().__init__(errno.EINVAL, f"it is {what}, not a regular file")
        self.what = what


def read_regular_file(path: Path, limit: int) -> bytes:
    """Read at most ``limit`` bytes of ``path``, refusing anything but a regular file.

    For the files stretch-coach keeps for itself (settings, the library index,
    the cautions read): ``os.stat`` first, so a FIFO or a device is never even
    opened; then opened non-blocking (should it have been swapped for a FIFO
    since, opening one with no writer would otherwise wait for ever) and
    checked again with ``fstat`` on the open descriptor, which is what is read.

    Raises:
        FileNotFoundError: there is no such file.
        IsADirectoryError: it is a folder.
        NotARegularFile: it is a FIFO, a device or a socket.
        OSError: it cannot be opened or read.
    """
    _check_regular(os.stat(path).st_mode, path)
    fd = os.open(path, _READ_FLAGS)
    try:
        status = os.fstat(fd)
        _check_regular(status.st_mode, path)
        # Ask for what the file holds, and a byte more to see its end (a file
        # that grew since is read on). Never more than 64 KiB at once: a read
        # of 1 MiB makes a 1 MiB buffer, which the allocator maps and unmaps
        # for every file of a library.
        expected = status.st_size + 1
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(limit - size, max(expected - size, 4096), _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_READ_CHUNK = 1 << 16


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: ``a folder``, ``a device``..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"


def _check_regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    if not stat.S_ISREG(mode):
        raise NotARegularFile(file_kind(mode))
