"""Cautions through includes in the coach, and an urgent routine's cautions beside its session.

A routine's cautions are its own and its includes' (the step stretch's balance
warning comes with any routine that includes it): on the caution screen, in
the library's preview, and in the "already read" record, which covers the
whole list. An ``urgent: true`` routine (cramp-now) has no caution screen: its
cautions are in a panel beside the step, readable at 80x24 and 60x20.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from tui_helpers import screen_text, shown, wait_for

from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Entry, Library, cautions_of
from stretch_coach.settings import CautionLog
from stretch_coach.tui.screens.caution import CautionScreen
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen
from stretch_coach.tui.widgets.cautions import SCROLL_HINT, CautionList, UrgentCautions
from stretch_coach.tui.widgets.preview import RoutinePreview

EVENING = """\
title: Evening calves
caution:
  - My own line first.
steps:
  - include: step-calf-stretch
  - name: Loosen your sheets
"""

URGENT = """\
title: Quick relief
urgent: true
caution:
  - Only what is comfortable.
steps:
  - name: Rub the muscle
    instructions: Knead it gently until it lets go.
  - include: step-calf-stretch
"""


@pytest.fixture(scope="module")
def bundled() -> Library:
    """The bundled routines only (no user folder: nothing outside the test is read)."""
    return Library.from_folders([(bundled_routines_dir(), "bundled")])


@pytest.fixture
def step_cautions(bundled: Library) -> tuple[str, ...]:
    """The step stretch's cautions, which every routine that includes it must show."""
    lines = cautions_of(bundled.find("step-calf-stretch"))
    assert any("rail" in line.lower() for line in lines)  # its balance warning
    return lines


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "evening.yaml").write_text(EVENING, encoding="utf-8")
    (folder / "quick-relief.yaml").write_text(URGENT, encoding="utf-8")
    return folder


@pytest.fixture
def library(mine: Path, bundled: Library) -> Library:
    """Two routines of one's own that include the bundled step stretch (the bundled
    routines are the fallback, as ``validate`` and ``--library`` have them)."""
    return Library.from_folders([(mine, "library")], fallback=bundled)


def entry(library: Library, routine_id: str) -> Entry:
    found = library.get(routine_id)
    assert found is not None and found.valid, found and found.problems
    return found


def flat_text(app: Any) -> str:
    """The screen's words in order: borders, scrollbars and line breaks taken out."""
    text = re.sub("[│\u2580-\u259f]", " ", screen_text(app))
    return " ".join(text.split())


def region_text(app: Any, widget: Any) -> str:
    """The words on screen inside ``widget``'s region, in order (nothing beside it)."""
    box = widget.region
    rows = screen_text(app).splitlines()[box.y : box.bottom]
    text = re.sub("[│\u2580-\u259f]", " ", "\n".join(row[box.x : box.right] for row in rows))
    return " ".join(text.split())


def texts(screen: Any) -> str:
    return " ".join(str(w.render()) for w in screen.query(Static))


# -- the caution screen and the record of what was read ---------------------------------


async def test_the_caution_screen_shows_the_included_cautions(
    make_app: Any, library: Library, step_cautions: tuple[str, ...]
) -> None:
    evening = entry(library, "evening")
    app = make_app(start=evening)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        await pilot.pause()
        lines = [str(w.render()) for w in app.screen.query(".caution-text")]
        assert lines == [" ".join(line.split()) for line in ("My own line first.", *step_cautions)]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
    # What was read is the whole list, the included lines too.
    assert not CautionLog().needs_showing("evening", ("My own line first.", *step_cautions))
    assert CautionLog().needs_showing("evening", ("My own line first.",))


async def test_having_read_only_the_own_lines_shows_the_cautions_again(
    make_app: Any, library: Library
) -> None:
    # The record an older coach kept: the routine's own lines only.
    CautionLog().acknowledge("evening", ("My own line first.",))
    app = make_app(start=entry(library, "evening"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))


