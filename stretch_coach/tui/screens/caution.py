"""The cautions a routine asks to be read before its first session.

They are the routine's own and its includes' (format page, "Cautions through
includes"): a routine that includes the step stretch shows its balance warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from stretch_coach.routine.library import cautions_of
from stretch_coach.tui.screens import SCREENS_CSS

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
            with VerticalScroll(id="caution-lines"):
                for line in cautions_of(self.entry):  # its includes' too
                    yield Static(
                        Content.assemble(("• ", "$text-warning"), line.strip()),
                        classes="caution-line",
                    )
            yield Static(
                Content.from_markup("[b]Enter[/b] go on    [b]Esc[/b] back to the library"),
                id="caution-keys",
            )
        yield Footer()

    def action_go_on(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
