"""The library index: what the library list shows, kept from the last full load.

It sits above the routine format and the timeline (its rows carry totals), so
the format layer never needs the timeline.

Reading the library means importing the YAML reader and the loader and
parsing every file, which is most of what the coach does before its first
frame beyond Textual's own start. The list itself needs little of that: each
file's id, title, tags, total time, self-paced count, and whether it is valid
with its first problem. The index keeps exactly those rows, as the full load
made them (so duplicate ids, broken includes and every message are the
loader's own), in ``cache_dir()/library-index.json``, with what they were
made from:

* the library's folders, and the routine files in each;
* every file the load depended on, each by ``(mtime_ns, ctime_ns, size,
  inode)``: the routine files, files they include, the ``.wav`` cues they
  name, and the folders themselves (a sound file added or removed beside a
  routine changes its folder);
* the prepare setting the totals were worked out with, the package version
  and :data:`INDEX_FORMAT`.

When all of that is unchanged, the rows are used as they are; otherwise the
index is a miss. The coach loads the full library right after its first
frame anyway and puts the real rows in place if they differ, so a change the
index cannot see (a sound file appearing in a sub-folder, say) is shown a
moment later, never missed.

The index is only a cache: a missing, unreadable or corrupt file is a miss,
and writing it is atomic and never fails loudly (a read-only cache folder
just means no index). So is one nested too deeply for the JSON reader, one
over :data:`MAX_INDEX_BYTES`, and a FIFO or device in its place, which is
never opened; the next write replaces it with a real index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stretch_coach import __version__
from stretch_coach.routine.errors import Problem
from stretch_coach.routine.folders import routine_files

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry, Library

#: Changes whenever the index file's layout or meaning changes.
INDEX_FORMAT = 1
INDEX_FILE = "library-index.json"
#: Far more than any library's index (a few hundred bytes a routine); a bigger file is no index.
MAX_INDEX_BYTES = 64 << 20

#: A file as last seen: (mtime_ns, ctime_ns, size, inode), or ``None`` if missing.
Signature = tuple[int, int, int, int] | None


def signature(path: Path | str) -> Signature:
    """How ``path`` looks on disk now (``None`` when it does not exist)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def index_path() -> Path:
    """Where the index is kept."""
    from stretch_coach import paths

    return paths.cache_dir() / INDEX_FILE


@dataclass(frozen=True)
class Listed:
    """One routine file as the library list shows it: a row of the index.

    It has the same ``path``, ``shown``, ``origin``, ``id``, ``title``,
    ``tags`` and ``valid`` as the library :class:`~stretch_coach.routine.library.Entry`
    it was made from, plus what the list shows of the rest.

    Attributes:
        total: timed seconds, with the prepare setting it was listed with.
        untimed: how many steps are self-paced.
        problem: the first problem, for an invalid file.
    """

    path: Path
    shown: str
    origin: str
    id: str
    title: str
    tags: tuple[str, ...]
    valid: bool
    total: float = 0.0
    untimed: int = 0
    problem: Problem | None = None


def listed(entry: Entry, prepare: float | None = None) -> Listed:
    """The row the list shows for ``entry``, with the prepare setting ``prepare``."""
    from stretch_coach.timeline import plan_total

    problems = entry.problems
    total, untimed = plan_total(entry, prepare) if entry.valid else (0.0, 0)
    return Listed(
        path=entry.path,
        shown=entry.shown,
        origin=entry.origin,
        id=entry.id,
        title=entry.title,
        tags=entry.tags,
        valid=entry.valid,
        total=total,
        untimed=untimed,
        problem=problems[0] if problems else None,
    )


def listing(library: Library, prepare: float | None = None) -> list[Listed]:
    """Every row of the list for ``library``."""
    return [listed(entry, prepare) for entry in library.entries]


def depends_on(library: Library) -> set[str]:
    """Files besides the folders' routine files that ``library``'s rows depend on.

    Included files, the ``.wav`` cues (a phase's own sound too) and the step
    pictures of every routine read, so a change to one of them makes the
    index a miss.
    """
    found = {str(path) for path in library.read_files}
    for entry in library.entries:
        layers = []
        if entry.routine is not None:
            layers.append(entry.routine.cues)
            layers += [getattr(step, "cues", {}) for step in entry.routine.steps]
        for planned in entry.plan:
            layers += [planned.sounds, planned.step.cues]
            phase_sounds = (p.sound for p in planned.step.phases if p.sound is not None)
            layers.append({str(i): sound for i, sound in enumerate(phase_sounds)})
            if planned.step.image is not None:
                found.add(str(planned.step.image.path))
        found.update(str(s.path) for layer in layers for s in layer.values() if s.path is not None)
    return found


