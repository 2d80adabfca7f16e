"""Text from routine files, the diary and the history is shown as written, never as markup.

A routine with Textual/Rich markup in every text field (``[each side]``,
which markup would swallow; ``[/b]``, which would crash with MarkupError;
``[@click=app.quit]``, which would be a live action; ``[red]``, which would
colour), and an invalid file whose problem quotes such a key. The test walks
every screen that shows it (library, preview, palette, caution, session,
summary, history, diary, settings) and checks each field shows literally, that no
segment on screen carries a click action, and that clicking the text does
nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import advance, screen_text, shown, wait_for

from stretch_coach.routine.library import Library
from stretch_coach.settings import CautionLog, open_settings, settings_path
from stretch_coach.tui.app import CoachApp
from stretch_coach.tui.screens.caution import CautionScreen
from stretch_coach.tui.screens.diary import DiaryForm
from stretch_coach.tui.screens.history import HistoryScreen
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen
from stretch_coach.tui.screens.summary import SummaryScreen

#: What every text field carries after its own name.
MARKS = "[each side][/b][@click=app.quit]x[/][red]R"


def field(name: str) -> str:
    return f"{name} {MARKS}"


ROUTINE = f"""\
title: "{field("Title")}"
summary: "{field("Summary")}"
tags: ["{field("Tag")}"]
source: "{field("Source")}"
caution:
  - "{field("Caution")}"
defaults:
  prepare: 0
  switch: 0
steps:
  - name: "{field("Name")}"
    instructions: "{field("Instructions")}"
    hold: 30s
    sides: ["{field("Side")}", "Other side"]
  - name: "{field("Activity")}"
    duration: 10s
    prompts:
      - at: 2s
        say: "{field("Prompt")}"
"""

#: An invalid file: its problem quotes the unknown key.
BROKEN = f"""\
title: Broken
steps:
  - name: Calf
    hold: 30s
    "{field("Key")}": 1
"""


#: A settings file whose warning quotes a key with markup in it.
SETTINGS_KEY = "[/b][@click=app.quit]x[/][red]R"


@pytest.fixture
def app(tmp_path: Path, clock: Any, player: Any) -> CoachApp:
    folder = tmp_path / "marked"
    folder.mkdir()
    (folder / "marked.yaml").write_text(ROUTINE, encoding="utf-8")
    (folder / "zz-broken.yaml").write_text(BROKEN, encoding="utf-8")
    library = Library.from_folders([(folder, "library")])
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(f'"{SETTINGS_KEY}" = 1\n', encoding="utf-8")
    settings, settings_file, warning = open_settings()
    assert warning is not None and repr(SETTINGS_KEY) in warning
    return CoachApp(
        library,
        settings=settings,
        settings_file=settings_file,
        settings_warning=warning,
        clock=clock,
        player_factory=lambda choice, on_problem, ring: player,
        cautions=CautionLog(),
        record=True,
    )


def click_actions(app: Any) -> list[str]:
    """Every click action a segment on screen carries (markup's ``@click``)."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            meta = segment.style.meta if segment.style is not None else {}
            if "@click" in meta:
                found.append(str(meta["@click"]))
    return found


async def on_screen(pilot: Any, *names: str) -> str:
    """The screen's text, which must show each named field with its marks as written."""
    text = await shown(pilot)
    for name in names:
        assert field(name) in text, f"{name!r} is not shown literally in:\n{text}"
    assert "app.quit" not in click_actions(pilot.app)
    return text


async def click_on(pilot: Any, text: str) -> None:
    """Click the first cell of ``text`` where it is on screen; the app must carry on."""
    lines = screen_text(pilot.app).splitlines()
    row = next(i for i, line in enumerate(lines) if text in line)
    await pilot.click(offset=(lines[row].index(text), row))
    await pilot.pause()
    assert pilot.app.is_running


async def test_every_screen_shows_routine_and_recorded_text_literally(
    app: CoachApp, clock: Any
) -> None:
    async with app.run_test(size=(200, 60)) as pilot:
        # The library: the list and the preview (and the settings file's warning).
        assert isinstance(app.screen, LibraryScreen)
        await on_screen(pilot, "Title", "Summary", "Tag", "Caution", "Name", "Source")
        (toast,) = app._notifications
        assert toast.markup is False and repr(SETTINGS_KEY) in toast.message
        # The settings screen quotes the file's bad key too.
        await pilot.press("s")
        await wait_for(pilot, lambda: repr(SETTINGS_KEY) in screen_text(app))
        await on_screen(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("down")
        await on_screen(pilot, "Key")  # the problem, in the list and in the preview
        await pilot.press("up")
        # The palette: a routine's title and its summary (the hit's help).
        await pilot.press("ctrl+p", *"Title")
        await wait_for(pilot, lambda: field("Title") in screen_text(app))
        await on_screen(pilot, "Title", "Summary")
        await pilot.press("escape")
        await pilot.pause()
        # The caution, before the first session.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        await on_screen(pilot, "Title", "Caution")
        await pilot.press("enter")
        # The session: title, step, side, instructions; then a prompt's caption.
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        await on_screen(pilot, "Title", "Name", "Side", "Instructions")
        await click_on(pilot, "[@click=app.quit]x")
        await pilot.press("s")  # skip the step: on to the activity, whose prompt comes at 2 s
        await wait_for(pilot, lambda: "Step 2 of 2" in screen_text(app))
        await advance(pilot, clock, 2.5)
        await wait_for(
            pilot, lambda: field("Prompt") in screen_text(app), what=lambda: screen_text(app)
        )
        await on_screen(pilot, "Activity", "Prompt")
        # The summary, after a stop.
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await on_screen(pilot, "Title")
        await click_on(pilot, "[@click=app.quit]x")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # The history: the session's title, as recorded in the database.
        assert app.recording is not None
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await wait_for(pilot, lambda: field("Title") in screen_text(app))
        await on_screen(pilot, "Title")
        # The diary: what was typed, and a problem that quotes it.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DiaryForm))
        note = app.screen.query_one("#note", Input)
        note.value = field("Note")
        duration = app.screen.query_one("#duration", Input)
        duration.value = field("Duration")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "Note", "Duration")  # refused, quoting what was typed
        assert isinstance(app.screen, DiaryForm)
        assert app.is_running


def test_a_step_pictures_frame_names_the_step_as_written(tmp_path: Path) -> None:
    from stretch_coach.tui.widgets.picture import StepPicture

    picture = StepPicture(tmp_path / "calf.png", field("Name"))  # [/b] raised MarkupError here
    assert picture._border_title is not None
    assert picture._border_title.plain == field("Name")
