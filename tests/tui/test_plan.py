"""The words and figures the screens show about routines (no Textual involved)."""

from __future__ import annotations

from typing import Any

import pytest

from stretch_coach.routine.library import Library, default_library
from stretch_coach.timeline import plan_total, timeline_for
from stretch_coach.tui.screens.library import matches
from stretch_coach.words import timeline_total_text as total_text


def _valid(library: Library) -> list[Any]:
    return [e for e in library.entries if e.valid]


@pytest.mark.parametrize("prepare", [None, 0.0, 12.0])
def test_the_quick_totals_match_the_timeline(library: Library, prepare: float | None) -> None:
    entries = _valid(library) + _valid(default_library())
    assert entries
    for entry in entries:
        timeline = timeline_for(entry, prepare)
        total, untimed = plan_total(entry, prepare)
        assert total == pytest.approx(timeline.total), entry.id
        assert untimed == timeline.untimed_steps, entry.id


def test_prepare_override_applies_to_every_timed_step(library: Library) -> None:
    entry = library.get("bedtime-calf-stretch")
    own = timeline_for(entry)
    none = timeline_for(entry, 0.0)
    assert own.total - none.total == 10  # two timed steps, 5 s each
    assert not [s for s in none.segments if s.kind == "prepare"]


def test_total_text() -> None:
    class T:
        def __init__(self, total: float, untimed: int) -> None:
            self.total, self.untimed_steps = total, untimed

    assert total_text(T(185, 1)) == "3 min 5 s, plus 1 self-paced step"
    assert total_text(T(0, 2)) == "2 self-paced steps"
    assert total_text(T(30, 0)) == "30 s"


def test_filter_matches_title_tag_id_and_every_word(library: Library) -> None:
    entry = library.get("bedtime-calf-stretch")
    assert matches(entry, "bed")
    assert matches(entry, "CALF bedtime")
    assert matches(entry, "bedtime-calf")
    assert not matches(entry, "calf cycling")
    assert matches(entry, "  ")
