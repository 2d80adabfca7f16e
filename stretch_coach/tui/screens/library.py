"""The library: every routine, a filter, and a preview of the highlighted one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, OptionList
from textual.widgets.option_list import Option

from stretch_coach.routine.durations import format_clock
from stretch_coach.tui.commands import LibraryCommands
from stretch_coach.tui.plan import matches, plan_total
from stretch_coach.tui.widgets.preview import RoutinePreview

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry, Library
    from stretch_coach.tui.app import CoachApp

#: Below this width the preview goes under the list instead of beside it.
NARROW = 76
#: Below this height the header goes, to leave room for the routines.
SHORT = 24


class _StartsOnEnter:
    """A widget whose own Enter action starts the highlighted routine, when there is one.

    Its Enter binding then carries the description "Start", so the Footer
    says what Enter does wherever the focus is.
    """

    ENTER_ACTION: ClassVar[str] = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == self.ENTER_ACTION:
            return cast(Widget, self).screen.check_action("start", parameters)
        return super().check_action(action, parameters)  # type: ignore[misc]  # the widget's own


class RoutineList(_StartsOnEnter, OptionList):
    """The list of routines."""

    ENTER_ACTION = "select"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Start")]


class FilterInput(_StartsOnEnter, Input):
    """The filter."""

    ENTER_ACTION = "submit"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Start")]


class LibraryScreen(Screen[None]):
    """The routine library: pick a routine, read its preview, start it."""

    app: CoachApp

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {LibraryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter"),
        Binding("s", "settings", "Settings"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        # After quit and help, which must stay in view at 60 columns.
        Binding("h", "history", "History"),
        Binding("d", "diary", "Diary"),
        Binding("down", "move(1)", "Next routine", show=False),
        Binding("up", "move(-1)", "Previous routine", show=False),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.shown: list[Entry] = list(library.entries)

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(placeholder="/ to filter by title, tag or id", id="filter", compact=True)
        with Horizontal(id="library-body"):
            yield RoutineList(*self._options(), id="routines")
            yield RoutinePreview(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "stretch-coach"
        self.sub_title = "Routines"
        routines = self.query_one("#routines", OptionList)
        routines.border_title = "Routines"
        routines.focus()
        if self.shown:
            routines.highlighted = 0
        else:
            self._preview(None)

    # -- the list -------------------------------------------------------------

    def _options(self) -> list[Option]:
        return [Option(self._prompt(entry), id=str(index)) for index, entry in self._indexed()]

    def _indexed(self) -> list[tuple[int, Entry]]:
        position = {id(e): i for i, e in enumerate(self.library.entries)}
        return [(position[id(e)], e) for e in self.shown]

    def _prompt(self, entry: Entry) -> Content:
        if not entry.valid or entry.routine is None:
            first = entry.problems[0] if entry.problems else None
            problem = f"line {first.line}: {first.key}: {first.message}" if first else "cannot be read"
            return Content.assemble(
                ("⚠ ", "$text-error"), (entry.path.name, "bold"), " ", ("(invalid)", "$text-error"),
                "\n", (f"  {problem}", "dim"),
            )
        total, untimed = plan_total(entry, self.app.settings.prepare)
        parts = [format_clock(total)] if total else []
        if untimed:
            parts.append("self-paced")
        time = " + ".join(parts)
        tags = " · ".join(entry.routine.tags)
        detail = f"  {time}" + (f"   {tags}" if tags else "")
        return Content.assemble((entry.title, "bold"), "\n", (detail, "dim"))

    def refresh_list(self) -> None:
        """Rebuild the list (after the filter or the prepare setting changed)."""
        routines = self.query_one("#routines", OptionList)
        keep = self.highlighted_entry()
        query = self.query_one("#filter", Input).value
        self.shown = [e for e in self.library.entries if matches(e, query)]
        routines.clear_options()
        routines.add_options(self._options())
        if self.shown:
            index = next((i for i, e in enumerate(self.shown) if e is keep), 0)
            routines.highlighted = index
        self._preview(self.highlighted_entry())

    def highlighted_entry(self) -> Entry | None:
        """The routine under the cursor, if any."""
        routines = self.query_one("#routines", OptionList)
        index = routines.highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def _preview(self, entry: Entry | None) -> None:
        self.query_one(RoutinePreview).show(entry, self.app.settings.prepare)

    @on(OptionList.OptionHighlighted, "#routines")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(self.highlighted_entry())
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#routines")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    # -- the filter -----------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    # -- actions --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.query_one("#filter", Input).value) or self.focused is self.query_one("#filter")
        if action == "start":
            entry = self.highlighted_entry()
            return entry is not None and entry.valid
        return True

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: events.Key) -> None:
        """Typing anywhere filters: a printable key nothing else used goes to the filter.

        This is also what keeps a quick "/bed" whole: the keys of a burst are
        delivered to the widget focused when they arrived (the list), so "bed"
        reaches here, not the filter, unless we pass it on.
        """
        if not (event.is_printable and event.character) or event.key in self.active_bindings:
            return  # "/", "s", "?" and "q" keep their meaning
        filter_input = self.query_one("#filter", Input)
        filter_input.cursor_position = len(filter_input.value)
        filter_input.insert_text_at_cursor(event.character)
        self.set_focus(filter_input)
        event.stop()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        self.query_one("#routines", OptionList).focus()

    def action_move(self, delta: int) -> None:
        routines = self.query_one("#routines", OptionList)
        if delta > 0:
            routines.action_cursor_down()
        else:
            routines.action_cursor_up()

    def action_start(self) -> None:
        entry = self.highlighted_entry()
        if entry is None:
            return
        self.app.start_routine(entry)

    def action_settings(self) -> None:
        self.app.open_settings()

    def action_history(self) -> None:
        self.app.open_history()

    def action_diary(self) -> None:
        self.app.open_diary()

    def action_help(self) -> None:
        self.app.show_help(self)

    def action_quit(self) -> None:
        self.app.exit(0)

    # -- layout ---------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        before = (self.has_class("-narrow"), self.has_class("-short"))
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.height < SHORT, "-short")
        if (self.has_class("-narrow"), self.has_class("-short")) != before:
            # A new arrangement: measure the preview's text again at its new width.
            self.call_after_refresh(lambda: self._preview(self.highlighted_entry()))

    def on_descendant_focus(self, event: Any) -> None:
        self.refresh_bindings()
