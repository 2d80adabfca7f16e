"""The library screen, driven with Pilot: list, filter, preview, start, caution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static
from tui_helpers import run_command, shown, wait_for
from waits import settled

from stretch_coach.settings import CautionLog, Settings
from stretch_coach.tui.screens.caution import CautionScreen
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen


def shown_titles(app: Any) -> list[str]:
    return [e.title for e in app.screen.shown]


async def test_lists_every_routine_with_time_tags_and_invalid_files(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)):
        assert isinstance(app.screen, LibraryScreen)
        assert shown_titles(app) == [
            "Bedtime calf stretch",
            "broken.yaml",
            "Easy cool-down",
            "Heel walking",
        ]
        options = app.screen.query_one("#routines", OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert "3:05 + self-paced" in first and "bedtime · calf" in first
        broken = str(options.get_option_at_index(1).prompt)
        assert "invalid" in broken and "did you mean 'hold'" in broken
        assert "self-paced" in str(options.get_option_at_index(3).prompt)


async def test_preview_follows_the_highlight(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        text = await shown(pilot)
        assert "Lengthen both calves" in text
        assert "Stop if the stretch causes sharp pain." in text
        assert "Wall calf stretch" in text and "2:30" in text and "left, right" in text
        assert "3 min 5 s, plus 1 self-paced step" in text
        await pilot.press("down")
        assert "not a valid routine" in await shown(pilot)
        await pilot.press("down")
        text = await shown(pilot)
        assert "Easy cool-down" in text and "Standing quad stretch" in text


async def test_slash_filters_by_title_tag_or_id(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter", Input)
        await pilot.press(*"bed")
        assert shown_titles(app) == ["Bedtime calf stretch"]
        assert "Bedtime calf stretch" in await shown(pilot)
        await pilot.press("escape")
        assert app.screen.query_one("#filter", Input).value == ""
        assert len(shown_titles(app)) == 4
        await pilot.press("slash", *"cool-down")  # a tag
        assert shown_titles(app) == ["Easy cool-down"]
        await pilot.press("escape", "slash", *"heel-walk")  # the id
        assert shown_titles(app) == ["Heel walking"]
        await pilot.press("escape", "slash", *"zzz")
        assert shown_titles(app) == []
        assert "No routine matches" in await shown(pilot)
        await pilot.press("enter")  # nothing to start: nothing happens
        assert isinstance(app.screen, LibraryScreen)


async def test_keys_typed_straight_after_slash_reach_the_filter(make_app: Any) -> None:
    """A quick typist's "/bed" arrives in one burst: no key may go to the list."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for key, char in (("slash", "/"), ("b", "b"), ("e", "e"), ("d", "d")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # as a terminal's driver does: all queued at once
        await wait_for(pilot, lambda: shown_titles(app) == ["Bedtime calf stretch"])
        assert app.screen.query_one("#filter", Input).value == "bed"


@pytest.mark.parametrize("letter", ["q", "s", "h", "d"])
async def test_a_bound_letter_straight_after_slash_is_typed_in_the_filter(
    make_app: Any, letter: str
) -> None:
    """In a burst, "/q" filters for "q": it neither quits nor is lost (nor "s" opens settings)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        for key, char in (("slash", "/"), (letter, letter), ("slash", "/")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # as a terminal's driver does: all queued at once
        await settled(pilot)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one("#filter", Input).value == f"{letter}/"


async def test_arrows_in_the_filter_move_the_list(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", "c", "a", "l", "f")
        assert shown_titles(app) == ["Bedtime calf stretch", "Heel walking"]
        await pilot.press("down")
        assert app.screen.highlighted_entry().title == "Heel walking"
        await pilot.press("up")
        assert app.screen.highlighted_entry().title == "Bedtime calf stretch"


async def test_enter_in_the_filter_starts_the_highlighted_routine(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"bed", "enter")
        assert isinstance(app.screen, CautionScreen)


async def test_caution_then_session_then_not_again(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # the library asks the app to start it: a message away
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        await pilot.pause()
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Stop if the stretch causes sharp pain." in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
    assert not CautionLog().needs_showing(
        "bedtime-calf-stretch", ("Stop if the stretch causes sharp pain.",)
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))


async def test_escape_on_the_caution_goes_back(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CautionScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
    assert CautionLog().needs_showing(
        "bedtime-calf-stretch", ("Stop if the stretch causes sharp pain.",)
    )


async def test_routine_without_caution_starts_at_once(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        assert app.screen.entry.title == "Easy cool-down"


async def test_an_invalid_routine_does_not_start(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        assert app.screen.check_action("start", ()) is False
        await pilot.press("enter")
        assert isinstance(app.screen, LibraryScreen)
        assert "This file is not a valid routine" in await shown(pilot)
        app.start_routine(app.screen.highlighted_entry())  # e.g. from elsewhere: refused, with why
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any("not a valid routine" in n.message for n in app._notifications)


async def test_q_quits_with_exit_code_0(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_q_in_the_filter_is_typed_not_quit(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "q")
        assert app.is_running
        assert app.screen.query_one("#filter", Input).value == "q"


async def test_help_lists_the_keys(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        text = await shown(pilot)
        for words in ("Start", "Filter", "Settings", "Quit"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_footer_shows_start_only_for_a_valid_routine(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        keys = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"Start", "Filter", "Settings", "Help", "Quit"} <= keys
        await pilot.press("down")
        keys = {b.binding.description for b in app.screen.active_bindings.values() if b.enabled}
        assert "Start" not in keys


async def test_palette_starts_a_routine_by_name(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await run_command(pilot, "Start: Easy")
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.entry.title == "Easy cool-down"


async def test_narrow_terminal_stacks_the_preview(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        assert app.screen.has_class("-narrow") and app.screen.has_class("-short")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.has_class("-narrow") and not app.screen.has_class("-short")


async def test_prepare_setting_changes_the_times(make_app: Any) -> None:
    app = make_app(settings=Settings(prepare=0))
    async with app.run_test(size=(100, 30)) as pilot:
        text = await shown(pilot)
        assert "2:25" in text  # the wall stretch without its 5 s get-ready
        assert "your setting" in text


async def test_footer_in_the_filter_offers_start_only_when_something_matches(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"cool")
        keys = {b.binding.description for b in app.screen.active_bindings.values() if b.enabled}
        assert "Start" in keys and "Clear filter" in keys
        await pilot.press(*"xyz")
        keys = {b.binding.description for b in app.screen.active_bindings.values() if b.enabled}
        assert "Start" not in keys


async def test_the_other_screens_styles_are_read_once_the_library_is_drawn(
    make_app: Any, monkeypatch: Any
) -> None:
    """The first frame parses only the library's CSS; a screen shown later has its styles already.

    (Were they read only when a screen is shown, Textual would parse all the
    app's CSS again at that moment.)
    """
    from textual.css.stylesheet import Stylesheet

    reparsed: list[object] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(
        Stylesheet, "reparse", lambda self: (reparsed.append(self), reparse(self))[1]
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        css = {Path(path).name for path, _ in app.stylesheet.source if path}
        await pilot.pause()
        assert "app.tcss" in css and "screens.tcss" not in css  # not at start...
        assert "screens.tcss" in {
            Path(path).name for path, _ in app.stylesheet.source if path
        }  # ...soon after
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, SessionScreen)
        assert "Easy cool-down" in await shown(pilot)
    assert reparsed == []
