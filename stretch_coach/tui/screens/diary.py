"""The diary form: log a cramp, every field checked by the diary's own rules.

Only *when* is needed; the rest may stay blank. Each field is read with the
same function the ``diary add`` command uses, so the form refuses exactly
what the command refuses, in the same words, shown next to the field. Nothing
is written until every field is valid; the write happens in a thread worker,
and a write that fails leaves the form open with everything in it.

After saving, :func:`open_diary` says "Saved" and, when the entry shows a
reason to see a doctor, shows :func:`stretch_coach.history.redflags.message`
once, in a dialog the person dismisses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, SelectionList, Static

from stretch_coach.history import diary, redflags, times
from stretch_coach.history.errors import EntryError
from stretch_coach.history.model import Cramp
from stretch_coach.tui.records import Now, open_store, wall_clock
from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.screens.dialogs import Confirm
from stretch_coach.tui.widgets.ticks import TickBox, TickList

if TYPE_CHECKING:
    from textual.app import App

#: The format the *when* field takes (and shows).
WHEN_FORMAT = "%Y-%m-%d %H:%M"
WHEN_HINT = "YYYY-MM-DD HH:MM"


@dataclass(frozen=True)
class Saved:
    """What the form saved, and the reason to see a doctor to show now (if any)."""

    entry: Cramp
    warning: str | None


class DiaryForm(ModalScreen[Saved | None]):
    """Log a cramp: when, how long, how bad, where, woke me, symptoms, a note.

    Args:
        now: the wall clock: the default *when*, and the limit past which a
            time is refused as in the future.
        when: text to start the *when* field with, instead of now (the
            check-in gives today's date and leaves the time to the person).
        when_hint: what to say next to *when* (default: its format).
    """

    CSS_PATH = SCREENS_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    class Written(Message):
        """The worker saved the entry."""

        def __init__(self, saved: Saved) -> None:
            super().__init__()
            self.saved = saved

    class WriteFailed(Message):
        """The worker could not save; ``text`` says why."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self, *, now: Now | None = None, when: str | None = None, when_hint: str | None = None
    ) -> None:
        super().__init__()
        self.now = wall_clock(now)
        self.when_text = when if when is not None else f"{self.now():{WHEN_FORMAT}}"
        self.when_hint = when_hint or WHEN_HINT
        #: Whether *when* starts complete (now) rather than as a start to add to.
        self.when_complete = when is None
        self.saving = False
        self._initial: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="diary-panel"):
            yield Static(
                Content.styled("Only When is needed; leave the rest blank if unsure.", "dim"),
                id="diary-intro",
            )
            # A whole time is selected on focus, so typing replaces it; a date
            # left for the time to be added is not, so typing adds to it.
            when = Input(
                self.when_text, id="when", compact=True, select_on_focus=self.when_complete
            )
            yield from _row("When", when, self.when_hint)
            yield from _row(
                "How long",
                Input(id="duration", placeholder="e.g. 2m", compact=True),
                "the cramp itself, not soreness after",
            )
            yield from _row(
                "Severity",
                Input(id="severity", placeholder="0-10", compact=True),
                "0 barely to 10 worst",
            )
            yield from _row("Leg", _choice("leg", diary.LEGS), "")
            yield from _row("Muscle", _choice("muscle", diary.MUSCLES), "")
            yield from _row("", TickBox("It woke me", id="woke", compact=True), "")
            yield from _row(
                "Symptoms",
                TickList(
                    *[(_symptom_words(symptom), symptom) for symptom in diary.SYMPTOMS],
                    id="symptoms",
                    compact=True,
                ),
                "",
            )
            yield from _row("Note", Input(id="note", placeholder="optional", compact=True), "")
            with Horizontal(id="diary-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diary-panel").border_title = "Log a cramp"
        self._initial = self._raw()
        when = self.query_one("#when", Input)
        when.cursor_position = len(when.value)
        when.focus()

    # -- reading the fields ---------------------------------------------------

    def _raw(self) -> tuple[Any, ...]:
        """Every field as it stands, to tell whether anything was changed."""
        return (
            *(
                self.query_one(f"#{name}", Input).value
                for name in ("when", "duration", "severity", "note")
            ),
            self.query_one("#leg", Select).value,
            self.query_one("#muscle", Select).value,
            self.query_one("#woke", Checkbox).value,
            tuple(self.query_one("#symptoms", SelectionList).selected),
        )

    @property
    def changed(self) -> bool:
        """Whether the person has changed anything since the form opened."""
        return self._raw() != self._initial

    def read(self) -> tuple[Cramp | None, dict[str, str]]:
        """Check every field with the diary's rules.

        Returns:
            The entry (``None`` if any field is invalid), and each invalid
            field's id with what is wrong with it.
        """

        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value

        def choice(name: str, choices: tuple[str, ...]) -> str | None:
            select = self.query_one(f"#{name}", Select)
            return None if select.is_blank() else diary.parse_choice(name, select.value, choices)

        checks: dict[str, tuple[str, Callable[[], Any]]] = {
            "when": ("at", lambda: times.parse_when(text("when"), current=self.now())),
            "duration": (
                "duration_seconds",
                lambda: _optional(text("duration"), diary.parse_cramp_duration),
            ),
            "severity": ("severity", lambda: _optional(text("severity"), diary.parse_severity)),
            "leg": ("leg", lambda: choice("leg", diary.LEGS)),
            "muscle": ("muscle", lambda: choice("muscle", diary.MUSCLES)),
            "woke": ("woke", lambda: diary.parse_woke(self.query_one("#woke", Checkbox).value)),
            "symptoms": (
                "symptoms",
                lambda: diary.parse_symptoms(self.query_one("#symptoms", SelectionList).selected),
            ),
            "note": ("note", lambda: diary.parse_note(text("note"))),
        }
        fields: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, (attribute, parse) in checks.items():
            try:
                fields[attribute] = parse()
            except EntryError as err:
                problems[name] = err.problem
        return (None if problems else Cramp(**fields)), problems

    def show_problems(self, problems: dict[str, str]) -> None:
        """Show each problem next to its field (clearing the others); focus the first."""
        for message in self.query(".diary-error").results(Static):
            name = (message.id or "").removesuffix("-error")
            message.update(Content.assemble(("⚠ ", "bold"), problems.get(name, "")))
            message.set_class(name in problems, "-shown")
        if problems:
            self.query_one(f"#{next(iter(problems))}").focus()

    # -- saving ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "cancel"):
            return not self.saving
        return True

    def action_save(self) -> None:
        cramp, problems = self.read()
        self.show_problems(problems)
        if cramp is None:
            return
        self._set_saving(True)
        self._write(cramp)

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        save = self.query_one("#save", Button)
        save.disabled = saving
        save.label = "Saving…" if saving else "Save"
        self.query_one("#cancel", Button).disabled = saving  # the entry is on its way
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="diary-write", exit_on_error=False)
    def _write(self, cramp: Cramp) -> None:
        """Save the entry off the loop and report back with a message."""
        try:
            with open_store(self.app, create=True) as store:
                entry, signs = diary.add_entry(store, cramp)
        except Exception as err:
            self.post_message(self.WriteFailed(getattr(err, "message", None) or str(err)))
            return
        self.post_message(self.Written(Saved(entry, redflags.message(signs))))

    def on_diary_form_written(self, message: Written) -> None:
        if self.is_attached:
            self.pop_until_active()  # a help or palette opened meanwhile goes first
            self.dismiss(message.saved)

    def on_diary_form_write_failed(self, message: WriteFailed) -> None:
        self._set_saving(False)
        self.app.notify(
            f"Not saved: {message.text}. The entry is still in the form.",
            title="Diary",
            severity="error",
            timeout=20,
            markup=False,
        )

    # -- leaving --------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(), answered)

    @on(Button.Pressed, "#save")
    async def _save_pressed(self) -> None:
        await self.run_action("save")  # checked like the key: not while saving

    @on(Button.Pressed, "#cancel")
    async def _cancel_pressed(self) -> None:
        await self.run_action("cancel")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        """Enter in a text field goes on to the next field."""
        self.focus_next()


