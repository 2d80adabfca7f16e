"""The history screen: a calendar of the last weeks, cramps per week, the streak, recent sessions.

Everything shown comes from one :meth:`HistoryStore.overview` call, made in a
thread worker; until it reports back the screen says it is loading. Looking
at the history never creates the database (an empty history is shown instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import WorkerCancelled, WorkerFailed

from stretch_coach.tui.palette import HistoryCommands
from stretch_coach.tui.records import RECENT, Now, read_overview, wall_clock
from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.widgets.calendar import ActivityCalendar
from stretch_coach.words import plural, time_against_plan, time_spent

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from textual.worker import Worker

    from stretch_coach.history.insight import Comparison
    from stretch_coach.history.model import Adherence, Overview, SessionInfo

#: Below this width the figures go under the calendar instead of beside it.
NARROW = 72
#: Below this height the header goes, to leave room for the calendar.
SHORT = 24
EMPTY = "No sessions recorded yet: they appear here after you play a routine."


class HistoryScreen(Screen[None]):
    """Sessions and cramps over time, read from the history in a worker.

    Args:
        now: the wall clock; its date is the "today" of the calendar, streak
            and adherence (default: the local clock; tests pass a fixed one).
        recent: how many of the newest sessions to list.
    """

    CSS_PATH = SCREENS_CSS
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {HistoryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("d", "diary", "Log a cramp"),
        Binding("question_mark", "app.help('Keys: history')", "Help"),
    ]

    class Read(Message):
        """The worker read the history: its overview, or why it could not."""

        def __init__(self, result: Overview | str) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        *,
        now: Now | None = None,
        recent: int = RECENT,
        reading: Worker[Overview | str] | None = None,
    ) -> None:
        super().__init__()
        self.now = wall_clock(now)
        self.recent = recent
        #: A read already under way (see :func:`open_history`), to show when it ends.
        self.reading = reading
        #: What is shown, once loaded.
        self.overview: Overview | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your history…", id="history-loading")
        with VerticalScroll(id="history-body"):
            yield Static(id="history-line")
            with Horizontal(id="history-top"):
                yield ActivityCalendar(id="calendar")
                with Vertical(id="history-stats"):
                    yield Static(id="streak")
                    yield Static(id="adherence")
                    yield Static(id="totals")
            yield Static(id="insight")
            yield Static(id="recent")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "stretch-coach"
        self.sub_title = "History"
        self.query_one("#history-body").display = False
        self.query_one("#history-stats").border_title = "Streak"
        self.query_one("#recent").border_title = "Recent sessions"
        self.query_one("#insight").border_title = "Nights with and without a routine"
        if self.reading is None:
            self.load()
        else:
            self.run_worker(
                self._show_reading(self.reading), group="history-load", exit_on_error=False
            )

    # -- loading --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def load(self) -> None:
        """Read the history again, off the loop, and report back with a message."""
        self.post_message(self.Read(read_overview(self.app, self.now, self.recent)))

    def reload(self) -> None:
        """Read the history again (after an entry was added) and show it."""
        self.load()

    async def _show_reading(self, reading: Worker[Overview | str]) -> None:
        try:
            result = await reading.wait()
        except WorkerFailed as failed:  # read_overview says what went wrong; this is a last resort
            result = f"{type(failed.error).__name__}: {failed.error}"
        except WorkerCancelled:
            return  # the app is closing
        self.post_message(self.Read(result))

    def on_history_screen_read(self, message: Read) -> None:
        if isinstance(message.result, str):
            self.show_failure(message.result)
        else:
            self.show(message.result)

    def show_failure(self, text: str) -> None:
        """Say why the history could not be read, instead of showing it."""
        loading = self.query_one("#history-loading", Static)
        loading.update(Content.assemble(("Could not read the history: ", "bold $text-error"), text))
        loading.display = True
        self.query_one("#history-body").display = False

    def show(self, overview: Overview) -> None:
        """Fill the screen from ``overview``."""
        self.overview = overview
        by_week = {week.start: week.cramps for week in overview.weeks}
        self.query_one(ActivityCalendar).show(overview.days, by_week, overview.today)
        self.query_one("#streak", Static).update(_streak(overview))
        self.query_one("#adherence", Static).update(
            _adherence(overview.this_week, overview.this_month)
        )
        self.query_one("#totals", Static).update(
            Content.styled(
                f"{plural(overview.total_sessions, 'session')} recorded\n"
                f"{plural(overview.total_cramps, 'cramp')} in the diary",
                "$text-muted",
            )
        )
        self.query_one("#history-line", Static).update(_one_line(overview))
        self.query_one("#insight", Static).update(_insight(overview.insight))
        self._show_recent()
        self.query_one("#history-loading").display = False
        body = self.query_one("#history-body")
        body.display = True
        if self.focused is None:
            body.focus()

    def _show_recent(self) -> None:
        if self.overview is None:
            return
        sessions = self.overview.recent
        recent = self.query_one("#recent", Static)
        recent.update(RecentSessions(sessions) if sessions else Text(EMPTY))
        recent.set_class(not sessions, "-empty")

    # -- actions --------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_diary(self) -> None:
        from stretch_coach.tui.screens.diary import open_diary

        open_diary(self.app, now=self.now, on_saved=lambda _saved: self.reload())

    # -- layout ---------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            # The recent sessions word themselves for the width they are drawn at.
            self.set_class(narrow, "-narrow")
        self.set_class(event.size.height < SHORT, "-short")


def _streak(overview: Overview) -> Content:
    if not overview.total_sessions:
        return Content.styled("No streak yet", "bold")
    return Content.assemble(
        (plural(overview.streak, "day"), "bold $text-success"),
        "\n",
        ("in a row with a routine done", "$text-muted"),
    )


def _adherence(week: Adherence, month: Adherence) -> Content:
    return Content.assemble(
        ("This week", "bold"),
        "\n",
        f"a routine on {week.days_done} of {week.days} days so far",
        "\n\n",
        ("This month", "bold"),
        "\n",
        f"{month.days_done} of {month.days} days",
    )


def _insight(comparison: Comparison | None) -> Content:
    """The personal comparison in words (see :mod:`stretch_coach.history.insight`)."""
    if comparison is None or not comparison.known_nights:
        return Content.styled(
            "No known nights yet. Log each cramp (d), and answer the morning question "
            "after a night without one.",
            "$text-muted",
        )
    sentence = comparison.sentence()
    return Content.assemble(
        (
            f"{plural(comparison.known_nights, 'known night')}: after a routine "
            f"{comparison.with_nights} "
            f"({comparison.with_cramp} with a cramp), without {comparison.without_nights} "
            f"({comparison.without_cramp} with a cramp)",
            "$text-muted",
        ),
        "\n",
        sentence[0].upper() + sentence[1:] + ".",
    )


def _one_line(overview: Overview) -> Content:
    """The figures in a line or two, for narrow terminals where they cannot sit
    beside the calendar."""
    week, month = overview.this_week, overview.this_month
    return Content.assemble(
        ("Streak ", "bold"),
        plural(overview.streak, "day"),
        (" · ", "$text-muted"),
        ("This week ", "bold"),
        f"{week.days_done} of {week.days}",
        (" · ", "$text-muted"),
        ("This month ", "bold"),
        f"{month.days_done} of {month.days}",
    )


#: The routine's title gets at least this many cells (or its own length, if
#: shorter) before the other columns keep their longer words; past that it wraps.
ROUTINE_WIDTH = 20
#: Cells between two columns (the table's padding each side of a cell).
COLUMN_GAP = 2


@dataclass(frozen=True)
class _Layout:
    """One way to word the recent sessions' columns, from the fullest to the shortest.

    Attributes:
        year: the date with its year (``2026-12-02 07:33``; else ``12-02 07:33``).
        full: the time against the plan and the steps (else the time spent only, no steps).
        wrap: the words after a comma on a line of their own (``stopped,`` /
            ``not counted``), so a row takes two lines, not the title's width.
    """

    year: bool
    full: bool
    wrap: bool


#: Tried in order: the first that leaves the title its width is used.
LAYOUTS = (
    _Layout(year=True, full=True, wrap=False),
    _Layout(year=False, full=True, wrap=False),
    _Layout(year=False, full=True, wrap=True),
    _Layout(year=False, full=False, wrap=True),
)


class RecentSessions:
    """The newest sessions: when, routine, time done of planned, steps, how it ended.

    A Rich renderable that words its columns for the width it is drawn at:
    the routine's title must be readable (at 80 columns it was "…"), so the
    other columns give way first: the year goes, then words after a comma
    take a second line, then the steps and the planned time go. A title
    still too long wraps at its words; it is never cut.
    """

    def __init__(self, sessions: tuple[SessionInfo, ...]) -> None:
        self.sessions = sessions

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def layout(self, width: int) -> tuple[_Layout, list[list[str]]]:
        """The fullest layout that leaves the title its width in ``width`` cells, and
        each session's cells in it (see :meth:`_cells`)."""
        longest = max((cell_len(s.title) for s in self.sessions), default=0)
        wanted = min(longest, ROUTINE_WIDTH)
        for layout in LAYOUTS:
            rows = [self._cells(s, layout) for s in self.sessions]
            columns = list(zip(*rows, strict=True))
            used = sum(
                max(_text_width(header), *(_text_width(cell) for cell in cells))
                for header, cells in zip(_headers(layout), columns, strict=True)
            )
            if width - used - COLUMN_GAP * len(columns) >= wanted or layout is LAYOUTS[-1]:
                return layout, rows
        raise AssertionError("the last layout is always taken")  # pragma: no cover

    def table(self, width: int) -> Table:
        """The table, worded for ``width`` cells."""
        layout, rows = self.layout(width)
        table = Table(box=None, padding=(0, 1), pad_edge=False, expand=True, show_edge=False)
        when, *others = _headers(layout)
        table.add_column(when, no_wrap=True, style="bold")
        table.add_column("Routine", ratio=1, overflow="fold")
        for header in others:
            table.add_column(header, no_wrap=True, justify="right" if header == "Time" else "left")
        for session, (first, *rest) in zip(self.sessions, rows, strict=True):
            ended = rest.pop()
            table.add_row(
                first,
                Text(session.title),  # as recorded: a plain string would be read as markup
                *rest,
                Text(ended, style="" if session.counts else "dim italic"),
            )
        return table

    def _cells(self, session: SessionInfo, layout: _Layout) -> list[str]:
        """The row's cells but the title: when, time, steps (if full), how it ended."""
        when = f"{session.started_at:{'%Y-%m-%d %H:%M' if layout.year else '%m-%d %H:%M'}}"
        time = _time(session) if layout.full else time_spent(session.done_seconds)
        ended = session.label if session.counts else f"{session.label}, not counted"
        cells = [when, time, *([_steps(session)] if layout.full else []), ended]
        if layout.wrap:
            cells = [cell.replace(", ", ",\n") for cell in cells]
        return cells


def _headers(layout: _Layout) -> list[str]:
    """The column headers but the routine's, in the order of :meth:`RecentSessions._cells`."""
    return ["When", "Time", *(["Steps"] if layout.full else []), "Ended"]


def _text_width(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


def _time(session: SessionInfo) -> str:
    return time_against_plan(session.done_seconds, session.planned_seconds)


def _steps(session: SessionInfo) -> str:
    skipped = f", {session.steps_skipped} skipped" if session.steps_skipped else ""
    return f"{session.steps_done} done{skipped}"
