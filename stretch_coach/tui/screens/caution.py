"""The cautions a routine asks to be read before its first session.

They are the routine's own and its includes' (format page, "Cautions through
includes"): a routine that includes the step stretch shows its balance warning.
The list is compact and scrolls when it does not fit; the panel's edge says so
while any caution is out of view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from stretch_coach.routine.library import cautions_of
from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.widgets.cautions import SCROLL_HINT, CautionList

if TYPE_CHECKING:
    from stretch_coach.routine.library import Entry


class CautionScreen(Screen[bool]):
    """Shows a routine's caution lines, its includes' too; dismisses with True to go on,
    False to go back."""

    CSS_PATH = SCREENS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "go_on", "Go on"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        routine = self.entry.routine
        assert routine is not None
        with Vertical(id="caution-panel"):
            yield Static(Content.styled(routine.title, "bold"), id="caution-title")
            yield Static(
                Content.styled("Before you start", "bold $text-warning"), id="caution-heading"
            )
            yield CautionList(cautions_of(self.entry), id="caution-lines")
            yield Static(
                Content.from_markup("[b]Enter[/b] go on    [b]Esc[/b] back to the library"),
                id="caution-keys",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.query_one(CautionList), "more", self._more)

    def _more(self, more: bool) -> None:
        # On the panel's bottom edge, as beside an urgent session.
        self.query_one("#caution-panel").border_subtitle = SCROLL_HINT if more else ""

    def action_go_on(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