async def test_a_caution_newly_included_is_shown_again(
    make_app: Any, mine: Path, bundled: Library, step_cautions: tuple[str, ...]
) -> None:
    (mine / "helper.yaml").write_text(
        "title: Helper\nsteps:\n  - {name: Sway, hold: 5}\n", encoding="utf-8"
    )
    (mine / "evening.yaml").write_text(EVENING + "  - include: helper\n", encoding="utf-8")
    before = Library.from_folders([(mine, "library")], fallback=bundled)
    CautionLog().acknowledge("evening", cautions_of(entry(before, "evening")))
    app = make_app(start=entry(before, "evening"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))  # read already
    # The included routine gains a caution: the includer's list changed, so it shows again.
    (mine / "helper.yaml").write_text(
        "title: Helper\ncaution: [Keep your knees soft.]\nsteps:\n  - {name: Sway, hold: 5}\n",
        encoding="utf-8",
    )
    after = Library.from_folders([(mine, "library")], fallback=bundled)
    assert cautions_of(entry(after, "evening"))[-1] == "Keep your knees soft."
    app = make_app(start=entry(after, "evening"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        assert "Keep your knees soft." in texts(app.screen)


@pytest.mark.parametrize(("size", "scrolls"), [((80, 24), False), ((60, 20), True)])
async def test_the_balance_warning_is_in_view_or_a_key_away(
    make_app: Any,
    bundled: Library,
    step_cautions: tuple[str, ...],
    size: tuple[int, int],
    scrolls: bool,
) -> None:
    bedtime = entry(bundled, "bedtime-calf-stretch")
    lines = cautions_of(bedtime)
    assert set(step_cautions) <= set(lines)  # the step stretch's, each once
    rail = next(line for line in step_cautions if "rail" in line.lower())
    assert lines[-1] == rail  # its own line comes after bedtime's own
    app = make_app(start=bedtime)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        text = await shown(pilot)
        panel = app.screen.query_one("#caution-panel")
        listed = app.screen.query_one(CautionList)
        assert listed.lines == lines
        assert "Enter go on" in text  # the keys stay in view
        first_words = " ".join(rail.split()[:4])
        flat = " ".join(text.replace("│", " ").split())
        if not scrolls:
            assert first_words in flat and panel.border_subtitle == ""
            return
        assert first_words not in flat
        await wait_for(pilot, lambda: panel.border_subtitle == SCROLL_HINT)
        await pilot.press("end")  # the list has the focus: the keys scroll it
        await wait_for(pilot, lambda: first_words in flat_text(app))
        await wait_for(pilot, lambda: panel.border_subtitle == "")


# -- the library's preview ------------------------------------------------------------


async def test_the_preview_lists_the_included_cautions(
    make_app: Any, step_cautions: tuple[str, ...]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.highlighted_entry().id == "evening"
        caution = str(app.screen.query_one("#preview-caution", Static).render())
        assert caution.splitlines() == [
            "Caution",
            "• My own line first.",
            *(f"• {line.strip()}" for line in step_cautions),
        ]
        await pilot.press("down")
        assert screen.highlighted_entry().id == "quick-relief"
        caution = str(app.screen.query_one("#preview-caution", Static).render())
        assert caution.splitlines()[0] == "Caution  (shown beside the steps as it runs)"
        assert caution.splitlines()[1:] == [
            "• Only what is comfortable.",
            *(f"• {line.strip()}" for line in step_cautions),
        ]
        assert app.screen.query_one(RoutinePreview).display


# -- urgent: beside the session, no screen first ------------------------------------------


async def test_an_urgent_routine_starts_at_once_with_its_cautions_beside_the_step(
    make_app: Any, library: Library, step_cautions: tuple[str, ...]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("down", "enter")  # quick-relief: never read, yet no caution screen
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        panel = app.screen.query_one(UrgentCautions)
        assert panel.lines == ("Only what is comfortable.", *step_cautions)
        text = await shown(pilot)
        assert "Caution" in text and "Only what is comfortable." in text
        assert "Rub the muscle" in text
        # The keys are the session's as ever.
        await pilot.press("space")
        assert app.screen.session.state().status == "paused"
    # Nothing was recorded as read: there was nothing to dismiss.
    assert CautionLog().needs_showing("quick-relief", panel.lines)


async def test_a_routine_that_is_not_urgent_has_no_panel(
    make_app: Any, library: Library, step_cautions: tuple[str, ...]
) -> None:
    CautionLog().acknowledge("evening", cautions_of(entry(library, "evening")))
    app = make_app(start=entry(library, "evening"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        await pilot.pause()
        assert not app.screen.query(UrgentCautions)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_cramp_now_s_six_cautions_fit_beside_the_step(
    make_app: Any, bundled: Library, size: tuple[int, int]
) -> None:
    cramp_now = entry(bundled, "cramp-now")
    lines = cautions_of(cramp_now)
    assert len(lines) == 6
    app = make_app(start=cramp_now)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        text = await shown(pilot)
        screen = app.screen
        panel = screen.query_one(UrgentCautions)
        width, height = size
        box = panel.region
        # Beside the step: right of the stage and the instructions, none of them covered,
        # below the title row and above the footer's row of keys.
        for part in ("#stage", "#instructions", "#next"):
            assert screen.query_one(part).region.right <= box.x, part
        assert box.right <= width and box.y >= 1 and box.bottom <= height - 1
        assert box.width >= 22  # room for a few words a line
        assert screen.query_one("#step-name", Static).region.width >= 25
        # Every caution is there, in order; what does not fit scrolls, and says so.
        rendered = [str(w.render()) for w in panel.query(".caution-text")]
        assert rendered == [" ".join(line.split()) for line in lines]
        assert "If you stand up" in text  # the first one is in view from the start
        assert panel.max_scroll_y > 0
        await wait_for(pilot, lambda: panel.border_subtitle == SCROLL_HINT)
        panel.scroll_end(animate=False)
        await wait_for(pilot, lambda: panel.border_subtitle == "")
        await wait_for(
            pilot,
            lambda: "infection through a cut" in region_text(app, panel),
            what=lambda: region_text(app, panel),
        )
        # The footer keeps its row: the first keys are in view.
        assert text.splitlines()[-1].startswith("space Pause")


# -- how it looks ------------------------------------------------------------------------

SIX = """\
title: Quick relief
urgent: true
caution:
  - If you stand up, keep a hand on something firm, such as a wall or the bed.
  - Stop anything that makes the pain sharper.
  - See a doctor if your leg cramps are frequent or disturb your sleep.
  - See a doctor if a cramp lasts longer than 10 minutes and exercise doesn't ease it.
  - See a doctor if cramps come with swelling, redness, numbness or tingling.
  - See a doctor if the cramps came after toxins, or an infection through a cut.
steps:
  - name: Stretch or massage the muscle
    instructions: Stay where you are, in bed or sitting, and stretch or knead it gently.
  - name: Warm the muscle
"""


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_snapshot_urgent_session(
    snap_compare: Any,
    make_app: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    from stretch_coach.tui.screens import session as session_screen

    monkeypatch.setattr(session_screen, "FLASH_SECONDS", 0.001)  # no cue flash in the picture
    folder = tmp_path / "six"
    folder.mkdir()
    (folder / "quick-relief.yaml").write_text(SIX, encoding="utf-8")
    six = entry(Library.from_folders([(folder, "library")]), "quick-relief")

    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionScreen))
        panel = pilot.app.screen.query_one(UrgentCautions)
        # The hint is worked out once the panel is laid out: only 60x20 needs to scroll.
        hint = SCROLL_HINT if size == (60, 20) else ""
        await wait_for(pilot, lambda: panel.max_scroll_y > 0 or size != (60, 20))
        await wait_for(pilot, lambda: panel.border_subtitle == hint)
        await pilot.pause(0.1)

    assert snap_compare(make_app(start=six), terminal_size=size, run_before=run_before)
