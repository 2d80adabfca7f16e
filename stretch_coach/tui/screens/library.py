"""The library: every routine, a filter, and a preview of the highlighted one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, OptionList
from textual.widgets.option_list import Option

from stretch_coach.catalog import Listed, listed
from stretch_coach.routine.durations import format_clock
from stretch_coach.tui.palette import LibraryCommands
from stretch_coach.tui.widgets.preview import RoutinePreview

if TYPE_CHECKING:
    from pathlib import Path

    from stretch_coach.agenda import Due
    from stretch_coach.routine.library import Entry, Library

#: Below this width the preview goes under the list instead of beside it.
NARROW = 76
#: Below this height the header goes, to leave room for the routines.
SHORT = 24


def matches(entry: Entry | Listed, query: str) -> bool:
    """Whether every word of ``query`` is in the entry's title, one of its tags, or its id."""
    words = query.lower().split()
    if not words:
        return True
    haystack = " ".join((entry.title, entry.id, *entry.tags, entry.path.name)).lower()
    return all(word in haystack for word in words)


class _StartsOnEnter:
    """A widget whose own Enter action starts the highlighted routine, when there is one.

    Its Enter binding then carries the description "Start", so the Footer
    says what Enter does wherever the focus is.
    """

    ENTER_ACTION: ClassVar[str] = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == self.ENTER_ACTION:
            return cast(Widget, self).screen.check_action("start", parameters)
        return super().check_action(action, parameters)  # type: ignore[misc, no-any-return]  # the widget's own


class RoutineList(_StartsOnEnter, OptionList):
    """The list of routines."""

    ENTER_ACTION = "select"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Start")]


class FilterInput(_StartsOnEnter, Input):
    """The filter."""

    ENTER_ACTION = "submit"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Start")]