class LibraryIndex:
    """The index of one library: its folders as they are now, and the rows kept for them.

    Making one looks at the folders (a directory listing and a ``stat`` per
    file); nothing is read or parsed until :meth:`load`.

    Args:
        folders: the library's folders with their origins, as
            :func:`~stretch_coach.routine.folders.library_folders` gives them.
        path: the index file (default: :func:`index_path`).
    """

    def __init__(self, folders: Sequence[tuple[Path, str]], path: Path | None = None) -> None:
        self.folders = list(folders)
        self.path = path if path is not None else index_path()
        self._folders = [[str(folder), origin] for folder, origin in self.folders]
        self._files = [[str(p) for p in routine_files(folder)] for folder, _ in self.folders]
        self._seen: dict[str, Signature] = {
            name: signature(name)
            for name in (
                *(str(folder) for folder, _ in self.folders),
                *(f for fs in self._files for f in fs),
            )
        }

    def read(self, prepare: float | None) -> list[Listed] | None:
        """The rows kept for this library and ``prepare``, or ``None`` if anything changed."""
        from stretch_coach.paths import read_regular_file

        try:
            data = json.loads(read_regular_file(self.path, MAX_INDEX_BYTES))
            if not (
                data["format"] == INDEX_FORMAT
                and data["version"] == __version__
                and data["prepare"] == prepare
                and data["folders"] == self._folders
                and data["files"] == self._files
            ):
                return None
            names = set()
            for name, seen in data["seen"]:
                now = self._seen[name] if name in self._seen else signature(name)
                if seen != (list(now) if now is not None else None):
                    return None
                names.add(name)
            if not names >= self._seen.keys():
                return None
            return [_row(row) for row in data["rows"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # no index, or not one this version wrote: read the library

    def load(self) -> Library:
        """The full library of these folders (YAML, loader and all)."""
        from stretch_coach.routine.library import Library

        return Library.from_folders(self.folders)

    def write(
        self, library: Library, prepare: float | None, rows: Iterable[Listed] | None = None
    ) -> bool:
        """Keep ``library``'s rows (for ``prepare``) in the index; ``False`` if it
        could not be written.

        The folders and their routine files are recorded as they were when
        this index was made, before ``library`` was read: a file changed while
        it was being read then makes the next start a miss, never a stale hit.
        (The files they include and the sounds they name are only known from
        the load, so they are looked at now.)
        """
        seen = dict(self._seen)
        for name in sorted(depends_on(library)):
            seen.setdefault(name, signature(name))
        data = {
            "format": INDEX_FORMAT,
            "version": __version__,
            "prepare": prepare,
            "folders": self._folders,
            "files": self._files,
            "seen": [[name, list(sig) if sig is not None else None] for name, sig in seen.items()],
            "rows": [_data(row) for row in (listing(library, prepare) if rows is None else rows)],
        }
        try:
            from stretch_coach import paths
            from stretch_coach.settings import atomic_write

            paths.ensure_dir(self.path.parent)
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        except (OSError, ValueError):
            return False  # only a cache: the next start reads the library
        return True


def _data(row: Listed) -> dict[str, Any]:
    p = row.problem
    return {
        "path": str(row.path),
        "shown": row.shown,
        "origin": row.origin,
        "id": row.id,
        "title": row.title,
        "tags": list(row.tags),
        "valid": row.valid,
        "total": row.total,
        "untimed": row.untimed,
        "problem": None if p is None else [p.file, p.line, p.column, p.key, p.message],
    }


def _row(data: dict[str, Any]) -> Listed:
    """A row as :func:`_data` wrote it; ``TypeError`` for anything else."""
    tags, problem = data["tags"], data["problem"]
    if not (
        _typed([data[k] for k in ("path", "shown", "origin", "id", "title")], (str,) * 5)
        and isinstance(tags, list)
        and _typed(tags, (str,) * len(tags))
        and isinstance(data["valid"], bool)
        and isinstance(data["total"], (int, float))
        and not isinstance(data["total"], bool)
        and _typed([data["untimed"]], (int,))
        and (
            problem is None
            or (isinstance(problem, list) and _typed(problem, (str, int, int, str, str)))
        )
    ):
        raise TypeError("not a row of the library index")
    return Listed(
        path=Path(data["path"]),
        shown=data["shown"],
        origin=data["origin"],
        id=data["id"],
        title=data["title"],
        tags=tuple(tags),
        valid=data["valid"],
        total=float(data["total"]),
        untimed=data["untimed"],
        problem=None if problem is None else Problem(*problem),
    )


def _typed(values: Sequence[Any], types: Sequence[type]) -> bool:
    """Whether ``values`` are exactly of ``types``, one for one (``bool`` is no ``int`` here)."""
    return len(values) == len(types) and all(
        type(value) is kind for value, kind in zip(values, types, strict=False)
    )


class LibraryWatch:
    """Whether a library's files changed since it was read: a few ``stat`` calls, no reading.

    The coach looks every few seconds, and whenever the library comes back into
    view, so a routine saved in an editor, added or removed (a sub-folder's
    too) shows without a restart. What is looked at is what the index looks
    at: the folders, every routine file in them, and the files the library
    read besides (included files, ``.wav`` cues).

    Make one *before* reading the library (a file changed while it is read
    then counts as a change), then give it the library with :meth:`depend`.

    Args:
        folders: the library's folders with their origins.
    """

    def __init__(self, folders: Sequence[tuple[Path, str]]) -> None:
        self.folders = list(folders)
        self._depends: list[str] = []
        self._seen = self._look()

    def _look(self) -> dict[str, Signature]:
        names = [str(folder) for folder, _ in self.folders]
        names += [str(p) for folder, _ in self.folders for p in routine_files(folder)]
        return {name: signature(name) for name in (*names, *self._depends)}

    def depend(self, library: Library) -> None:
        """Also watch the files ``library`` read besides its folders' routine files."""
        self._depends = sorted(depends_on(library) - self._seen.keys())
        for name in self._depends:
            self._seen[name] = signature(name)

    def changed(self) -> bool:
        """Whether any file was changed, added or removed since this watch was made."""
        return self._look() != self._seen