def _row(label: str, field: Any, hint: str) -> ComposeResult:
    """A labelled field with its hint beside it and its problem (when there is one) under it."""
    with Horizontal(classes="diary-row"):
        yield Label(label, classes="diary-label")
        yield field
        if hint:
            yield Static(Content.styled(hint, "dim"), classes="diary-hint")
    yield Static(id=f"{field.id}-error", classes="diary-error")


def _choice(name: str, choices: tuple[str, ...]) -> Select[str]:
    return Select([(choice, choice) for choice in choices], prompt="-", id=name, compact=True)


def _symptom_words(symptom: str) -> str:
    """A symptom as the form lists it: the exposures in the red flags' own words
    ("contact with toxins", not "toxins"), the rest as stored, without hyphens."""
    return redflags.EXPOSURES.get(symptom, symptom.replace("-", " "))


def _optional(text: str, parse: Callable[[str], Any]) -> Any:
    """``None`` for a blank field, else what ``parse`` makes of it."""
    return parse(text) if text.strip() else None


class ConfirmDiscard(Confirm):
    """Asks "Discard this entry?": ``y`` discards (True), any other key keeps editing (False)."""

    def __init__(self) -> None:
        super().__init__(
            "Discard this entry?",
            detail="What you wrote is not saved.",
            yes="discard",
            no="keep editing",
        )


class RedFlagNotice(ModalScreen[None]):
    """The diary's reason to see a doctor, as the diary words it, until dismissed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "close", "OK"),
        Binding("escape", "close", "OK", show=False),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="redflag-panel", classes="dialog"):
            yield Static(self.text, id="redflag-text", markup=False)
            yield Static(Content.from_markup("[b]Enter[/b] OK"), id="redflag-keys")

    def action_close(self) -> None:
        self.dismiss(None)


def open_diary(
    app: App[Any],
    *,
    now: Now | None = None,
    when: str | None = None,
    when_hint: str | None = None,
    on_saved: Callable[[Saved], None] | None = None,
) -> None:
    """Open the diary form; after a save, say "Saved" and show any reason to see a doctor once.

    Args:
        app: the app to open it in.
        now, when, when_hint: see :class:`DiaryForm`.
        on_saved: called after a save (a screen refreshes what it shows).
    """

    def done(result: Saved | None) -> None:
        if result is None:
            return
        app.notify(f"Saved {diary.describe(result.entry)}.", title="Diary", markup=False)
        if on_saved is not None:
            on_saved(result)
        if result.warning:
            app.push_screen(RedFlagNotice(result.warning))

    app.push_screen(DiaryForm(now=now, when=when, when_hint=when_hint), done)
