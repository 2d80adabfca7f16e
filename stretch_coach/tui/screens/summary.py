"""The summary after a routine finishes or is stopped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.widgets.rating import OnRated, Rating
from stretch_coach.words import time_against_plan


@dataclass(frozen=True)
class Outcome:
    """How a session went, as the summary shows it.

    Attributes:
        title: the routine's title.
        status: ``finished`` or ``stopped``.
        seconds: time spent: the active seconds of the steps played, skipped
            ones too (pauses not counted), as the history records it.
        planned_seconds: the routine's timed length, to show the time beside.
        steps_done, steps_skipped: as the engine counted them.
        steps_total: how many steps the routine has.
        counts: whether the session counts (at least half done), by the
            history's rule (:func:`stretch_coach.history.stats.counts`).
    """

    title: str
    status: str
    seconds: float
    planned_seconds: float
    steps_done: int
    steps_skipped: int
    steps_total: int
    counts: bool = True


def summary_heading(outcome: Outcome) -> str:
    """The summary's heading: praise only for a routine played through and counted."""
    if outcome.status != "finished":
        return "Session stopped"
    if outcome.counts:
        return "Well done: routine finished"
    return "Routine ended, most of it skipped"


class SummaryScreen(Screen[None]):
    """Time spent, steps done and skipped; Enter for the library (under it), q to quit."""

    CSS_PATH = SCREENS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "library", "Library"),
        Binding("q", "app.quit", "Quit"),
        # The optional effort and pain rating: digits and Backspace, keys of its own.
        *(Binding(str(d), f"rate('{d}')", "Rate", show=False) for d in range(10)),
        Binding("backspace", "unrate", "Correct the rating", show=False),
    ]

    def __init__(self, outcome: Outcome, *, rate: OnRated | None = None) -> None:
        super().__init__()
        self.outcome = outcome
        #: Told the effort and pain ratings as they are given (``None``: no rating asked).
        self.rate = rate

    def compose(self) -> ComposeResult:
        o = self.outcome
        heading = summary_heading(o)
        rows = [
            # As the history will list it: "0:06 of 2:30", "1:40, ran over 1:27".
            ("Time spent", time_against_plan(o.seconds, o.planned_seconds)),
            ("Steps done", f"{o.steps_done} of {o.steps_total}"),
            ("Steps skipped", str(o.steps_skipped)),
        ]
        width = max(len(label) for label, _ in rows)
        lines: list[str | tuple[str, str]] = []
        for label, value in rows:
            lines += ["\n" if lines else "", (label.ljust(width), "dim"), "   ", (value, "bold")]
        if not o.counts:
            lines += ["\n\n", "You skipped most of this routine, so it isn't counted."]
        elif o.status != "finished":
            lines += ["\n\n", "At least half of it was done, so it counts."]
        look = o.status if o.counts else "stopped"  # the warning colour when it doesn't count
        with Vertical(id="summary-panel", classes=f"-{look}"):
            yield Static(Content.styled(heading, "bold"), id="summary-heading")
            yield Static(o.title, id="summary-title", markup=False)  # the routine's, as written
            yield Static(Content.assemble(*lines), id="summary-facts")
            yield Static(
                Content.from_markup("[b]Enter[/b] back to the library    [b]q[/b] quit"),
                id="summary-keys",
            )
            if self.rate is not None:
                yield Rating(self.rate)
        yield Footer()

    def offer(self, widget: Widget) -> None:
        """Show ``widget`` in the panel, under the keys (the app offers the cramp check-in here)."""
        self.query_one("#summary-panel").mount(widget)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "unrate"):
            return bool(self.query(Rating))
        return True

    def action_rate(self, char: str) -> None:
        self.query_one(Rating).digit(char)

    def action_unrate(self) -> None:
        self.query_one(Rating).back()

    def on_unmount(self) -> None:
        for rating in self.query(Rating):
            rating.settle()

    def action_library(self) -> None:
        for rating in self.query(Rating):
            rating.settle()
        self.dismiss(None)
