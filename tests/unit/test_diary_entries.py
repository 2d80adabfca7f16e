"""Saving diary entries through the core API a diary form calls, with what to tell the person."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach.history import diary, redflags
from stretch_coach.history.errors import HistoryError
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore.open(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_add_entry_saves_and_returns_the_signs_to_say(store) -> None:
    saved, signs = diary.add_entry(store, Cramp(at=T0, duration_seconds=700, severity=9))
    assert saved.id == 1 and saved.uuid
    assert [s.kind for s in signs] == ["long"]
    assert store.cramps() == [saved]
    assert diary.add_entry(store, Cramp(at=T0 + timedelta(days=1)))[1] == []
    _, signs = diary.add_entry(store, Cramp(at=T0 + timedelta(days=2)))
    assert redflags.message(signs) == (
        "This is a reason to see a doctor: 3 cramps logged in 7 days: frequent leg cramps "
        "(the sources give no number, this app uses 3)."
    )


def test_edit_entry_returns_only_the_signs_the_edit_brought(store) -> None:
    saved, _ = diary.add_entry(store, Cramp(at=T0, symptoms=("swelling",)))
    edited, signs = diary.edit_entry(store, saved.id or 0, {"severity": 4})
    assert edited.severity == 4 and signs == []
    edited, signs = diary.edit_entry(store, saved.id or 0, {"duration_seconds": 660.0})
    assert [s.kind for s in signs] == ["long"]
    with pytest.raises(HistoryError, match="no diary entry #7"):
        diary.edit_entry(store, 7, {"severity": 1})


def test_a_deleted_entry_is_gone_from_the_diary_and_cannot_be_edited(store) -> None:
    saved, _ = diary.add_entry(store, Cramp(at=T0))
    assert store.delete_cramp(saved.id or 0) == saved
    assert store.cramps() == [] and store.first_cramp() is None
    with pytest.raises(HistoryError):
        diary.edit_entry(store, saved.id or 0, {"severity": 1})
