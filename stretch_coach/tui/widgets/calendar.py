"""A heat map of the last weeks: one cell a day, stretching by shade, its night by a mark.

Columns are ISO weeks (Monday to Sunday, top to bottom), the newest on the
right; as many weeks as fit, up to :data:`MAX_WEEKS`. Under the days, a
:class:`~textual.widgets.Sparkline` of cramps per week is drawn column for
column under its week, then a legend.

Each cell's mark is the night that began that evening (nights are named by
their evening's date, see :mod:`stretch_coach.history.nights`): a cramp
night, a quiet night (checked in, no cramps), or nothing for a night nobody
knows about. A cramp in the afternoon, in no night, is marked on its own day.

Meaning never rests on colour alone: a cramp night and a quiet night have
different marks, today has a pointer, and the shades of stretching are
explained by the legend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from stretch_coach.history.model import DayActivity
from stretch_coach.tui.records import MAX_WEEKS

#: Columns per day: two shaded, one gap (where today's pointer goes).
CELL = 3
#: Columns for the weekday names.
LABEL = 4
MIN_WEEKS = 4
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CRAMP_MARK = "●"
#: A night checked in without cramps: a different shape, so it is not read as unknown.
QUIET_MARK = "○"
TODAY_MARK = "◂"
#: Shade levels, lightest first: nothing, started but not finished, one
#: routine finished, two or more.
LEVELS = ("calendar--none", "calendar--started", "calendar--once", "calendar--more")
LEGEND = (
    ("calendar--none", "  ", "no routine"),
    ("calendar--started", "  ", "stopped early"),
    ("calendar--once", "  ", "finished"),
    ("calendar--more", "  ", "2+ finished"),
)

_SHADES = """
{0} > .calendar--none {{ background: $foreground 8%; }}
{0} > .calendar--started {{ background: $success 30%; }}
{0} > .calendar--once {{ background: $success 65%; }}
{0} > .calendar--more {{ background: $success; }}
{0} > .calendar--cramp {{ color: $error; text-style: bold; }}
{0} > .calendar--quiet {{ color: $text; }}
{0} > .calendar--today {{ color: $accent; text-style: bold; }}
{0} > .calendar--label {{ color: $text-muted; }}
"""
_COMPONENTS = {*LEVELS, "calendar--cramp", "calendar--quiet", "calendar--today", "calendar--label"}


def level(activity: DayActivity | None) -> str:
    """The shade of a day: its component class in :data:`LEVELS`."""
    if activity is None or not activity.sessions:
        return LEVELS[0]
    if not activity.counted:
        return LEVELS[1]
    return LEVELS[2] if activity.counted == 1 else LEVELS[3]


def weeks_that_fit(width: int) -> int:
    """How many week columns fit in ``width`` cells (at least :data:`MIN_WEEKS`)."""
    return max(MIN_WEEKS, min(MAX_WEEKS, (width - LABEL) // CELL))


def first_monday(today: date, weeks: int) -> date:
    """The Monday of the oldest week shown, when the newest is ``today``'s."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def month_row(start: date, weeks: int) -> str:
    """Month names over the week in which each month begins.

    The first column is named too, unless a month begins so soon after it
    that its name would push that month's out.
    """
    row = [" "] * (LABEL + weeks * CELL + 3)
    names: list[tuple[int, str]] = []
    for column in range(weeks):
        sunday = start + timedelta(weeks=column, days=6)
        if column > 0 and sunday.day <= 7:  # the 1st falls in this week
            names.append((LABEL + column * CELL, sunday.strftime("%b")))
    first = (start + timedelta(days=6)).strftime("%b")  # a month beginning in this week is named
    if not names or names[0][0] >= LABEL + len(first) + 1:
        names.insert(0, (LABEL, first))
    taken = 0
    for at, name in names:
        if at < taken:
            continue
        row[at : at + len(name)] = name
        taken = at + len(name) + 1
    return "".join(row).rstrip()


class DayGrid(Widget):
    """The days: month names on top, a row per weekday, a column per week."""

    DEFAULT_CSS = "DayGrid { height: 8; }" + _SHADES.format("DayGrid")
    COMPONENT_CLASSES: ClassVar[set[str]] = _COMPONENTS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: Mapping[date, DayActivity] = {}
        self.today = date.today()
        self.weeks = MAX_WEEKS

    def show(self, days: Mapping[date, DayActivity], today: date, weeks: int) -> None:
        """Draw ``weeks`` weeks of ``days`` up to ``today``'s week."""
        self.days, self.today, self.weeks = days, today, weeks
        self.refresh()

    def render(self) -> RenderResult:
        start = first_monday(self.today, self.weeks)
        label = self.get_component_rich_style("calendar--label")
        cramp = self.get_component_rich_style("calendar--cramp", partial=True)
        quiet = self.get_component_rich_style("calendar--quiet", partial=True)
        pointer = self.get_component_rich_style("calendar--today")
        shades = {name: self.get_component_rich_style(name) for name in LEVELS}
        text = Text(month_row(start, self.weeks), style=label, no_wrap=True, end="")
        for row, weekday in enumerate(WEEKDAYS):
            text.append("\n")
            text.append(f"{weekday:<{LABEL}}", label)
            for column in range(self.weeks):
                day = start + timedelta(weeks=column, days=row)
                if day > self.today:
                    break
                activity = self.days.get(day)
                shade = shades[level(activity)]
                night = activity.night if activity is not None else None
                if night == "cramp":
                    text.append(CRAMP_MARK, shade + Style(color=cramp.color, bold=True))
                    text.append(" ", shade)
                elif night == "quiet":
                    text.append(QUIET_MARK, shade + Style(color=quiet.color))
                    text.append(" ", shade)
                else:
                    text.append("  ", shade)
                text.append(TODAY_MARK if day == self.today else " ", pointer)
        return text