class LibraryScreen(Screen[None]):
    """The routine library: pick a routine, read its preview, start it.

    Starting a routine posts :class:`StartRoutine`; settings, history, diary,
    help and quit are the app's actions, bound here.

    Args:
        library: the routine library, or ``None`` while it is still being
            read; the app hands it over with :meth:`library_loaded`.
        listed: the rows to show until then (from the library index).
        prepare: the get-ready setting the totals and the preview use
            (``None``: each routine's own); the app changes it with :meth:`set_prepare`.
    """

    class StartRoutine(Message):
        """The person asked to start ``entry``."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class Shown(Message):
        """The library is in view again (back from a session or a dialog): a moment to
        look for routine files changed meanwhile."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {LibraryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter"),
        Binding("s", "app.open_settings", "Settings"),
        Binding("question_mark", "app.help('Keys: library')", "Help"),
        Binding("q", "app.quit", "Quit"),
        # After quit and help, which must stay in view at 60 columns.
        Binding("h", "app.open_history", "History"),
        Binding("d", "app.open_diary", "Diary"),
        # Answers the morning check-in when it is shown (the list keeps the focus).
        Binding("n", "check_in_no", "No cramps last night"),
        Binding("down", "move(1)", "Next routine", show=False),
        Binding("up", "move(-1)", "Previous routine", show=False),
    ]
    #: Listed by the help only while on: with no check-in question, n types into the filter.
    HELP_ONLY_WHILE_ON: ClassVar[frozenset[str]] = frozenset({"check_in_no"})

    def __init__(
        self,
        library: Library | None,
        listed: Sequence[Listed] = (),
        *,
        prepare: float | None = None,
    ) -> None:
        super().__init__()
        self.prepare = prepare
        #: The library's entries, in list order (``None`` until the library is read);
        #: the "Today" entries of programs with a session due come first.
        self.entries: list[Entry] | None = None if library is None else list(library.entries)
        #: What the programs followed ask for today: one "Today" entry each, at the top.
        self.today: list[tuple[Due, Entry]] = []
        #: What the list shows of each, in the same order.
        self.rows: list[Listed] = list(listed)
        self._shown: list[int] = []  # positions in rows, after the filter
        self._start_when_loaded: Path | None = None

    @property
    def shown(self) -> list[Listed]:
        """The rows the filter lets through, as listed."""
        return [self.rows[i] for i in self._shown]

    def compose(self) -> ComposeResult:
        if self.entries is not None:
            self.rows = self._list(self.entries)
        self._shown = list(range(len(self.rows)))
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
        if self._shown:
            routines.highlighted = 0
        else:
            self._preview()

    def on_screen_resume(self) -> None:
        self.post_message(self.Shown())

    # -- the list -------------------------------------------------------------

    def _list(self, entries: Sequence[Entry]) -> list[Listed]:
        rows = [listed(entry, self.prepare) for entry in entries]
        for i, (due, _) in enumerate(self.today[: len(rows)]):
            left = due.left_today
            rows[i] = replace(
                rows[i],
                title=f"Today: {due.title}",
                tags=(
                    f"week {due.week} of {due.weeks}",
                    f"{left} session{'s' if left != 1 else ''} due",
                ),
            )
        return rows

    def _options(self) -> list[Option]:
        return [Option(self._prompt(self.rows[i]), id=str(i)) for i in self._shown]

    def _prompt(self, row: Listed) -> Content:
        if not row.valid:
            first = row.problem
            problem = (
                f"line {first.line}: {first.key}: {first.message}" if first else "cannot be read"
            )
            return Content.assemble(
                ("⚠ ", "$text-error"),
                (row.path.name, "bold"),
                " ",
                ("(invalid)", "$text-error"),
                "\n",
                (f"  {problem}", "dim"),
            )
        parts = [format_clock(row.total)] if row.total else []
        if row.untimed:
            parts.append("self-paced")
        time = " + ".join(parts)
        tags = " · ".join(row.tags)
        detail = f"  {time}" + (f"   {tags}" if tags else "")
        return Content.assemble((row.title, "bold"), "\n", (detail, "dim"))

    def set_prepare(self, prepare: float | None) -> None:
        """List every routine again with a new get-ready setting."""
        self.prepare = prepare
        if self.entries is not None:
            self.rows = self._list(self.entries)
        self._fill_list()

    def offer(self, widget: Widget) -> None:
        """Show ``widget`` under the list (the app offers the morning check-in here)."""
        self.mount(widget, before=self.query_one(Footer))
        self.refresh_bindings()

    def _check_in_open(self) -> bool:
        """Whether the morning check-in is shown and not answered yet."""
        from stretch_coach.tui.widgets.checkin import CheckIn

        found = self.query(CheckIn)
        return bool(found) and not found.first().answered

    def action_check_in_no(self) -> None:
        from stretch_coach.tui.widgets.checkin import CheckIn

        for check_in in self.query(CheckIn):
            check_in.action_no()

    def library_loaded(
        self,
        library: Library,
        today: Sequence[tuple[Due, Entry]] = (),
        *,
        trial: str | None = None,
    ) -> None:
        """Take the library read after the first frame: its rows replace the index's if they differ.

        ``today``: the programs with a session due today, each listed first as a
        "Today" entry that Enter starts. A routine whose start was asked for
        while the library was being read starts now.
        """
        self.today = list(today)
        # Which tonight is in a personal trial, under the list (plain text, no
        # markup); cleared when the trial has ended since it was last worked out.
        self.query_one("#routines", OptionList).border_subtitle = Content(trial or "")
        self.entries = [entry for _, entry in self.today] + list(library.entries)
        rows = self._list(self.entries)
        if rows != self.rows:
            self.rows = rows
            self._fill_list()
            if self.today and not self.query_one("#filter", Input).value:
                self.query_one("#routines", OptionList).highlighted = 0  # Today, at the top
        else:
            self._preview()
        self.refresh_bindings()
        waiting, self._start_when_loaded = self._start_when_loaded, None
        entry = next((e for e in self.entries[len(self.today) :] if e.path == waiting), None)
        if entry is not None:
            self.start(entry)

    def _fill_list(self) -> None:
        """Fill the list with the rows the filter lets through, keeping the highlighted one."""
        routines = self.query_one("#routines", OptionList)
        keep = self.highlighted_row()
        query = self.query_one("#filter", Input).value
        self._shown = [i for i, row in enumerate(self.rows) if matches(row, query)]
        routines.clear_options()
        routines.add_options(self._options())
        if self._shown:
            shown = self.shown
            index = next((i for i, row in enumerate(shown) if keep and row.path == keep.path), 0)
            routines.highlighted = index
        self._preview()

    def _highlighted_position(self) -> int | None:
        """The position in :attr:`rows` (and :attr:`entries`) of the row under the
        cursor, if any."""
        index = self.query_one("#routines", OptionList).highlighted
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def highlighted_row(self) -> Listed | None:
        """The row under the cursor, if any."""
        position = self._highlighted_position()
        return None if position is None else self.rows[position]

    def highlighted_entry(self) -> Entry | None:
        """The routine under the cursor, if any and once the library is read."""
        position = self._highlighted_position()
        return None if position is None or self.entries is None else self.entries[position]

    def _preview(self) -> None:
        preview = self.query_one(RoutinePreview)
        row = self.highlighted_row()
        if row is not None and self.entries is None:
            preview.show_loading(row)
        else:
            preview.show(self.highlighted_entry(), self.prepare)

    @on(OptionList.OptionHighlighted, "#routines")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview()
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#routines")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    # -- the filter -----------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill_list()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    # -- actions --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check_in_no":
            return self._check_in_open()
        if action == "clear_filter":
            return bool(self.query_one("#filter", Input).value) or self.focused is self.query_one(
                "#filter"
            )
        if action == "start":
            row = self.highlighted_row()
            return row is not None and row.valid
        return True

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: events.Key) -> None:
        """Typing anywhere filters: a printable key nothing else used goes to the filter.

        This is also what keeps a quick "/bed" whole: the keys of a burst are
        delivered to the widget focused when they arrived (the list), so "bed"
        reaches here, not the filter, unless we pass it on.
        """
        filter_input = self.query_one("#filter", Input)
        if event.key == "slash" and self.focused is not filter_input:
            # Here rather than by the binding, which the app runs only once the
            # key has bubbled back to it: the keys of the burst behind "/" are
            # handled on this screen first, and must find the filter focused
            # ("/q" types a "q", rather than losing it or quitting).
            self.action_filter()
            event.stop()
            return
        if not (event.is_printable and event.character):
            return
        if self.focused is not filter_input and event.key in self.active_bindings:
            return  # "s", "?" and "q" keep their meaning, but in the filter they are letters
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
        row = self.highlighted_row()
        if row is None:
            return
        entry = self.highlighted_entry()
        if entry is None:  # the library is still being read: start it once it is
            self._start_when_loaded = row.path
            return
        self.start(entry)

    def start(self, entry: Entry) -> None:
        """Ask the app to start ``entry`` (its caution first, if it has one to read)."""
        self.post_message(self.StartRoutine(entry))

    # -- layout ---------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        before = (self.has_class("-narrow"), self.has_class("-short"))
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.height < SHORT, "-short")
        if (self.has_class("-narrow"), self.has_class("-short")) != before:
            # A new arrangement: measure the preview's text again at its new width.
            self.call_after_refresh(self._preview)

    def on_descendant_focus(self, event: Any) -> None:
        self.refresh_bindings()
