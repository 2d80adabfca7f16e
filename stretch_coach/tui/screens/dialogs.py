"""Small modal dialogs: "Stop this session?" and the keys help."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from stretch_coach.tui.screens import SCREENS_CSS


class Confirm(ModalScreen[bool]):
    """Asks a question: ``y`` answers yes (True), any other key or a click no (False).

    Args:
        question: the question, in bold.
        yes, no: what each answer does, after its keys (``y stop``, ``any other key carry on``).
        detail: a line under the question, if any.
    """

    def __init__(self, question: str, *, yes: str, no: str, detail: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no
        self.detail = detail

    CSS_PATH = SCREENS_CSS

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-panel", classes="dialog"):
            yield Static(Content.styled(self.question, "bold"), id="confirm-question")
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)
            yield Static(
                Content.assemble(
                    ("y", "bold"), f" {self.yes}    ", ("any other key", "bold"), f" {self.no}"
                ),
                id="confirm-keys",
            )

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(event.key == "y")

    def on_click(self, event: events.Click) -> None:
        self.dismiss(False)


class ConfirmStop(Confirm):
    """Asks "Stop this session?": ``y`` stops (True), any other key carries on (False)."""

    def __init__(self) -> None:
        super().__init__("Stop this session?", yes="stop", no="carry on")


def describe_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(key, what it does) for the screen's own keys and the app's, one row per key.

    A key with two meanings by state (space: pause or resume) gets one row,
    ``Pause / Resume``. A binding's tooltip, where it has one, is its longer
    description (the footer's is short). Textual's own focus and copy keys
    are left out.

    A key that means something else when its binding is off (the library's
    ``n`` answers the morning check-in, and without one types into the
    filter) is listed only while it is on: the screen names such actions in
    ``HELP_ONLY_WHILE_ON``. Help never lists a key that would not do what it says.
    """
    from textual.actions import parse as parse_action

    app = screen.app
    rows: dict[str, list[str]] = {}
    own = [*type(screen).BINDINGS, *type(app).BINDINGS]
    only_while_on: Collection[str] = getattr(screen, "HELP_ONLY_WHILE_ON", ())
    for binding in own:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        _, action, parameters = parse_action(binding.action)
        if action in only_while_on and screen.check_action(action, parameters) is not True:
            continue
        key = app.get_key_display(binding)
        description = binding.tooltip or binding.description
        if description not in rows.setdefault(key, []):
            rows[key].append(description)
    if app.ENABLE_COMMAND_PALETTE:
        rows.setdefault(
            app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")), ["Command palette"]
        )
    return [(key, " / ".join(descriptions)) for key, descriptions in rows.items()]


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath, with what each does."""

    CSS_PATH = SCREENS_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.heading = title

    def compose(self) -> ComposeResult:
        # A table, so a long description wraps under itself, not under the keys.
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        for key, description in self.rows:
            table.add_row(Text(key, style="bold"), Text(description))
        # It scrolls when the terminal is too short for every key.
        with VerticalScroll(id="help-panel", classes="dialog"):
            yield Static(Content.styled(self.heading, "bold"), id="help-heading")
            yield Static(table, id="help-text")
            yield Static(Content.styled("Esc closes this help.", "dim"), id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