class CalendarLegend(Widget):
    """What the shades and marks mean, wrapped to the width."""

    DEFAULT_CSS = "CalendarLegend { height: auto; }" + _SHADES.format("CalendarLegend")
    COMPONENT_CLASSES: ClassVar[set[str]] = _COMPONENTS

    def _items(self) -> list[list[tuple[str, Style]]]:
        muted = self.get_component_rich_style("calendar--label")
        cramp = self.get_component_rich_style("calendar--cramp")
        items = [
            [(swatch, self.get_component_rich_style(name)), (f" {words}", muted)]
            for name, swatch, words in LEGEND
        ]
        items.append([(CRAMP_MARK, cramp), (" cramp that night", muted)])
        quiet = self.get_component_rich_style("calendar--quiet")
        items.append([(QUIET_MARK, quiet), (" no cramps (checked in)", muted)])
        items.append(
            [(TODAY_MARK, self.get_component_rich_style("calendar--today")), (" today", muted)]
        )
        return items

    def _lines(self, width: int) -> list[list[tuple[str, Style]]]:
        lines: list[list[tuple[str, Style]]] = [[]]
        used = 0
        for item in self._items():
            size = sum(len(part) for part, _ in item)
            gap = 2 if used else 0
            if used and used + gap + size > width:
                lines.append([])
                used, gap = 0, 0
            if gap:
                lines[-1].append(("  ", Style()))
            lines[-1].extend(item)
            used += gap + size
        return lines

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> RenderResult:
        text = Text(no_wrap=True, end="")
        for number, line in enumerate(self._lines(self.content_size.width or 80)):
            if number:
                text.append("\n")
            for part, style in line:
                text.append(part, style)
        return text


def sparkline_data(cramps_per_week: Sequence[int]) -> list[int]:
    """The Sparkline's data for weeks drawn :data:`CELL` columns each.

    Each column gets its own bucket of two values, ``[0, count]``, summed up
    by ``max``: the bars are then measured from none, not from the quietest
    week (the Sparkline scales from the smallest value it is given).
    """
    return [value for count in cramps_per_week for _ in range(CELL) for value in (0, count)]


class ActivityCalendar(Vertical):
    """The day grid, a sparkline of cramps per week under it, and the legend.

    Call :meth:`show` with the days and weeks of an
    :class:`~stretch_coach.history.model.Overview`; the number of weeks follows
    the width, and the border title says how many.
    """

    DEFAULT_CSS = """
    ActivityCalendar { height: auto; }
    ActivityCalendar > #cramp-caption { color: $text-muted; margin: 1 0 0 0; }
    ActivityCalendar > #cramp-row { height: 1; }
    ActivityCalendar > #cramp-row > #cramp-axis { width: 4; color: $text-muted; }
    ActivityCalendar > #cramp-row > Sparkline { width: 48; }
    ActivityCalendar Sparkline > .sparkline--max-color { color: $error; }
    ActivityCalendar Sparkline > .sparkline--min-color { color: $error 45%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: Mapping[date, DayActivity] = {}
        self.cramps_by_week: Mapping[date, int] = {}
        self.today = date.today()
        self.weeks = MAX_WEEKS

    def compose(self) -> ComposeResult:
        yield DayGrid()
        yield Static(id="cramp-caption")
        with Horizontal(id="cramp-row"):
            yield Static("", id="cramp-axis")
            yield Sparkline([], summary_function=max)
        yield CalendarLegend()

    def show(
        self, days: Mapping[date, DayActivity], cramps_by_week: Mapping[date, int], today: date
    ) -> None:
        """Show ``days`` (by date) and the cramps of each week (by its Monday), up to ``today``."""
        self.days, self.cramps_by_week, self.today = days, cramps_by_week, today
        self._draw()

    def on_resize(self, event: Resize) -> None:
        weeks = weeks_that_fit(self.content_size.width)
        if weeks != self.weeks:
            self.weeks = weeks
            self._draw()

    def week_counts(self) -> list[int]:
        """Cramps in each week shown, oldest first."""
        start = first_monday(self.today, self.weeks)
        return [self.cramps_by_week.get(start + timedelta(weeks=n), 0) for n in range(self.weeks)]

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        self.border_title = f"Last {self.weeks} weeks"
        self.query_one(DayGrid).show(self.days, self.today, self.weeks)
        counts = self.week_counts()
        most = max(counts, default=0)
        caption = "Cramps per week: none logged in these weeks"
        if most:
            caption = f"Cramps per week (most {most}; this week {counts[-1]})"
        self.query_one("#cramp-caption", Static).update(caption)
        sparkline = self.query_one(Sparkline)
        sparkline.styles.width = self.weeks * CELL
        sparkline.data = sparkline_data(counts)
