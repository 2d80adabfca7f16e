"""The history as the TUI's screens use it: opened in worker threads, its notice said once.

Opening is file I/O (and a quick check of the database), so it happens in a
worker thread, never on the app's loop. A damaged history found on opening is
kept aside by the store, which says so in :attr:`HistoryStore.notice`; the
first screen to open the store shows that notice as a warning notification
(the file is moved aside then, so later openings have nothing to say).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from stretch_coach.history import times

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from stretch_coach.history.model import Overview
    from stretch_coach.history.store import HistoryStore

#: Gives the current wall-clock time, aware (tests pass a fixed one).
Now = Callable[[], datetime]
#: How many of the newest sessions the history screen lists.
RECENT = 10
#: The most weeks the history screen's calendar shows (it reads no older days).
MAX_WEEKS = 16
#: How long the damaged-history notice stays up: long enough to read a path.
NOTICE_SECONDS = 30


def wall_clock(now: Now | None) -> Now:
    """``now``, or the local clock when it is ``None``."""
    return now or times.now


def open_store(app: App[Any], *, create: bool) -> HistoryStore:
    """Open the user's history from a worker thread, showing the store's notice if it has one.

    Args:
        app: the app to show the notice in (notifications are thread-safe).
        create: create the file if missing (for writing); without it a missing
            file gives an empty store in memory, so merely looking writes nothing.

    Raises:
        HistoryError: the history cannot be opened; its message says why and what to do.
    """
    from stretch_coach.history.store import HistoryStore

    store = HistoryStore.open(create=create)
    if store.notice:
        notice = store.notice[0].upper() + store.notice[1:] + "."
        app.notify(
            notice, title="History", severity="warning", timeout=NOTICE_SECONDS, markup=False
        )
    return store


def read_overview(app: App[Any], now: Now | None, recent: int) -> Overview | str:
    """What the history screen shows, read from a worker thread; or why it cannot be read.

    Looking never creates the history: a missing file reads as an empty one.
    """
    from dataclasses import replace

    from stretch_coach.history.errors import HistoryError
    from stretch_coach.history.nights import excluded_routines

    today = wall_clock(now)().date()
    since = times.week_start(today) - timedelta(weeks=MAX_WEEKS - 1)
    # The app's library says which routines are not a routine before the night
    # (before it is loaded, none is left out: the screen reads again on reload).
    library = getattr(app, "library", None)
    excluded = excluded_routines(library.entries) if library is not None else set()
    try:
        with open_store(app, create=False) as store:
            overview = store.overview(today=today, recent=recent, since=since)
            return replace(overview, insight=store.insight(excluded_routines=excluded))
    except HistoryError as err:
        return err.message
    except Exception as err:
        return f"{type(err).__name__}: {err}"


def start_reading(app: App[Any], now: Now | None, recent: int = RECENT) -> Worker[Overview | str]:
    """Start reading the history screen's overview in a worker thread, before the screen is built.

    The app calls this as the history is asked for, so the read overlaps the
    screen's imports and layout instead of following them.
    """
    return app.run_worker(
        partial(read_overview, app, now, recent),
        thread=True,
        group="history-read",
        exit_on_error=False,
    )
