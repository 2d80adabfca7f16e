"""The history store: sessions as they are played, and the cramp diary, in one SQLite file.

The engine records a session while it plays::

    store = HistoryStore.open()
    record = store.start_session(routine.id, routine.title, content_hash(routine.path), planned)
    record.step_done(0, "Calf stretch", 62.0)
    record.step_skipped(1, "Heel walking")
    record.finish("finished")

Every call is its own committed write, so a crash or ``kill -9`` loses at most
the step in progress and leaves the session ``in_progress``, which is shown as
not finished. The file uses WAL mode and waits for a busy lock, so two
programs recording at once both keep their records.

The store is put together from one module a job:

* :mod:`~stretch_coach.history.db`: opening, recovery, and the one way to read and write;
* :mod:`~stretch_coach.history.records`: sessions, their steps and the diary, one at a time;
* :mod:`~stretch_coach.history.queries`: summaries (days, routines, the streak, the overview);
* :mod:`~stretch_coach.history.merge`: export and merging an import.

Opening is careful with what it finds:

* a file written by a newer stretch-coach is refused (:class:`HistoryTooNew`)
  before SQLite opens it, so it is never touched;
* a file SQLite reports as damaged is renamed aside
  (``history.sqlite3.corrupt-YYYYmmddTHHMMSS``), a new one is started, and
  :attr:`HistoryStore.set_aside` names the kept file: the caller must tell the
  user (the CLI prints it), so it is never replaced silently;
* an SQLite file that is not a stretch-coach history is refused and left alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from stretch_coach.history.db import BUSY_TIMEOUT_SECONDS, DB_NAME, HistoryDatabase, default_path
from stretch_coach.history.merge import HistoryTransfer, MergeResult
from stretch_coach.history.programs import HistoryPrograms
from stretch_coach.history.queries import HistoryQueries
from stretch_coach.history.records import SessionRecord
from stretch_coach.history.trials import HistoryTrials

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "DB_NAME",
    "HistoryDatabase",
    "HistoryStore",
    "MergeResult",
    "SessionRecord",
    "content_hash",
    "default_path",
]


def content_hash(source: Path | bytes) -> str:
    """Identify a routine's content: ``sha256:`` and the hex digest of its file's bytes.

    Args:
        source: the routine file, or its bytes.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return "sha256:" + hashlib.sha256(data).hexdigest()


class HistoryStore(HistoryQueries, HistoryTransfer, HistoryPrograms, HistoryTrials):
    """Sessions and the cramp diary in one SQLite database.

    Use :meth:`open` rather than the constructor. The store may be shared
    between threads (a TUI's workers); each method holds a lock while it uses
    the connection.

    Attributes:
        path: the database file, or ``None`` for an empty store in memory.
        set_aside: a damaged database found on opening and kept under this name.
        notice: if not ``None``, a sentence the caller must show the user
            (what was found damaged and where it was kept).
    """
