"""An urgent routine's cautions, beside its session instead of on a screen before it.

A routine marked ``urgent: true`` (cramp relief) is used in the moment: a
screen to read and dismiss before the first step would stand between a person
mid-cramp and the help (format page, ``urgent``). Its cautions are shown
instead in a panel on the right of the session screen, compact (one bullet a
line, no blank lines between) and scrollable with the arrow keys or the mouse
when they do not all fit; the border says so.

The panel is docked, so the session screen's own layout is untouched: its
widgets simply get the width the panel leaves them, and the footer keeps the
whole bottom row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry

#: Said on the border when some cautions are out of view.
SCROLL_HINT = "↑↓ more"


class UrgentCautions(VerticalScroll):
    """The caution lines of an urgent routine, for the side of the session screen.

    Args:
        lines: the routine's cautions, its includes' too (see
            :func:`~stretch_coach.routine.library.cautions_of`), as plain text.
    """

    DEFAULT_CSS = """
    UrgentCautions {
        dock: right;
        width: 44%;
        min-width: 24;
        max-width: 40;
        /* 100% of the height less the margins: from under the title row to
           above the footer, which keeps the whole bottom row for the keys. */
        height: 100%;
        margin: 1 1 1 0;
        padding: 0 1;
        border: round $warning;
        border-title-color: $text-warning;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    UrgentCautions > .urgent-caution {
        height: auto;
    }
    UrgentCautions .bullet {
        width: 2;
        color: $text-warning;
    }
    UrgentCautions .text {
        width: 1fr;
    }
    """

    def __init__(self, lines: Sequence[str], *, id: str | None = "urgent-cautions") -> None:
        super().__init__(id=id)
        self.lines = tuple(lines)
        self.border_title = "Caution"

    def compose(self) -> ComposeResult:
        for line in self.lines:
            # A bullet beside the text, so a wrapped line hangs clear of it.
            with Horizontal(classes="urgent-caution"):
                yield Static("•", classes="bullet")
                # Content, never markup: the text is the routine file's, as written.
                yield Static(Content(" ".join(line.split())), classes="text")

    def on_mount(self) -> None:
        self.call_after_refresh(self._hint)

    def on_resize(self) -> None:
        self.call_after_refresh(self._hint)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._hint()

    def _hint(self) -> None:
        """Say on the border, while any line is out of view, that there is more."""
        more = self.max_scroll_y > 0 and self.scroll_y < self.max_scroll_y
        self.border_subtitle = SCROLL_HINT if more else ""


def urgent_cautions(entry: Entry) -> Iterator[UrgentCautions]:
    """The caution panel for ``entry``'s session: one if it is urgent and has cautions.

    A routine that is not urgent had its cautions on the caution screen
    before the session (the first time), so its session has no panel.
    """
    from stretch_coach.routine.library import cautions_of

    routine = entry.routine
    if routine is not None and routine.urgent and entry.valid:
        lines = cautions_of(entry)
        if lines:
            yield UrgentCautions(lines)
