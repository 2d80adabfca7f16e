"""``agenda.due_entries``: what the coach's "Today" entry offers to start."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stretch_coach import agenda
from stretch_coach.history.store import HistoryStore
from stretch_coach.routine.library import default_library


def test_a_followed_program_offers_its_session_for_the_day(tmp_path: Path) -> None:
    library = default_library()
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        assert agenda.due_entries(library, date(2026, 11, 2), store) == []
        store.follow("nightly-bedtime", date(2026, 11, 2))
        (due, entry), *rest = agenda.due_entries(library, date(2026, 11, 2), store)
        assert rest == []
        assert (due.program, due.status, due.week) == ("nightly-bedtime", "active", 1)
        program = library.get_program("nightly-bedtime")
        assert program is not None
        assert entry == program.session_entry(1)
        # The day before the program starts, nothing is due.
        assert agenda.due_entries(library, date(2026, 11, 1), store) == []


def test_a_history_that_cannot_be_read_means_nothing_is_due(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "history.sqlite3")
    store.follow("nightly-bedtime", date(2026, 11, 2))
    store.close()  # reading a closed store fails: due_entries never raises
    assert agenda.due_entries(default_library(), date(2026, 11, 2), store) == []
