"""A routine's cautions as a compact, scrollable list: on the caution screen, or beside
an urgent routine's session.

The lines are a routine's own and its includes' (see
:func:`~stretch_coach.routine.library.cautions_of`). They are compact (a
bullet a line, the wrapped text hanging clear of it, no blank lines between)
so that the step stretch's balance warning, last in a long list, is still in
view on a small terminal; what does not fit scrolls (arrow keys, the mouse),
and :attr:`CautionList.more` says so while any line is out of view.

A routine marked ``urgent: true`` (cramp relief) is used in the moment: a
screen to read and dismiss before the first step would stand between a person
mid-cramp and the help (format page, ``urgent``). Its cautions are in an
:class:`UrgentCautions` panel on the right of the session screen instead,
docked, so the session screen's own layout is untouched: its widgets simply
get the width the panel leaves them, and the footer keeps the whole bottom row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry

#: Said where the list is shown when some cautions are out of view.
SCROLL_HINT = "↑↓ more"


class CautionList(VerticalScroll):
    """Caution lines, a bullet each, scrolling when they do not all fit.

    Args:
        lines: the cautions, as plain text (never markup).
    """

    DEFAULT_CSS = """
    CautionList {
        height: auto;
    }
    CautionList > .caution-item {
        height: auto;
    }
    CautionList .bullet {
        width: 2;
        color: $text-warning;
    }
    CautionList .caution-text {
        width: 1fr;
    }
    """

    #: Whether some line is out of view below (scroll down to read it).
    more: reactive[bool] = reactive(False)

    def __init__(self, lines: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = tuple(lines)

    def compose(self) -> ComposeResult:
        for line in self.lines:
            # A bullet beside the text, so a wrapped line hangs clear of it.
            with Horizontal(classes="caution-item"):
                yield Static("•", classes="bullet")
                # Content, never markup: the text is the routine file's, as written.
                yield Static(Content(" ".join(line.split())), classes="caution-text")

    def on_mount(self) -> None:
        self.call_after_refresh(self._look)

    def on_resize(self) -> None:
        self.call_after_refresh(self._look)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._look()

    def _look(self) -> None:
        self.more = self.max_scroll_y > 0 and round(self.scroll_y) < self.max_scroll_y


class UrgentCautions(CautionList):
    """An urgent routine's cautions, for the side of its session screen."""

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
    """

    def __init__(self, lines: Sequence[str], *, id: str | None = "urgent-cautions") -> None:
        super().__init__(lines, id=id)
        self.border_title = "Caution"

    def watch_more(self, more: bool) -> None:
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
